//! `GET /staff` (keyset-paginated by name) and `GET /staff/{id}` (with the weekly working hours,
//! time off and offered services).
//!
//! Deactivated members are left out of the list unless `include_inactive=true`; one member is
//! readable by id whether active or not, since past appointments name them. Working hours are
//! local wall-clock times (`"HH:MM"`) in the business's timezone; time off is UTC instants.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use events::staff::{Break, Weekday};
use platform::json::{ApiPath, ApiQuery};
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cursor;
use crate::freshness::STAFF;
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new()
        .route("/staff", get(list_staff))
        .route("/staff/{id}", get(get_staff_member))
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct StaffView {
    #[sqlx(rename = "staff_id")]
    id: Uuid,
    name: String,
    /// `owner`, `manager`, `barber` or `front_desk`.
    role: String,
    email: Option<String>,
    /// E.164.
    phone: Option<String>,
    /// False once deactivated.
    active: bool,
    /// The services they may be booked for; `null` means every service of the business.
    service_ids: Option<Vec<Uuid>>,
    /// Whether they get an email each evening with their next day's appointments.
    daily_agenda: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// `lower(name)` as the database computes it, for the cursor.
    #[serde(skip)]
    sort_name: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffPage {
    items: Vec<StaffView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

/// One staff member with when they work.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffDetail {
    #[serde(flatten)]
    member: StaffView,
    /// Monday first; a weekday absent is a day off.
    working_hours: Vec<WorkingDayView>,
    /// In time order.
    time_off: Vec<TimeOffView>,
}

/// The hours worked on one weekday, local wall-clock time in the business's timezone.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkingDayView {
    #[schema(example = "mon")]
    weekday: &'static str,
    #[schema(example = "09:00")]
    start: String,
    #[schema(example = "17:00")]
    end: String,
    breaks: Vec<BreakView>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BreakView {
    #[schema(example = "12:00")]
    start: String,
    #[schema(example = "12:30")]
    end: String,
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TimeOffView {
    #[sqlx(rename = "time_off_id")]
    id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListStaff {
    /// Also list deactivated members (default false).
    include_inactive: Option<bool>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
    cursor: Option<String>,
    /// Wait until the list includes the write that answered this position.
    min_position: Option<i64>,
}

const COLUMNS: &str = "staff_id, name, role, email, phone, active, service_ids, daily_agenda, \
    created_at, updated_at, lower(name) as sort_name";

/// The business's staff by name.
#[utoipa::path(get, path = "/api/v1/staff", params(ListStaff), tag = "staff",
    security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = StaffPage), (status = 400, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn list_staff(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiQuery(params): ApiQuery<ListStaff>,
) -> Result<(HeaderMap, Json<StaffPage>), ApiError> {
    let limit = cursor::page_size(params.limit)?;
    let after: Option<(String, Uuid)> = params.cursor.as_deref().map(cursor::decode).transpose()?;
    let consistency = state.freshness.wait_for(STAFF, params.min_position).await?;
    let sql = format!(
        "select {COLUMNS}
           from staff_members
          where tenant_id = $1
            and (active or $2)
            and ($3::text is null or (lower(name), staff_id) > ($3, $4))
          order by lower(name), staff_id
          limit $5"
    );
    let mut items: Vec<StaffView> = sqlx::query_as(&sql)
        .bind(user.tenant_id)
        .bind(params.include_inactive.unwrap_or(false))
        .bind(after.as_ref().map(|(name, _)| name.clone()))
        .bind(after.as_ref().map(|(_, id)| *id))
        .bind(limit + 1)
        .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
        .await?;
    let next_cursor = if items.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
        items.pop();
        items
            .last()
            .map(|last| cursor::encode(&(&last.sort_name, last.id)))
    } else {
        None
    };
    Ok((
        consistency.headers(),
        Json(StaffPage { items, next_cursor }),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetStaffMember {
    /// Wait until the record includes the write that answered this position.
    min_position: Option<i64>,
}

/// A working-hours row as stored.
#[derive(sqlx::FromRow)]
struct HoursRow {
    weekday: i16,
    /// `HH:MM`, `24:00` at the latest (Postgres's; chrono has no 24:00).
    start_time: String,
    end_time: String,
    breaks: sqlx::types::Json<Vec<Break>>,
}

/// One staff member, active or not, with working hours, time off and services.
#[utoipa::path(get, path = "/api/v1/staff/{id}", params(("id" = Uuid, Path), GetStaffMember),
    tag = "staff", security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = StaffDetail),
        (status = 404, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(staff_id = %staff_id))]
pub async fn get_staff_member(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiPath(staff_id): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<GetStaffMember>,
) -> Result<(HeaderMap, Json<StaffDetail>), ApiError> {
    let consistency = state.freshness.wait_for(STAFF, params.min_position).await?;
    // one snapshot for the three tables, which the projection writes in one transaction
    let mut tx = crate::reader::snapshot(
        &state.pool,
        user.tenant_id,
        &["staff_members", "staff_working_hours", "staff_time_off"],
    )
    .await?;
    let member: Option<StaffView> = sqlx::query_as(&format!(
        "select {COLUMNS} from staff_members where tenant_id = $1 and staff_id = $2"
    ))
    .bind(user.tenant_id)
    .bind(staff_id)
    .fetch_optional(&mut *tx)
    .await?;
    let member = member
        .ok_or_else(|| ApiError::not_found("staff_not_found", "the staff member does not exist"))?;
    let hours: Vec<HoursRow> = sqlx::query_as(
        "select weekday, to_char(start_time, 'HH24:MI') as start_time,
                to_char(end_time, 'HH24:MI') as end_time, breaks
           from staff_working_hours
          where tenant_id = $1 and staff_id = $2 order by weekday, start_time",
    )
    .bind(user.tenant_id)
    .bind(staff_id)
    .fetch_all(&mut *tx)
    .await?;
    let time_off: Vec<TimeOffView> = sqlx::query_as(
        "select time_off_id, starts_at, ends_at, reason from staff_time_off
          where tenant_id = $1 and staff_id = $2 order by starts_at, time_off_id",
    )
    .bind(user.tenant_id)
    .bind(staff_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let working_hours = hours
        .into_iter()
        .map(working_day)
        .collect::<Result<_, _>>()?;
    Ok((
        consistency.headers(),
        Json(StaffDetail {
            member,
            working_hours,
            time_off,
        }),
    ))
}

fn working_day(row: HoursRow) -> Result<WorkingDayView, ApiError> {
    let weekday = usize::try_from(row.weekday - 1)
        .ok()
        .and_then(|i| Weekday::ALL.get(i))
        .ok_or_else(|| {
            ApiError::internal(std::io::Error::other(format!(
                "stored weekday {} is not 1 to 7",
                row.weekday
            )))
        })?;
    Ok(WorkingDayView {
        weekday: weekday.as_str(),
        start: row.start_time,
        end: row.end_time,
        breaks: row
            .breaks
            .0
            .into_iter()
            .map(|b| BreakView {
                start: b.start.to_string(),
                end: b.end.to_string(),
            })
            .collect(),
    })
}

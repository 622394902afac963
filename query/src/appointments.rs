//! `GET /appointments` (filtered by time, barber, customer and status; keyset-paginated by start
//! time) and `GET /appointments/{id}`.
//!
//! Instants are UTC; `from`/`to` select appointments whose `starts_at` lies in `[from, to)`. The
//! list's SQL is built with only the filters asked for, so each combination gets a plan of its
//! own and the planner can pick the index that fits (by start, by barber, by customer) instead of
//! one generic plan with `$n is null or …` for every filter.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use events::appointment::AppointmentStatus;
use platform::json::{ApiPath, ApiQuery};
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use sqlx::{Postgres, QueryBuilder};
use uuid::Uuid;

use crate::cursor;
use crate::freshness::APPOINTMENTS;
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new()
        .route("/appointments", get(list_appointments))
        .route("/appointments/{id}", get(get_appointment))
}

/// One appointment as the shop sees it: where it is in its workflow and what was paid.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AppointmentView {
    #[sqlx(rename = "appointment_id")]
    id: Uuid,
    customer_id: Uuid,
    /// The barber.
    staff_id: Uuid,
    service_id: Uuid,
    /// The service's name when it was booked.
    service_name: String,
    starts_at: DateTime<Utc>,
    /// When the service ends.
    ends_at: DateTime<Utc>,
    /// When the barber is free again (the service's buffer after `ends_at`).
    blocked_until: DateTime<Utc>,
    /// The business's local date of `starts_at`.
    schedule_date: NaiveDate,
    /// The price when booked, integer minor units of `currency`.
    price_cents: i64,
    /// ISO 4217.
    currency: String,
    /// `online`, `phone`, `front_desk` or `walk_in`.
    source: String,
    /// `booked`, `confirmed`, `checked_in`, `in_service`, `completed`, `cancelled` or `no_show`.
    status: String,
    /// A user id, or `public` for the online booking page.
    booked_by: String,
    booked_at: DateTime<Utc>,
    confirmed_at: Option<DateTime<Utc>>,
    checked_in_at: Option<DateTime<Utc>>,
    started_at: Option<DateTime<Utc>>,
    completed_at: Option<DateTime<Utc>>,
    cancelled_at: Option<DateTime<Utc>>,
    /// A user id, or `customer` through a booking link.
    cancelled_by: Option<String>,
    cancellation_reason: Option<String>,
    /// Cancelled inside the business's cancellation window (or after the start).
    late_cancellation: bool,
    no_show_at: Option<DateTime<Utc>>,
    /// Paid for the service on completion, minor units of `currency`.
    amount_paid_cents: Option<i64>,
    /// The barber's tip, minor units of `currency`.
    tip_cents: Option<i64>,
    /// `cash`, `card` or `other`.
    payment_method: Option<String>,
    /// How many times it was moved to another time or barber.
    rescheduled_count: i32,
    /// The staff's notes, oldest first: `{id, by, at, text}`.
    #[schema(value_type = Vec<Object>)]
    notes: sqlx::types::Json<serde_json::Value>,
    updated_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppointmentPage {
    items: Vec<AppointmentView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListAppointments {
    /// RFC 3339; appointments starting at or after it.
    from: Option<DateTime<Utc>>,
    /// RFC 3339; appointments starting before it.
    to: Option<DateTime<Utc>>,
    /// One barber's appointments.
    staff_id: Option<Uuid>,
    /// One customer's appointments.
    customer_id: Option<Uuid>,
    /// `booked`, `confirmed`, `checked_in`, `in_service`, `completed`, `cancelled` or `no_show`.
    status: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
    cursor: Option<String>,
    /// Wait until the list includes the write that answered this position.
    min_position: Option<i64>,
}

/// (starts_at, appointment_id): the keyset of the list.
type SortKey = (DateTime<Utc>, Uuid);

const COLUMNS: &str = "appointment_id, customer_id, staff_id, service_id, service_name, \
    starts_at, ends_at, blocked_until, schedule_date, price_cents, currency, source, status, \
    booked_by, booked_at, confirmed_at, checked_in_at, started_at, completed_at, cancelled_at, \
    cancelled_by, cancellation_reason, late_cancellation, no_show_at, amount_paid_cents, \
    tip_cents, payment_method, rescheduled_count, notes, updated_at";

/// The business's appointments by start time, optionally within `[from, to)` and for one barber,
/// customer or status.
#[utoipa::path(get, path = "/api/v1/appointments", params(ListAppointments),
    tag = "appointments", security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = AppointmentPage),
        (status = 400, description = "invalid_query, invalid_range, invalid_status, \
            invalid_limit or invalid_cursor", body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn list_appointments(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiQuery(params): ApiQuery<ListAppointments>,
) -> Result<(HeaderMap, Json<AppointmentPage>), ApiError> {
    let limit = cursor::page_size(params.limit)?;
    let after: Option<SortKey> = params.cursor.as_deref().map(cursor::decode).transpose()?;
    if let (Some(from), Some(to)) = (params.from, params.to) {
        if from >= to {
            return Err(ApiError::bad_request(
                "invalid_range",
                "`from` must come before `to`",
            ));
        }
    }
    let status = params.status.as_deref().map(parse_status).transpose()?;
    let consistency = state
        .freshness
        .wait_for(APPOINTMENTS, params.min_position)
        .await?;

    let mut sql = QueryBuilder::<Postgres>::new(format!("select {COLUMNS} from appointments"));
    sql.push(" where tenant_id = ").push_bind(user.tenant_id);
    if let Some(from) = params.from {
        sql.push(" and starts_at >= ").push_bind(from);
    }
    if let Some(to) = params.to {
        sql.push(" and starts_at < ").push_bind(to);
    }
    // a barber's login sees their own chair only
    if let Some(staff_id) = user.own_chair().or(params.staff_id) {
        sql.push(" and staff_id = ").push_bind(staff_id);
    }
    if let Some(customer_id) = params.customer_id {
        sql.push(" and customer_id = ").push_bind(customer_id);
    }
    if let Some(status) = status {
        sql.push(" and status = ").push_bind(status.as_str());
    }
    if let Some((starts_at, id)) = after {
        sql.push(" and (starts_at, appointment_id) > (")
            .push_bind(starts_at)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    sql.push(" order by starts_at, appointment_id limit ")
        .push_bind(limit + 1);
    let mut items: Vec<AppointmentView> = sql
        .build_query_as()
        .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
        .await?;

    let next_cursor = if items.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
        items.pop();
        items
            .last()
            .map(|last| cursor::encode(&(last.starts_at, last.id)))
    } else {
        None
    };
    Ok((
        consistency.headers(),
        Json(AppointmentPage { items, next_cursor }),
    ))
}

/// A status by its wire name; refused with its own code, like the command side's typed values.
fn parse_status(name: &str) -> Result<AppointmentStatus, ApiError> {
    AppointmentStatus::ALL
        .into_iter()
        .find(|status| status.as_str() == name)
        .ok_or_else(|| {
            ApiError::bad_request(
                "invalid_status",
                format!(
                    "status must be one of {}",
                    AppointmentStatus::ALL
                        .map(AppointmentStatus::as_str)
                        .join(", ")
                ),
            )
        })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetAppointment {
    /// Wait until the record includes the write that answered this position.
    min_position: Option<i64>,
}

/// One appointment.
#[utoipa::path(get, path = "/api/v1/appointments/{id}",
    params(("id" = Uuid, Path), GetAppointment), tag = "appointments",
    security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = AppointmentView),
        (status = 404, description = "appointment_not_found", body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(appointment_id = %appointment_id))]
pub async fn get_appointment(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiPath(appointment_id): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<GetAppointment>,
) -> Result<(HeaderMap, Json<AppointmentView>), ApiError> {
    let consistency = state
        .freshness
        .wait_for(APPOINTMENTS, params.min_position)
        .await?;
    let appointment: Option<AppointmentView> = sqlx::query_as(&format!(
        "select {COLUMNS} from appointments where tenant_id = $1 and appointment_id = $2"
    ))
    .bind(user.tenant_id)
    .bind(appointment_id)
    .fetch_optional(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
    .await?;
    // another chair's appointment does not exist for a barber's login
    let appointment = appointment
        .filter(|a| user.own_chair().is_none_or(|chair| a.staff_id == chair))
        .ok_or_else(|| {
            ApiError::not_found("appointment_not_found", "the appointment does not exist")
        })?;
    Ok((consistency.headers(), Json(appointment)))
}

#[cfg(test)]
mod tests {
    use super::parse_status;

    #[test]
    fn statuses_are_read_by_their_wire_names_only() {
        assert_eq!(
            parse_status("checked_in").map(|s| s.as_str()).ok(),
            Some("checked_in")
        );
        for bad in ["CheckedIn", "checked-in", "", "asleep"] {
            assert_eq!(
                parse_status(bad).err().map(|e| e.code()),
                Some("invalid_status")
            );
        }
    }
}

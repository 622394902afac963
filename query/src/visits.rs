//! A customer's visits: `GET /customers/{id}/visits` (completed appointments, newest first,
//! keyset-paginated) and the visit summary `GET /customers/{id}` carries.
//!
//! Both read the appointments read model by its per-customer index (a customer has tens of
//! appointments, not thousands), so they follow a merge as it happens: the merge moves each of
//! the duplicate's appointments to the customer it is merged into (`AppointmentCustomerChanged`),
//! and its visits with them; the duplicate has none left. An erased customer keeps their visits
//! (only their personal data is gone).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use platform::json::{ApiPath, ApiQuery};
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use crate::cursor;
use crate::freshness::{APPOINTMENTS, CUSTOMERS, STAFF};
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new().route("/customers/{id}/visits", get(list_visits))
}

/// One completed appointment, as the customer's history shows it.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Visit {
    appointment_id: Uuid,
    starts_at: DateTime<Utc>,
    service_id: Uuid,
    /// As it was when booked.
    service_name: String,
    /// The barber.
    staff_id: Uuid,
    staff_name: Option<String>,
    /// Paid for the service, integer minor units of `currency`.
    amount_paid_cents: i64,
    /// The barber's tip, integer minor units of `currency`.
    tip_cents: i64,
    /// ISO 4217.
    currency: String,
    /// `cash`, `card` or `other`.
    payment_method: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VisitPage {
    items: Vec<Visit>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

/// A customer's history in figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VisitSummary {
    /// Completed appointments.
    visits: i64,
    /// What the visits brought in, one entry per currency (one, unless the business changed
    /// its currency), integer minor units.
    spend: Vec<Spend>,
    /// The start of the first and of the last completed visit; absent before the first.
    first_visit_at: Option<DateTime<Utc>>,
    last_visit_at: Option<DateTime<Utc>>,
    no_shows: i64,
    /// Cancelled inside the business's cancellation window.
    late_cancellations: i64,
    /// Booked or confirmed appointments still to start.
    upcoming: i64,
}

/// Takings from one customer in one currency.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Spend {
    /// ISO 4217.
    currency: String,
    /// Paid for the services, tips apart.
    amount_paid_cents: i64,
    tip_cents: i64,
}

#[derive(sqlx::FromRow)]
struct Counts {
    visits: i64,
    first_visit_at: Option<DateTime<Utc>>,
    last_visit_at: Option<DateTime<Utc>>,
    no_shows: i64,
    late_cancellations: i64,
    upcoming: i64,
}

/// The visit summary of `customer_id` (none of whose appointments exist: all zero).
pub async fn summary(
    pool: &PgPool,
    tenant_id: Uuid,
    customer_id: Uuid,
    now: DateTime<Utc>,
) -> Result<VisitSummary, ApiError> {
    let counts: Counts = sqlx::query_as(
        "select count(*) filter (where status = 'completed') as visits,
                min(starts_at) filter (where status = 'completed') as first_visit_at,
                max(starts_at) filter (where status = 'completed') as last_visit_at,
                count(*) filter (where status = 'no_show') as no_shows,
                count(*) filter (where status = 'cancelled' and late_cancellation)
                    as late_cancellations,
                count(*) filter (where status in ('booked', 'confirmed') and starts_at > $3)
                    as upcoming
           from appointments
          where tenant_id = $1 and customer_id = $2",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .bind(now)
    .fetch_one(&mut *crate::reader::read(pool, tenant_id).await?)
    .await?;
    let spend: Vec<Spend> = sqlx::query_as(
        "select currency, sum(amount_paid_cents)::bigint as amount_paid_cents,
                sum(tip_cents)::bigint as tip_cents
           from appointments
          where tenant_id = $1 and customer_id = $2 and status = 'completed'
          group by currency
          order by currency",
    )
    .bind(tenant_id)
    .bind(customer_id)
    .fetch_all(&mut *crate::reader::read(pool, tenant_id).await?)
    .await?;
    Ok(VisitSummary {
        visits: counts.visits,
        spend,
        first_visit_at: counts.first_visit_at,
        last_visit_at: counts.last_visit_at,
        no_shows: counts.no_shows,
        late_cancellations: counts.late_cancellations,
        upcoming: counts.upcoming,
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListVisits {
    /// 1 to 200, default 50.
    limit: Option<i64>,
    cursor: Option<String>,
    /// Wait until the list includes the write that answered this position.
    min_position: Option<i64>,
}

/// (starts_at, appointment_id) of the last visit served: the keyset, newest first.
type SortKey = (DateTime<Utc>, Uuid);

/// The customer's completed visits, newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/visits",
    params(("id" = Uuid, Path), ListVisits), tag = "customers", security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = VisitPage),
        (status = 400, description = "invalid_query, invalid_limit or invalid_cursor",
            body = platform::problem::Problem),
        (status = 404, description = "customer_not_found", body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(customer_id = %customer_id))]
pub async fn list_visits(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiPath(customer_id): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<ListVisits>,
) -> Result<(HeaderMap, Json<VisitPage>), ApiError> {
    let limit = cursor::page_size(params.limit)?;
    let after: Option<SortKey> = params.cursor.as_deref().map(cursor::decode).transpose()?;
    let consistency = state
        .freshness
        .wait_for_all(&[CUSTOMERS, APPOINTMENTS, STAFF], params.min_position)
        .await?;
    let known: bool = sqlx::query_scalar(
        "select exists (select from customers where tenant_id = $1 and customer_id = $2)",
    )
    .bind(user.tenant_id)
    .bind(customer_id)
    .fetch_one(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
    .await?;
    if !known {
        return Err(ApiError::not_found(
            "customer_not_found",
            "the customer does not exist",
        ));
    }
    let mut items: Vec<Visit> = sqlx::query_as(
        "select a.appointment_id, a.starts_at, a.service_id, a.service_name, a.staff_id,
                s.name as staff_name, coalesce(a.amount_paid_cents, 0) as amount_paid_cents,
                coalesce(a.tip_cents, 0) as tip_cents, a.currency,
                coalesce(a.payment_method, 'other') as payment_method
           from appointments a
           left join staff_members s on s.tenant_id = a.tenant_id and s.staff_id = a.staff_id
          where a.tenant_id = $1 and a.customer_id = $2 and a.status = 'completed'
            and ($3::timestamptz is null or (a.starts_at, a.appointment_id) < ($3, $4))
          order by a.starts_at desc, a.appointment_id desc
          limit $5",
    )
    .bind(user.tenant_id)
    .bind(customer_id)
    .bind(after.map(|(at, _)| at))
    .bind(after.map(|(_, id)| id))
    .bind(limit + 1)
    .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
    .await?;
    let next_cursor = if items.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
        items.pop();
        items
            .last()
            .map(|last| cursor::encode(&(last.starts_at, last.appointment_id)))
    } else {
        None
    };
    Ok((
        consistency.headers(),
        Json(VisitPage { items, next_cursor }),
    ))
}

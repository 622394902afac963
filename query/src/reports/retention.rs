//! `GET /reports/retention`: per month of the range (local dates), the customers with a
//! completed visit in it, how many of them were new (their first completed visit ever is in that
//! month) or returning, and how many came back: had another appointment (not cancelled) starting
//! within 30, 60 or 90 days after their first visit of the month. Shares are basis points
//! (integer, `n × 10000 ÷ customers` rounded down). Visits near today have had less time to be
//! followed by one; the figures for recent months grow as bookings come.
//!
//! It reads the appointments read model (per customer, so merges count for the customer a
//! duplicate was merged into), by start time within the range's UTC bounds and by customer.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::Days;
use platform::json::ApiQuery;
use platform::roles::{power, May};
use platform::ApiError;
use serde::Serialize;

use super::no_shows::RangeParams;
use super::{answer, checked_range, CsvRow, RangeReport};
use crate::freshness::{APPOINTMENTS, BUSINESSES};
use crate::local_days::{start_of, BusinessClock};
use crate::QueryState;

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RetentionRow {
    /// `YYYY-MM`.
    month: String,
    /// Customers with a completed visit in the month (within the range).
    customers: i64,
    new_customers: i64,
    returning_customers: i64,
    rebooked_30d: i64,
    rebooked_60d: i64,
    rebooked_90d: i64,
    /// `rebooked_30d × 10000 ÷ customers`, basis points.
    rebooked_30d_bp: i64,
    rebooked_60d_bp: i64,
    rebooked_90d_bp: i64,
}

impl CsvRow for RetentionRow {
    const HEADER: &'static [&'static str] = &[
        "month",
        "customers",
        "new_customers",
        "returning_customers",
        "rebooked_30d",
        "rebooked_60d",
        "rebooked_90d",
        "rebooked_30d_bp",
        "rebooked_60d_bp",
        "rebooked_90d_bp",
    ];

    fn cells(&self) -> Vec<String> {
        let counts = [
            self.customers,
            self.new_customers,
            self.returning_customers,
            self.rebooked_30d,
            self.rebooked_60d,
            self.rebooked_90d,
            self.rebooked_30d_bp,
            self.rebooked_60d_bp,
            self.rebooked_90d_bp,
        ];
        std::iter::once(self.month.clone())
            .chain(counts.iter().map(i64::to_string))
            .collect()
    }
}

/// New and returning customers per month, and how many rebooked.
#[utoipa::path(get, path = "/api/v1/reports/retention", params(RangeParams), tag = "reports",
    security(("bearer" = ["see_figures"])),
    responses((status = 200, description = "JSON, or CSV with `Accept: text/csv`",
            content((RangeReport<RetentionRow> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "invalid_query, invalid_range or range_too_long",
            body = platform::problem::Problem),
        (status = 403, description = "forbidden", body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn retention_report(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeFigures>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<RangeParams>,
) -> Result<Response, ApiError> {
    let (from, to) = checked_range(params.from, params.to)?;
    let consistency = state
        .freshness
        .wait_for_all(&[BUSINESSES, APPOINTMENTS], params.min_position)
        .await?;
    let clock = BusinessClock::of(&state.pool, user.tenant_id).await?;
    let rows: Vec<RetentionRow> = sqlx::query_as(
        "with firsts as (
             select distinct on (customer_id, to_char(schedule_date, 'YYYY-MM'))
                    customer_id, to_char(schedule_date, 'YYYY-MM') as month,
                    date_trunc('month', schedule_date)::date as month_start, starts_at
               from appointments
              where tenant_id = $1 and status = 'completed'
                and starts_at >= $2 and starts_at < $3
                and schedule_date between $4 and $5
              order by customer_id, to_char(schedule_date, 'YYYY-MM'), starts_at
         ),
         followed as (
             select f.month, f.month_start,
                    (select min(schedule_date) from appointments e
                      where e.tenant_id = $1 and e.customer_id = f.customer_id
                        and e.status = 'completed') as first_ever,
                    (select min(n.starts_at) from appointments n
                      where n.tenant_id = $1 and n.customer_id = f.customer_id
                        and n.starts_at > f.starts_at and n.status <> 'cancelled')
                        - f.starts_at as gap
               from firsts f
         )
         select month, count(*) as customers,
                count(*) filter (where first_ever >= month_start) as new_customers,
                count(*) filter (where first_ever < month_start) as returning_customers,
                count(*) filter (where gap <= interval '30 days') as rebooked_30d,
                count(*) filter (where gap <= interval '60 days') as rebooked_60d,
                count(*) filter (where gap <= interval '90 days') as rebooked_90d,
                count(*) filter (where gap <= interval '30 days') * 10000 / count(*)
                    as rebooked_30d_bp,
                count(*) filter (where gap <= interval '60 days') * 10000 / count(*)
                    as rebooked_60d_bp,
                count(*) filter (where gap <= interval '90 days') * 10000 / count(*)
                    as rebooked_90d_bp
           from followed
          group by month
          order by month",
    )
    .bind(user.tenant_id)
    .bind(start_of(from, clock.timezone))
    .bind(start_of(to + Days::new(1), clock.timezone))
    .bind(from)
    .bind(to)
    .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
    .await?;
    Ok(answer(
        &headers,
        consistency,
        RangeReport { from, to, rows },
    ))
}

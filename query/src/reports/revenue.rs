//! `GET /reports/revenue`: takings of completed appointments over a range of local dates,
//! grouped by day, ISO week (keyed by its Monday), month (`YYYY-MM`), barber or service, one row
//! per group and currency, from the day stats. A week or month cut by the range counts only its
//! days inside it.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use platform::json::ApiQuery;
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};

use super::{answer, cell, checked_range, CsvRow, Report};
use crate::freshness::{APPOINTMENT_STATS, SERVICES, STAFF};
use crate::QueryState;

#[derive(Debug, Clone, Copy, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Day,
    Week,
    Month,
    Staff,
    Service,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RevenueParams {
    /// First local date, `YYYY-MM-DD`.
    from: NaiveDate,
    /// Last local date, inclusive.
    to: NaiveDate,
    /// `day` (default), `week`, `month`, `staff` or `service`.
    group_by: Option<GroupBy>,
    /// Wait until the report includes the write that answered this position.
    min_position: Option<i64>,
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct RevenueRow {
    /// The group: a date (`day`; `week`: its Monday), `YYYY-MM` (`month`), or the barber's or
    /// service's id.
    key: String,
    /// The barber's or service's name; absent for periods.
    name: Option<String>,
    /// ISO 4217.
    currency: String,
    /// Completed appointments.
    visits: i64,
    /// Paid for the services, integer minor units, tips apart.
    amount_paid_cents: i64,
    tip_cents: i64,
}

impl CsvRow for RevenueRow {
    const HEADER: &'static [&'static str] = &[
        "key",
        "name",
        "currency",
        "visits",
        "amount_paid_cents",
        "tip_cents",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.key.clone(),
            cell(self.name.as_ref()),
            self.currency.clone(),
            self.visits.to_string(),
            self.amount_paid_cents.to_string(),
            self.tip_cents.to_string(),
        ]
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RevenueReport {
    from: NaiveDate,
    to: NaiveDate,
    group_by: GroupBy,
    rows: Vec<RevenueRow>,
}

impl Report for RevenueReport {
    type Row = RevenueRow;
    fn rows(&self) -> &[RevenueRow] {
        &self.rows
    }
}

/// Takings over a range of local dates.
#[utoipa::path(get, path = "/api/v1/reports/revenue", params(RevenueParams), tag = "reports",
    security(("bearer" = ["see_figures"])),
    responses((status = 200, description = "JSON, or CSV with `Accept: text/csv`",
            content((RevenueReport = "application/json"), (String = "text/csv"))),
        (status = 400, description = "invalid_query, invalid_range or range_too_long",
            body = platform::problem::Problem),
        (status = 403, description = "forbidden", body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn revenue_report(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeFigures>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<RevenueParams>,
) -> Result<Response, ApiError> {
    let (from, to) = checked_range(params.from, params.to)?;
    let group_by = params.group_by.unwrap_or(GroupBy::Day);
    let consistency = state
        .freshness
        .wait_for_all(&[APPOINTMENT_STATS, STAFF, SERVICES], params.min_position)
        .await?;
    let (key, name) = match group_by {
        GroupBy::Day => ("local_date::text", "null::text"),
        GroupBy::Week => ("date_trunc('week', local_date)::date::text", "null::text"),
        GroupBy::Month => ("to_char(local_date, 'YYYY-MM')", "null::text"),
        GroupBy::Staff => (
            "staff_id::text",
            "(select m.name from staff_members m
               where m.tenant_id = $1 and m.staff_id::text = r.key)",
        ),
        GroupBy::Service => (
            "service_id::text",
            "(select s.name from services s
               where s.tenant_id = $1 and s.service_id::text = r.key)",
        ),
    };
    let rows: Vec<RevenueRow> = sqlx::query_as(&format!(
        "select r.key, {name} as name, r.currency, r.visits, r.amount_paid_cents, r.tip_cents
           from (select {key} as key, currency, sum(appointments)::bigint as visits,
                        sum(amount_paid_cents)::bigint as amount_paid_cents,
                        sum(tip_cents)::bigint as tip_cents
                   from appointment_day_stats
                  where tenant_id = $1 and local_date between $2 and $3
                    and status = 'completed'
                  group by 1, 2) r
          order by 2 nulls first, r.key, r.currency"
    ))
    .bind(user.tenant_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
    .await?;
    let report = RevenueReport {
        from,
        to,
        group_by,
        rows,
    };
    Ok(answer(&headers, consistency, report))
}

//! `GET /reports/no-shows`: per barber and per service, over a range of local dates, how many
//! appointments came due (completed or no-show), how many were no-shows and how many were
//! cancelled late, from the day stats. The rate is in basis points (integer: 1250 = 12.5 %),
//! `no_shows × 10000 ÷ due` rounded down, absent when nothing came due.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use platform::json::ApiQuery;
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{answer, cell, checked_range, CsvRow, RangeReport};
use crate::freshness::{APPOINTMENT_STATS, SERVICES, STAFF};
use crate::QueryState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RangeParams {
    /// First local date, `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last local date, inclusive.
    pub to: NaiveDate,
    /// Wait until the report includes the write that answered this position.
    pub min_position: Option<i64>,
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct NoShowRow {
    /// `staff` or `service`: what the row is about.
    by: String,
    id: Uuid,
    name: Option<String>,
    /// Appointments that came due: completed or no-show.
    due: i64,
    no_shows: i64,
    late_cancellations: i64,
    /// `no_shows × 10000 ÷ due`, in basis points; absent when `due` is 0.
    no_show_rate_bp: Option<i64>,
}

impl CsvRow for NoShowRow {
    const HEADER: &'static [&'static str] = &[
        "by",
        "id",
        "name",
        "due",
        "no_shows",
        "late_cancellations",
        "no_show_rate_bp",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.by.clone(),
            self.id.to_string(),
            cell(self.name.as_ref()),
            self.due.to_string(),
            self.no_shows.to_string(),
            self.late_cancellations.to_string(),
            cell(self.no_show_rate_bp),
        ]
    }
}

/// No-shows and late cancellations per barber and per service.
#[utoipa::path(get, path = "/api/v1/reports/no-shows", params(RangeParams), tag = "reports",
    security(("bearer" = ["see_figures"])),
    responses((status = 200, description = "JSON, or CSV with `Accept: text/csv`",
            content((RangeReport<NoShowRow> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "invalid_query, invalid_range or range_too_long",
            body = platform::problem::Problem),
        (status = 403, description = "forbidden", body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn no_show_report(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeFigures>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<RangeParams>,
) -> Result<Response, ApiError> {
    let (from, to) = checked_range(params.from, params.to)?;
    let consistency = state
        .freshness
        .wait_for_all(&[APPOINTMENT_STATS, STAFF, SERVICES], params.min_position)
        .await?;
    let rows: Vec<NoShowRow> = sqlx::query_as(
        "with days as (
             select * from appointment_day_stats
              where tenant_id = $1 and local_date between $2 and $3
         ),
         counted as (
             select 'staff' as by, staff_id as id,
                    sum(appointments) filter (where status in ('completed', 'no_show')) as due,
                    sum(appointments) filter (where status = 'no_show') as no_shows,
                    sum(late_cancellations) as late_cancellations
               from days group by staff_id
             union all
             select 'service', service_id,
                    sum(appointments) filter (where status in ('completed', 'no_show')),
                    sum(appointments) filter (where status = 'no_show'),
                    sum(late_cancellations)
               from days group by service_id
         )
         select c.by, c.id,
                case c.by
                    when 'staff' then (select m.name from staff_members m
                                        where m.tenant_id = $1 and m.staff_id = c.id)
                    else (select s.name from services s
                           where s.tenant_id = $1 and s.service_id = c.id)
                end as name,
                coalesce(c.due, 0)::bigint as due,
                coalesce(c.no_shows, 0)::bigint as no_shows,
                coalesce(c.late_cancellations, 0)::bigint as late_cancellations,
                (coalesce(c.no_shows, 0) * 10000 / nullif(c.due, 0))::bigint as no_show_rate_bp
           from counted c
          order by c.by desc, 3, c.id",
    )
    .bind(user.tenant_id)
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

//! `GET /reports/utilization`: per barber over a range of local dates, the minutes they work
//! (their weekly hours, minus breaks, minus time off) against the minutes booked (services of
//! appointments not cancelled, no-shows included: the chair was held), and the share in basis
//! points (`booked × 10000 ÷ working`, rounded down; absent without working time).
//!
//! Working time is each local day's shifts made instants in the business's timezone (so a
//! daylight-saving day is an hour shorter or longer where a shift spans the change), minus the
//! time off that overlaps them. The weekly hours are the barber's hours as they are now: the
//! read model keeps no history of earlier rotas.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::bookable::Hours;
use domain::schedule::{day, Interval};
use events::staff::WorkingDay;
use platform::json::ApiQuery;
use platform::roles::{power, May};
use platform::ApiError;
use serde::Serialize;
use uuid::Uuid;

use super::no_shows::RangeParams;
use super::{answer, cell, checked_range, CsvRow, RangeReport};
use crate::chairs;
use crate::freshness::{APPOINTMENT_STATS, BUSINESSES, STAFF};
use crate::local_days::{start_of, BusinessClock};
use crate::QueryState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UtilizationRow {
    staff_id: Uuid,
    staff_name: Option<String>,
    working_minutes: i64,
    booked_minutes: i64,
    /// `booked_minutes × 10000 ÷ working_minutes`, basis points; absent without working time.
    utilization_bp: Option<i64>,
}

impl CsvRow for UtilizationRow {
    const HEADER: &'static [&'static str] = &[
        "staff_id",
        "staff_name",
        "working_minutes",
        "booked_minutes",
        "utilization_bp",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.staff_id.to_string(),
            cell(self.staff_name.as_ref()),
            self.working_minutes.to_string(),
            self.booked_minutes.to_string(),
            cell(self.utilization_bp),
        ]
    }
}

/// The working minutes of one barber over `from`–`to` in `tz`: each local day's shifts less
/// their breaks, made instants as booking makes them (`domain::bookable::Hours`, right on
/// daylight-saving days), less `time_off` (UTC stretches, possibly overlapping each other).
pub fn working_minutes(
    from: NaiveDate,
    to: NaiveDate,
    week: &[WorkingDay],
    time_off: &[Interval],
    tz: Tz,
) -> i64 {
    let hours = Hours {
        timezone: tz,
        working_hours: week,
        opening_hours: None,
    };
    let away = day::normalise(time_off.to_vec());
    from.iter_days()
        .take_while(|d| *d <= to)
        .flat_map(|date| {
            away.iter().fold(hours.on(date).worked, |pieces, cut| {
                day::subtract(&pieces, cut)
            })
        })
        .map(|piece| piece.duration().num_minutes())
        .sum()
}

/// Working against booked minutes per barber.
#[utoipa::path(get, path = "/api/v1/reports/utilization", params(RangeParams), tag = "reports",
    security(("bearer" = ["see_figures"])),
    responses((status = 200, description = "JSON, or CSV with `Accept: text/csv`",
            content((RangeReport<UtilizationRow> = "application/json"), (String = "text/csv"))),
        (status = 400, description = "invalid_query, invalid_range or range_too_long",
            body = platform::problem::Problem),
        (status = 403, description = "forbidden", body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn utilization_report(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeFigures>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<RangeParams>,
) -> Result<Response, ApiError> {
    let (from, to) = checked_range(params.from, params.to)?;
    let consistency = state
        .freshness
        .wait_for_all(&[BUSINESSES, STAFF, APPOINTMENT_STATS], params.min_position)
        .await?;
    let tenant = user.tenant_id;
    let clock = BusinessClock::of(&state.pool, tenant).await?;
    let (begins, ends) = (
        start_of(from, clock.timezone),
        start_of(to + Days::new(1), clock.timezone),
    );
    let booked: BTreeMap<Uuid, i64> = sqlx::query_as(
        "select staff_id, sum(booked_minutes)::bigint from appointment_day_stats
          where tenant_id = $1 and local_date between $2 and $3 and status <> 'cancelled'
          group by staff_id",
    )
    .bind(tenant)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *crate::reader::read(&state.pool, tenant).await?)
    .await?
    .into_iter()
    .collect();
    let staff: Vec<(Uuid, String, bool)> = sqlx::query_as(
        "select staff_id, name, active from staff_members where tenant_id = $1
          order by lower(name), staff_id",
    )
    .bind(tenant)
    .fetch_all(&mut *crate::reader::read(&state.pool, tenant).await?)
    .await?;
    let mut conn = crate::reader::read(&state.pool, tenant).await?;
    let weeks = chairs::weeks(&mut conn, tenant, None).await?;
    let time_off: Vec<(Uuid, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "select staff_id, starts_at, ends_at from staff_time_off
          where tenant_id = $1 and starts_at < $3 and ends_at > $2",
    )
    .bind(tenant)
    .bind(begins)
    .bind(ends)
    .fetch_all(&mut *conn)
    .await?;
    let mut rows = Vec::new();
    for (staff_id, name, active) in staff {
        let week = weeks.get(&staff_id).map_or(&[][..], Vec::as_slice);
        let booked_minutes = booked.get(&staff_id).copied().unwrap_or(0);
        if (week.is_empty() || !active) && booked_minutes == 0 {
            continue;
        }
        let away: Vec<Interval> = time_off
            .iter()
            .filter(|(id, _, _)| *id == staff_id)
            .filter_map(|(_, start, end)| Interval::new(*start, *end))
            .collect();
        let working = working_minutes(from, to, week, &away, clock.timezone);
        rows.push(UtilizationRow {
            staff_id,
            staff_name: Some(name),
            working_minutes: working,
            booked_minutes,
            utilization_bp: (working > 0).then(|| booked_minutes * 10_000 / working),
        });
    }
    Ok(answer(
        &headers,
        consistency,
        RangeReport { from, to, rows },
    ))
}

#[cfg(test)]
mod tests {
    use events::staff::{Break, Weekday};

    use super::*;

    fn shift(weekday: Weekday, start: &str, end: &str, breaks: &[(&str, &str)]) -> WorkingDay {
        let time = |t: &str| t.parse().expect("time");
        WorkingDay {
            weekday,
            start: time(start),
            end: time(end),
            breaks: breaks
                .iter()
                .map(|(s, e)| Break {
                    start: time(s),
                    end: time(e),
                })
                .collect(),
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn working_time_is_the_rota_less_breaks_and_time_off_on_real_clocks() {
        let london: Tz = "Europe/London".parse().expect("zone");
        // Sundays 00:00–24:00 with a lunch break, Mondays 09:00–17:00
        let rota = [
            shift(Weekday::Sun, "00:00", "24:00", &[("13:00", "13:30")]),
            shift(Weekday::Mon, "09:00", "17:00", &[]),
        ];
        // Sunday 29 March 2026 has 23 hours in London; Monday the 30th is a plain day
        let minutes = working_minutes(day("2026-03-29"), day("2026-03-30"), &rota, &[], london);
        assert_eq!(minutes, (23 * 60 - 30) + 8 * 60);
        // a day off on the Monday, given twice and overlapping, counts once
        let off = |s: &str, e: &str| {
            Interval::new(s.parse().expect("instant"), e.parse().expect("instant")).expect("span")
        };
        let time_off = [
            off("2026-03-30T08:00:00Z", "2026-03-30T12:00:00Z"),
            off("2026-03-30T10:00:00Z", "2026-03-31T00:00:00Z"),
        ];
        let monday = working_minutes(
            day("2026-03-30"),
            day("2026-03-30"),
            &rota,
            &time_off,
            london,
        );
        assert_eq!(monday, 0);
        // a Tuesday: no shift
        assert_eq!(
            working_minutes(day("2026-03-31"), day("2026-03-31"), &rota, &[], london),
            0
        );
    }
}

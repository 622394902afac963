//! The owner's and manager's reports over a range of the business's local dates (`from`, `to`,
//! both inclusive): revenue, utilization, retention and no-shows. Each answers JSON
//! `{from, to, rows}`, or with `Accept: text/csv` the same rows as CSV (a header line, then one
//! line per row).
//!
//! - [`revenue`]: takings by day, ISO week, month, barber or service (from the day stats).
//! - [`utilization`]: booked against working minutes per barber.
//! - [`retention`]: new and returning customers per month, and how many rebooked.
//! - [`no_shows`]: no-show rates per barber and per service (from the day stats).
//!
//! A range is refused before anything is read: a date that does not parse, or a missing one, is
//! 400 `invalid_query` like every malformed query parameter; `from` after `to` is 400
//! `invalid_range` like `GET /appointments`; more than [`MAX_DAYS`] days is 400
//! `range_too_long`.

pub mod no_shows;
pub mod retention;
pub mod revenue;
pub mod utilization;

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use platform::ApiError;
use serde::Serialize;
use utoipa::ToSchema;

use crate::freshness::Consistency;
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new()
        .route("/reports/revenue", get(revenue::revenue_report))
        .route("/reports/utilization", get(utilization::utilization_report))
        .route("/reports/retention", get(retention::retention_report))
        .route("/reports/no-shows", get(no_shows::no_show_report))
}

/// The longest range a report covers, in days (a leap year and a day to spare).
pub const MAX_DAYS: i64 = 367;

/// `from`–`to` checked: in order and not longer than [`MAX_DAYS`].
pub fn checked_range(from: NaiveDate, to: NaiveDate) -> Result<(NaiveDate, NaiveDate), ApiError> {
    if from > to {
        return Err(ApiError::bad_request(
            "invalid_range",
            "`from` must not come after `to`",
        ));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(ApiError::bad_request(
            "range_too_long",
            format!("a report covers at most {MAX_DAYS} days"),
        ));
    }
    Ok((from, to))
}

/// A row of a report as a CSV line.
pub trait CsvRow {
    /// The header line's cells, in the order of [`CsvRow::cells`].
    const HEADER: &'static [&'static str];
    fn cells(&self) -> Vec<String>;
}

/// A report's answer: JSON, whose `rows` are also its CSV lines.
pub trait Report: Serialize {
    type Row: CsvRow;
    fn rows(&self) -> &[Self::Row];
}

/// A report over `from`–`to` that is only its rows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RangeReport<T: ToSchema> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rows: Vec<T>,
}

impl<T: CsvRow + Serialize + ToSchema> Report for RangeReport<T> {
    type Row = T;
    fn rows(&self) -> &[T] {
        &self.rows
    }
}

/// `report`, answered as JSON or as CSV if the caller accepts it.
pub fn answer<R: Report>(request: &HeaderMap, consistency: Consistency, report: R) -> Response {
    let headers = consistency.headers();
    if !wants_csv(request) {
        return (headers, Json(report)).into_response();
    }
    let mut text = csv_line(R::Row::HEADER.iter().map(|h| (*h).to_owned()));
    for row in report.rows() {
        text.push_str(&csv_line(row.cells()));
    }
    let csv = HeaderValue::from_static("text/csv; charset=utf-8");
    (headers, [(header::CONTENT_TYPE, csv)], text).into_response()
}

/// Whether `Accept` names CSV (with or without parameters, among other types).
fn wants_csv(request: &HeaderMap) -> bool {
    request
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|media| {
            media
                .split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/csv"))
        })
}

/// One CSV line (RFC 4180): a cell holding a comma, a quote or a line break is quoted, its
/// quotes doubled; lines end in CRLF.
fn csv_line(cells: impl IntoIterator<Item = String>) -> String {
    let mut line = cells
        .into_iter()
        .map(|cell| {
            if cell.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// An optional value as a CSV cell: empty when absent.
pub fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_only_when_they_must_be() {
        let line = csv_line([
            "plain".into(),
            "a,b".into(),
            "say \"hi\"".into(),
            "x\ny".into(),
        ]);
        assert_eq!(line, "plain,\"a,b\",\"say \"\"hi\"\"\",\"x\ny\"\r\n");
    }

    #[test]
    fn csv_is_asked_for_by_the_accept_header() {
        let mut headers = HeaderMap::new();
        assert!(!wants_csv(&headers));
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static("application/json, Text/CSV; q=0.9"),
        );
        assert!(wants_csv(&headers));
        headers.insert(header::ACCEPT, HeaderValue::from_static("text/csvx"));
        assert!(!wants_csv(&headers));
    }

    #[test]
    fn ranges_are_in_order_and_at_most_a_year_and_a_bit() {
        let day = |s: &str| s.parse::<NaiveDate>().expect("date");
        assert!(checked_range(day("2026-01-01"), day("2026-01-01")).is_ok());
        assert!(checked_range(day("2026-01-01"), day("2027-01-02")).is_ok());
        let code = |from, to| checked_range(day(from), day(to)).err().map(|e| e.code());
        assert_eq!(code("2026-01-02", "2026-01-01"), Some("invalid_range"));
        assert_eq!(code("2026-01-01", "2027-01-03"), Some("range_too_long"));
    }
}

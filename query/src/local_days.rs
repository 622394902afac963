//! The business's calendar: "today", "this week" (ISO, Monday first) and "this month" in its
//! timezone, and the UTC instants that bound its local days. Pure, so that the dashboard's
//! periods are tested at any instant and across daylight-saving changes without a clock.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use platform::ApiError;
use sqlx::PgPool;
use uuid::Uuid;

/// The business's timezone and currency, as the businesses read model has them.
pub struct BusinessClock {
    pub timezone: Tz,
    pub currency: String,
}

impl BusinessClock {
    /// The caller's business's clock; 404 `business_not_found` before the business is known.
    pub async fn of(pool: &PgPool, tenant_id: Uuid) -> Result<Self, ApiError> {
        let row: Option<(String, String)> =
            sqlx::query_as("select timezone, currency from businesses where tenant_id = $1")
                .bind(tenant_id)
                .fetch_optional(&mut *crate::reader::read(pool, tenant_id).await?)
                .await?;
        let (timezone, currency) = row.ok_or_else(|| {
            ApiError::not_found("business_not_found", "the business is not known yet")
        })?;
        Ok(Self {
            timezone: stored_timezone(&timezone)?,
            currency,
        })
    }
}

/// A timezone as the businesses read model stores it (an IANA name the command side checked);
/// one it does not know is a server fault.
pub fn stored_timezone(name: &str) -> Result<Tz, ApiError> {
    name.parse::<Tz>().map_err(|_| {
        ApiError::internal(std::io::Error::other(format!(
            "the business's timezone {name:?} is unknown"
        )))
    })
}

/// The periods the dashboard reports on, as local dates (both ends inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periods {
    pub today: NaiveDate,
    pub week: (NaiveDate, NaiveDate),
    pub month: (NaiveDate, NaiveDate),
}

impl Periods {
    /// The periods holding `now` in `tz`.
    pub fn at(now: DateTime<Utc>, tz: Tz) -> Self {
        let today = now.with_timezone(&tz).date_naive();
        let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
        let first = today.with_day(1).unwrap_or(today);
        let next_month = first.checked_add_months(chrono::Months::new(1));
        let last = next_month.and_then(|d| d.pred_opt()).unwrap_or(today);
        Self {
            today,
            week: (monday, monday + Days::new(6)),
            month: (first, last),
        }
    }
}

/// The instant local `date` begins in `tz`, as booking reads a local day
/// (`domain::schedule::day::day_bounds`): a midnight skipped by a daylight-saving change begins
/// the day at the first local time that exists.
pub fn start_of(date: NaiveDate, tz: Tz) -> DateTime<Utc> {
    domain::schedule::day::day_bounds(tz, date).start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instant(s: &str) -> DateTime<Utc> {
        s.parse().expect("instant")
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn today_week_and_month_are_local() {
        let london: Tz = "Europe/London".parse().expect("zone");
        let auckland: Tz = "Pacific/Auckland".parse().expect("zone");
        // 23:30 UTC on Sunday 31 May 2026 is Monday 1 June 11:30 in Auckland
        let now = instant("2026-05-31T23:30:00Z");
        assert_eq!(
            Periods::at(now, london),
            Periods {
                today: day("2026-06-01"),
                week: (day("2026-06-01"), day("2026-06-07")),
                month: (day("2026-06-01"), day("2026-06-30")),
            }
        );
        assert_eq!(Periods::at(now, auckland).today, day("2026-06-01"));
        let utc = Periods::at(now, chrono_tz::UTC);
        assert_eq!(utc.today, day("2026-05-31"));
        assert_eq!(utc.week, (day("2026-05-25"), day("2026-05-31")));
        assert_eq!(utc.month, (day("2026-05-01"), day("2026-05-31")));
        // a leap February, a week across the new year
        let feb = Periods::at(instant("2028-02-10T12:00:00Z"), london);
        assert_eq!(feb.month.1, day("2028-02-29"));
        let new_year = Periods::at(instant("2026-12-31T12:00:00Z"), london);
        assert_eq!(new_year.week, (day("2026-12-28"), day("2027-01-03")));
    }

    #[test]
    fn local_days_begin_right_on_daylight_saving_days() {
        let london: Tz = "Europe/London".parse().expect("zone");
        assert_eq!(
            start_of(day("2026-07-01"), london),
            instant("2026-06-30T23:00:00Z")
        );
        // Santiago's clocks skip midnight in September: the day begins at 01:00 local
        let santiago: Tz = "America/Santiago".parse().expect("zone");
        assert_eq!(
            start_of(day("2026-09-06"), santiago),
            instant("2026-09-06T04:00:00Z")
        );
    }
}

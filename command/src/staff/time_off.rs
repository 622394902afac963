//! Time off: a stretch between two UTC instants when a staff member cannot be booked.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::profile::non_blank;
use super::StaffError;

/// The longest single time off, in days: a quarter of a year. Each day it covers is blocked on
/// that day's schedule in the same decision, so the bound keeps one decision small; a longer
/// absence is several time offs back to back, or a deactivation.
pub const MAX_DAYS: i64 = 92;

/// The longest reason kept.
pub const MAX_REASON: usize = 500;

/// A recorded time off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeOff {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
}

impl TimeOff {
    /// Whether it covers any part of `[start, end)`.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.starts_at < end && start < self.ends_at
    }
}

/// Checks a requested time off; the reason is trimmed, a blank one dropped.
pub(super) fn validate_time_off(
    id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    reason: Option<String>,
) -> Result<TimeOff, StaffError> {
    if ends_at <= starts_at || ends_at - starts_at > TimeDelta::days(MAX_DAYS) {
        return Err(StaffError::InvalidTimeOff);
    }
    let reason = non_blank(reason);
    if reason
        .as_ref()
        .is_some_and(|r| r.chars().count() > MAX_REASON)
    {
        return Err(StaffError::ReasonTooLong);
    }
    Ok(TimeOff {
        id,
        starts_at,
        ends_at,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0)
            .single()
            .expect("instant")
    }

    #[test]
    fn a_time_off_must_end_after_it_starts_and_last_at_most_a_year() {
        let id = Uuid::nil();
        assert!(validate_time_off(id, at(1, 9), at(1, 10), None).is_ok());
        let a_year = at(1, 9) + TimeDelta::days(MAX_DAYS);
        assert!(validate_time_off(id, at(1, 9), a_year, None).is_ok());
        for (starts_at, ends_at) in [
            (at(1, 10), at(1, 9)),
            (at(1, 9), at(1, 9)),
            (at(1, 9), a_year + TimeDelta::minutes(1)),
        ] {
            assert_eq!(
                validate_time_off(id, starts_at, ends_at, None),
                Err(StaffError::InvalidTimeOff)
            );
        }
    }

    #[test]
    fn the_reason_is_trimmed_and_bounded() {
        let id = Uuid::nil();
        let blank = validate_time_off(id, at(1, 9), at(2, 9), Some("  ".into()));
        assert_eq!(blank.map(|t| t.reason), Ok(None));
        let long = validate_time_off(id, at(1, 9), at(2, 9), Some("x".repeat(MAX_REASON + 1)));
        assert_eq!(long, Err(StaffError::ReasonTooLong));
    }

    #[test]
    fn overlap_is_half_open() {
        let off = validate_time_off(Uuid::nil(), at(1, 9), at(1, 12), None).expect("valid");
        assert!(off.overlaps(at(1, 11), at(1, 13)));
        assert!(off.overlaps(at(1, 8), at(1, 10)));
        assert!(!off.overlaps(at(1, 12), at(1, 13)));
        assert!(!off.overlaps(at(1, 6), at(1, 9)));
    }
}

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

/// How far ahead a time off may start: as far as any business lets customers book.
pub const HORIZON_DAYS: i64 = 730;

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

/// A time off as asked for.
pub(super) struct Requested {
    pub id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// Checks a requested time off; the reason is trimmed, a blank one dropped. It must end after it
/// starts, last at most [`MAX_DAYS`], not have ended already and start within [`HORIZON_DAYS`].
pub(super) fn validate_time_off(
    requested: Requested,
    now: DateTime<Utc>,
) -> Result<TimeOff, StaffError> {
    let Requested {
        id,
        starts_at,
        ends_at,
        reason,
    } = requested;
    if ends_at <= starts_at || ends_at - starts_at > TimeDelta::days(MAX_DAYS) {
        return Err(StaffError::InvalidTimeOff);
    }
    if ends_at <= now {
        return Err(StaffError::TimeOffInThePast);
    }
    if starts_at > now + TimeDelta::days(HORIZON_DAYS) {
        return Err(StaffError::TimeOffTooFarAhead);
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

    /// The day before the first of December 2026: every test time off lies ahead.
    fn now() -> DateTime<Utc> {
        at(1, 0) - TimeDelta::days(1)
    }

    fn check(
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        reason: Option<String>,
    ) -> Result<TimeOff, StaffError> {
        let id = Uuid::nil();
        validate_time_off(
            Requested {
                id,
                starts_at,
                ends_at,
                reason,
            },
            now(),
        )
    }

    #[test]
    fn a_time_off_must_end_after_it_starts_and_last_at_most_a_quarter() {
        assert!(check(at(1, 9), at(1, 10), None).is_ok());
        let longest = at(1, 9) + TimeDelta::days(MAX_DAYS);
        assert!(check(at(1, 9), longest, None).is_ok());
        for (starts_at, ends_at) in [
            (at(1, 10), at(1, 9)),
            (at(1, 9), at(1, 9)),
            (at(1, 9), longest + TimeDelta::minutes(1)),
        ] {
            assert_eq!(
                check(starts_at, ends_at, None),
                Err(StaffError::InvalidTimeOff)
            );
        }
    }

    #[test]
    fn a_time_off_that_has_ended_or_starts_beyond_the_horizon_is_refused() {
        let yesterday = now() - TimeDelta::days(1);
        assert_eq!(
            check(yesterday, now(), None),
            Err(StaffError::TimeOffInThePast)
        );
        // one still running is fine: the rest of today off
        assert!(check(yesterday, now() + TimeDelta::hours(1), None).is_ok());
        let far = now() + TimeDelta::days(HORIZON_DAYS);
        assert!(check(far, far + TimeDelta::days(1), None).is_ok());
        let too_far = far + TimeDelta::minutes(5);
        assert_eq!(
            check(too_far, too_far + TimeDelta::days(1), None),
            Err(StaffError::TimeOffTooFarAhead)
        );
    }

    #[test]
    fn the_reason_is_trimmed_and_bounded() {
        let blank = check(at(1, 9), at(2, 9), Some("  ".into()));
        assert_eq!(blank.map(|t| t.reason), Ok(None));
        let long = check(at(1, 9), at(2, 9), Some("x".repeat(MAX_REASON + 1)));
        assert_eq!(long, Err(StaffError::ReasonTooLong));
    }

    #[test]
    fn overlap_is_half_open() {
        let off = check(at(1, 9), at(1, 12), None).expect("valid");
        assert!(off.overlaps(at(1, 11), at(1, 13)));
        assert!(off.overlaps(at(1, 8), at(1, 10)));
        assert!(!off.overlaps(at(1, 12), at(1, 13)));
        assert!(!off.overlaps(at(1, 6), at(1, 9)));
    }
}

//! The 5-minute grid every start and end lies on. Working hours, durations and buffers are
//! multiples of 5 minutes, so slots line up only if instants do too; an instant with seconds or
//! fractions would also keep precision that the read models drop (and then the next slot would
//! seem taken). Offsets of every timezone in use are multiples of 15 minutes, so the grid is the
//! same in UTC and in local time.

use chrono::{DateTime, Duration, Utc};

/// The grid's step, in seconds.
pub const STEP_SECONDS: i64 = 5 * 60;

/// Whether `at` is on a 5-minute mark, with no seconds or fractions (else a booking is refused
/// as `off_grid`).
pub fn is_on_grid(at: DateTime<Utc>) -> bool {
    at.timestamp().rem_euclid(STEP_SECONDS) == 0 && at.timestamp_subsec_nanos() == 0
}

/// The first mark at or after `at`: a walk-in starts "now", wherever the clock is.
pub fn round_up(at: DateTime<Utc>) -> DateTime<Utc> {
    if is_on_grid(at) {
        return at;
    }
    let seconds = at.timestamp();
    let floor = seconds - seconds.rem_euclid(STEP_SECONDS);
    DateTime::from_timestamp(floor, 0).unwrap_or(at) + Duration::seconds(STEP_SECONDS)
}

/// The last mark at or before `at`.
pub fn round_down(at: DateTime<Utc>) -> DateTime<Utc> {
    let seconds = at.timestamp();
    DateTime::from_timestamp(seconds - seconds.rem_euclid(STEP_SECONDS), 0).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, s)
            .single()
            .expect("instant")
    }

    #[test]
    fn marks_are_on_the_grid_and_anything_finer_is_not() {
        assert!(is_on_grid(at(10, 0, 0)));
        assert!(is_on_grid(at(10, 55, 0)));
        assert!(!is_on_grid(at(10, 3, 0)));
        assert!(!is_on_grid(at(10, 0, 30)));
        assert!(!is_on_grid(at(10, 0, 0) + Duration::nanoseconds(1)));
    }

    #[test]
    fn a_walk_in_moves_to_the_next_mark() {
        assert_eq!(round_up(at(10, 0, 0)), at(10, 0, 0));
        assert_eq!(round_up(at(10, 0, 1)), at(10, 5, 0));
        assert_eq!(
            round_up(at(10, 4, 59) + Duration::milliseconds(999)),
            at(10, 5, 0)
        );
        assert_eq!(round_up(at(23, 58, 0)), at(0, 0, 0) + Duration::days(1));
    }

    #[test]
    fn rounding_down_keeps_a_mark_and_drops_what_is_past_one() {
        assert_eq!(round_down(at(10, 0, 0)), at(10, 0, 0));
        assert_eq!(round_down(at(10, 4, 59)), at(10, 0, 0));
        assert_eq!(
            round_down(at(10, 5, 0) - Duration::nanoseconds(1)),
            at(10, 0, 0)
        );
    }
}

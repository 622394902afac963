//! Times as the customer reads them: on the shop's clock, in the shop's timezone, whatever the
//! season (the offset comes from the tz database for that very instant).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The full form for emails: `Tuesday 1 December 2026 at 10:00 (Europe/London)`.
pub(crate) fn long(instant: DateTime<Utc>, tz: Tz) -> String {
    let local = instant.with_timezone(&tz);
    format!("{} ({})", local.format("%A %-d %B %Y at %H:%M"), tz.name())
}

/// The short form for SMS and subjects: `Tue 1 Dec, 10:00`.
pub(crate) fn short(instant: DateTime<Utc>, tz: Tz) -> String {
    instant
        .with_timezone(&tz)
        .format("%a %-d %b, %H:%M")
        .to_string()
}

/// The time of day alone, for the end of an appointment: `10:30`.
pub(crate) fn clock(instant: DateTime<Utc>, tz: Tz) -> String {
    instant.with_timezone(&tz).format("%H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("a valid UTC time")
    }

    #[test]
    fn winter_in_london_is_utc() {
        let at = utc(2026, 12, 1, 10, 0);
        assert_eq!(
            long(at, chrono_tz::Europe::London),
            "Tuesday 1 December 2026 at 10:00 (Europe/London)"
        );
        assert_eq!(short(at, chrono_tz::Europe::London), "Tue 1 Dec, 10:00");
    }

    #[test]
    fn summer_in_london_is_an_hour_ahead() {
        let at = utc(2026, 7, 14, 9, 30);
        assert_eq!(
            long(at, chrono_tz::Europe::London),
            "Tuesday 14 July 2026 at 10:30 (Europe/London)"
        );
    }

    #[test]
    fn the_spring_forward_day_changes_offset_at_one_in_the_morning() {
        // 2026-03-29: at 01:00 UTC London's clocks jump from 01:00 to 02:00
        let before = utc(2026, 3, 29, 0, 30);
        let after = utc(2026, 3, 29, 9, 0);
        assert_eq!(clock(before, chrono_tz::Europe::London), "00:30");
        assert_eq!(
            long(after, chrono_tz::Europe::London),
            "Sunday 29 March 2026 at 10:00 (Europe/London)"
        );
    }

    #[test]
    fn the_fall_back_day_returns_to_utc() {
        // 2026-10-25: at 01:00 UTC London's clocks go back from 02:00 to 01:00
        assert_eq!(
            clock(utc(2026, 10, 25, 0, 30), chrono_tz::Europe::London),
            "01:30"
        );
        assert_eq!(
            clock(utc(2026, 10, 25, 1, 30), chrono_tz::Europe::London),
            "01:30"
        );
    }

    #[test]
    fn other_zones_use_their_own_rules() {
        let at = utc(2026, 12, 1, 15, 0);
        assert_eq!(
            long(at, chrono_tz::America::New_York),
            "Tuesday 1 December 2026 at 10:00 (America/New_York)"
        );
    }
}

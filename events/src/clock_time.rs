//! A time of day on a weekly rota: `"HH:MM"` from `00:00` to `24:00`.
//!
//! `24:00` is the end of the day: a shift or opening that runs to midnight ends there (the next
//! date's first instant). It can end a span but never start one. `chrono::NaiveTime` has no
//! such value (its last minute is 23:59), which is why the rota has its own type; JSON and
//! events written with `"HH:MM"` strings before it existed read unchanged.

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Minutes since local midnight, `0..=1440`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClockTime(u16);

impl ClockTime {
    /// `00:00`.
    pub const MIDNIGHT: Self = Self(0);
    /// `24:00`, the end of the day.
    pub const END_OF_DAY: Self = Self(24 * 60);

    /// `hours:minutes`, or `None` past `24:00` or with 60 minutes or more.
    pub fn new(hours: u32, minutes: u32) -> Option<Self> {
        let total = hours.checked_mul(60)?.checked_add(minutes)?;
        if minutes >= 60 || total > 24 * 60 {
            return None;
        }
        u16::try_from(total).ok().map(Self)
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> u32 {
        u32::from(self.0)
    }

    /// The time of day, or `None` for `24:00` (which is the next day's `00:00`).
    pub fn time(self) -> Option<NaiveTime> {
        NaiveTime::from_hms_opt(self.minutes() / 60, self.minutes() % 60, 0)
            .filter(|_| self != Self::END_OF_DAY)
    }
}

/// The whole minutes of a time of day (seconds dropped).
impl From<NaiveTime> for ClockTime {
    fn from(time: NaiveTime) -> Self {
        Self((time.hour() * 60 + time.minute()) as u16)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.minutes() / 60, self.minutes() % 60)
    }
}

/// Why a text is not a time of day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidClockTime(pub String);

impl fmt::Display for InvalidClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a time of day as HH:MM from 00:00 to 24:00",
            self.0
        )
    }
}

impl std::error::Error for InvalidClockTime {}

/// Exactly `HH:MM`: two digits, a colon, two digits.
impl FromStr for ClockTime {
    type Err = InvalidClockTime;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidClockTime(input.to_owned());
        let (hours, minutes) = input.split_once(':').ok_or_else(invalid)?;
        let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(hours) || !two_digits(minutes) {
            return Err(invalid());
        }
        let hours: u32 = hours.parse().map_err(|_| invalid())?;
        let minutes: u32 = minutes.parse().map_err(|_| invalid())?;
        Self::new(hours, minutes).ok_or_else(invalid)
    }
}

impl Serialize for ClockTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_hh_mm_up_to_the_end_of_the_day() {
        for (text, minutes) in [
            ("00:00", 0),
            ("09:05", 545),
            ("23:55", 1435),
            ("24:00", 1440),
        ] {
            let time: ClockTime = text.parse().expect(text);
            assert_eq!(time.minutes(), minutes);
            assert_eq!(time.to_string(), text);
        }
        for bad in [
            "24:05", "25:00", "9:00", "09:60", "0900", "09:00:00", " 09:00", "", "+9:00",
        ] {
            assert!(bad.parse::<ClockTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_end_of_the_day_is_no_time_of_day() {
        assert_eq!(ClockTime::END_OF_DAY.time(), None);
        assert_eq!(
            ClockTime::new(23, 55).and_then(ClockTime::time),
            NaiveTime::from_hms_opt(23, 55, 0)
        );
        assert!(ClockTime::MIDNIGHT < ClockTime::END_OF_DAY);
    }

    #[test]
    fn it_reads_and_writes_as_a_json_string() {
        let json = serde_json::to_value(ClockTime::END_OF_DAY).expect("serialises");
        assert_eq!(json, serde_json::json!("24:00"));
        assert_eq!(
            serde_json::from_value::<ClockTime>(json).expect("reads"),
            ClockTime::END_OF_DAY
        );
    }
}

//! Where an appointment sits on its local day: the service, then the barber's clean-up buffer.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::schedule::day;

/// An appointment's service `[starts_at, ends_at)` and the clean-up after it, up to
/// `blocked_until`: what a barber's day reserves for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub blocked_until: DateTime<Utc>,
}

impl Stretch {
    /// An appointment from `starts_at` for `length`, then `buffer` of clean-up, on local date
    /// `date` in `tz`. The buffer is cut at the end of the local day: a schedule holds nothing
    /// past its own day, and nobody can be booked into the next day's first minutes by a chair
    /// still being swept.
    pub fn on_day(
        tz: Tz,
        date: NaiveDate,
        starts_at: DateTime<Utc>,
        length: Duration,
        buffer: Duration,
    ) -> Self {
        Self::ending_by(day::day_bounds(tz, date).end, starts_at, length, buffer)
    }

    /// [`Self::on_day`], for a day that ends at `day_ends` (worked out once for many starts).
    pub fn ending_by(
        day_ends: DateTime<Utc>,
        starts_at: DateTime<Utc>,
        length: Duration,
        buffer: Duration,
    ) -> Self {
        let ends_at = starts_at + length;
        Stretch {
            starts_at,
            ends_at,
            blocked_until: (ends_at + buffer).min(day_ends.max(ends_at)),
        }
    }
}

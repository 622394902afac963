//! The free start times of a barber's day for a service: every mark of the 5-minute grid that a
//! booking would accept, asked of the very rules a booking asks, in its order: the booking
//! window, the shop's opening hours, then the barber's day (`schedule::fits`: inside the local
//! day, the service in the barber's hours, the stretch and its buffer clear of every live
//! reservation, time off included).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use events::business::BookingPolicy;
use events::schedule::ReservationKind;
use uuid::Uuid;

use super::hours::BookableDay;
use super::{check_window, grid, Asker, Hours, Stretch};
use crate::schedule::{self, day, Interval, Reservation};

/// The buffer a booking of a service reserves after it: the service's own, or the business's
/// default when the service has none.
pub fn effective_buffer(service_buffer_minutes: u32, policy: &BookingPolicy) -> Duration {
    let minutes = if service_buffer_minutes == 0 {
        policy.default_buffer_minutes
    } else {
        service_buffer_minutes
    };
    Duration::minutes(i64::from(minutes))
}

/// A search for free starts of one service with one barber.
#[derive(Debug, Clone, Copy)]
pub struct Search<'a> {
    pub policy: &'a BookingPolicy,
    pub now: DateTime<Utc>,
    pub asker: Asker,
    /// The service's length.
    pub length: Duration,
    /// The clean-up after it ([`effective_buffer`]).
    pub buffer: Duration,
    /// The barber's week and the shop's, in the shop's timezone.
    pub hours: Hours<'a>,
}

impl Search<'_> {
    fn timezone(&self) -> Tz {
        self.hours.timezone
    }

    /// Every start on local date `date` that a booking would accept, in order, beside the live
    /// reservations `taken` of the barber's day.
    pub fn free_starts(&self, date: NaiveDate, taken: &[Reservation]) -> Vec<DateTime<Utc>> {
        let day = self.hours.on(date);
        let bounds = day::day_bounds(self.timezone(), date);
        let step = Duration::seconds(grid::STEP_SECONDS);
        let mut starts = Vec::new();
        for interval in &day.open {
            // a start that books lies where its service fits inside one open interval (rule 5),
            // so no mark outside these is ever bookable
            let mut at = grid::round_up(interval.start);
            while at + self.length <= interval.end {
                // a start whose service overlaps what a reservation blocks collides with it
                // (whatever its buffer), and so does every later start before that block
                // ends: the search goes on from there without asking each mark
                if let Some(free_from) = self.blocked_past(at, taken) {
                    at = grid::round_up(free_from);
                    continue;
                }
                if self.accepts(bounds, at, &day, taken) {
                    starts.push(at);
                }
                at += step;
            }
        }
        starts.sort_unstable();
        starts.dedup();
        starts
    }

    /// When the latest of the reservations that the service starting at `at` would overlap
    /// stops blocking the chair; `None` when it overlaps none (the buffer not counted, so a
    /// `None` still has to be asked of the rules).
    fn blocked_past(&self, at: DateTime<Utc>, taken: &[Reservation]) -> Option<DateTime<Utc>> {
        let ends_at = at + self.length;
        taken
            .iter()
            .filter(|r| at < r.blocked_until && r.starts_at < ends_at)
            .map(|r| r.blocked_until)
            .max()
    }

    /// Whether a booking starting at `at` on the local day of instants `bounds` (whose hours
    /// are `day`) would be accepted. The day's instants are worked out once per search, not per
    /// start: "on that local date" is "inside its bounds".
    fn accepts(
        &self,
        bounds: Interval,
        at: DateTime<Utc>,
        day: &BookableDay,
        taken: &[Reservation],
    ) -> bool {
        if !grid::is_on_grid(at) || !bounds.contains_instant(at) {
            return false;
        }
        if check_window(self.policy, at, self.now, self.asker).is_err() {
            return false;
        }
        let stretch = Stretch::ending_by(bounds.end, at, self.length, self.buffer);
        if day.outside_opening_hours(at, stretch.ends_at) {
            return false;
        }
        let wanted = Reservation {
            id: Uuid::nil(),
            kind: ReservationKind::Appointment,
            starts_at: stretch.starts_at,
            ends_at: stretch.ends_at,
            blocked_until: stretch.blocked_until,
            holder: None,
        };
        schedule::fits_within(&wanted, bounds, &day.open, taken).is_ok()
    }
}

#[cfg(test)]
mod tests;

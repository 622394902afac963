//! When a barber can be booked on a day: their working hours (less breaks) within the
//! business's opening hours (less its breaks), both local wall-clock times in the business's
//! timezone, each turned into UTC for that date before they are intersected.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use events::staff::WorkingDay;

use crate::schedule::{day, Interval};

/// A barber's week and the shop's, in the shop's timezone.
#[derive(Debug, Clone, Copy)]
pub struct Hours<'a> {
    pub timezone: Tz,
    /// The barber's week (one entry per shift), as the StaffMember holds it and the staff read
    /// model lists it.
    pub working_hours: &'a [WorkingDay],
    /// The business's week, Monday first; `None` if it never set opening hours (then only the
    /// barber's hours count).
    pub opening_hours: Option<&'a [WorkingDay]>,
}

impl Hours<'_> {
    /// When the barber can be booked on local date `date`, in UTC: their working hours less
    /// breaks, within the business's opening hours less its breaks. Time off is not subtracted
    /// here: it is blocked on the day's Schedule, which refuses an overlapping booking as
    /// `during_time_off` (and decides a race between the two).
    pub fn open_intervals(&self, date: NaiveDate) -> Vec<Interval> {
        self.on(date).open
    }

    /// The barber's worked and bookable intervals of local date `date`, worked out once for
    /// many questions about the same day (a search asks about every mark of it).
    pub fn on(&self, date: NaiveDate) -> BookableDay {
        let worked = self.working_intervals(date);
        let open = match self.opening_intervals(date) {
            Some(open) => intersect(&worked, &open),
            None => worked.clone(),
        };
        BookableDay { worked, open }
    }

    /// Whether `[starts_at, until)` (a service, without its clean-up buffer) is a stretch the
    /// barber works but the business is closed for: refused as `outside_opening_hours` before
    /// anything is reserved. A stretch outside the barber's own hours is not: the Schedule
    /// refuses it as `outside_working_hours`.
    pub fn outside_opening_hours(
        &self,
        date: NaiveDate,
        starts_at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> bool {
        self.on(date).outside_opening_hours(starts_at, until)
    }

    /// The barber's shifts on `date` less their breaks, in UTC.
    fn working_intervals(&self, date: NaiveDate) -> Vec<Interval> {
        let weekday = events::staff::Weekday::from(date.weekday());
        let shifts = self
            .working_hours
            .iter()
            .filter(|d| d.weekday == weekday)
            .collect();
        local_intervals(self.timezone, date, shifts)
    }

    /// The business's hours on `date` less its breaks, in UTC: empty on a closed day, `None`
    /// when it has no opening hours at all.
    fn opening_intervals(&self, date: NaiveDate) -> Option<Vec<Interval>> {
        let week = self.opening_hours?;
        let weekday = events::staff::Weekday::from(date.weekday());
        let shifts = week.iter().filter(|d| d.weekday == weekday).collect();
        Some(local_intervals(self.timezone, date, shifts))
    }
}

/// A barber's day as booking sees it: when they work (shifts less breaks) and when they can be
/// booked (that, within the shop's opening hours), in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookableDay {
    pub worked: Vec<Interval>,
    pub open: Vec<Interval>,
}

impl BookableDay {
    /// [`Hours::outside_opening_hours`] for this day.
    pub fn outside_opening_hours(&self, starts_at: DateTime<Utc>, until: DateTime<Utc>) -> bool {
        let Some(wanted) = Interval::new(starts_at, until) else {
            return false;
        };
        let covers = |pieces: &[Interval]| pieces.iter().any(|p| p.contains(&wanted));
        covers(&self.worked) && !covers(&self.open)
    }
}

/// One day's shifts less their breaks on `date`, in UTC, sorted and merged (daylight-saving
/// rules: `schedule::day`).
fn local_intervals(tz: Tz, date: NaiveDate, shifts: Vec<&WorkingDay>) -> Vec<Interval> {
    let hours: Vec<_> = shifts.iter().map(|s| (s.start, s.end)).collect();
    let breaks: Vec<_> = shifts
        .iter()
        .flat_map(|s| s.breaks.iter().map(|b| (b.start, b.end)))
        .collect();
    day::open_intervals(tz, date, &hours, &breaks, &[])
}

/// The instants in both `a` and `b`, sorted and merged.
fn intersect(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let both = a
        .iter()
        .flat_map(|x| {
            b.iter()
                .filter_map(|y| Interval::new(x.start.max(y.start), x.end.min(y.end)))
        })
        .collect();
    day::normalise(both)
}

#[cfg(test)]
mod tests;

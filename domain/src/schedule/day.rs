//! Local time done right: a barber's day and working hours are wall-clock times in the
//! business's timezone, reservations are UTC instants, and this module is the one place that
//! turns the first into the second.
//!
//! The rules on days when the clocks change (tested in `day/tests.rs`):
//!
//! - **A day** runs from its first instant to the next date's first instant: 24 h on most days,
//!   23 h when the clocks go forward, 25 h when they go back. Where local midnight does not exist
//!   (zones that spring forward at 00:00), the day starts at the first instant after the gap.
//! - **A wall-clock time that does not exist** (it falls in the spring-forward gap, e.g. 01:30 on
//!   2026-03-29 in Europe/London) moves to the first instant after the gap (02:00 BST, 01:00 UTC):
//!   the clock never shows it, and the next thing it shows is the gap's end.
//! - **A wall-clock time that exists twice** (the fall-back hour, e.g. 01:30 on 2026-10-25 in
//!   Europe/London) is read as its *first* occurrence when it starts a span and as its *last*
//!   when it ends one: a span runs from the first moment the clock shows its start to the last
//!   moment it shows its end. For breaks this errs towards not booking; for working hours it
//!   never cuts a span short.

use chrono::{
    DateTime, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
};
use chrono_tz::Tz;
use events::clock_time::ClockTime;
use serde::{Deserialize, Serialize};

/// A half-open stretch of time `[start, end)` in UTC: two intervals that only touch
/// (`a.end == b.start`) do not overlap, so back-to-back bookings fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    /// `None` unless `start < end`: an empty or inverted span holds no instant.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Self> {
        (start < end).then_some(Self { start, end })
    }

    /// Whether it holds no instant (fields are public, so a caller can build one).
    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }

    /// Whether some instant lies in both; an empty interval overlaps nothing.
    pub fn overlaps(&self, other: &Interval) -> bool {
        !self.is_empty() && !other.is_empty() && self.start < other.end && other.start < self.end
    }

    /// Whether `other` lies wholly inside this one (a non-empty `other` only).
    pub fn contains(&self, other: &Interval) -> bool {
        !other.is_empty() && self.start <= other.start && other.end <= self.end
    }

    /// Whether `instant` lies in `[start, end)`.
    pub fn contains_instant(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }

    pub fn duration(&self) -> TimeDelta {
        self.end - self.start
    }
}

/// The UTC instants of local date `date` in `tz`: 23 h, 24 h or 25 h long. Dates beyond
/// chrono's range (hundreds of millennia away) saturate at the representable extremes rather
/// than fail, as no booking is ever made there.
pub fn day_bounds(tz: Tz, date: NaiveDate) -> Interval {
    let start = first_instant(tz, date).unwrap_or(DateTime::<Utc>::MIN_UTC);
    let end = date
        .succ_opt()
        .and_then(|next| first_instant(tz, next))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    Interval { start, end }
}

/// The wall-clock span `start`–`end` of `date` in `tz`, in UTC, by the rules in the module
/// header; an `end` of `24:00` is the next date's first instant. `None` when `start >= end` (no
/// overnight spans) or when the span falls entirely into a spring-forward gap and holds no
/// instant.
pub fn local_interval(
    tz: Tz,
    date: NaiveDate,
    start: impl Into<ClockTime>,
    end: impl Into<ClockTime>,
) -> Option<Interval> {
    let (start, end) = (start.into(), end.into());
    if start >= end {
        return None;
    }
    let from = clock_instant(tz, date, start, Occurrence::First)?;
    let to = clock_instant(tz, date, end, Occurrence::Last)?;
    Interval::new(from, to)
}

/// The instant a rota time of `date` stands for: `24:00` is where the next date begins.
fn clock_instant(
    tz: Tz,
    date: NaiveDate,
    time: ClockTime,
    occurrence: Occurrence,
) -> Option<DateTime<Utc>> {
    match time.time() {
        Some(time) => resolve(tz, date.and_time(time), occurrence),
        None => first_instant(tz, date.succ_opt()?),
    }
}

/// When a staff member can be booked on `date`: the working spans (shifts) of that weekday, minus the
/// breaks, minus time off, as UTC intervals sorted by start. Pieces that touch or overlap are
/// merged, so an appointment may run across the seam of two adjoining spans.
pub fn open_intervals<T: Copy + Into<ClockTime>>(
    tz: Tz,
    date: NaiveDate,
    hours: &[(T, T)],
    breaks: &[(T, T)],
    time_off: &[Interval],
) -> Vec<Interval> {
    let local = |&(start, end): &(T, T)| local_interval(tz, date, start, end);
    let worked = normalise(hours.iter().filter_map(local).collect());
    breaks
        .iter()
        .filter_map(local)
        .chain(time_off.iter().copied())
        .fold(worked, |pieces, cut| subtract(&pieces, &cut))
}

/// The local date of `instant` in `tz`: which schedule a moment belongs to.
pub fn local_date_of(tz: Tz, instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&tz).date_naive()
}

/// `intervals` without empty ones, sorted by start, with touching or overlapping ones merged.
pub fn normalise(mut intervals: Vec<Interval>) -> Vec<Interval> {
    intervals.retain(|i| !i.is_empty());
    intervals.sort_by_key(|i| i.start);
    let mut merged: Vec<Interval> = Vec::with_capacity(intervals.len());
    for next in intervals {
        match merged.last_mut() {
            Some(last) if next.start <= last.end => last.end = last.end.max(next.end),
            _ => merged.push(next),
        }
    }
    merged
}

/// What is left of `pieces` once `cut` is taken out; only non-empty pieces, order kept.
pub fn subtract(pieces: &[Interval], cut: &Interval) -> Vec<Interval> {
    let mut left = Vec::with_capacity(pieces.len() + 1);
    for piece in pieces {
        if !piece.overlaps(cut) {
            left.push(*piece);
            continue;
        }
        left.extend(Interval::new(piece.start, cut.start));
        left.extend(Interval::new(cut.end, piece.end));
    }
    left
}

/// Which reading of a wall-clock time that exists twice.
#[derive(Debug, Clone, Copy)]
enum Occurrence {
    First,
    Last,
}

/// The first instant of `date` in `tz` (local midnight, or the end of a gap that swallows it).
fn first_instant(tz: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    resolve(tz, date.and_time(NaiveTime::MIN), Occurrence::First)
}

/// The UTC instant a wall-clock time stands for, by the module's rules.
fn resolve(tz: Tz, local: NaiveDateTime, occurrence: Occurrence) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => Some(at.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            Some(match occurrence {
                Occurrence::First => a.min(b),
                Occurrence::Last => a.max(b),
            })
        }
        LocalResult::None => after_gap(tz, local),
    }
}

/// The first instant whose wall clock in `tz` reads `local` or later, for a `local` that falls
/// in a gap. chrono-tz does not expose its transitions, so this bisects for the one that made
/// the gap: it lies within a day either side of `local` read as UTC (offsets are within ±14 h
/// and the longest gap on record, Samoa's skipped 2011-12-30, is 24 h). Transitions are on whole
/// seconds, so seconds are fine enough.
fn after_gap(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    const WINDOW: i64 = 26 * 3600;
    let reached = |secs: i64| {
        DateTime::from_timestamp(secs, 0).map(|at| at.with_timezone(&tz).naive_local() >= local)
    };
    let centre = local.and_utc().timestamp();
    let (mut before, mut after) = (centre.checked_sub(WINDOW)?, centre.checked_add(WINDOW)?);
    if reached(before)? || !reached(after)? {
        return None;
    }
    while after - before > 1 {
        let mid = before + (after - before) / 2;
        if reached(mid)? {
            after = mid;
        } else {
            before = mid;
        }
    }
    DateTime::from_timestamp(after, 0)
}

#[cfg(test)]
mod tests;

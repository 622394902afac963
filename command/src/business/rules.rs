//! The rules a business's fields follow.

use chrono::{NaiveTime, Timelike};
use events::business::BookingPolicy;
use events::staff::{Break, Weekday, WorkingDay};

use super::MAX_NAME;
use crate::staff::hours::{GRID_MINUTES, MAX_BREAKS};
use crate::staff::WorkingDayInput;

pub(super) fn valid_name(name: &str) -> Option<String> {
    let name = name.trim();
    (!name.is_empty() && name.chars().count() <= MAX_NAME).then(|| name.to_owned())
}

/// The slug is the business's public booking address, so it is kept URL-safe and readable.
pub fn valid_slug(slug: &str) -> Option<String> {
    let ok = (3..=63).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    ok.then(|| slug.to_owned())
}

pub(super) fn valid_timezone(timezone: &str) -> Option<String> {
    timezone
        .parse::<chrono_tz::Tz>()
        .ok()
        .map(|tz| tz.name().to_owned())
}

pub(super) fn valid_currency(currency: &str) -> Option<String> {
    let ok = currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase());
    ok.then(|| currency.to_owned())
}

/// A booking-policy value out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the minimum lead time is at most 7 days (10080 minutes)")]
    LeadTime,
    #[error("bookings may be opened 1 to 730 days ahead")]
    Horizon,
    #[error("the cancellation window is at most 30 days (43200 minutes)")]
    CancellationWindow,
    #[error("the default buffer is 0 to 120 minutes, in steps of 5")]
    Buffer,
    #[error("at most 5 distinct reminder offsets, each 5 minutes to 7 days before the start")]
    ReminderOffsets,
}

const WEEK_MINUTES: u32 = 7 * 24 * 60;

/// Checks every field; reminder offsets come back sorted, latest reminder last.
pub(super) fn valid_policy(mut policy: BookingPolicy) -> Result<BookingPolicy, PolicyError> {
    if policy.min_lead_minutes > WEEK_MINUTES {
        return Err(PolicyError::LeadTime);
    }
    if !(1..=730).contains(&policy.max_advance_days) {
        return Err(PolicyError::Horizon);
    }
    if policy.cancellation_window_minutes > 30 * 24 * 60 {
        return Err(PolicyError::CancellationWindow);
    }
    if policy.default_buffer_minutes > 120 || !policy.default_buffer_minutes.is_multiple_of(5) {
        return Err(PolicyError::Buffer);
    }
    let offsets = &mut policy.reminder_offsets_minutes;
    offsets.sort_unstable_by(|a, b| b.cmp(a));
    let distinct = offsets.windows(2).all(|w| w[0] != w[1]);
    let in_range = offsets.iter().all(|o| (5..=WEEK_MINUTES).contains(o));
    if offsets.len() > 5 || !distinct || !in_range {
        return Err(PolicyError::ReminderOffsets);
    }
    Ok(policy)
}

/// Opening hours that do not make a week; the codes are the staff rota's, as the mistakes are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpeningHoursError {
    #[error("{0:?} is not a weekday; use mon, tue, wed, thu, fri, sat or sun")]
    InvalidWeekday(String),
    #[error("{0:?} is not a time of day as HH:MM on a 5-minute grid, e.g. 09:00 or 17:30")]
    InvalidTime(String),
    #[error("{} appears more than once in the opening hours", .0.as_str())]
    DuplicateWeekday(Weekday),
    #[error("on {} the business must close after it opens", .0.as_str())]
    InvalidHours(Weekday),
    #[error("on {} a break must end after it starts", .0.as_str())]
    InvalidBreak(Weekday),
    #[error("on {} a break lies outside the opening hours", .0.as_str())]
    BreakOutsideHours(Weekday),
    #[error("on {} two breaks overlap", .0.as_str())]
    OverlappingBreaks(Weekday),
    #[error("on {} there are more than {MAX_BREAKS} breaks", .0.as_str())]
    TooManyBreaks(Weekday),
}

/// Checks a week of opening hours by the rota's rules (`staff::hours`): local `HH:MM` on the
/// 5-minute grid, closing after opening on the same date, breaks (a lunch closure) inside the
/// day and not overlapping, each weekday at most once. The week comes back Monday first, each
/// day's breaks by start.
pub(super) fn valid_opening_hours(
    days: Vec<WorkingDayInput>,
) -> Result<Vec<WorkingDay>, OpeningHoursError> {
    let mut week: Vec<WorkingDay> = Vec::with_capacity(days.len());
    for day in days {
        let day = valid_day(day)?;
        if week.iter().any(|d| d.weekday == day.weekday) {
            return Err(OpeningHoursError::DuplicateWeekday(day.weekday));
        }
        week.push(day);
    }
    week.sort_by_key(|d| d.weekday);
    Ok(week)
}

fn valid_day(input: WorkingDayInput) -> Result<WorkingDay, OpeningHoursError> {
    let weekday = parse_weekday(&input.weekday)?;
    let (start, end) = (parse_time(&input.start)?, parse_time(&input.end)?);
    if start >= end {
        return Err(OpeningHoursError::InvalidHours(weekday));
    }
    if input.breaks.len() > MAX_BREAKS {
        return Err(OpeningHoursError::TooManyBreaks(weekday));
    }
    let mut breaks = Vec::with_capacity(input.breaks.len());
    for b in input.breaks {
        let b = Break {
            start: parse_time(&b.start)?,
            end: parse_time(&b.end)?,
        };
        if b.start >= b.end {
            return Err(OpeningHoursError::InvalidBreak(weekday));
        }
        if b.start < start || b.end > end {
            return Err(OpeningHoursError::BreakOutsideHours(weekday));
        }
        breaks.push(b);
    }
    breaks.sort_by_key(|b| b.start);
    if breaks.windows(2).any(|pair| pair[1].start < pair[0].end) {
        return Err(OpeningHoursError::OverlappingBreaks(weekday));
    }
    Ok(WorkingDay {
        weekday,
        start,
        end,
        breaks,
    })
}

/// `mon` … `sun`, in any case.
fn parse_weekday(input: &str) -> Result<Weekday, OpeningHoursError> {
    let wanted = input.trim().to_ascii_lowercase();
    Weekday::ALL
        .into_iter()
        .find(|day| day.as_str() == wanted)
        .ok_or_else(|| OpeningHoursError::InvalidWeekday(input.to_owned()))
}

/// Exactly `HH:MM`, 00:00 to 23:55, on the grid.
fn parse_time(input: &str) -> Result<NaiveTime, OpeningHoursError> {
    let invalid = || OpeningHoursError::InvalidTime(input.to_owned());
    let (hours, minutes) = input.split_once(':').ok_or_else(invalid)?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(hours) || !two_digits(minutes) {
        return Err(invalid());
    }
    let hours: u32 = hours.parse().map_err(|_| invalid())?;
    let minutes: u32 = minutes.parse().map_err(|_| invalid())?;
    let time = NaiveTime::from_hms_opt(hours, minutes, 0).ok_or_else(invalid)?;
    if !time.minute().is_multiple_of(GRID_MINUTES) {
        return Err(invalid());
    }
    Ok(time)
}

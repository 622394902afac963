//! The weekly rota: for each weekday worked, the hours and the breaks. A barber's working hours
//! and the shop's opening hours (a break being, say, a lunch closure) are both rotas, follow the
//! same rules and are refused for the same mistakes, so they are checked here once and
//! normalised into [`WorkingDay`]s; the StaffMember and Business aggregates wrap [`RotaError`].
//!
//! Times are local wall-clock `"HH:MM"` on a 5-minute grid: bookings are laid out on that grid,
//! so a shift starting at 09:07 would only leave unusable slivers. A day runs from `start` to
//! `end` on the same date (`start < end`, so the latest end is 23:55; nobody cuts hair across
//! midnight). Breaks lie inside the day and may touch but not overlap each other.
//!
//! [`WorkingDayInput`] and [`BreakInput`] are the days exactly as the client types them (strings,
//! unchecked), so they are also the JSON body's days of both `PUT` routes: one wire shape.

use chrono::{NaiveTime, Timelike};
use events::staff::{Break, Weekday, WorkingDay};
use serde::Deserialize;

/// The grid working hours, opening hours and breaks are set on, in minutes.
pub const GRID_MINUTES: u32 = 5;

/// At most this many breaks in one day: a rota, not a timetable.
pub const MAX_BREAKS: usize = 10;

/// One day of the rota as the client sent it, in the business's local time.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingDayInput {
    /// `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`; each at most once.
    #[schema(example = "mon")]
    pub weekday: String,
    /// `HH:MM` on a 5-minute grid.
    #[schema(example = "09:00")]
    pub start: String,
    /// `HH:MM`, after `start` on the same day.
    #[schema(example = "17:00")]
    pub end: String,
    /// Inside the day's hours, not overlapping each other.
    #[serde(default)]
    pub breaks: Vec<BreakInput>,
}

/// One break as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakInput {
    #[schema(example = "12:00")]
    pub start: String,
    #[schema(example = "12:30")]
    pub end: String,
}

/// A week that is not a rota. The words fit a barber's hours and a shop's alike; the HTTP codes
/// are the same for both.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    test,
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum RotaError {
    #[error("{0:?} is not a weekday; use mon, tue, wed, thu, fri, sat or sun")]
    InvalidWeekday(String),
    #[error("{0:?} is not a time of day as HH:MM on a 5-minute grid, e.g. 09:00 or 17:30")]
    InvalidTime(String),
    #[error("{} appears more than once in the week", .0.as_str())]
    DuplicateWeekday(Weekday),
    #[error("on {} the day must end after it starts", .0.as_str())]
    InvalidHours(Weekday),
    #[error("on {} a break must end after it starts", .0.as_str())]
    InvalidBreak(Weekday),
    #[error("on {} a break lies outside the day's hours", .0.as_str())]
    BreakOutsideHours(Weekday),
    #[error("on {} two breaks overlap", .0.as_str())]
    OverlappingBreaks(Weekday),
    #[error("on {} there are more than {MAX_BREAKS} breaks", .0.as_str())]
    TooManyBreaks(Weekday),
}

/// Checks a whole rota; the result is sorted Monday first, each day's breaks by start. A weekday
/// left out is a day off (closed, for a shop).
pub fn validate_week(days: Vec<WorkingDayInput>) -> Result<Vec<WorkingDay>, RotaError> {
    let mut week: Vec<WorkingDay> = Vec::with_capacity(days.len());
    for day in days {
        let day = validate_day(day)?;
        if week.iter().any(|d| d.weekday == day.weekday) {
            return Err(RotaError::DuplicateWeekday(day.weekday));
        }
        week.push(day);
    }
    week.sort_by_key(|d| d.weekday);
    Ok(week)
}

fn validate_day(input: WorkingDayInput) -> Result<WorkingDay, RotaError> {
    let weekday = parse_weekday(&input.weekday)?;
    let start = parse_time(&input.start)?;
    let end = parse_time(&input.end)?;
    if start >= end {
        return Err(RotaError::InvalidHours(weekday));
    }
    if input.breaks.len() > MAX_BREAKS {
        return Err(RotaError::TooManyBreaks(weekday));
    }
    let mut breaks = Vec::with_capacity(input.breaks.len());
    for b in input.breaks {
        let b = Break {
            start: parse_time(&b.start)?,
            end: parse_time(&b.end)?,
        };
        if b.start >= b.end {
            return Err(RotaError::InvalidBreak(weekday));
        }
        if b.start < start || b.end > end {
            return Err(RotaError::BreakOutsideHours(weekday));
        }
        breaks.push(b);
    }
    breaks.sort_by_key(|b| b.start);
    if breaks.windows(2).any(|pair| pair[1].start < pair[0].end) {
        return Err(RotaError::OverlappingBreaks(weekday));
    }
    Ok(WorkingDay {
        weekday,
        start,
        end,
        breaks,
    })
}

/// `mon` … `sun`, in any case.
fn parse_weekday(input: &str) -> Result<Weekday, RotaError> {
    let wanted = input.trim().to_ascii_lowercase();
    Weekday::ALL
        .into_iter()
        .find(|day| day.as_str() == wanted)
        .ok_or_else(|| RotaError::InvalidWeekday(input.to_owned()))
}

/// Exactly `HH:MM`, 00:00 to 23:55, on the grid.
fn parse_time(input: &str) -> Result<NaiveTime, RotaError> {
    let invalid = || RotaError::InvalidTime(input.to_owned());
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

/// Every rule of the rota, once; the aggregates' tests only show that each refuses a bad one.
#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A day as typed, breaks as `(start, end)`; for the aggregates' tests too.
    pub(crate) fn day(
        weekday: &str,
        start: &str,
        end: &str,
        breaks: &[(&str, &str)],
    ) -> WorkingDayInput {
        WorkingDayInput {
            weekday: weekday.into(),
            start: start.into(),
            end: end.into(),
            breaks: breaks
                .iter()
                .map(|(start, end)| BreakInput {
                    start: (*start).into(),
                    end: (*end).into(),
                })
                .collect(),
        }
    }

    fn at(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).expect("time")
    }

    #[test]
    fn a_week_is_sorted_monday_first_with_breaks_in_order() {
        let week = validate_week(vec![
            day("SAT", "10:00", "14:00", &[]),
            day(
                "mon",
                "09:00",
                "17:00",
                &[("15:00", "15:15"), ("12:00", "12:30")],
            ),
        ])
        .expect("valid");
        assert_eq!(week[0].weekday, Weekday::Mon);
        assert_eq!(week[1].weekday, Weekday::Sat);
        assert_eq!(
            week[0].breaks,
            [
                Break {
                    start: at(12, 0),
                    end: at(12, 30)
                },
                Break {
                    start: at(15, 0),
                    end: at(15, 15)
                },
            ]
        );
    }

    #[test]
    fn times_are_hh_mm_on_a_five_minute_grid() {
        for ok in ["00:00", "09:05", "23:55"] {
            assert!(parse_time(ok).is_ok(), "{ok}");
        }
        for bad in [
            "25:00", "24:00", "9:00", "09:0", "09:07", "09:60", "0900", "09:00:00", " 09:00", "",
            "ab:cd", "+9:00",
        ] {
            assert_eq!(
                parse_time(bad),
                Err(RotaError::InvalidTime(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn bad_rotas_are_refused_with_the_reason() {
        use RotaError::*;
        let cases = [
            (
                vec![day("funday", "09:00", "17:00", &[])],
                InvalidWeekday("funday".into()),
            ),
            (
                vec![day("mon", "9:00", "17:00", &[])],
                InvalidTime("9:00".into()),
            ),
            (
                vec![day("mon", "09:00", "17:02", &[])],
                InvalidTime("17:02".into()),
            ),
            (
                vec![day("fri", "09:00", "17:00", &[("12:00", "12:01")])],
                InvalidTime("12:01".into()),
            ),
            (
                vec![day("mon", "17:00", "09:00", &[])],
                InvalidHours(Weekday::Mon),
            ),
            (
                vec![day("mon", "09:00", "09:00", &[])],
                InvalidHours(Weekday::Mon),
            ),
            (
                vec![
                    day("tue", "09:00", "17:00", &[]),
                    day("Tue", "10:00", "12:00", &[]),
                ],
                DuplicateWeekday(Weekday::Tue),
            ),
            (
                vec![day("wed", "09:00", "17:00", &[("13:00", "12:00")])],
                InvalidBreak(Weekday::Wed),
            ),
            (
                vec![day("wed", "09:00", "17:00", &[("08:30", "09:30")])],
                BreakOutsideHours(Weekday::Wed),
            ),
            (
                vec![day("wed", "09:00", "17:00", &[("16:30", "17:30")])],
                BreakOutsideHours(Weekday::Wed),
            ),
            (
                vec![day(
                    "thu",
                    "09:00",
                    "17:00",
                    &[("12:00", "13:00"), ("12:30", "12:45")],
                )],
                OverlappingBreaks(Weekday::Thu),
            ),
            (
                vec![day(
                    "sun",
                    "00:00",
                    "23:55",
                    &[("01:00", "01:05"); MAX_BREAKS + 1],
                )],
                TooManyBreaks(Weekday::Sun),
            ),
        ];
        for (days, error) in cases {
            assert_eq!(validate_week(days.clone()), Err(error), "{days:?}");
        }
    }

    #[test]
    fn breaks_may_touch_each_other_and_the_ends_of_the_day() {
        let week = validate_week(vec![day(
            "mon",
            "09:00",
            "17:00",
            &[
                ("09:00", "09:30"),
                ("12:00", "12:30"),
                ("12:30", "13:00"),
                ("16:30", "17:00"),
            ],
        )]);
        assert!(week.is_ok(), "{week:?}");
    }

    #[test]
    fn an_empty_week_is_all_days_off() {
        assert_eq!(validate_week(vec![]), Ok(vec![]));
    }
}

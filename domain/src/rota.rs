//! The weekly rota: for each weekday worked, the hours and the breaks. A barber's working hours
//! and the shop's opening hours (a break being, say, a lunch closure) are both rotas, follow the
//! same rules and are refused for the same mistakes, so they are checked here once and
//! normalised into [`WorkingDay`]s; the StaffMember and Business aggregates wrap [`RotaError`].
//!
//! Times are local wall-clock `"HH:MM"` on a 5-minute grid: bookings are laid out on that grid,
//! so a shift starting at 09:07 would only leave unusable slivers. A shift runs from `start` to
//! `end` on the same date (`start < end`); `24:00` ends a shift at midnight (a shop open late),
//! and nothing runs across midnight. A weekday may have several shifts (a split shift,
//! 09:00–12:00 and 15:00–20:00: one entry per shift, at most [`MAX_SHIFTS`]), which may touch but
//! not overlap. Breaks lie inside their shift and may touch but not overlap each other.
//!
//! [`WorkingDayInput`] and [`BreakInput`] are the days exactly as the client types them (strings,
//! unchecked), so they are also the JSON body's days of both `PUT` routes: one wire shape.

use events::staff::{Break, ClockTime, Weekday, WorkingDay};
use serde::Deserialize;

/// The grid working hours, opening hours and breaks are set on, in minutes.
pub const GRID_MINUTES: u32 = 5;

/// At most this many breaks in one shift: a rota, not a timetable.
pub const MAX_BREAKS: usize = 10;

/// At most this many shifts on one weekday.
pub const MAX_SHIFTS: usize = 4;

/// One shift of the rota as the client sent it, in the business's local time; a weekday with a
/// split shift is sent once per shift.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingDayInput {
    /// `mon`, `tue`, `wed`, `thu`, `fri`, `sat` or `sun`; once per shift, at most 4 times.
    #[schema(example = "mon")]
    pub weekday: String,
    /// `HH:MM` on a 5-minute grid.
    #[schema(example = "09:00")]
    pub start: String,
    /// `HH:MM`, after `start` on the same day; `24:00` for a shift that ends at midnight.
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
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum RotaError {
    #[error("{0:?} is not a weekday; use mon, tue, wed, thu, fri, sat or sun")]
    InvalidWeekday(String),
    #[error("{0:?} is not a time of day as HH:MM on a 5-minute grid, e.g. 09:00, 17:30 or 24:00")]
    InvalidTime(String),
    #[error("on {} two shifts overlap", .0.as_str())]
    OverlappingShifts(Weekday),
    #[error("on {} there are more than {MAX_SHIFTS} shifts", .0.as_str())]
    TooManyShifts(Weekday),
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

/// Checks a whole rota; the result is sorted Monday first, a day's shifts by start, each
/// shift's breaks by start. A weekday left out is a day off (closed, for a shop).
pub fn validate_week(days: Vec<WorkingDayInput>) -> Result<Vec<WorkingDay>, RotaError> {
    let mut week = days
        .into_iter()
        .map(validate_day)
        .collect::<Result<Vec<_>, _>>()?;
    week.sort_by_key(|d| (d.weekday, d.start));
    for weekday in Weekday::ALL {
        let shifts: Vec<&WorkingDay> = week.iter().filter(|d| d.weekday == weekday).collect();
        if shifts.len() > MAX_SHIFTS {
            return Err(RotaError::TooManyShifts(weekday));
        }
        if shifts.windows(2).any(|pair| pair[1].start < pair[0].end) {
            return Err(RotaError::OverlappingShifts(weekday));
        }
    }
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

/// Exactly `HH:MM`, 00:00 to 24:00, on the grid (`24:00` can only end a span: nothing is
/// after it to end).
fn parse_time(input: &str) -> Result<ClockTime, RotaError> {
    input
        .parse::<ClockTime>()
        .ok()
        .filter(|time| time.minutes().is_multiple_of(GRID_MINUTES))
        .ok_or_else(|| RotaError::InvalidTime(input.to_owned()))
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

    fn at(h: u32, m: u32) -> ClockTime {
        ClockTime::new(h, m).expect("time")
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
        for ok in ["00:00", "09:05", "23:55", "24:00"] {
            assert!(parse_time(ok).is_ok(), "{ok}");
        }
        for bad in [
            "25:00", "24:05", "9:00", "09:0", "09:07", "09:60", "0900", "09:00:00", " 09:00", "",
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
                OverlappingShifts(Weekday::Tue),
            ),
            (
                vec![
                    day("tue", "15:00", "20:00", &[]),
                    day("tue", "09:00", "15:05", &[]),
                ],
                OverlappingShifts(Weekday::Tue),
            ),
            (
                [
                    ("00:00", "01:00"),
                    ("01:00", "02:00"),
                    ("02:00", "03:00"),
                    ("03:00", "04:00"),
                    ("04:00", "05:00"),
                ]
                .iter()
                .map(|(start, end)| day("sat", start, end, &[]))
                .collect(),
                TooManyShifts(Weekday::Sat),
            ),
            (
                vec![day("mon", "24:00", "24:00", &[])],
                InvalidHours(Weekday::Mon),
            ),
            (
                vec![day("mon", "20:00", "24:00", &[("23:00", "24:05")])],
                InvalidTime("24:05".into()),
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
    fn a_day_may_have_several_shifts_and_end_at_midnight() {
        let week = validate_week(vec![
            day("mon", "15:00", "24:00", &[("18:00", "18:30")]),
            day("mon", "09:00", "12:00", &[]),
            day("mon", "12:00", "13:00", &[]),
        ])
        .expect("valid");
        let shifts: Vec<(ClockTime, ClockTime)> = week.iter().map(|d| (d.start, d.end)).collect();
        assert_eq!(
            shifts,
            [
                (at(9, 0), at(12, 0)),
                (at(12, 0), at(13, 0)),
                (at(15, 0), ClockTime::END_OF_DAY)
            ],
            "sorted by start, touching shifts allowed"
        );
        assert_eq!(week[2].breaks.len(), 1);
    }

    #[test]
    fn an_empty_week_is_all_days_off() {
        assert_eq!(validate_week(vec![]), Ok(vec![]));
    }
}

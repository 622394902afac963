//! Given/when/then for the opening hours: the command and every refusal.

use chrono::NaiveTime;
use events::staff::{Break, Weekday, WorkingDay};

use super::*;
use crate::staff::{BreakInput, WorkingDayInput};

fn day(weekday: &str, start: &str, end: &str, breaks: &[(&str, &str)]) -> WorkingDayInput {
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

fn set(days: Vec<WorkingDayInput>) -> BusinessCommand {
    BusinessCommand::SetOpeningHours {
        tenant_id: Uuid::nil(),
        days,
    }
}

fn at(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("time")
}

fn saturday_with_lunch() -> WorkingDay {
    WorkingDay {
        weekday: Weekday::Sat,
        start: at(9, 0),
        end: at(18, 0),
        breaks: vec![Break {
            start: at(13, 0),
            end: at(14, 0),
        }],
    }
}

fn monday() -> WorkingDay {
    WorkingDay {
        weekday: Weekday::Mon,
        start: at(9, 0),
        end: at(17, 30),
        breaks: vec![],
    }
}

#[test]
fn opening_hours_are_recorded_as_the_whole_week_monday_first() {
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(set(vec![
            day("sat", "09:00", "18:00", &[("13:00", "14:00")]),
            day("MON", "09:00", "17:30", &[]),
        ]))
        .then_expect_events(vec![BusinessEvent::OpeningHoursSet {
            days: vec![monday(), saturday_with_lunch()],
        }]);
}

#[test]
fn the_same_opening_hours_again_record_nothing() {
    TestFramework::<Business>::with(())
        .given(vec![
            opened(),
            BusinessEvent::OpeningHoursSet {
                days: vec![monday()],
            },
        ])
        .when(set(vec![day("mon", "09:00", "17:30", &[])]))
        .then_expect_events(vec![]);
}

#[test]
fn an_empty_week_closes_every_day() {
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(set(vec![]))
        .then_expect_events(vec![BusinessEvent::OpeningHoursSet { days: vec![] }]);
}

#[test]
fn a_business_has_no_opening_hours_until_they_are_set() {
    let mut business = Business::default();
    business.apply(opened());
    assert_eq!(business.opening_hours(), None);
    business.apply(BusinessEvent::OpeningHoursSet {
        days: vec![monday()],
    });
    assert_eq!(business.opening_hours(), Some(&[monday()][..]));
}

#[test]
fn bad_opening_hours_are_refused_with_the_reason() {
    use OpeningHoursError::*;
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
            vec![day("mon", "18:00", "09:00", &[])],
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
            vec![day("wed", "09:00", "17:00", &[("14:00", "13:00")])],
            InvalidBreak(Weekday::Wed),
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
                &[("12:00", "13:00"), ("12:30", "13:30")],
            )],
            OverlappingBreaks(Weekday::Thu),
        ),
        (
            vec![day(
                "sun",
                "00:00",
                "23:55",
                &[("01:00", "01:05"); crate::staff::hours::MAX_BREAKS + 1],
            )],
            TooManyBreaks(Weekday::Sun),
        ),
    ];
    for (days, error) in cases {
        TestFramework::<Business>::with(())
            .given(vec![opened()])
            .when(set(days))
            .then_expect_error(BusinessError::InvalidOpeningHours(error));
    }
}

#[test]
fn breaks_may_touch_each_other_and_the_ends_of_the_day() {
    let breaks = [("09:00", "09:30"), ("12:30", "13:00"), ("12:00", "12:30")];
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(set(vec![day("fri", "09:00", "17:00", &breaks)]))
        .then_expect_events(vec![BusinessEvent::OpeningHoursSet {
            days: vec![WorkingDay {
                weekday: Weekday::Fri,
                start: at(9, 0),
                end: at(17, 0),
                breaks: [(9, 0, 9, 30), (12, 0, 12, 30), (12, 30, 13, 0)]
                    .into_iter()
                    .map(|(sh, sm, eh, em)| Break {
                        start: at(sh, sm),
                        end: at(eh, em),
                    })
                    .collect(),
            }],
        }]);
}

#[test]
fn another_business_cannot_set_the_opening_hours() {
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(BusinessCommand::SetOpeningHours {
            tenant_id: Uuid::from_u128(7),
            days: vec![],
        })
        .then_expect_error(BusinessError::NotFound);
}

#[test]
fn a_business_that_is_not_open_has_no_opening_hours_to_set() {
    TestFramework::<Business>::with(())
        .given_no_previous_events()
        .when(set(vec![day("mon", "09:00", "17:00", &[])]))
        .then_expect_error(BusinessError::NotFound);
}

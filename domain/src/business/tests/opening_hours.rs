//! Given/when/then for the opening hours. Every rule of a week is tested once, in
//! [`crate::rota`]; here, that the Business records a good week and refuses a bad one.

use events::staff::ClockTime;
use events::staff::{Break, Weekday, WorkingDay};

use super::*;
use crate::rota::tests::day;

fn set(days: Vec<WorkingDayInput>) -> BusinessCommand {
    BusinessCommand::SetOpeningHours {
        tenant_id: Uuid::nil(),
        days,
    }
}

fn at(h: u32, m: u32) -> ClockTime {
    ClockTime::new(h, m).expect("time")
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
fn opening_hours_that_are_not_a_week_are_refused_with_the_reason() {
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(set(vec![day("mon", "18:00", "09:00", &[])]))
        .then_expect_error(BusinessError::InvalidOpeningHours(RotaError::InvalidHours(
            Weekday::Mon,
        )));
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

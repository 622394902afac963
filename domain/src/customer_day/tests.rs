//! Given/when/then for the customer's day: one appointment at a time, unless allowed.

use chrono::TimeZone;
use cqrs_es::test::TestFramework;

use super::*;

type DayTest = TestFramework<CustomerDay>;

const MINE: Uuid = Uuid::nil();
const ANA: Uuid = Uuid::from_u128(3);
const FIRST: Uuid = Uuid::from_u128(10);
const SECOND: Uuid = Uuid::from_u128(11);

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("date")
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0)
        .single()
        .expect("instant")
}

fn hold(
    appointment_id: Uuid,
    from: (u32, u32),
    to: (u32, u32),
    allow_overlap: bool,
) -> CustomerDayCommand {
    CustomerDayCommand::Hold {
        appointment_id,
        tenant_id: MINE,
        customer_id: ANA,
        date: date(),
        starts_at: at(from.0, from.1),
        ends_at: at(to.0, to.1),
        allow_overlap,
    }
}

fn held(appointment_id: Uuid, from: (u32, u32), to: (u32, u32)) -> CustomerDayEvent {
    CustomerDayEvent::CustomerTimeHeld {
        appointment_id,
        business_id: MINE,
        customer_id: ANA,
        date: date(),
        starts_at: at(from.0, from.1),
        ends_at: at(to.0, to.1),
    }
}

#[test]
fn a_free_stretch_is_held() {
    DayTest::with(())
        .given_no_previous_events()
        .when(hold(FIRST, (10, 0), (10, 30), false))
        .then_expect_events(vec![held(FIRST, (10, 0), (10, 30))]);
}

#[test]
fn an_overlapping_appointment_of_the_customer_is_refused() {
    DayTest::with(())
        .given(vec![held(FIRST, (10, 0), (10, 30))])
        .when(hold(SECOND, (10, 15), (10, 45), false))
        .then_expect_error(CustomerDayError::CustomerDoubleBooked { conflicting: FIRST });
}

#[test]
fn back_to_back_appointments_are_fine() {
    DayTest::with(())
        .given(vec![held(FIRST, (10, 0), (10, 30))])
        .when(hold(SECOND, (10, 30), (11, 0), false))
        .then_expect_events(vec![held(SECOND, (10, 30), (11, 0))]);
}

#[test]
fn an_overlap_the_business_allows_is_held_all_the_same() {
    DayTest::with(())
        .given(vec![held(FIRST, (10, 0), (10, 30))])
        .when(hold(SECOND, (10, 0), (10, 30), true))
        .then_expect_events(vec![held(SECOND, (10, 0), (10, 30))]);
}

#[test]
fn holding_again_moves_the_appointment_within_the_day() {
    DayTest::with(())
        .given(vec![held(FIRST, (10, 0), (10, 30))])
        .when(hold(FIRST, (10, 15), (10, 45), false))
        .then_expect_events(vec![
            CustomerDayEvent::CustomerTimeReleased {
                appointment_id: FIRST,
            },
            held(FIRST, (10, 15), (10, 45)),
        ]);
}

#[test]
fn the_same_hold_again_records_nothing() {
    DayTest::with(())
        .given(vec![held(FIRST, (10, 0), (10, 30))])
        .when(hold(FIRST, (10, 0), (10, 30), false))
        .then_expect_events(vec![]);
}

#[test]
fn releasing_frees_the_time_and_twice_records_nothing() {
    let release = CustomerDayCommand::Release {
        appointment_id: FIRST,
        tenant_id: MINE,
    };
    DayTest::with(())
        .given(vec![held(FIRST, (10, 0), (10, 30))])
        .when(release.clone())
        .then_expect_events(vec![CustomerDayEvent::CustomerTimeReleased {
            appointment_id: FIRST,
        }]);
    DayTest::with(())
        .given(vec![
            held(FIRST, (10, 0), (10, 30)),
            CustomerDayEvent::CustomerTimeReleased {
                appointment_id: FIRST,
            },
        ])
        .when(release)
        .then_expect_events(vec![]);
}

#[test]
fn another_business_s_day_does_not_exist() {
    let mut theirs = hold(SECOND, (12, 0), (12, 30), false);
    if let CustomerDayCommand::Hold { tenant_id, .. } = &mut theirs {
        *tenant_id = Uuid::from_u128(1);
    }
    DayTest::with(())
        .given(vec![held(FIRST, (10, 0), (10, 30))])
        .when(theirs)
        .then_expect_error(CustomerDayError::NotFound);
}

#[test]
fn the_id_is_the_customer_and_the_local_date() {
    let id = CustomerDayId {
        customer_id: ANA,
        date: date(),
    };
    assert_eq!(
        id.to_string(),
        "00000000-0000-0000-0000-000000000003:2026-12-01"
    );
}

//! Given/when/then tests of the rota, time off and offered services.

use super::*;

#[test]
fn setting_working_hours_records_the_normalised_week() {
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::SetWorkingHours {
            tenant_id: TENANT,
            days: vec![monday_input()],
        })
        .then_expect_events(vec![StaffEvent::WorkingHoursSet {
            days: vec![monday()],
        }]);
}

#[test]
fn setting_the_same_working_hours_again_records_nothing() {
    StaffTest::with(())
        .given(vec![
            added(),
            StaffEvent::WorkingHoursSet {
                days: vec![monday()],
            },
        ])
        .when(StaffCommand::SetWorkingHours {
            tenant_id: TENANT,
            days: vec![monday_input()],
        })
        .then_expect_events(vec![]);
}

#[test]
fn working_hours_with_overlapping_breaks_are_refused() {
    let mut day = monday_input();
    day.breaks.push(BreakInput {
        start: "12:15".into(),
        end: "12:45".into(),
    });
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::SetWorkingHours {
            tenant_id: TENANT,
            days: vec![day],
        })
        .then_expect_error(StaffError::InvalidWorkingHours(
            RotaError::OverlappingBreaks(Weekday::Mon),
        ));
}

#[test]
fn adding_time_off_records_it() {
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::AddTimeOff {
            tenant_id: TENANT,
            time_off_id: Uuid::from_u128(7),
            starts_at: at(24, 0),
            ends_at: at(27, 0),
            reason: Some(" Christmas ".into()),
            now: at(1, 0) - chrono::TimeDelta::days(1),
        })
        .then_expect_events(vec![holiday()]);
}

#[test]
fn adding_the_same_time_off_again_records_nothing() {
    StaffTest::with(())
        .given(vec![added(), holiday()])
        .when(StaffCommand::AddTimeOff {
            tenant_id: TENANT,
            time_off_id: Uuid::from_u128(7),
            starts_at: at(24, 0),
            ends_at: at(27, 0),
            reason: Some("Christmas".into()),
            now: at(1, 0) - chrono::TimeDelta::days(1),
        })
        .then_expect_events(vec![]);
}

#[test]
fn time_off_ending_before_it_starts_is_refused() {
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::AddTimeOff {
            tenant_id: TENANT,
            time_off_id: Uuid::from_u128(7),
            starts_at: at(27, 0),
            ends_at: at(24, 0),
            reason: None,
            now: at(1, 0) - chrono::TimeDelta::days(1),
        })
        .then_expect_error(StaffError::InvalidTimeOff);
}

#[test]
fn removing_time_off_records_it() {
    StaffTest::with(())
        .given(vec![added(), holiday()])
        .when(StaffCommand::RemoveTimeOff {
            tenant_id: TENANT,
            time_off_id: Uuid::from_u128(7),
        })
        .then_expect_events(vec![StaffEvent::TimeOffRemoved {
            time_off_id: Uuid::from_u128(7),
        }]);
}

#[test]
fn removing_unknown_time_off_is_refused() {
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::RemoveTimeOff {
            tenant_id: TENANT,
            time_off_id: Uuid::from_u128(7),
        })
        .then_expect_error(StaffError::TimeOffNotFound);
}

#[test]
fn offering_services_records_them_once_each() {
    let (a, b) = (Uuid::from_u128(10), Uuid::from_u128(11));
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::OfferServices {
            tenant_id: TENANT,
            service_ids: Some(vec![a, b, a]),
        })
        .then_expect_events(vec![StaffEvent::ServicesOffered {
            service_ids: Some(vec![a, b]),
        }]);
}

#[test]
fn offering_all_services_when_already_offering_all_records_nothing() {
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::OfferServices {
            tenant_id: TENANT,
            service_ids: None,
        })
        .then_expect_events(vec![]);
}

#[test]
fn offering_too_many_services_is_refused() {
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::OfferServices {
            tenant_id: TENANT,
            service_ids: Some((0..=MAX_SERVICES as u128).map(Uuid::from_u128).collect()),
        })
        .then_expect_error(StaffError::TooManyServices);
}

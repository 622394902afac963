//! Given/when/then tests of the StaffMember aggregate: every command, every refusal. Adding,
//! updating and (de)activating are here, hours, time off and services in [`schedule`]; the
//! detailed rules of hours, profiles and time off are tested beside those rules.

use chrono::TimeZone;
use cqrs_es::test::TestFramework;
use events::staff::ClockTime;
use events::staff::{Break, StaffRole, Weekday};

use super::*;

mod schedule;

pub(super) type StaffTest = TestFramework<StaffMember>;

pub(super) const TENANT: Uuid = Uuid::nil();
const OTHER_TENANT: Uuid = Uuid::from_u128(1);

fn jo() -> StaffProfile {
    StaffProfile {
        name: "Jo Fade".into(),
        role: StaffRole::Barber,
        email: Some("jo@example.com".into()),
        phone: Some("+447700900123".into()),
    }
}

pub(super) fn added() -> StaffEvent {
    StaffEvent::StaffMemberAdded {
        staff_id: Uuid::nil(),
        business_id: TENANT,
        profile: jo(),
    }
}

pub(super) fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0)
        .single()
        .expect("instant")
}

pub(super) fn time(h: u32, m: u32) -> ClockTime {
    ClockTime::new(h, m).expect("time")
}

pub(super) fn monday_input() -> WorkingDayInput {
    WorkingDayInput {
        weekday: "mon".into(),
        start: "09:00".into(),
        end: "17:00".into(),
        breaks: vec![BreakInput {
            start: "12:00".into(),
            end: "12:30".into(),
        }],
    }
}

pub(super) fn monday() -> WorkingDay {
    WorkingDay {
        weekday: Weekday::Mon,
        start: time(9, 0),
        end: time(17, 0),
        breaks: vec![Break {
            start: time(12, 0),
            end: time(12, 30),
        }],
    }
}

pub(super) fn holiday() -> StaffEvent {
    StaffEvent::TimeOffAdded {
        time_off_id: Uuid::from_u128(7),
        starts_at: at(24, 0),
        ends_at: at(27, 0),
        reason: Some("Christmas".into()),
    }
}

/// Every command that changes an active member, for the refusals they share.
fn changes(tenant_id: Uuid) -> Vec<StaffCommand> {
    vec![
        StaffCommand::Update {
            tenant_id,
            name: Some("Jo".into()),
            role: None,
            email: None,
            phone: None,
        },
        StaffCommand::SetWorkingHours {
            tenant_id,
            days: vec![monday_input()],
        },
        StaffCommand::AddTimeOff {
            tenant_id,
            time_off_id: Uuid::from_u128(8),
            starts_at: at(1, 9),
            ends_at: at(1, 17),
            reason: None,
            now: at(1, 0) - chrono::TimeDelta::days(1),
        },
        StaffCommand::RemoveTimeOff {
            tenant_id,
            time_off_id: Uuid::from_u128(7),
        },
        StaffCommand::OfferServices {
            tenant_id,
            service_ids: Some(vec![Uuid::from_u128(9)]),
        },
    ]
}

#[test]
fn adding_a_staff_member_normalises_their_profile() {
    StaffTest::with(())
        .given_no_previous_events()
        .when(StaffCommand::Add {
            staff_id: Uuid::nil(),
            tenant_id: TENANT,
            profile: StaffProfileInput {
                name: " Jo Fade ".into(),
                role: "barber".into(),
                email: Some("jo@EXAMPLE.com".into()),
                phone: Some("+44 7700 900123".into()),
            },
        })
        .then_expect_events(vec![added()]);
}

#[test]
fn adding_twice_is_refused() {
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::Add {
            staff_id: Uuid::nil(),
            tenant_id: TENANT,
            profile: StaffProfileInput {
                name: "Jo".into(),
                role: "barber".into(),
                ..Default::default()
            },
        })
        .then_expect_error(StaffError::AlreadyAdded);
}

#[test]
fn a_bad_profile_is_refused() {
    StaffTest::with(())
        .given_no_previous_events()
        .when(StaffCommand::Add {
            staff_id: Uuid::nil(),
            tenant_id: TENANT,
            profile: StaffProfileInput {
                name: "Jo".into(),
                role: "stylist".into(),
                ..Default::default()
            },
        })
        .then_expect_error(StaffError::InvalidRole("stylist".into()));
}

#[test]
fn updating_changes_only_the_given_fields() {
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::Update {
            tenant_id: TENANT,
            name: None,
            role: Some("manager".into()),
            email: Some(None),
            phone: None,
        })
        .then_expect_events(vec![StaffEvent::StaffMemberUpdated {
            profile: StaffProfile {
                role: StaffRole::Manager,
                email: None,
                ..jo()
            },
        }]);
}

#[test]
fn an_update_that_changes_nothing_records_nothing() {
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::Update {
            tenant_id: TENANT,
            name: Some(" Jo Fade".into()),
            role: Some("barber".into()),
            email: None,
            phone: Some(Some("+44 7700 900 123".into())),
        })
        .then_expect_events(vec![]);
}

#[test]
fn an_update_to_a_bad_phone_is_refused() {
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::Update {
            tenant_id: TENANT,
            name: None,
            role: None,
            email: None,
            phone: Some(Some("12345".into())),
        })
        .then_expect_error(StaffError::InvalidPhone("12345".into()));
}

#[test]
fn deactivating_and_reactivating_are_recorded_once() {
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::Deactivate { tenant_id: TENANT })
        .then_expect_events(vec![StaffEvent::StaffMemberDeactivated]);
    StaffTest::with(())
        .given(vec![added(), StaffEvent::StaffMemberDeactivated])
        .when(StaffCommand::Deactivate { tenant_id: TENANT })
        .then_expect_events(vec![]);
    StaffTest::with(())
        .given(vec![added(), StaffEvent::StaffMemberDeactivated])
        .when(StaffCommand::Reactivate { tenant_id: TENANT })
        .then_expect_events(vec![StaffEvent::StaffMemberReactivated]);
    StaffTest::with(())
        .given(vec![added()])
        .when(StaffCommand::Reactivate { tenant_id: TENANT })
        .then_expect_events(vec![]);
}

#[test]
fn a_deactivated_member_cannot_be_changed() {
    for command in changes(TENANT) {
        StaffTest::with(())
            .given(vec![added(), holiday(), StaffEvent::StaffMemberDeactivated])
            .when(command)
            .then_expect_error(StaffError::Inactive);
    }
}

#[test]
fn an_unknown_member_is_not_found() {
    let mut commands = changes(TENANT);
    commands.push(StaffCommand::Deactivate { tenant_id: TENANT });
    commands.push(StaffCommand::Reactivate { tenant_id: TENANT });
    for command in commands {
        StaffTest::with(())
            .given_no_previous_events()
            .when(command)
            .then_expect_error(StaffError::NotFound);
    }
}

#[test]
fn another_business_cannot_change_a_member() {
    let mut commands = changes(OTHER_TENANT);
    commands.push(StaffCommand::Deactivate {
        tenant_id: OTHER_TENANT,
    });
    commands.push(StaffCommand::Reactivate {
        tenant_id: OTHER_TENANT,
    });
    for command in commands {
        StaffTest::with(())
            .given(vec![added(), holiday()])
            .when(command)
            .then_expect_error(StaffError::NotFound);
    }
}

#[test]
fn booking_reads_hours_time_off_and_services_from_the_state() {
    let mut member = StaffMember::default();
    let service = Uuid::from_u128(10);
    assert!(!member.is_active());
    member.apply(added());
    assert!(member.is_active() && member.offers(service));
    member.apply(StaffEvent::WorkingHoursSet {
        days: vec![monday()],
    });
    member.apply(holiday());
    member.apply(StaffEvent::ServicesOffered {
        service_ids: Some(vec![Uuid::from_u128(11)]),
    });
    assert_eq!(member.working_hours_on(chrono::Weekday::Mon), [&monday()]);
    assert!(member.working_hours_on(Weekday::Tue).is_empty());
    assert!(member.is_off_during(at(25, 10), at(25, 11)));
    assert!(!member.is_off_during(at(23, 10), at(23, 11)));
    assert!(!member.offers(service));
    assert_eq!(member.time_off().len(), 1);
    member.apply(StaffEvent::TimeOffRemoved {
        time_off_id: Uuid::from_u128(7),
    });
    member.apply(StaffEvent::StaffMemberDeactivated);
    assert!(member.time_off().is_empty() && !member.is_active());
    assert!(member.belongs_to(TENANT) && !member.belongs_to(OTHER_TENANT));
}

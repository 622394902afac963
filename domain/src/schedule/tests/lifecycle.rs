//! Given/when/then of who may act on a schedule, retried reservations, releases and the reads
//! booking relies on.

use super::*;

#[test]
fn another_business_cannot_see_the_schedule() {
    let mut theirs = appointment(SECOND, at(14, 0), 30, 0);
    if let ScheduleCommand::Reserve { tenant_id, .. } = &mut theirs {
        *tenant_id = THEIRS;
    }
    let release_theirs = ScheduleCommand::Release {
        reservation_id: FIRST,
        tenant_id: THEIRS,
    };
    for command in [theirs, release_theirs] {
        ScheduleTest::with(())
            .given(vec![reserved(ten_oclock())])
            .when(command)
            .then_expect_error(ScheduleError::NotFound);
    }
}

#[test]
fn a_command_for_another_staff_member_or_date_is_refused() {
    let (mut other_staff, mut other_date) = (
        appointment(SECOND, at(14, 0), 30, 0),
        appointment(SECOND, at(14, 0), 30, 0),
    );
    if let ScheduleCommand::Reserve { staff_id, .. } = &mut other_staff {
        *staff_id = Uuid::from_u128(99);
    }
    if let ScheduleCommand::Reserve { date, .. } = &mut other_date {
        *date = monday() + TimeDelta::days(1);
    }
    for command in [other_staff, other_date] {
        ScheduleTest::with(())
            .given(vec![reserved(ten_oclock())])
            .when(command)
            .then_expect_error(ScheduleError::WrongSchedule);
    }
}

#[test]
fn reserving_the_same_reservation_again_records_nothing_even_if_the_hours_changed() {
    let mut retry = ten_oclock();
    if let ScheduleCommand::Reserve { open, .. } = &mut retry {
        open.clear();
    }
    ScheduleTest::with(())
        .given(vec![reserved(ten_oclock())])
        .when(retry)
        .then_expect_events(vec![]);
}

#[test]
fn the_same_reservation_with_other_times_or_kind_is_refused() {
    let moved = appointment(FIRST, at(14, 0), 30, 10);
    let longer = appointment(FIRST, at(10, 0), 30, 15);
    let as_time_off = reserve(FIRST, ReservationKind::TimeOff, at(10, 0), 30, 10);
    for command in [moved, longer, as_time_off] {
        ScheduleTest::with(())
            .given(vec![reserved(ten_oclock())])
            .when(command)
            .then_expect_error(ScheduleError::ReservationExists);
    }
}

#[test]
fn releasing_a_reservation_records_it() {
    ScheduleTest::with(())
        .given(vec![reserved(ten_oclock())])
        .when(release(FIRST))
        .then_expect_events(vec![released(FIRST)]);
}

#[test]
fn releasing_an_unknown_or_released_reservation_records_nothing() {
    ScheduleTest::with(())
        .given_no_previous_events()
        .when(release(FIRST))
        .then_expect_events(vec![]);
    ScheduleTest::with(())
        .given(vec![reserved(ten_oclock())])
        .when(release(SECOND))
        .then_expect_events(vec![]);
    ScheduleTest::with(())
        .given(vec![reserved(ten_oclock()), released(FIRST)])
        .when(release(FIRST))
        .then_expect_events(vec![]);
}

#[test]
fn a_released_slot_can_be_reserved_again() {
    let same_slot = appointment(SECOND, at(10, 0), 30, 10);
    ScheduleTest::with(())
        .given(vec![reserved(ten_oclock()), released(FIRST)])
        .when(same_slot.clone())
        .then_expect_events(vec![reserved(same_slot)]);
}

#[test]
fn a_released_reservation_id_cannot_be_reserved_again() {
    ScheduleTest::with(())
        .given(vec![reserved(ten_oclock()), released(FIRST)])
        .when(ten_oclock())
        .then_expect_error(ScheduleError::ReservationReleased);
}

#[test]
fn reads_show_the_live_reservations() {
    let mut schedule = Schedule::default();
    let lunch_time_off = time_off(SECOND, at(13, 0), 60);
    for event in [
        reserved(lunch_time_off),
        reserved(ten_oclock()),
        reserved(appointment(Uuid::from_u128(12), at(15, 0), 30, 0)),
        released(Uuid::from_u128(12)),
    ] {
        schedule.apply(event);
    }
    assert!(schedule.belongs_to(MINE) && !schedule.belongs_to(THEIRS));
    assert!(schedule.is_reserved(FIRST) && schedule.is_reserved(SECOND));
    assert!(!schedule.is_reserved(Uuid::from_u128(12)));
    let ids: Vec<Uuid> = schedule.reservations().iter().map(|r| r.id).collect();
    assert_eq!(ids, [FIRST, SECOND], "sorted by start");
}

//! Given/when/then for every command of the Schedule aggregate and every refusal. Here the rules
//! a reservation must pass; who may act, retries, releases and reads are in [`lifecycle`]. The
//! day is a Monday in British Summer Time (UTC+1), so local and UTC times differ as they do in
//! life; [`at`] takes local wall-clock times.

use chrono::{NaiveTime, TimeDelta, TimeZone};
use chrono_tz::Europe::London;
use cqrs_es::test::TestFramework;

use super::*;

mod lifecycle;
mod moves;

pub(super) type ScheduleTest = TestFramework<Schedule>;

pub(super) const MINE: Uuid = Uuid::nil();
pub(super) const THEIRS: Uuid = Uuid::from_u128(1);
pub(super) const JO: Uuid = Uuid::from_u128(2);
pub(super) const FIRST: Uuid = Uuid::from_u128(10);
pub(super) const SECOND: Uuid = Uuid::from_u128(11);

pub(super) fn monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).expect("date")
}

/// 2026-06-01 at `h:m` in London, in UTC.
pub(super) fn at(h: u32, m: u32) -> DateTime<Utc> {
    London
        .with_ymd_and_hms(2026, 6, 1, h, m, 0)
        .single()
        .expect("instant")
        .with_timezone(&Utc)
}

pub(super) fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("time")
}

/// 09:00–17:00 with lunch 12:00–12:30.
pub(super) fn open() -> Vec<Interval> {
    day::open_intervals(
        London,
        monday(),
        &[(time(9, 0), time(17, 0))],
        &[(time(12, 0), time(12, 30))],
        &[],
    )
}

pub(super) fn reserve(
    id: Uuid,
    kind: ReservationKind,
    starts_at: DateTime<Utc>,
    minutes: i64,
    buffer: i64,
) -> ScheduleCommand {
    let ends_at = starts_at + TimeDelta::minutes(minutes);
    ScheduleCommand::Reserve {
        reservation_id: id,
        tenant_id: MINE,
        staff_id: JO,
        date: monday(),
        tz: London,
        kind,
        starts_at,
        ends_at,
        blocked_until: ends_at + TimeDelta::minutes(buffer),
        open: open(),
        holder: id,
    }
}

pub(super) fn appointment(
    id: Uuid,
    starts_at: DateTime<Utc>,
    minutes: i64,
    buffer: i64,
) -> ScheduleCommand {
    reserve(id, ReservationKind::Appointment, starts_at, minutes, buffer)
}

pub(super) fn time_off(id: Uuid, starts_at: DateTime<Utc>, minutes: i64) -> ScheduleCommand {
    reserve(id, ReservationKind::TimeOff, starts_at, minutes, 0)
}

/// The event a successful `command` records.
pub(super) fn reserved(command: ScheduleCommand) -> ScheduleEvent {
    let ScheduleCommand::Reserve {
        reservation_id,
        tenant_id,
        staff_id,
        date,
        kind,
        starts_at,
        ends_at,
        blocked_until,
        holder,
        ..
    } = command
    else {
        panic!("not a reservation");
    };
    ScheduleEvent::SlotReserved {
        reservation_id,
        business_id: tenant_id,
        staff_id,
        date,
        kind,
        starts_at,
        ends_at,
        blocked_until,
        holder: Some(holder),
    }
}

pub(super) fn release(id: Uuid) -> ScheduleCommand {
    ScheduleCommand::Release {
        reservation_id: id,
        tenant_id: MINE,
    }
}

pub(super) fn released(id: Uuid) -> ScheduleEvent {
    ScheduleEvent::SlotReleased { reservation_id: id }
}

/// A 30-minute haircut at 10:00 with a 10-minute buffer: the chair is blocked until 10:40.
pub(super) fn ten_oclock() -> ScheduleCommand {
    appointment(FIRST, at(10, 0), 30, 10)
}

#[test]
fn the_schedule_id_is_the_staff_member_and_the_local_date() {
    let id = ScheduleId::new(JO, monday());
    assert_eq!(
        id.to_string(),
        "00000000-0000-0000-0000-000000000002:2026-06-01"
    );
    assert_eq!(id.to_string().parse::<ScheduleId>(), Ok(id));
    assert!("00000000-0000-0000-0000-000000000002"
        .parse::<ScheduleId>()
        .is_err());
    assert!("x:2026-06-01".parse::<ScheduleId>().is_err());
}

#[test]
fn reserving_a_free_slot_records_it() {
    ScheduleTest::with(())
        .given_no_previous_events()
        .when(ten_oclock())
        .then_expect_events(vec![reserved(ten_oclock())]);
}

#[test]
fn a_slot_that_only_touches_the_buffer_of_another_is_free() {
    let next = appointment(SECOND, at(10, 40), 30, 0);
    ScheduleTest::with(())
        .given(vec![reserved(ten_oclock())])
        .when(next.clone())
        .then_expect_events(vec![reserved(next)]);
    let before = appointment(SECOND, at(9, 30), 30, 0);
    ScheduleTest::with(())
        .given(vec![reserved(ten_oclock())])
        .when(before.clone())
        .then_expect_events(vec![reserved(before)]);
}

#[test]
fn the_buffer_blocks_the_next_slot() {
    ScheduleTest::with(())
        .given(vec![reserved(ten_oclock())])
        .when(appointment(SECOND, at(10, 30), 30, 0))
        .then_expect_error(ScheduleError::SlotTaken { conflicting: FIRST });
}

#[test]
fn a_slot_whose_own_buffer_reaches_into_the_next_booking_is_taken() {
    ScheduleTest::with(())
        .given(vec![reserved(ten_oclock())])
        .when(appointment(SECOND, at(9, 30), 25, 10))
        .then_expect_error(ScheduleError::SlotTaken { conflicting: FIRST });
}

#[test]
fn overlapping_slots_are_taken_whichever_way_they_overlap() {
    for (starts_at, minutes) in [
        (at(10, 0), 30),
        (at(9, 45), 30),
        (at(10, 15), 10),
        (at(9, 30), 90),
    ] {
        ScheduleTest::with(())
            .given(vec![reserved(ten_oclock())])
            .when(appointment(SECOND, starts_at, minutes, 0))
            .then_expect_error(ScheduleError::SlotTaken { conflicting: FIRST });
    }
}

#[test]
fn an_appointment_must_lie_inside_one_open_interval() {
    let cases = [
        ("before opening", at(8, 30), 30, 0),
        ("into opening", at(8, 45), 30, 0),
        ("during lunch", at(12, 0), 30, 0),
        ("across lunch", at(11, 45), 60, 0),
        ("past closing", at(16, 45), 30, 0),
    ];
    for (case, starts_at, minutes, buffer) in cases {
        let refused = ScheduleTest::with(())
            .given_no_previous_events()
            .when(appointment(FIRST, starts_at, minutes, buffer));
        assert_eq!(
            refused.inspect_result(),
            Err(ScheduleError::OutsideWorkingHours),
            "{case}"
        );
    }
}

#[test]
fn an_appointment_may_fill_an_open_interval_exactly() {
    for command in [
        appointment(FIRST, at(9, 0), 180, 0),
        appointment(FIRST, at(16, 30), 25, 5),
    ] {
        ScheduleTest::with(())
            .given_no_previous_events()
            .when(command.clone())
            .then_expect_events(vec![reserved(command)]);
    }
}

#[test]
fn the_buffer_is_clean_up_time_that_may_run_into_lunch_or_past_closing() {
    // lunch is 12:00-12:30 and the day ends at 17:00: the last slots before each can be booked
    for command in [
        appointment(FIRST, at(11, 30), 30, 10),
        appointment(FIRST, at(16, 30), 30, 15),
    ] {
        ScheduleTest::with(())
            .given_no_previous_events()
            .when(command.clone())
            .then_expect_events(vec![reserved(command)]);
    }
}

#[test]
fn the_buffer_still_keeps_clear_of_the_next_reservation() {
    // the 10:00 appointment's buffer would end at 10:40, where the next one already starts
    ScheduleTest::with(())
        .given(vec![reserved(appointment(SECOND, at(10, 35), 30, 0))])
        .when(appointment(FIRST, at(10, 0), 30, 10))
        .then_expect_error(ScheduleError::SlotTaken {
            conflicting: SECOND,
        });
}

#[test]
fn time_off_needs_no_working_hours() {
    let early = time_off(FIRST, at(6, 0), 120);
    ScheduleTest::with(())
        .given_no_previous_events()
        .when(early.clone())
        .then_expect_events(vec![reserved(early)]);
}

#[test]
fn an_appointment_during_time_off_is_refused_as_such() {
    ScheduleTest::with(())
        .given(vec![reserved(time_off(FIRST, at(13, 0), 120))])
        .when(appointment(SECOND, at(14, 30), 30, 0))
        .then_expect_error(ScheduleError::DuringTimeOff { conflicting: FIRST });
}

#[test]
fn time_off_over_a_booked_appointment_is_refused() {
    ScheduleTest::with(())
        .given(vec![reserved(ten_oclock())])
        .when(time_off(SECOND, at(9, 0), 120))
        .then_expect_error(ScheduleError::ConflictsWithAppointment { conflicting: FIRST });
}

#[test]
fn time_off_over_time_off_is_refused() {
    ScheduleTest::with(())
        .given(vec![reserved(time_off(FIRST, at(13, 0), 120))])
        .when(time_off(SECOND, at(14, 0), 120))
        .then_expect_error(ScheduleError::DuringTimeOff { conflicting: FIRST });
}

#[test]
fn a_reservation_must_start_before_it_ends_and_its_buffer_cannot_end_before_it() {
    let mut cases = vec![
        appointment(FIRST, at(10, 0), 0, 10),
        appointment(FIRST, at(10, 0), -30, 40),
        time_off(FIRST, at(10, 0), 0),
    ];
    if let ScheduleCommand::Reserve {
        blocked_until,
        ends_at,
        ..
    } = &mut cases[0]
    {
        *ends_at += TimeDelta::minutes(30);
        *blocked_until = *ends_at - TimeDelta::minutes(5);
    }
    for command in cases {
        let refused = ScheduleTest::with(())
            .given_no_previous_events()
            .when(command.clone());
        assert_eq!(
            refused.inspect_result(),
            Err(ScheduleError::InvalidInterval),
            "{command:?}"
        );
    }
}

#[test]
fn a_reservation_must_lie_within_the_local_day() {
    // 23:30 London is 22:30 UTC, still Monday; 00:30 London on Tuesday is Monday 23:30 UTC
    let late = time_off(FIRST, at(23, 0), 60);
    ScheduleTest::with(())
        .given_no_previous_events()
        .when(late.clone())
        .then_expect_events(vec![reserved(late)]);
    let cases = [
        time_off(FIRST, at(23, 30), 60),
        time_off(FIRST, at(0, 0) - TimeDelta::minutes(30), 60),
        appointment(FIRST, at(10, 0) + TimeDelta::days(1), 30, 0),
    ];
    for command in cases {
        let refused = ScheduleTest::with(())
            .given_no_previous_events()
            .when(command.clone());
        assert_eq!(
            refused.inspect_result(),
            Err(ScheduleError::OutsideDay),
            "{command:?}"
        );
    }
}

#[test]
fn a_whole_day_of_time_off_fits_even_when_the_clocks_change() {
    let sunday = NaiveDate::from_ymd_opt(2026, 3, 29).expect("date");
    let day = day::day_bounds(London, sunday);
    let command = ScheduleCommand::Reserve {
        reservation_id: FIRST,
        tenant_id: MINE,
        staff_id: JO,
        date: sunday,
        tz: London,
        kind: ReservationKind::TimeOff,
        starts_at: day.start,
        ends_at: day.end,
        blocked_until: day.end,
        open: vec![],
        holder: FIRST,
    };
    ScheduleTest::with(())
        .given_no_previous_events()
        .when(command.clone())
        .then_expect_events(vec![reserved(command)]);
}

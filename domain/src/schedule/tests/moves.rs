//! Moving a reservation within its day.

use super::*;

const MOVED: Uuid = Uuid::from_u128(12);

fn move_to(id: Uuid, replaces: Uuid, starts_at: DateTime<Utc>, minutes: i64) -> ScheduleCommand {
    ScheduleCommand::Move {
        reservation_id: id,
        replaces,
        tenant_id: MINE,
        staff_id: JO,
        date: monday(),
        tz: London,
        starts_at,
        ends_at: starts_at + TimeDelta::minutes(minutes),
        blocked_until: starts_at + TimeDelta::minutes(minutes),
        open: open(),
        holder: id,
    }
}

#[test]
fn a_move_may_overlap_the_stretch_it_replaces_and_releases_it_in_the_same_append() {
    ScheduleTest::with(())
        .given(vec![reserved(appointment(FIRST, at(10, 0), 30, 0))])
        .when(move_to(MOVED, FIRST, at(10, 15), 30))
        .then_expect_events(vec![
            released(FIRST),
            reserved(appointment(MOVED, at(10, 15), 30, 0)),
        ]);
}

#[test]
fn a_move_onto_another_booking_is_refused() {
    ScheduleTest::with(())
        .given(vec![
            reserved(appointment(FIRST, at(10, 0), 30, 0)),
            reserved(appointment(SECOND, at(11, 0), 30, 0)),
        ])
        .when(move_to(MOVED, FIRST, at(10, 45), 30))
        .then_expect_error(ScheduleError::SlotTaken {
            conflicting: SECOND,
        });
}

#[test]
fn a_move_follows_the_working_hours_rules() {
    ScheduleTest::with(())
        .given(vec![reserved(appointment(FIRST, at(10, 0), 30, 0))])
        .when(move_to(MOVED, FIRST, at(12, 0), 30))
        .then_expect_error(ScheduleError::OutsideWorkingHours);
}

#[test]
fn a_move_whose_old_stretch_is_elsewhere_only_reserves() {
    ScheduleTest::with(())
        .given_no_previous_events()
        .when(move_to(MOVED, FIRST, at(10, 0), 30))
        .then_expect_events(vec![reserved(appointment(MOVED, at(10, 0), 30, 0))]);
}

#[test]
fn a_move_decided_again_records_nothing() {
    ScheduleTest::with(())
        .given(vec![
            reserved(appointment(FIRST, at(10, 0), 30, 0)),
            released(FIRST),
            reserved(appointment(MOVED, at(10, 15), 30, 0)),
        ])
        .when(move_to(MOVED, FIRST, at(10, 15), 30))
        .then_expect_events(vec![]);
}

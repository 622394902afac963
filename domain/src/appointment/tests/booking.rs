//! Booking: the facts recorded, a walk-in checked in from the start, an idempotent retry, and
//! every refusal of a bad booking.

use super::*;

#[test]
fn booking_records_the_booking_as_booked() {
    AppointmentTest::with(())
        .given_no_previous_events()
        .when(book(AppointmentSource::Online))
        .then_expect_events(vec![booked()]);
}

#[test]
fn a_walk_in_starts_checked_in() {
    AppointmentTest::with(())
        .given_no_previous_events()
        .when(book(AppointmentSource::WalkIn))
        .then_expect_events(vec![booked_as(
            AppointmentSource::WalkIn,
            AppointmentStatus::CheckedIn,
        )]);
}

#[test]
fn a_walk_in_may_start_a_moment_ago() {
    let mut command = book(AppointmentSource::WalkIn);
    set_book(&mut command, |b| *b.now = at(7, 10, 2));
    AppointmentTest::with(())
        .given_no_previous_events()
        .when(command)
        .then_expect_events(vec![booked_as(
            AppointmentSource::WalkIn,
            AppointmentStatus::CheckedIn,
        )]);
}

#[test]
fn booking_again_with_the_same_facts_records_nothing_even_after_the_start() {
    let mut retry = book(AppointmentSource::Online);
    set_book(&mut retry, |b| *b.now = at(7, 11, 0));
    AppointmentTest::with(())
        .given(vec![booked()])
        .when(retry)
        .then_expect_events(vec![]);
}

#[test]
fn booking_an_existing_id_with_other_facts_is_refused() {
    let mut other = book(AppointmentSource::Online);
    if let AppointmentCommand::Book { staff_id, .. } = &mut other {
        *staff_id = OTHER_BARBER;
    }
    AppointmentTest::with(())
        .given(vec![booked()])
        .when(other)
        .then_expect_error(AppointmentError::AlreadyBooked);
}

#[test]
fn bad_bookings_are_refused() {
    type Edit = fn(&mut AppointmentCommand);
    let cases: [(Edit, AppointmentError); 7] = [
        (
            |c| set_book(c, |b| *b.ends_at = *b.starts_at),
            AppointmentError::InvalidInterval,
        ),
        (
            |c| set_book(c, |b| *b.ends_at = at(7, 9, 30)),
            AppointmentError::InvalidInterval,
        ),
        (
            |c| set_book(c, |b| *b.blocked_until = at(7, 10, 29)),
            AppointmentError::InvalidInterval,
        ),
        (
            |c| set_book(c, |b| *b.schedule_date = date(9)),
            AppointmentError::InvalidScheduleDate,
        ),
        (
            |c| set_book(c, |b| *b.price_cents = -1),
            AppointmentError::InvalidPrice(-1),
        ),
        (
            |c| set_book(c, |b| *b.now = at(7, 10, 1)),
            AppointmentError::InThePast,
        ),
        (
            |c| set_book(c, |b| *b.now = at(8, 0, 0)),
            AppointmentError::InThePast,
        ),
    ];
    for (edit, error) in cases {
        let mut command = book(AppointmentSource::Phone);
        edit(&mut command);
        AppointmentTest::with(())
            .given_no_previous_events()
            .when(command)
            .then_expect_error(error);
    }
}

#[test]
fn a_booking_at_the_present_moment_is_not_in_the_past() {
    let mut command = book(AppointmentSource::FrontDesk);
    set_book(&mut command, |b| *b.now = start());
    AppointmentTest::with(())
        .given_no_previous_events()
        .when(command)
        .then_expect_events(vec![booked_as(
            AppointmentSource::FrontDesk,
            AppointmentStatus::Booked,
        )]);
}

#[test]
fn the_schedule_date_may_be_the_utc_date_or_a_day_either_side() {
    for day in [6, 7, 8] {
        let mut command = book(AppointmentSource::Online);
        set_book(&mut command, |b| *b.schedule_date = date(day));
        let events = AppointmentTest::with(())
            .given_no_previous_events()
            .when(command)
            .inspect_result();
        assert!(events.is_ok_and(|e| e.len() == 1), "day {day}");
    }
}

/// Mutable views of the fields of a `Book` command the tests vary.
struct BookFields<'a> {
    starts_at: &'a mut DateTime<Utc>,
    ends_at: &'a mut DateTime<Utc>,
    blocked_until: &'a mut DateTime<Utc>,
    schedule_date: &'a mut NaiveDate,
    price_cents: &'a mut i64,
    now: &'a mut DateTime<Utc>,
}

fn set_book(command: &mut AppointmentCommand, edit: impl FnOnce(BookFields<'_>)) {
    if let AppointmentCommand::Book {
        starts_at,
        ends_at,
        blocked_until,
        schedule_date,
        price_cents,
        now,
        ..
    } = command
    {
        edit(BookFields {
            starts_at,
            ends_at,
            blocked_until,
            schedule_date,
            price_cents,
            now,
        });
    }
}

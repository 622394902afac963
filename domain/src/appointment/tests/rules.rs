//! The rules that depend on times and money: the cancellation window, the no-show time, the
//! payment at completion, rescheduling; and which repeats are harmless.

use chrono::Duration;
use events::appointment::AppointmentStatus as S;

use super::*;

fn cancel(now: DateTime<Utc>, reason: Option<&str>) -> AppointmentCommand {
    AppointmentCommand::Cancel {
        tenant_id: TENANT,
        now,
        by: "customer".into(),
        reason: reason.map(Into::into),
        cancellation_window_minutes: 24 * 60,
    }
}

fn cancelled(now: DateTime<Utc>, late: bool) -> AppointmentEvent {
    AppointmentEvent::AppointmentCancelled {
        at: now,
        by: "customer".into(),
        reason: None,
        late,
    }
}

#[test]
fn a_cancellation_is_late_only_inside_the_window() {
    // a 24-hour window before 7 December 10:00
    let cases = [
        (at(6, 9, 59), false),
        (at(6, 10, 0), false),
        (at(6, 10, 1), true),
        (at(7, 9, 59), true),
        (at(7, 10, 30), true),
    ];
    for (now, late) in cases {
        for status in [S::Booked, S::Confirmed] {
            AppointmentTest::with(())
                .given(history(status))
                .when(cancel(now, None))
                .then_expect_events(vec![cancelled(now, late)]);
        }
    }
}

#[test]
fn with_no_window_only_a_cancellation_after_the_start_is_late() {
    for (now, late) in [(at(7, 10, 0), false), (at(7, 10, 1), true)] {
        AppointmentTest::with(())
            .given(history(S::Booked))
            .when(AppointmentCommand::Cancel {
                tenant_id: TENANT,
                now,
                by: "customer".into(),
                reason: None,
                cancellation_window_minutes: 0,
            })
            .then_expect_events(vec![cancelled(now, late)]);
    }
}

#[test]
fn a_cancellation_reason_is_trimmed_and_a_blank_one_dropped() {
    let now = at(2, 9, 0);
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(cancel(now, Some("  ill  ")))
        .then_expect_events(vec![AppointmentEvent::AppointmentCancelled {
            at: now,
            by: "customer".into(),
            reason: Some("ill".into()),
            late: false,
        }]);
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(cancel(now, Some("   ")))
        .then_expect_events(vec![cancelled(now, false)]);
}

#[test]
fn an_overlong_cancellation_reason_is_refused() {
    let reason = "x".repeat(MAX_REASON + 1);
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(cancel(at(2, 9, 0), Some(&reason)))
        .then_expect_error(AppointmentError::ReasonTooLong);
}

#[test]
fn cancelling_again_records_nothing_and_keeps_the_first_cancellation() {
    AppointmentTest::with(())
        .given(history(S::Cancelled))
        .when(cancel(at(7, 9, 0), Some("changed my mind twice")))
        .then_expect_events(vec![]);
}

fn no_show(now: DateTime<Utc>) -> AppointmentCommand {
    AppointmentCommand::MarkNoShow {
        tenant_id: TENANT,
        now,
    }
}

#[test]
fn a_no_show_is_refused_until_after_the_start() {
    for now in [at(7, 9, 59), start()] {
        AppointmentTest::with(())
            .given(history(S::Booked))
            .when(no_show(now))
            .then_expect_error(AppointmentError::TooEarlyForNoShow);
    }
}

#[test]
fn a_no_show_is_recorded_one_minute_after_the_start() {
    for status in [S::Booked, S::Confirmed, S::CheckedIn] {
        AppointmentTest::with(())
            .given(history(status))
            .when(no_show(at(7, 10, 1)))
            .then_expect_events(vec![AppointmentEvent::AppointmentMarkedNoShow {
                at: at(7, 10, 1),
            }]);
    }
}

fn complete(amount_paid_cents: i64, tip_cents: i64, method: PaymentMethod) -> AppointmentCommand {
    AppointmentCommand::Complete {
        tenant_id: TENANT,
        now: at(7, 10, 31),
        amount_paid_cents,
        tip_cents,
        payment_method: method,
    }
}

#[test]
fn a_free_service_without_a_tip_can_be_completed() {
    AppointmentTest::with(())
        .given(history(S::InService))
        .when(complete(0, 0, PaymentMethod::Other))
        .then_expect_events(vec![AppointmentEvent::AppointmentCompleted {
            at: at(7, 10, 31),
            amount_paid_cents: 0,
            tip_cents: 0,
            payment_method: PaymentMethod::Other,
        }]);
}

#[test]
fn negative_or_absurd_amounts_are_refused() {
    let too_much = MAX_AMOUNT + 1;
    for (amount, tip) in [(-1, 0), (0, -1), (too_much, 0), (0, too_much)] {
        AppointmentTest::with(())
            .given(history(S::InService))
            .when(complete(amount, tip, PaymentMethod::Cash))
            .then_expect_error(AppointmentError::InvalidPayment);
    }
}

#[test]
fn completing_again_records_nothing_but_a_different_payment_is_refused() {
    AppointmentTest::with(())
        .given(history(S::Completed))
        .when(complete(2500, 300, PaymentMethod::Card))
        .then_expect_events(vec![]);
    for other in [
        complete(2500, 0, PaymentMethod::Card),
        complete(2000, 300, PaymentMethod::Card),
        complete(2500, 300, PaymentMethod::Cash),
    ] {
        AppointmentTest::with(())
            .given(history(S::Completed))
            .when(other)
            .then_expect_error(AppointmentError::AlreadyCompleted);
    }
}

fn reschedule(staff_id: Uuid, starts_at: DateTime<Utc>, now: DateTime<Utc>) -> AppointmentCommand {
    AppointmentCommand::Reschedule {
        tenant_id: TENANT,
        staff_id,
        starts_at,
        ends_at: starts_at + Duration::minutes(30),
        blocked_until: starts_at + Duration::minutes(40),
        schedule_date: starts_at.date_naive(),
        now,
    }
}

fn rescheduled(staff_id: Uuid, starts_at: DateTime<Utc>) -> AppointmentEvent {
    AppointmentEvent::AppointmentRescheduled {
        staff_id,
        starts_at,
        ends_at: starts_at + Duration::minutes(30),
        blocked_until: starts_at + Duration::minutes(40),
        schedule_date: starts_at.date_naive(),
        previous_staff_id: BARBER,
        previous_starts_at: start(),
        previous_schedule_date: date(7),
    }
}

#[test]
fn rescheduling_moves_the_slot_and_keeps_the_status() {
    for status in [S::Booked, S::Confirmed] {
        let event = rescheduled(OTHER_BARBER, at(8, 14, 0));
        AppointmentTest::with(())
            .given(history(status))
            .when(reschedule(OTHER_BARBER, at(8, 14, 0), at(2, 9, 0)))
            .then_expect_events(vec![event.clone()]);
        let mut events = history(status);
        events.push(event);
        let moved = replay(events);
        assert_eq!(moved.status(), Some(status));
        assert_eq!(moved.staff_id(), Some(OTHER_BARBER));
        assert_eq!(moved.starts_at(), Some(at(8, 14, 0)));
        assert_eq!(moved.ends_at(), Some(at(8, 14, 30)));
        assert_eq!(moved.blocked_until(), Some(at(8, 14, 40)));
        assert_eq!(moved.schedule_date(), Some(date(8)));
    }
}

#[test]
fn a_late_customer_can_be_moved_to_a_later_slot() {
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(reschedule(BARBER, at(7, 11, 0), at(7, 10, 15)))
        .then_expect_events(vec![rescheduled(BARBER, at(7, 11, 0))]);
}

#[test]
fn rescheduling_into_the_past_is_refused() {
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(reschedule(BARBER, at(7, 11, 0), at(7, 11, 1)))
        .then_expect_error(AppointmentError::InThePast);
}

#[test]
fn rescheduling_to_a_bad_slot_is_refused() {
    let mut reversed = reschedule(BARBER, at(8, 10, 0), at(2, 9, 0));
    let mut wrong_day = reversed.clone();
    if let AppointmentCommand::Reschedule { ends_at, .. } = &mut reversed {
        *ends_at = at(8, 9, 0);
    }
    if let AppointmentCommand::Reschedule { schedule_date, .. } = &mut wrong_day {
        *schedule_date = date(10);
    }
    for (command, error) in [
        (reversed, AppointmentError::InvalidInterval),
        (wrong_day, AppointmentError::InvalidScheduleDate),
    ] {
        AppointmentTest::with(())
            .given(history(S::Booked))
            .when(command)
            .then_expect_error(error);
    }
}

#[test]
fn rescheduling_to_where_it_already_is_records_nothing_even_after_the_start() {
    let event = rescheduled(OTHER_BARBER, at(8, 14, 0));
    AppointmentTest::with(())
        .given(vec![booked(), event])
        .when(reschedule(OTHER_BARBER, at(8, 14, 0), at(9, 9, 0)))
        .then_expect_events(vec![]);
}

#[test]
fn rescheduling_twice_reports_the_slot_it_moved_from() {
    let first = rescheduled(OTHER_BARBER, at(8, 14, 0));
    AppointmentTest::with(())
        .given(vec![booked(), first])
        .when(reschedule(BARBER, at(9, 9, 0), at(2, 9, 0)))
        .then_expect_events(vec![AppointmentEvent::AppointmentRescheduled {
            staff_id: BARBER,
            starts_at: at(9, 9, 0),
            ends_at: at(9, 9, 30),
            blocked_until: at(9, 9, 40),
            schedule_date: date(9),
            previous_staff_id: OTHER_BARBER,
            previous_starts_at: at(8, 14, 0),
            previous_schedule_date: date(8),
        }]);
}

#[test]
fn repeating_a_transition_records_nothing() {
    let cases = [
        (
            S::Confirmed,
            AppointmentCommand::Confirm { tenant_id: TENANT },
        ),
        (
            S::CheckedIn,
            AppointmentCommand::CheckIn {
                tenant_id: TENANT,
                now: at(7, 9, 58),
                today: date(7),
                opens_minutes: 60,
            },
        ),
        (
            S::InService,
            AppointmentCommand::Start {
                tenant_id: TENANT,
                now: at(7, 10, 2),
                today: date(7),
            },
        ),
        (S::NoShow, no_show(at(7, 10, 20))),
    ];
    for (status, command) in cases {
        AppointmentTest::with(())
            .given(history(status))
            .when(command)
            .then_expect_events(vec![]);
    }
}

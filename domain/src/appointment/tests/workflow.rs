//! The status workflow of DESIGN §4: each allowed transition given/when/then, then the whole
//! status × command table, written out here independently of `workflow.rs` so that a change to
//! the policy has to change both.

use events::appointment::AppointmentStatus as S;

use super::*;

#[test]
fn confirming_a_booked_appointment_records_it() {
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(AppointmentCommand::Confirm { tenant_id: TENANT })
        .then_expect_events(vec![AppointmentEvent::AppointmentConfirmed {}]);
}

#[test]
fn checking_in_works_from_booked_and_from_confirmed() {
    for status in [S::Booked, S::Confirmed] {
        AppointmentTest::with(())
            .given(history(status))
            .when(AppointmentCommand::CheckIn {
                tenant_id: TENANT,
                now: at(7, 9, 50),
                today: date(7),
                opens_minutes: 60,
            })
            .then_expect_events(vec![AppointmentEvent::AppointmentCheckedIn {
                at: at(7, 9, 50),
            }]);
    }
}

#[test]
fn starting_a_checked_in_appointment_puts_it_in_service() {
    AppointmentTest::with(())
        .given(history(S::CheckedIn))
        .when(AppointmentCommand::Start {
            tenant_id: TENANT,
            now: at(7, 10, 0),
            today: date(7),
        })
        .then_expect_events(vec![AppointmentEvent::AppointmentStarted {
            at: at(7, 10, 0),
        }]);
}

#[test]
fn a_walk_in_can_be_started_straight_away() {
    AppointmentTest::with(())
        .given(vec![booked_as(AppointmentSource::WalkIn, S::CheckedIn)])
        .when(AppointmentCommand::Start {
            tenant_id: TENANT,
            now: at(7, 10, 0),
            today: date(7),
        })
        .then_expect_events(vec![AppointmentEvent::AppointmentStarted {
            at: at(7, 10, 0),
        }]);
}

#[test]
fn completing_a_service_in_progress_records_the_payment() {
    AppointmentTest::with(())
        .given(history(S::InService))
        .when(AppointmentCommand::Complete {
            tenant_id: TENANT,
            now: at(7, 10, 30),
            amount_paid_cents: 2500,
            tip_cents: 300,
            payment_method: PaymentMethod::Card,
        })
        .then_expect_events(vec![paid(at(7, 10, 30))]);
}

#[test]
fn starting_before_check_in_and_completing_before_start_are_refused() {
    for status in [S::Booked, S::Confirmed] {
        AppointmentTest::with(())
            .given(history(status))
            .when(AppointmentCommand::Start {
                tenant_id: TENANT,
                now: at(7, 10, 0),
                today: date(7),
            })
            .then_expect_error(AppointmentError::NotCheckedIn);
    }
    for status in [S::Booked, S::Confirmed, S::CheckedIn] {
        AppointmentTest::with(())
            .given(history(status))
            .when(AppointmentCommand::Complete {
                tenant_id: TENANT,
                now: at(7, 10, 30),
                amount_paid_cents: 2500,
                tip_cents: 0,
                payment_method: PaymentMethod::Cash,
            })
            .then_expect_error(AppointmentError::NotInService);
    }
}

/// What one command does from one status.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// Records one event, after which the appointment is in this status.
    To(S),
    /// Records nothing: the transition was already made.
    Same,
    Refused(AppointmentError),
}

#[test]
fn exactly_the_designed_transitions_are_allowed_from_each_status() {
    use AppointmentError as E;
    use Outcome::{Refused as No, Same, To};
    let later = [
        No(E::AlreadyCheckedIn),
        No(E::AlreadyInService),
        No(E::AlreadyCompleted),
        No(E::AlreadyCancelled),
        No(E::AlreadyNoShow),
    ];
    // columns: booked, confirmed, checked_in, in_service, completed, cancelled, no_show;
    // rows: the commands of `every_command`, in order
    let [ci, is, co, ca, ns] = later.clone();
    #[rustfmt::skip]
    let table: [[Outcome; 7]; 7] = [
        // confirm
        [To(S::Confirmed), Same, ci.clone(), is.clone(), co.clone(), ca.clone(), ns.clone()],
        // check in
        [To(S::CheckedIn), To(S::CheckedIn), Same, is.clone(), co.clone(), ca.clone(), ns.clone()],
        // start
        [No(E::NotCheckedIn), No(E::NotCheckedIn), To(S::InService), Same, co.clone(), ca.clone(), ns.clone()],
        // complete (with the same payment as the recorded completion)
        [No(E::NotInService), No(E::NotInService), No(E::NotInService), To(S::Completed), Same, ca.clone(), ns.clone()],
        // cancel
        [To(S::Cancelled), To(S::Cancelled), ci.clone(), is.clone(), co.clone(), Same, ns.clone()],
        // mark no-show
        [To(S::NoShow), To(S::NoShow), To(S::NoShow), is.clone(), co.clone(), ca.clone(), Same],
        // reschedule: keeps the status
        [To(S::Booked), To(S::Confirmed), ci, is, co, ca, ns],
    ];
    let mut allowed = 0;
    for (row, command) in table.iter().zip(every_command(TENANT)) {
        for (expected, status) in row.iter().zip(S::ALL) {
            let result = AppointmentTest::with(())
                .given(history(status))
                .when(command.clone())
                .inspect_result();
            let case = format!("{command:?} from {status:?}");
            match (expected, result) {
                (To(next), Ok(events)) => {
                    assert_eq!(events.len(), 1, "{case}");
                    let mut all = history(status);
                    all.extend(events);
                    assert_eq!(replay(all).status(), Some(*next), "{case}");
                    allowed += 1;
                }
                (Same, Ok(events)) => assert_eq!(events, vec![], "{case}"),
                (No(error), Err(refusal)) => assert_eq!(&refusal, error, "{case}"),
                (expected, result) => panic!("{case}: expected {expected:?}, got {result:?}"),
            }
        }
    }
    // DESIGN §4: confirm 1, check in 2, start 1, complete 1, cancel 2, no-show 3, reschedule 2
    assert_eq!(allowed, 12);
}

fn check_in_at(now: DateTime<Utc>, today: NaiveDate) -> AppointmentCommand {
    AppointmentCommand::CheckIn {
        tenant_id: TENANT,
        now,
        today,
        opens_minutes: 60,
    }
}

#[test]
fn check_in_opens_an_hour_before_the_start_on_the_day() {
    // the appointment starts on the 7th at 10:00
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(check_in_at(at(7, 9, 0), date(7)))
        .then_expect_events(vec![AppointmentEvent::AppointmentCheckedIn {
            at: at(7, 9, 0),
        }]);
    for (now, today) in [
        (at(7, 8, 55), date(7)),
        (at(1, 10, 0), date(1)),
        (at(6, 23, 30), date(6)),
    ] {
        AppointmentTest::with(())
            .given(history(S::Booked))
            .when(check_in_at(now, today))
            .then_expect_error(AppointmentError::TooEarlyForCheckIn);
    }
}

#[test]
fn a_late_customer_is_checked_in_on_the_day_but_not_the_day_after() {
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(check_in_at(at(7, 16, 0), date(7)))
        .then_expect_events(vec![AppointmentEvent::AppointmentCheckedIn {
            at: at(7, 16, 0),
        }]);
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(check_in_at(at(8, 9, 0), date(8)))
        .then_expect_error(AppointmentError::DayPassed);
}

#[test]
fn a_service_starts_on_its_day_only() {
    AppointmentTest::with(())
        .given(history(S::CheckedIn))
        .when(AppointmentCommand::Start {
            tenant_id: TENANT,
            now: at(8, 0, 5),
            today: date(8),
        })
        .then_expect_error(AppointmentError::DayPassed);
}

#[test]
fn a_step_asked_for_a_chair_is_decided_only_in_that_chair() {
    let in_chair = |staff_id| AppointmentCommand::InChair {
        tenant_id: TENANT,
        staff_id,
        step: Box::new(AppointmentCommand::Confirm { tenant_id: TENANT }),
    };
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(in_chair(BARBER))
        .then_expect_events(vec![AppointmentEvent::AppointmentConfirmed {}]);
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(in_chair(OTHER_BARBER))
        .then_expect_error(AppointmentError::NotYourChair);
    // another business's appointment does not exist, whoever's chair it is
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(AppointmentCommand::InChair {
            tenant_id: Uuid::from_u128(2),
            staff_id: BARBER,
            step: Box::new(AppointmentCommand::Confirm { tenant_id: TENANT }),
        })
        .then_expect_error(AppointmentError::NotFound);
}

//! Given/when/then for what changes an appointment without moving its start: another service,
//! and notes.

use events::appointment::{AppointmentStatus as S, NotePii};

use super::*;

const FULL: Uuid = Uuid::from_u128(31);

fn to_full(price_cents: i64) -> AppointmentCommand {
    AppointmentCommand::ChangeService {
        tenant_id: TENANT,
        service_id: FULL,
        service_name: "Cut and beard".into(),
        ends_at: at(7, 11, 0),
        blocked_until: at(7, 11, 10),
        price_cents,
        currency: "GBP".into(),
    }
}

fn changed_to_full(price_cents: i64) -> AppointmentEvent {
    AppointmentEvent::AppointmentServiceChanged {
        service_id: FULL,
        service_name: "Cut and beard".into(),
        ends_at: at(7, 11, 0),
        blocked_until: at(7, 11, 10),
        price_cents,
        currency: "GBP".into(),
        previous_service_id: Uuid::from_u128(30),
    }
}

#[test]
fn another_service_is_recorded_until_the_service_starts() {
    for status in [S::Booked, S::Confirmed, S::CheckedIn] {
        AppointmentTest::with(())
            .given(history(status))
            .when(to_full(4000))
            .then_expect_events(vec![changed_to_full(4000)]);
    }
    AppointmentTest::with(())
        .given(history(S::InService))
        .when(to_full(4000))
        .then_expect_error(AppointmentError::AlreadyInService);
}

#[test]
fn the_same_change_again_records_nothing_and_a_new_slot_id_follows_it() {
    AppointmentTest::with(())
        .given(vec![booked(), changed_to_full(4000)])
        .when(to_full(4000))
        .then_expect_events(vec![]);
    let appointment = replay(vec![booked(), changed_to_full(4000)]);
    assert_eq!(appointment.service_id(), Some(FULL));
    assert_eq!(appointment.ends_at(), Some(at(7, 11, 0)));
    assert_eq!(
        appointment.reservation_id(),
        Some(slot_reservation_id(Uuid::from_u128(100), 1))
    );
}

#[test]
fn a_negative_price_or_one_beyond_any_real_amount_is_refused() {
    for price in [-1, crate::appointment::MAX_AMOUNT + 1, i64::MAX] {
        AppointmentTest::with(())
            .given(history(S::Booked))
            .when(to_full(price))
            .then_expect_error(AppointmentError::InvalidPrice(price));
    }
}

fn note(text: &str) -> AppointmentCommand {
    AppointmentCommand::AddNote {
        tenant_id: TENANT,
        note_id: Uuid::from_u128(50),
        by: "user-2".into(),
        text: text.into(),
        now: at(6, 18, 0),
    }
}

#[test]
fn a_note_is_recorded_trimmed_whatever_the_status() {
    for status in [S::Booked, S::Completed, S::Cancelled] {
        AppointmentTest::with(())
            .given(history(status))
            .when(note("  shorter on top  "))
            .then_expect_events(vec![AppointmentEvent::AppointmentNoteAdded {
                note_id: Uuid::from_u128(50),
                customer_id: Some(Uuid::from_u128(20)),
                by: "user-2".into(),
                at: at(6, 18, 0),
                pii: NotePii {
                    text: "shorter on top".into(),
                },
            }]);
    }
}

#[test]
fn a_blank_or_overlong_note_is_refused() {
    for text in ["   ".to_owned(), "x".repeat(MAX_NOTE + 1)] {
        AppointmentTest::with(())
            .given(history(S::Booked))
            .when(note(&text))
            .then_expect_error(AppointmentError::InvalidNote);
    }
}

#[test]
fn a_merge_hands_the_appointment_to_the_surviving_customer_whatever_its_status() {
    let survivor = Uuid::from_u128(21);
    for status in [
        S::Booked,
        S::CheckedIn,
        S::Completed,
        S::Cancelled,
        S::NoShow,
    ] {
        AppointmentTest::with(())
            .given(history(status))
            .when(AppointmentCommand::ChangeCustomer {
                tenant_id: TENANT,
                customer_id: survivor,
            })
            .then_expect_events(vec![AppointmentEvent::AppointmentCustomerChanged {
                previous: Uuid::from_u128(20),
                customer_id: survivor,
            }]);
    }
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(AppointmentCommand::ChangeCustomer {
            tenant_id: TENANT,
            customer_id: Uuid::from_u128(20),
        })
        .then_expect_events(vec![]);
    AppointmentTest::with(())
        .given(history(S::Booked))
        .when(AppointmentCommand::ChangeCustomer {
            tenant_id: OTHER_TENANT,
            customer_id: survivor,
        })
        .then_expect_error(AppointmentError::NotFound);
}

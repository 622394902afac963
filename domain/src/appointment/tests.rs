//! Given/when/then tests of the Appointment aggregate: the shared fixtures, tenancy and the read
//! methods are here; booking is in [`booking`]; the status workflow (every allowed transition,
//! the full status × command table) in [`workflow`]; the rules with times and money
//! (cancellation window, no-show, payment, reschedule) in [`rules`].

use chrono::TimeZone;
use cqrs_es::test::TestFramework;

use super::*;

mod booking;
mod changes;
mod rules;
mod workflow;

pub(super) type AppointmentTest = TestFramework<Appointment>;

pub(super) const TENANT: Uuid = Uuid::from_u128(1);
const OTHER_TENANT: Uuid = Uuid::from_u128(2);
pub(super) const BARBER: Uuid = Uuid::from_u128(10);
pub(super) const OTHER_BARBER: Uuid = Uuid::from_u128(11);

/// An instant in December 2026 (UTC).
pub(super) fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
        .single()
        .expect("instant")
}

pub(super) fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, day).expect("date")
}

/// The appointment's start: Monday 7 December 2026, 10:00 UTC.
pub(super) fn start() -> DateTime<Utc> {
    at(7, 10, 0)
}

/// When the booking was made, days before.
fn booking_time() -> DateTime<Utc> {
    at(1, 9, 0)
}

/// A 30-minute skin fade with a 10-minute buffer, booked online.
pub(super) fn book(source: AppointmentSource) -> AppointmentCommand {
    AppointmentCommand::Book {
        appointment_id: Uuid::from_u128(100),
        tenant_id: TENANT,
        customer_id: Uuid::from_u128(20),
        staff_id: BARBER,
        service_id: Uuid::from_u128(30),
        service_name: "Skin fade".into(),
        starts_at: start(),
        ends_at: at(7, 10, 30),
        blocked_until: at(7, 10, 40),
        price_cents: 2500,
        currency: "GBP".into(),
        source,
        schedule_date: date(7),
        booked_by: "user-1".into(),
        now: booking_time(),
    }
}

/// The event `book(source)` records.
pub(super) fn booked_as(source: AppointmentSource, status: AppointmentStatus) -> AppointmentEvent {
    AppointmentEvent::AppointmentBooked {
        appointment_id: Uuid::from_u128(100),
        business_id: TENANT,
        customer_id: Uuid::from_u128(20),
        staff_id: BARBER,
        service_id: Uuid::from_u128(30),
        service_name: "Skin fade".into(),
        starts_at: start(),
        ends_at: at(7, 10, 30),
        blocked_until: at(7, 10, 40),
        price_cents: 2500,
        currency: "GBP".into(),
        source,
        status,
        schedule_date: date(7),
        booked_by: "user-1".into(),
    }
}

pub(super) fn booked() -> AppointmentEvent {
    booked_as(AppointmentSource::Online, AppointmentStatus::Booked)
}

/// The payment every completion in these tests records.
pub(super) fn paid(at: DateTime<Utc>) -> AppointmentEvent {
    AppointmentEvent::AppointmentCompleted {
        at,
        amount_paid_cents: 2500,
        tip_cents: 300,
        payment_method: PaymentMethod::Card,
    }
}

/// The events that bring an appointment to `status` by the usual path.
pub(super) fn history(status: AppointmentStatus) -> Vec<AppointmentEvent> {
    use AppointmentEvent as Ev;
    use AppointmentStatus as S;
    let mut events = vec![booked()];
    let path: &[Ev] = match status {
        S::Booked => &[],
        S::Confirmed => &[Ev::AppointmentConfirmed {}],
        S::CheckedIn => &[Ev::AppointmentCheckedIn { at: at(7, 9, 55) }],
        S::InService => &[
            Ev::AppointmentCheckedIn { at: at(7, 9, 55) },
            Ev::AppointmentStarted { at: at(7, 10, 0) },
        ],
        S::Completed => &[
            Ev::AppointmentCheckedIn { at: at(7, 9, 55) },
            Ev::AppointmentStarted { at: at(7, 10, 0) },
        ],
        S::Cancelled => &[Ev::AppointmentCancelled {
            at: at(2, 9, 0),
            by: "customer".into(),
            reason: None,
            late: false,
        }],
        S::NoShow => &[Ev::AppointmentMarkedNoShow { at: at(7, 10, 15) }],
    };
    events.extend_from_slice(path);
    if status == S::Completed {
        events.push(paid(at(7, 10, 30)));
    }
    events
}

/// The appointment after `events`, for the read methods.
pub(super) fn replay(events: Vec<AppointmentEvent>) -> Appointment {
    let mut appointment = Appointment::default();
    for event in events {
        appointment.apply(event);
    }
    appointment
}

/// One command of each kind, as `tenant_id` would send it.
pub(super) fn every_command(tenant_id: Uuid) -> Vec<AppointmentCommand> {
    let now = at(7, 10, 1);
    vec![
        AppointmentCommand::Confirm { tenant_id },
        AppointmentCommand::CheckIn {
            tenant_id,
            now,
            today: date(7),
            opens_minutes: 60,
        },
        AppointmentCommand::Start {
            tenant_id,
            now,
            today: date(7),
        },
        AppointmentCommand::Complete {
            tenant_id,
            now,
            amount_paid_cents: 2500,
            tip_cents: 300,
            payment_method: PaymentMethod::Card,
        },
        AppointmentCommand::Cancel {
            tenant_id,
            now,
            by: "user-1".into(),
            reason: None,
            cancellation_window_minutes: 60,
        },
        AppointmentCommand::MarkNoShow { tenant_id, now },
        AppointmentCommand::Reschedule {
            tenant_id,
            staff_id: OTHER_BARBER,
            starts_at: at(8, 10, 0),
            ends_at: at(8, 10, 30),
            blocked_until: at(8, 10, 40),
            schedule_date: date(8),
            now,
        },
    ]
}

#[test]
fn every_command_on_a_never_booked_appointment_is_not_found() {
    for command in every_command(TENANT) {
        AppointmentTest::with(())
            .given_no_previous_events()
            .when(command)
            .then_expect_error(AppointmentError::NotFound);
    }
}

#[test]
fn another_business_cannot_touch_an_appointment() {
    for command in every_command(OTHER_TENANT) {
        AppointmentTest::with(())
            .given(vec![booked()])
            .when(command)
            .then_expect_error(AppointmentError::NotFound);
    }
}

#[test]
fn the_reads_answer_from_the_state() {
    let none = Appointment::default();
    assert!(!none.exists() && !none.is_active() && !none.belongs_to(TENANT));
    assert_eq!((none.status(), none.starts_at()), (None, None));

    let appointment = replay(vec![booked()]);
    assert!(appointment.exists() && appointment.belongs_to(TENANT));
    assert!(!appointment.belongs_to(OTHER_TENANT));
    assert_eq!(appointment.business_id(), Some(TENANT));
    assert_eq!(appointment.customer_id(), Some(Uuid::from_u128(20)));
    assert_eq!(appointment.service_id(), Some(Uuid::from_u128(30)));
    assert_eq!(appointment.status(), Some(AppointmentStatus::Booked));
    assert_eq!(appointment.staff_id(), Some(BARBER));
    assert_eq!(appointment.starts_at(), Some(start()));
    assert_eq!(appointment.ends_at(), Some(at(7, 10, 30)));
    assert_eq!(appointment.blocked_until(), Some(at(7, 10, 40)));
    assert_eq!(appointment.schedule_date(), Some(date(7)));
}

#[test]
fn only_booked_confirmed_checked_in_and_in_service_appointments_are_active() {
    for status in AppointmentStatus::ALL {
        let active = matches!(
            status,
            AppointmentStatus::Booked
                | AppointmentStatus::Confirmed
                | AppointmentStatus::CheckedIn
                | AppointmentStatus::InService
        );
        let appointment = replay(history(status));
        assert_eq!(appointment.status(), Some(status));
        assert_eq!(appointment.is_active(), active, "{status:?}");
    }
}

#[test]
fn error_codes_are_distinct() {
    use AppointmentError as E;
    let all = [
        E::NotFound,
        E::AlreadyBooked,
        E::InvalidInterval,
        E::InvalidScheduleDate,
        E::InvalidPrice(-1),
        E::InThePast,
        E::InvalidPayment,
        E::ReasonTooLong,
        E::NotCheckedIn,
        E::NotInService,
        E::TooEarlyForNoShow,
        E::AlreadyCheckedIn,
        E::AlreadyInService,
        E::AlreadyCompleted,
        E::AlreadyCancelled,
        E::AlreadyNoShow,
    ];
    let mut codes: Vec<_> = all.iter().map(AppointmentError::code).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
}

/// The auditor's view of a record ([`crate::replay`]) folds the stored payloads; it must be the
/// state the command side decided on, step by step: booked, rescheduled, then completed.
#[test]
fn the_audit_folds_the_stored_events_to_the_state_the_command_side_decided_on() {
    use crate::aggregate::Decide;
    use crate::replay::RecordType;

    let tenant_id = TENANT;
    let now = at(8, 10, 1);
    let steps = [
        book(AppointmentSource::FrontDesk),
        AppointmentCommand::Reschedule {
            tenant_id,
            staff_id: OTHER_BARBER,
            starts_at: at(8, 10, 0),
            ends_at: at(8, 10, 30),
            blocked_until: at(8, 10, 40),
            schedule_date: date(8),
            now: at(2, 9, 0),
        },
        AppointmentCommand::CheckIn {
            tenant_id,
            now,
            today: date(8),
            opens_minutes: 60,
        },
        AppointmentCommand::Start {
            tenant_id,
            now,
            today: date(8),
        },
        AppointmentCommand::Complete {
            tenant_id,
            now,
            amount_paid_cents: 2500,
            tip_cents: 300,
            payment_method: PaymentMethod::Card,
        },
    ];
    let mut decided = Appointment::default();
    let mut stored = Vec::new();
    for command in steps {
        let events = decided.decide(command).expect("accepted");
        assert!(!events.is_empty());
        for event in events {
            stored.push(serde_json::to_value(&event).expect("stored payload"));
            decided.apply(event);
            let folded = RecordType::Appointment.fold(stored.clone()).expect("folds");
            assert_eq!(folded, serde_json::to_value(&decided).expect("state"));
        }
    }
    assert_eq!(decided.status(), Some(AppointmentStatus::Completed));
}

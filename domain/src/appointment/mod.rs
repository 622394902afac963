//! The Appointment aggregate: one customer booked with one barber for one service, and its way
//! through the shop (DESIGN §4): `booked → confirmed → checked_in → in_service → completed`;
//! `booked|confirmed → cancelled`; `booked|confirmed|checked_in → no_show`; a reschedule moves
//! the time or barber and keeps the status; a walk-in starts checked in.
//!
//! - this module: commands, state, `apply`.
//! - `decide`: [`Decide`](crate::aggregate::Decide) for the appointment, what a command
//!   records or why it is refused.
//! - `workflow`: the status table, which command may run from which status.
//! - [`AppointmentError`] (in `error`): every refusal, each with a stable [`code`](AppointmentError::code).
//! - `reads`: what the booking orchestration asks of an appointment ([`Appointment::status`]…).
//!
//! Pure: no I/O, no clock. "Now" and the business's policy values arrive in the commands; the
//! caller checks lead time and booking horizon and reserves the slot on the barber's `Schedule`
//! before booking or rescheduling. Repeating a transition the appointment already made is a
//! no-op (a double click at the front desk, a retried request); asking for one the appointment
//! has moved past is an error naming where it is now.

mod decide;
mod error;
mod reads;
#[cfg(test)]
mod tests;
mod workflow;

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use events::appointment::{
    AppointmentEvent, AppointmentSource, AppointmentStatus, NotificationChannel, NotificationKind,
    PaymentMethod,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::handle_by_deciding;
#[cfg(any(test, feature = "testing"))]
pub use error::AppointmentErrorDiscriminants;
pub use error::{AppointmentError, MAX_AMOUNT, MAX_NOTE, MAX_REASON};
pub use reads::slot_reservation_id;

#[derive(Debug, Clone, PartialEq)]
pub enum AppointmentCommand {
    /// Books a slot the caller has already reserved on the barber's schedule. Retrying with the
    /// same facts records nothing, so the orchestration can retry safely.
    Book {
        appointment_id: Uuid,
        tenant_id: Uuid,
        customer_id: Uuid,
        staff_id: Uuid,
        service_id: Uuid,
        /// The service's name now, kept for the visit history.
        service_name: String,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        /// `ends_at` plus the service's buffer.
        blocked_until: DateTime<Utc>,
        /// The service's price now, in minor units of `currency`.
        price_cents: i64,
        currency: String,
        source: AppointmentSource,
        /// The business's local date of `starts_at`.
        schedule_date: NaiveDate,
        /// A user id, or `public`.
        booked_by: String,
        now: DateTime<Utc>,
    },
    Confirm {
        tenant_id: Uuid,
    },
    /// The customer is in the shop: from `opens_minutes` before the start, on the day.
    CheckIn {
        tenant_id: Uuid,
        now: DateTime<Utc>,
        /// The business's local date of `now`.
        today: NaiveDate,
        /// The policy: how long before the start check-in opens.
        opens_minutes: u32,
    },
    /// The service starts: after check-in, on the day.
    Start {
        tenant_id: Uuid,
        now: DateTime<Utc>,
        /// The business's local date of `now`.
        today: NaiveDate,
    },
    Complete {
        tenant_id: Uuid,
        now: DateTime<Utc>,
        amount_paid_cents: i64,
        tip_cents: i64,
        payment_method: PaymentMethod,
    },
    Cancel {
        tenant_id: Uuid,
        now: DateTime<Utc>,
        /// A user id, or `customer` through a booking link.
        by: String,
        reason: Option<String>,
        /// The business's policy: a cancellation less than this many minutes before the start
        /// is late.
        cancellation_window_minutes: u32,
    },
    MarkNoShow {
        tenant_id: Uuid,
        now: DateTime<Utc>,
    },
    /// The appointment is for another service from now on: same start and barber, the new
    /// service's length (the caller has moved the reservation), its price unless overridden.
    ChangeService {
        tenant_id: Uuid,
        service_id: Uuid,
        service_name: String,
        ends_at: DateTime<Utc>,
        blocked_until: DateTime<Utc>,
        price_cents: i64,
        currency: String,
    },
    /// A note by someone on the staff; any status (a note after the visit is useful too).
    AddNote {
        tenant_id: Uuid,
        note_id: Uuid,
        /// A user id.
        by: String,
        text: String,
        now: DateTime<Utc>,
    },
    /// Moves to a slot the caller has already reserved; the old one is released afterwards.
    Reschedule {
        tenant_id: Uuid,
        staff_id: Uuid,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        blocked_until: DateTime<Utc>,
        schedule_date: NaiveDate,
        now: DateTime<Utc>,
    },
    /// Its customer was a duplicate merged into `customer_id`: whatever its status, the
    /// appointment (and its history) is theirs now.
    ChangeCustomer {
        tenant_id: Uuid,
        customer_id: Uuid,
    },
    /// The customer was told something about the appointment (any status: a cancellation's
    /// notice comes after it). The same `notification_id` again records nothing: a worker
    /// that recorded it and crashed before it knew may record it again.
    RecordNotification {
        tenant_id: Uuid,
        notification_id: Uuid,
        kind: NotificationKind,
        channel: NotificationChannel,
        offset_minutes: Option<u32>,
        provider_id: String,
        now: DateTime<Utc>,
    },
    /// `step`, asked by someone who may work only barber `staff_id`'s chair (a barber's
    /// login): refused unless the appointment is in that chair when it is decided, so a
    /// reschedule to another barber racing it cannot let it through.
    InChair {
        tenant_id: Uuid,
        staff_id: Uuid,
        step: Box<AppointmentCommand>,
    },
}

/// Where and when the barber's chair is taken; reschedules replace it as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Slot {
    staff_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    blocked_until: DateTime<Utc>,
    schedule_date: NaiveDate,
}

/// The facts of `AppointmentBooked` as first recorded: a retried `Book` is compared with these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Booked {
    appointment_id: Uuid,
    business_id: Uuid,
    customer_id: Uuid,
    service_id: Uuid,
    service_name: String,
    slot: Slot,
    price_cents: i64,
    currency: String,
    source: AppointmentSource,
    status: AppointmentStatus,
    booked_by: String,
}

impl Booked {
    fn into_event(self) -> AppointmentEvent {
        let Slot {
            staff_id,
            starts_at,
            ends_at,
            blocked_until,
            schedule_date,
        } = self.slot;
        AppointmentEvent::AppointmentBooked {
            appointment_id: self.appointment_id,
            business_id: self.business_id,
            customer_id: self.customer_id,
            staff_id,
            service_id: self.service_id,
            service_name: self.service_name,
            starts_at,
            ends_at,
            blocked_until,
            price_cents: self.price_cents,
            currency: self.currency,
            source: self.source,
            status: self.status,
            schedule_date,
            booked_by: self.booked_by,
        }
    }
}

/// What was paid at completion; a repeated `Complete` with the same payment is a double click.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Payment {
    amount_paid_cents: i64,
    tip_cents: i64,
    method: PaymentMethod,
}

/// A booked appointment; everything else about it only exists once it is booked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct State {
    booked: Booked,
    status: AppointmentStatus,
    slot: Slot,
    payment: Option<Payment>,
    /// How many times it was rescheduled: names the schedule reservation of the current slot.
    #[serde(default)]
    moves: u32,
    /// The messages the customer was sent about it, by notification id.
    #[serde(default)]
    notified: std::collections::BTreeSet<Uuid>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Appointment {
    /// `None` until booked: a never-booked appointment answers every command but `Book` with
    /// `NotFound`.
    state: Option<State>,
}

impl Aggregate for Appointment {
    const TYPE: &'static str = events::appointment::AGGREGATE_TYPE;
    type Command = AppointmentCommand;
    type Event = AppointmentEvent;
    type Error = AppointmentError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        handle_by_deciding(self, command, sink).await
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            AppointmentEvent::AppointmentBooked {
                appointment_id,
                business_id,
                customer_id,
                staff_id,
                service_id,
                service_name,
                starts_at,
                ends_at,
                blocked_until,
                price_cents,
                currency,
                source,
                status,
                schedule_date,
                booked_by,
            } => {
                let slot = Slot {
                    staff_id,
                    starts_at,
                    ends_at,
                    blocked_until,
                    schedule_date,
                };
                let booked = Booked {
                    appointment_id,
                    business_id,
                    customer_id,
                    service_id,
                    service_name,
                    slot,
                    price_cents,
                    currency,
                    source,
                    status,
                    booked_by,
                };
                self.state = Some(State {
                    booked,
                    status,
                    slot,
                    payment: None,
                    moves: 0,
                    notified: std::collections::BTreeSet::new(),
                });
            }
            // Every other event follows a booking; one without (impossible in the store) is
            // ignored rather than panicking while loading.
            change => {
                if let Some(state) = self.state.as_mut() {
                    state.apply(change);
                }
            }
        }
    }
}

impl State {
    fn apply(&mut self, event: AppointmentEvent) {
        match event {
            // decide never books an id twice
            AppointmentEvent::AppointmentBooked { .. } => {}
            AppointmentEvent::AppointmentCustomerChanged { customer_id, .. } => {
                self.booked.customer_id = customer_id;
            }
            AppointmentEvent::CustomerNotified {
                notification_id, ..
            } => {
                self.notified.insert(notification_id);
            }
            AppointmentEvent::AppointmentConfirmed {} => self.status = AppointmentStatus::Confirmed,
            AppointmentEvent::AppointmentCheckedIn { .. } => {
                self.status = AppointmentStatus::CheckedIn;
            }
            AppointmentEvent::AppointmentStarted { .. } => {
                self.status = AppointmentStatus::InService
            }
            AppointmentEvent::AppointmentCompleted {
                amount_paid_cents,
                tip_cents,
                payment_method,
                ..
            } => {
                self.status = AppointmentStatus::Completed;
                self.payment = Some(Payment {
                    amount_paid_cents,
                    tip_cents,
                    method: payment_method,
                });
            }
            AppointmentEvent::AppointmentCancelled { .. } => {
                self.status = AppointmentStatus::Cancelled;
            }
            AppointmentEvent::AppointmentMarkedNoShow { .. } => {
                self.status = AppointmentStatus::NoShow;
            }
            // notes change nothing the rules look at
            AppointmentEvent::AppointmentNoteAdded { .. } => {}
            AppointmentEvent::AppointmentServiceChanged {
                service_id,
                service_name,
                ends_at,
                blocked_until,
                price_cents,
                currency,
                ..
            } => {
                self.booked.service_id = service_id;
                self.booked.service_name = service_name;
                self.booked.price_cents = price_cents;
                self.booked.currency = currency;
                self.slot.ends_at = ends_at;
                self.slot.blocked_until = blocked_until;
                // the stretch changed: the next reservation has the next id
                self.moves += 1;
            }
            AppointmentEvent::AppointmentRescheduled {
                staff_id,
                starts_at,
                ends_at,
                blocked_until,
                schedule_date,
                ..
            } => {
                self.slot = Slot {
                    staff_id,
                    starts_at,
                    ends_at,
                    blocked_until,
                    schedule_date,
                };
                self.moves += 1;
            }
        }
    }
}

//! Facts about an appointment: a customer's booking of one service with one barber, and its way
//! through the shop (booked → confirmed → checked in → in service → completed, or cancelled, or
//! a no-show).
//!
//! Events carry what their readers need without history: the calendar (barber, times, status),
//! the dashboard (status, money), reminder workers (start time, customer) and the customer's visit
//! history (service name and price as they were when booked). Instants are UTC; `schedule_date`
//! is the business's local date, the key of the barber's `Schedule` the slot is reserved on.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The aggregate type name under which appointment events are stored.
pub const AGGREGATE_TYPE: &str = "appointment";

/// How the booking reached the shop; reports count by it, and a walk-in skips straight to
/// checked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentSource {
    Online,
    Phone,
    FrontDesk,
    WalkIn,
}

impl AppointmentSource {
    /// Every source, in the order the API documents them.
    pub const ALL: [Self; 4] = [Self::Online, Self::Phone, Self::FrontDesk, Self::WalkIn];

    /// The wire name, e.g. `walk_in`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Online => "online",
            Self::Phone => "phone",
            Self::FrontDesk => "front_desk",
            Self::WalkIn => "walk_in",
        }
    }
}

/// Where an appointment is in its workflow. `Completed`, `Cancelled` and `NoShow` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppointmentStatus {
    Booked,
    Confirmed,
    CheckedIn,
    InService,
    Completed,
    Cancelled,
    NoShow,
}

impl AppointmentStatus {
    /// Every status, in workflow order.
    pub const ALL: [Self; 7] = [
        Self::Booked,
        Self::Confirmed,
        Self::CheckedIn,
        Self::InService,
        Self::Completed,
        Self::Cancelled,
        Self::NoShow,
    ];

    /// The wire name, e.g. `checked_in`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booked => "booked",
            Self::Confirmed => "confirmed",
            Self::CheckedIn => "checked_in",
            Self::InService => "in_service",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::NoShow => "no_show",
        }
    }
}

/// How a completed appointment was paid; reports split takings by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    Card,
    Other,
}

impl PaymentMethod {
    /// Every method, in the order the API documents them.
    pub const ALL: [Self; 3] = [Self::Cash, Self::Card, Self::Other];

    /// The wire name, e.g. `card`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cash => "cash",
            Self::Card => "card",
            Self::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum AppointmentEvent {
    /// A customer was booked with a barber; the slot was reserved on the barber's schedule first.
    /// The service's name and price are copied as they are now, so the visit history and the
    /// takings never change when the catalog does.
    AppointmentBooked {
        appointment_id: Uuid,
        business_id: Uuid,
        customer_id: Uuid,
        staff_id: Uuid,
        service_id: Uuid,
        service_name: String,
        starts_at: DateTime<Utc>,
        /// When the service itself ends.
        ends_at: DateTime<Utc>,
        /// When the barber is free again: `ends_at` plus the service's buffer.
        blocked_until: DateTime<Utc>,
        /// Integer minor units of `currency`.
        price_cents: i64,
        /// ISO 4217.
        currency: String,
        source: AppointmentSource,
        /// `Booked`, or `CheckedIn` for a walk-in (the customer is already in the shop).
        status: AppointmentStatus,
        /// The business's local date of `starts_at`: which day's schedule holds the slot.
        schedule_date: NaiveDate,
        /// Who booked: a user id, or `public` for the online booking page.
        booked_by: String,
    },
    /// The customer (or the shop on their behalf) confirmed they are coming.
    AppointmentConfirmed {},
    /// The customer arrived.
    AppointmentCheckedIn { at: DateTime<Utc> },
    /// The barber started the service.
    AppointmentStarted { at: DateTime<Utc> },
    /// The service was done and paid for.
    AppointmentCompleted {
        at: DateTime<Utc>,
        /// What was paid for the service, in minor units of the booking's currency (it may
        /// differ from the booked price: a discount, an extra).
        amount_paid_cents: i64,
        /// The tip, kept apart because it is the barber's, not the shop's takings.
        tip_cents: i64,
        payment_method: PaymentMethod,
    },
    /// The appointment was called off; its slot is free again.
    AppointmentCancelled {
        at: DateTime<Utc>,
        /// Who cancelled: a user id, or `customer` through a booking link.
        by: String,
        reason: Option<String>,
        /// Whether it came inside the business's cancellation window (or after the start):
        /// the number no-show and late-cancellation reports count.
        late: bool,
    },
    /// The customer did not come (or left before the service started).
    AppointmentMarkedNoShow { at: DateTime<Utc> },
    /// The appointment moved to another time and/or barber, keeping its status; the new slot
    /// was reserved before the old one was released. Carries the previous place so a reader can
    /// move the appointment without looking it up.
    AppointmentRescheduled {
        staff_id: Uuid,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        blocked_until: DateTime<Utc>,
        schedule_date: NaiveDate,
        previous_staff_id: Uuid,
        previous_starts_at: DateTime<Utc>,
        previous_schedule_date: NaiveDate,
    },
    /// The appointment is now for another service (the customer wants a beard trim too): its
    /// end, buffer and price follow the new service (or the price the desk set), its start and
    /// barber stay.
    AppointmentServiceChanged {
        service_id: Uuid,
        service_name: String,
        ends_at: DateTime<Utc>,
        blocked_until: DateTime<Utc>,
        price_cents: i64,
        currency: String,
        previous_service_id: Uuid,
    },
    /// Someone on the staff (front desk or barber) wrote a note on the appointment ("wants it
    /// shorter on top"). Its text can name people, so it sits in `pii` like a customer's notes.
    AppointmentNoteAdded {
        note_id: Uuid,
        /// The appointment's customer, whose key seals the text. Absent on notes recorded
        /// before notes were sealed (their sealed text names the customer itself).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        customer_id: Option<Uuid>,
        /// A user id.
        by: String,
        at: DateTime<Utc>,
        pii: NotePii,
    },
    /// The customer was merged into another record (a duplicate found): the appointment, with
    /// its history, is now the other customer's.
    AppointmentCustomerChanged { previous: Uuid, customer_id: Uuid },
    /// The customer was told something about this appointment: a confirmation, a reminder
    /// (`offset_minutes` before the start), a notice that it moved or was cancelled, or a
    /// "how was it" after it. Recorded once the provider accepted the message, so the history
    /// shows what the customer was told, when, and how.
    CustomerNotified {
        /// The delivery: one per message (appointment, kind, channel and, for a reminder, the
        /// start and offset it is for); the provider saw it as the idempotency key.
        notification_id: Uuid,
        kind: NotificationKind,
        channel: NotificationChannel,
        /// For a reminder: how long before the start it was due.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        offset_minutes: Option<u32>,
        /// The provider's id of the message (an SMS's sid, an email's Message-ID).
        provider_id: String,
        at: DateTime<Utc>,
    },
}

/// What a message to a customer about their appointment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// Sent when the appointment is booked (an online booking's carries the manage link).
    Confirmation,
    /// Sent at each of the business's reminder offsets before the start.
    Reminder,
    /// Sent when the appointment moves to another time or barber.
    Rescheduled,
    /// Sent when the appointment is cancelled.
    Cancelled,
    /// "How was it?", after a completed appointment, with a link to book again.
    FollowUp,
}

impl NotificationKind {
    /// Every kind, in the order the API documents them.
    pub const ALL: [Self; 5] = [
        Self::Confirmation,
        Self::Reminder,
        Self::Rescheduled,
        Self::Cancelled,
        Self::FollowUp,
    ];

    /// The wire name, e.g. `follow_up`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirmation => "confirmation",
            Self::Reminder => "reminder",
            Self::Rescheduled => "rescheduled",
            Self::Cancelled => "cancelled",
            Self::FollowUp => "follow_up",
        }
    }
}

/// How a message reaches a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationChannel {
    Email,
    Sms,
}

impl NotificationChannel {
    /// Every channel, in the order the API documents them.
    pub const ALL: [Self; 2] = [Self::Email, Self::Sms];

    /// The wire name, e.g. `sms`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }
}

/// The personal part of a note, sealed with the appointment's customer's key; empty once that
/// customer is erased.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NotePii {
    pub text: String,
}

impl DomainEvent for AppointmentEvent {
    fn event_type(&self) -> String {
        match self {
            Self::AppointmentBooked { .. } => "AppointmentBooked".into(),
            Self::AppointmentConfirmed {} => "AppointmentConfirmed".into(),
            Self::AppointmentCheckedIn { .. } => "AppointmentCheckedIn".into(),
            Self::AppointmentStarted { .. } => "AppointmentStarted".into(),
            Self::AppointmentCompleted { .. } => "AppointmentCompleted".into(),
            Self::AppointmentCancelled { .. } => "AppointmentCancelled".into(),
            Self::AppointmentMarkedNoShow { .. } => "AppointmentMarkedNoShow".into(),
            Self::AppointmentRescheduled { .. } => "AppointmentRescheduled".into(),
            Self::AppointmentNoteAdded { .. } => "AppointmentNoteAdded".into(),
            Self::AppointmentServiceChanged { .. } => "AppointmentServiceChanged".into(),
            Self::AppointmentCustomerChanged { .. } => "AppointmentCustomerChanged".into(),
            Self::CustomerNotified { .. } => "CustomerNotified".into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for status in AppointmentStatus::ALL {
            let json = serde_json::to_value(status).expect("serialise");
            assert_eq!(json, status.as_str());
        }
        for source in AppointmentSource::ALL {
            let json = serde_json::to_value(source).expect("serialise");
            assert_eq!(json, source.as_str());
        }
        for kind in NotificationKind::ALL {
            let json = serde_json::to_value(kind).expect("serialise");
            assert_eq!(json, kind.as_str());
        }
        for channel in NotificationChannel::ALL {
            let json = serde_json::to_value(channel).expect("serialise");
            assert_eq!(json, channel.as_str());
        }
        for method in PaymentMethod::ALL {
            let json = serde_json::to_value(method).expect("serialise");
            assert_eq!(json, method.as_str());
        }
    }

    #[test]
    fn a_booking_survives_the_store_and_names_its_status_on_the_wire() {
        let at = |h| {
            chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 12, 7, h, 0, 0)
                .single()
                .expect("instant")
        };
        let event = AppointmentEvent::AppointmentBooked {
            appointment_id: Uuid::from_u128(1),
            business_id: Uuid::from_u128(2),
            customer_id: Uuid::from_u128(3),
            staff_id: Uuid::from_u128(4),
            service_id: Uuid::from_u128(5),
            service_name: "Skin fade".into(),
            starts_at: at(10),
            ends_at: at(11),
            blocked_until: at(12),
            price_cents: 2500,
            currency: "GBP".into(),
            source: AppointmentSource::WalkIn,
            status: AppointmentStatus::CheckedIn,
            schedule_date: NaiveDate::from_ymd_opt(2026, 12, 7).expect("date"),
            booked_by: "user-1".into(),
        };
        let json = serde_json::to_value(&event).expect("serialise");
        let fields = &json["AppointmentBooked"];
        assert_eq!(fields["status"], "checked_in");
        assert_eq!(fields["source"], "walk_in");
        assert_eq!(fields["schedule_date"], "2026-12-07");
        let back: AppointmentEvent = serde_json::from_value(json).expect("deserialise");
        assert_eq!(back, event);
        assert_eq!(event.event_type(), "AppointmentBooked");
    }
}

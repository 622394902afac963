//! Facts about one customer's one local day: which stretches of it their appointments take. A
//! customer cannot sit in two chairs at once, so every appointment holds its time on the
//! customer's day as it holds its slot on the barber's, in the same decision; two appointments
//! of one customer that overlap could only both be recorded by two writers at one sequence.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The aggregate type name under which customer-day events are stored.
pub const AGGREGATE_TYPE: &str = "customer_day";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CustomerDayEvent {
    /// The appointment takes `[starts_at, ends_at)` of the customer's day (the service itself:
    /// the barber's clean-up buffer is not the customer's time).
    CustomerTimeHeld {
        appointment_id: Uuid,
        business_id: Uuid,
        customer_id: Uuid,
        /// The local date (business timezone) whose day this is.
        date: NaiveDate,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    },
    /// The appointment no longer takes the customer's time (cancelled, no-show, moved away).
    CustomerTimeReleased { appointment_id: Uuid },
}

impl DomainEvent for CustomerDayEvent {
    fn event_type(&self) -> String {
        match self {
            Self::CustomerTimeHeld { .. } => "CustomerTimeHeld".into(),
            Self::CustomerTimeReleased { .. } => "CustomerTimeReleased".into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

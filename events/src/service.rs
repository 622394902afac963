//! Facts about a business's service catalog: what can be booked, how long it takes, what it costs.
//!
//! Money is integer minor units of an ISO 4217 currency (pence, cents; whole yen), never floats.
//! Every event carries the whole of what it changed, so a reader needs no history to apply it.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The aggregate type name under which service events are stored.
pub const AGGREGATE_TYPE: &str = "service";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServiceEvent {
    /// A service was added to a business's catalog; it is bookable (active) from now on.
    ServiceCreated {
        service_id: Uuid,
        business_id: Uuid,
        name: String,
        /// Groups services on the booking page, e.g. "Hair", "Beard".
        category: Option<String>,
        /// How long the chair is taken by the service itself.
        duration_minutes: u32,
        /// Integer minor units of `currency`.
        price_cents: i64,
        /// ISO 4217, the business's currency when the service was created.
        currency: String,
        /// Clean-up time after the service, during which the barber cannot be booked.
        buffer_minutes: u32,
    },
    /// The service's definition changed; carries the whole new definition (all but the price).
    ServiceUpdated {
        name: String,
        category: Option<String>,
        duration_minutes: u32,
        buffer_minutes: u32,
    },
    /// The service's price changed. Bookings made earlier keep the price they were made at.
    ServicePriceChanged { price_cents: i64, currency: String },
    /// The service can no longer be booked or changed; it stays readable for past appointments.
    ServiceRetired {},
}

impl DomainEvent for ServiceEvent {
    fn event_type(&self) -> String {
        match self {
            Self::ServiceCreated { .. } => "ServiceCreated".into(),
            Self::ServiceUpdated { .. } => "ServiceUpdated".into(),
            Self::ServicePriceChanged { .. } => "ServicePriceChanged".into(),
            Self::ServiceRetired {} => "ServiceRetired".into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

//! Facts about a customer of a business.
//!
//! Personal data sits in [`CustomerPii`] so that it can later be encrypted per customer and
//! erased by destroying that customer's key.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The aggregate type name under which customer events are stored.
pub const AGGREGATE_TYPE: &str = "customer";

/// A customer's personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPii {
    pub name: String,
    /// E.164, e.g. `+447700900123`.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum CustomerEvent {
    /// A customer was added to a business's book.
    CustomerRegistered {
        customer_id: Uuid,
        business_id: Uuid,
        pii: CustomerPii,
    },
    /// The customer's profile changed; carries the whole new profile so readers need no history.
    CustomerProfileUpdated { pii: CustomerPii },
}

impl DomainEvent for CustomerEvent {
    fn event_type(&self) -> String {
        match self {
            Self::CustomerRegistered { .. } => "CustomerRegistered".into(),
            Self::CustomerProfileUpdated { .. } => "CustomerProfileUpdated".into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

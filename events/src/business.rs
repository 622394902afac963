//! Facts about a business (the tenant).

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The aggregate type name under which business events are stored.
pub const AGGREGATE_TYPE: &str = "business";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BusinessEvent {
    /// A business signed up; its owner is the first user.
    BusinessOpened {
        business_id: Uuid,
        name: String,
        slug: String,
        /// IANA timezone name; "a day" and working hours are in this zone.
        timezone: String,
        /// ISO 4217 code; prices are integer minor units of it.
        currency: String,
        owner_user_id: Uuid,
        owner_name: String,
    },
}

impl DomainEvent for BusinessEvent {
    fn event_type(&self) -> String {
        match self {
            Self::BusinessOpened { .. } => "BusinessOpened".into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

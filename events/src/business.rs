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
    /// The business's name, timezone or currency changed; carries all three as they now are.
    BusinessSettingsChanged {
        name: String,
        timezone: String,
        currency: String,
    },
    /// The rules online and front-desk bookings follow changed.
    BookingPolicyChanged { policy: BookingPolicy },
}

/// How bookings may be made and cancelled. A business starts with [`BookingPolicy::default`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingPolicy {
    /// How long before its start an appointment may still be booked.
    pub min_lead_minutes: u32,
    /// How far ahead one may book.
    pub max_advance_days: u32,
    /// A cancellation later than this before the start is a late cancellation.
    pub cancellation_window_minutes: u32,
    /// Time kept free after an appointment when its service sets none.
    pub default_buffer_minutes: u32,
    /// When reminders go out, in minutes before the start, e.g. `[1440, 120]`.
    pub reminder_offsets_minutes: Vec<u32>,
}

impl Default for BookingPolicy {
    fn default() -> Self {
        Self {
            min_lead_minutes: 60,
            max_advance_days: 60,
            cancellation_window_minutes: 24 * 60,
            default_buffer_minutes: 0,
            reminder_offsets_minutes: vec![24 * 60, 120],
        }
    }
}

impl DomainEvent for BusinessEvent {
    fn event_type(&self) -> String {
        match self {
            Self::BusinessOpened { .. } => "BusinessOpened".into(),
            Self::BusinessSettingsChanged { .. } => "BusinessSettingsChanged".into(),
            Self::BookingPolicyChanged { .. } => "BookingPolicyChanged".into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

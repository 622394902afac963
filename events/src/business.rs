//! Facts about a business (the tenant).
//!
//! Opening hours use the staff rota's vocabulary ([`WorkingDay`]: a weekday, local `"HH:MM"`
//! times, breaks): a shop's week and a barber's week are the same shape, and a shop closed for
//! lunch is a day with a break.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::staff::WorkingDay;

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
        /// ISO 3166-1 alpha-2, e.g. `GB`: the plan a phone number typed in national format
        /// follows. Absent when not given (and in events recorded before it existed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        country: Option<String>,
    },
    /// The business's name, timezone, currency or country changed; carries them all as they
    /// now are.
    BusinessSettingsChanged {
        name: String,
        timezone: String,
        currency: String,
        /// Absent when the business has none (and in events recorded before it existed, when
        /// no business had one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        country: Option<String>,
    },
    /// The rules online and front-desk bookings follow changed.
    BookingPolicyChanged { policy: BookingPolicy },
    /// The weekly opening hours were replaced; carries the whole week as it now is, Monday
    /// first. A weekday absent from `days` is closed. Before the first of these a business has
    /// no opening hours: it takes bookings whenever its staff work.
    OpeningHoursSet { days: Vec<WorkingDay> },
    /// What customers may book online, with no login, on the business's public page; carries
    /// the whole setting as it now is.
    OnlineBookingSet { online_booking: OnlineBooking },
    /// How the business presents itself on its public page: its street address and logo;
    /// carries both as they now are (`None`: none).
    BusinessProfileSet {
        address: Option<String>,
        logo_url: Option<String>,
    },
}

/// Online booking: on or off, and which services and barbers it offers. A business starts
/// with it on, for every service and every barber ([`OnlineBooking::default`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnlineBooking {
    pub enabled: bool,
    /// The services offered online; `None`: every active service.
    pub service_ids: Option<Vec<Uuid>>,
    /// The barbers offered online; `None`: every active barber.
    pub staff_ids: Option<Vec<Uuid>>,
}

impl Default for OnlineBooking {
    fn default() -> Self {
        Self {
            enabled: true,
            service_ids: None,
            staff_ids: None,
        }
    }
}

impl OnlineBooking {
    /// Whether service `service_id` is offered online (the service must also be bookable).
    pub fn offers_service(&self, service_id: Uuid) -> bool {
        self.enabled
            && self
                .service_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&service_id))
    }

    /// Whether barber `staff_id` is offered online (they must also be active and work).
    pub fn offers_staff(&self, staff_id: Uuid) -> bool {
        self.enabled
            && self
                .staff_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&staff_id))
    }
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
    /// The ways customers are told about their appointments (confirmations, reminders,
    /// notices), each used when the customer has that contact. Policies recorded before it
    /// read as email and SMS.
    #[serde(default = "default_notification_channels")]
    pub notification_channels: Vec<crate::appointment::NotificationChannel>,
    /// Whether a customer gets a "how was it?" message, with a link to book again, after a
    /// completed appointment. Off unless a business turns it on.
    #[serde(default)]
    pub follow_up: bool,
    /// Whether one customer may hold overlapping appointments (a family booked under one
    /// name). Off unless a business turns it on; policies recorded before it read as off.
    #[serde(default)]
    pub allow_customer_overlap: bool,
    /// How long before its start an appointment may be checked in (on its day): a customer
    /// who arrives early. Policies recorded before it read as 60 minutes.
    #[serde(default = "default_check_in_opens_minutes")]
    pub check_in_opens_minutes: u32,
}

fn default_notification_channels() -> Vec<crate::appointment::NotificationChannel> {
    crate::appointment::NotificationChannel::ALL.to_vec()
}

fn default_check_in_opens_minutes() -> u32 {
    60
}

impl Default for BookingPolicy {
    fn default() -> Self {
        Self {
            min_lead_minutes: 60,
            max_advance_days: 60,
            cancellation_window_minutes: 24 * 60,
            default_buffer_minutes: 0,
            reminder_offsets_minutes: vec![24 * 60, 120],
            notification_channels: default_notification_channels(),
            follow_up: false,
            allow_customer_overlap: false,
            check_in_opens_minutes: default_check_in_opens_minutes(),
        }
    }
}

impl DomainEvent for BusinessEvent {
    fn event_type(&self) -> String {
        match self {
            Self::BusinessOpened { .. } => "BusinessOpened".into(),
            Self::BusinessSettingsChanged { .. } => "BusinessSettingsChanged".into(),
            Self::BookingPolicyChanged { .. } => "BookingPolicyChanged".into(),
            Self::OpeningHoursSet { .. } => "OpeningHoursSet".into(),
            Self::OnlineBookingSet { .. } => "OnlineBookingSet".into(),
            Self::BusinessProfileSet { .. } => "BusinessProfileSet".into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staff::{Break, ClockTime, Weekday};

    /// Settings as they were stored before businesses had a country still read, as a business
    /// without one; a country is written only when there is one.
    #[test]
    fn settings_stored_before_the_country_still_read() {
        let stored = serde_json::json!({"BusinessSettingsChanged": {
            "name": "Fade Street", "timezone": "Europe/London", "currency": "GBP"}});
        let event: BusinessEvent = serde_json::from_value(stored.clone()).expect("reads");
        assert_eq!(
            event,
            BusinessEvent::BusinessSettingsChanged {
                name: "Fade Street".into(),
                timezone: "Europe/London".into(),
                currency: "GBP".into(),
                country: None,
            }
        );
        assert_eq!(serde_json::to_value(&event).expect("writes"), stored);
        let opened = serde_json::json!({"BusinessOpened": {
            "business_id": "00000000-0000-0000-0000-000000000001", "name": "Fade Street",
            "slug": "fade-street", "timezone": "Europe/London", "currency": "GBP",
            "owner_user_id": "00000000-0000-0000-0000-000000000002", "owner_name": "Sam"}});
        let BusinessEvent::BusinessOpened { country, .. } =
            serde_json::from_value(opened).expect("reads")
        else {
            panic!("an opening");
        };
        assert_eq!(country, None);
    }

    #[test]
    fn opening_hours_are_written_like_a_rota() {
        let at = |h, m| ClockTime::new(h, m).expect("time");
        let event = BusinessEvent::OpeningHoursSet {
            days: vec![WorkingDay {
                weekday: Weekday::Sat,
                start: at(9, 0),
                end: at(18, 0),
                breaks: vec![Break {
                    start: at(13, 0),
                    end: at(14, 0),
                }],
            }],
        };
        let json = serde_json::to_value(&event).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"OpeningHoursSet": {"days": [{"weekday": "sat", "start": "09:00",
                "end": "18:00", "breaks": [{"start": "13:00", "end": "14:00"}]}]}})
        );
        assert_eq!(
            serde_json::from_value::<BusinessEvent>(json).expect("reads back"),
            event
        );
        assert_eq!(event.event_type(), "OpeningHoursSet");
    }
}

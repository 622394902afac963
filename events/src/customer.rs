//! Facts about a customer of a business.
//!
//! Personal data sits in `pii` objects ([`CustomerPii`], [`PreferencesPii`]), which the event
//! store keeps sealed with the customer's own key (`platform::personal_data`). Once the key is
//! destroyed by [`CustomerEvent::CustomerErased`], every `pii` object of the customer reads as
//! erased: its fields take their defaults (an empty name, no phone, email, notes or
//! preferences), so every event still reads.
//!
//! Tags, preferences and marketing consent are facts of their own, not fields of the profile
//! events: each changes on its own, consent needs its own moment for auditors, and events stored
//! before these facts existed keep their exact shape (no upcasting needed).

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// The aggregate type name under which customer events are stored.
pub const AGGREGATE_TYPE: &str = "customer";

/// A customer's personal data; all defaults once erased.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerPii {
    /// Empty only once erased: a customer is registered with a name.
    pub name: String,
    /// E.164, e.g. `+447700900123`.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
}

/// A customer's preferences: free-form, so possibly identifying ("same as her husband Tom"),
/// hence personal data, erased with the rest of the customer's `pii`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PreferencesPii {
    /// A JSON object (`{"barber": "Jo", "drink": "espresso"}`); `{}` when there are none.
    pub preferences: Map<String, Value>,
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
    /// The business's labels for the customer changed; carries the whole new set (lower-case,
    /// sorted, distinct; empty when the last tag was removed). Tags are a closed, short
    /// vocabulary (`vip`, `beard`) kept outside `pii`, so that filtering by tag survives erasure
    /// of an anonymous customer.
    CustomerTagsChanged { tags: Vec<String> },
    /// The customer's preferences changed; carries the whole new object.
    CustomerPreferencesChanged { pii: PreferencesPii },
    /// The customer agreed to receive marketing, at `at` (when the business recorded it).
    MarketingConsentGiven { at: DateTime<Utc> },
    /// The customer no longer agrees to receive marketing, from `at`.
    MarketingConsentWithdrawn { at: DateTime<Utc> },
    /// The customer asked not to be reminded of their appointments, from `at` (confirmations
    /// and notices of a change still go: they are what was agreed, not reminders).
    RemindersDeclined { at: DateTime<Utc> },
    /// The customer wants reminders again, from `at`.
    RemindersWanted { at: DateTime<Utc> },
    /// This record was a duplicate of customer `into`, which now holds its appointments and
    /// history; it can no longer be booked or changed.
    CustomerMergedInto { into: Uuid },
    /// The duplicate record `duplicate_id` was merged into this customer.
    DuplicateMerged { duplicate_id: Uuid },
    /// The customer's personal data was erased at their request, at `at`: their data key was
    /// destroyed in the same transaction, so every `pii` object about them (in their own events
    /// and in notes on their appointments) reads as erased from now on. Irreversible. Who did it
    /// is the event's `actor`.
    CustomerErased { at: DateTime<Utc> },
}

impl DomainEvent for CustomerEvent {
    fn event_type(&self) -> String {
        match self {
            Self::CustomerRegistered { .. } => "CustomerRegistered".into(),
            Self::CustomerProfileUpdated { .. } => "CustomerProfileUpdated".into(),
            Self::CustomerTagsChanged { .. } => "CustomerTagsChanged".into(),
            Self::CustomerPreferencesChanged { .. } => "CustomerPreferencesChanged".into(),
            Self::MarketingConsentGiven { .. } => "MarketingConsentGiven".into(),
            Self::MarketingConsentWithdrawn { .. } => "MarketingConsentWithdrawn".into(),
            Self::RemindersDeclined { .. } => "RemindersDeclined".into(),
            Self::RemindersWanted { .. } => "RemindersWanted".into(),
            Self::CustomerMergedInto { .. } => "CustomerMergedInto".into(),
            Self::DuplicateMerged { .. } => "DuplicateMerged".into(),
            Self::CustomerErased { .. } => "CustomerErased".into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    /// Payloads exactly as the first release stored them: they must read back unchanged, since
    /// stored events are never rewritten.
    #[test]
    fn events_stored_before_tags_preferences_and_consent_still_read() {
        let registered = json!({"CustomerRegistered": {
            "customer_id": "00000000-0000-0000-0000-000000000001",
            "business_id": "00000000-0000-0000-0000-000000000002",
            "pii": {"name": "Ana Silva", "phone": "+447700900123", "email": null, "notes": null}
        }});
        let updated = json!({"CustomerProfileUpdated": {
            "pii": {"name": "Ana Silva", "phone": null, "email": "ana@example.com",
                    "notes": "skin fade"}
        }});
        let registered: CustomerEvent = serde_json::from_value(registered).expect("reads");
        assert_eq!(
            registered,
            CustomerEvent::CustomerRegistered {
                customer_id: Uuid::from_u128(1),
                business_id: Uuid::from_u128(2),
                pii: CustomerPii {
                    name: "Ana Silva".into(),
                    phone: Some("+447700900123".into()),
                    email: None,
                    notes: None,
                },
            }
        );
        let updated: CustomerEvent = serde_json::from_value(updated).expect("reads");
        assert_eq!(updated.event_type(), "CustomerProfileUpdated");
    }

    /// The wire shape of the new facts is a contract with projections and auditors.
    #[test]
    fn the_new_facts_have_a_stable_shape_with_preferences_inside_pii() {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 1, 9, 30, 0)
            .single()
            .expect("instant");
        let cases = [
            (
                CustomerEvent::CustomerTagsChanged {
                    tags: vec!["beard".into(), "vip".into()],
                },
                json!({"CustomerTagsChanged": {"tags": ["beard", "vip"]}}),
            ),
            (
                CustomerEvent::CustomerPreferencesChanged {
                    pii: PreferencesPii {
                        preferences: Map::from_iter([("drink".to_owned(), json!("espresso"))]),
                    },
                },
                json!({"CustomerPreferencesChanged": {"pii": {"preferences": {"drink": "espresso"}}}}),
            ),
            (
                CustomerEvent::MarketingConsentGiven { at },
                json!({"MarketingConsentGiven": {"at": "2026-12-01T09:30:00Z"}}),
            ),
            (
                CustomerEvent::MarketingConsentWithdrawn { at },
                json!({"MarketingConsentWithdrawn": {"at": "2026-12-01T09:30:00Z"}}),
            ),
        ];
        for (event, wire) in cases {
            assert_eq!(serde_json::to_value(&event).expect("writes"), wire);
            assert_eq!(
                serde_json::from_value::<CustomerEvent>(wire).expect("reads"),
                event
            );
        }
    }

    /// With the customer's key destroyed, a `pii` object reads as `{"erased": true}`: every
    /// event still reads, with the personal fields empty.
    #[test]
    fn erased_personal_data_reads_as_empty_fields() {
        let erased = json!({"erased": true});
        let registered: CustomerEvent = serde_json::from_value(json!({"CustomerRegistered": {
            "customer_id": "00000000-0000-0000-0000-000000000001",
            "business_id": "00000000-0000-0000-0000-000000000002",
            "pii": erased,
        }}))
        .expect("reads");
        let CustomerEvent::CustomerRegistered { pii, .. } = registered else {
            panic!("a registration");
        };
        assert_eq!(pii, CustomerPii::default());
        let preferences: CustomerEvent =
            serde_json::from_value(json!({"CustomerPreferencesChanged": {"pii": erased}}))
                .expect("reads");
        assert_eq!(
            preferences,
            CustomerEvent::CustomerPreferencesChanged {
                pii: PreferencesPii::default()
            }
        );
    }
}

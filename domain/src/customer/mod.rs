//! The Customer aggregate: a person on a business's books, with the business's tags for them,
//! their preferences and whether they agreed to marketing.
//!
//! - this module: commands, errors, state, `apply`.
//! - `decide`: what a command records, part by part, or why it is refused.
//! - [`profile`]: the rules of contact details, tags and preferences.
//! - `tests`: given/when/then for every command and refusal.
//!
//! Pure: no I/O. The moment of a consent change and the business's country come in the
//! command. Registering and updating
//! carry every part a request may send (profile, tags, preferences, consent), so one request is
//! one command whose events are recorded together or not at all.

mod decide;
mod merge;
pub mod profile;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use events::customer::{CustomerEvent, CustomerPii};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::aggregate::handle_by_deciding;
pub use profile::DetailsError;
#[cfg(any(test, feature = "testing"))]
pub use profile::DetailsErrorDiscriminants;
use profile::{MAX_NAME, MAX_NOTES};

#[derive(Debug, Clone, PartialEq)]
pub enum CustomerCommand {
    /// Puts a customer on the business's books, with whatever tags, preferences and consent
    /// the front desk already knows: the registration, then each detail that says something
    /// (no tags, `{}` or no consent record nothing more).
    Register {
        customer_id: Uuid,
        tenant_id: Uuid,
        /// The business's country (ISO 3166-1 alpha-2), looked up before the command is built:
        /// a phone typed in national format follows its numbering plan.
        country: Option<String>,
        profile: CustomerProfile,
        details: CustomerDetails,
    },
    /// Changes any of the profile, tags, preferences and consent, decided in that order, each
    /// on the state the parts before it left; only real changes are recorded. With nothing to
    /// change it still answers whether the customer exists for the caller.
    Update {
        tenant_id: Uuid,
        /// As in `Register`.
        country: Option<String>,
        profile: ProfileChanges,
        details: CustomerDetails,
    },
    /// This customer is a duplicate of `into`: it hands over its appointments and history and
    /// can no longer be booked or changed.
    MergeInto { tenant_id: Uuid, into: Uuid },
    /// The duplicate `duplicate_id` is merged into this customer.
    TakeOver { tenant_id: Uuid, duplicate_id: Uuid },
    /// Erases the customer's personal data at their request, as of `at` (the server's clock).
    /// Irreversible; erasing again records nothing. The event store destroys the customer's
    /// key with the event (`command::customer_book::erase`); the aggregate only records the fact
    /// and refuses every change after it.
    Erase { tenant_id: Uuid, at: DateTime<Utc> },
}

/// Changes to a profile: fields left `None` stay as they are; `Some(None)` clears an optional
/// field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ProfileChanges {
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub notes: Option<Option<String>>,
}

/// What a customer's record holds beyond contact details; `None` leaves a part as it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomerDetails {
    /// Replaces the tags (normalised: see [`profile::normalise_tags`]); `[]` removes them all.
    pub tags: Option<Vec<String>>,
    /// Replaces the preferences with a JSON object; `{}` clears them.
    pub preferences: Option<Value>,
    pub marketing_consent: Option<MarketingConsent>,
    /// Whether the customer wants reminders of their appointments (`given`), as of `at`.
    pub reminders: Option<MarketingConsent>,
}

/// The customer agrees (`given`) or no longer agrees to marketing, as of `at` (the server's
/// clock when the business recorded the answer). The same answer again records nothing, so the
/// moment on record stays the one it was first given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarketingConsent {
    pub given: bool,
    pub at: DateTime<Utc>,
}

/// A profile as the front desk types it, before normalisation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomerProfile {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
}

/// The customer's identity and contact details were refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[cfg_attr(
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum CustomerError {
    #[error("the customer does not exist")]
    NotFound,
    #[error("the customer is already registered")]
    AlreadyRegistered,
    #[error("a customer needs a name (at most {MAX_NAME} characters)")]
    InvalidName,
    #[error(
        "{0:?} is not a phone number: international, e.g. +447700900123, or national in the \
         business's country, e.g. 07700 900123 for GB"
    )]
    InvalidPhone(String),
    #[error("{0:?} is not an email address")]
    InvalidEmail(String),
    #[error("notes are limited to {MAX_NOTES} characters")]
    NotesTooLong,
    #[error("the customer was merged into {0}; use that record")]
    Merged(Uuid),
    #[error("a customer cannot be merged into itself")]
    MergedIntoItself,
    #[error("the customer's personal data was erased; the record can no longer change")]
    Erased,
}

/// Why the Customer aggregate refused a command: its identity and contact rules, or the rules
/// of tags and preferences.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CustomerRefusal {
    #[error(transparent)]
    Customer(#[from] CustomerError),
    #[error(transparent)]
    Details(#[from] DetailsError),
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Customer {
    customer_id: Option<Uuid>,
    tenant_id: Option<Uuid>,
    pii: Option<CustomerPii>,
    tags: Vec<String>,
    preferences: Map<String, Value>,
    marketing_consent: bool,
    /// The customer asked for no reminders.
    reminders_declined: bool,
    /// The customer this duplicate was merged into.
    merged_into: Option<Uuid>,
    /// Erased at the customer's request: no personal data, no change any more.
    erased: bool,
}

impl Aggregate for Customer {
    const TYPE: &'static str = events::customer::AGGREGATE_TYPE;
    type Command = CustomerCommand;
    type Event = CustomerEvent;
    type Error = CustomerRefusal;
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
            CustomerEvent::CustomerRegistered {
                customer_id,
                business_id,
                pii,
            } => {
                self.customer_id = Some(customer_id);
                self.tenant_id = Some(business_id);
                self.pii = Some(pii);
            }
            CustomerEvent::CustomerProfileUpdated { pii } => self.pii = Some(pii),
            CustomerEvent::CustomerTagsChanged { tags } => self.tags = tags,
            CustomerEvent::CustomerPreferencesChanged { pii } => {
                self.preferences = pii.preferences;
            }
            CustomerEvent::MarketingConsentGiven { .. } => self.marketing_consent = true,
            CustomerEvent::MarketingConsentWithdrawn { .. } => self.marketing_consent = false,
            CustomerEvent::RemindersDeclined { .. } => self.reminders_declined = true,
            CustomerEvent::RemindersWanted { .. } => self.reminders_declined = false,
            CustomerEvent::CustomerMergedInto { into } => self.merged_into = Some(into),
            CustomerEvent::DuplicateMerged { .. } => {}
            CustomerEvent::CustomerErased { .. } => {
                self.pii = None;
                self.preferences = Map::new();
                self.erased = true;
            }
        }
    }
}

impl Customer {
    /// Whether the customer is on the books of business `tenant_id` (a booking needs one); a
    /// duplicate merged into another, or an erased customer, is not.
    pub fn belongs_to(&self, tenant_id: Uuid) -> bool {
        self.pii.is_some() && self.tenant_id == Some(tenant_id) && self.merged_into.is_none()
    }

    /// The customer this duplicate of business `tenant_id` was merged into, if it was.
    pub fn merged_into(&self, tenant_id: Uuid) -> Option<Uuid> {
        self.merged_into
            .filter(|_| self.tenant_id == Some(tenant_id))
    }

    /// Whether business `tenant_id`'s customer was erased (and can no longer be booked or
    /// changed).
    pub fn is_erased_from(&self, tenant_id: Uuid) -> bool {
        self.erased && self.tenant_id == Some(tenant_id)
    }

    /// The customer's name, for the shop's eyes (the front desk calling them about a change).
    pub fn name(&self) -> Option<&str> {
        self.pii.as_ref().map(|p| p.name.as_str())
    }

    /// Whether marketing may be sent to the customer (reminders of their own bookings need no
    /// consent; offers do).
    pub fn has_marketing_consent(&self) -> bool {
        self.marketing_consent
    }

    /// The phone on record, in E.164.
    pub fn phone(&self) -> Option<&str> {
        self.pii.as_ref().and_then(|pii| pii.phone.as_deref())
    }

    /// The email on record, as typed but for its domain (lower-cased).
    pub fn email(&self) -> Option<&str> {
        self.pii.as_ref().and_then(|pii| pii.email.as_deref())
    }

    /// Another business's customer does not exist for the caller; an erased one cannot change,
    /// and a merged duplicate answers with the record it became.
    fn pii_of(&self, tenant_id: Uuid) -> Result<&CustomerPii, CustomerError> {
        match (&self.pii, self.tenant_id, self.merged_into) {
            (_, Some(owner), _) if owner == tenant_id && self.erased => Err(CustomerError::Erased),
            (Some(_), Some(owner), Some(into)) if owner == tenant_id => {
                Err(CustomerError::Merged(into))
            }
            (Some(pii), Some(owner), None) if owner == tenant_id => Ok(pii),
            _ => Err(CustomerError::NotFound),
        }
    }
}

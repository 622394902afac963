//! The Customer aggregate: a person on a business's books, with the business's tags for them,
//! their preferences and whether they agreed to marketing.
//!
//! - this module: commands, errors, state, `handle`/`apply`.
//! - [`profile`]: the rules of contact details, tags and preferences.
//! - `tests`: given/when/then for every command and refusal.
//!
//! Pure: no I/O. The moment of a consent change comes in the command. A request that changes
//! several things at once is one [`CustomerCommand::Batch`], so its events are recorded together
//! or not at all.

pub mod profile;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use events::customer::{CustomerEvent, CustomerPii, PreferencesPii};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

pub use profile::DetailsError;
#[cfg(test)]
pub use profile::DetailsErrorDiscriminants;
use profile::{normalise_tags, validate_contact, validate_preferences, MAX_NAME, MAX_NOTES};

#[derive(Debug, Clone, PartialEq)]
pub enum CustomerCommand {
    Register {
        customer_id: Uuid,
        tenant_id: Uuid,
        profile: CustomerProfile,
    },
    /// Fields left `None` stay as they are; `Some(None)` clears an optional field.
    UpdateProfile {
        tenant_id: Uuid,
        name: Option<String>,
        phone: Option<Option<String>>,
        email: Option<Option<String>>,
        notes: Option<Option<String>>,
    },
    /// Replaces the customer's tags (normalised: see [`profile::normalise_tags`]); an empty
    /// list removes them all.
    SetTags { tenant_id: Uuid, tags: Vec<String> },
    /// Replaces the customer's preferences with a JSON object; `{}` clears them.
    SetPreferences { tenant_id: Uuid, preferences: Value },
    /// The customer agrees (`true`) or no longer agrees to marketing, as of `at`. The same
    /// answer again records nothing, so the moment on record stays the one it was given.
    SetMarketingConsent {
        tenant_id: Uuid,
        consent: bool,
        at: DateTime<Utc>,
    },
    /// Several commands decided in order as one: each sees the events of those before it, and
    /// if any is refused nothing at all is recorded.
    Batch(Vec<CustomerCommand>),
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
    test,
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
    #[error("{0:?} is not a phone number in international form (E.164), e.g. +447700900123")]
    InvalidPhone(String),
    #[error("{0:?} is not an email address")]
    InvalidEmail(String),
    #[error("notes are limited to {MAX_NOTES} characters")]
    NotesTooLong,
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
        let mut commands = Vec::new();
        flatten(command, &mut commands);
        for command in commands {
            // `write` applies the event, so the next command is decided on the new state
            if let Some(event) = self.decide(command)? {
                sink.write(event, self).await;
            }
        }
        Ok(())
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
        }
    }
}

impl Customer {
    /// Whether the customer is on the books of business `tenant_id` (a booking needs one).
    pub fn belongs_to(&self, tenant_id: Uuid) -> bool {
        self.pii.is_some() && self.tenant_id == Some(tenant_id)
    }

    /// Whether marketing may be sent to the customer (reminders of their own bookings need no
    /// consent; offers do).
    pub fn has_marketing_consent(&self) -> bool {
        self.marketing_consent
    }

    /// The event one (non-batch) command causes; `None` when it would change nothing.
    fn decide(&self, command: CustomerCommand) -> Result<Option<CustomerEvent>, CustomerRefusal> {
        let event = match command {
            CustomerCommand::Register {
                customer_id,
                tenant_id,
                profile,
            } => {
                if self.customer_id.is_some() {
                    return Err(CustomerError::AlreadyRegistered.into());
                }
                CustomerEvent::CustomerRegistered {
                    customer_id,
                    business_id: tenant_id,
                    pii: validate_contact(profile)?,
                }
            }
            CustomerCommand::UpdateProfile {
                tenant_id,
                name,
                phone,
                email,
                notes,
            } => {
                let current = self.pii_of(tenant_id)?;
                let pii = validate_contact(CustomerProfile {
                    name: name.unwrap_or_else(|| current.name.clone()),
                    phone: phone.unwrap_or_else(|| current.phone.clone()),
                    email: email.unwrap_or_else(|| current.email.clone()),
                    notes: notes.unwrap_or_else(|| current.notes.clone()),
                })?;
                if &pii == current {
                    return Ok(None);
                }
                CustomerEvent::CustomerProfileUpdated { pii }
            }
            CustomerCommand::SetTags { tenant_id, tags } => {
                self.pii_of(tenant_id)?;
                let tags = normalise_tags(tags)?;
                if tags == self.tags {
                    return Ok(None);
                }
                CustomerEvent::CustomerTagsChanged { tags }
            }
            CustomerCommand::SetPreferences {
                tenant_id,
                preferences,
            } => {
                self.pii_of(tenant_id)?;
                let preferences = validate_preferences(preferences)?;
                if preferences == self.preferences {
                    return Ok(None);
                }
                CustomerEvent::CustomerPreferencesChanged {
                    pii: PreferencesPii { preferences },
                }
            }
            CustomerCommand::SetMarketingConsent {
                tenant_id,
                consent,
                at,
            } => {
                self.pii_of(tenant_id)?;
                match (self.marketing_consent, consent) {
                    (false, true) => CustomerEvent::MarketingConsentGiven { at },
                    (true, false) => CustomerEvent::MarketingConsentWithdrawn { at },
                    _ => return Ok(None),
                }
            }
            // flattened by `handle`
            CustomerCommand::Batch(_) => return Ok(None),
        };
        Ok(Some(event))
    }

    /// Another business's customer does not exist for the caller.
    fn pii_of(&self, tenant_id: Uuid) -> Result<&CustomerPii, CustomerError> {
        match (&self.pii, self.tenant_id) {
            (Some(pii), Some(owner)) if owner == tenant_id => Ok(pii),
            _ => Err(CustomerError::NotFound),
        }
    }
}

/// A batch's commands in order, nested batches opened in place.
fn flatten(command: CustomerCommand, out: &mut Vec<CustomerCommand>) {
    match command {
        CustomerCommand::Batch(commands) => {
            for command in commands {
                flatten(command, out);
            }
        }
        command => out.push(command),
    }
}

//! What a customer command records, or why it is refused.
//!
//! A command has parts: the profile (registered or changed), then tags, preferences and
//! marketing consent. Each part is decided on the state the parts before it left, as if their
//! events were already applied (tags can only be set on a customer the same command has just
//! registered), and records an event only when it changes something. The first refusal
//! refuses the whole command: nothing of it is recorded.

use cqrs_es::Aggregate;
use events::customer::{CustomerEvent, PreferencesPii};
use serde_json::Value;
use uuid::Uuid;

use super::profile::{normalise_tags, validate_contact, validate_preferences};
use super::{
    Customer, CustomerCommand, CustomerDetails, CustomerError, CustomerProfile, CustomerRefusal,
    MarketingConsent, ProfileChanges,
};
use crate::aggregate::Decide;

impl Decide for Customer {
    fn decide(&self, command: CustomerCommand) -> Result<Vec<CustomerEvent>, CustomerRefusal> {
        let mut draft = Draft::on(self);
        match command {
            CustomerCommand::Register {
                customer_id,
                tenant_id,
                country,
                profile,
                details,
            } => {
                if self.customer_id.is_some() {
                    return Err(CustomerError::AlreadyRegistered.into());
                }
                draft.add(Some(CustomerEvent::CustomerRegistered {
                    customer_id,
                    business_id: tenant_id,
                    pii: validate_contact(profile, country.as_deref())?,
                }));
                draft.details(tenant_id, details)?;
            }
            CustomerCommand::Update {
                tenant_id,
                country,
                profile,
                details,
            } => {
                // decided even when empty: it is what refuses another business's customer
                let change = draft
                    .state
                    .profile_change(tenant_id, profile, country.as_deref())?;
                draft.add(change);
                draft.details(tenant_id, details)?;
            }
            CustomerCommand::MergeInto { tenant_id, into } => {
                draft.add(self.merge_into(tenant_id, into)?);
            }
            CustomerCommand::TakeOver {
                tenant_id,
                duplicate_id,
            } => draft.add(self.take_over(tenant_id, duplicate_id)?),
            CustomerCommand::Erase { tenant_id, at } => {
                if self.is_erased_from(tenant_id) {
                    return Ok(Vec::new());
                }
                self.pii_of(tenant_id)?;
                draft.add(Some(CustomerEvent::CustomerErased { at }));
            }
        }
        Ok(draft.events)
    }
}

/// The parts of a command decided so far: their events, and the state they leave.
struct Draft {
    state: Customer,
    events: Vec<CustomerEvent>,
}

impl Draft {
    fn on(customer: &Customer) -> Self {
        Self {
            state: customer.clone(),
            events: Vec::new(),
        }
    }

    /// Takes a part's event, if it has one, so the parts after it see it applied.
    fn add(&mut self, event: Option<CustomerEvent>) {
        if let Some(event) = event {
            self.state.apply(event.clone());
            self.events.push(event);
        }
    }

    /// Tags, preferences and consent, in that order, each only when sent.
    fn details(
        &mut self,
        tenant_id: Uuid,
        details: CustomerDetails,
    ) -> Result<(), CustomerRefusal> {
        let CustomerDetails {
            tags,
            preferences,
            marketing_consent,
            reminders,
        } = details;
        if let Some(tags) = tags {
            let change = self.state.tags_change(tenant_id, tags)?;
            self.add(change);
        }
        if let Some(preferences) = preferences {
            let change = self.state.preferences_change(tenant_id, preferences)?;
            self.add(change);
        }
        if let Some(consent) = marketing_consent {
            let change = self.state.consent_change(tenant_id, consent)?;
            self.add(change);
        }
        if let Some(choice) = reminders {
            let change = self.state.reminders_change(tenant_id, choice)?;
            self.add(change);
        }
        Ok(())
    }
}

/// One part each: its event, `None` when it would change nothing, or why it is refused.
impl Customer {
    fn profile_change(
        &self,
        tenant_id: Uuid,
        changes: ProfileChanges,
        country: Option<&str>,
    ) -> Result<Option<CustomerEvent>, CustomerRefusal> {
        let current = self.pii_of(tenant_id)?;
        let profile = CustomerProfile {
            name: changes.name.unwrap_or_else(|| current.name.clone()),
            phone: changes.phone.unwrap_or_else(|| current.phone.clone()),
            email: changes.email.unwrap_or_else(|| current.email.clone()),
            notes: changes.notes.unwrap_or_else(|| current.notes.clone()),
        };
        let pii = validate_contact(profile, country)?;
        Ok((&pii != current).then_some(CustomerEvent::CustomerProfileUpdated { pii }))
    }

    fn tags_change(
        &self,
        tenant_id: Uuid,
        tags: Vec<String>,
    ) -> Result<Option<CustomerEvent>, CustomerRefusal> {
        self.pii_of(tenant_id)?;
        let tags = normalise_tags(tags)?;
        Ok((tags != self.tags).then_some(CustomerEvent::CustomerTagsChanged { tags }))
    }

    fn preferences_change(
        &self,
        tenant_id: Uuid,
        preferences: Value,
    ) -> Result<Option<CustomerEvent>, CustomerRefusal> {
        self.pii_of(tenant_id)?;
        let preferences = validate_preferences(preferences)?;
        Ok(
            (preferences != self.preferences).then_some(
                CustomerEvent::CustomerPreferencesChanged {
                    pii: PreferencesPii { preferences },
                },
            ),
        )
    }

    fn consent_change(
        &self,
        tenant_id: Uuid,
        consent: MarketingConsent,
    ) -> Result<Option<CustomerEvent>, CustomerRefusal> {
        self.pii_of(tenant_id)?;
        let MarketingConsent { given, at } = consent;
        Ok(match (self.marketing_consent, given) {
            (false, true) => Some(CustomerEvent::MarketingConsentGiven { at }),
            (true, false) => Some(CustomerEvent::MarketingConsentWithdrawn { at }),
            _ => None,
        })
    }

    fn reminders_change(
        &self,
        tenant_id: Uuid,
        choice: MarketingConsent,
    ) -> Result<Option<CustomerEvent>, CustomerRefusal> {
        self.pii_of(tenant_id)?;
        let MarketingConsent { given, at } = choice;
        Ok(match (self.reminders_declined, given) {
            (false, false) => Some(CustomerEvent::RemindersDeclined { at }),
            (true, true) => Some(CustomerEvent::RemindersWanted { at }),
            _ => None,
        })
    }
}

//! The Customer aggregate: a person on a business's books.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use events::customer::{CustomerEvent, CustomerPii};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::contact::{normalise_email, normalise_phone};

const MAX_NAME: usize = 200;
const MAX_NOTES: usize = 5000;

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
}

/// A profile as the front desk types it, before normalisation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CustomerProfile {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
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

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Customer {
    customer_id: Option<Uuid>,
    tenant_id: Option<Uuid>,
    pii: Option<CustomerPii>,
}

impl Aggregate for Customer {
    const TYPE: &'static str = events::customer::AGGREGATE_TYPE;
    type Command = CustomerCommand;
    type Event = CustomerEvent;
    type Error = CustomerError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = match command {
            CustomerCommand::Register {
                customer_id,
                tenant_id,
                profile,
            } => {
                if self.customer_id.is_some() {
                    return Err(CustomerError::AlreadyRegistered);
                }
                CustomerEvent::CustomerRegistered {
                    customer_id,
                    business_id: tenant_id,
                    pii: validate(profile)?,
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
                let profile = CustomerProfile {
                    name: name.unwrap_or_else(|| current.name.clone()),
                    phone: phone.unwrap_or_else(|| current.phone.clone()),
                    email: email.unwrap_or_else(|| current.email.clone()),
                    notes: notes.unwrap_or_else(|| current.notes.clone()),
                };
                let pii = validate(profile)?;
                if &pii == current {
                    return Ok(());
                }
                CustomerEvent::CustomerProfileUpdated { pii }
            }
        };
        sink.write(event, self).await;
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
        }
    }
}

impl Customer {
    /// Whether the customer is on the books of business `tenant_id` (a booking needs one).
    pub fn belongs_to(&self, tenant_id: Uuid) -> bool {
        self.pii.is_some() && self.tenant_id == Some(tenant_id)
    }

    /// Another business's customer does not exist for the caller.
    fn pii_of(&self, tenant_id: Uuid) -> Result<&CustomerPii, CustomerError> {
        match (&self.pii, self.tenant_id) {
            (Some(pii), Some(owner)) if owner == tenant_id => Ok(pii),
            _ => Err(CustomerError::NotFound),
        }
    }
}

fn validate(profile: CustomerProfile) -> Result<CustomerPii, CustomerError> {
    let name = profile.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(CustomerError::InvalidName);
    }
    let phone = match non_blank(profile.phone) {
        None => None,
        Some(raw) => Some(normalise_phone(&raw).ok_or(CustomerError::InvalidPhone(raw))?),
    };
    let email = match non_blank(profile.email) {
        None => None,
        Some(raw) => Some(normalise_email(&raw).ok_or(CustomerError::InvalidEmail(raw))?),
    };
    let notes = non_blank(profile.notes);
    if notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTES)
    {
        return Err(CustomerError::NotesTooLong);
    }
    Ok(CustomerPii {
        name,
        phone,
        email,
        notes,
    })
}

fn non_blank(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;

    use super::*;

    type CustomerTest = TestFramework<Customer>;

    fn ana() -> CustomerPii {
        CustomerPii {
            name: "Ana Silva".into(),
            phone: Some("+447700900123".into()),
            email: Some("ana@example.com".into()),
            notes: None,
        }
    }

    fn register(profile: CustomerProfile) -> CustomerCommand {
        CustomerCommand::Register {
            customer_id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            profile,
        }
    }

    type Field = Option<Option<String>>;

    fn update(name: Option<&str>, phone: Field, email: Field, notes: Field) -> CustomerCommand {
        CustomerCommand::UpdateProfile {
            tenant_id: Uuid::nil(),
            name: name.map(Into::into),
            phone,
            email,
            notes,
        }
    }

    #[test]
    fn registering_normalises_the_contact_details() {
        CustomerTest::with(())
            .given_no_previous_events()
            .when(register(CustomerProfile {
                name: "  Ana Silva ".into(),
                phone: Some("+44 7700 900123".into()),
                email: Some("ana@EXAMPLE.com".into()),
                notes: Some("  ".into()),
            }))
            .then_expect_events(vec![CustomerEvent::CustomerRegistered {
                customer_id: Uuid::nil(),
                business_id: Uuid::nil(),
                pii: ana(),
            }]);
    }

    #[test]
    fn registering_twice_is_refused() {
        CustomerTest::with(())
            .given(vec![CustomerEvent::CustomerRegistered {
                customer_id: Uuid::nil(),
                business_id: Uuid::nil(),
                pii: ana(),
            }])
            .when(register(CustomerProfile {
                name: "Ana".into(),
                ..Default::default()
            }))
            .then_expect_error(CustomerError::AlreadyRegistered);
    }

    #[test]
    fn bad_details_are_refused() {
        let cases = [
            (CustomerProfile::default(), CustomerError::InvalidName),
            (
                CustomerProfile {
                    name: "Bo".into(),
                    phone: Some("0770".into()),
                    ..Default::default()
                },
                CustomerError::InvalidPhone("0770".into()),
            ),
            (
                CustomerProfile {
                    name: "Bo".into(),
                    email: Some("bo@".into()),
                    ..Default::default()
                },
                CustomerError::InvalidEmail("bo@".into()),
            ),
            (
                CustomerProfile {
                    name: "Bo".into(),
                    notes: Some("x".repeat(MAX_NOTES + 1)),
                    ..Default::default()
                },
                CustomerError::NotesTooLong,
            ),
        ];
        for (profile, error) in cases {
            CustomerTest::with(())
                .given_no_previous_events()
                .when(register(profile))
                .then_expect_error(error);
        }
    }

    #[test]
    fn updating_changes_only_the_given_fields() {
        let command = update(
            None,
            Some(None),
            None,
            Some(Some("likes a skin fade".into())),
        );
        CustomerTest::with(())
            .given(vec![CustomerEvent::CustomerRegistered {
                customer_id: Uuid::nil(),
                business_id: Uuid::nil(),
                pii: ana(),
            }])
            .when(command)
            .then_expect_events(vec![CustomerEvent::CustomerProfileUpdated {
                pii: CustomerPii {
                    phone: None,
                    notes: Some("likes a skin fade".into()),
                    ..ana()
                },
            }]);
    }

    #[test]
    fn an_update_that_changes_nothing_records_nothing() {
        CustomerTest::with(())
            .given(vec![CustomerEvent::CustomerRegistered {
                customer_id: Uuid::nil(),
                business_id: Uuid::nil(),
                pii: ana(),
            }])
            .when(update(Some("Ana Silva"), None, None, None))
            .then_expect_events(vec![]);
    }

    #[test]
    fn updating_an_unknown_customer_is_refused() {
        CustomerTest::with(())
            .given_no_previous_events()
            .when(update(Some("Ana"), None, None, None))
            .then_expect_error(CustomerError::NotFound);
    }

    #[test]
    fn another_business_cannot_update_a_customer() {
        CustomerTest::with(())
            .given(vec![CustomerEvent::CustomerRegistered {
                customer_id: Uuid::nil(),
                business_id: Uuid::from_u128(1),
                pii: ana(),
            }])
            .when(update(Some("Stolen"), None, None, None))
            .then_expect_error(CustomerError::NotFound);
    }

    #[test]
    fn an_update_to_an_invalid_email_is_refused() {
        CustomerTest::with(())
            .given(vec![CustomerEvent::CustomerRegistered {
                customer_id: Uuid::nil(),
                business_id: Uuid::nil(),
                pii: ana(),
            }])
            .when(update(None, None, Some(Some("nope".into())), None))
            .then_expect_error(CustomerError::InvalidEmail("nope".into()));
    }
}

//! The Service aggregate: one entry of a business's catalog ("Skin fade, 30 min, £25").
//!
//! Durations and buffers are whole multiples of [`STEP_MINUTES`], so that every slot on a
//! barber's day starts on a five-minute mark. A price of 0 is allowed (a free consultation);
//! a negative one is not. The currency is the business's, looked up by the caller: the service
//! never chooses one. Retiring is final and idempotent: retiring again records nothing, and a
//! retired service can no longer be changed.

use std::ops::RangeInclusive;

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use events::service::ServiceEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::{handle_by_deciding, Decide};

const MAX_NAME: usize = 200;
const MAX_CATEGORY: usize = 100;
/// Every duration and buffer is a multiple of this many minutes.
pub const STEP_MINUTES: i64 = 5;
const DURATION: RangeInclusive<i64> = 5..=480;
const BUFFER: RangeInclusive<i64> = 0..=120;
/// Guards against typos and overflow in sums; generous enough for currencies whose minor unit is
/// tiny (a haircut in rupiah is about 10^7 minor units).
const MAX_PRICE: i64 = 100_000_000_000;

#[derive(Debug, Clone, PartialEq)]
pub enum ServiceCommand {
    Create {
        service_id: Uuid,
        tenant_id: Uuid,
        /// The business's ISO 4217 currency.
        currency: String,
        definition: ServiceDefinition,
        price_cents: i64,
    },
    /// Fields left `None` stay as they are; `category: Some(None)` removes the category.
    Update {
        tenant_id: Uuid,
        name: Option<String>,
        category: Option<Option<String>>,
        duration_minutes: Option<i64>,
        buffer_minutes: Option<i64>,
    },
    ChangePrice {
        tenant_id: Uuid,
        price_cents: i64,
    },
    /// The business moved to `currency`: the service takes `price_cents` in it. A retired
    /// service keeps its old price (it is never booked again); the same price and currency
    /// again records nothing.
    Reprice {
        tenant_id: Uuid,
        price_cents: i64,
        currency: String,
    },
    Retire {
        tenant_id: Uuid,
    },
}

/// A definition as the owner types it, before validation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceDefinition {
    pub name: String,
    pub category: Option<String>,
    pub duration_minutes: i64,
    pub buffer_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[cfg_attr(
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum ServiceError {
    #[error("the service does not exist")]
    NotFound,
    #[error("the service already exists")]
    AlreadyCreated,
    #[error("a service needs a name (at most {MAX_NAME} characters)")]
    InvalidName,
    #[error("a category is at most {MAX_CATEGORY} characters")]
    InvalidCategory,
    #[error("a duration of {0} minutes is not allowed: 5 to 480, in steps of {STEP_MINUTES}")]
    InvalidDuration(i64),
    #[error("a price of {0} is not allowed: 0 (free) or more minor units, at most {MAX_PRICE}")]
    InvalidPrice(i64),
    #[error("a buffer of {0} minutes is not allowed: 0 to 120, in steps of {STEP_MINUTES}")]
    InvalidBuffer(i64),
    #[error("the service is retired and can no longer be changed")]
    Retired,
}

/// A validated definition: everything but the price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Definition {
    name: String,
    category: Option<String>,
    duration_minutes: u32,
    buffer_minutes: u32,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Service {
    tenant_id: Option<Uuid>,
    definition: Option<Definition>,
    price_cents: i64,
    currency: String,
    retired: bool,
}

impl Aggregate for Service {
    const TYPE: &'static str = events::service::AGGREGATE_TYPE;
    type Command = ServiceCommand;
    type Event = ServiceEvent;
    type Error = ServiceError;
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
            ServiceEvent::ServiceCreated {
                business_id,
                name,
                category,
                duration_minutes,
                price_cents,
                currency,
                buffer_minutes,
                ..
            } => {
                self.tenant_id = Some(business_id);
                self.definition = Some(Definition {
                    name,
                    category,
                    duration_minutes,
                    buffer_minutes,
                });
                self.price_cents = price_cents;
                self.currency = currency;
            }
            ServiceEvent::ServiceUpdated {
                name,
                category,
                duration_minutes,
                buffer_minutes,
            } => {
                self.definition = Some(Definition {
                    name,
                    category,
                    duration_minutes,
                    buffer_minutes,
                });
            }
            ServiceEvent::ServicePriceChanged {
                price_cents,
                currency,
            } => {
                self.price_cents = price_cents;
                self.currency = currency;
            }
            ServiceEvent::ServiceRetired {} => self.retired = true,
        }
    }
}

impl Decide for Service {
    /// Each command records at most one event: none when it repeats what is on record.
    fn decide(&self, command: ServiceCommand) -> Result<Vec<ServiceEvent>, ServiceError> {
        let event = match command {
            ServiceCommand::Create {
                service_id,
                tenant_id,
                currency,
                definition,
                price_cents,
            } => {
                if self.definition.is_some() {
                    return Err(ServiceError::AlreadyCreated);
                }
                let Definition {
                    name,
                    category,
                    duration_minutes,
                    buffer_minutes,
                } = validate(definition)?;
                ServiceEvent::ServiceCreated {
                    service_id,
                    business_id: tenant_id,
                    name,
                    category,
                    duration_minutes,
                    price_cents: valid_price(price_cents)?,
                    currency,
                    buffer_minutes,
                }
            }
            ServiceCommand::Update {
                tenant_id,
                name,
                category,
                duration_minutes,
                buffer_minutes,
            } => {
                let current = self.editable(tenant_id)?;
                let next = validate(ServiceDefinition {
                    name: name.unwrap_or_else(|| current.name.clone()),
                    category: category.unwrap_or_else(|| current.category.clone()),
                    duration_minutes: duration_minutes
                        .unwrap_or_else(|| current.duration_minutes.into()),
                    buffer_minutes: buffer_minutes.unwrap_or_else(|| current.buffer_minutes.into()),
                })?;
                if &next == current {
                    return Ok(Vec::new());
                }
                ServiceEvent::ServiceUpdated {
                    name: next.name,
                    category: next.category,
                    duration_minutes: next.duration_minutes,
                    buffer_minutes: next.buffer_minutes,
                }
            }
            ServiceCommand::ChangePrice {
                tenant_id,
                price_cents,
            } => {
                self.editable(tenant_id)?;
                let price_cents = valid_price(price_cents)?;
                if price_cents == self.price_cents {
                    return Ok(Vec::new());
                }
                ServiceEvent::ServicePriceChanged {
                    price_cents,
                    currency: self.currency.clone(),
                }
            }
            ServiceCommand::Reprice {
                tenant_id,
                price_cents,
                currency,
            } => {
                self.owned(tenant_id)?;
                let price_cents = valid_price(price_cents)?;
                if self.retired || (price_cents, &currency) == (self.price_cents, &self.currency) {
                    return Ok(Vec::new());
                }
                ServiceEvent::ServicePriceChanged {
                    price_cents,
                    currency,
                }
            }
            ServiceCommand::Retire { tenant_id } => {
                self.owned(tenant_id)?;
                if self.retired {
                    return Ok(Vec::new());
                }
                ServiceEvent::ServiceRetired {}
            }
        };
        Ok(vec![event])
    }
}

impl Service {
    /// Whether it is a service of business `tenant_id` (retired or not).
    pub fn belongs_to(&self, tenant_id: Uuid) -> bool {
        self.owned(tenant_id).is_ok()
    }

    /// Whether `tenant_id` may book it now: it exists in that business and is not retired.
    pub fn is_bookable_by(&self, tenant_id: Uuid) -> bool {
        self.owned(tenant_id).is_ok() && !self.retired
    }

    /// Minutes in the chair, then minutes of buffer; `None` for a service that does not exist.
    pub fn minutes(&self) -> Option<(u32, u32)> {
        self.definition
            .as_ref()
            .map(|d| (d.duration_minutes, d.buffer_minutes))
    }

    /// The name customers see; `None` for a service that does not exist.
    pub fn name(&self) -> Option<&str> {
        self.definition.as_ref().map(|d| d.name.as_str())
    }

    /// Whether the service is retired (kept only for the appointments made with it).
    pub fn is_retired(&self) -> bool {
        self.retired
    }

    /// The current price: integer minor units and the ISO 4217 currency.
    pub fn price(&self) -> (i64, &str) {
        (self.price_cents, &self.currency)
    }

    /// Another business's service does not exist for the caller.
    fn owned(&self, tenant_id: Uuid) -> Result<&Definition, ServiceError> {
        match (&self.definition, self.tenant_id) {
            (Some(definition), Some(owner)) if owner == tenant_id => Ok(definition),
            _ => Err(ServiceError::NotFound),
        }
    }

    /// The definition, if the caller's business owns the service and it can still change.
    fn editable(&self, tenant_id: Uuid) -> Result<&Definition, ServiceError> {
        let definition = self.owned(tenant_id)?;
        if self.retired {
            return Err(ServiceError::Retired);
        }
        Ok(definition)
    }
}

fn validate(draft: ServiceDefinition) -> Result<Definition, ServiceError> {
    let name = draft.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ServiceError::InvalidName);
    }
    let category = draft
        .category
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    if category
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_CATEGORY)
    {
        return Err(ServiceError::InvalidCategory);
    }
    let duration = draft.duration_minutes;
    let duration_minutes =
        in_steps(duration, &DURATION).ok_or(ServiceError::InvalidDuration(duration))?;
    let buffer = draft.buffer_minutes;
    let buffer_minutes = in_steps(buffer, &BUFFER).ok_or(ServiceError::InvalidBuffer(buffer))?;
    Ok(Definition {
        name,
        category,
        duration_minutes,
        buffer_minutes,
    })
}

/// `minutes` if it lies in `range` and is a whole number of steps.
fn in_steps(minutes: i64, range: &RangeInclusive<i64>) -> Option<u32> {
    if !range.contains(&minutes) || minutes % STEP_MINUTES != 0 {
        return None;
    }
    u32::try_from(minutes).ok()
}

fn valid_price(price_cents: i64) -> Result<i64, ServiceError> {
    if (0..=MAX_PRICE).contains(&price_cents) {
        Ok(price_cents)
    } else {
        Err(ServiceError::InvalidPrice(price_cents))
    }
}

#[cfg(test)]
mod tests;

//! The CustomerDay aggregate: one customer's one local day, and the owner of "a customer cannot
//! sit in two chairs at once".
//!
//! Every appointment holds the stretch of its service (`[starts_at, ends_at)`, without the
//! barber's clean-up buffer) on its customer's day (id [`CustomerDayId`]), in the same decision
//! that reserves the barber's slot. Two appointments of one customer that overlap could then
//! only both be recorded by two writers at one sequence, and the event store lets one win; the
//! other is decided again and refused `CustomerDoubleBooked`, unless the business allows a
//! customer overlapping appointments (a family booked under one name): the time is held all the
//! same, so turning the rule on later holds from then on.
//!
//! Pure: no I/O, no clock.

#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use events::customer_day::CustomerDayEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::{handle_by_deciding, Decide};

/// Which customer's which local day: the aggregate id, written `{customer_id}:{YYYY-MM-DD}`.
/// Defined here only: written with `to_string()`, read with `parse()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CustomerDayId {
    pub customer_id: Uuid,
    /// The local date in the business's timezone.
    pub date: NaiveDate,
}

impl std::fmt::Display for CustomerDayId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.customer_id, self.date.format("%Y-%m-%d"))
    }
}

impl std::str::FromStr for CustomerDayId {
    type Err = String;

    fn from_str(id: &str) -> Result<Self, Self::Err> {
        let (customer_id, date) = crate::schedule::parse_day_id(id, "customer day")?;
        Ok(Self { customer_id, date })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerDayCommand {
    /// The appointment takes `[starts_at, ends_at)` of the day; an appointment already held
    /// here moves (a reschedule within the day).
    Hold {
        appointment_id: Uuid,
        tenant_id: Uuid,
        customer_id: Uuid,
        date: NaiveDate,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        /// The business's policy: may a customer hold overlapping appointments?
        allow_overlap: bool,
    },
    /// The appointment gives the time back; one not held here records nothing.
    Release {
        appointment_id: Uuid,
        tenant_id: Uuid,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum CustomerDayError {
    #[error("the customer's day does not exist")]
    NotFound,
    #[error("the customer already has an appointment at that time")]
    CustomerDoubleBooked { conflicting: Uuid },
    #[error("an appointment must end after it starts")]
    InvalidInterval,
}

/// An appointment's time on the customer's day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Held {
    appointment_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CustomerDay {
    tenant_id: Option<Uuid>,
    held: Vec<Held>,
}

impl CustomerDay {
    /// The stretch appointment `appointment_id` holds on the day, if it holds one.
    pub fn held_by(&self, appointment_id: Uuid) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        self.held
            .iter()
            .find(|h| h.appointment_id == appointment_id)
            .map(|h| (h.starts_at, h.ends_at))
    }
}

impl Aggregate for CustomerDay {
    const TYPE: &'static str = events::customer_day::AGGREGATE_TYPE;
    type Command = CustomerDayCommand;
    type Event = CustomerDayEvent;
    type Error = CustomerDayError;
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
            CustomerDayEvent::CustomerTimeHeld {
                appointment_id,
                business_id,
                starts_at,
                ends_at,
                ..
            } => {
                self.tenant_id.get_or_insert(business_id);
                self.held.push(Held {
                    appointment_id,
                    starts_at,
                    ends_at,
                });
            }
            CustomerDayEvent::CustomerTimeReleased { appointment_id } => {
                self.held.retain(|h| h.appointment_id != appointment_id);
            }
        }
    }
}

impl Decide for CustomerDay {
    fn decide(
        &self,
        command: CustomerDayCommand,
    ) -> Result<Vec<CustomerDayEvent>, CustomerDayError> {
        match command {
            CustomerDayCommand::Hold {
                appointment_id,
                tenant_id,
                customer_id,
                date,
                starts_at,
                ends_at,
                allow_overlap,
            } => {
                self.visible_to(tenant_id)?;
                if starts_at >= ends_at {
                    return Err(CustomerDayError::InvalidInterval);
                }
                let current = self
                    .held
                    .iter()
                    .find(|h| h.appointment_id == appointment_id);
                if current.is_some_and(|h| h.starts_at == starts_at && h.ends_at == ends_at) {
                    return Ok(Vec::new());
                }
                if !allow_overlap {
                    let taken = self.held.iter().find(|h| {
                        h.appointment_id != appointment_id
                            && h.starts_at < ends_at
                            && starts_at < h.ends_at
                    });
                    if let Some(taken) = taken {
                        return Err(CustomerDayError::CustomerDoubleBooked {
                            conflicting: taken.appointment_id,
                        });
                    }
                }
                let mut events = Vec::with_capacity(2);
                if current.is_some() {
                    events.push(CustomerDayEvent::CustomerTimeReleased { appointment_id });
                }
                events.push(CustomerDayEvent::CustomerTimeHeld {
                    appointment_id,
                    business_id: tenant_id,
                    customer_id,
                    date,
                    starts_at,
                    ends_at,
                });
                Ok(events)
            }
            CustomerDayCommand::Release {
                appointment_id,
                tenant_id,
            } => {
                self.visible_to(tenant_id)?;
                let held = self.held.iter().any(|h| h.appointment_id == appointment_id);
                Ok(held
                    .then_some(CustomerDayEvent::CustomerTimeReleased { appointment_id })
                    .into_iter()
                    .collect())
            }
        }
    }
}

impl CustomerDay {
    /// Another business's day does not exist for the caller; an empty one is anyone's.
    fn visible_to(&self, tenant_id: Uuid) -> Result<(), CustomerDayError> {
        match self.tenant_id {
            Some(owner) if owner != tenant_id => Err(CustomerDayError::NotFound),
            _ => Ok(()),
        }
    }
}

//! A record as it was: its stored events folded by the aggregate's own `Default` and `apply`,
//! exactly as the command side folds a record it loads (each payload deserialised into the
//! aggregate's event, applied in sequence order). The auditor's `as_of` view answers with this,
//! so it never shows a state the command side would not have decided on.
//!
//! Records are named as the event store names them: an aggregate type (each aggregate's
//! [`Aggregate::TYPE`], the `AGGREGATE_TYPE` of its events) and an id in that type's format.

use cqrs_es::Aggregate;
use serde_json::Value;
use uuid::Uuid;

use crate::account::Account;
use crate::appointment::Appointment;
use crate::business::Business;
use crate::customer::Customer;
use crate::customer_day::{CustomerDay, CustomerDayId};
use crate::schedule::{Schedule, ScheduleId};
use crate::service::Service;
use crate::staff::StaffMember;

/// The kinds of record the event store holds, one per aggregate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordType {
    /// A login of the business (its id is the user id).
    Account,
    Business,
    StaffMember,
    Service,
    Customer,
    Appointment,
    /// A barber's local day ([`ScheduleId`]).
    Schedule,
    /// A customer's local day ([`CustomerDayId`]).
    CustomerDay,
}

impl RecordType {
    pub const ALL: [RecordType; 8] = [
        Self::Account,
        Self::Business,
        Self::StaffMember,
        Self::Service,
        Self::Customer,
        Self::Appointment,
        Self::Schedule,
        Self::CustomerDay,
    ];

    /// The aggregate type its events are stored under.
    pub fn aggregate_type(self) -> &'static str {
        match self {
            Self::Account => Account::TYPE,
            Self::Business => Business::TYPE,
            Self::StaffMember => StaffMember::TYPE,
            Self::Service => Service::TYPE,
            Self::Customer => Customer::TYPE,
            Self::Appointment => Appointment::TYPE,
            Self::Schedule => Schedule::TYPE,
            Self::CustomerDay => CustomerDay::TYPE,
        }
    }

    /// The record type stored as `aggregate_type`, if it is one.
    pub fn from_aggregate_type(aggregate_type: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.aggregate_type() == aggregate_type)
    }

    /// `id` as the event store writes it for this type (a UUID in its hyphenated lower-case
    /// form, a day as `{uuid}:{YYYY-MM-DD}`), or `None` when it cannot name a record of it.
    pub fn stored_id(self, id: &str) -> Option<String> {
        match self {
            Self::Schedule => id.parse::<ScheduleId>().ok().map(|d| d.to_string()),
            Self::CustomerDay => id.parse::<CustomerDayId>().ok().map(|d| d.to_string()),
            _ => id.parse::<Uuid>().ok().map(|u| u.to_string()),
        }
    }

    /// The record after `payloads` (its stored events, in sequence order), as JSON: the
    /// aggregate's own state, serialised.
    pub fn fold(
        self,
        payloads: impl IntoIterator<Item = Value>,
    ) -> Result<Value, serde_json::Error> {
        match self {
            Self::Account => fold_to_json::<Account>(payloads),
            Self::Business => fold_to_json::<Business>(payloads),
            Self::StaffMember => fold_to_json::<StaffMember>(payloads),
            Self::Service => fold_to_json::<Service>(payloads),
            Self::Customer => fold_to_json::<Customer>(payloads),
            Self::Appointment => fold_to_json::<Appointment>(payloads),
            Self::Schedule => fold_to_json::<Schedule>(payloads),
            Self::CustomerDay => fold_to_json::<CustomerDay>(payloads),
        }
    }
}

/// `A` after `payloads`: from `A::default()`, each payload read as `A::Event` and applied.
pub fn fold<A: Aggregate>(
    payloads: impl IntoIterator<Item = Value>,
) -> Result<A, serde_json::Error> {
    let mut state = A::default();
    for payload in payloads {
        state.apply(serde_json::from_value(payload)?);
    }
    Ok(state)
}

fn fold_to_json<A: Aggregate>(
    payloads: impl IntoIterator<Item = Value>,
) -> Result<Value, serde_json::Error> {
    serde_json::to_value(fold::<A>(payloads)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_type_is_named_by_its_aggregate_type() {
        for kind in RecordType::ALL {
            assert_eq!(
                RecordType::from_aggregate_type(kind.aggregate_type()),
                Some(kind)
            );
        }
        assert_eq!(RecordType::from_aggregate_type("invoice"), None);
        assert_eq!(RecordType::from_aggregate_type("Customer"), None);
    }

    #[test]
    fn ids_are_read_in_the_form_the_store_writes() {
        let id = "0190F0A2-7C1D-7000-8000-000000000001";
        let stored = "0190f0a2-7c1d-7000-8000-000000000001";
        assert_eq!(RecordType::Customer.stored_id(id).as_deref(), Some(stored));
        assert_eq!(RecordType::Customer.stored_id("walk-in"), None);
        assert_eq!(
            RecordType::Schedule.stored_id(&format!("{id}:2026-12-07")),
            Some(format!("{stored}:2026-12-07"))
        );
        assert_eq!(RecordType::Schedule.stored_id(id), None);
        assert_eq!(
            RecordType::Schedule.stored_id(&format!("{stored}:2026-13-07")),
            None
        );
        assert_eq!(
            RecordType::CustomerDay.stored_id(&format!("{stored}:2026-12-07")),
            Some(format!("{stored}:2026-12-07"))
        );
    }

    #[test]
    fn a_payload_of_another_aggregate_is_an_error_not_a_guess() {
        let business = serde_json::json!({"BusinessClosed": {}});
        assert!(RecordType::Appointment.fold([business]).is_err());
    }
}

//! Personal data is sealed on its way into the event store, and opened on its way out, here and
//! nowhere else: aggregates decide on plaintext and stay pure, and only events that carry a
//! `pii` object (a customer's, a note's) pay for it. The booking hot path carries none, so it
//! reads no key and seals nothing.
//!
//! A `pii` object is sealed with the key of the customer it is about (the fact's `customer_id`,
//! else the customer whose stream it is). A customer's first event creates their key, inserted
//! by the same statement that appends the event ([`NewKey`]s, see `append`); any other event
//! about a customer without a key (erased meanwhile) is not recorded.

use std::collections::HashSet;

use cqrs_es::persist::{PersistenceError, SerializedEvent};
use platform::personal_data::{self, keys, DataKey, NewKey, PersonalDataError, PII};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

/// Seals every `pii` object of `events` in place; answers the keys to create with them. The keys
/// are read on `executor`: inside a transaction, its own connection, never a second one from
/// the pool (a request holding one connection and waiting for another starves the pool when as
/// many arrive at once as it has connections).
pub(super) async fn seal<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    events: &mut [SerializedEvent],
) -> Result<Vec<NewKey>, PersistenceError> {
    if !events
        .iter()
        .any(|e| personal_data::has_clear_pii(&e.payload))
    {
        return Ok(Vec::new());
    }
    seal_all(executor, events).await.map_err(store_error)
}

async fn seal_all<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    events: &mut [SerializedEvent],
) -> Result<Vec<NewKey>, PersonalDataError> {
    let mut owners = Vec::new();
    let mut first_events = HashSet::new();
    for event in events.iter_mut() {
        let tenant_id = tenant_of(event)?;
        let stream_customer = stream_customer(event);
        if event.sequence == 1 {
            first_events.extend(stream_customer.map(|c| (tenant_id, c)));
        }
        for fact in personal_data::facts_with_pii(&mut event.payload) {
            let owner = personal_data::owner_of(fact, stream_customer).ok_or_else(|| {
                PersonalDataError::Malformed(format!(
                    "{} {} records personal data of no customer",
                    event.aggregate_type, event.event_type
                ))
            })?;
            owners.push((tenant_id, owner));
        }
    }
    owners.sort_unstable();
    owners.dedup();
    let mut found = keys::find(executor, &owners).await?;
    let mut created = Vec::new();
    for owner in owners {
        if found.contains_key(&owner) {
            continue;
        }
        if !first_events.contains(&owner) {
            return Err(PersonalDataError::NoKey(owner.1));
        }
        let key = DataKey::generate()?;
        found.insert(owner, key.clone());
        created.push(NewKey {
            tenant_id: owner.0,
            customer_id: owner.1,
            key,
        });
    }
    for event in events.iter_mut() {
        let tenant_id = tenant_of(event)?;
        let stream_customer = stream_customer(event);
        for fact in personal_data::facts_with_pii(&mut event.payload) {
            let Some(owner) = personal_data::owner_of(fact, stream_customer) else {
                continue;
            };
            let Some(pii) = fact.get_mut(PII) else {
                continue;
            };
            if personal_data::is_protected(pii) {
                continue;
            }
            let key = found
                .get(&(tenant_id, owner))
                .ok_or(PersonalDataError::NoKey(owner))?;
            *pii = key.seal(owner, pii)?;
        }
    }
    Ok(created)
}

/// Opens the personal data of events read back: `(business, payload)` each.
pub(super) async fn open(
    pool: &PgPool,
    payloads: Vec<(Uuid, &mut Value)>,
) -> Result<(), PersistenceError> {
    personal_data::open(pool, payloads)
        .await
        .map_err(store_error)
}

/// The business an event belongs to, from its metadata (as the `tenant_id` column is).
pub(super) fn tenant_of(event: &SerializedEvent) -> Result<Uuid, PersonalDataError> {
    event
        .metadata
        .get("tenant_id")
        .and_then(Value::as_str)
        .and_then(|id| Uuid::parse_str(id).ok())
        .ok_or_else(|| PersonalDataError::Malformed("an event without its tenant_id".into()))
}

/// The customer whose own stream the event is on, if it is a customer's.
fn stream_customer(event: &SerializedEvent) -> Option<Uuid> {
    (event.aggregate_type == events::customer::AGGREGATE_TYPE)
        .then(|| Uuid::parse_str(&event.aggregate_id).ok())
        .flatten()
}

/// A missing key for a customer whose record exists means it was erased while the step was
/// decided: a conflict, so the step is decided again and refused for the erasure.
fn store_error(err: PersonalDataError) -> PersistenceError {
    match err {
        PersonalDataError::Database(e) => super::append::persistence_error(e),
        PersonalDataError::NoKey(_) => PersistenceError::OptimisticLockError,
        other => PersistenceError::UnknownError(Box::new(other)),
    }
}

//! Erasing a customer at their request (GDPR): one transaction records `CustomerErased`,
//! destroys the customer's data key (every `pii` object about them, in their events and in the
//! notes on their appointments, reads as erased from then on) and releases their phone and
//! email in `customer_contacts`, so someone else may use them. Appointments, payments and the
//! rest of the history are untouched and still replay.

use chrono::{DateTime, Utc};
use domain::customer::{Customer, CustomerCommand};
use events::EventMetadata;
use platform::personal_data::keys;
use uuid::Uuid;

use super::{contacts, retrying, CustomerBookError};
use crate::store::{Committed, EventStore};

/// Erases customer `customer_id` of business `tenant_id`, as of `at`. Erasing an erased
/// customer records nothing (`position` is `None`).
#[tracing::instrument(skip(store, metadata))]
pub async fn erase(
    store: &EventStore,
    tenant_id: Uuid,
    customer_id: Uuid,
    metadata: &EventMetadata,
    at: DateTime<Utc>,
) -> Result<Committed, CustomerBookError> {
    retrying(|| once(store, tenant_id, customer_id, metadata, at)).await
}

async fn once(
    store: &EventStore,
    tenant_id: Uuid,
    customer_id: Uuid,
    metadata: &EventMetadata,
    at: DateTime<Utc>,
) -> Result<Committed, CustomerBookError> {
    let id = customer_id.to_string();
    // read before the fence: opening a customer's sealed data takes a connection of its own,
    // and bookings waiting at the fence hold theirs; a change meanwhile conflicts at the append
    let mut reading = store.reading();
    let wanted = reading.want::<Customer>(&id);
    let known = reading.read().await?.known(wanted)?;
    let mut transaction = store.pool().begin().await?;
    // the customer's fence, exclusively: bookings in flight for them commit first; those after
    // see the erasure (`customer_fence_holds`) and are refused
    sqlx::query(
        "select pg_advisory_xact_lock(hashtext('barber-customer-fence'), hashtext($1::text))",
    )
    .bind(customer_id)
    .execute(&mut *transaction)
    .await?;
    let mut decision = store.decision(metadata);
    decision
        .decide::<Customer>(&id, known, CustomerCommand::Erase { tenant_id, at })
        .await?;
    if decision.is_empty() {
        return Ok(Committed { position: None });
    }
    let appended = decision.append_within(&mut transaction).await?;
    contacts::release_all(&mut transaction, tenant_id, customer_id).await?;
    if !keys::destroy(&mut transaction, tenant_id, customer_id).await? {
        tracing::warn!(%customer_id, "the customer had no data key to destroy");
    }
    transaction.commit().await?;
    Ok(appended.committed())
}

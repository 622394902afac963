//! The one way a reader of events (the command side's loads, the projections, the auditor) sees
//! personal data: [`open`] replaces each sealed `pii` object with what it holds, or with
//! [`erased`](super::erased) once the customer's key is gone.

use serde_json::Value;
use uuid::Uuid;

use super::{keys, sealed_for, PersonalDataError, PII};

/// Opens every sealed `pii` object of `payloads` (each with its business), reading the keys
/// they need in one statement; a payload without sealed personal data costs nothing, and a
/// batch without any reads nothing. A customer whose key is gone reads as erased; a sealed
/// object that does not open with its key is an error.
pub async fn open<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    payloads: Vec<(Uuid, &mut Value)>,
) -> Result<(), PersonalDataError> {
    let mut sealed: Vec<(Uuid, &mut Value)> = payloads
        .into_iter()
        .filter(|(_, payload)| super::has_sealed_pii(payload))
        .collect();
    if sealed.is_empty() {
        return Ok(());
    }
    let mut wanted = Vec::new();
    for (tenant_id, payload) in &mut sealed {
        for fact in super::facts_with_pii(payload) {
            if let Some(owner) = fact.get(PII).and_then(sealed_for) {
                wanted.push((*tenant_id, owner?.0));
            }
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    let found = keys::find(executor, &wanted).await?;
    for (tenant_id, payload) in sealed {
        for fact in super::facts_with_pii(payload) {
            let Some(pii) = fact.get_mut(PII) else {
                continue;
            };
            let Some(owner) = sealed_for(pii) else {
                continue;
            };
            let (customer_id, text) = owner?;
            let opened = match found.get(&(tenant_id, customer_id)) {
                Some(key) => key.open(customer_id, text)?,
                None => super::erased(),
            };
            *pii = opened;
        }
    }
    Ok(())
}

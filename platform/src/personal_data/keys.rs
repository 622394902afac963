//! `customer_keys`: one data key per customer of a business. A key is created in the statement
//! that records the customer's first event, and deleted by the customer's erasure, in the
//! transaction that records it: from then on every event about the customer opens as erased.

use std::collections::HashMap;

use uuid::Uuid;

use super::{DataKey, PersonalDataError};

/// A key to create together with the customer's first event.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub key: DataKey,
}

/// The keys of `customers` (each a business and a customer) that still exist.
pub async fn find<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    customers: &[(Uuid, Uuid)],
) -> Result<HashMap<(Uuid, Uuid), DataKey>, PersonalDataError> {
    if customers.is_empty() {
        return Ok(HashMap::new());
    }
    let (tenants, ids): (Vec<Uuid>, Vec<Uuid>) = customers.iter().copied().unzip();
    let rows: Vec<(Uuid, Uuid, Vec<u8>)> = sqlx::query_as(
        "select k.tenant_id, k.customer_id, k.key
           from customer_keys k
           join unnest($1::uuid[], $2::uuid[]) as w(tenant_id, customer_id)
             on k.tenant_id = w.tenant_id and k.customer_id = w.customer_id",
    )
    .bind(&tenants)
    .bind(&ids)
    .fetch_all(executor)
    .await?;
    rows.into_iter()
        .map(|(tenant, customer, key)| Ok(((tenant, customer), DataKey::from_bytes(&key)?)))
        .collect()
}

/// The columns of `keys` as arrays, for an `insert … select from unnest($a, $b, $c)`.
pub fn columns(keys: &[NewKey]) -> (Vec<Uuid>, Vec<Uuid>, Vec<Vec<u8>>) {
    let tenants = keys.iter().map(|k| k.tenant_id).collect();
    let customers = keys.iter().map(|k| k.customer_id).collect();
    let bytes = keys.iter().map(|k| k.key.as_bytes().to_vec()).collect();
    (tenants, customers, bytes)
}

/// Destroys the customer's key: everything sealed with it can never be read again. Answers
/// whether there was one.
pub async fn destroy(
    conn: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let deleted =
        sqlx::query("delete from customer_keys where tenant_id = $1 and customer_id = $2")
            .bind(tenant_id)
            .bind(customer_id)
            .execute(conn)
            .await?;
    Ok(deleted.rows_affected() > 0)
}

//! Sealing the personal data of events stored in clear, before events were sealed: the one
//! exception to "events are never changed", run with every migration (`barber migrate` and
//! every start), and doing nothing once nothing is left in clear.
//!
//! One transaction: it takes an advisory lock (one runner at a time), switches on
//! `barber.sealing_personal_data` for itself alone (`set local`), which is the only thing the
//! append-only trigger lets through, and only for an update that changes nothing but the `pii`
//! object of the event's fact into a sealed (or erased) one; the trigger records each rewrite
//! in `event_rewrites`. Each customer with clear events gets a key (an erased customer's clear
//! data is erased instead), and each `pii` object is sealed for the customer it is about (the
//! stream's customer, or the appointment's). The events after the last run's checkpoint, in
//! commit order, are the only ones looked at (the checkpoint stops before any transaction still
//! open); a writer of an older release that is still running is caught by the next run. Afterwards `vacuum events` removes the old row versions
//! that held the clear text.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{keys, DataKey, PersonalDataError, PII};

/// Events rewritten per statement.
const PAGE: i64 = 500;

/// Clear personal data after the checkpoint in commit order, with the customer it is about: the
/// fact's `customer_id`, the customer's own stream, or the appointment's customer.
const CLEAR_EVENTS: &str = r#"
select e.global_position, e.tenant_id, e.payload,
       coalesce((jsonb_path_query_first(e.payload, '$.*.customer_id') #>> '{}')::uuid,
                case when e.aggregate_type = 'customer' then e.aggregate_id::uuid end,
                (select (b.payload -> 'AppointmentBooked' ->> 'customer_id')::uuid
                   from events b
                  where b.aggregate_type = e.aggregate_type and b.aggregate_id = e.aggregate_id
                    and b.sequence = 1)) as customer_id
  from events e
 where (e.transaction_id, e.global_position) > ($1::text::xid8, $2)
   and jsonb_path_exists(e.payload,
         '$.*.pii ? (@.type() == "object" && !exists(@.sealed) && !exists(@.erased))')
 order by e.global_position
 limit $3"#;

/// Seals every `pii` object stored in clear; answers how many events were rewritten.
#[tracing::instrument(skip_all)]
pub async fn seal_clear_events(pool: &PgPool) -> Result<u64, PersonalDataError> {
    let mut tx = pool.begin().await?;
    sqlx::query("select pg_advisory_xact_lock(hashtext('barber-seal-clear-events'))")
        .execute(&mut *tx)
        .await?;
    let (after_xid, after_position): (String, i64) = sqlx::query_as(
        "select transaction_id::text, global_position from clear_events_sealed for update",
    )
    .fetch_one(&mut *tx)
    .await?;
    // every event it sees is sealed when it commits; the checkpoint moves only up to the
    // transactions that ended before it looked, as one still open may commit clear events
    // before the checkpoint's place (they are looked at again, and skipped, next time)
    let gate: String = sqlx::query_scalar("select pg_snapshot_xmin(pg_current_snapshot())::text")
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query("set local barber.sealing_personal_data = 'on'")
        .execute(&mut *tx)
        .await?;
    let mut rewritten = 0_u64;
    loop {
        let rows: Vec<(i64, Uuid, Value, Option<Uuid>)> = sqlx::query_as(CLEAR_EVENTS)
            .bind(&after_xid)
            .bind(after_position)
            .bind(PAGE)
            .fetch_all(&mut *tx)
            .await?;
        if rows.is_empty() {
            break;
        }
        rewritten += seal_page(&mut tx, rows).await?;
    }
    sqlx::query(
        "update clear_events_sealed c
            set transaction_id = last.transaction_id, global_position = last.global_position,
                updated_at = now()
           from (select transaction_id, global_position from events
                  where transaction_id < $1::text::xid8
                  order by transaction_id desc, global_position desc
                  limit 1) as last",
    )
    .bind(&gate)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if rewritten > 0 {
        tracing::warn!(
            rewritten,
            "sealed personal data stored in clear (recorded in event_rewrites)"
        );
        // the old row versions still hold the clear text until vacuumed
        sqlx::query("vacuum events").execute(pool).await?;
    }
    Ok(rewritten)
}

/// Seals one page of events, each for the customer it is about.
async fn seal_page(
    tx: &mut PgConnection,
    rows: Vec<(i64, Uuid, Value, Option<Uuid>)>,
) -> Result<u64, PersonalDataError> {
    let mut owners = Vec::with_capacity(rows.len());
    for (position, tenant_id, _, customer_id) in &rows {
        let customer_id = customer_id.ok_or_else(|| {
            PersonalDataError::Malformed(format!(
                "the event at position {position} holds personal data of no known customer"
            ))
        })?;
        owners.push((*tenant_id, customer_id));
    }
    let keys = keys_for(tx, &owners).await?;
    let mut positions = Vec::with_capacity(rows.len());
    let mut payloads = Vec::with_capacity(rows.len());
    for ((position, _, mut payload, _), owner) in rows.into_iter().zip(owners) {
        for fact in super::facts_with_pii(&mut payload) {
            let Some(pii) = fact.get_mut(PII) else {
                continue;
            };
            if super::is_protected(pii) {
                continue;
            }
            *pii = match keys.get(&owner) {
                Some(key) => key.seal(owner.1, pii)?,
                None => super::erased(),
            };
        }
        positions.push(position);
        payloads.push(payload);
    }
    let updated = sqlx::query(
        "update events e set payload = u.payload
           from unnest($1::bigint[], $2::jsonb[]) as u(global_position, payload)
          where e.global_position = u.global_position",
    )
    .bind(&positions)
    .bind(&payloads)
    .execute(&mut *tx)
    .await?;
    Ok(updated.rows_affected())
}

/// Each customer's key, created for those who have none, except the erased: none for them.
async fn keys_for(
    tx: &mut PgConnection,
    owners: &[(Uuid, Uuid)],
) -> Result<HashMap<(Uuid, Uuid), DataKey>, PersonalDataError> {
    let mut wanted = owners.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let mut found = keys::find(&mut *tx, &wanted).await?;
    let missing: Vec<(Uuid, Uuid)> = wanted
        .into_iter()
        .filter(|owner| !found.contains_key(owner))
        .collect();
    if missing.is_empty() {
        return Ok(found);
    }
    let (tenants, customers): (Vec<Uuid>, Vec<Uuid>) = missing.iter().copied().unzip();
    let erased: HashSet<(Uuid, Uuid)> = sqlx::query_as(
        "select e.tenant_id, e.aggregate_id::uuid from events e
           join unnest($1::uuid[], $2::text[]) as w(tenant_id, customer_id)
             on e.aggregate_type = 'customer' and e.aggregate_id = w.customer_id
            and e.tenant_id = w.tenant_id
          where e.event_type = 'CustomerErased'",
    )
    .bind(&tenants)
    .bind(customers.iter().map(Uuid::to_string).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let mut created = Vec::new();
    for (tenant_id, customer_id) in missing {
        if erased.contains(&(tenant_id, customer_id)) {
            continue;
        }
        created.push(keys::NewKey {
            tenant_id,
            customer_id,
            key: DataKey::generate()?,
        });
    }
    let (tenants, customers, bytes) = keys::columns(&created);
    sqlx::query(
        "insert into customer_keys (tenant_id, customer_id, key)
         select * from unnest($1::uuid[], $2::uuid[], $3::bytea[])",
    )
    .bind(&tenants)
    .bind(&customers)
    .bind(&bytes)
    .execute(&mut *tx)
    .await?;
    for new in created {
        found.insert((new.tenant_id, new.customer_id), new.key);
    }
    Ok(found)
}

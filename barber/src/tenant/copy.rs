//! Copying one business to another deployment's database: its own rows of every table that is
//! not a read model (in one transaction, before the events, so that the target's projections
//! find the keys that open its customers' personal data and the deliveries already made), then
//! its events in commit order, a page per transaction. Every row keeps its key, so a copy
//! that stopped is run again and goes on. The target must take every one of the business's
//! rows (checked table by table before any event is copied) and every event.

use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use super::Moved;

/// The tables that hold a business's own data, each with the column that says whose a row is:
/// the same list as the `tenant_homes` migration's refusals, but the events (copied apart). The
/// read models are not copied (the target builds them from the events), nor what is a
/// deployment's own (checkpoints, dead letters, sign-in throttling, idempotency keys).
pub const OWNED: [(&str, &str); 13] = [
    ("business_slugs", "business_id"),
    ("business_timezones", "business_id"),
    ("users", "business_id"),
    ("account_tokens", "business_id"),
    ("refresh_tokens", "business_id"),
    ("booking_links", "business_id"),
    ("calendar_feeds", "tenant_id"),
    ("customer_contacts", "tenant_id"),
    ("customer_keys", "tenant_id"),
    ("webhook_endpoints", "tenant_id"),
    ("webhook_deliveries", "tenant_id"),
    ("notification_deliveries", "tenant_id"),
    ("agenda_deliveries", "tenant_id"),
];

/// Events copied per transaction.
const PAGE: i64 = 2_000;

/// One event as copied: what the target cannot make itself (its position and transaction are
/// the target's own; its business is read from its metadata).
#[derive(sqlx::FromRow)]
struct Event {
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    payload: Value,
    metadata: Value,
    recorded_at: chrono::DateTime<chrono::Utc>,
    transaction_id: String,
    global_position: i64,
}

pub(super) async fn copy(
    source: &PgPool,
    target: &PgPool,
    business: Uuid,
    progress: &mut impl FnMut(&str),
) -> Result<Moved, String> {
    let fail = |what: &str, err: sqlx::Error| format!("{what}: {err}");
    let mut moved = Moved::default();
    let mut tx = target.begin().await.map_err(|e| fail("target", e))?;
    for (table, column) in OWNED {
        let rows: Vec<Value> = sqlx::query_scalar(&format!(
            "select to_jsonb(t) from {table} t where {column} = $1"
        ))
        .bind(business)
        .fetch_all(source)
        .await
        .map_err(|e| fail(table, e))?;
        let here = rows.len() as i64;
        sqlx::query(&format!(
            "insert into {table}
             select * from jsonb_populate_recordset(null::{table}, $1)
             on conflict do nothing"
        ))
        .bind(Value::Array(rows))
        .execute(&mut *tx)
        .await
        .map_err(|e| fail(table, e))?;
        // a row the target refused as another's (a slug, an email address it has already)
        // stops the move before any event is copied
        let there: i64 =
            sqlx::query_scalar(&format!("select count(*) from {table} where {column} = $1"))
                .bind(business)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| fail(table, e))?;
        if there != here {
            return Err(format!(
                "{table}: the target took {there} of the business's {here} rows (it has one \
                 of them for another business already, such as a slug or an email address); \
                 nothing was copied, and the business stays frozen here: settle it and run \
                 the move again"
            ));
        }
        moved.rows.push((table, here as u64));
    }
    tx.commit().await.map_err(|e| fail("target", e))?;
    progress(&format!("copied its own rows: {}", moved.rows_listed()));

    let (mut after_xid, mut after_position) = ("0".to_owned(), 0_i64);
    loop {
        let page: Vec<Event> = sqlx::query_as(
            "select aggregate_type, aggregate_id, sequence, event_type, event_version, payload,
                    metadata, recorded_at, transaction_id::text as transaction_id,
                    global_position
               from events
              where tenant_id = $1 and (transaction_id, global_position) > ($2::text::xid8, $3)
              order by transaction_id, global_position
              limit $4",
        )
        .bind(business)
        .bind(&after_xid)
        .bind(after_position)
        .bind(PAGE)
        .fetch_all(source)
        .await
        .map_err(|e| fail("events", e))?;
        let Some(last) = page.last() else { break };
        (after_xid, after_position) = (last.transaction_id.clone(), last.global_position);
        append(target, &page).await.map_err(|e| fail("events", e))?;
        moved.events += page.len() as u64;
        progress(&format!("copied {} events", moved.events));
    }
    verify(source, target, business).await?;
    Ok(moved)
}

/// Appends one page of events to the target in one transaction, in the source's commit order
/// (each keeps its key: one the target holds already is one a stopped copy made).
async fn append(target: &PgPool, page: &[Event]) -> Result<(), sqlx::Error> {
    macro_rules! column {
        ($field:ident) => {
            page.iter().map(|e| e.$field.clone()).collect::<Vec<_>>()
        };
    }
    sqlx::query(
        "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                             payload, metadata, recorded_at)
         select aggregate_type, aggregate_id, sequence, event_type, event_version, payload,
                metadata, recorded_at
           from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                       $6::jsonb[], $7::jsonb[], $8::timestamptz[]) with ordinality
                as e(aggregate_type, aggregate_id, sequence, event_type, event_version,
                     payload, metadata, recorded_at, n)
          order by n
         on conflict (aggregate_type, aggregate_id, sequence) do nothing",
    )
    .bind(column!(aggregate_type))
    .bind(column!(aggregate_id))
    .bind(column!(sequence))
    .bind(column!(event_type))
    .bind(column!(event_version))
    .bind(column!(payload))
    .bind(column!(metadata))
    .bind(column!(recorded_at))
    .execute(target)
    .await?;
    Ok(())
}

/// The target must hold as many of the business's events as the source.
async fn verify(source: &PgPool, target: &PgPool, business: Uuid) -> Result<(), String> {
    let sql = "select count(*) from events where tenant_id = $1";
    let here: i64 = sqlx::query_scalar(sql)
        .bind(business)
        .fetch_one(source)
        .await
        .map_err(|e| format!("events: {e}"))?;
    let there: i64 = sqlx::query_scalar(sql)
        .bind(business)
        .fetch_one(target)
        .await
        .map_err(|e| format!("events: {e}"))?;
    if here != there {
        return Err(format!(
            "events: the target holds {there} of the business's {here}; the business stays \
             frozen here: run the move again"
        ));
    }
    Ok(())
}

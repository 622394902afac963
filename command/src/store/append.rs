//! The append: all events of one step in one statement, behind the step's fences if it has
//! any (the business's timezone, the barbers' being active), with the data keys of the
//! customers it registers (see `sealing`).

use cqrs_es::persist::{PersistenceError, SerializedEvent};
use platform::personal_data::{keys, NewKey};

use super::{CurrencyFence, CustomerFence, StaffFence, TimezoneFence};

/// All events of one step in one statement: atomic without an explicit transaction, and one
/// round trip instead of three (`begin`, `insert`, `commit`).
const INSERT_EVENTS: &str = "insert into events
       (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
     select * from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                          $6::jsonb[], $7::jsonb[])
     returning global_position";

/// [`INSERT_EVENTS`] that inserts nothing unless business `$8` (if any) still has timezone `$9`,
/// business `$11` (if any) still has currency `$12`, every barber of `$10` is still active and
/// every customer of `$13` is still on the books (not merged nor erased): each check
/// (`timezone_fence_holds`, `currency_fence_holds`, `staff_fence_holds`,
/// `customer_fence_holds`, evaluated once) holds its fence lock in shared mode until the
/// statement commits. Many steps hold them at once; a settings change, a deactivation, a merge
/// or an erasure takes its lock exclusively, so it waits for the steps in flight, and a step that waited for one sees it,
/// inserts nothing and is decided again. `$keys` is more of the statement's `with`.
macro_rules! fenced {
    ($keys:literal) => {
        concat!(
            "with fence as materialized (
               select case when $8::uuid is null then true else timezone_fence_holds($8, $9) end
                      and case when $11::uuid is null then true
                               else currency_fence_holds($11, $12) end
                      and staff_fence_holds($10::uuid[])
                      and customer_fence_holds($13::uuid[]) as holds)",
            $keys,
            "
             insert into events
               (aggregate_type, aggregate_id, sequence, event_type, event_version, payload,
                metadata)
             select e.* from unnest($1::text[], $2::text[], $3::bigint[], $4::text[],
                                    $5::text[], $6::jsonb[], $7::jsonb[]) as e, fence
              where fence.holds
             returning global_position"
        )
    };
}

const INSERT_EVENTS_FENCED: &str = fenced!("");

/// [`INSERT_EVENTS_FENCED`] that also creates the data keys `$14`–`$16` of the customers it
/// registers, if it inserts the events: a key exists exactly when its customer's first event
/// does. A customer already there (an id used twice) collides on both primary keys, a
/// conflict like any other. A step without fences binds none (`$8` and `$11` null, `$10` and
/// `$13` empty).
const INSERT_EVENTS_WITH_KEYS: &str = fenced!(
    ",
     new_keys as (
       insert into customer_keys (tenant_id, customer_id, key)
       select k.tenant_id, k.customer_id, k.key
         from unnest($14::uuid[], $15::uuid[], $16::bytea[]) as k(tenant_id, customer_id, key),
              fence
        where fence.holds)"
);

/// The fences a step is recorded behind.
#[derive(Debug, Default, Clone)]
pub(super) struct Fences<'f> {
    pub timezone: Option<&'f TimezoneFence>,
    pub currency: Option<&'f CurrencyFence>,
    pub staff: &'f [StaffFence],
    pub customers: &'f [CustomerFence],
}

/// Appends `events` (their personal data already sealed) with `new_keys`, behind `fences`;
/// returns the positions of the events inserted, in order (none when a fence held them back).
pub(super) async fn append<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    events: &[SerializedEvent],
    new_keys: &[NewKey],
    fences: Fences<'_>,
) -> Result<Vec<i64>, PersistenceError> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut sequences = Vec::with_capacity(events.len());
    for event in events {
        sequences.push(
            i64::try_from(event.sequence)
                .map_err(|e| PersistenceError::UnknownError(Box::new(e)))?,
        );
    }
    let column = |f: fn(&SerializedEvent) -> &str| -> Vec<&str> { events.iter().map(f).collect() };
    let fenced = fences.timezone.is_some()
        || fences.currency.is_some()
        || !fences.staff.is_empty()
        || !fences.customers.is_empty();
    let keyed = !new_keys.is_empty();
    let statement = match (fenced, keyed) {
        (false, false) => INSERT_EVENTS,
        (true, false) => INSERT_EVENTS_FENCED,
        (_, true) => INSERT_EVENTS_WITH_KEYS,
    };
    let query = sqlx::query_scalar(statement)
        .bind(column(|e| &e.aggregate_type))
        .bind(column(|e| &e.aggregate_id))
        .bind(&sequences)
        .bind(column(|e| &e.event_type))
        .bind(column(|e| &e.event_version))
        .bind(events.iter().map(|e| &e.payload).collect::<Vec<_>>())
        .bind(events.iter().map(|e| &e.metadata).collect::<Vec<_>>());
    let query = if fenced || keyed {
        query
            .bind(fences.timezone.map(|f| f.business_id))
            .bind(fences.timezone.map(|f| f.timezone.as_str()))
            .bind(fences.staff.iter().map(|f| f.staff_id).collect::<Vec<_>>())
            .bind(fences.currency.map(|f| f.business_id))
            .bind(fences.currency.map(|f| f.currency.as_str()))
            .bind(
                fences
                    .customers
                    .iter()
                    .map(|f| f.customer_id)
                    .collect::<Vec<_>>(),
            )
    } else {
        query
    };
    let query = if keyed {
        let (tenants, customers, bytes) = keys::columns(new_keys);
        query.bind(tenants).bind(customers).bind(bytes)
    } else {
        query
    };
    let mut positions: Vec<i64> = query.fetch_all(executor).await.map_err(persistence_error)?;
    positions.sort_unstable();
    Ok(positions)
}
/// A primary-key collision is another writer's event at our sequence: an optimistic-lock
/// conflict, re-decided by the caller. So is a deadlock between two steps' fence locks (two
/// deactivations each moving bookings to the other's barber): Postgres aborts one, which is
/// decided again.
pub(super) fn persistence_error(err: sqlx::Error) -> PersistenceError {
    let unique_violation = err
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "23505" || code == "40P01");
    if unique_violation {
        PersistenceError::OptimisticLockError
    } else if matches!(err, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut) {
        PersistenceError::ConnectionError(Box::new(err))
    } else {
        PersistenceError::UnknownError(Box::new(err))
    }
}

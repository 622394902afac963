//! The append: all of a command's events in one statement, with the bookkeeping that goes with
//! them.

use cqrs_es::persist::{PersistenceError, SerializedEvent};
use sqlx::PgPool;

use crate::booking::reconciler::PendingChange;

/// All events of one command in one statement, `$1..$7`: atomic without an explicit
/// transaction, and one round trip instead of three (`begin`, `insert`, `commit`).
macro_rules! insert_events {
    () => {
        "insert into events \
         (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
         select * from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], \
                              $6::jsonb[], $7::jsonb[]) \
         returning global_position"
    };
}
pub(crate) use insert_events;

/// Appends `events` and makes the `pending` change in the same statement; returns the events'
/// positions in order. With no events, only the change is made.
pub(super) async fn append(
    pool: &PgPool,
    events: &[SerializedEvent],
    pending: Option<&PendingChange>,
) -> Result<Vec<i64>, PersistenceError> {
    if events.is_empty() {
        if let Some(change) = pending {
            change.make(pool).await.map_err(persistence_error)?;
        }
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
    let statement = pending.map_or(insert_events!(), PendingChange::with_events);
    let query = sqlx::query_scalar(statement)
        .bind(column(|e| &e.aggregate_type))
        .bind(column(|e| &e.aggregate_id))
        .bind(&sequences)
        .bind(column(|e| &e.event_type))
        .bind(column(|e| &e.event_version))
        .bind(events.iter().map(|e| &e.payload).collect::<Vec<_>>())
        .bind(events.iter().map(|e| &e.metadata).collect::<Vec<_>>());
    let query = match pending {
        Some(change) => change.bind(query),
        None => query,
    };
    let mut positions: Vec<i64> = query.fetch_all(pool).await.map_err(persistence_error)?;
    positions.sort_unstable();
    Ok(positions)
}

/// A primary-key collision is another writer's event at our sequence: an optimistic-lock
/// conflict, re-decided by the caller.
pub(super) fn persistence_error(err: sqlx::Error) -> PersistenceError {
    let unique_violation = err
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "23505");
    if unique_violation {
        PersistenceError::OptimisticLockError
    } else if matches!(err, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut) {
        PersistenceError::ConnectionError(Box::new(err))
    } else {
        PersistenceError::UnknownError(Box::new(err))
    }
}

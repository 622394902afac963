//! The append: all events of one step in one statement, behind the step's timezone fence if it
//! has one.

use cqrs_es::persist::{PersistenceError, SerializedEvent};

use super::TimezoneFence;

/// All events of one step in one statement: atomic without an explicit transaction, and one
/// round trip instead of three (`begin`, `insert`, `commit`).
const INSERT_EVENTS: &str = "insert into events
       (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
     select * from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                          $6::jsonb[], $7::jsonb[])
     returning global_position";

/// [`INSERT_EVENTS`] that inserts nothing unless business `$8` still has timezone `$9`: the
/// check (`timezone_fence_holds`, evaluated once) holds the business's fence lock in shared
/// mode until the statement commits. Many steps hold it at once; a timezone change takes it
/// exclusively, so it waits for the steps in flight, and a step that waited for a change sees
/// the new timezone, inserts nothing and is decided again.
const INSERT_EVENTS_FENCED: &str = "with fence as materialized (
       select timezone_fence_holds($8, $9) as holds)
     insert into events
       (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
     select e.* from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[],
                            $6::jsonb[], $7::jsonb[]) as e, fence
      where fence.holds
     returning global_position";

/// Appends `events`, behind `fence` when given; returns the positions of the events inserted,
/// in order (none when the fence held them back).
pub(super) async fn append<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    events: &[SerializedEvent],
    fence: Option<&TimezoneFence>,
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
    let statement = fence.map_or(INSERT_EVENTS, |_| INSERT_EVENTS_FENCED);
    let query = sqlx::query_scalar(statement)
        .bind(column(|e| &e.aggregate_type))
        .bind(column(|e| &e.aggregate_id))
        .bind(&sequences)
        .bind(column(|e| &e.event_type))
        .bind(column(|e| &e.event_version))
        .bind(events.iter().map(|e| &e.payload).collect::<Vec<_>>())
        .bind(events.iter().map(|e| &e.metadata).collect::<Vec<_>>());
    let query = match fence {
        Some(fence) => query.bind(fence.business_id).bind(fence.timezone.as_str()),
        None => query,
    };
    let mut positions: Vec<i64> = query.fetch_all(executor).await.map_err(persistence_error)?;
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

//! Runs a command against the Postgres event store and reports where its events landed.
//!
//! cqrs-es loads the aggregate, `handle` decides, and the events are appended in one transaction
//! with the aggregate's next sequence numbers (a concurrent writer hits the primary key and gets
//! a conflict). Reads go through postgres-es; the append is ours, because the caller needs each
//! event's `global_position` (returned to the client as `position`, for read-your-writes) and
//! postgres-es does not report it.

use std::sync::{Arc, Mutex};

use cqrs_es::persist::{
    PersistedEventRepository, PersistedEventStore, PersistenceError, ReplayStream, SerializedEvent,
    SerializedSnapshot,
};
use cqrs_es::{Aggregate, AggregateError, CqrsFramework};
use events::EventMetadata;
use postgres_es::PostgresEventRepository;
use serde_json::Value;
use sqlx::PgPool;

/// How often a command is re-decided on fresh state after losing a race on its aggregate.
const CONFLICT_RETRIES: usize = 5;

/// The outcome of a command that the aggregate accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Committed {
    /// The `global_position` of the last event recorded; `None` when the command changed nothing.
    pub position: Option<i64>,
}

/// Why a command was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: std::error::Error> {
    /// The aggregate refused: the client's fault.
    #[error(transparent)]
    Refused(E),
    /// Others kept changing the aggregate; the client may retry.
    #[error("the record kept changing while the command ran")]
    Conflict,
    /// The outcome could not be recorded.
    #[error("event store failure: {0}")]
    Store(Box<dyn std::error::Error + Send + Sync>),
}

/// Executes `command` on the aggregate `id`, retrying on an optimistic-lock conflict.
#[tracing::instrument(skip(pool, command, metadata), fields(aggregate = A::TYPE))]
pub async fn execute<A>(
    pool: &PgPool,
    id: &str,
    command: A::Command,
    metadata: &EventMetadata,
) -> Result<Committed, CommandError<A::Error>>
where
    A: Aggregate<Services = ()>,
    A::Command: Clone,
{
    let mut attempt = 0;
    loop {
        let positions = Arc::new(Mutex::new(Vec::new()));
        let repository = PositionedRepository {
            inner: PostgresEventRepository::new(pool.clone()),
            pool: pool.clone(),
            positions: positions.clone(),
        };
        let cqrs = CqrsFramework::new(
            PersistedEventStore::<_, A>::new_event_store(repository),
            vec![],
            (),
        );
        match cqrs
            .execute_with_metadata(id, command.clone(), metadata.to_map())
            .await
        {
            Ok(()) => {
                let position = positions.lock().ok().and_then(|p| p.last().copied());
                return Ok(Committed { position });
            }
            Err(AggregateError::AggregateConflict) if attempt < CONFLICT_RETRIES => {
                attempt += 1;
                tracing::debug!(attempt, "conflict on aggregate, re-deciding");
            }
            Err(AggregateError::AggregateConflict) => return Err(CommandError::Conflict),
            Err(AggregateError::UserError(e)) => return Err(CommandError::Refused(e)),
            Err(AggregateError::DatabaseConnectionError(e))
            | Err(AggregateError::DeserializationError(e))
            | Err(AggregateError::UnexpectedError(e)) => return Err(CommandError::Store(e)),
        }
    }
}

/// postgres-es for reads; an append that records the positions it was given.
struct PositionedRepository {
    inner: PostgresEventRepository,
    pool: PgPool,
    positions: Arc<Mutex<Vec<i64>>>,
}

const INSERT_EVENT: &str = "insert into events \
    (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
    values ($1, $2, $3, $4, $5, $6, $7) returning global_position";

impl PositionedRepository {
    async fn append(&self, events: &[SerializedEvent]) -> Result<Vec<i64>, sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        let mut positions = Vec::with_capacity(events.len());
        for event in events {
            let sequence = i64::try_from(event.sequence)
                .map_err(|e| sqlx::Error::Protocol(format!("sequence out of range: {e}")))?;
            let position: i64 = sqlx::query_scalar(INSERT_EVENT)
                .bind(&event.aggregate_type)
                .bind(&event.aggregate_id)
                .bind(sequence)
                .bind(&event.event_type)
                .bind(&event.event_version)
                .bind(&event.payload)
                .bind(&event.metadata)
                .fetch_one(&mut *tx)
                .await?;
            positions.push(position);
        }
        tx.commit().await?;
        Ok(positions)
    }
}

fn persistence_error(err: sqlx::Error) -> PersistenceError {
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

impl PersistedEventRepository for PositionedRepository {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.inner.get_events::<A>(aggregate_id).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.inner
            .get_last_events::<A>(aggregate_id, last_sequence)
            .await
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        self.inner.get_snapshot::<A>(aggregate_id).await
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        if snapshot_update.is_some() {
            return self.inner.persist::<A>(events, snapshot_update).await;
        }
        let positions = self.append(events).await.map_err(persistence_error)?;
        if let Ok(mut recorded) = self.positions.lock() {
            recorded.extend(positions);
        }
        Ok(())
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_events::<A>(aggregate_id).await
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        self.inner.stream_all_events::<A>().await
    }
}

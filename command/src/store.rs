//! Runs a command against the Postgres event store and reports where its events landed.
//!
//! cqrs-es loads the aggregate, `handle` decides, and the events are appended in one transaction
//! with the aggregate's next sequence numbers (a concurrent writer hits the primary key and gets
//! a conflict). Reads go through postgres-es; the append is ours, because the caller needs each
//! event's `global_position` (returned to the client as `position`, for read-your-writes) and
//! postgres-es does not report it.
//!
//! After a commit the relay is woken with `NOTIFY barber_events`, sent by one background task
//! outside the writing transaction and coalesced (many commits while one notification is in
//! flight cause one more). A NOTIFY inside the writing transaction would hold a database-wide
//! lock across every commit and serialise them; the relay also polls, so a lost wake-up costs
//! latency only.

use std::sync::{Arc, Mutex};

use platform::shutdown::Shutdown;
use tokio::sync::Notify;

use cqrs_es::persist::{
    PersistedEventRepository, PersistedEventStore, PersistenceError, ReplayStream, SerializedEvent,
    SerializedSnapshot,
};
use cqrs_es::{Aggregate, AggregateError, CqrsFramework, EventStore as _};
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

/// The event store as commands use it: where to append, and whom to wake afterwards.
#[derive(Clone)]
pub struct EventStore {
    pool: PgPool,
    appended: Arc<Notify>,
}

impl EventStore {
    /// Starts the notifier that wakes the relay; it stops with `shutdown`.
    pub fn start(pool: PgPool, shutdown: Shutdown) -> Self {
        let appended = Arc::new(Notify::new());
        tokio::spawn(wake_relay(pool.clone(), appended.clone(), shutdown));
        Self { pool, appended }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The current state of aggregate `id`, read from the event store (strongly consistent):
    /// how a command handler looks up the facts another aggregate owns (a business's timezone,
    /// a service's duration) before it builds a command. A never-written id is `A::default()`.
    #[tracing::instrument(skip(self), fields(aggregate = A::TYPE))]
    pub async fn load<A>(&self, id: &str) -> Result<A, CommandError<A::Error>>
    where
        A: Aggregate<Services = ()>,
    {
        let store = PersistedEventStore::<_, A>::new_event_store(PositionedRepository {
            inner: PostgresEventRepository::new(self.pool.clone()),
            pool: self.pool.clone(),
            positions: Arc::default(),
        });
        let context = store.load_aggregate(id).await.map_err(|err| match err {
            AggregateError::DatabaseConnectionError(e)
            | AggregateError::DeserializationError(e)
            | AggregateError::UnexpectedError(e) => CommandError::Store(e),
            AggregateError::AggregateConflict => CommandError::Conflict,
            AggregateError::UserError(e) => CommandError::Refused(e),
        })?;
        Ok(context.aggregate)
    }

    /// Executes `command` on the aggregate `id`, retrying on an optimistic-lock conflict.
    #[tracing::instrument(skip(self, command, metadata), fields(aggregate = A::TYPE))]
    pub async fn execute<A>(
        &self,
        id: &str,
        command: A::Command,
        metadata: &EventMetadata,
    ) -> Result<Committed, CommandError<A::Error>>
    where
        A: Aggregate<Services = ()>,
        A::Command: Clone,
    {
        let committed = execute::<A>(&self.pool, id, command, metadata).await?;
        if committed.position.is_some() {
            self.appended.notify_one();
        }
        Ok(committed)
    }
}

async fn wake_relay(pool: PgPool, appended: Arc<Notify>, mut shutdown: Shutdown) {
    loop {
        tokio::select! {
            () = appended.notified() => {}
            () = shutdown.wait() => return,
        }
        if let Err(err) = sqlx::query("select pg_notify('barber_events', '')")
            .execute(&pool)
            .await
        {
            tracing::debug!(%err, "cannot wake the relay; it will poll");
        }
    }
}

async fn execute<A>(
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

/// All events of one command in one statement: atomic without an explicit transaction, and one
/// round trip instead of three (`begin`, `insert`, `commit`).
const INSERT_EVENTS: &str = "insert into events \
    (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata) \
    select * from unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], \
                         $6::jsonb[], $7::jsonb[]) \
    returning global_position";

impl PositionedRepository {
    async fn append(&self, events: &[SerializedEvent]) -> Result<Vec<i64>, sqlx::Error> {
        let mut sequences = Vec::with_capacity(events.len());
        for event in events {
            sequences.push(
                i64::try_from(event.sequence)
                    .map_err(|e| sqlx::Error::Protocol(format!("sequence out of range: {e}")))?,
            );
        }
        let column =
            |f: fn(&SerializedEvent) -> &str| -> Vec<&str> { events.iter().map(f).collect() };
        let mut positions: Vec<i64> = sqlx::query_scalar(INSERT_EVENTS)
            .bind(column(|e| &e.aggregate_type))
            .bind(column(|e| &e.aggregate_id))
            .bind(&sequences)
            .bind(column(|e| &e.event_type))
            .bind(column(|e| &e.event_version))
            .bind(events.iter().map(|e| &e.payload).collect::<Vec<_>>())
            .bind(events.iter().map(|e| &e.metadata).collect::<Vec<_>>())
            .fetch_all(&self.pool)
            .await?;
        positions.sort_unstable();
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

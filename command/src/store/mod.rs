//! Runs a command against the Postgres event store and reports where its events landed.
//!
//! cqrs-es drives each command (load, `handle`, commit) through our [`cqrs_es::EventStore`]
//! implementation, [`session::Session`]: it starts from the aggregate as last seen in memory
//! ([`cache`]) and reads only the events recorded since, and it appends all events of a command
//! in one statement with the aggregate's next sequence numbers (a concurrent writer hits the
//! primary key and gets a conflict, and the command is re-decided on fresh state). The caller
//! needs each event's `global_position` (returned to the client as `position`, for
//! read-your-writes), which postgres-es does not report; postgres-es still reads whole streams.
//!
//! A step that touches several streams is one [`Decision`]: each aggregate decides on its own
//! state at its own expected sequence, and all the events are appended in one statement, all or
//! nothing ([`decision`]).
//!
//! Customers' personal data is sealed on the way in and opened on the way out ([`sealing`]), so
//! aggregates and their cache see plaintext and the event store holds none.
//!
//! After a commit the relay is woken with `NOTIFY barber_events`, sent by one background task
//! outside the writing transaction and coalesced (many commits while one notification is in
//! flight cause one more). A NOTIFY inside the writing transaction would hold a database-wide
//! lock across every commit and serialise them; the relay also polls, so a lost wake-up costs
//! latency only.

mod append;
mod cache;
mod decision;
mod reading;
mod records;
mod sealing;
mod session;

use std::sync::Arc;

use cqrs_es::{Aggregate, AggregateError, CqrsFramework, EventStore as _};
use events::EventMetadata;
use platform::shutdown::Shutdown;
use sqlx::PgPool;
use tokio::sync::Notify;

use cache::AggregateCache;
pub use decision::{
    Appended, CurrencyFence, CustomerFence, Decision, StaffFence, TimezoneFence, Unrecorded,
};
pub use reading::{Known, Newer, Reading, Wanted};
use session::Session;

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

impl<E: std::error::Error> From<AggregateError<E>> for CommandError<E> {
    fn from(err: AggregateError<E>) -> Self {
        match err {
            AggregateError::UserError(e) => Self::Refused(e),
            AggregateError::AggregateConflict => Self::Conflict,
            AggregateError::DatabaseConnectionError(e)
            | AggregateError::DeserializationError(e)
            | AggregateError::UnexpectedError(e) => Self::Store(e),
        }
    }
}

/// How a command's events are to be written, beyond the defaults.
#[derive(Debug, Default, Clone, Copy)]
pub struct Recording {
    /// The id was generated for this command and names no record yet, so there is nothing to
    /// load. Should the id exist after all, the append conflicts and the command is re-decided
    /// on the loaded record.
    pub new_record: bool,
}

/// The event store as commands use it: where to append, what was last seen, whom to wake.
#[derive(Clone)]
pub struct EventStore {
    pool: PgPool,
    appended: Arc<Notify>,
    cache: Arc<AggregateCache>,
}

impl EventStore {
    /// Starts the notifier that wakes the relay; it stops with `shutdown`.
    pub fn start(pool: PgPool, shutdown: Shutdown) -> Self {
        let appended = Arc::new(Notify::new());
        tokio::spawn(wake_relay(pool.clone(), appended.clone(), shutdown));
        Self {
            pool,
            appended,
            cache: Arc::new(AggregateCache::new()),
        }
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
        A: Aggregate<Services = ()> + Clone + 'static,
    {
        let session = Session::<A>::new(self, Recording::default());
        Ok(session.load_aggregate(id).await?.aggregate)
    }

    /// [`Self::load`] with the sequence the state is folded up to, to decide a step on
    /// ([`Decision::decide`]).
    pub async fn known<A>(&self, id: &str) -> Result<Known<A>, CommandError<A::Error>>
    where
        A: Aggregate<Services = ()> + Clone + 'static,
    {
        let mut reading = self.reading();
        let wanted = reading.want::<A>(id);
        let newer = reading
            .read()
            .await
            .map_err(|e| CommandError::Store(Box::new(e)))?;
        newer
            .known(wanted)
            .map_err(|e| CommandError::Store(Box::new(e)))
    }

    /// Executes `command` on the aggregate `id`, retrying on an optimistic-lock conflict.
    pub async fn execute<A>(
        &self,
        id: &str,
        command: A::Command,
        metadata: &EventMetadata,
    ) -> Result<Committed, CommandError<A::Error>>
    where
        A: Aggregate<Services = ()> + Clone + 'static,
        A::Command: Clone,
    {
        self.record::<A>(id, command, metadata, Recording::default())
            .await
    }

    /// Executes `command` on the aggregate `id` as `recording` says, retrying on an
    /// optimistic-lock conflict.
    #[tracing::instrument(skip(self, command, metadata, recording), fields(aggregate = A::TYPE))]
    pub async fn record<A>(
        &self,
        id: &str,
        command: A::Command,
        metadata: &EventMetadata,
        recording: Recording,
    ) -> Result<Committed, CommandError<A::Error>>
    where
        A: Aggregate<Services = ()> + Clone + 'static,
        A::Command: Clone,
    {
        let mut recording = recording;
        let mut attempt = 0;
        loop {
            let session = Session::<A>::new(self, recording);
            let positions = session.positions();
            let cqrs = CqrsFramework::new(session, vec![], ());
            match cqrs
                .execute_with_metadata(id, command.clone(), stored_metadata(metadata))
                .await
            {
                Ok(()) => {
                    let position = positions.lock().ok().and_then(|p| p.last().copied());
                    if position.is_some() {
                        self.appended.notify_one();
                    }
                    return Ok(Committed { position });
                }
                Err(AggregateError::AggregateConflict) if attempt < CONFLICT_RETRIES => {
                    attempt += 1;
                    recording.new_record = false;
                    tracing::debug!(attempt, "conflict on aggregate, re-deciding");
                }
                Err(err) => return Err(err.into()),
            }
        }
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

/// The metadata stored with a command's events: `metadata`, and the span context of the request
/// recording them when its traces are exported.
pub(crate) fn stored_metadata(
    metadata: &EventMetadata,
) -> std::collections::HashMap<String, String> {
    let mut stored = metadata.to_map();
    if let Some(trace_parent) = platform::telemetry::trace_parent(&tracing::Span::current()) {
        stored.insert(EventMetadata::TRACE_PARENT.to_owned(), trace_parent);
    }
    stored
}

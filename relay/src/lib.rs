//! The relay: copies the event store to the JetStream events stream, in commit order, so that every
//! committed event reaches NATS once in effect and none is skipped.
//!
//! # Why the xid8 gate
//!
//! `global_position` is assigned when a row is inserted, not when its transaction commits. Two
//! writers can insert positions 7 and 8 and commit 8 first: a reader tailing "position > last seen"
//! then publishes 8, moves past 7, and never sees 7 once it commits. So each event also records its
//! inserting transaction (`transaction_id xid8`), and the relay only reads events whose transaction
//! is older than `pg_snapshot_xmin(pg_current_snapshot())`: every such transaction has finished, so
//! the set of events below that bound can no longer grow. Reading them in `(transaction_id,
//! global_position)` order from a checkpoint on that same pair never skips one. The gate and the
//! rows come from one statement, hence one snapshot. The price: one long-open transaction holds the
//! relay back (the pool sets `idle_in_transaction_session_timeout`; lag is exported as metrics).
//!
//! # Life cycle
//!
//! [`Relay::run`] stands by until it holds a session-level advisory lock on a connection of its own
//! (one active relay per database and stream), ensures the stream, then loops: read a batch, publish
//! it (all publishes first, then all acks), store the checkpoint only once every ack came back. The
//! batch read and the checkpoint write go through the lock's session, so a relay that lost its lock
//! (its session died) can no longer read nor move the checkpoint: it drops back to standby. A crash
//! between publish and checkpoint re-publishes; `Nats-Msg-Id` makes JetStream drop the duplicates.
//!
//! Layout: this file holds the life cycle; `store` the SQL (lock, batch, checkpoint, lag); `publish`
//! the JetStream side; `wakeup` LISTEN/NOTIFY with its polling backstop;
//! `backoff` the pauses between retries.

mod backoff;
mod publish;
mod store;
mod wakeup;

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_nats::jetstream;
use platform::shutdown::Shutdown;
use platform::Config;
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};

use backoff::{pause, Backoff};
use store::{Checkpoint, LagMeter};
use wakeup::Wakeup;

pub use publish::{GLOBAL_POSITION_HEADER, TRANSACTION_ID_HEADER};

/// Events read and published per round trip.
const DEFAULT_BATCH_SIZE: usize = 500;
/// How soon to look again when committed events wait behind an open transaction; doubled each
/// time they are still held (a long transaction must not make the relay spin), up to the poll.
const HELD_RECHECK: Duration = Duration::from_millis(2);
/// How long after reading a batch under the lock the relay may still start publishing it. A
/// relay that was frozen (SIGSTOP) may have lost its lock to a standby meanwhile; it drops the
/// rest of the batch instead of sending it late (see `publish`).
const PUBLISH_LEASE: Duration = Duration::from_secs(5);
/// How long closing the lock's session may take (a dead connection must not hold up a stop).
const CLOSE_DEADLINE: Duration = Duration::from_secs(5);

/// Why the relay could not do a step. Only [`RelayError::DatabaseUrl`] ends [`Relay::run`]; the
/// others are logged and retried, since Postgres and NATS come back by themselves.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("invalid database url: {0}")]
    DatabaseUrl(#[source] sqlx::Error),
    #[error("event store: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the relay's database session did not answer within {0:?}")]
    SessionTimeout(Duration),
    #[error("events stream: {0}")]
    Stream(#[from] platform::nats::NatsError),
    #[error("publish to JetStream: {0}")]
    Publish(#[from] jetstream::context::PublishError),
    #[error("cannot encode an event: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("the batch was read {0:?} ago, longer than the relay may hold it unpublished")]
    LeaseExpired(Duration),
    #[error("unreadable transaction id {0:?}")]
    TransactionId(String),
}

/// Whether a relay currently holds the lock and publishes. Cloned out before [`Relay::run`]
/// consumes the relay, for health checks and tests.
#[derive(Debug, Clone, Default)]
pub struct RelayStatus(Arc<AtomicBool>);

impl RelayStatus {
    pub fn is_active(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    fn set(&self, active: bool) {
        self.0.store(active, Ordering::SeqCst);
        metrics::gauge!("relay_active").set(if active { 1.0 } else { 0.0 });
    }
}

/// Publishes the event store to JetStream; see the module header.
pub struct Relay {
    pool: PgPool,
    jetstream: jetstream::Context,
    config: Config,
    batch_size: usize,
    status: RelayStatus,
}

/// What one step of the active loop found.
enum Step {
    /// A full batch went out: there may be more, read again at once.
    Full,
    /// Caught up: wait for a notification or the poll interval.
    Idle,
    /// JetStream refused or did not acknowledge: the checkpoint did not move; retry after a pause.
    PublishFailed(RelayError),
}

impl Relay {
    pub fn new(config: &Config, pool: PgPool, nats: async_nats::Client) -> Self {
        Self {
            pool,
            jetstream: jetstream::new(nats),
            config: config.clone(),
            batch_size: DEFAULT_BATCH_SIZE,
            status: RelayStatus::default(),
        }
    }

    /// Changes how many events are read and published per round trip (at least one).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// A handle that tells whether this relay is the active one.
    pub fn status(&self) -> RelayStatus {
        self.status.clone()
    }

    /// Runs until shutdown: waits for the advisory lock (standby while another relay holds it),
    /// ensures the stream, then publishes. Losing the lock's session sends it back to standby.
    #[tracing::instrument(name = "relay", skip_all, fields(stream = %self.config.events_stream))]
    pub async fn run(self, mut shutdown: Shutdown) -> Result<(), RelayError> {
        let options =
            session_options(&self.config.database_url, self.config.relay_session_timeout)?;
        let mut backoff = Backoff::new(self.config.relay_poll_interval);
        self.status.set(false);
        while !shutdown.is_triggered() {
            let Some(mut session) = self.standby(&options, &mut shutdown).await else {
                break;
            };
            self.status.set(true);
            tracing::info!("relay is active: it holds the lock and publishes");
            let outcome = self.serve(&mut session, &mut shutdown, &mut backoff).await;
            self.status.set(false);
            // ending the session releases the advisory lock for a standby
            let _ = tokio::time::timeout(CLOSE_DEADLINE, session.close()).await;
            match outcome {
                Ok(()) => break,
                Err(err) => {
                    tracing::warn!(error = %err, "relay lost its database session; standing by");
                    if !pause(backoff.next(), &mut shutdown).await {
                        break;
                    }
                }
            }
        }
        tracing::info!("relay stopped");
        Ok(())
    }

    /// Waits until this relay holds the lock; `None` when shutdown came first.
    #[tracing::instrument(skip_all)]
    async fn standby(
        &self,
        options: &PgConnectOptions,
        shutdown: &mut Shutdown,
    ) -> Option<PgConnection> {
        let mut session = None;
        let mut backoff = Backoff::new(self.config.relay_poll_interval);
        let mut announced = false;
        loop {
            let delay = match self.try_lock(&mut session, options).await {
                Ok(true) => return session,
                Ok(false) => {
                    if !announced {
                        tracing::info!("another relay is active; standing by");
                        announced = true;
                    }
                    self.config.relay_poll_interval
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cannot reach Postgres for the relay lock");
                    session = None;
                    backoff.next()
                }
            };
            if !pause(delay, shutdown).await {
                return None;
            }
        }
    }

    async fn try_lock(
        &self,
        session: &mut Option<PgConnection>,
        options: &PgConnectOptions,
    ) -> Result<bool, RelayError> {
        let conn = match session {
            Some(conn) => conn,
            None => session.insert(PgConnection::connect_with(options).await?),
        };
        store::try_lock(conn, &self.config.events_stream).await
    }

    /// The active loop. `Ok` on shutdown; `Err` when the lock's session failed.
    #[tracing::instrument(skip_all)]
    async fn serve(
        &self,
        session: &mut PgConnection,
        shutdown: &mut Shutdown,
        backoff: &mut Backoff,
    ) -> Result<(), RelayError> {
        if !self.ensure_stream(shutdown, backoff).await {
            return Ok(());
        }
        let mut wakeup = Wakeup::listen(&self.pool).await;
        let stream = &self.config.events_stream;
        let mut checkpoint = store::load_checkpoint(session, stream).await?;
        tracing::info!(?checkpoint, "resuming after the stored checkpoint");
        let mut lag = LagMeter::default();
        // exported from the start, so a scrape before the first count sees zeros, not nothing
        lag.refresh(session, checkpoint, true).await?;
        let mut held_recheck = HELD_RECHECK;
        while !shutdown.is_triggered() {
            let step = self.step(session, &mut checkpoint).await?;
            let behind = lag
                .refresh(session, checkpoint, matches!(step, Step::Idle))
                .await?;
            let go_on = match step {
                Step::Full => {
                    backoff.reset();
                    true
                }
                Step::Idle => {
                    backoff.reset();
                    // committed events held behind an older open transaction: nothing will
                    // notify when that transaction ends, so look again soon
                    let wait = if behind > 0 {
                        let wait = held_recheck.min(self.config.relay_poll_interval);
                        held_recheck = wait * 2;
                        wait
                    } else {
                        held_recheck = HELD_RECHECK;
                        self.config.relay_poll_interval
                    };
                    wakeup.wait(wait, shutdown).await
                }
                Step::PublishFailed(err) => {
                    let delay = backoff.next();
                    tracing::warn!(
                        error = %err,
                        ?checkpoint,
                        ?delay,
                        "publish failed; will retry from the checkpoint"
                    );
                    pause(delay, shutdown).await
                }
            };
            if !go_on {
                break;
            }
        }
        Ok(())
    }

    /// Creates or updates the stream, retrying while NATS is unreachable; `false` on shutdown.
    #[tracing::instrument(skip_all)]
    async fn ensure_stream(&self, shutdown: &mut Shutdown, backoff: &mut Backoff) -> bool {
        loop {
            match platform::nats::ensure_stream(&self.jetstream, &self.config).await {
                Ok(_) => return true,
                Err(err) => tracing::warn!(error = %err, "cannot ensure the events stream"),
            }
            if !pause(backoff.next(), shutdown).await {
                return false;
            }
        }
    }

    /// Reads one batch after the checkpoint, publishes it, and moves the checkpoint once every
    /// event of it was acknowledged.
    #[tracing::instrument(level = "debug", skip_all, fields(after = ?checkpoint))]
    async fn step(
        &self,
        session: &mut PgConnection,
        checkpoint: &mut Checkpoint,
    ) -> Result<Step, RelayError> {
        let batch = store::read_batch(session, *checkpoint, self.batch_size).await?;
        let Some(last) = batch.last() else {
            return Ok(Step::Idle);
        };
        let read_at = Instant::now();
        let published = match publish::publish_batch(
            &self.jetstream,
            &self.config.nats_prefix,
            &batch,
            read_at,
        )
        .await
        {
            Ok(published) => published,
            Err(err) => return Ok(Step::PublishFailed(err)),
        };
        let next = Checkpoint::after(last);
        store::save_checkpoint(session, &self.config.events_stream, next).await?;
        *checkpoint = next;
        published.record();
        Ok(if batch.len() == self.batch_size {
            Step::Full
        } else {
            Step::Idle
        })
    }
}

/// The relay's own session: not from the pool, since it holds the lock for the relay's lifetime.
///
/// Postgres ends the session, and so frees the lock for a standby, when the relay stops talking:
/// `idle_session_timeout` for a process that hangs (SIGSTOP, a stuck host) while idle, and TCP
/// keepalives with `tcp_user_timeout` for a host that vanished, also in the middle of a
/// statement. The active relay reads at least once per poll interval, far inside the timeout.
fn session_options(
    database_url: &str,
    session_timeout: Duration,
) -> Result<PgConnectOptions, RelayError> {
    let options = PgConnectOptions::from_str(database_url).map_err(RelayError::DatabaseUrl)?;
    let millis = session_timeout.as_millis().max(1000);
    let probe_seconds = (millis / 4000).max(1);
    Ok(options
        .application_name("barber-relay")
        .options([
            ("idle_session_timeout", format!("{millis}ms")),
            ("tcp_user_timeout", format!("{millis}ms")),
            ("tcp_keepalives_idle", probe_seconds.to_string()),
            ("tcp_keepalives_interval", probe_seconds.to_string()),
            ("tcp_keepalives_count", "3".to_owned()),
        ])
        .disable_statement_logging())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_database_url_is_refused_at_start() {
        assert!(matches!(
            session_options("not a url", Duration::from_secs(20)),
            Err(RelayError::DatabaseUrl(_))
        ));
    }
}

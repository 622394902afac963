//! The projection runtime: one durable JetStream pull consumer per projection, each fed to its
//! projection batch by batch (see `batch`) until shutdown.
//!
//! - **Consumers.** Durable name = projection name; explicit acks. A projection over one
//!   aggregate type filters on `{prefix}.events.{type}.>`. The Debian nats-server (2.9) has one
//!   `filter_subject` per consumer, so a projection over several types reads `{prefix}.events.>`
//!   and acks the others: one ordered consumer keeps one meaningful checkpoint, which
//!   read-your-writes relies on (two consumers sharing a checkpoint would overstate it).
//! - **Delivery limit.** `max_deliver` is unlimited on purpose: a message that can never apply
//!   is recognised and terminated by the worker, so the only messages that keep coming back
//!   are those that failed for a transient reason, and dropping one of those would silently
//!   lose a read-model update. A stuck projection shows up in `projection_lag_*` instead.
//! - **Transient failures.** The batch is rolled back and nak'ed without delay, then the worker
//!   waits (exponential back-off, then until Postgres answers) before fetching again, so the
//!   redelivered batch comes first and commit order is kept.
//! - **Backfill.** A projection new to a store that holds events of its types is marked
//!   `backfill_pending` when its checkpoint row is created; its workers (in any process) then
//!   rebuild it from the store first, one at a time by the rebuild's lock, and consume after.
//!   The stream keeps only 30 days, so it could not fill a new read model by itself.
//! - **NATS failures.** Back off, then re-create the stream and consumer (the stream may have
//!   been wiped and refilled from the store; a new consumer replays it, as no-ops).

use std::time::Duration;

use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy, PullConsumer};
use async_nats::jetstream::{self, Message};
use futures::StreamExt;
use platform::shutdown::Shutdown;
use platform::Config;
use sqlx::PgPool;

use crate::batch;
use crate::error::ProjectionError;
use crate::lag::{Backoff, Lag};
use crate::projection::{self, Projection, Registered};

/// The most messages applied in one transaction.
const BATCH_SIZE: usize = 100;
/// How long one pull waits for a first message when the consumer is idle.
const IDLE_WAIT: Duration = Duration::from_secs(5);
/// Redelivery after a crash; far above the time a batch takes.
const ACK_WAIT: Duration = Duration::from_secs(30);
/// A bound on a `no_wait` fetch whose answer got lost.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

type NatsError = Box<dyn std::error::Error + Send + Sync>;

/// Runs every projection until `shutdown`. Fails only when the stream or a consumer cannot be
/// set up at start; after that, errors are logged, backed off and retried.
#[tracing::instrument(skip_all, fields(stream = %config.events_stream))]
pub async fn run(
    config: &Config,
    pool: PgPool,
    nats: async_nats::Client,
    shutdown: Shutdown,
) -> Result<(), ProjectionError> {
    let js = jetstream::new(nats);
    let mut workers = Vec::new();
    for projection in projection::all() {
        let consumer = connect_consumer(&js, config, &projection).await?;
        // a projection new to a store that has events of its types backfills from the store
        sqlx::query(
            "insert into projection_checkpoints (projection, backfill_pending)
             select $1, exists (select 1 from events where aggregate_type = any($2))
             on conflict do nothing",
        )
        .bind(projection.name())
        .bind(projection.aggregate_types())
        .execute(&pool)
        .await?;
        tracing::info!(projection = projection.name(), "projection started");
        workers.push(Worker {
            projection,
            consumer,
            js: js.clone(),
            config: config.clone(),
            pool: pool.clone(),
            shutdown: shutdown.clone(),
        });
    }
    futures::future::join_all(workers.into_iter().map(Worker::run)).await;
    Ok(())
}

/// The durable consumer's settings for one projection.
fn consumer_config(config: &Config, projection: &Registered) -> pull::Config {
    let filter_subject = match projection.aggregate_types() {
        [one] => events::subjects::aggregate_type_events(&config.nats_prefix, one),
        _ => events::subjects::all_events(&config.nats_prefix),
    };
    pull::Config {
        durable_name: Some(projection.name().to_owned()),
        description: Some(format!("barber projection {}", projection.name())),
        deliver_policy: DeliverPolicy::All,
        ack_policy: AckPolicy::Explicit,
        ack_wait: ACK_WAIT,
        max_deliver: -1,
        max_ack_pending: (BATCH_SIZE * 10) as i64,
        filter_subject,
        ..Default::default()
    }
}

/// Ensures the stream, then creates the consumer or brings it to the current settings.
async fn connect_consumer(
    js: &jetstream::Context,
    config: &Config,
    projection: &Registered,
) -> Result<PullConsumer, ProjectionError> {
    let stream = platform::nats::ensure_stream(js, config).await?;
    stream
        .create_consumer(consumer_config(config, projection))
        .await
        .map_err(|source| ProjectionError::Consumer {
            consumer: projection.name().to_owned(),
            source,
        })
}

struct Worker {
    projection: Registered,
    consumer: PullConsumer,
    js: jetstream::Context,
    config: Config,
    pool: PgPool,
    shutdown: Shutdown,
}

impl Worker {
    #[tracing::instrument(name = "projection", skip_all, fields(projection = self.projection.name()))]
    async fn run(mut self) {
        let name = self.projection.name();
        // exported from the start, so an alert on dead letters sees a zero rather than nothing
        metrics::counter!("projection_dead_letters_total", "projection" => name).increment(0);
        metrics::gauge!("projection_lag_events", "projection" => name).set(0.0);
        metrics::gauge!("projection_lag_seconds", "projection" => name).set(0.0);
        let mut lag = Lag::new(name);
        let mut backoff = Backoff::default();
        self.backfill().await;
        while !self.shutdown.is_triggered() {
            let messages = match self.next_batch().await {
                Ok(messages) => messages,
                Err(err) => {
                    tracing::warn!(%err, "cannot fetch from JetStream; reconnecting");
                    if backoff.wait(&mut self.shutdown).await {
                        self.reconnect().await;
                    }
                    continue;
                }
            };
            if messages.is_empty() {
                lag.refresh(&self.consumer, true).await;
                continue;
            }
            let traced = platform::telemetry::consuming(|| format!("project {name}"), &messages);
            match batch::apply(&self.pool, &self.projection, &messages).await {
                Ok(committed) => {
                    drop(traced);
                    batch::acknowledge(&messages, &committed.dispositions).await;
                    let tally = committed.tally;
                    metrics::counter!("projection_events_applied_total", "projection" => name)
                        .increment(tally.applied);
                    metrics::counter!("projection_dead_letters_total", "projection" => name)
                        .increment(tally.dead_lettered);
                    lag.applied(tally.last_recorded_at);
                    lag.refresh(&self.consumer, false).await;
                    backoff.reset();
                }
                Err(err) => {
                    tracing::warn!(%err, "batch rolled back; retrying after a back-off");
                    batch::reject(&messages).await;
                    if backoff.wait(&mut self.shutdown).await {
                        self.wait_for_database().await;
                    }
                }
            }
        }
        tracing::info!("projection stopped");
    }

    /// The messages available now (up to a batch); when there are none, waits up to
    /// [`IDLE_WAIT`] for one and takes whatever arrived with it. Empty on idle or shutdown.
    async fn next_batch(&mut self) -> Result<Vec<Message>, NatsError> {
        let mut messages = fetch_now(&self.consumer, BATCH_SIZE).await?;
        if !messages.is_empty() {
            return Ok(messages);
        }
        // a pull for one message only, so that nothing is left in flight if it is dropped
        let first = tokio::select! {
            first = wait_for_one(&self.consumer) => first?,
            () = self.shutdown.wait() => None,
        };
        if let Some(first) = first {
            messages.push(first);
            messages.extend(fetch_now(&self.consumer, BATCH_SIZE - 1).await?);
        }
        Ok(messages)
    }

    /// Before consuming: while the projection awaits its backfill, runs it (a rebuild from the
    /// store), or waits while another worker runs it.
    async fn backfill(&mut self) {
        let name = self.projection.name();
        let mut backoff = Backoff::default();
        while !self.shutdown.is_triggered() {
            let pending: Result<bool, sqlx::Error> = sqlx::query_scalar(
                "select backfill_pending from projection_checkpoints where projection = $1",
            )
            .bind(name)
            .fetch_one(&self.pool)
            .await;
            match pending {
                Ok(false) => return,
                Ok(true) => {}
                Err(err) => {
                    tracing::warn!(%err, "cannot read the checkpoint; retrying");
                    backoff.wait(&mut self.shutdown).await;
                    continue;
                }
            }
            tracing::info!("new projection: backfilling from the event store");
            match crate::rebuild::rebuild(&self.pool, name).await {
                Ok(report) => {
                    tracing::info!(replayed = report.replayed, "backfilled");
                    return;
                }
                Err(ProjectionError::RebuildRunning { .. }) => {
                    // another worker backfills; look again shortly
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        () = self.shutdown.wait() => return,
                    }
                }
                Err(err) => {
                    tracing::warn!(%err, "backfill failed; retrying after a back-off");
                    backoff.wait(&mut self.shutdown).await;
                }
            }
        }
    }

    async fn reconnect(&mut self) {
        match connect_consumer(&self.js, &self.config, &self.projection).await {
            Ok(consumer) => self.consumer = consumer,
            Err(err) => tracing::warn!(%err, "cannot re-create the consumer yet"),
        }
    }

    /// Waits until Postgres answers again, so that an outage does not spend deliveries.
    async fn wait_for_database(&mut self) {
        let mut backoff = Backoff::default();
        while let Err(err) = sqlx::query("select 1").execute(&self.pool).await {
            tracing::warn!(%err, "waiting for the database");
            if !backoff.wait(&mut self.shutdown).await {
                return;
            }
        }
    }
}

async fn fetch_now(consumer: &PullConsumer, max: usize) -> Result<Vec<Message>, NatsError> {
    let fetch = async {
        let mut batch = consumer.fetch().max_messages(max).messages().await?;
        let mut messages = Vec::new();
        while let Some(message) = batch.next().await {
            messages.push(message?);
        }
        Ok::<_, NatsError>(messages)
    };
    tokio::time::timeout(FETCH_TIMEOUT, fetch).await?
}

async fn wait_for_one(consumer: &PullConsumer) -> Result<Option<Message>, NatsError> {
    let mut batch = consumer
        .batch()
        .max_messages(1)
        .expires(IDLE_WAIT)
        .messages()
        .await?;
    batch.next().await.transpose()
}

//! A test's own event store and stream, a running projection runtime, and ways to look at the
//! read model.

use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{self, message::PublishMessage};
use events::customer::{CustomerEvent, CustomerPii, AGGREGATE_TYPE};
use events::RecordedEvent;
use platform::shutdown::ShutdownTrigger;
use platform::testing::TestEnv;
use projections::ProjectionError;
use serde_json::{json, Value};
use sqlx::Row;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// How long a test waits for the projection before failing.
const PATIENCE: Duration = Duration::from_secs(20);

pub struct Harness {
    pub env: TestEnv,
    pub js: jetstream::Context,
    pub tenant: Uuid,
    running: Option<(ShutdownTrigger, JoinHandle<Result<(), ProjectionError>>)>,
}

/// A customer's row, as the projection wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerRow {
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i64,
}

/// A recorded dead letter.
#[derive(Debug, Clone)]
pub struct DeadLetter {
    pub projection: String,
    pub aggregate_id: Option<String>,
    pub sequence: Option<i64>,
    pub stream_sequence: Option<i64>,
    pub error: String,
    pub message: String,
}

impl Harness {
    /// A fresh database and stream; the runtime is not started yet.
    pub async fn new() -> Self {
        let env = TestEnv::new().await;
        let js = jetstream::new(env.nats().await);
        platform::nats::ensure_stream(&js, &env.config)
            .await
            .expect("stream created");
        Self {
            env,
            js,
            tenant: Uuid::new_v4(),
            running: None,
        }
    }

    /// Starts `projections::run` in a task of its own, and waits until it has set up every
    /// projection's checkpoint (so that events recorded after this are the consumers' to apply,
    /// not a first start's backfill).
    pub async fn start(&mut self) {
        let (trigger, shutdown) = platform::shutdown::channel();
        let config = self.env.config.clone();
        let pool = self.env.pool.clone();
        let nats = self.env.nats().await;
        let task =
            tokio::spawn(async move { projections::run(&config, pool, nats, shutdown).await });
        self.running = Some((trigger, task));
        let expected = i64::try_from(projections::names().len()).expect("a few");
        eventually("the runtime to set up its checkpoints", || async {
            let rows: i64 = sqlx::query_scalar("select count(*) from projection_checkpoints")
                .fetch_one(self.pool())
                .await
                .expect("checkpoints readable");
            (rows >= expected).then_some(())
        })
        .await;
    }

    /// Stops the runtime and checks it ended cleanly.
    pub async fn stop(&mut self) {
        let (trigger, task) = self.running.take().expect("runtime running");
        trigger.trigger();
        tokio::time::timeout(PATIENCE, task)
            .await
            .expect("runtime stops in time")
            .expect("runtime task did not panic")
            .expect("runtime ended without error");
    }

    pub fn pool(&self) -> &sqlx::PgPool {
        &self.env.pool
    }

    /// Appends an event to the store (its own transaction) and returns it as the relay would
    /// publish it.
    pub async fn record(
        &self,
        aggregate_id: Uuid,
        sequence: i64,
        event: &CustomerEvent,
    ) -> RecordedEvent {
        let payload = serde_json::to_value(event).expect("event serializes");
        let event_type = payload
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .expect("externally tagged");
        self.record_raw(
            AGGREGATE_TYPE,
            &aggregate_id.to_string(),
            sequence,
            &event_type,
            payload,
        )
        .await
    }

    /// Appends any payload, valid or not, under any aggregate type.
    pub async fn record_raw(
        &self,
        aggregate_type: &str,
        aggregate_id: &str,
        sequence: i64,
        event_type: &str,
        payload: Value,
    ) -> RecordedEvent {
        let metadata = json!({
            "tenant_id": self.tenant,
            "actor": "test",
            "correlation_id": "test",
            "causation_id": "test",
            "command_id": Uuid::new_v4(),
        });
        let row = sqlx::query(
            "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                                 payload, metadata)
             values ($1, $2, $3, $4, '1', $5, $6)
             returning global_position, transaction_id::text as xid, recorded_at",
        )
        .bind(aggregate_type)
        .bind(aggregate_id)
        .bind(sequence)
        .bind(event_type)
        .bind(&payload)
        .bind(&metadata)
        .fetch_one(self.pool())
        .await
        .expect("event appended");
        RecordedEvent {
            global_position: row.get("global_position"),
            transaction_id: row.get::<String, _>("xid").parse().expect("xid8"),
            aggregate_type: aggregate_type.to_owned(),
            aggregate_id: aggregate_id.to_owned(),
            sequence,
            event_type: event_type.to_owned(),
            event_version: "1".to_owned(),
            tenant_id: self.tenant,
            payload,
            metadata,
            recorded_at: row.get("recorded_at"),
        }
    }

    /// Publishes an event as the relay does.
    pub async fn publish(&self, event: &RecordedEvent) {
        self.publish_as(event, &event.message_id()).await;
    }

    /// Publishes an event under another message id, so JetStream keeps it as a second copy.
    pub async fn publish_as(&self, event: &RecordedEvent, message_id: &str) {
        let body = serde_json::to_vec(event).expect("serializes");
        let subject = events::subjects::event_subject(
            &self.env.config.nats_prefix,
            &event.aggregate_type,
            &event.aggregate_id,
        );
        self.publish_bytes(&subject, body, message_id).await;
    }

    pub async fn publish_bytes(&self, subject: &str, body: Vec<u8>, message_id: &str) {
        self.js
            .send_publish(
                subject.to_owned(),
                PublishMessage::build()
                    .payload(body.into())
                    .message_id(message_id),
            )
            .await
            .expect("published")
            .await
            .expect("stream acknowledged");
    }

    pub async fn customer(&self, customer_id: Uuid) -> Option<CustomerRow> {
        let row = sqlx::query(
            "select name, phone, email, notes, created_at, updated_at, version
               from customers where tenant_id = $1 and customer_id = $2",
        )
        .bind(self.tenant)
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await
        .expect("customers readable")?;
        Some(CustomerRow {
            name: row.get("name"),
            phone: row.get("phone"),
            email: row.get("email"),
            notes: row.get("notes"),
            created_at: row.get("created_at"),
            updated_at: row.get("updated_at"),
            version: row.get("version"),
        })
    }

    /// Waits until the customer's row is at `version`.
    pub async fn customer_at(&self, customer_id: Uuid, version: i64) -> CustomerRow {
        eventually(
            &format!("customer {customer_id} at version {version}"),
            || async {
                self.customer(customer_id)
                    .await
                    .filter(|c| c.version == version)
            },
        )
        .await
    }

    /// The whole customers table, in a stable order.
    pub async fn all_customers(&self) -> Vec<Value> {
        sqlx::query_scalar("select to_jsonb(c) from customers c order by tenant_id, customer_id")
            .fetch_all(self.pool())
            .await
            .expect("customers readable")
    }

    pub async fn dead_letters(&self) -> Vec<DeadLetter> {
        let rows = sqlx::query(
            "select projection, aggregate_id, sequence, stream_sequence, error, message
               from dead_letters order by dead_letter_id",
        )
        .fetch_all(self.pool())
        .await
        .expect("dead letters readable");
        rows.iter()
            .map(|row| DeadLetter {
                projection: row.get("projection"),
                aggregate_id: row.get("aggregate_id"),
                sequence: row.get("sequence"),
                stream_sequence: row.get("stream_sequence"),
                error: row.get("error"),
                message: row.get("message"),
            })
            .collect()
    }

    /// The last sequence the customers projection applied for an aggregate.
    pub async fn last_sequence(&self, customer_id: Uuid) -> Option<i64> {
        sqlx::query_scalar(
            "select last_sequence from projection_aggregate_sequences
              where projection = 'customers' and aggregate_type = $1 and aggregate_id = $2",
        )
        .bind(AGGREGATE_TYPE)
        .bind(customer_id.to_string())
        .fetch_optional(self.pool())
        .await
        .expect("sequences readable")
    }

    /// Waits until every transaction up to `transaction_id` has ended, cluster-wide: then a
    /// rebuild (like the relay) sees its events. Any open transaction of any database of the
    /// server, such as another test's, holds this gate back.
    pub async fn wait_for_gate(&self, transaction_id: u64) {
        eventually(
            &format!("the xid gate to pass {transaction_id}"),
            || async {
                let passed: bool = sqlx::query_scalar(
                    "select pg_snapshot_xmin(pg_current_snapshot()) > $1::text::xid8",
                )
                .bind(transaction_id.to_string())
                .fetch_one(self.pool())
                .await
                .expect("gate readable");
                passed.then_some(())
            },
        )
        .await;
    }

    /// The customers consumer's state on the server.
    pub async fn consumer_info(&self) -> async_nats::jetstream::consumer::Info {
        let stream = self
            .js
            .get_stream(&self.env.config.events_stream)
            .await
            .expect("stream");
        stream
            .consumer_info("customers")
            .await
            .expect("consumer info")
    }
}

pub fn registered(customer_id: Uuid, business_id: Uuid, name: &str) -> CustomerEvent {
    CustomerEvent::CustomerRegistered {
        customer_id,
        business_id,
        pii: pii(name),
    }
}

pub fn updated(name: &str) -> CustomerEvent {
    CustomerEvent::CustomerProfileUpdated { pii: pii(name) }
}

fn pii(name: &str) -> CustomerPii {
    CustomerPii {
        name: name.to_owned(),
        phone: Some("+447700900123".to_owned()),
        email: Some(format!("{}@example.com", name.to_lowercase())),
        notes: None,
    }
}

/// Polls `check` until it answers `Some`, failing the test after [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

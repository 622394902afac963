//! The webhook worker's durable consumer of the event stream (`webhooks`): for each event a
//! webhook can carry, one delivery per endpoint of its business that asked for its type. A
//! delivery's id is derived from the endpoint and the event, so an event delivered again by
//! JetStream (after a crash before the ack) makes no second delivery. The consumer is one
//! ordered stream in commit order, so the deliveries of one record are made in its order.

use std::time::Duration;

use async_nats::jetstream::consumer::{pull, AckPolicy, DeliverPolicy, PullConsumer};
use async_nats::jetstream::{self, Message};
use events::RecordedEvent;
use futures::StreamExt;
use platform::shutdown::Shutdown;
use platform::Config;
use sqlx::PgPool;
use uuid::Uuid;

use super::events::{body, public};

/// The durable consumer's name.
const CONSUMER: &str = "webhooks";
/// Messages taken per fetch.
const BATCH: usize = 100;

type NatsError = Box<dyn std::error::Error + Send + Sync>;

/// Makes deliveries from the stream until `shutdown`; errors are logged and retried.
pub async fn run(config: Config, pool: PgPool, nats: async_nats::Client, mut shutdown: Shutdown) {
    let js = jetstream::new(nats);
    while !shutdown.is_triggered() {
        if let Err(err) = consume(&config, &pool, &js, &mut shutdown).await {
            tracing::warn!(%err, "the webhook consumer stopped; starting again in 2 s");
            tokio::select! {
                () = tokio::time::sleep(Duration::from_secs(2)) => {}
                () = shutdown.wait() => return,
            }
        }
    }
}

async fn consume(
    config: &Config,
    pool: &PgPool,
    js: &jetstream::Context,
    shutdown: &mut Shutdown,
) -> Result<(), NatsError> {
    let stream = platform::nats::ensure_stream(js, config).await?;
    let consumer: PullConsumer = stream
        .create_consumer(pull::Config {
            durable_name: Some(CONSUMER.to_owned()),
            description: Some("barber webhook deliveries".to_owned()),
            deliver_policy: DeliverPolicy::All,
            ack_policy: AckPolicy::Explicit,
            ack_wait: Duration::from_secs(30),
            max_deliver: -1,
            max_ack_pending: (BATCH * 10) as i64,
            filter_subject: events::subjects::all_events(&config.nats_prefix),
            ..Default::default()
        })
        .await?;
    while !shutdown.is_triggered() {
        let mut batch = consumer
            .batch()
            .max_messages(BATCH)
            .expires(Duration::from_secs(2))
            .messages()
            .await?;
        let mut messages: Vec<Message> = Vec::new();
        loop {
            tokio::select! {
                next = batch.next() => match next {
                    Some(message) => messages.push(message?),
                    None => break,
                },
                () = shutdown.wait() => return Ok(()),
            }
        }
        if messages.is_empty() {
            continue;
        }
        // a message that is not an event, or an event no webhook carries, is no webhook's
        let carried: Vec<(RecordedEvent, &'static str, serde_json::Value)> = messages
            .iter()
            .filter_map(|m| serde_json::from_slice::<RecordedEvent>(&m.payload).ok())
            .filter_map(|event| public(&event).map(|(name, data)| (event, name, data)))
            .collect();
        let traced = platform::telemetry::consuming(|| "webhooks fan-out".into(), &messages);
        if !carried.is_empty() {
            let mut tx = pool.begin().await?;
            let endpoints = endpoints_of(&mut tx, &carried).await?;
            for (event, name, data) in &carried {
                deliveries_of(&mut tx, &endpoints, event, name, data).await?;
            }
            tx.commit().await?;
        }
        drop(traced);
        for message in &messages {
            if let Err(err) = message.ack().await {
                tracing::warn!(%err, "a webhook event was not acknowledged; it comes again");
            }
        }
    }
    Ok(())
}

/// An endpoint, as the batch needs it.
#[derive(sqlx::FromRow)]
struct Endpoint {
    endpoint_id: Uuid,
    tenant_id: Uuid,
    event_types: Vec<String>,
    created_at: chrono::DateTime<chrono::Utc>,
}

/// The live endpoints of every business the batch's events are of: read once per batch.
async fn endpoints_of(
    conn: &mut sqlx::PgConnection,
    carried: &[(RecordedEvent, &'static str, serde_json::Value)],
) -> Result<Vec<Endpoint>, sqlx::Error> {
    let mut tenants: Vec<Uuid> = carried.iter().map(|(event, ..)| event.tenant_id).collect();
    tenants.sort_unstable();
    tenants.dedup();
    sqlx::query_as(
        "select endpoint_id, tenant_id, event_types, created_at from webhook_endpoints
          where tenant_id = any($1) and removed_at is null",
    )
    .bind(&tenants)
    .fetch_all(conn)
    .await
}

/// The deliveries of `event` (called `name` to webhooks): one per endpoint of its business that
/// asked for its type and existed when it was recorded.
async fn deliveries_of(
    conn: &mut sqlx::PgConnection,
    endpoints: &[Endpoint],
    event: &RecordedEvent,
    name: &str,
    data: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    let wanting = endpoints.iter().filter(|e| {
        e.tenant_id == event.tenant_id
            && e.created_at <= event.recorded_at
            && e.event_types.iter().any(|t| t == name)
    });
    for endpoint in wanting {
        let delivery_id = Uuid::new_v5(&endpoint.endpoint_id, event.message_id().as_bytes());
        sqlx::query(
            "insert into webhook_deliveries
                    (delivery_id, tenant_id, endpoint_id, event_type, record, transaction_id,
                     global_position, body, state, next_attempt_at, created_at)
             select $1, $2, $3, $4, $5, $6::text::xid8, $7, $8, 'pending', now(), now()
              -- a business moving away: its new home fans out the same events (the same
              -- delivery ids) once they are copied there
              where not exists (select 1 from tenant_homes h where h.tenant_id = $2)
             on conflict (delivery_id) do nothing",
        )
        .bind(delivery_id)
        .bind(event.tenant_id)
        .bind(endpoint.endpoint_id)
        .bind(name)
        .bind(format!("{}:{}", event.aggregate_type, event.aggregate_id))
        .bind(event.transaction_id.to_string())
        .bind(event.global_position)
        .bind(body(event, name, data.clone(), delivery_id))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

//! The JetStream side of the relay: one batch is sent as a pipeline (every publish first, then
//! every acknowledgement), so a batch costs one round trip rather than one per event.

use std::future::IntoFuture;
use std::time::Instant;

use async_nats::jetstream::context::Context;
use async_nats::jetstream::message::PublishMessage;
use events::subjects::event_subject;
use events::{EventMetadata, RecordedEvent};

use super::RelayError;

/// The event's `global_position`, so a consumer can compare it with a `min_position` without
/// decoding the body.
pub const GLOBAL_POSITION_HEADER: &str = "Barber-Global-Position";
/// The event's inserting transaction (`xid8` as decimal text): with the position, its commit order.
pub const TRANSACTION_ID_HEADER: &str = "Barber-Transaction-Id";

/// What the stream did with an acknowledged batch.
pub(super) struct Published {
    pub stored: u64,
    /// Already in the dedup window: a re-publish after a crash before the checkpoint.
    pub duplicates: u64,
}

impl Published {
    pub fn record(&self) {
        metrics::counter!("relay_events_published_total").increment(self.stored);
        metrics::counter!("relay_events_duplicate_total").increment(self.duplicates);
        if self.duplicates > 0 {
            tracing::info!(
                duplicates = self.duplicates,
                "the stream already had some events (re-publish after a restart)"
            );
        }
    }
}

/// Publishes `batch` in order and waits for all its acks. An error means some event may not be
/// stored: the caller must not move its checkpoint.
///
/// No event is sent once [`super::PUBLISH_LEASE`] has passed since the batch was `read_at`: a
/// relay frozen in the middle of a batch may have lost its lock to a standby while it slept, and
/// must not go on sending once it wakes. (What it did send is a prefix of the very sequence the
/// standby publishes from the same checkpoint, and the stream drops repeats for 24 hours, so
/// order holds either way; the lease keeps an old relay quiet beyond that too.)
#[tracing::instrument(level = "debug", skip_all, fields(events = batch.len()))]
pub(super) async fn publish_batch(
    jetstream: &Context,
    prefix: &str,
    batch: &[RecordedEvent],
    read_at: Instant,
) -> Result<Published, RelayError> {
    let mut pending = Vec::with_capacity(batch.len());
    // a traced event's hop through the relay, from its publish to the stream's ack
    let mut hops = Vec::new();
    for event in batch {
        let held = read_at.elapsed();
        if held > super::PUBLISH_LEASE {
            return Err(RelayError::LeaseExpired(held));
        }
        let subject = event_subject(prefix, &event.aggregate_type, &event.aggregate_id);
        let mut message = message(event)?;
        if let Some(parent) = EventMetadata::trace_parent(&event.metadata) {
            let hop = tracing::info_span!(
                "relay.publish",
                event_type = %event.event_type,
                global_position = event.global_position,
            );
            platform::telemetry::follow(&hop, parent);
            let carried = platform::telemetry::trace_parent(&hop).unwrap_or_else(|| parent.into());
            message = message.header(platform::telemetry::TRACE_PARENT, carried);
            hops.push(hop);
        }
        pending.push(jetstream.send_publish(subject, message).await?);
    }
    let acks =
        futures::future::try_join_all(pending.into_iter().map(IntoFuture::into_future)).await?;
    drop(hops);
    let duplicates = acks.iter().filter(|ack| ack.duplicate).count() as u64;
    Ok(Published {
        stored: acks.len() as u64 - duplicates,
        duplicates,
    })
}

/// The message of one event: its JSON, deduplicated by its stable id.
fn message(event: &RecordedEvent) -> Result<PublishMessage, serde_json::Error> {
    let payload = serde_json::to_vec(event)?;
    Ok(PublishMessage::build()
        .payload(payload.into())
        .message_id(event.message_id())
        .header(GLOBAL_POSITION_HEADER, event.global_position.to_string())
        .header(TRANSACTION_ID_HEADER, event.transaction_id.to_string()))
}

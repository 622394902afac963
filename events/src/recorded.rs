//! An event as the event store holds it and the relay publishes it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One stored event with its place in commit order. This is the JSON body of every NATS message
/// on the events stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedEvent {
    /// Assigned at insert; unique, but not in commit order on its own.
    pub global_position: i64,
    /// The inserting transaction (`xid8`); commit order is `(transaction_id, global_position)`.
    pub transaction_id: u64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    /// 1-based, gap-free per aggregate.
    pub sequence: i64,
    pub event_type: String,
    pub event_version: String,
    pub tenant_id: Uuid,
    pub payload: serde_json::Value,
    pub metadata: serde_json::Value,
    pub recorded_at: DateTime<Utc>,
}

impl RecordedEvent {
    /// The JetStream `Nats-Msg-Id`: stable across re-publishes, so the stream drops duplicates.
    pub fn message_id(&self) -> String {
        format!(
            "{}:{}:{}",
            self.aggregate_type, self.aggregate_id, self.sequence
        )
    }

    /// Whether this event comes at or before `(transaction_id, global_position)` in commit order.
    pub fn is_at_or_before(&self, transaction_id: u64, global_position: i64) -> bool {
        (self.transaction_id, self.global_position) <= (transaction_id, global_position)
    }
}

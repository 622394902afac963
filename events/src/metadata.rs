//! Metadata carried by every event. cqrs-es stores metadata as a string map; these are its keys.

use std::collections::HashMap;

use uuid::Uuid;

/// Who caused an event, on whose behalf, and as part of which request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventMetadata {
    /// The business the event belongs to; every read model row is scoped by it.
    pub tenant_id: Uuid,
    /// A user id, or `public` for an unauthenticated booking, or `system`.
    pub actor: String,
    /// The request (its `X-Request-Id`) that started the chain of work.
    pub correlation_id: String,
    /// The command or event that directly caused this one.
    pub causation_id: String,
    /// The command that recorded this event.
    pub command_id: Uuid,
}

impl EventMetadata {
    pub const TENANT_ID: &'static str = "tenant_id";
    pub const ACTOR: &'static str = "actor";
    pub const CORRELATION_ID: &'static str = "correlation_id";
    pub const CAUSATION_ID: &'static str = "causation_id";
    pub const COMMAND_ID: &'static str = "command_id";
    /// The W3C `traceparent` of the request that recorded the event, when its traces are
    /// exported (`platform::telemetry`): the relay, the projections and the notification
    /// worker continue that trace.
    pub const TRACE_PARENT: &'static str = "traceparent";

    /// The `traceparent` in a stored event's metadata JSON, if it has one.
    pub fn trace_parent(metadata: &serde_json::Value) -> Option<&str> {
        metadata.get(Self::TRACE_PARENT).and_then(|v| v.as_str())
    }

    /// The trace id of a stored event's `traceparent` (W3C: `version-traceid-spanid-flags`,
    /// the trace id 32 lowercase hex digits).
    pub fn trace_id(metadata: &serde_json::Value) -> Option<&str> {
        let mut parts = Self::trace_parent(metadata)?.split('-');
        let (_version, trace_id) = (parts.next()?, parts.next()?);
        (trace_id.len() == 32 && trace_id.bytes().all(|b| b.is_ascii_hexdigit()))
            .then_some(trace_id)
    }

    /// The metadata of a new command: a fresh command id, which is also the direct cause of
    /// the events the command records.
    pub fn for_command(
        tenant_id: Uuid,
        actor: impl Into<String>,
        correlation_id: impl Into<String>,
    ) -> Self {
        let command_id = Uuid::new_v4();
        Self {
            tenant_id,
            actor: actor.into(),
            correlation_id: correlation_id.into(),
            causation_id: command_id.to_string(),
            command_id,
        }
    }

    /// The map cqrs-es attaches to each event of a command.
    pub fn to_map(&self) -> HashMap<String, String> {
        HashMap::from([
            (Self::TENANT_ID.to_owned(), self.tenant_id.to_string()),
            (Self::ACTOR.to_owned(), self.actor.clone()),
            (Self::CORRELATION_ID.to_owned(), self.correlation_id.clone()),
            (Self::CAUSATION_ID.to_owned(), self.causation_id.clone()),
            (Self::COMMAND_ID.to_owned(), self.command_id.to_string()),
        ])
    }

    /// Reads the metadata back from a stored event's JSON; `None` when a field is missing.
    pub fn from_json(value: &serde_json::Value) -> Option<Self> {
        let field = |key: &str| value.get(key).and_then(|v| v.as_str());
        Some(Self {
            tenant_id: field(Self::TENANT_ID)?.parse().ok()?,
            actor: field(Self::ACTOR)?.to_owned(),
            correlation_id: field(Self::CORRELATION_ID)?.to_owned(),
            causation_id: field(Self::CAUSATION_ID)?.to_owned(),
            command_id: field(Self::COMMAND_ID)?.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_survives_the_store_round_trip() {
        let metadata = EventMetadata {
            tenant_id: Uuid::new_v4(),
            actor: "user-1".into(),
            correlation_id: "req-1".into(),
            causation_id: "cmd-1".into(),
            command_id: Uuid::new_v4(),
        };
        let json = serde_json::to_value(metadata.to_map()).expect("serializes");
        assert_eq!(EventMetadata::from_json(&json), Some(metadata));
    }
}

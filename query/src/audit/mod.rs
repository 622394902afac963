//! The auditor's routes: what happened to a record, event by event, and what it looked like at
//! any moment, read from the event store itself (the truth, not a projection).
//!
//! - [`stream`]: `GET /audit/streams/{aggregate_type}/{id}`, one record's events in sequence
//!   order with who caused each and why.
//! - [`state`]: `GET /audit/streams/{aggregate_type}/{id}/state?as_of=`, the record as it was,
//!   folded by the aggregate's own `apply` (`domain::replay`).
//! - [`log`]: `GET /audit/events`, the business's whole history in commit order, and
//!   [`log::export`], the same as JSON lines for `barber audit export`.
//!
//! Every answer is the caller's business only (another business's record is 404), and a
//! customer's personal data is opened as the projections open it: once the customer is erased
//! (their key destroyed), their personal fields read `{"erased": true}` everywhere.

pub mod log;
pub mod state;
pub mod stream;

use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use domain::replay::RecordType;
use events::EventMetadata;
use platform::ApiError;
use serde::Serialize;
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new()
        .route(
            "/audit/streams/{aggregate_type}/{id}",
            get(stream::list_stream_events),
        )
        .route(
            "/audit/streams/{aggregate_type}/{id}/state",
            get(state::get_state_as_of),
        )
        .route("/audit/events", get(log::list_events))
}

/// One stored event as the auditor reads it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    /// `business`, `staff`, `service`, `customer`, `appointment`, `schedule` (a barber's day)
    /// or `customer_day`.
    pub aggregate_type: String,
    /// The record's id: a UUID, or `{uuid}:{YYYY-MM-DD}` for a day.
    pub aggregate_id: String,
    /// 1-based, gap-free within the record.
    pub sequence: i64,
    /// Assigned at insert: unique, but commit order is `(transaction, position)`.
    pub global_position: i64,
    pub recorded_at: DateTime<Utc>,
    pub event_type: String,
    pub event_version: String,
    /// A user id, `public` for the online booking page, or `system`.
    pub actor: Option<String>,
    /// The request (its `X-Request-Id`) that started the chain of work.
    pub correlation_id: Option<String>,
    /// The command or event that directly caused it.
    pub causation_id: Option<String>,
    /// The command that recorded it.
    pub command_id: Option<String>,
    /// The OpenTelemetry trace of the request that recorded it (32 hex digits), when traces
    /// were exported: where to look for what the request did across the roles.
    pub trace_id: Option<String>,
    /// The fact, `{"<EventType>": {…}}`; personal data opened, or `{"erased": true}`.
    #[schema(value_type = Object)]
    pub payload: Value,
}

/// The columns [`EventRow`] reads (the transaction id as text: sqlx has no `xid8`).
const EVENT_COLUMNS: &str = "aggregate_type, aggregate_id, sequence, global_position, \
    transaction_id::text as xid, recorded_at, event_type, event_version, payload, metadata";

/// A row of `events`.
#[derive(Debug, sqlx::FromRow)]
struct EventRow {
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    global_position: i64,
    xid: String,
    recorded_at: DateTime<Utc>,
    event_type: String,
    event_version: String,
    payload: Value,
    metadata: Value,
}

impl EventRow {
    fn into_event(self) -> AuditEvent {
        let field = |key: &str| {
            self.metadata
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        AuditEvent {
            actor: field(EventMetadata::ACTOR),
            correlation_id: field(EventMetadata::CORRELATION_ID),
            causation_id: field(EventMetadata::CAUSATION_ID),
            command_id: field(EventMetadata::COMMAND_ID),
            trace_id: EventMetadata::trace_id(&self.metadata).map(str::to_owned),
            aggregate_type: self.aggregate_type,
            aggregate_id: self.aggregate_id,
            sequence: self.sequence,
            global_position: self.global_position,
            recorded_at: self.recorded_at,
            event_type: self.event_type,
            event_version: self.event_version,
            payload: self.payload,
        }
    }
}

/// Opens the personal data of `rows` (all of business `tenant_id`), in one key look-up.
async fn open_personal_data(
    pool: &PgPool,
    tenant_id: Uuid,
    rows: &mut [EventRow],
) -> Result<(), ApiError> {
    let payloads = rows
        .iter_mut()
        .map(|r| (tenant_id, &mut r.payload))
        .collect();
    let mut reader = crate::reader::read(pool, tenant_id).await?;
    platform::personal_data::open(&mut *reader, payloads)
        .await
        .map_err(ApiError::internal)
}

/// The record a path names: its type and its id as the store writes it. An unknown type is 404
/// `unknown_record_type`; an id that cannot be one of that type is 404 `record_not_found`.
fn record(aggregate_type: &str, id: &str) -> Result<(RecordType, String), ApiError> {
    let kind = RecordType::from_aggregate_type(aggregate_type).ok_or_else(|| {
        let known: Vec<_> = RecordType::ALL.iter().map(|t| t.aggregate_type()).collect();
        ApiError::not_found(
            "unknown_record_type",
            format!(
                "{aggregate_type:?} is not a kind of record; one of {}",
                known.join(", ")
            ),
        )
    })?;
    let stored = kind.stored_id(id).ok_or_else(not_found)?;
    Ok((kind, stored))
}

/// No such record in this business (or not one of its type).
fn not_found() -> ApiError {
    ApiError::not_found("record_not_found", "no such record in this business")
}

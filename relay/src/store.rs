//! The relay's SQL: the advisory lock, the gated batch read, the checkpoint and the lag gauges.
//! Every statement runs on the relay's own session (the one holding the lock), bounded in time.
//!
//! sqlx has no `xid8` type: transaction ids are selected as text and parsed to `u64`, and bound as
//! text and cast back (`$1::text::xid8`).

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use events::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use super::RelayError;

/// How long one statement on the relay's session may take before the session is given up.
const STATEMENT_DEADLINE: Duration = Duration::from_secs(30);
/// While catching up (full batches), the lag gauges are counted at most this often.
const LAG_REFRESH_WHILE_BUSY: Duration = Duration::from_secs(5);

/// The last event the stream acknowledged, in commit order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Checkpoint {
    pub transaction_id: u64,
    pub global_position: i64,
}

impl Checkpoint {
    pub fn after(event: &RecordedEvent) -> Self {
        Self {
            transaction_id: event.transaction_id,
            global_position: event.global_position,
        }
    }
}

/// Takes the relay lock of `stream` for this session, if no other session holds it. The key
/// pairs a fixed class (`barber-relay`) with the stream, so relays of other streams don't contend.
#[tracing::instrument(level = "debug", skip(session))]
pub(super) async fn try_lock(session: &mut PgConnection, stream: &str) -> Result<bool, RelayError> {
    bounded(
        sqlx::query_scalar("select pg_try_advisory_lock(hashtext('barber-relay'), hashtext($1))")
            .bind(stream)
            .fetch_one(session),
    )
    .await
}

/// The stored checkpoint of `stream`; its row is created at zero on first use.
#[tracing::instrument(skip(session))]
pub(super) async fn load_checkpoint(
    session: &mut PgConnection,
    stream: &str,
) -> Result<Checkpoint, RelayError> {
    bounded(
        sqlx::query(
            "insert into relay_checkpoints (stream_name) values ($1) on conflict do nothing",
        )
        .bind(stream)
        .execute(&mut *session),
    )
    .await?;
    let (xid, global_position): (String, i64) = bounded(
        sqlx::query_as(
            "select transaction_id::text, global_position from relay_checkpoints where stream_name = $1",
        )
        .bind(stream)
        .fetch_one(&mut *session),
    )
    .await?;
    Ok(Checkpoint {
        transaction_id: parse_xid(&xid)?,
        global_position,
    })
}

/// Moves the checkpoint of `stream`; called only once the stream acknowledged every event up to it.
#[tracing::instrument(level = "debug", skip(session))]
pub(super) async fn save_checkpoint(
    session: &mut PgConnection,
    stream: &str,
    checkpoint: Checkpoint,
) -> Result<(), RelayError> {
    bounded(
        sqlx::query(
            "insert into relay_checkpoints (stream_name, transaction_id, global_position)
             values ($1, $2::text::xid8, $3)
             on conflict (stream_name) do update
             set transaction_id = excluded.transaction_id,
                 global_position = excluded.global_position,
                 updated_at = now()",
        )
        .bind(stream)
        .bind(checkpoint.transaction_id.to_string())
        .bind(checkpoint.global_position)
        .execute(session),
    )
    .await?;
    Ok(())
}

/// The next events after `after` in commit order, among transactions that have all finished (the
/// xid8 gate, see the module header of `relay`). `order by` names the `xid8` column, not its text.
#[tracing::instrument(level = "debug", skip(session))]
pub(super) async fn read_batch(
    session: &mut PgConnection,
    after: Checkpoint,
    limit: usize,
) -> Result<Vec<RecordedEvent>, RelayError> {
    let rows: Vec<EventRow> = bounded(
        sqlx::query_as(
            "select global_position, transaction_id::text as xid, aggregate_type, aggregate_id,
                    sequence, event_type, event_version, tenant_id, payload, metadata, recorded_at
             from events
             where (transaction_id, global_position) > ($1::text::xid8, $2)
               and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
             order by events.transaction_id, events.global_position
             limit $3",
        )
        .bind(after.transaction_id.to_string())
        .bind(after.global_position)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(session),
    )
    .await?;
    rows.into_iter().map(EventRow::into_event).collect()
}

/// Refreshes `relay_lag_events` and `relay_lag_seconds`: each idle turn, and at most every few
/// seconds while catching up (counting a large backlog is not free).
#[derive(Default)]
pub(super) struct LagMeter {
    refreshed: Option<Instant>,
}

impl LagMeter {
    /// Returns the events counted behind the checkpoint (0 when not counted this turn). On an
    /// idle turn these are committed events held back by the gate.
    pub async fn refresh(
        &mut self,
        session: &mut PgConnection,
        checkpoint: Checkpoint,
        idle: bool,
    ) -> Result<i64, RelayError> {
        let due = self
            .refreshed
            .is_none_or(|at| at.elapsed() >= LAG_REFRESH_WHILE_BUSY);
        if !(idle || due) {
            return Ok(0);
        }
        let (events, seconds) = lag(session, checkpoint).await?;
        metrics::gauge!("relay_lag_events").set(events as f64);
        metrics::gauge!("relay_lag_seconds").set(seconds);
        self.refreshed = Some(Instant::now());
        Ok(events)
    }
}

/// Events stored after the checkpoint (committed, whether or not past the gate yet) and the age of
/// the oldest of them.
///
/// Not a prepared statement: Postgres would soon switch it to a generic plan, which cannot know
/// that the checkpoint is near the end of the table, estimates a third of it, and scans all of
/// `events` on every idle turn of the relay (7 ms a turn at 100 000 events, most of the
/// database's CPU under load). Planned with the checkpoint's values it is an index range scan.
#[tracing::instrument(level = "debug", skip(session))]
async fn lag(session: &mut PgConnection, after: Checkpoint) -> Result<(i64, f64), RelayError> {
    bounded(
        sqlx::query_as(
            "select count(*),
                    coalesce(extract(epoch from now() - min(recorded_at)), 0)::float8
             from events
             where (transaction_id, global_position) > ($1::text::xid8, $2)",
        )
        .bind(after.transaction_id.to_string())
        .bind(after.global_position)
        .persistent(false)
        .fetch_one(session),
    )
    .await
}

#[derive(sqlx::FromRow)]
struct EventRow {
    global_position: i64,
    xid: String,
    aggregate_type: String,
    aggregate_id: String,
    sequence: i64,
    event_type: String,
    event_version: String,
    tenant_id: Uuid,
    payload: serde_json::Value,
    metadata: serde_json::Value,
    recorded_at: DateTime<Utc>,
}

impl EventRow {
    fn into_event(self) -> Result<RecordedEvent, RelayError> {
        Ok(RecordedEvent {
            global_position: self.global_position,
            transaction_id: parse_xid(&self.xid)?,
            aggregate_type: self.aggregate_type,
            aggregate_id: self.aggregate_id,
            sequence: self.sequence,
            event_type: self.event_type,
            event_version: self.event_version,
            tenant_id: self.tenant_id,
            payload: self.payload,
            metadata: self.metadata,
            recorded_at: self.recorded_at,
        })
    }
}

fn parse_xid(text: &str) -> Result<u64, RelayError> {
    text.parse()
        .map_err(|_| RelayError::TransactionId(text.to_owned()))
}

/// A statement on the relay's session, given up after [`STATEMENT_DEADLINE`]: a session that
/// hangs (a half-open connection) must not keep the relay, nor its lock, forever.
async fn bounded<T>(
    statement: impl Future<Output = Result<T, sqlx::Error>>,
) -> Result<T, RelayError> {
    match tokio::time::timeout(STATEMENT_DEADLINE, statement).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(RelayError::SessionTimeout(STATEMENT_DEADLINE)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_ids_parse_from_their_text_form() {
        assert_eq!(parse_xid("18446744073709551615").ok(), Some(u64::MAX));
        assert!(matches!(
            parse_xid("12:34:"),
            Err(RelayError::TransactionId(_))
        ));
    }

    #[test]
    fn checkpoints_order_by_transaction_then_position() {
        let early_tx_late_position = Checkpoint {
            transaction_id: 10,
            global_position: 99,
        };
        let late_tx_early_position = Checkpoint {
            transaction_id: 11,
            global_position: 1,
        };
        assert!(early_tx_late_position < late_tx_early_position);
    }
}

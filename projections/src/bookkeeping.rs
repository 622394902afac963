//! The bookkeeping around a projection, shared by the runtime and rebuild, always inside the
//! caller's transaction: the checkpoint, the per-aggregate sequence guard, gap fills from the
//! store, savepoints and dead letters.
//!
//! **Dead letters move the aggregate on.** An event that can never apply is recorded in
//! `dead_letters` and its aggregate's `last_sequence` still advances past it. Later events of
//! that aggregate then apply on top of a state that lacks it (a profile update after a poisoned
//! registration touches no row) instead of re-hitting the poisoned event through every gap
//! fill and dead-lettering it again. The read model is repaired, once the cause is fixed, by a
//! rebuild; the dead letter says what to look at.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use events::RecordedEvent;
use platform::personal_data::{self, PersonalDataError};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::ApplyError;
use crate::projection::Projection;
use crate::store::{self, Position};

mod claim;

pub(crate) use claim::{apply_claimed, claim_runs, Rows};

/// How one event ended for a projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Applied,
    /// Already applied (a redelivery, or replayed by a rebuild): nothing done.
    Duplicate,
    DeadLettered,
}

/// Counts for metrics and reports, added up over a batch or a rebuild.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    pub applied: u64,
    pub duplicates: u64,
    pub dead_lettered: u64,
    /// When the newest applied event was recorded (for the lag in seconds).
    pub last_recorded_at: Option<DateTime<Utc>>,
}

impl Tally {
    /// Adds another's counts.
    pub fn add(&mut self, other: Tally) {
        self.applied += other.applied;
        self.duplicates += other.duplicates;
        self.dead_lettered += other.dead_lettered;
        self.last_recorded_at = self.last_recorded_at.max(other.last_recorded_at);
    }

    pub(crate) fn count(&mut self, fate: Fate, event: &RecordedEvent) {
        match fate {
            Fate::Applied => {
                self.applied += 1;
                self.last_recorded_at = self.last_recorded_at.max(Some(event.recorded_at));
            }
            Fate::Duplicate => self.duplicates += 1,
            Fate::DeadLettered => self.dead_lettered += 1,
        }
    }
}

/// Where an event came from, for its dead letter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin<'a> {
    /// A JetStream message: its stream sequence and body.
    Message {
        stream_sequence: Option<u64>,
        body: &'a str,
    },
    /// Read from the event store (a gap fill or a rebuild).
    Store,
}

/// Locks the projection's checkpoint row (creating it when missing) and returns where it is.
/// Every batch and every rebuild of a projection takes this lock first, so they run one at a
/// time: replicas cannot interleave, and a rebuild waits for (and is waited for by) batches.
pub(crate) async fn lock_checkpoint(
    conn: &mut PgConnection,
    projection: &str,
) -> Result<Position, sqlx::Error> {
    sqlx::query(
        "insert into projection_checkpoints (projection) values ($1) on conflict do nothing",
    )
    .bind(projection)
    .execute(&mut *conn)
    .await?;
    let (xid, global_position): (String, i64) = sqlx::query_as(
        "select transaction_id::text, global_position from projection_checkpoints
          where projection = $1 for update",
    )
    .bind(projection)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Position {
        transaction_id: store::parse_xid(&xid)?,
        global_position,
    })
}

/// Moves the checkpoint forward to `to` (never back: a redelivery of an old message does not
/// move it); the caller has applied every event up to `to` first (see [`fill_behind`]). Records the JetStream stream sequence of that message when there is one.
pub(crate) async fn advance_checkpoint(
    conn: &mut PgConnection,
    projection: &str,
    to: Position,
    stream_sequence: Option<u64>,
) -> Result<(), sqlx::Error> {
    let stream_sequence = stream_sequence.and_then(|s| i64::try_from(s).ok());
    sqlx::query(
        "update projection_checkpoints
            set transaction_id = $2::text::xid8, global_position = $3,
                stream_sequence = coalesce($4, stream_sequence), updated_at = now()
          where projection = $1 and (transaction_id, global_position) < ($2::text::xid8, $3)",
    )
    .bind(projection)
    .bind(to.xid())
    .bind(to.global_position)
    .bind(stream_sequence)
    .execute(conn)
    .await?;
    Ok(())
}

/// Events filled from the store per query by [`fill_behind`].
const FILL_PAGE: i64 = 500;

/// Applies, from the store and in commit order, every event of the projection's types in
/// `(checkpoint, upto]` that it has not applied yet, so that the checkpoint may then move to
/// `upto`: the checkpoint is always a prefix of commit order that is wholly applied.
///
/// Why the store holds every such event: `upto` is the position of a message this batch
/// received, and the relay publishes an event only once every transaction older than the
/// event's has ended (the xid gate). So every event at or before `upto` in commit order was
/// committed before the relay read it, which was before this transaction began, and is
/// visible here. Such events are missing from the batch when another worker holds them in a
/// batch of its own (they will arrive there as duplicates), or when a worker died holding them
/// (JetStream redelivers them only after the ack wait). Filling them here instead of waiting
/// keeps read-your-writes from answering early and keeps a reader from waiting 30 s.
pub(crate) async fn fill_behind<P: Projection>(
    conn: &mut PgConnection,
    projection: &P,
    checkpoint: Position,
    upto: Position,
    tally: &mut Tally,
    tenants: &mut BTreeSet<Uuid>,
) -> Result<(), sqlx::Error> {
    let mut after = checkpoint;
    loop {
        let missing = store::load_unapplied(
            conn,
            projection.name(),
            projection.aggregate_types(),
            after,
            upto,
            FILL_PAGE,
        )
        .await?;
        let Some(last) = missing.last() else {
            return Ok(());
        };
        after = Position::of(last);
        tracing::info!(
            projection = projection.name(),
            events = missing.len(),
            "filling events behind the batch from the store"
        );
        for event in &missing {
            tenants.insert(event.tenant_id);
            handle_event(conn, projection, event, Origin::Store, tally).await?;
        }
    }
}

/// Ends a batch in one statement: moves the version of the read model `projection` of each
/// business in `tenants` (see the `read_model_versions` migration), every business whose rows
/// the transaction may have changed, and tells the query processes that the projection moved
/// (delivered at commit, as [`notify`]).
pub(crate) async fn finish_batch(
    conn: &mut PgConnection,
    projection: &str,
    tenants: &BTreeSet<Uuid>,
) -> Result<(), sqlx::Error> {
    let tenants: Vec<Uuid> = tenants.iter().copied().collect();
    sqlx::query(
        "with touched as (
             insert into read_model_versions (tenant_id, read_model)
             select unnest($2::uuid[]), $1
             on conflict (tenant_id, read_model) do update set changed_at = now()
             returning 1)
         select pg_notify('barber_projections', $1), (select count(*) from touched)",
    )
    .bind(projection)
    .bind(&tenants)
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets the checkpoint to exactly `to` (a rebuild: its replay is now the whole truth).
pub(crate) async fn set_checkpoint(
    conn: &mut PgConnection,
    projection: &str,
    to: Position,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update projection_checkpoints
            set transaction_id = $2::text::xid8, global_position = $3, updated_at = now()
          where projection = $1",
    )
    .bind(projection)
    .bind(to.xid())
    .bind(to.global_position)
    .execute(conn)
    .await?;
    Ok(())
}

/// Tells waiting readers (the query service, `LISTEN barber_projections`) that the projection
/// moved; delivered when the transaction commits.
pub(crate) async fn notify(conn: &mut PgConnection, projection: &str) -> Result<(), sqlx::Error> {
    sqlx::query("select pg_notify('barber_projections', $1)")
        .bind(projection)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records a message or event that can never apply.
pub(crate) async fn dead_letter(
    conn: &mut PgConnection,
    projection: &str,
    event: Option<&RecordedEvent>,
    stream_sequence: Option<u64>,
    error: &str,
    message: &str,
) -> Result<(), sqlx::Error> {
    tracing::warn!(
        projection,
        aggregate_type = event.map(|e| e.aggregate_type.as_str()),
        aggregate_id = event.map(|e| e.aggregate_id.as_str()),
        sequence = event.map(|e| e.sequence),
        error,
        "dead letter"
    );
    sqlx::query(
        "insert into dead_letters (projection, aggregate_type, aggregate_id, sequence,
                                   global_position, stream_sequence, error, message)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(projection)
    .bind(event.map(|e| &e.aggregate_type))
    .bind(event.map(|e| &e.aggregate_id))
    .bind(event.map(|e| e.sequence))
    .bind(event.map(|e| e.global_position))
    .bind(stream_sequence.and_then(|s| i64::try_from(s).ok()))
    .bind(error)
    .bind(message)
    .execute(conn)
    .await?;
    Ok(())
}

/// Hands one event to a projection under the per-aggregate sequence guard: a sequence already
/// applied is a no-op; a sequence past the next one first applies the missing events from the
/// store. Returns the fate of `event` itself; `tally` counts everything, gap fills included.
/// An `Err` is transient: the caller rolls the whole transaction back.
#[tracing::instrument(
    skip_all,
    fields(projection = projection.name(), aggregate_id = %event.aggregate_id, sequence = event.sequence)
)]
pub(crate) async fn handle_event<P: Projection>(
    conn: &mut PgConnection,
    projection: &P,
    event: &RecordedEvent,
    origin: Origin<'_>,
    tally: &mut Tally,
) -> Result<Fate, sqlx::Error> {
    let name = projection.name();
    let last = lock_sequence(conn, name, event).await?;
    if event.sequence <= last {
        tally.count(Fate::Duplicate, event);
        return Ok(Fate::Duplicate);
    }
    if event.sequence > last + 1 {
        let missing = store::load_sequences(
            conn,
            &event.aggregate_type,
            &event.aggregate_id,
            last + 1,
            event.sequence - 1,
        )
        .await?;
        tracing::info!(
            from = last + 1,
            found = missing.len(),
            "filling a gap from the store"
        );
        for gap in &missing {
            let fate = apply_one(conn, projection, gap, Origin::Store).await?;
            tally.count(fate, gap);
        }
    }
    let fate = apply_one(conn, projection, event, origin).await?;
    tally.count(fate, event);
    move_sequences(
        &mut *conn,
        name,
        &[(&event.aggregate_type, &event.aggregate_id, event.sequence)],
    )
    .await?;
    Ok(fate)
}

/// Applies `event` with its personal data opened: a projection reads plaintext, and the
/// personal data of an erased customer as erased. A sealed object that does not open is the
/// event's fault (dead-lettered); a database failure is transient.
async fn apply_opened<P: Projection>(
    conn: &mut PgConnection,
    projection: &P,
    event: &RecordedEvent,
) -> Result<(), ApplyError> {
    if !personal_data::has_sealed_pii(&event.payload) {
        return projection.apply(conn, event).await;
    }
    let mut opened = event.clone();
    personal_data::open(&mut *conn, vec![(opened.tenant_id, &mut opened.payload)])
        .await
        .map_err(|err| match err {
            PersonalDataError::Database(e) => ApplyError::from(e),
            other => ApplyError::Invalid(other.to_string()),
        })?;
    projection.apply(conn, &opened).await
}

/// The last sequence applied for the event's aggregate (0 when none), locked until commit.
async fn lock_sequence(
    conn: &mut PgConnection,
    projection: &str,
    event: &RecordedEvent,
) -> Result<i64, sqlx::Error> {
    let last: Option<i64> = sqlx::query_scalar(
        "select last_sequence from projection_aggregate_sequences
          where projection = $1 and aggregate_type = $2 and aggregate_id = $3
            for update",
    )
    .bind(projection)
    .bind(&event.aggregate_type)
    .bind(&event.aggregate_id)
    .fetch_optional(conn)
    .await?;
    Ok(last.unwrap_or(0))
}

/// Applies one event inside a savepoint, so that a permanent failure undoes only this event,
/// which is then dead-lettered.
pub(crate) async fn apply_one<P: Projection>(
    conn: &mut PgConnection,
    projection: &P,
    event: &RecordedEvent,
    origin: Origin<'_>,
) -> Result<Fate, sqlx::Error> {
    sqlx::query("savepoint apply_event")
        .execute(&mut *conn)
        .await?;
    match apply_opened(conn, projection, event).await {
        Ok(()) => {
            sqlx::query("release savepoint apply_event")
                .execute(&mut *conn)
                .await?;
            Ok(Fate::Applied)
        }
        Err(ApplyError::Transient(err)) => Err(err),
        Err(err) => {
            sqlx::query("rollback to savepoint apply_event")
                .execute(&mut *conn)
                .await?;
            sqlx::query("release savepoint apply_event")
                .execute(&mut *conn)
                .await?;
            let (stream_sequence, body) = match origin {
                Origin::Message {
                    stream_sequence,
                    body,
                } => (stream_sequence, body.to_owned()),
                Origin::Store => (None, serde_json::to_string(event).unwrap_or_default()),
            };
            let error = err.to_string();
            dead_letter(
                conn,
                projection.name(),
                Some(event),
                stream_sequence,
                &error,
                &body,
            )
            .await?;
            Ok(Fate::DeadLettered)
        }
    }
}

/// Records the sequence guard of each `(aggregate_type, aggregate_id, last_sequence)`, in one
/// statement, into a table that holds no row of these aggregates yet: a rebuild's bulk, which
/// reads each aggregate once and whole into a guard table whose key is built afterwards.
pub(crate) async fn insert_sequences(
    conn: &mut PgConnection,
    projection: &str,
    rows: &[(&str, &str, i64)],
) -> Result<(), sqlx::Error> {
    write_sequences(conn, projection, rows, "").await
}

/// Moves the sequence guard of each `(aggregate_type, aggregate_id, last_sequence)` to that
/// sequence, in one statement; never back.
pub(crate) async fn move_sequences(
    conn: &mut PgConnection,
    projection: &str,
    moves: &[(&str, &str, i64)],
) -> Result<(), sqlx::Error> {
    write_sequences(
        conn,
        projection,
        moves,
        "on conflict (projection, aggregate_type, aggregate_id) do update
            set last_sequence = excluded.last_sequence
          where projection_aggregate_sequences.last_sequence < excluded.last_sequence",
    )
    .await
}

/// Inserts the guard rows, with `on_conflict` what to do with an existing one.
async fn write_sequences(
    conn: &mut PgConnection,
    projection: &str,
    rows: &[(&str, &str, i64)],
    on_conflict: &str,
) -> Result<(), sqlx::Error> {
    let types: Vec<&str> = rows.iter().map(|m| m.0).collect();
    let ids: Vec<&str> = rows.iter().map(|m| m.1).collect();
    let sequences: Vec<i64> = rows.iter().map(|m| m.2).collect();
    sqlx::query(&format!(
        "insert into projection_aggregate_sequences
             (projection, aggregate_type, aggregate_id, last_sequence)
         select $1, t, i, s from unnest($2::text[], $3::text[], $4::bigint[]) as r(t, i, s)
         {on_conflict}"
    ))
    .bind(projection)
    .bind(&types)
    .bind(&ids)
    .bind(&sequences)
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests;

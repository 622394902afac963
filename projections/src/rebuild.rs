//! Rebuilding a projection from the event store alone (never from NATS).
//!
//! One transaction: lock the checkpoint (running batches finish first, new ones wait), reset
//! the tables with DELETE (readers keep the old rows until commit), replay every event of the
//! projection's aggregate types from transactions older than the xid gate, in commit order,
//! and set the checkpoint to the last one replayed. Events at or above the gate were not yet
//! published by the relay (it uses the same gate, and the gate only moves forward), so the
//! running consumer applies them afterwards on top of the rebuilt tables.
//!
//! The replay goes through the same sequence guard as the runtime, with gap fills: commit order
//! can differ from sequence order for one aggregate, when a later append's transaction id is
//! older than an earlier one's.
//!
//! The price of one transaction: while it runs, the relay (which only publishes transactions
//! older than every open one) and this projection's consumer wait. Rebuild at a quiet time.

use sqlx::PgPool;

use crate::bookkeeping::{self, Origin, Tally};
use crate::error::ProjectionError;
use crate::projection::{self, Projection};
use crate::store::{self, Position};

/// Events read per page of the replay.
const PAGE: i64 = 500;

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildReport {
    pub projection: &'static str,
    /// Events read from the store (gap fills not counted).
    pub replayed: u64,
    /// Events applied, gap fills included.
    pub applied: u64,
    /// Events already applied by a gap fill earlier in the replay.
    pub duplicates: u64,
    /// Events that could not apply, recorded in `dead_letters`.
    pub dead_lettered: u64,
    /// The new checkpoint's global position (0 when nothing was replayed).
    pub global_position: i64,
}

/// Rebuilds the projection called `projection_name` (see the module documentation).
#[tracing::instrument(skip(pool))]
pub async fn rebuild(
    pool: &PgPool,
    projection_name: &str,
) -> Result<RebuildReport, ProjectionError> {
    let projection = projection::find(projection_name)?;
    let name = projection.name();
    let mut tx = pool.begin().await?;
    bookkeeping::lock_checkpoint(&mut tx, name).await?;
    // after the lock: every batch committed before it applied only events below this gate
    let gate: String = sqlx::query_scalar("select pg_snapshot_xmin(pg_current_snapshot())::text")
        .fetch_one(&mut *tx)
        .await?;
    let gate = store::parse_xid(&gate)?;
    projection.reset(&mut tx).await?;
    sqlx::query("delete from projection_aggregate_sequences where projection = $1")
        .bind(name)
        .execute(&mut *tx)
        .await?;

    let mut tally = Tally::default();
    let mut replayed = 0_u64;
    let mut last = Position::default();
    loop {
        let page =
            store::load_page(&mut tx, projection.aggregate_types(), gate, last, PAGE).await?;
        let Some(newest) = page.last() else { break };
        last = Position::of(newest);
        for event in &page {
            bookkeeping::handle_event(&mut tx, &projection, event, Origin::Store, &mut tally)
                .await
                .map_err(ProjectionError::Database)?;
        }
        replayed += page.len() as u64;
        tracing::debug!(replayed, "replaying");
    }
    bookkeeping::set_checkpoint(&mut tx, name, last).await?;
    bookkeeping::notify(&mut tx, name).await?;
    tx.commit().await?;

    metrics::counter!("projection_events_applied_total", "projection" => name)
        .increment(tally.applied);
    metrics::counter!("projection_dead_letters_total", "projection" => name)
        .increment(tally.dead_lettered);
    let report = RebuildReport {
        projection: name,
        replayed,
        applied: tally.applied,
        duplicates: tally.duplicates,
        dead_lettered: tally.dead_lettered,
        global_position: last.global_position,
    };
    tracing::info!(?report, "projection rebuilt");
    Ok(report)
}

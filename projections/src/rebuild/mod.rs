//! Rebuilding a projection from the event store alone (never from NATS), in batches, into fresh
//! tables that are swapped in at the end while the old ones keep serving.
//!
//! 1. **Shadow tables.** A schema `rebuild_<projection>` gets an empty copy of each of the
//!    projection's tables and of the sequence guard's table (`shadow`). A replay transaction
//!    puts that schema first on its `search_path`, so the projection's own SQL (which never
//!    names a schema) writes there and nowhere else; everything else it reads (events, keys)
//!    resolves to the live tables.
//! 2. **Replay in batches.** First the bulk (`bulk`): every event of the projection's types,
//!    aggregate by aggregate in the primary key's order, a page per transaction, each page
//!    applied in one `apply_many` with no claim (in that order no aggregate can have a gap).
//!    Then, in commit order, every event from transactions at or above the xid gate taken
//!    before the bulk (what committed while it ran; some of it the bulk read too, which makes
//!    duplicates, no-ops), through the same sequence guard as the runtime, with gap fills:
//!    commit order can differ from sequence order for one aggregate. No transaction spans the
//!    history, so the relay (which waits for every older transaction) is never held back long.
//!    Between the two, the shadow tables get their secondary indexes and statistics
//!    (`shadow::build_indexes`), cheaper built once over the bulk than kept up row by row.
//! 3. **Swap.** One transaction locks the live checkpoint (the running consumer's batches wait),
//!    replays what committed since the gate, puts the shadow tables in the live ones' place
//!    (`swap`: readers wait for the commit, then see the new tables whole) and sets the
//!    checkpoint to the last event replayed; the consumer goes on from there, and whatever it
//!    receives at or below it is a no-op.
//!
//! A rebuild holds an advisory lock for its projection, so two cannot run at once. A new
//! projection (no checkpoint row yet while the store has events of its types) is marked
//! `backfill_pending` by the runtime, whose workers run this rebuild before they consume.

mod bulk;
mod shadow;
mod swap;

use sqlx::{PgConnection, PgPool};

use events::RecordedEvent;

use crate::bookkeeping::{self, Origin, Rows, Tally};
use crate::error::ProjectionError;
use crate::projection::{self, Projection, Registered};
use crate::store::{self, Position};

/// Events replayed per transaction.
const PAGE: i64 = 2_000;

/// The advisory lock class of rebuilds (the key is the projection name's hash).
const REBUILD_LOCK: i32 = 727_275;

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
    /// Pages of the bulk applied one event at a time (an event of theirs failed the page's one
    /// `apply_new`): the careful path, where every other page takes the quick one.
    pub careful_pages: u64,
    /// The new checkpoint's global position (0 when nothing was replayed).
    pub global_position: i64,
}

/// How far a rebuild is, after each page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildProgress {
    pub replayed: u64,
    /// Events of the projection's types below the gate when the rebuild began.
    pub total: u64,
}

/// Rebuilds the projection called `projection_name` (see the module documentation).
pub async fn rebuild(
    pool: &PgPool,
    projection_name: &str,
) -> Result<RebuildReport, ProjectionError> {
    rebuild_with_progress(pool, projection_name, |_| {}).await
}

/// [`rebuild`], telling `progress` after each page.
#[tracing::instrument(skip(pool, progress))]
pub async fn rebuild_with_progress(
    pool: &PgPool,
    projection_name: &str,
    mut progress: impl FnMut(RebuildProgress),
) -> Result<RebuildReport, ProjectionError> {
    let projection = projection::find(projection_name)?;
    let name = projection.name();
    let mut lock = pool.acquire().await?;
    let locked: bool = sqlx::query_scalar("select pg_try_advisory_lock($1, hashtext($2))")
        .bind(REBUILD_LOCK)
        .bind(name)
        .fetch_one(&mut *lock)
        .await?;
    if !locked {
        return Err(ProjectionError::RebuildRunning {
            name: name.to_owned(),
        });
    }
    let result = replay_and_swap(pool, &projection, &mut progress).await;
    // a session lock: released here, or with the connection should this fail
    if let Err(err) = sqlx::query("select pg_advisory_unlock($1, hashtext($2))")
        .bind(REBUILD_LOCK)
        .bind(name)
        .execute(&mut *lock)
        .await
    {
        tracing::warn!(%err, "cannot release the rebuild lock; closing its connection");
        lock.close_on_drop();
    }
    let report = result?;
    metrics::counter!("projection_events_applied_total", "projection" => name)
        .increment(report.applied);
    metrics::counter!("projection_dead_letters_total", "projection" => name)
        .increment(report.dead_lettered);
    tracing::info!(?report, "projection rebuilt");
    Ok(report)
}

async fn replay_and_swap(
    pool: &PgPool,
    projection: &Registered,
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<RebuildReport, ProjectionError> {
    let name = projection.name();
    let schema = shadow::prepare(pool, projection).await?;
    let gate = current_gate(pool.acquire().await?.as_mut()).await?;
    let total: i64 = sqlx::query_scalar(
        "select count(*) from events
          where aggregate_type = any($1) and transaction_id < $2::text::xid8",
    )
    .bind(projection.aggregate_types())
    .bind(gate.to_string())
    .fetch_one(pool)
    .await?;
    let total = u64::try_from(total).unwrap_or(0);
    // everything below the gate committed before the bulk began, so the bulk reads all of it
    let start = store::newest_below(
        pool.acquire().await?.as_mut(),
        projection.aggregate_types(),
        gate,
    )
    .await?;

    // the bulk, aggregate by aggregate
    let began = std::time::Instant::now();
    let bulk = bulk::run(pool, projection, &schema, total, progress).await?;
    tracing::info!(
        events = bulk.replayed,
        seconds = began.elapsed().as_secs_f64(),
        "rebuild: bulk applied"
    );
    let began = std::time::Instant::now();
    shadow::build_indexes(pool, projection, &schema).await?;
    tracing::info!(
        seconds = began.elapsed().as_secs_f64(),
        "rebuild: indexes built and analyzed"
    );
    let began = std::time::Instant::now();
    // then, in commit order, what committed since the gate (some of it read by the bulk too:
    // duplicates, which change nothing), up to a fresh gate
    let careful_pages = bulk.careful_pages;
    let mut replay = Replay {
        last: start,
        replayed: bulk.replayed,
        tally: bulk.tally,
    };
    loop {
        let mut tx = pool.begin().await?;
        let gate = current_gate(&mut tx).await?;
        shadow::enter(&mut tx, &schema).await?;
        let more = replay.page(&mut tx, projection, gate).await?;
        tx.commit().await?;
        if !more {
            break;
        }
    }

    let mut tx = pool.begin().await?;
    let live = bookkeeping::lock_checkpoint(&mut tx, name).await?;
    // after the lock: every batch committed before it applied only events below this gate
    let gate = current_gate(&mut tx).await?;
    shadow::enter(&mut tx, &schema).await?;
    while replay.page(&mut tx, projection, gate).await? {}
    shadow::leave(&mut tx).await?;
    swap::swap_in(&mut tx, projection, &schema, live).await?;
    bookkeeping::set_checkpoint(&mut tx, name, replay.last).await?;
    sqlx::query("update projection_checkpoints set backfill_pending = false where projection = $1")
        .bind(name)
        .execute(&mut *tx)
        .await?;
    bookkeeping::notify(&mut tx, name).await?;
    tx.commit().await?;
    tracing::info!(
        seconds = began.elapsed().as_secs_f64(),
        "rebuild: caught up and swapped in"
    );
    shadow::drop(pool, &schema).await?;

    Ok(RebuildReport {
        projection: name,
        replayed: replay.replayed,
        applied: replay.tally.applied,
        duplicates: replay.tally.duplicates,
        dead_lettered: replay.tally.dead_lettered,
        careful_pages,
        global_position: replay.last.global_position,
    })
}

/// The oldest transaction still running: every event below it is committed or never will be.
async fn current_gate(conn: &mut PgConnection) -> Result<u64, sqlx::Error> {
    let gate: String = sqlx::query_scalar("select pg_snapshot_xmin(pg_current_snapshot())::text")
        .fetch_one(conn)
        .await?;
    store::parse_xid(&gate)
}

/// Where a replay is.
#[derive(Default)]
struct Replay {
    last: Position,
    replayed: u64,
    tally: Tally,
}

impl Replay {
    /// Replays the next page below `gate` into the shadow tables (the caller's transaction has
    /// entered them); `false` when there was nothing left.
    async fn page(
        &mut self,
        conn: &mut PgConnection,
        projection: &Registered,
        gate: u64,
    ) -> Result<bool, ProjectionError> {
        let page =
            store::load_page(conn, projection.aggregate_types(), gate, self.last, PAGE).await?;
        let Some(newest) = page.last() else {
            return Ok(false);
        };
        self.last = Position::of(newest);
        self.replayed += page.len() as u64;
        // the quick path in a savepoint, so that an event failing for good costs only a redo
        // of this page on the careful path
        sqlx::query("savepoint replay_page")
            .execute(&mut *conn)
            .await?;
        let mut tally = Tally::default();
        let events: Vec<&RecordedEvent> = page.iter().collect();
        let claimed = bookkeeping::claim_runs(conn, projection, &events).await?;
        let is_claimed = |e: &RecordedEvent| {
            claimed.contains(&(e.aggregate_type.clone(), e.aggregate_id.clone()))
        };
        let quick: Vec<&RecordedEvent> = page.iter().filter(|e| is_claimed(e)).collect();
        let failed = !quick.is_empty()
            && !bookkeeping::apply_claimed(conn, projection, &quick, Rows::MayExist, &mut tally)
                .await?;
        if failed {
            // the claim is undone too: every event of the page takes the careful path
            sqlx::query("rollback to savepoint replay_page")
                .execute(&mut *conn)
                .await?;
            tally = Tally::default();
        }
        for event in page.iter().filter(|e| failed || !is_claimed(e)) {
            bookkeeping::handle_event(conn, projection, event, Origin::Store, &mut tally).await?;
        }
        sqlx::query("release savepoint replay_page")
            .execute(&mut *conn)
            .await?;
        self.tally.add(tally);
        Ok(true)
    }
}

//! The bulk of a rebuild: every event the store holds for the projection's types, read
//! aggregate by aggregate in the primary key's order (`(aggregate_type, aggregate_id,
//! sequence)`), a page per transaction, into the shadow tables.
//!
//! In that order each aggregate's events come whole and in sequence, so there is nothing to
//! claim and no gap to look for: a page is applied in one `apply_many` and the sequence guard
//! records each aggregate's newest sequence in one statement. (In commit order an aggregate's
//! later event can come before an earlier one, which is why the live path claims runs.) What
//! commits while the bulk runs is replayed afterwards in commit order from the gate taken before
//! it ([`super::replay_and_swap`]); an event read by both is a duplicate there, and changes
//! nothing.
//!
//! Reading and applying are a pipeline: a connection per share of the aggregate ids
//! ([`SHARES`]) reads pages ahead (decoding their rows), while [`APPLIERS`] others apply
//! them, each page in a transaction of its own. A page ends where an aggregate ends (the reader
//! reads the rest of its last aggregate), so no two pages touch one row and they may commit in
//! any order.

use std::sync::Arc;

use events::RecordedEvent;
use sqlx::{PgConnection, PgPool};
use tokio::sync::{mpsc, Mutex};
use tokio::task::JoinSet;

use super::shadow::{self, Schema};
use super::RebuildProgress;
use crate::bookkeeping::{self, Origin, Rows, Tally};
use crate::error::ProjectionError;
use crate::projection::{Projection, Registered};
use crate::store;

/// Events read per page (more when its last aggregate goes on), applied per transaction.
const PAGE: i64 = 5_000;

/// Pages read ahead of those being applied.
const READ_AHEAD: usize = 2;

/// How the aggregate ids of each type are shared among the readers: from one bound (included)
/// to the next (excluded). Ids are uuids or begin with one (a barber's day is its barber's id
/// and the date), so the halves of the hex alphabet hold about as many aggregates; any other
/// id still lies in exactly one share.
const SHARES: [(&str, Option<&str>); 2] = [("", Some("8")), ("8", None)];

/// Pages applied at once, each on a connection of its own.
const APPLIERS: usize = 2;

/// What the bulk did.
#[derive(Debug, Default)]
pub(super) struct Bulk {
    pub replayed: u64,
    pub tally: Tally,
    /// Pages applied one event at a time.
    pub careful_pages: u64,
}

type Pages = mpsc::Receiver<Result<Vec<RecordedEvent>, ProjectionError>>;

/// Reads every event of the projection's types into the shadow tables of `schema`, telling
/// `progress` after each page (of `total`).
pub(super) async fn run(
    pool: &PgPool,
    projection: &Registered,
    schema: &Schema,
    total: u64,
    progress: &mut impl FnMut(RebuildProgress),
) -> Result<Bulk, ProjectionError> {
    let (pages, read) = mpsc::channel(READ_AHEAD);
    let read: Arc<Mutex<Pages>> = Arc::new(Mutex::new(read));
    let (done, mut applied) = mpsc::unbounded_channel();
    let mut tasks = JoinSet::new();
    for share in SHARES {
        tasks.spawn(read_all(
            pool.clone(),
            projection.aggregate_types(),
            share,
            pages.clone(),
        ));
    }
    drop(pages);
    for _ in 0..APPLIERS {
        let (pool, projection, schema) = (pool.clone(), *projection, schema.clone());
        let (read, done) = (read.clone(), done.clone());
        tasks.spawn(async move {
            loop {
                // the lock is held only while waiting for the next page
                let page = read.lock().await.recv().await;
                let Some(page) = page else { return };
                let result = match page {
                    Ok(page) => apply_page(&pool, &projection, &schema, &page)
                        .await
                        .map(|applied| (page.len() as u64, applied)),
                    Err(err) => Err(err),
                };
                let failed = result.is_err();
                if done.send(result).is_err() || failed {
                    return;
                }
            }
        });
    }
    drop(done);
    let mut bulk = Bulk::default();
    while let Some(page) = applied.recv().await {
        // on an error, dropping the set aborts the reader and the other applier
        let (replayed, (tally, careful)) = page?;
        bulk.replayed += replayed;
        bulk.tally.add(tally);
        bulk.careful_pages += u64::from(careful);
        progress(RebuildProgress {
            replayed: bulk.replayed,
            total: total.max(bulk.replayed),
        });
    }
    while let Some(ended) = tasks.join_next().await {
        if let Err(err) = ended {
            tracing::warn!(%err, "a task of the rebuild's bulk stopped");
        }
    }
    Ok(bulk)
}

/// Reads the pages of every type in turn, of the aggregates whose ids lie in `share`, and sends
/// them, then its error if it meets one; stops when the appliers are gone.
async fn read_all(
    pool: PgPool,
    types: &'static [&'static str],
    (from_id, before_id): (&'static str, Option<&'static str>),
    pages: mpsc::Sender<Result<Vec<RecordedEvent>, ProjectionError>>,
) {
    let read = async {
        for aggregate_type in types {
            // every sequence is at least 1: after `(from_id, 0)` is from `from_id` on
            let (mut after_id, mut after_sequence) = (from_id.to_owned(), 0);
            loop {
                // a connection per page, given back before the page waits for an applier (who
                // may need one)
                let mut conn = pool.acquire().await?;
                let mut page = store::load_by_aggregate(
                    &mut conn,
                    aggregate_type,
                    (&after_id, after_sequence),
                    before_id,
                    PAGE,
                )
                .await?;
                let Some(last) = page.last() else { break };
                let (last_id, last_sequence) = (last.aggregate_id.clone(), last.sequence);
                if page.len() as i64 == PAGE {
                    // the page ends with the whole of its last aggregate
                    page.extend(
                        store::load_sequences(
                            &mut conn,
                            aggregate_type,
                            &last_id,
                            last_sequence + 1,
                            i64::MAX,
                        )
                        .await?,
                    );
                }
                let last = page
                    .last()
                    .unwrap_or_else(|| unreachable!("the page has events"));
                // the page holds the whole of its last aggregate as it stood when read: the next
                // page starts at the next aggregate, even if this one has a newer event by now
                // (committed after the gate, so the commit-order replay applies it). Starting
                // within it would record its sequence guard twice, once per page.
                after_id.clone_from(&last.aggregate_id);
                after_sequence = i64::MAX;
                drop(conn);
                if pages.send(Ok(page)).await.is_err() {
                    return Ok(());
                }
            }
        }
        Ok::<_, ProjectionError>(())
    };
    if let Err(err) = read.await {
        let _ = pages.send(Err(err)).await;
    }
}

/// How often a page is tried when Postgres aborts it for another page's locks.
const ATTEMPTS: u32 = 5;

/// Applies one page into the shadow tables in a transaction of its own. Pages of different
/// aggregates can still share a row (a day's statistics sum many appointments), so two
/// appliers may deadlock; Postgres then aborts one, whose page is applied again.
async fn apply_page(
    pool: &PgPool,
    projection: &Registered,
    schema: &Schema,
    page: &[RecordedEvent],
) -> Result<Applied, ProjectionError> {
    let mut attempt = 1;
    loop {
        let applied = async {
            let mut tx = pool.begin().await?;
            shadow::enter(&mut tx, schema).await?;
            let applied = apply(&mut tx, projection, page).await?;
            tx.commit().await?;
            Ok::<_, ProjectionError>(applied)
        };
        match applied.await {
            Err(err) if attempt < ATTEMPTS && is_contention(&err) => {
                tracing::debug!(%err, attempt, "a bulk page met another's locks; again");
                attempt += 1;
            }
            applied => return applied,
        }
    }
}

/// Whether Postgres aborted the transaction for a deadlock or a serialization failure.
fn is_contention(err: &ProjectionError) -> bool {
    matches!(err, ProjectionError::Database(sqlx::Error::Database(db))
        if matches!(db.code().as_deref(), Some("40P01" | "40001")))
}

/// What applying a page did, and whether it took the careful path.
type Applied = (Tally, bool);

/// Applies one page (the caller's transaction has entered the shadow tables): in one
/// `apply_new`, or should an event fail for good, one event at a time (the careful path), so
/// that it alone is dead-lettered. Each aggregate of the page is whole and new to the shadow
/// tables, so there is no claim to make, no duplicate and no gap.
async fn apply(
    conn: &mut PgConnection,
    projection: &Registered,
    page: &[RecordedEvent],
) -> Result<Applied, ProjectionError> {
    sqlx::query("savepoint bulk_page")
        .execute(&mut *conn)
        .await?;
    let events: Vec<&RecordedEvent> = page.iter().collect();
    let mut tally = Tally::default();
    let careful =
        !bookkeeping::apply_claimed(conn, projection, &events, Rows::New, &mut tally).await?;
    if careful {
        sqlx::query("rollback to savepoint bulk_page")
            .execute(&mut *conn)
            .await?;
        tally = Tally::default();
        for event in page {
            let fate = bookkeeping::apply_one(conn, projection, event, Origin::Store).await?;
            tally.count(fate, event);
        }
    }
    sqlx::query("release savepoint bulk_page")
        .execute(&mut *conn)
        .await?;
    record_sequences(conn, projection.name(), page).await?;
    Ok((tally, careful))
}

/// Records the sequence guard of every aggregate of `page` at its newest sequence there, in
/// one statement.
async fn record_sequences(
    conn: &mut PgConnection,
    projection: &str,
    page: &[RecordedEvent],
) -> Result<(), sqlx::Error> {
    // in key order, an aggregate's newest event of the page is its last one
    let newest: Vec<(&str, &str, i64)> = page
        .iter()
        .enumerate()
        .filter(|(n, event)| {
            page.get(n + 1).is_none_or(|next| {
                next.aggregate_type != event.aggregate_type
                    || next.aggregate_id != event.aggregate_id
            })
        })
        .map(|(_, e)| {
            (
                e.aggregate_type.as_str(),
                e.aggregate_id.as_str(),
                e.sequence,
            )
        })
        .collect();
    bookkeeping::insert_sequences(conn, projection, &newest).await
}

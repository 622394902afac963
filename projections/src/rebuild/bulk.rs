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

use events::RecordedEvent;
use sqlx::PgConnection;

use crate::bookkeeping::{self, Origin, Tally};
use crate::error::ProjectionError;
use crate::projection::{Projection, Registered};
use crate::store;

/// Events read per transaction.
const PAGE: i64 = 5_000;

/// Where the bulk read is: the aggregate type (by index into the projection's types) and the
/// last `(aggregate_id, sequence)` read of it.
#[derive(Debug, Default)]
pub(super) struct Bulk {
    type_index: usize,
    after_id: String,
    after_sequence: i64,
    pub replayed: u64,
    pub tally: Tally,
}

impl Bulk {
    /// Reads and applies the next page into the shadow tables (the caller's transaction has
    /// entered them); `false` once every type is read.
    pub(super) async fn page(
        &mut self,
        conn: &mut PgConnection,
        projection: &Registered,
    ) -> Result<bool, ProjectionError> {
        let types = projection.aggregate_types();
        let page = loop {
            let Some(aggregate_type) = types.get(self.type_index) else {
                return Ok(false);
            };
            let page = store::load_by_aggregate(
                conn,
                aggregate_type,
                &self.after_id,
                self.after_sequence,
                PAGE,
            )
            .await?;
            if !page.is_empty() {
                break page;
            }
            self.type_index += 1;
            self.after_id.clear();
            self.after_sequence = 0;
        };
        if let Some(last) = page.last() {
            self.after_id.clone_from(&last.aggregate_id);
            self.after_sequence = last.sequence;
        }
        self.replayed += page.len() as u64;
        sqlx::query("savepoint bulk_page")
            .execute(&mut *conn)
            .await?;
        let events: Vec<&RecordedEvent> = page.iter().collect();
        let mut tally = Tally::default();
        if bookkeeping::apply_claimed(conn, projection, &events, &mut tally).await? {
            record_sequences(conn, projection.name(), &page).await?;
        } else {
            // an event fails for good: the page again, one event at a time, so that it alone
            // is dead-lettered
            sqlx::query("rollback to savepoint bulk_page")
                .execute(&mut *conn)
                .await?;
            tally = Tally::default();
            for event in &page {
                bookkeeping::handle_event(conn, projection, event, Origin::Store, &mut tally)
                    .await?;
            }
        }
        sqlx::query("release savepoint bulk_page")
            .execute(&mut *conn)
            .await?;
        self.tally.add(tally);
        Ok(true)
    }
}

/// Moves the sequence guard of every aggregate of `page` to its newest sequence there, in one
/// statement.
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
    bookkeeping::move_sequences(conn, projection, &newest).await
}

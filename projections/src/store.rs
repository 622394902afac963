//! Reading events back from the event store, for gap fills and rebuilds. The store is the
//! source of truth; NATS only delivers.

use chrono::{DateTime, Utc};
use events::RecordedEvent;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};

/// A place in commit order: `(transaction_id, global_position)`, compared in that order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Position {
    pub transaction_id: u64,
    pub global_position: i64,
}

impl Position {
    pub fn of(event: &RecordedEvent) -> Self {
        Self {
            transaction_id: event.transaction_id,
            global_position: event.global_position,
        }
    }

    /// The transaction id as text, to bind as `$n::text::xid8` (sqlx has no xid8 type).
    pub fn xid(&self) -> String {
        self.transaction_id.to_string()
    }
}

/// Parses `xid8` read as `transaction_id::text`.
pub(crate) fn parse_xid(text: &str) -> Result<u64, sqlx::Error> {
    text.parse()
        .map_err(|err| sqlx::Error::Decode(format!("xid8 {text:?}: {err}").into()))
}

const COLUMNS: &str = "global_position, transaction_id::text as transaction_id, aggregate_type, \
     aggregate_id, sequence, event_type, event_version, tenant_id, payload, metadata, recorded_at";

/// [`COLUMNS`] but the metadata, read as `null`: what a rebuild's bulk reads. No projection
/// reads an event's metadata (who, why, trace ids: the audit's), and it is a third of an
/// appointment event's bytes, each turned from `jsonb` to text and parsed again.
const COLUMNS_BUT_METADATA: &str = "global_position, transaction_id::text as transaction_id, \
     aggregate_type, aggregate_id, sequence, event_type, event_version, tenant_id, payload, \
     'null'::jsonb as metadata, recorded_at";

/// A row of [`COLUMNS`], decoded by position (a rebuild decodes a hundred thousand).
fn from_row(row: &PgRow) -> Result<RecordedEvent, sqlx::Error> {
    let transaction_id: String = row.try_get(1)?;
    let recorded_at: DateTime<Utc> = row.try_get(10)?;
    Ok(RecordedEvent {
        global_position: row.try_get(0)?,
        transaction_id: parse_xid(&transaction_id)?,
        aggregate_type: row.try_get(2)?,
        aggregate_id: row.try_get(3)?,
        sequence: row.try_get(4)?,
        event_type: row.try_get(5)?,
        event_version: row.try_get(6)?,
        tenant_id: row.try_get(7)?,
        payload: row.try_get(8)?,
        metadata: row.try_get(9)?,
        recorded_at,
    })
}

/// The events `from..=to` of one aggregate, in sequence order: what a gap fill applies, and the
/// rest of the aggregate a rebuild's bulk page ends with.
pub(crate) async fn load_sequences(
    conn: &mut PgConnection,
    aggregate_type: &str,
    aggregate_id: &str,
    from: i64,
    to: i64,
) -> Result<Vec<RecordedEvent>, sqlx::Error> {
    let sql = format!(
        "select {COLUMNS} from events
          where aggregate_type = $1 and aggregate_id = $2 and sequence between $3 and $4
          order by sequence"
    );
    let rows = sqlx::query(&sql)
        .bind(aggregate_type)
        .bind(aggregate_id)
        .bind(from)
        .bind(to)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// One page of a replay: up to `limit` events of `aggregate_types` after `after` in commit
/// order, from transactions older than `gate` (keyset pagination, so memory stays bounded).
pub(crate) async fn load_page(
    conn: &mut PgConnection,
    aggregate_types: &[&str],
    gate: u64,
    after: Position,
    limit: i64,
) -> Result<Vec<RecordedEvent>, sqlx::Error> {
    // one ordered index scan per type, merged: `aggregate_type = any(…)` over the whole index
    // cannot come out in commit order, and was read in full and sorted (half a second a page
    // at 400 000 events)
    let sql = format!(
        "select e.* from unnest($1::text[]) as t(aggregate_type)
           cross join lateral (
               select {COLUMNS}, ev.transaction_id as commit_xid from events ev
                where ev.aggregate_type = t.aggregate_type
                  and ev.transaction_id < $2::text::xid8
                  and (ev.transaction_id, ev.global_position) > ($3::text::xid8, $4)
                -- qualified: unqualified, `transaction_id` is the text column of the select
                -- list, and the order would be text order
                order by ev.transaction_id, ev.global_position
                limit $5) e
          order by e.commit_xid, e.global_position
          limit $5"
    );
    // The planner misjudges the keyset's row comparison as a few hundred rows and prefers a
    // bitmap scan of everything after the key, sorted (a third of a second a page at 400 000
    // events, against 8 ms for the ordered index scan that stops at the limit). The setting
    // lasts to the end of the caller's transaction, a rebuild's page, whose other statements
    // are point lookups.
    sqlx::query("set local enable_bitmapscan = off")
        .execute(&mut *conn)
        .await?;
    let rows = sqlx::query(&sql)
        .bind(aggregate_types)
        .bind(gate.to_string())
        .bind(after.xid())
        .bind(after.global_position)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Up to `limit` events of `aggregate_types` in `(after, upto]` in commit order that
/// `projection` has not applied yet (its `last_sequence` for the aggregate is below the event's
/// sequence): what a batch fills from the store before its checkpoint may move to `upto`.
///
/// The guard is looked up per event (a scalar subquery on its primary key), not anti-joined:
/// as `not exists` the planner hashed every sequence row of the projection, 24 ms per batch at
/// 23 000 customers and growing, where the few events of the range need a few index probes.
pub(crate) async fn load_unapplied(
    conn: &mut PgConnection,
    projection: &str,
    aggregate_types: &[&str],
    after: Position,
    upto: Position,
    limit: i64,
) -> Result<Vec<RecordedEvent>, sqlx::Error> {
    let sql = format!(
        "select {COLUMNS} from events e
          where e.aggregate_type = any($2)
            and (e.transaction_id, e.global_position) > ($3::text::xid8, $4)
            and (e.transaction_id, e.global_position) <= ($5::text::xid8, $6)
            and e.sequence > coalesce((
                select s.last_sequence from projection_aggregate_sequences s
                 where s.projection = $1 and s.aggregate_type = e.aggregate_type
                   and s.aggregate_id = e.aggregate_id), 0)
          order by e.transaction_id, e.global_position
          limit $7"
    );
    let rows = sqlx::query(&sql)
        .bind(projection)
        .bind(aggregate_types)
        .bind(after.xid())
        .bind(after.global_position)
        .bind(upto.xid())
        .bind(upto.global_position)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Up to `limit` events of one aggregate type after `(after_id, after_sequence)` in the primary
/// key's order (aggregate by aggregate, each in sequence order): a rebuild's bulk read, where
/// every aggregate's events come whole and in order, so no gap can appear. Without their
/// metadata ([`COLUMNS_BUT_METADATA`]). Only aggregates with ids before `before_id`, if given.
pub(crate) async fn load_by_aggregate(
    conn: &mut PgConnection,
    aggregate_type: &str,
    (after_id, after_sequence): (&str, i64),
    before_id: Option<&str>,
    limit: i64,
) -> Result<Vec<RecordedEvent>, sqlx::Error> {
    // two texts, so that either bound is a bound of the index scan
    let before = if before_id.is_some() {
        "and aggregate_id < $5"
    } else {
        "and $5::text is null"
    };
    let sql = format!(
        "select {COLUMNS_BUT_METADATA} from events
          where aggregate_type = $1 and (aggregate_id, sequence) > ($2, $3) {before}
          order by aggregate_id, sequence
          limit $4"
    );
    let rows = sqlx::query(&sql)
        .bind(aggregate_type)
        .bind(after_id)
        .bind(after_sequence)
        .bind(limit)
        .bind(before_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// The newest event of `aggregate_types` from transactions older than `gate`, in commit order
/// (the default position when there is none).
pub(crate) async fn newest_below(
    conn: &mut PgConnection,
    aggregate_types: &[&str],
    gate: u64,
) -> Result<Position, sqlx::Error> {
    // one backward index scan per type, as `load_page` reads forward
    let newest: Option<(String, i64)> = sqlx::query_as(
        "select e.xid, e.global_position from unnest($1::text[]) as t(aggregate_type)
           cross join lateral (
               select ev.transaction_id, ev.transaction_id::text as xid, ev.global_position
                 from events ev
                where ev.aggregate_type = t.aggregate_type and ev.transaction_id < $2::text::xid8
                order by ev.transaction_id desc, ev.global_position desc
                limit 1) e
          order by e.transaction_id desc, e.global_position desc
          limit 1",
    )
    .bind(aggregate_types)
    .bind(gate.to_string())
    .fetch_optional(conn)
    .await?;
    newest.map_or(Ok(Position::default()), |(xid, global_position)| {
        Ok(Position {
            transaction_id: parse_xid(&xid)?,
            global_position,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_by_transaction_first() {
        let a = Position {
            transaction_id: 5,
            global_position: 90,
        };
        let b = Position {
            transaction_id: 6,
            global_position: 10,
        };
        assert!(a < b);
        assert_eq!(parse_xid("18446744073709551615").ok(), Some(u64::MAX));
        assert!(parse_xid("x").is_err());
    }
}

//! Read-your-writes: has a read model applied everything up to a position?
//!
//! A `global_position` is assigned at insert, not at commit, and each projection only sees its
//! own aggregate types, so "checkpoint ≥ P" is the wrong test. "Reached P" means: no event of the
//! read model's aggregate types lies after its checkpoint and at or before P's place in commit
//! order `(transaction_id, global_position)`. An event of another type (a staff change, when
//! reading customers) never makes a reader wait.
//!
//! A position with no event is one of two things. Beyond the newest event, it is a write the
//! store has not seen yet (a client ahead of this database, e.g. a replica that lags): not
//! reached, so the reader waits and is answered stale. Below it, it is a gap no command ever
//! answered with (an insert refused by an optimistic-lock conflict, or rolled back, still
//! consumed its identity value): reached, since nothing will ever be recorded there. Positions
//! start at 1, so 0 or less is reached at once.
//! Shared by the projections (which own the checkpoints) and the query service (which waits).

use sqlx::PgPool;

/// `$1` = global position, `$2` = projection name, `$3` = its aggregate types (`text[]`).
const REACHED_SQL: &str = "\
select case
    when not exists (select 1 from events where global_position = $1)
        then $1 < 1 or exists (select 1 from events where global_position > $1)
    else not exists (
        select 1
          from events e
          join events target on target.global_position = $1
         where e.aggregate_type = any($3)
           and (e.transaction_id, e.global_position) <= (target.transaction_id, target.global_position)
           and (e.transaction_id, e.global_position) > (
               coalesce((select transaction_id from projection_checkpoints where projection = $2), '0'::xid8),
               coalesce((select global_position from projection_checkpoints where projection = $2), 0))
    )
end";

/// Whether `projection`, reading `aggregate_types`, has applied every event of those types up to
/// `global_position` in commit order; a position beyond the newest event is not reached yet.
#[tracing::instrument(skip(pool))]
pub async fn has_reached(
    pool: &PgPool,
    projection: &str,
    aggregate_types: &[&str],
    global_position: i64,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(REACHED_SQL)
        .bind(global_position)
        .bind(projection)
        .bind(aggregate_types)
        .fetch_one(pool)
        .await
}

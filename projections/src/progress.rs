//! Read-your-writes: has a projection applied everything up to a position?
//!
//! "Reached P" means: no event of the projection's aggregate types lies after its checkpoint
//! and at or before P's place in commit order `(transaction_id, global_position)`. So an event
//! of another type (a staff change, when reading customers) never makes a reader wait, and a
//! position with no event is reached at once. The query service keeps its own copy of this SQL
//! (`query::freshness`), since it does not depend on this crate: keep the two the same.

use sqlx::PgPool;

use crate::error::ProjectionError;
use crate::projection::{self, Projection};

/// `$1` = global position, `$2` = projection name, `$3` = its aggregate types (`text[]`).
pub const REACHED_SQL: &str = "\
select not exists (
    select 1
      from events e
      join events target on target.global_position = $1
     where e.aggregate_type = any($3)
       and (e.transaction_id, e.global_position) <= (target.transaction_id, target.global_position)
       and (e.transaction_id, e.global_position) > (
           coalesce((select transaction_id from projection_checkpoints where projection = $2), '0'::xid8),
           coalesce((select global_position from projection_checkpoints where projection = $2), 0))
)";

/// Whether `projection` has applied every event of its types up to `global_position`.
#[tracing::instrument(skip(pool))]
pub async fn has_reached(
    pool: &PgPool,
    projection: &str,
    global_position: i64,
) -> Result<bool, ProjectionError> {
    let projection = projection::find(projection)?;
    let reached = sqlx::query_scalar(REACHED_SQL)
        .bind(global_position)
        .bind(projection.name())
        .bind(projection.aggregate_types())
        .fetch_one(pool)
        .await?;
    Ok(reached)
}

//! Read-your-writes for a projection by name; the rule itself is `platform::progress`.

use sqlx::PgPool;

use crate::error::ProjectionError;
use crate::projection::{self, Projection};

/// Whether `projection` has applied every event of its types up to `global_position`.
pub async fn has_reached(
    pool: &PgPool,
    projection: &str,
    global_position: i64,
) -> Result<bool, ProjectionError> {
    let projection = projection::find(projection)?;
    let reached = platform::progress::has_reached(
        pool,
        projection.name(),
        projection.aggregate_types(),
        global_position,
    )
    .await?;
    Ok(reached)
}

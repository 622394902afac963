//! A shop's rota (its timezone, policy and opening hours, and its active barbers with their
//! weekly hours) changes rarely and is read by every availability search and every calendar:
//! at 200 barbers, reading and decoding it was a third of a search. So each query process keeps
//! the rotas it read, per business (and barber asked for), and uses one again while the
//! businesses and staff read models have not moved since.
//!
//! "Not moved" is the version of their checkpoint rows (`xmin`, the transaction that last wrote
//! each), read in the same snapshot as the reservations: a projection's batch that changes
//! rows moves its checkpoint in the same transaction (it applied events past it), and a rebuild
//! sets it. A rota is also read afresh after [`crate::kept::MAX_AGE`], so a change made outside the
//! projections (a migration's data fix under a running process) is seen soon, and the cache
//! holds at most [`MAX_ENTRIES`] businesses.

use std::sync::Arc;

use platform::read_models::{BUSINESSES, STAFF};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Barber, Shop};
use crate::kept::{self, ByVersion};

/// How many rotas one process keeps (past it, all are dropped and read again).
pub const MAX_ENTRIES: usize = 1_000;

/// The shop's side of its chairs.
pub struct Rota {
    pub shop: Shop,
    /// Active barbers (or the one asked for), by name.
    pub barbers: Vec<Barber>,
}

/// The version of the businesses and staff read models, as the caller's snapshot sees them
/// (`None` before either has a checkpoint): a SQL expression over `$1`, the two names
/// ([`VERSIONED`]).
pub(super) const VERSION: &str =
    "(select string_agg(projection || '@' || xmin::text, ',' order by projection)
   from projection_checkpoints where projection = any($1))";

/// The read models a rota is read from.
pub(super) const VERSIONED: [&str; 2] = [BUSINESSES.name, STAFF.name];

/// The rotas this process has read, with the read models' version they were read at.
#[derive(Clone)]
pub struct Rotas(ByVersion<(Uuid, Option<Uuid>), Arc<Rota>>);

impl Default for Rotas {
    fn default() -> Self {
        Self(ByVersion::new(MAX_ENTRIES))
    }
}

impl Rotas {
    /// The rota of `tenant_id` (only `staff_id` when given) as of the caller's snapshot, in which
    /// the read models were at `version` ([`VERSION`]): the one kept if they have not moved
    /// since, else read from them (and kept).
    pub(super) async fn get(
        &self,
        conn: &mut PgConnection,
        tenant_id: Uuid,
        staff_id: Option<Uuid>,
        version: Option<String>,
    ) -> Result<Arc<Rota>, platform::ApiError> {
        let key = (tenant_id, staff_id);
        let kept = self.0.get(&key, version.as_deref());
        kept::count("query_rota_reads_total", kept.is_some());
        if let Some(rota) = kept {
            return Ok(rota);
        }
        let rota = Arc::new(super::read_rota(conn, tenant_id, staff_id).await?);
        // before either read model has a checkpoint there is no version to keep it by
        if let Some(version) = version {
            self.0.put(key, version, rota.clone(), 1);
        }
        Ok(rota)
    }
}

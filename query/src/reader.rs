//! Every read of tenant data goes through here: a read-only transaction as the Postgres role
//! `barber_reader`, with the request's tenant set for it (`barber.tenant_id`). Row-level
//! security on every table the role may read (`migrations/…_row_level_security.sql`) lets it see
//! that tenant's rows only, so a query that forgets its `where tenant_id = …` still cannot show
//! another business's data: it finds nothing of theirs.
//!
//! [`snapshot`] is one consistent view of several read-model tables besides: repeatable read,
//! with the tables locked (in the weakest mode, which only a rebuild's swap waits for) before
//! its snapshot is taken. A rebuild swaps a projection's tables for new ones
//! (`projections::rebuild`); a statement that waits for the swap reads the new table with a
//! snapshot taken after it. Without the locks first, a transaction whose snapshot came before
//! the swap would read the new table with that older snapshot, and miss what the swap's
//! transaction wrote into it.

use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

/// The role reads run as.
pub const ROLE: &str = "barber_reader";

/// The setting the row-level security policies compare each row's tenant with.
pub const TENANT_SETTING: &str = "barber.tenant_id";

/// A read-only transaction that sees `tenant`'s rows only (one round trip to begin).
pub async fn read(
    pool: &PgPool,
    tenant: Uuid,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    // a UUID prints as hex and hyphens only: nothing in it can end the literal
    pool.begin_with(format!(
        "begin read only; set local role {ROLE}; set local {TENANT_SETTING} = '{tenant}'"
    ))
    .await
}

/// [`read`] as one consistent view, with `tables` locked before its first query.
pub async fn snapshot(
    pool: &PgPool,
    tenant: Uuid,
    tables: &'static [&'static str],
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    // the table names are the read models', never user input
    pool.begin_with(format!(
        "begin isolation level repeatable read, read only;
         set local role {ROLE}; set local {TENANT_SETTING} = '{tenant}';
         lock table {} in access share mode",
        tables.join(", ")
    ))
    .await
}

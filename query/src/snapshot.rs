//! One consistent view of several read-model tables: a read-only repeatable-read transaction
//! that locks the tables (in the weakest mode, which only a rebuild's swap waits for) before
//! its snapshot is taken.
//!
//! A rebuild swaps a projection's tables for new ones (`projections::rebuild`); a statement
//! that waits for the swap reads the new table with a snapshot taken after it. Without the
//! locks first, a transaction whose snapshot came before the swap would read the new table
//! with that older snapshot, and miss what the swap's transaction wrote into it.

use sqlx::{Executor, PgPool, Postgres, Transaction};

/// Begins the transaction, with `tables` locked before its first query.
pub async fn begin(
    pool: &PgPool,
    tables: &'static [&'static str],
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    // one round trip for both (the table names are the read models', never user input)
    let start = format!(
        "set transaction isolation level repeatable read, read only;
         lock table {} in access share mode",
        tables.join(", ")
    );
    let mut tx = pool.begin().await?;
    (&mut *tx).execute(start.as_str()).await?;
    Ok(tx)
}

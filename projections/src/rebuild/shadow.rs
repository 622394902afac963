//! The shadow tables a rebuild writes into: a schema `rebuild_<projection>` with an empty copy
//! of each of the projection's tables and of `projection_aggregate_sequences`, entered by
//! putting it first on a transaction's `search_path`, and swapped into the live tables by
//! copying rows in one transaction.
//!
//! The copies are made with `like … including all` (columns, defaults, generated columns,
//! checks, indexes), without foreign keys, which the live tables keep. Rows are swapped, not
//! tables, so the live tables keep their names, indexes and constraints exactly as the
//! migrations made them.

use sqlx::{PgConnection, PgPool};

use crate::projection::{Projection, Registered};

/// The sequence guard's table, shadowed along with the projection's own.
const SEQUENCES: &str = "projection_aggregate_sequences";

/// A rebuild's schema, named after its projection (a fixed identifier, never user input).
pub(super) struct Schema(String);

/// Creates the schema afresh (a failed rebuild's leftovers are dropped) with empty copies.
pub(super) async fn prepare(pool: &PgPool, projection: &Registered) -> Result<Schema, sqlx::Error> {
    let schema = Schema(format!("rebuild_{}", projection.name()));
    let mut tx = pool.begin().await?;
    sqlx::query(&format!("drop schema if exists {} cascade", schema.0))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("create schema {}", schema.0))
        .execute(&mut *tx)
        .await?;
    for table in projection.tables().iter().chain([&SEQUENCES]) {
        sqlx::query(&format!(
            "create unlogged table {}.{table} (like public.{table} including all)",
            schema.0
        ))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(schema)
}

/// Makes the projection's SQL in this transaction read and write the shadow tables.
pub(super) async fn enter(conn: &mut PgConnection, schema: &Schema) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("set local search_path = {}, public", schema.0))
        .execute(conn)
        .await?;
    Ok(())
}

/// Back to the live tables for the rest of the transaction.
pub(super) async fn leave(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("set local search_path = public")
        .execute(conn)
        .await?;
    Ok(())
}

/// Replaces the live rows of the projection (and its sequence guard rows) with the shadow's,
/// inside the caller's transaction. Parents come first in `tables()`, so the inserts meet the
/// live foreign keys; `reset` deletes in the order the projection knows.
pub(super) async fn swap_in(
    conn: &mut PgConnection,
    projection: &Registered,
    schema: &Schema,
) -> Result<(), sqlx::Error> {
    projection.reset(&mut *conn).await?;
    for table in projection.tables() {
        let columns = insertable_columns(conn, table).await?;
        sqlx::query(&format!(
            "insert into public.{table} ({columns}) overriding system value
             select {columns} from {}.{table}",
            schema.0
        ))
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query(&format!(
        "delete from public.{SEQUENCES} where projection = $1"
    ))
    .bind(projection.name())
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "insert into public.{SEQUENCES} select * from {}.{SEQUENCES} where projection = $1",
        schema.0
    ))
    .bind(projection.name())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Drops the schema once its rows are live.
pub(super) async fn drop(pool: &PgPool, schema: &Schema) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("drop schema {} cascade", schema.0))
        .execute(pool)
        .await?;
    Ok(())
}

/// The live table's columns a row can be inserted into (generated columns are computed).
async fn insertable_columns(conn: &mut PgConnection, table: &str) -> Result<String, sqlx::Error> {
    sqlx::query_scalar(
        "select string_agg(quote_ident(attname), ', ' order by attnum)
           from pg_attribute
          where attrelid = ('public.' || quote_ident($1))::regclass
            and attnum > 0 and not attisdropped and attgenerated = ''",
    )
    .bind(table)
    .fetch_one(conn)
    .await
}

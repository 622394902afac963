//! The shadow tables a rebuild writes into: a schema `rebuild_<projection>` with an empty copy
//! of each of the projection's tables and of `projection_aggregate_sequences`, entered by
//! putting it first on a transaction's `search_path`.
//!
//! A copy is made with `like … including all excluding indexes` (columns, defaults, generated
//! columns, checks, comments), then given the live table's primary key, unique and exclusion
//! constraints under their own names (the projection's upserts need them while it replays).
//! Its other indexes are built once the bulk is in ([`build_indexes`]): building an index over
//! rows already written is several times cheaper than keeping it up to date row by row. Every
//! index and constraint carries the live one's name, so once [`super::swap`] has moved the
//! tables in, they read exactly as the migrations made them. Foreign keys, grants and policies
//! are the swap's to carry over.

use sqlx::{PgConnection, PgPool};

use crate::projection::{Projection, Registered};

/// The sequence guard's table, shadowed along with the projection's own.
pub(super) const SEQUENCES: &str = "projection_aggregate_sequences";

/// A rebuild's schema, named after its projection (a fixed identifier, never user input).
#[derive(Debug, Clone)]
pub(super) struct Schema(String);

impl Schema {
    pub(super) fn name(&self) -> &str {
        &self.0
    }
}

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
    for table in projection.tables() {
        sqlx::query(&format!(
            "create table {}.{table} (like public.{table} including all excluding indexes)",
            schema.0
        ))
        .execute(&mut *tx)
        .await?;
        for (name, definition) in keys(&mut tx, table).await? {
            sqlx::query(&format!(
                "alter table {}.{table} add constraint {name} {definition}",
                schema.0
            ))
            .execute(&mut *tx)
            .await?;
        }
        for statement in indexes(&mut tx, table, &schema, true).await? {
            sqlx::query(&statement).execute(&mut *tx).await?;
        }
    }
    // the guard's rows are merged into the live table by the swap, never moved: unlogged; its
    // key comes after the bulk, which writes each aggregate's row once
    sqlx::query(&format!(
        "create unlogged table {}.{SEQUENCES} (like public.{SEQUENCES} including all excluding indexes)",
        schema.0
    ))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(schema)
}

/// Builds the copies' other indexes and the guard's key (once the bulk is in), and gathers the
/// planner's statistics on them, which a table moved in must have from its first query. The
/// statements run on [`BUILDERS`] connections at once, each taking the next as it is free. A
/// table's statistics are gathered before its indexes are built (beside other work: an analyze
/// and an index build of one table wait for each other), unless an index of it is on an
/// expression, whose statistics only an analyze after the index gathers.
pub(super) async fn build_indexes(
    pool: &PgPool,
    projection: &Registered,
    schema: &Schema,
) -> Result<(), sqlx::Error> {
    let (mut first, mut then, mut last) = (Vec::new(), Vec::new(), Vec::new());
    let mut conn = pool.acquire().await?;
    for table in projection.tables() {
        let analyze = format!("analyze {}.{table}", schema.0);
        if has_expression_index(&mut conn, table).await? {
            last.push(analyze);
        } else {
            first.push(analyze);
        }
    }
    for (name, definition) in keys(&mut conn, SEQUENCES).await? {
        first.push(format!(
            "alter table {}.{SEQUENCES} add constraint {name} {definition}",
            schema.0
        ));
    }
    for table in projection.tables() {
        then.extend(indexes(&mut conn, table, schema, false).await?);
    }
    std::mem::drop(conn);
    // the guard's statistics (the swap's merge is planned on them), after its key
    then.push(format!("analyze {}.{SEQUENCES}", schema.0));
    first.extend(then);
    run_at_once(pool, first).await?;
    run_at_once(pool, last).await
}

/// Whether an index of the live `table` is on an expression.
async fn has_expression_index(conn: &mut PgConnection, table: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "select exists (select 1 from pg_index
                         where indrelid = ('public.' || quote_ident($1))::regclass
                           and indexprs is not null)",
    )
    .bind(table)
    .fetch_one(conn)
    .await
}

/// Connections that build a rebuild's indexes at once.
const BUILDERS: usize = 2;

/// Runs `statements` (independent of each other) on [`BUILDERS`] connections, each taking the
/// next one as it is free.
async fn run_at_once(pool: &PgPool, statements: Vec<String>) -> Result<(), sqlx::Error> {
    let queue = std::sync::Arc::new(std::sync::Mutex::new(statements.into_iter()));
    let mut builders = tokio::task::JoinSet::new();
    for _ in 0..BUILDERS {
        let (pool, queue) = (pool.clone(), queue.clone());
        builders.spawn(async move {
            let mut conn = pool.acquire().await?;
            loop {
                let next = queue
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .next();
                let Some(statement) = next else { break };
                sqlx::query(&statement).execute(&mut *conn).await?;
            }
            Ok::<_, sqlx::Error>(())
        });
    }
    while let Some(built) = builders.join_next().await {
        // a builder that panicked (or was cancelled) fails the rebuild like a database error
        built.map_err(|err| sqlx::Error::Io(std::io::Error::other(err)))??;
    }
    Ok(())
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

/// Drops the schema (what is left of it once its tables are live).
pub(super) async fn drop(pool: &PgPool, schema: &Schema) -> Result<(), sqlx::Error> {
    sqlx::query(&format!("drop schema {} cascade", schema.0))
        .execute(pool)
        .await?;
    Ok(())
}

/// The live table's primary key, unique and exclusion constraints: `(name, definition)`, the
/// name quoted.
async fn keys(conn: &mut PgConnection, table: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "select quote_ident(conname), pg_get_constraintdef(oid) from pg_constraint
          where conrelid = ('public.' || quote_ident($1))::regclass and contype in ('p', 'u', 'x')
          order by conname",
    )
    .bind(table)
    .fetch_all(conn)
    .await
}

/// Statements creating on the copy in `schema` the live table's indexes that back no
/// constraint, unique ones (`unique`: an upsert may name them) or the others, under their
/// names: the live definition from `using` on (method, columns, predicate).
async fn indexes(
    conn: &mut PgConnection,
    table: &str,
    schema: &Schema,
    unique: bool,
) -> Result<Vec<String>, sqlx::Error> {
    let definitions: Vec<(String, String)> = sqlx::query_as(
        "select quote_ident(c.relname), substring(pg_get_indexdef(i.indexrelid) from ' USING .*$')
           from pg_index i join pg_class c on c.oid = i.indexrelid
          where i.indrelid = ('public.' || quote_ident($1))::regclass and i.indisunique = $2
            and not exists (select 1 from pg_constraint k
                             where k.conindid = i.indexrelid and k.conrelid = i.indrelid)
          order by c.relname",
    )
    .bind(table)
    .bind(unique)
    .fetch_all(conn)
    .await?;
    let kind = if unique { "unique index" } else { "index" };
    Ok(definitions
        .into_iter()
        .map(|(name, using)| format!("create {kind} {name} on {}.{table}{using}", schema.0))
        .collect())
}

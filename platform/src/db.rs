//! The Postgres pool and the migrations embedded in the binary.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};

/// The migrations in `migrations/`, compiled in.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Opens a pool. Sessions time out when idle inside a transaction, because one long-open
/// transaction holds the relay back (it only reads transactions older than the oldest open one).
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    connect_with_budget(url, max_connections, Duration::from_secs(5)).await
}

/// [`connect`] with `acquire_timeout`: how long a request waits for a free connection before it
/// is answered 503 `service_busy` (`platform::problem`).
pub async fn connect_with_budget(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> Result<PgPool, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?
        .options([("idle_in_transaction_session_timeout", "10s")])
        .disable_statement_logging();
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(acquire_timeout)
        .connect_with(options)
        .await
}

/// Creates the database named in `url` when it does not exist yet (a fresh machine).
pub async fn ensure_database(url: &str) -> Result<(), sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?;
    let Some(name) = options.get_database().map(str::to_owned) else {
        return Ok(());
    };
    let admin = options.database("postgres").disable_statement_logging();
    let mut conn = sqlx::PgConnection::connect_with(&admin).await?;
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(&name)
            .fetch_one(&mut conn)
            .await?;
    if !exists {
        let sql = format!("create database \"{}\"", name.replace('"', "\"\""));
        if let Err(err) = sqlx::query(&sql).execute(&mut conn).await {
            // another process may have created it in the meantime
            let duplicate = err
                .as_database_error()
                .and_then(|e| e.code())
                .is_some_and(|code| code == "42P04");
            if !duplicate {
                return Err(err);
            }
        }
    }
    Ok(())
}

/// Why the database could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(transparent)]
    Schema(#[from] sqlx::migrate::MigrateError),
    #[error("cannot seal personal data stored in clear: {0}")]
    Sealing(#[from] crate::personal_data::PersonalDataError),
}

/// Brings the schema up to date, then seals any personal data still stored in clear in the
/// events (see [`crate::personal_data::clear_events`]; nothing to do on a fresh database).
pub async fn migrate(pool: &PgPool) -> Result<(), MigrationError> {
    MIGRATOR.run(pool).await?;
    crate::personal_data::clear_events::seal_clear_events(pool).await?;
    Ok(())
}

/// Whether every migration compiled into this binary has been applied to the database behind
/// `pool` (false on a database never migrated).
pub async fn schema_is_current(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let applied: Vec<i64> =
        match sqlx::query_scalar("select version from _sqlx_migrations where success")
            .fetch_all(pool)
            .await
        {
            Ok(applied) => applied,
            Err(err) if is_undefined_table(&err) => Vec::new(),
            Err(err) => return Err(err),
        };
    Ok(MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .all(|m| applied.contains(&m.version)))
}

/// Waits until another process (`barber migrate`, a cluster's migration job) has brought the
/// schema up to date, looking every `every`; a database that cannot be reached yet is waited
/// for too.
pub async fn wait_for_schema(url: &str, every: Duration) {
    loop {
        let current = match connect(url, 1).await {
            Ok(pool) => {
                let current = schema_is_current(&pool).await;
                pool.close().await;
                current
            }
            Err(err) => Err(err),
        };
        match current {
            Ok(true) => return,
            Ok(false) => tracing::info!("waiting for the migrations to be applied"),
            Err(err) => tracing::info!(%err, "waiting for the database"),
        }
        tokio::time::sleep(every).await;
    }
}

fn is_undefined_table(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "42P01")
}

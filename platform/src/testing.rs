//! Test support: each test gets a database of its own (cloned from a migrated template) and a
//! JetStream stream and subject prefix of its own, so tests run in parallel and never see each
//! other's data. Both are removed when the test's [`TestEnv`] is dropped.

use std::time::Duration;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection, PgPool};
use uuid::Uuid;

use crate::config::Config;

/// The template's name starts so; it ends with a hash of the migrations it holds, so that
/// checkouts with different migrations (two branches tested at once) keep templates apart
/// instead of rebuilding one in turn under each other.
const TEMPLATE_PREFIX: &str = "barber_test_template_";

fn admin_url() -> String {
    std::env::var("TEST_DATABASE_ADMIN_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn nats_url() -> String {
    std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_owned())
}

/// One test's own database and stream, with a [`Config`] pointing at them.
pub struct TestEnv {
    pub config: Config,
    pub pool: PgPool,
    pub database: String,
}

impl TestEnv {
    /// A fresh, migrated database and an unused stream name and prefix.
    pub async fn new() -> Self {
        if std::env::var("TEST_LOG").is_ok() {
            let _ = crate::telemetry::init(crate::config::LogFormat::Text, "barber-test");
        }
        let id = Uuid::new_v4().simple().to_string();
        let database = format!("barber_test_{id}");
        create_database_from_template(&database).await;
        let admin: PgConnectOptions = admin_url().parse().expect("admin url");
        let url = admin.clone().database(&database).to_url_lossy().to_string();
        let mut config = Config::from_lookup(|_| None).expect("default config");
        config.database_url = url;
        config.nats_url = nats_url();
        config.events_stream = format!("TEST_{}", id.to_uppercase());
        config.nats_prefix = format!("t{id}");
        config.bind = "127.0.0.1:0".parse().expect("address");
        config.relay_poll_interval = Duration::from_millis(50);
        config.jwt_secret = Some(crate::config::Secret::new(format!("secret-{id}")));
        // every test's requests come from one address: a test of the limit sets its own
        config.public_requests_per_minute = 1_000_000;
        let pool = crate::db::connect(&config.database_url, 10)
            .await
            .expect("test database reachable");
        Self {
            config,
            pool,
            database,
        }
    }

    /// A NATS connection to the test server.
    pub async fn nats(&self) -> async_nats::Client {
        crate::nats::connect(&self.config.nats_url)
            .await
            .expect("NATS reachable")
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        let database = self.database.clone();
        let stream = self.config.events_stream.clone();
        let nats = self.config.nats_url.clone();
        // runs on its own thread: Drop may be called inside or outside a runtime
        let cleanup = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok(client) = crate::nats::connect(&nats).await {
                    let js = async_nats::jetstream::new(client);
                    let _ = js.delete_stream(&stream).await;
                }
                if let Ok(mut conn) = admin_connection().await {
                    let _ = sqlx::query(&format!(
                        "drop database if exists \"{database}\" with (force)"
                    ))
                    .execute(&mut conn)
                    .await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

async fn admin_connection() -> Result<PgConnection, sqlx::Error> {
    let options: PgConnectOptions = admin_url().parse()?;
    options.disable_statement_logging().connect().await
}

/// Clones the template, creating or refreshing it first when its migrations are not current.
/// Test processes run in parallel, so the template is guarded by an advisory lock.
async fn create_database_from_template(name: &str) {
    let mut conn = admin_connection()
        .await
        .expect("Postgres reachable for tests");
    sqlx::query("select pg_advisory_lock(727274)")
        .execute(&mut conn)
        .await
        .expect("template lock");
    let fingerprint = migrations_fingerprint();
    let template = template_name(&fingerprint);
    let current: Option<String> = sqlx::query_scalar(
        "select shobj_description(oid, 'pg_database') from pg_database where datname = $1",
    )
    .bind(&template)
    .fetch_optional(&mut conn)
    .await
    .expect("template lookup")
    .flatten();
    if current.as_deref() != Some(fingerprint.as_str()) {
        build_template(&mut conn, &template, &fingerprint).await;
    }
    let mut attempts = 0;
    loop {
        // cloning fails while another session is connected to the template; retry briefly
        match sqlx::query(&format!("create database \"{name}\" template {template}"))
            .execute(&mut conn)
            .await
        {
            Ok(_) => break,
            Err(err) if attempts < 50 => {
                attempts += 1;
                tracing::debug!(%err, "template busy, retrying");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(err) => panic!("cannot create test database: {err}"),
        }
    }
    sqlx::query("select pg_advisory_unlock(727274)")
        .execute(&mut conn)
        .await
        .expect("template unlock");
    let _ = conn.close().await;
}

async fn build_template(conn: &mut PgConnection, template: &str, fingerprint: &str) {
    sqlx::query(&format!("drop database if exists {template} with (force)"))
        .execute(&mut *conn)
        .await
        .expect("drop old template");
    sqlx::query(&format!("create database {template}"))
        .execute(&mut *conn)
        .await
        .expect("create template");
    let admin: PgConnectOptions = admin_url().parse().expect("admin url");
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(admin.database(template).disable_statement_logging())
        .await
        .expect("connect template");
    crate::db::migrate(&pool).await.expect("migrate template");
    pool.close().await;
    sqlx::query(&format!(
        "comment on database {template} is '{fingerprint}'"
    ))
    .execute(&mut *conn)
    .await
    .expect("mark template");
}

/// The template holding exactly the migrations of `fingerprint`.
fn template_name(fingerprint: &str) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(fingerprint.as_bytes());
    let hex: String = hash[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("{TEMPLATE_PREFIX}{hex}")
}

/// Changes whenever a migration is added or edited.
fn migrations_fingerprint() -> String {
    crate::db::MIGRATOR
        .iter()
        .map(|m| format!("{}:{}", m.version, base64_checksum(&m.checksum)))
        .collect::<Vec<_>>()
        .join(",")
}

fn base64_checksum(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(&bytes[..8.min(bytes.len())])
}

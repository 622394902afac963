//! The query routes read from a replica (`DATABASE_READ_URL`). The replica here is a second
//! database that the test brings up to the primary's state when it chooses, as a streaming
//! replica that lags does: a consistent snapshot of every table, copied whole. Reads answer from
//! the replica, and `min_position` waits on the replica's own progress, never the primary's.

use std::time::Duration;

use futures::TryStreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::{Connection, PgPool};

use platform::read_models::CUSTOMERS;
use platform::testing::TestEnv;

use crate::helpers::spawn_app_with;

/// Brings `replica` to the state of `primary` as of now: every table of the public schema,
/// read in one snapshot and written in one transaction (foreign keys and triggers held off, as
/// replay on a standby does).
async fn catch_up(primary: &PgPool, replica: &PgPool) {
    let tables: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind = 'r' order by 1",
    )
    .fetch_all(primary)
    .await
    .expect("tables");
    let mut source = primary.acquire().await.expect("primary connection");
    let mut snapshot = source.begin().await.expect("begin");
    sqlx::query("set transaction isolation level repeatable read, read only")
        .execute(&mut *snapshot)
        .await
        .expect("snapshot");
    let mut target = replica.acquire().await.expect("replica connection");
    let mut replay = target.begin().await.expect("begin");
    sqlx::query("set local session_replication_role = replica")
        .execute(&mut *replay)
        .await
        .expect("hold off triggers");
    let quoted: Vec<String> = tables.iter().map(|t| format!("\"{t}\"")).collect();
    sqlx::query(&format!("truncate {}", quoted.join(", ")))
        .execute(&mut *replay)
        .await
        .expect("truncate");
    for table in &quoted {
        let rows: Vec<_> = snapshot
            .copy_out_raw(&format!("copy {table} to stdout (format binary)"))
            .await
            .expect("copy out")
            .try_collect()
            .await
            .expect("rows");
        let mut copy = replay
            .copy_in_raw(&format!("copy {table} from stdin (format binary)"))
            .await
            .expect("copy in");
        for chunk in rows {
            copy.send(chunk).await.expect("send rows");
        }
        copy.finish().await.expect("finish copy");
    }
    replay.commit().await.expect("commit replay");
    snapshot.commit().await.expect("end snapshot");
}

/// Until the primary's customers read model has applied `position`.
async fn primary_applied(primary: &PgPool, position: i64) {
    for _ in 0..200 {
        if platform::progress::has_reached(
            primary,
            CUSTOMERS.name,
            CUSTOMERS.aggregate_types,
            position,
        )
        .await
        .expect("progress")
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the primary's projection never reached {position}");
}

#[tokio::test]
async fn reads_come_from_the_replica_and_wait_for_its_own_progress() {
    let replica = TestEnv::new().await;
    let read_url = replica.config.database_url.clone();
    let app = std::sync::Arc::new(
        spawn_app_with(move |config| {
            config.database_read_url = Some(read_url);
            config.min_position_wait = Duration::from_secs(10);
        })
        .await,
    );
    let ready: Value = app.get("/readyz", None).await.json().await.expect("json");
    assert_eq!(ready["checks"]["postgres_replica"], json!(true), "{ready}");

    let owner = app.owner("replica-shop").await;
    let (ana, position) = app
        .register_customer(&owner.token, &json!({"name": "Ana Replica"}))
        .await;
    primary_applied(&app.env.pool, position).await;

    // the primary has applied it, the replica has not replayed it: a read without a position
    // answers from the replica
    let response = app
        .get(&format!("/api/v1/customers/{ana}"), Some(&owner.token))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // with its position, the read waits for the replica, not for the primary
    let reader = {
        let (app, token) = (app.clone(), owner.token.clone());
        tokio::spawn(async move {
            app.get(
                &format!("/api/v1/customers/{ana}?min_position={position}"),
                Some(&token),
            )
            .await
        })
    };
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(
        !reader.is_finished(),
        "answered before the replica had the write"
    );
    catch_up(&app.env.pool, &replica.pool).await;
    let response = tokio::time::timeout(Duration::from_secs(5), reader)
        .await
        .expect("answered once the replica caught up")
        .expect("reader");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("barber-stale").is_none());
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["name"], "Ana Replica");
}

#[tokio::test]
async fn a_replica_that_stays_behind_is_answered_stale() {
    let replica = TestEnv::new().await;
    let read_url = replica.config.database_url.clone();
    let wait = Duration::from_millis(500);
    let app = spawn_app_with(move |config| {
        config.database_read_url = Some(read_url);
        config.min_position_wait = wait;
    })
    .await;
    let owner = app.owner("lagging-shop").await;
    let (first, position) = app
        .register_customer(&owner.token, &json!({"name": "Bo First"}))
        .await;
    primary_applied(&app.env.pool, position).await;
    catch_up(&app.env.pool, &replica.pool).await;
    let (_second, later) = app
        .register_customer(&owner.token, &json!({"name": "Cy Second"}))
        .await;
    primary_applied(&app.env.pool, later).await;

    // what the replica has is answered fresh at its position …
    let response = app
        .get(
            &format!("/api/v1/customers/{first}?min_position={position}"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("barber-stale").is_none());

    // … and what it has not replayed is answered stale after the wait, without it
    let response = app
        .get(
            &format!("/api/v1/customers?min_position={later}"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("barber-stale")
            .map(|v| v.as_bytes().to_vec()),
        Some(b"true".to_vec())
    );
    let page: Value = response.json().await.expect("json");
    assert_eq!(crate::helpers::page_names(&page), ["Bo First"]);
}

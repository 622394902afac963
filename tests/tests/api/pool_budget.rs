//! A process's database connections are a budget (`DATABASE_POOL_SIZE`): when every one stays
//! in use past `DATABASE_ACQUIRE_TIMEOUT_MS`, a request is answered 503 `service_busy` with
//! `Retry-After` (never 500, nothing written), and once connections free up, requests are
//! served again.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn a_spent_connection_budget_answers_503_with_retry_after_and_recovers() {
    let app = spawn_app_with(|config| {
        config.database_pool_size = Some(8);
        config.database_acquire_timeout = Duration::from_millis(300);
    })
    .await;
    let owner = app.owner("busy-shop").await;
    let events_before = app.event_count().await;

    // every read of the customers waits on a lock the test holds, each holding a connection
    let mut hold = app.env.pool.begin().await.expect("begin");
    sqlx::query("lock table customers in access exclusive mode")
        .execute(&mut *hold)
        .await
        .expect("locked");
    let mut waiting = Vec::new();
    for _ in 0..16 {
        let (client, url, token) = (
            app.client.clone(),
            app.url("/api/v1/customers"),
            owner.token.clone(),
        );
        waiting.push(tokio::spawn(async move {
            client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("answer")
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    // a write now finds no connection either
    let write = app
        .post_json(
            "/api/v1/customers",
            Some(&owner.token),
            &json!({"name": "Nobody Waits"}),
        )
        .await;
    let write_status = write.status();
    let retry_after = write
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = write.json().await.expect("json");
    hold.rollback().await.expect("released");

    assert_eq!(write_status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["code"], "service_busy");
    assert_eq!(retry_after.as_deref(), Some("1"));
    let mut busy = 0;
    for request in waiting {
        let answer = request.await.expect("joined");
        let status = answer.status();
        assert!(
            status == StatusCode::OK || status == StatusCode::SERVICE_UNAVAILABLE,
            "{status}"
        );
        if status == StatusCode::SERVICE_UNAVAILABLE {
            assert!(answer.headers().contains_key("retry-after"));
            let body: Value = answer.json().await.expect("json");
            assert_eq!(body["code"], "service_busy");
            busy += 1;
        }
    }
    assert!(busy > 0, "some reads found no connection");
    assert_eq!(app.event_count().await, events_before, "nothing written");

    // connections free again: served
    let served = app
        .post_json(
            "/api/v1/customers",
            Some(&owner.token),
            &json!({"name": "Served Again"}),
        )
        .await;
    assert_eq!(served.status(), StatusCode::CREATED);
    let listed = app.get("/api/v1/customers", Some(&owner.token)).await;
    assert_eq!(listed.status(), StatusCode::OK);
}

/// A request never holds one connection while it waits for another: as many registrations at
/// once as a command process has connections (and more) are all served, none left waiting on
/// itself until the acquire timeout (a customer's registration seals its personal data with keys
/// read inside the registering transaction, on that transaction's own connection).
#[tokio::test]
async fn as_many_writes_at_once_as_there_are_connections_are_all_served() {
    let mut env = platform::testing::TestEnv::new().await;
    env.config.database_pool_size = Some(3);
    env.config.database_acquire_timeout = Duration::from_secs(3);
    let command = barber::Application::build(env.config.clone(), barber::Role::Command)
        .await
        .expect("command starts");
    let base = format!("http://127.0.0.1:{}", command.port());
    let stopper = command.stopper();
    tokio::spawn(command.run_until_stopped());
    let client = reqwest::Client::new();
    let signed_up: Value = client
        .post(format!("{base}/api/v1/signup"))
        .json(&crate::helpers::signup_body(
            "crowded-shop",
            "owner@crowded.example",
        ))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let token = signed_up["token"].as_str().expect("token").to_owned();

    let started = std::time::Instant::now();
    let mut registering = Vec::new();
    for n in 0..12 {
        let (client, url, token) = (
            client.clone(),
            format!("{base}/api/v1/customers"),
            token.clone(),
        );
        registering.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"name": format!("Crowd {n}"), "email": format!("crowd{n}@example.com")}))
                .send()
                .await
                .expect("answer")
                .status()
        }));
    }
    for registration in registering {
        assert_eq!(registration.await.expect("joined"), StatusCode::CREATED);
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the registrations waited for connections they held themselves ({:?})",
        started.elapsed()
    );
    stopper.trigger();
}

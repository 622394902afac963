//! `min_position` beyond what the event store holds: the reader waits (bounded by
//! `MIN_POSITION_WAIT_MS`) for a write this database has not seen, and is answered stale when
//! it never comes, fresh as soon as it does.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::spawn_app_with;

/// The newest position in the event store.
async fn newest(app: &crate::helpers::TestApp) -> i64 {
    sqlx::query_scalar("select coalesce(max(global_position), 0) from events")
        .fetch_one(&app.env.pool)
        .await
        .expect("newest position")
}

#[tokio::test]
async fn a_position_beyond_the_newest_event_waits_and_is_answered_stale() {
    let wait = Duration::from_millis(400);
    let app = spawn_app_with(|config| config.min_position_wait = wait).await;
    let owner = app.owner("ahead-shop").await;
    let ahead = newest(&app).await + 1_000;
    for path in [
        format!("/api/v1/customers?min_position={ahead}"),
        format!("/api/v1/services?min_position={ahead}"),
        format!("/api/v1/staff?min_position={ahead}"),
    ] {
        let started = Instant::now();
        let response = app.get(&path, Some(&owner.token)).await;
        let elapsed = started.elapsed();
        let (status, stale) = (
            response.status(),
            response.headers().get("barber-stale").cloned(),
        );
        let body = response.text().await.expect("body");
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        assert!(elapsed >= wait, "{path} answered before the wait");
        assert_eq!(
            stale.as_ref().map(|v| v.as_bytes()),
            Some(&b"true"[..]),
            "{path}"
        );
    }
    // positions start at 1: 0 is no reason to wait
    let started = Instant::now();
    let response = app
        .get("/api/v1/customers?min_position=0", Some(&owner.token))
        .await;
    assert!(started.elapsed() < wait);
    assert!(response.headers().get("barber-stale").is_none());
}

#[tokio::test]
async fn a_reader_ahead_of_the_store_is_answered_fresh_once_the_write_lands() {
    let app = std::sync::Arc::new(
        spawn_app_with(|config| config.min_position_wait = Duration::from_secs(10)).await,
    );
    let owner = app.owner("behind-shop").await;
    let next = newest(&app).await + 1;
    let reader = {
        let (app, token) = (app.clone(), owner.token.clone());
        tokio::spawn(async move {
            let response = app
                .get(
                    &format!("/api/v1/customers?min_position={next}"),
                    Some(&token),
                )
                .await;
            let stale = response.headers().get("barber-stale").is_some();
            let body: Value = response.json().await.expect("json");
            (stale, body)
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!reader.is_finished(), "the reader waits for the write");
    let (_, position) = app
        .register_customer(&owner.token, &json!({"name": "Ana"}))
        .await;
    assert_eq!(position, next, "the write took the awaited position");
    let (stale, body) = reader.await.expect("reader");
    assert!(!stale, "answered fresh once the write was applied");
    assert_eq!(body["items"][0]["name"], "Ana", "{body}");
}

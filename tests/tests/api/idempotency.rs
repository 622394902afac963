use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, signup_body, spawn_app, TestApp};

async fn post_with_key(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/customers"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn a_retried_command_gets_the_first_answer_and_records_once() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let before = app.event_count().await;
    let body = json!({"name": "Ana"});
    let first = post_with_key(&app, &owner.token, "key-1", &body).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first: Value = first.json().await.expect("json");
    let again = post_with_key(&app, &owner.token, "key-1", &body).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.expect("json");
    assert_eq!(first, again);
    assert_eq!(app.event_count().await, before + 1);
}

#[tokio::test]
async fn a_key_reused_for_another_request_is_refused() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    post_with_key(&app, &owner.token, "key-1", &json!({"name": "Ana"})).await;
    let before = app.event_count().await;
    let other = post_with_key(&app, &owner.token, "key-1", &json!({"name": "Bo"})).await;
    assert_problem(
        other,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn a_refusal_is_replayed_too() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let body = json!({"name": "Ana", "phone": "0770"});
    for _ in 0..2 {
        let response = post_with_key(&app, &owner.token, "bad-1", &body).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_phone").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_with_one_key_record_one_event() {
    let app = std::sync::Arc::new(spawn_app().await);
    let owner = app.owner("fade-street").await;
    let before = app.event_count().await;
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (app, token) = (app.clone(), owner.token.clone());
            tokio::spawn(async move {
                post_with_key(&app, &token, "burst", &json!({"name": "Ana"}))
                    .await
                    .status()
            })
        })
        .collect();
    for task in tasks {
        let status = task.await.expect("task");
        assert!(
            status == StatusCode::CREATED || status == StatusCode::CONFLICT,
            "{status}"
        );
    }
    assert_eq!(app.event_count().await, before + 1);
}

#[tokio::test]
async fn keys_belong_to_one_business() {
    let app = spawn_app().await;
    let mine = app.owner("fade-street").await;
    let theirs = app.owner("other-shop").await;
    let body = json!({"name": "Ana"});
    let a: Value = post_with_key(&app, &mine.token, "shared", &body)
        .await
        .json()
        .await
        .expect("json");
    let b: Value = post_with_key(&app, &theirs.token, "shared", &body)
        .await
        .json()
        .await
        .expect("json");
    assert_ne!(a["id"], b["id"]);
}

#[tokio::test]
async fn a_signup_retried_with_its_key_opens_one_business() {
    let app = spawn_app().await;
    let body = signup_body("fade-street", "sam@fade.example");
    let mut answers = Vec::new();
    for _ in 0..2 {
        let response = app
            .client
            .post(app.url("/api/v1/signup"))
            .header("idempotency-key", "signup-1")
            .json(&body)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::CREATED);
        let answer: Value = response.json().await.expect("json");
        answers.push(answer["business_id"].clone());
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(app.event_count().await, 1);
}

#[tokio::test]
async fn a_malformed_key_is_refused() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let response = post_with_key(&app, &owner.token, "has space", &json!({"name": "Ana"})).await;
    assert_problem(response, StatusCode::BAD_REQUEST, "invalid_idempotency_key").await;
}

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
    assert_reused(other).await;
    assert_eq!(app.event_count().await, before);
}

/// Posts a raw body (as a client that serializes again would send it) with a key.
async fn post_raw_with_key(app: &TestApp, token: &str, key: &str, body: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/customers"))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn the_same_body_written_another_way_is_the_same_request() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let first = post_raw_with_key(
        &app,
        &owner.token,
        "key-1",
        r#"{"name":"Ana","tags":["vip"],"preferences":{"drink":"tea","chair":2}}"#,
    )
    .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.expect("json");
    let recorded = app.event_count().await;
    for same in [
        r#"{ "name": "Ana", "tags": [ "vip" ], "preferences": { "drink": "tea", "chair": 2 } }"#,
        "{\n  \"preferences\": {\"chair\": 2, \"drink\": \"tea\"},\n  \"tags\": [\"vip\"],\n  \"name\": \"Ana\"\n}\n",
    ] {
        let again = post_raw_with_key(&app, &owner.token, "key-1", same).await;
        assert_eq!(again.status(), StatusCode::CREATED, "{same}");
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        let again: Value = again.json().await.expect("json");
        assert_eq!(again, first);
    }
    let other = post_raw_with_key(
        &app,
        &owner.token,
        "key-1",
        r#"{"tags":["vip"],"name":"Bo"}"#,
    )
    .await;
    assert_reused(other).await;
    assert_eq!(app.event_count().await, recorded);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_compared_by_its_bytes() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let before = app.event_count().await;
    for _ in 0..2 {
        let response = post_raw_with_key(&app, &owner.token, "raw-1", "{name: Ana}").await;
        assert_problem(response, StatusCode::BAD_REQUEST, "malformed_json").await;
    }
    let other = post_raw_with_key(&app, &owner.token, "raw-1", "{name:  Ana}").await;
    assert_reused(other).await;
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
    // one business and its owner's account
    assert_eq!(app.event_count().await, 2);
}

#[tokio::test]
async fn a_malformed_key_is_refused() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let response = post_with_key(&app, &owner.token, "has space", &json!({"name": "Ana"})).await;
    assert_problem(response, StatusCode::BAD_REQUEST, "invalid_idempotency_key").await;
}

#[tokio::test]
async fn a_lower_case_bearer_scheme_is_scoped_like_any_other() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let before = app.event_count().await;
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let response = app
            .client
            .post(app.url("/api/v1/customers"))
            .header("authorization", format!("{scheme} {}", owner.token))
            .header("idempotency-key", "any-case")
            .json(&json!({"name": "Ana"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::CREATED, "{scheme}");
    }
    assert_eq!(app.event_count().await, before + 1);
}

#[tokio::test]
async fn an_unauthenticated_command_leaves_no_key_behind() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let kept_before = kept_keys(&app).await;
    for authorization in [None, Some("Bearer not-a-jwt"), Some("Basic c2FtOnB3")] {
        let mut request = app
            .client
            .post(app.url("/api/v1/customers"))
            .header("idempotency-key", "anonymous")
            .json(&json!({"name": "Ana"}));
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.expect("sent");
        assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
    assert_eq!(kept_keys(&app).await, kept_before);
    let response = post_with_key(&app, &owner.token, "anonymous", &json!({"name": "Ana"})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.headers().get("idempotent-replayed").is_none());
}

#[tokio::test]
async fn two_users_of_one_business_do_not_share_keys() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let manager = app.token_with_role(&owner, "manager").await;
    let before = app.event_count().await;
    let body = json!({"name": "Ana"});
    let mine = post_with_key(&app, &owner.token, "shared", &body).await;
    let theirs = post_with_key(&app, &manager, "shared", &body).await;
    assert_eq!(theirs.status(), StatusCode::CREATED);
    assert!(theirs.headers().get("idempotent-replayed").is_none());
    let mine: Value = mine.json().await.expect("json");
    let theirs: Value = theirs.json().await.expect("json");
    assert_ne!(mine["id"], theirs["id"]);
    assert_eq!(app.event_count().await, before + 2);
}

#[tokio::test]
async fn a_signup_answer_is_kept_without_its_token_and_replayed_with_a_fresh_one() {
    let app = spawn_app().await;
    let body = signup_body("fade-street", "sam@fade.example");
    let send = || {
        app.client
            .post(app.url("/api/v1/signup"))
            .header("idempotency-key", "signup-1")
            .json(&body)
            .send()
    };
    let first: Value = send().await.expect("sent").json().await.expect("json");
    let first_token = first["token"].as_str().expect("token");
    let kept: Vec<Vec<u8>> = sqlx::query_scalar("select body from idempotency_keys")
        .fetch_all(&app.env.pool)
        .await
        .expect("kept answers");
    assert_eq!(kept.len(), 1);
    let kept: Value = serde_json::from_slice(&kept[0]).expect("kept json");
    assert_eq!(kept.get("token"), None, "{kept}");
    assert_eq!(kept["business_id"], first["business_id"]);
    assert!(!kept.to_string().contains(first_token));

    let again = send().await.expect("sent");
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["business_id"], first["business_id"]);
    assert_eq!(again["user_id"], first["user_id"]);
    let token = again["token"].as_str().expect("a fresh token");
    let response = app.get("/api/v1/customers", Some(token)).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_signup_key_with_another_password_gets_no_token() {
    let app = spawn_app().await;
    let body = signup_body("fade-street", "sam@fade.example");
    let mut guess = body.clone();
    guess["password"] = json!("a guessed password");
    let mut answers = Vec::new();
    for body in [&body, &guess] {
        let response = app
            .client
            .post(app.url("/api/v1/signup"))
            .header("idempotency-key", "signup-1")
            .json(body)
            .send()
            .await
            .expect("sent");
        answers.push(response);
    }
    let guessed = answers.pop().expect("second answer");
    assert_eq!(answers[0].status(), StatusCode::CREATED);
    assert_reused(guessed).await;
}

/// How many keys the idempotency table holds.
async fn kept_keys(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from idempotency_keys")
        .fetch_one(&app.env.pool)
        .await
        .expect("count keys")
}

/// Asserts the refusal of a key already used for another request.
async fn assert_reused(response: reqwest::Response) {
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;
}

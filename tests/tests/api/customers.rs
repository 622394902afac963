//! The customers resource: registering, updating, reading, listing, isolation. Tags,
//! preferences and marketing consent are in [`profile`]; paging over names of every script in
//! [`paging`]; search by national phone and without accents in [`search`]; duplicate phones
//! and emails in [`duplicates`]; merging a duplicate in [`merge`]; erasure in [`erasure`], and
//! events stored in clear before sealing in [`clear_events`].

mod clear_events;
mod duplicates;
mod erasure;
mod merge;
mod paging;
mod profile;
mod search;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp};

#[tokio::test]
async fn a_new_customer_can_be_read_back_and_found() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (id, position) = app
        .register_customer(
            &owner.token,
            &json!({"name": "Ana Silva", "phone": "+44 7700 900123", "email": "ana@example.com"}),
        )
        .await;

    let response = app
        .get(
            &format!("/api/v1/customers/{id}?min_position={position}"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("barber-stale").is_none());
    let customer: Value = response.json().await.expect("json");
    assert_eq!(customer["name"], "Ana Silva");
    assert_eq!(customer["phone"], "+447700900123");

    for q in ["ana", "SILVA", "7700 900", "example.com"] {
        let found: Value = app
            .get(
                &format!("/api/v1/customers?q={}", q.replace(' ', "%20")),
                Some(&owner.token),
            )
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(found["items"][0]["id"], id.to_string(), "search {q}");
    }
    let none: Value = app
        .get("/api/v1/customers?q=zzz", Some(&owner.token))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(none["items"], json!([]));
}

#[tokio::test]
async fn an_update_is_visible_to_a_read_at_its_position() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (id, _) = app
        .register_customer(
            &owner.token,
            &json!({"name": "Ana", "phone": "+447700900123"}),
        )
        .await;
    let response = app
        .patch_json(
            &format!("/api/v1/customers/{id}"),
            Some(&owner.token),
            &json!({"name": "Ana Silva", "phone": null, "notes": "skin fade, no 1"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let accepted: Value = response.json().await.expect("json");
    let position = accepted["position"].as_i64().expect("position");
    let customer: Value = app
        .get(
            &format!("/api/v1/customers/{id}?min_position={position}"),
            Some(&owner.token),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(customer["name"], "Ana Silva");
    assert_eq!(customer["phone"], Value::Null);
    assert_eq!(customer["notes"], "skin fade, no 1");
}

#[tokio::test]
async fn the_list_is_paged_by_name_with_a_cursor() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let mut last = 0;
    for name in ["Eve", "bob", "Dan", "alice", "Carl"] {
        last = app
            .register_customer(&owner.token, &json!({"name": name}))
            .await
            .1;
    }
    let names: Vec<_> = every_page(&app, &owner.token, 2, last)
        .await
        .iter()
        .map(|item| item["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(names, ["alice", "bob", "Carl", "Dan", "Eve"]);
}

/// Every customer the list serves, `limit` a page, following `next_cursor` to the end (at most
/// 100 pages, so a cursor that goes round in circles fails the test instead of hanging it).
async fn every_page(app: &TestApp, token: &str, limit: usize, min_position: i64) -> Vec<Value> {
    let mut items = Vec::new();
    let mut path = format!("/api/v1/customers?limit={limit}&min_position={min_position}");
    for _ in 0..100 {
        let page: Value = app
            .get(&path, Some(token))
            .await
            .json()
            .await
            .expect("json");
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/customers?limit={limit}&cursor={cursor}"),
            None => return items,
        }
    }
    panic!("the list did not end within 100 pages");
}

#[tokio::test]
async fn without_a_valid_token_every_route_answers_401() {
    let app = spawn_app().await;
    let id = uuid::Uuid::new_v4();
    for response in [
        app.get("/api/v1/customers", None).await,
        app.get(&format!("/api/v1/customers/{id}"), None).await,
        app.post_json("/api/v1/customers", None, &json!({"name": "x"}))
            .await,
        app.get("/api/v1/customers", Some("not-a-jwt")).await,
    ] {
        assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

#[tokio::test]
async fn another_business_cannot_see_or_change_a_customer() {
    let app = spawn_app().await;
    let mine = app.owner("fade-street").await;
    let theirs = app.owner("other-shop").await;
    let (id, position) = app
        .register_customer(&mine.token, &json!({"name": "Ana"}))
        .await;
    let read = app
        .get(
            &format!("/api/v1/customers/{id}?min_position={position}"),
            Some(&theirs.token),
        )
        .await;
    assert_problem(read, StatusCode::NOT_FOUND, "customer_not_found").await;
    let list: Value = app
        .get("/api/v1/customers", Some(&theirs.token))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"], json!([]));
    let before = app.event_count().await;
    let change = app
        .patch_json(
            &format!("/api/v1/customers/{id}"),
            Some(&theirs.token),
            &json!({"name": "Stolen"}),
        )
        .await;
    assert_problem(change, StatusCode::NOT_FOUND, "customer_not_found").await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn bad_customer_requests_are_refused_with_a_code_and_write_nothing() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let before = app.event_count().await;
    let cases = [
        (
            json!({"name": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_name",
        ),
        (
            json!({"name": "A", "phone": "07700 900123"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_phone",
        ),
        (
            json!({"name": "A", "email": "a@b"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_email",
        ),
        (
            json!({"name": "A", "notes": "x".repeat(5001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "notes_too_long",
        ),
        (
            json!({"name": 7}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            json!({"name": "A", "tenant_id": owner.business_id}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (
            json!([1, 2]),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let response = app
            .post_json("/api/v1/customers", Some(&owner.token), &body)
            .await;
        assert_problem(response, status, code).await;
    }
    let unknown = uuid::Uuid::new_v4();
    let response = app
        .patch_json(
            &format!("/api/v1/customers/{unknown}"),
            Some(&owner.token),
            &json!({"name": "B"}),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "customer_not_found").await;
    let response = app
        .patch_json(
            "/api/v1/customers/not-a-uuid",
            Some(&owner.token),
            &json!({"name": "B"}),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    for query in ["limit=0", "limit=abc", "cursor=garbage", "min_position=x"] {
        let response = app
            .get(&format!("/api/v1/customers?{query}"), Some(&owner.token))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
    }
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn the_request_id_becomes_the_events_correlation_id() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let response = app
        .client
        .post(app.url("/api/v1/customers"))
        .bearer_auth(&owner.token)
        .header("x-request-id", "req-trace-42")
        .json(&json!({"name": "Ana"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["x-request-id"], "req-trace-42");
    let metadata: Value = sqlx::query_scalar(
        "select metadata from events where aggregate_type = 'customer' order by global_position desc limit 1",
    )
    .fetch_one(&app.env.pool)
    .await
    .expect("event");
    assert_eq!(metadata["correlation_id"], "req-trace-42");
    assert_eq!(metadata["tenant_id"], owner.business_id.to_string());
    assert!(metadata["actor"].is_string() && metadata["command_id"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_to_one_customer_never_lose_or_fork_its_history() {
    let app = std::sync::Arc::new(spawn_app().await);
    let owner = app.owner("fade-street").await;
    let (id, _) = app
        .register_customer(&owner.token, &json!({"name": "Ana"}))
        .await;
    let writers: Vec<_> = (0..12)
        .map(|n| {
            let (app, token) = (app.clone(), owner.token.clone());
            tokio::spawn(async move {
                app.patch_json(
                    &format!("/api/v1/customers/{id}"),
                    Some(&token),
                    &json!({"notes": format!("visit note {n}")}),
                )
                .await
                .status()
            })
        })
        .collect();
    let mut accepted = 0;
    for writer in writers {
        let status = writer.await.expect("writer");
        assert!(
            status == StatusCode::OK || status == StatusCode::CONFLICT,
            "unexpected {status}"
        );
        accepted += usize::from(status == StatusCode::OK);
    }
    assert!(accepted > 0);
    let sequences: Vec<i64> = sqlx::query_scalar(
        "select sequence from events where aggregate_type = 'customer' and aggregate_id = $1 order by sequence",
    )
    .bind(id.to_string())
    .fetch_all(&app.env.pool)
    .await
    .expect("events");
    let expected: Vec<i64> = (1..=1 + accepted as i64).collect();
    assert_eq!(
        sequences, expected,
        "one event per accepted update, no gap, no fork"
    );
}

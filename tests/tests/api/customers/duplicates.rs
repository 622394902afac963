//! Duplicate detection: a customer registered or changed with the phone or email of another
//! customer of the business is refused `409 possible_duplicate` naming that customer, unless
//! the request allows it; phones compare in E.164, emails in any case; it holds under a race.

use std::sync::Arc;

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_problem, spawn_app, TestApp};

/// Asserts a `possible_duplicate` about `existing`'s `contact`.
async fn assert_duplicate_of(response: Response, existing: Uuid, contact: &str) {
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let problem: Value = response.json().await.expect("problem");
    assert_eq!(problem["code"], "possible_duplicate", "{problem}");
    assert_eq!(problem["existing_customer_id"], existing.to_string());
    assert_eq!(problem["duplicate_contact"], contact);
}

async fn register(app: &TestApp, token: &str, body: Value) -> Response {
    app.post_json("/api/v1/customers", Some(token), &body).await
}

#[tokio::test]
async fn a_second_customer_with_the_same_phone_or_email_is_a_possible_duplicate() {
    let app = spawn_app().await;
    let owner = app.owner_in("fade-street", "GB").await;
    let (ana, _) = app
        .register_customer(
            &owner.token,
            &json!({"name": "Ana Silva", "phone": "+44 7700 900123", "email": "Ana@Example.com"}),
        )
        .await;
    let before = app.event_count().await;
    let cases = [
        (
            json!({"name": "A. Silva", "phone": "07700 900123"}),
            "phone",
        ),
        (
            json!({"name": "A. Silva", "phone": "+447700900123"}),
            "phone",
        ),
        (
            json!({"name": "A. Silva", "email": "ana@example.com"}),
            "email",
        ),
        (
            json!({"name": "A. Silva", "email": " ANA@EXAMPLE.COM "}),
            "email",
        ),
        (
            json!({"name": "A. Silva", "phone": "07700 900123", "allow_duplicate": false}),
            "phone",
        ),
    ];
    for (body, contact) in cases {
        assert_duplicate_of(register(&app, &owner.token, body).await, ana, contact).await;
    }
    assert_eq!(app.event_count().await, before, "nothing written");
    let problem = register(
        &app,
        &owner.token,
        json!({"name": "x", "phone": "07700900123"}),
    )
    .await;
    assert_eq!(
        problem.headers()["content-type"],
        "application/problem+json"
    );

    // another business keeps its own book
    let other = app.owner_in("other-shop", "GB").await;
    let response = register(
        &app,
        &other.token,
        json!({"name": "Ana Silva", "phone": "07700 900123", "email": "ana@example.com"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn allow_duplicate_records_it_and_later_ones_are_told_about_the_first() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (parent, _) = app
        .register_customer(
            &owner.token,
            &json!({"name": "Sam Parent", "phone": "+447700900123"}),
        )
        .await;
    let response = register(
        &app,
        &owner.token,
        json!({"name": "Kit Child", "phone": "+447700900123", "allow_duplicate": true}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let third = register(
        &app,
        &owner.token,
        json!({"name": "Jo Other", "phone": "+447700900123"}),
    )
    .await;
    assert_duplicate_of(third, parent, "phone").await;
    let bad = register(
        &app,
        &owner.token,
        json!({"name": "Jo Other", "allow_duplicate": null}),
    )
    .await;
    assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body").await;
}

#[tokio::test]
async fn an_update_to_another_customers_phone_or_email_is_a_possible_duplicate() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (ana, _) = app
        .register_customer(
            &owner.token,
            &json!({"name": "Ana", "phone": "+447700900123", "email": "ana@example.com"}),
        )
        .await;
    let (ben, _) = app
        .register_customer(
            &owner.token,
            &json!({"name": "Ben", "phone": "+447700900456", "email": "ben@example.com"}),
        )
        .await;
    let patch = |id: Uuid, body: Value| {
        let app = &app;
        let token = owner.token.clone();
        async move {
            app.patch_json(&format!("/api/v1/customers/{id}"), Some(&token), &body)
                .await
        }
    };
    let before = app.event_count().await;
    let taken = patch(ben, json!({"notes": "regular", "phone": "+44 7700 900123"})).await;
    assert_duplicate_of(taken, ana, "phone").await;
    let taken = patch(ben, json!({"email": "ANA@example.com"})).await;
    assert_duplicate_of(taken, ana, "email").await;
    assert_eq!(app.event_count().await, before, "nothing written");

    // a customer's own details are no duplicate, whatever else changes
    let own = patch(
        ana,
        json!({"phone": "+44 7700 900123", "name": "Ana Silva"}),
    )
    .await;
    assert_eq!(own.status(), StatusCode::OK);

    let allowed = patch(
        ben,
        json!({"email": "ana@example.com", "allow_duplicate": true}),
    )
    .await;
    assert_eq!(allowed.status(), StatusCode::OK);

    // a phone given up is free for the next customer
    let cleared = patch(ben, json!({"phone": null})).await;
    assert_eq!(cleared.status(), StatusCode::OK);
    let response = register(
        &app,
        &owner.token,
        json!({"name": "Cy", "phone": "+447700900456"}),
    )
    .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_simultaneous_registrations_with_one_phone_exactly_one_is_recorded() {
    const RACERS: usize = 12;
    let app = Arc::new(spawn_app().await);
    let owner = Arc::new(app.owner_in("fade-street", "GB").await);
    // one number, typed every way a front desk might
    let typings = [
        "07700 900123",
        "+44 7700 900123",
        "+447700900123",
        "07700-900-123",
    ];
    let racers: Vec<_> = (0..RACERS)
        .map(|n| {
            let (app, owner) = (app.clone(), owner.clone());
            let body = json!({"name": format!("Racer {n}"), "phone": typings[n % typings.len()]});
            tokio::spawn(async move {
                let response = register(&app, &owner.token, body).await;
                let status = response.status();
                let body: Value = response.json().await.expect("json");
                (status, body)
            })
        })
        .collect();
    let mut created = Vec::new();
    let mut duplicates = Vec::new();
    for racer in racers {
        let (status, body) = racer.await.expect("racer");
        match status {
            StatusCode::CREATED => created.push(body["id"].clone()),
            StatusCode::CONFLICT => {
                assert_eq!(body["code"], "possible_duplicate", "{body}");
                duplicates.push(body["existing_customer_id"].clone());
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created.len(), 1, "exactly one registration wins");
    assert_eq!(duplicates.len(), RACERS - 1);
    assert!(duplicates.iter().all(|id| *id == created[0]));
    let registered: i64 =
        sqlx::query_scalar("select count(*) from events where event_type = 'CustomerRegistered'")
            .fetch_one(&app.env.pool)
            .await
            .expect("count");
    assert_eq!(registered, 1);
}

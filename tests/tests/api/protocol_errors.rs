//! Refusals of how a request is sent rather than what it asks: a method a route does not serve
//! (405) and a body that is not declared as JSON (415). Like every error they are problem+json
//! with a stable code, and they record nothing.

use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn a_method_a_route_does_not_serve_answers_405_problem_json_with_allow() {
    let app = spawn_app().await;
    let owner = app.owner("method-shop").await;
    let id = Uuid::new_v4();
    let before = app.event_count().await;
    // (method, path, a method the Allow header must name)
    let table = [
        (Method::PUT, "/api/v1/appointments".to_owned(), "POST"),
        (Method::DELETE, "/api/v1/customers".to_owned(), "GET"),
        (Method::POST, format!("/api/v1/customers/{id}"), "PATCH"),
        (Method::GET, "/api/v1/signup".to_owned(), "POST"),
        (Method::DELETE, "/api/v1/business".to_owned(), "PATCH"),
        (
            Method::PATCH,
            format!("/api/v1/staff/{id}/working-hours"),
            "PUT",
        ),
        (
            Method::GET,
            format!("/api/v1/appointments/{id}/cancel"),
            "POST",
        ),
        (Method::POST, "/healthz".to_owned(), "GET"),
    ];
    for (method, path, allowed) in table {
        let response = app
            .client
            .request(method.clone(), app.url(&path))
            .bearer_auth(&owner.token)
            .header("idempotency-key", format!("{method}-{path}"))
            .json(&json!({"name": "Ana"}))
            .send()
            .await
            .expect("sent");
        let allow = response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            allow.split(',').any(|m| m.trim() == allowed),
            "{method} {path}: Allow {allow:?}"
        );
        assert_problem(
            response,
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        )
        .await;
    }
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn a_command_body_not_sent_as_json_answers_415_problem_json() {
    let app = spawn_app().await;
    let owner = app.owner("media-shop").await;
    let (customer, _) = app
        .register_customer(&owner.token, &json!({"name": "Ana"}))
        .await;
    let before = app.event_count().await;
    let body = r#"{"name":"Bo"}"#;
    // (method, path, content type; None sends none)
    let table = [
        (
            Method::POST,
            "/api/v1/customers".to_owned(),
            Some("text/plain"),
        ),
        (Method::POST, "/api/v1/customers".to_owned(), None),
        (
            Method::PATCH,
            format!("/api/v1/customers/{customer}"),
            Some("application/x-www-form-urlencoded"),
        ),
        (Method::POST, "/api/v1/staff".to_owned(), Some("text/json")),
        (
            Method::PUT,
            "/api/v1/business/booking-policy".to_owned(),
            Some("application/xml"),
        ),
        (
            Method::POST,
            format!("/api/v1/appointments/{}/cancel", Uuid::new_v4()),
            Some("text/plain"),
        ),
    ];
    for (method, path, content_type) in table {
        let mut request = app
            .client
            .request(method.clone(), app.url(&path))
            .bearer_auth(&owner.token)
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.expect("sent");
        assert_problem(
            response,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        )
        .await;
    }
    let signup = app
        .client
        .post(app.url("/api/v1/signup"))
        .header("content-type", "text/plain")
        .body(r#"{"business_name":"X"}"#)
        .send()
        .await
        .expect("sent");
    assert_problem(
        signup,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn a_body_over_the_limit_answers_413_problem_json() {
    let app = spawn_app().await;
    let owner = app.owner("large-shop").await;
    let before = app.event_count().await;
    let notes = "x".repeat(3 << 20);
    let response = app
        .post_json(
            "/api/v1/customers",
            Some(&owner.token),
            &json!({"name": "Ana", "notes": notes}),
        )
        .await;
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large").await;
    assert_eq!(app.event_count().await, before);
}

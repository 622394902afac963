use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, signup_body, spawn_app};

#[tokio::test]
async fn a_new_business_reads_back_with_the_default_policy() {
    let app = spawn_app().await;
    let response = app
        .signup(&signup_body("fade-street", "sam@fade.example"))
        .await;
    let signed_up: Value = response.json().await.expect("json");
    let token = signed_up["token"].as_str().expect("token");
    let position = signed_up["position"].as_i64().expect("position");
    let business: Value = app
        .get(
            &format!("/api/v1/business?min_position={position}"),
            Some(token),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(business["id"], signed_up["business_id"]);
    assert_eq!(business["slug"], "fade-street");
    assert_eq!(business["timezone"], "Europe/London");
    assert_eq!(business["currency"], "USD");
    assert_eq!(business["booking_policy"]["min_lead_minutes"], 60);
    assert_eq!(
        business["booking_policy"]["reminder_offsets_minutes"],
        json!([1440, 120])
    );
}

#[tokio::test]
async fn settings_and_policy_changes_are_read_back_at_their_positions() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let changed = app
        .patch_json(
            "/api/v1/business",
            Some(&owner.token),
            &json!({"name": "Fade Street NYC", "timezone": "America/New_York", "currency": "USD"}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let policy = json!({
        "min_lead_minutes": 30, "max_advance_days": 90, "cancellation_window_minutes": 720,
        "default_buffer_minutes": 10, "reminder_offsets_minutes": [60, 2880],
    });
    let set = app
        .put_json(
            "/api/v1/business/booking-policy",
            Some(&owner.token),
            &policy,
        )
        .await;
    assert_eq!(set.status(), StatusCode::OK);
    let position = set.json::<Value>().await.expect("json")["position"]
        .as_i64()
        .expect("position");
    let business: Value = app
        .get(
            &format!("/api/v1/business?min_position={position}"),
            Some(&owner.token),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(business["name"], "Fade Street NYC");
    assert_eq!(business["timezone"], "America/New_York");
    assert_eq!(business["booking_policy"]["default_buffer_minutes"], 10);
    assert_eq!(
        business["booking_policy"]["reminder_offsets_minutes"],
        json!([2880, 60])
    );
}

#[tokio::test]
async fn bad_settings_are_refused_with_a_code_and_write_nothing() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let before = app.event_count().await;
    let settings = [
        (json!({"timezone": "Mars/Olympus"}), "unknown_timezone"),
        (json!({"currency": "dollars"}), "invalid_currency"),
        (json!({"name": " "}), "invalid_business_name"),
        (json!({"slug": "new-slug"}), "invalid_body"),
    ];
    for (body, code) in settings {
        let response = app
            .patch_json("/api/v1/business", Some(&owner.token), &body)
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    let policy = |field: &str, value: Value| {
        let mut body = json!({
            "min_lead_minutes": 60, "max_advance_days": 60, "cancellation_window_minutes": 1440,
            "default_buffer_minutes": 0, "reminder_offsets_minutes": [1440],
        });
        body[field] = value;
        body
    };
    let policies = [
        (
            policy("min_lead_minutes", json!(20000)),
            "invalid_lead_time",
        ),
        (
            policy("max_advance_days", json!(0)),
            "invalid_booking_horizon",
        ),
        (
            policy("cancellation_window_minutes", json!(50000)),
            "invalid_cancellation_window",
        ),
        (policy("default_buffer_minutes", json!(7)), "invalid_buffer"),
        (
            policy("reminder_offsets_minutes", json!([60, 60])),
            "invalid_reminder_offsets",
        ),
        (policy("min_lead_minutes", json!(-5)), "invalid_body"),
    ];
    for (body, code) in policies {
        let response = app
            .put_json("/api/v1/business/booking-policy", Some(&owner.token), &body)
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn only_owners_and_managers_change_the_settings() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let barber = app.token_with_role(&owner, "barber");
    let response = app
        .patch_json("/api/v1/business", Some(&barber), &json!({"name": "Mine"}))
        .await;
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let manager = app.token_with_role(&owner, "manager");
    let response = app
        .patch_json("/api/v1/business", Some(&manager), &json!({"name": "Ours"}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

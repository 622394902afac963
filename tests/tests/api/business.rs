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
        (json!({"timezone": "Mars/Olympus"}), "invalid_timezone"),
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
    let barber = app.token_with_role(&owner, "barber").await;
    let response = app
        .patch_json("/api/v1/business", Some(&barber), &json!({"name": "Mine"}))
        .await;
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let manager = app.token_with_role(&owner, "manager").await;
    let response = app
        .patch_json("/api/v1/business", Some(&manager), &json!({"name": "Ours"}))
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

fn opening_hours(days: Value) -> Value {
    json!({ "days": days })
}

#[tokio::test]
async fn opening_hours_are_read_back_at_their_position() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let business: Value = app
        .get("/api/v1/business", Some(&owner.token))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        business["opening_hours"],
        Value::Null,
        "never set: no limit"
    );
    let set = app
        .put_json(
            "/api/v1/business/opening-hours",
            Some(&owner.token),
            &opening_hours(json!([
                {"weekday": "SAT", "start": "10:00", "end": "16:00"},
                {"weekday": "mon", "start": "09:00", "end": "18:00",
                 "breaks": [{"start": "13:00", "end": "13:30"}]},
            ])),
        )
        .await;
    assert_eq!(set.status(), StatusCode::OK);
    let accepted: Value = set.json().await.expect("json");
    assert_eq!(accepted["id"], json!(owner.business_id));
    let position = accepted["position"].as_i64().expect("position");
    let business: Value = app
        .get(
            &format!("/api/v1/business?min_position={position}"),
            Some(&owner.token),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        business["opening_hours"],
        json!([
            {"weekday": "mon", "start": "09:00", "end": "18:00",
             "breaks": [{"start": "13:00", "end": "13:30"}]},
            {"weekday": "sat", "start": "10:00", "end": "16:00", "breaks": []},
        ])
    );
}

#[tokio::test]
async fn bad_opening_hours_are_refused_with_a_code_and_write_nothing() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let before = app.event_count().await;
    let monday = |start: &str, end: &str, breaks: Value| json!({"weekday": "mon", "start": start, "end": end, "breaks": breaks});
    let cases = [
        (
            opening_hours(json!([monday("18:00", "09:00", json!([]))])),
            "invalid_hours",
        ),
        (
            opening_hours(json!([
                monday("09:00", "18:00", json!([])),
                monday("10:00", "12:00", json!([])),
            ])),
            "overlapping_shifts",
        ),
        (
            opening_hours(json!([{"weekday": "funday", "start": "09:00", "end": "18:00"}])),
            "invalid_weekday",
        ),
        (
            opening_hours(json!([monday("9am", "18:00", json!([]))])),
            "invalid_time",
        ),
        (
            opening_hours(json!([monday(
                "09:00",
                "18:00",
                json!([{"start": "17:30", "end": "18:30"}])
            )])),
            "break_outside_hours",
        ),
        (
            opening_hours(json!([monday(
                "09:00",
                "18:00",
                json!([{"start": "12:00", "end": "13:00"}, {"start": "12:30", "end": "13:30"}])
            )])),
            "overlapping_breaks",
        ),
        (
            opening_hours(json!([{"weekday": "mon", "start": "09:00", "end": "18:00",
                                  "lunch": "13:00"}])),
            "invalid_body",
        ),
        (json!({"days": [], "timezone": "UTC"}), "invalid_body"),
        (json!({}), "invalid_body"),
    ];
    for (body, code) in cases {
        let response = app
            .put_json("/api/v1/business/opening-hours", Some(&owner.token), &body)
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn only_owners_and_managers_set_the_opening_hours() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let body = opening_hours(json!([{"weekday": "mon", "start": "09:00", "end": "18:00"}]));
    let before = app.event_count().await;
    for role in ["barber", "front_desk"] {
        let token = app.token_with_role(&owner, role).await;
        let response = app
            .put_json("/api/v1/business/opening-hours", Some(&token), &body)
            .await;
        assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
    assert_eq!(app.event_count().await, before);
    let manager = app.token_with_role(&owner, "manager").await;
    let response = app
        .put_json("/api/v1/business/opening-hours", Some(&manager), &body)
        .await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_retried_opening_hours_request_is_answered_once() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let before = app.event_count().await;
    let body = opening_hours(json!([{"weekday": "tue", "start": "09:00", "end": "18:00"}]));
    let put = || {
        app.client
            .put(app.url("/api/v1/business/opening-hours"))
            .bearer_auth(&owner.token)
            .header("idempotency-key", "hours-1")
            .json(&body)
            .send()
    };
    let first = put().await.expect("sent");
    assert_eq!(first.status(), StatusCode::OK);
    let first: Value = first.json().await.expect("json");
    let again = put().await.expect("sent");
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.expect("json"), first);
    assert_eq!(app.event_count().await, before + 1);
}

#[tokio::test]
async fn the_demo_shop_opens_when_its_barbers_work() {
    let app = spawn_app().await;
    let (stop, shutdown) = platform::shutdown::channel();
    let store = command::store::EventStore::start(app.env.pool.clone(), shutdown);
    barber::seed::seed(&app.env.config, &store)
        .await
        .expect("seeded");
    stop.trigger();
    let login: Value = app
        .post_json(
            "/api/v1/login",
            None,
            &json!({"email": barber::seed::DEMO_EMAIL, "password": barber::seed::DEMO_PASSWORD}),
        )
        .await
        .json()
        .await
        .expect("json");
    let token = login["token"].as_str().expect("token");
    let position: i64 = sqlx::query_scalar("select max(global_position) from events")
        .fetch_one(&app.env.pool)
        .await
        .expect("position");
    let business: Value = app
        .get(
            &format!("/api/v1/business?min_position={position}"),
            Some(token),
        )
        .await
        .json()
        .await
        .expect("json");
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "09:00", "end": "18:00", "breaks": []}))
        .collect();
    assert_eq!(business["opening_hours"], json!(days));
}

#[tokio::test]
async fn the_opening_hours_route_is_in_the_openapi_document() {
    let app = spawn_app().await;
    let doc: Value = app
        .get("/api/openapi.json", None)
        .await
        .json()
        .await
        .expect("json");
    assert!(
        doc["paths"]["/api/v1/business/opening-hours"]["put"].is_object(),
        "{}",
        doc["paths"]
    );
    assert!(doc["components"]["schemas"]["OpeningHoursRequest"].is_object());
}

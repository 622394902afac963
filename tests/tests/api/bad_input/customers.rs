//! The customer book; and query strings, which every list route reads.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{run, with, Fixture, Ids, Route};
use crate::helpers::{assert_problem, spawn_app};

/// What a customer's profile and details refuse, on registration and on change alike.
fn refuses_bad_profiles(route: Route, valid: &Value) -> Route {
    let but = |field: &str, value: Value| with(valid, field, value);
    route
        .body(valid.clone())
        .refuses(but("name", json!("")), 422, "invalid_name")
        .refuses(but("name", json!("x".repeat(201))), 422, "invalid_name")
        .refuses(but("phone", json!("0770")), 422, "invalid_phone")
        .refuses(but("phone", json!("+")), 422, "invalid_phone")
        .refuses(but("email", json!("rui@")), 422, "invalid_email")
        .refuses(but("notes", json!("x".repeat(5001))), 422, "notes_too_long")
        .refuses(but("tags", json!(["VIP!"])), 422, "invalid_tag")
        .refuses(but("tags", json!([""])), 422, "invalid_tag")
        .refuses(but("tags", json!(["x".repeat(41)])), 422, "invalid_tag")
        .refuses(
            but(
                "tags",
                json!((0..21).map(|i| format!("t{i}")).collect::<Vec<_>>()),
            ),
            422,
            "too_many_tags",
        )
        .refuses(but("preferences", json!([])), 422, "invalid_preferences")
        .refuses(
            but("preferences", json!("espresso")),
            422,
            "invalid_preferences",
        )
        .refuses(but("preferences", json!(42)), 422, "invalid_preferences")
        .refuses(
            but("preferences", json!({"notes": "x".repeat(9 << 10)})),
            422,
            "invalid_preferences",
        )
        // preferences are any JSON: a control character anywhere in them
        .refuses(
            but("preferences", json!({"dri\u{0}nk": "tea"})),
            422,
            "invalid_text",
        )
        .refuses(
            but("preferences", json!({"drink": "t\u{1b}ea"})),
            422,
            "invalid_text",
        )
        .refuses(
            but("preferences", json!({"a": {"b": [{"c\u{85}": 1}]}})),
            422,
            "invalid_text",
        )
        .refuses(
            but("preferences", json!({"a": [["x", "y\u{7f}"]]})),
            422,
            "invalid_text",
        )
        .refuses(but("marketing_consent", json!(null)), 422, "invalid_body")
        .refuses(but("marketing_consent", json!("yes")), 422, "invalid_body")
        .refuses(but("allow_duplicate", json!(null)), 422, "invalid_body")
}

pub fn routes(own: &Ids, _foreign: &Ids) -> Vec<Route> {
    // preferences take any JSON object, so they are not spoilt by type but case by case
    let customer = json!({"name": "Bo", "phone": "+447700900999", "email": "bo@fade.example",
        "notes": "likes a fade", "tags": ["vip", "beard"], "marketing_consent": true,
        "allow_duplicate": false});
    vec![
        refuses_bad_profiles(
            Route::new(Method::POST, "/api/v1/customers", own),
            &customer,
        ),
        refuses_bad_profiles(
            Route::new(Method::PATCH, "/api/v1/customers/{id}", own),
            &customer,
        ),
        Route::new(Method::POST, "/api/v1/customers/{id}/erase", own),
        // the fixture's only customer, merged into itself: every spoilt variant is refused
        // before that, and the body itself is refused too
        Route::new(Method::POST, "/api/v1/customers/{id}/merge", own)
            .body(json!({"duplicate_id": own.customer}))
            .refuses(
                json!({"duplicate_id": own.customer}),
                422,
                "merged_into_itself",
            ),
    ]
}

#[tokio::test]
async fn customer_routes_refuse_bad_input_and_write_nothing() {
    let f = Fixture::prepare().await;
    run(&f, routes(&f.own, &f.foreign)).await;
}

#[tokio::test]
async fn a_control_character_in_a_query_string_is_refused() {
    let f = Fixture::prepare().await;
    let paths = [
        "/api/v1/customers?q=%00".to_owned(),
        "/api/v1/customers?q=a%1Bb".to_owned(),
        "/api/v1/customers?tag=%C2%85".to_owned(),
        "/api/v1/customers?cursor=%7F".to_owned(),
        "/api/v1/services?cursor=%00".to_owned(),
        "/api/v1/staff?cursor=%07".to_owned(),
        "/api/v1/appointments?status=%00".to_owned(),
        "/api/v1/customers?q%00=x".to_owned(),
        format!("/api/v1/customers/{}?min_position=%00", f.own.customer),
    ];
    for path in paths {
        let response = f.app.get(&path, Some(&f.token)).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_text").await;
    }
}

#[tokio::test]
async fn line_breaks_and_tabs_in_a_note_are_kept() {
    let app = spawn_app().await;
    let owner = app.owner("notes-shop").await;
    let response = app
        .post_json(
            "/api/v1/customers",
            Some(&owner.token),
            &json!({"name": "Ana", "notes": "likes a fade\nno talking\tplease"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

//! The service catalog.

use reqwest::Method;
use serde_json::{json, Value};

use super::{run, with, Fixture, Ids, Route};

/// What a service's definition refuses, on creation and on change alike.
fn refuses_bad_definitions(route: Route, valid: &Value) -> Route {
    let but = |field: &str, value: Value| with(valid, field, value);
    route
        .refuses(but("name", json!("")), 422, "invalid_name")
        .refuses(but("name", json!("  ")), 422, "invalid_name")
        .refuses(but("name", json!("x".repeat(201))), 422, "invalid_name")
        .refuses(
            but("category", json!("x".repeat(101))),
            422,
            "invalid_category",
        )
        .refuses(but("duration_minutes", json!(0)), 422, "invalid_duration")
        .refuses(but("duration_minutes", json!(7)), 422, "invalid_duration")
        .refuses(but("duration_minutes", json!(485)), 422, "invalid_duration")
        .refuses(but("duration_minutes", json!(-30)), 422, "invalid_duration")
        .refuses(but("buffer_minutes", json!(7)), 422, "invalid_buffer")
        .refuses(but("buffer_minutes", json!(-5)), 422, "invalid_buffer")
        .refuses(but("buffer_minutes", json!(125)), 422, "invalid_buffer")
}

pub fn routes(own: &Ids, _foreign: &Ids) -> Vec<Route> {
    let new = json!({"name": "Beard trim", "category": "Beard", "duration_minutes": 30,
        "price_cents": 1500, "buffer_minutes": 5});
    let change = json!({"name": "Beard trim", "category": "Beard", "duration_minutes": 45,
        "buffer_minutes": 10});
    vec![
        refuses_bad_definitions(Route::new(Method::POST, "/api/v1/services", own), &new)
            .body(new.clone())
            .refuses(with(&new, "price_cents", json!(-1)), 422, "invalid_price")
            .refuses(
                with(&new, "price_cents", json!(100_000_000_001_i64)),
                422,
                "invalid_price",
            ),
        refuses_bad_definitions(
            Route::new(Method::PATCH, "/api/v1/services/{id}", own),
            &change,
        )
        .body(change.clone())
        .refuses(json!({"price_cents": 100}), 422, "invalid_body"),
        Route::new(Method::PUT, "/api/v1/services/{id}/price", own)
            .body(json!({"price_cents": 2000}))
            .refuses(json!({"price_cents": -1}), 422, "invalid_price")
            .refuses(
                json!({"price_cents": 100_000_000_001_i64}),
                422,
                "invalid_price",
            )
            .refuses(json!({"price_cents": null}), 422, "invalid_body")
            .refuses(json!({}), 422, "invalid_body"),
        Route::new(Method::POST, "/api/v1/services/{id}/retire", own),
    ]
}

#[tokio::test]
async fn service_routes_refuse_bad_input_and_write_nothing() {
    let f = Fixture::prepare().await;
    run(&f, routes(&f.own, &f.foreign)).await;
}

//! The webhook routes' rows: register an endpoint, remove it, send a delivery again.

use reqwest::Method;
use serde_json::json;

use super::{run, with, Fixture, Ids, Route};

pub fn routes(own: &Ids, _foreign: &Ids) -> Vec<Route> {
    let valid = json!({"url": "https://93.184.216.34/hook", "event_types": ["appointment.booked"]});
    let but = |field: &str, value: serde_json::Value| with(&valid, field, value);
    vec![
        Route::new(Method::POST, "/api/v1/webhooks", own)
            .body(valid.clone())
            .refuses(
                but("url", json!("http://93.184.216.34/hook")),
                422,
                "invalid_webhook_url",
            )
            .refuses(
                but("url", json!("https://127.0.0.1/hook")),
                422,
                "invalid_webhook_url",
            )
            .refuses(but("event_types", json!([])), 422, "unknown_event_type")
            .refuses(
                but("event_types", json!(["appointment.exploded"])),
                422,
                "unknown_event_type",
            ),
        Route::new(Method::DELETE, "/api/v1/webhooks/{id}", own),
        Route::new(
            Method::POST,
            "/api/v1/webhooks/deliveries/{id}/redeliver",
            own,
        ),
    ]
}

#[tokio::test]
async fn the_webhook_routes_refuse_bad_input_and_write_nothing() {
    let f = Fixture::prepare().await;
    run(&f, routes(&f.own, &f.foreign)).await;
}

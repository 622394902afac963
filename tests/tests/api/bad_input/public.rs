//! The public booking page's commands (no login) and the business's online booking setting.

use reqwest::Method;
use serde_json::json;

use super::{on_day, run, with, Fixture, Ids, Route};

/// A route of the prepared shop's public page, `{slug}` filled with its address.
fn page(method: Method, template: &'static str, own: &Ids, path: &str) -> Route {
    let mut route = Route::new(method, template, own).public();
    route.path = path.to_owned();
    route
}

pub fn routes(own: &Ids, _foreign: &Ids) -> Vec<Route> {
    let booking = json!({"service_id": own.service, "staff_id": own.staff,
        "starts_at": on_day(12, "10:00:00Z"), "name": "Ana Online", "phone": "+447700900555",
        "email": "ana@online.example", "marketing_consent": false});
    let but = |field: &str, value: serde_json::Value| with(&booking, field, value);
    let token = "0".repeat(64);
    vec![
        Route::new(Method::PUT, "/api/v1/business/profile", own)
            .body(json!({"address": "1 High St", "logo_url": "https://fade.example/logo.png"}))
            .refuses(
                json!({"logo_url": "http://fade.example/logo.png"}),
                422,
                "invalid_logo_url",
            )
            .refuses(json!({"address": "x".repeat(501)}), 422, "invalid_address"),
        Route::new(Method::PUT, "/api/v1/business/online-booking", own)
            .body(json!({"enabled": true, "service_ids": [own.service], "staff_ids": [own.staff]}))
            .refuses(json!({"enabled": "yes"}), 422, "invalid_body")
            .refuses(json!({"service_ids": []}), 422, "invalid_body"),
        page(
            Method::POST,
            "/api/v1/public/{slug}/bookings",
            own,
            "/api/v1/public/fade-street/bookings",
        )
        .body(booking.clone())
        .refuses(but("phone", json!("call me")), 422, "invalid_phone")
        .refuses(but("email", json!("ana@")), 422, "invalid_email")
        .refuses(but("name", json!(" ")), 422, "invalid_name")
        .refuses(
            but("starts_at", json!(on_day(12, "10:03:00Z"))),
            422,
            "off_grid",
        )
        .refuses(
            but("starts_at", json!(on_day(-2, "10:00:00Z"))),
            422,
            "booking_in_the_past",
        )
        .refuses(but("starts_at", json!("tomorrow")), 422, "invalid_body")
        .with(
            page(
                Method::POST,
                "/api/v1/public/{slug}/bookings",
                own,
                "/api/v1/public/no-such-shop/bookings",
            )
            .request("a slug nobody has")
            .json(booking.clone())
            .expect(404, "business_not_found"),
        ),
        page(
            Method::POST,
            "/api/v1/public/bookings/{token}/cancel",
            own,
            &format!("/api/v1/public/bookings/{token}/cancel"),
        )
        .optional_body(json!({"reason": "cannot make it"}))
        .refuses(json!({"reason": "why"}), 404, "booking_not_found"),
        page(
            Method::POST,
            "/api/v1/public/bookings/{token}/reschedule",
            own,
            &format!("/api/v1/public/bookings/{token}/reschedule"),
        )
        .body(json!({"starts_at": on_day(13, "10:00:00Z")}))
        .refuses(
            json!({"starts_at": on_day(13, "10:00:00Z")}),
            404,
            "booking_not_found",
        ),
    ]
}

#[tokio::test]
async fn the_public_commands_refuse_bad_input_and_write_nothing() {
    let f = Fixture::prepare().await;
    run(&f, routes(&f.own, &f.foreign)).await;
}

//! Booking, moving and the status workflow of appointments.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::{on_day, run, with, Fixture, Ids, Route};
use crate::booking::{book, shop, utc_day_at};
use crate::helpers::spawn_app;

/// Instants a booking or a move refuses, whatever else is right: off the grid, with seconds or
/// fractions (422 `off_grid`); not RFC 3339 at all (422 `invalid_body`).
fn refuses_bad_starts(mut route: Route, valid: &Value) -> Route {
    for off_grid in [
        "10:03:00Z",
        "10:00:30Z",
        "14:00:00.000000001Z",
        "10:00:00.5+00:00",
    ] {
        route = route.refuses(
            with(valid, "starts_at", json!(on_day(10, off_grid))),
            422,
            "off_grid",
        );
    }
    for not_an_instant in [
        "2026-12-01 10:00",
        "2026-12-01T10:00:00",
        "2026-02-30T10:00:00Z",
        "tomorrow",
        "",
    ] {
        route = route.refuses(
            with(valid, "starts_at", json!(not_an_instant)),
            422,
            "invalid_body",
        );
    }
    route
        .refuses(
            with(valid, "starts_at", json!(on_day(-2, "10:00:00Z"))),
            422,
            "booking_in_the_past",
        )
        .refuses(
            with(valid, "starts_at", json!("9999-12-31T10:00:00Z")),
            422,
            "beyond_booking_horizon",
        )
        .refuses(
            with(valid, "starts_at", json!("+10000-01-01T00:00:00Z")),
            422,
            "beyond_booking_horizon",
        )
        .refuses(
            with(valid, "starts_at", json!(on_day(10, "20:00:00Z"))),
            422,
            "outside_working_hours",
        )
        // the time off on day 5
        .refuses(
            with(valid, "starts_at", json!(on_day(5, "09:00:00Z"))),
            422,
            "during_time_off",
        )
}

pub fn routes(own: &Ids, _foreign: &Ids) -> Vec<Route> {
    let booking = json!({"customer_id": own.customer, "staff_id": own.staff,
        "service_id": own.service, "starts_at": on_day(10, "11:00:00Z"), "source": "phone"});
    let moving = json!({"starts_at": on_day(11, "11:00:00Z"), "staff_id": own.staff});
    let bodiless = |path| Route::new(Method::POST, path, own);
    vec![
        refuses_bad_starts(
            Route::new(Method::POST, "/api/v1/appointments", own),
            &booking,
        )
        .body(booking.clone())
        .refuses(with(&booking, "source", json!("fax")), 422, "invalid_body")
        .refuses(
            with(&booking, "starts_at", json!(on_day(3, "10:00:00Z"))),
            409,
            "slot_taken",
        ),
        refuses_bad_starts(
            Route::new(Method::POST, "/api/v1/appointments/{id}/reschedule", own),
            &moving,
        )
        .body(moving.clone()),
        bodiless("/api/v1/appointments/{id}/confirm"),
        // the appointment is three days ahead
        bodiless("/api/v1/appointments/{id}/check-in").refuses_bare(
            "months early",
            409,
            "too_early_for_check_in",
        ),
        bodiless("/api/v1/appointments/{id}/start").refuses_bare(
            "before check-in",
            409,
            "appointment_not_checked_in",
        ),
        bodiless("/api/v1/appointments/{id}/no-show").refuses_bare(
            "before the start",
            409,
            "too_early_for_no_show",
        ),
        Route::new(Method::POST, "/api/v1/appointments/{id}/complete", own)
            .body(json!({"amount_paid_cents": 2500, "tip_cents": 200, "payment_method": "card"}))
            .refuses(
                json!({"amount_paid_cents": 2500, "payment_method": "bitcoin"}),
                422,
                "invalid_body",
            )
            .refuses(json!({"amount_paid_cents": 2500}), 422, "invalid_body")
            .refuses(
                json!({"amount_paid_cents": 2500, "payment_method": "card"}),
                409,
                "appointment_not_in_service",
            ),
        Route::new(Method::POST, "/api/v1/appointments/{id}/cancel", own)
            .optional_body(json!({"reason": "flu"}))
            .refuses(json!({"reason": "x".repeat(501)}), 422, "reason_too_long"),
        Route::new(Method::POST, "/api/v1/appointments/{id}/notes", own)
            .body(json!({"text": "likes it short"}))
            .refuses(json!({"text": ""}), 422, "invalid_note")
            .refuses(json!({"text": " \n "}), 422, "invalid_note")
            .refuses(json!({"text": "x".repeat(2001)}), 422, "invalid_note")
            .refuses(json!({}), 422, "invalid_body"),
        Route::new(Method::POST, "/api/v1/appointments/{id}/service", own)
            .body(json!({"service_id": own.service, "price_cents": 2000}))
            .refuses(
                json!({"service_id": own.service, "price_cents": -1}),
                422,
                "invalid_price",
            )
            .refuses(
                json!({"service_id": own.service, "price_cents": 100_000_000_001_i64}),
                422,
                "invalid_price",
            )
            .refuses(json!({"price_cents": 100}), 422, "invalid_body"),
    ]
}

#[tokio::test]
async fn appointment_routes_refuse_bad_input_and_write_nothing() {
    let f = Fixture::prepare().await;
    run(&f, routes(&f.own, &f.foreign)).await;
}

#[tokio::test]
async fn after_an_off_grid_refusal_the_grid_books_and_the_next_slot_is_free_to_the_second() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let refused = book(&app, &shop, &on_day(4, "10:00:00.000000001Z")).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        book(&app, &shop, &utc_day_at(4, 10, 0)).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        book(&app, &shop, &utc_day_at(4, 10, 30)).await.status(),
        StatusCode::CREATED
    );
}

//! The business's settings, booking policy and opening hours.

use reqwest::Method;
use serde_json::{json, Value};

use super::staff::refuses_bad_weeks;
use super::{run, with, Fixture, Ids, Route};

pub fn routes(own: &Ids, foreign: &Ids) -> Vec<Route> {
    let policy = json!({"min_lead_minutes": 60, "max_advance_days": 730,
        "cancellation_window_minutes": 1440, "default_buffer_minutes": 0,
        "reminder_offsets_minutes": [1440], "allow_customer_overlap": false,
        "check_in_opens_minutes": 60});
    let but = |field: &str, value: Value| with(&policy, field, value);
    vec![
        Route::new(Method::PATCH, "/api/v1/business", own)
            .body(
                json!({"name": "Fade Street", "timezone": "UTC", "currency": "USD",
                "country": "GB"}),
            )
            // an appointment lies ahead: an unknown zone is still the answer
            .refuses(json!({"timezone": "Mars/Olympus"}), 422, "invalid_timezone")
            .refuses(json!({"timezone": "utc+1"}), 422, "invalid_timezone")
            .refuses(
                json!({"timezone": "Europe/London"}),
                409,
                "timezone_has_bookings",
            )
            .refuses(json!({"currency": "pounds"}), 422, "invalid_currency")
            .refuses(json!({"currency": ""}), 422, "invalid_currency")
            .refuses(json!({"currency": "XYZ"}), 422, "invalid_currency")
            // the fixture's service is priced: a new currency needs its new price
            .refuses(json!({"currency": "EUR"}), 409, "services_need_new_prices")
            .refuses(
                json!({"currency": "EUR", "prices": {own.service.to_string(): -1}}),
                422,
                "invalid_price",
            )
            .refuses(
                json!({"currency": "EUR", "prices": {own.service.to_string(): 100,
                                                      foreign.service.to_string(): 100}}),
                404,
                "service_not_found",
            )
            .refuses(
                json!({"prices": {own.service.to_string(): 100}}),
                422,
                "prices_without_new_currency",
            )
            .refuses(json!({"country": "UK"}), 422, "invalid_country")
            .refuses(json!({"country": "G"}), 422, "invalid_country")
            .refuses(json!({"name": ""}), 422, "invalid_business_name"),
        Route::new(Method::PUT, "/api/v1/business/booking-policy", own)
            .body(policy.clone())
            .refuses(
                but("min_lead_minutes", json!(10081)),
                422,
                "invalid_lead_time",
            )
            .refuses(
                but("max_advance_days", json!(0)),
                422,
                "invalid_booking_horizon",
            )
            .refuses(
                but("max_advance_days", json!(731)),
                422,
                "invalid_booking_horizon",
            )
            .refuses(
                but("cancellation_window_minutes", json!(43201)),
                422,
                "invalid_cancellation_window",
            )
            .refuses(
                but("default_buffer_minutes", json!(7)),
                422,
                "invalid_buffer",
            )
            .refuses(
                but("default_buffer_minutes", json!(125)),
                422,
                "invalid_buffer",
            )
            .refuses(
                but("reminder_offsets_minutes", json!([5, 10, 15, 20, 25, 30])),
                422,
                "invalid_reminder_offsets",
            )
            .refuses(
                but("reminder_offsets_minutes", json!([0])),
                422,
                "invalid_reminder_offsets",
            )
            .refuses(
                but("reminder_offsets_minutes", json!([10081])),
                422,
                "invalid_reminder_offsets",
            )
            .refuses(
                but("check_in_opens_minutes", json!(241)),
                422,
                "invalid_check_in_window",
            )
            .refuses(but("min_lead_minutes", json!(null)), 422, "invalid_body")
            // beyond u32
            .refuses(
                but("max_advance_days", json!(4_294_967_296_u64)),
                422,
                "invalid_body",
            )
            .refuses(json!({"min_lead_minutes": 60}), 422, "invalid_body"),
        refuses_bad_weeks(Route::new(
            Method::PUT,
            "/api/v1/business/opening-hours",
            own,
        )),
    ]
}

#[tokio::test]
async fn business_routes_refuse_bad_input_and_write_nothing() {
    let f = Fixture::prepare().await;
    run(&f, routes(&f.own, &f.foreign)).await;
}

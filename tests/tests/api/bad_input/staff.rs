//! Staff: members, their weeks, time off and services.

use reqwest::Method;
use serde_json::{json, Value};

use super::{on_day, run, with, Fixture, Ids, Route};

/// A week of one day, `start` to `end` with `breaks`.
fn week(start: &str, end: &str, breaks: Value) -> Value {
    json!({"days": [{"weekday": "mon", "start": start, "end": end, "breaks": breaks}]})
}

/// What a week of working or opening hours refuses: both take the same shape and give the same
/// codes. `route` gets a valid week as its body.
pub fn refuses_bad_weeks(route: Route) -> Route {
    let lunch = json!([{"start": "13:00", "end": "13:30"}]);
    let shift = |start: &str, end: &str| json!({"weekday": "tue", "start": start, "end": end});
    let mut route = route
        .body(week("09:00", "18:00", lunch.clone()))
        .refuses(
            json!({"days": [{"weekday": "someday", "start": "09:00", "end": "18:00"}]}),
            422,
            "invalid_weekday",
        )
        .refuses(
            json!({"days": [{"weekday": "Monday", "start": "09:00", "end": "18:00"}]}),
            422,
            "invalid_weekday",
        )
        .refuses(week("18:00", "09:00", json!([])), 422, "invalid_hours")
        .refuses(week("09:00", "09:00", json!([])), 422, "invalid_hours")
        .refuses(
            week("09:00", "18:00", json!([{"start": "08:00", "end": "08:30"}])),
            422,
            "break_outside_hours",
        )
        .refuses(
            week("09:00", "18:00", json!([{"start": "13:30", "end": "13:00"}])),
            422,
            "invalid_break",
        )
        .refuses(
            week(
                "09:00",
                "18:00",
                json!([{"start": "13:00", "end": "14:00"}, {"start": "13:30", "end": "14:30"}]),
            ),
            422,
            "overlapping_breaks",
        )
        .refuses(
            json!({"days": [shift("09:00", "12:00"), shift("11:00", "15:00")]}),
            422,
            "overlapping_shifts",
        )
        .refuses(
            json!({"days": [shift("01:00", "02:00"), shift("03:00", "04:00"),
                shift("05:00", "06:00"), shift("07:00", "08:00"), shift("09:00", "10:00")]}),
            422,
            "too_many_shifts",
        )
        .refuses(
            week(
                "00:00",
                "24:00",
                (0..11)
                    .map(|h| json!({"start": format!("{:02}:00", h + 1), "end": format!("{:02}:30", h + 1)}))
                    .collect(),
            ),
            422,
            "too_many_breaks",
        )
        .refuses(json!({"days": null}), 422, "invalid_body")
        .refuses(json!({}), 422, "invalid_body");
    // times off the 5-minute grid, with seconds, or not times at all
    for time in [
        "10:03", "09:00:30", "9:00", "25:00", "24:05", "-1:00", "noon", "",
    ] {
        route = route.refuses(week(time, "18:00", json!([])), 422, "invalid_time");
    }
    route
}

pub fn routes(own: &Ids, foreign: &Ids) -> Vec<Route> {
    let member = json!({"name": "Jo", "role": "barber", "email": "jo@fade.example",
        "phone": "+447700900456"});
    let time_off = json!({"starts_at": on_day(20, "09:00:00Z"), "ends_at": on_day(20, "12:00:00Z"),
        "reason": "dentist", "bookings": {"action": "cancel", "reason": "the barber is away"}});
    let off =
        |starts_at: String, ends_at: String| json!({"starts_at": starts_at, "ends_at": ends_at});
    let mut away = Route::new(Method::POST, "/api/v1/staff/{id}/time-off", own)
        .body(time_off.clone())
        .refuses(
            off(on_day(-3, "09:00:00Z"), on_day(-2, "09:00:00Z")),
            422,
            "time_off_in_the_past",
        )
        .refuses(
            off(on_day(800, "09:00:00Z"), on_day(801, "09:00:00Z")),
            422,
            "time_off_too_far_ahead",
        )
        .refuses(
            off("9999-01-01T00:00:00Z".into(), "9999-01-02T00:00:00Z".into()),
            422,
            "time_off_too_far_ahead",
        )
        .refuses(
            off(on_day(3, "09:00:00Z"), on_day(100, "09:00:00Z")),
            422,
            "invalid_time_off",
        )
        .refuses(
            off(on_day(20, "12:00:00Z"), on_day(20, "09:00:00Z")),
            422,
            "invalid_time_off",
        )
        .refuses(
            with(&time_off, "reason", json!("x".repeat(501))),
            422,
            "reason_too_long",
        )
        .refuses(
            with(&time_off, "bookings", json!({"action": "fire"})),
            422,
            "invalid_body",
        )
        // over the appointment booked on day 3, without saying what to do with it
        .refuses(
            off(on_day(3, "09:00:00Z"), on_day(3, "12:00:00Z")),
            409,
            "bookings_in_the_way",
        );
    for starts_at in ["10:03:00Z", "10:00:30Z", "14:00:00.000000001Z"] {
        away = away
            .refuses(
                off(on_day(20, starts_at), on_day(20, "16:00:00Z")),
                422,
                "off_grid",
            )
            .refuses(
                off(on_day(20, "08:00:00Z"), on_day(20, starts_at)),
                422,
                "off_grid",
            );
    }
    for not_an_instant in [
        "2026-12-01 10:00",
        "tomorrow",
        "2026-02-30T10:00:00Z",
        "10:00",
    ] {
        away = away.refuses(
            off(not_an_instant.into(), on_day(20, "16:00:00Z")),
            422,
            "invalid_body",
        );
    }
    let but = |field: &str, value: Value| with(&member, field, value);
    let profile = |route: Route| {
        route
            .body(member.clone())
            .refuses(but("name", json!("")), 422, "invalid_name")
            .refuses(but("name", json!("x".repeat(201))), 422, "invalid_name")
            .refuses(but("role", json!("boss")), 422, "invalid_role")
            .refuses(but("role", json!("Owner")), 422, "invalid_role")
            .refuses(but("email", json!("jo@")), 422, "invalid_email")
            .refuses(but("phone", json!("0770")), 422, "invalid_phone")
            .refuses(
                but("phone", json!("+44 77 00 90 04 56 99 99 99")),
                422,
                "invalid_phone",
            )
    };
    vec![
        profile(Route::new(Method::POST, "/api/v1/staff", own)),
        profile(Route::new(Method::PATCH, "/api/v1/staff/{id}", own)),
        Route::new(Method::POST, "/api/v1/staff/{id}/deactivate", own)
            .optional_body(json!({"bookings": {"action": "cancel", "reason": "gone"}}))
            .refuses(json!({"bookings": {"action": "fire"}}), 422, "invalid_body")
            .refuses(
                json!({"bookings": {"action": "cancel", "reason": "x".repeat(501)}}),
                422,
                "reason_too_long",
            )
            // the appointment on day 3 is in the way
            .refuses(json!({}), 409, "bookings_in_the_way"),
        Route::new(Method::POST, "/api/v1/staff/{id}/reactivate", own),
        refuses_bad_weeks(Route::new(
            Method::PUT,
            "/api/v1/staff/{id}/working-hours",
            own,
        )),
        away,
        Route::new(
            Method::DELETE,
            "/api/v1/staff/{id}/time-off/{time_off_id}",
            own,
        ),
        Route::new(Method::PUT, "/api/v1/staff/{id}/daily-agenda", own)
            .body(json!({"wanted": false}))
            .refuses(json!({"wanted": true}), 422, "agenda_needs_email"),
        Route::new(Method::PUT, "/api/v1/staff/{id}/services", own)
            .body(json!({"service_ids": null}))
            .refuses(
                json!({"service_ids": [uuid::Uuid::new_v4()]}),
                422,
                "unknown_service",
            )
            .refuses(
                json!({"service_ids": (0..201).map(|_| uuid::Uuid::new_v4()).collect::<Vec<_>>()}),
                422,
                "too_many_services",
            )
            .refuses(
                json!({"service_ids": [foreign.service]}),
                422,
                "unknown_service",
            )
            .refuses(json!({"service_ids": ["not-a-uuid"]}), 422, "invalid_body")
            .refuses(
                json!({"service_ids": [own.service, 7]}),
                422,
                "invalid_body",
            )
            .refuses(json!({}), 422, "invalid_body"),
    ]
}

#[tokio::test]
async fn staff_routes_refuse_bad_input_and_write_nothing() {
    let f = Fixture::prepare().await;
    run(&f, routes(&f.own, &f.foreign)).await;
}

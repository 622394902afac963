//! Booking over HTTP: the slot rules, the policy window, daylight-saving days, the workflow, and
//! the proof that concurrent requests never double-book.

use chrono::{Duration, NaiveTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_problem, spawn_app, Owner, TestApp};

/// A business with one barber (every day 09:00–17:00, break 13:00–13:30 local), one 30-minute
/// service and one customer.
pub struct Shop {
    pub owner: Owner,
    pub staff_id: Uuid,
    pub service_id: Uuid,
    pub customer_id: Uuid,
}

pub async fn shop(app: &TestApp, timezone: &str, buffer_minutes: u32) -> Shop {
    shop_named(app, "fade-street", timezone, buffer_minutes).await
}

/// [`shop`] under the address `slug`, for a test with more than one business.
pub async fn shop_named(app: &TestApp, slug: &str, timezone: &str, buffer_minutes: u32) -> Shop {
    let owner = app.owner(slug).await;
    let settings = app
        .patch_json(
            "/api/v1/business",
            Some(&owner.token),
            &json!({"timezone": timezone}),
        )
        .await;
    assert!(settings.status().is_success());
    let policy = json!({"min_lead_minutes": 60, "max_advance_days": 730,
        "cancellation_window_minutes": 1440, "default_buffer_minutes": 0,
        "reminder_offsets_minutes": [1440]});
    let set = app
        .put_json(
            "/api/v1/business/booking-policy",
            Some(&owner.token),
            &policy,
        )
        .await;
    assert!(set.status().is_success());
    let (service_id, _) = app
        .create_service(
            &owner.token,
            &json!({"name": "Skin fade", "duration_minutes": 30, "price_cents": 2500,
                    "buffer_minutes": buffer_minutes}),
        )
        .await;
    let (staff_id, _) = app
        .add_staff(&owner.token, &json!({"name": "Rui", "role": "barber"}))
        .await;
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| {
            json!({"weekday": d, "start": "09:00", "end": "17:00",
                        "breaks": [{"start": "13:00", "end": "13:30"}]})
        })
        .collect();
    let hours = app
        .put_json(
            &format!("/api/v1/staff/{staff_id}/working-hours"),
            Some(&owner.token),
            &json!({ "days": days }),
        )
        .await;
    assert_eq!(hours.status(), StatusCode::OK);
    let (customer_id, _) = app
        .register_customer(&owner.token, &json!({"name": "Ana"}))
        .await;
    Shop {
        owner,
        staff_id,
        service_id,
        customer_id,
    }
}

/// Another barber of `shop`, working every day from 09:00 to `until` (local).
pub async fn another_barber(app: &TestApp, shop: &Shop, name: &str, until: &str) -> Uuid {
    let (staff_id, _) = app
        .add_staff(&shop.owner.token, &json!({"name": name, "role": "barber"}))
        .await;
    work_every_day(app, shop, staff_id, until).await;
    staff_id
}

/// Barber `staff_id` works every day from 09:00 to `until` (local), without breaks.
pub async fn work_every_day(app: &TestApp, shop: &Shop, staff_id: Uuid, until: &str) {
    work_every_day_from(app, shop, staff_id, "09:00", until).await;
}

/// Barber `staff_id` works every day from `start` to `until` (local), without breaks.
pub async fn work_every_day_from(
    app: &TestApp,
    shop: &Shop,
    staff_id: Uuid,
    start: &str,
    until: &str,
) {
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": start, "end": until}))
        .collect();
    let hours = app
        .put_json(
            &format!("/api/v1/staff/{staff_id}/working-hours"),
            Some(&shop.owner.token),
            &json!({ "days": days }),
        )
        .await;
    assert_eq!(hours.status(), StatusCode::OK);
}

/// The shop's barber works every day from 00:00 to 23:55, so a slot "soon" is in working hours
/// whenever the test runs.
pub async fn round_the_clock(app: &TestApp, shop: &Shop) {
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "23:55"}))
        .collect();
    let hours = app
        .put_json(
            &format!("/api/v1/staff/{}/working-hours", shop.staff_id),
            Some(&shop.owner.token),
            &json!({ "days": days }),
        )
        .await;
    assert_eq!(hours.status(), StatusCode::OK);
}

/// The first 5-minute mark at least `minutes` from now, RFC 3339 UTC; `None` when it falls on
/// another UTC date than now, or in the day's last hour (a test that needs "today" then skips).
pub fn soon(minutes: i64) -> Option<String> {
    let now = Utc::now();
    let at = (now + Duration::minutes(minutes)).timestamp();
    let mark = chrono::DateTime::from_timestamp(at + 300 - at.rem_euclid(300), 0)?;
    let late = mark.format("%H").to_string() == "23";
    (mark.date_naive() == now.date_naive() && !late).then(|| mark.to_rfc3339())
}

/// `days` from today at `hh:mm` UTC, RFC 3339.
pub fn utc_day_at(days: i64, hh: u32, mm: u32) -> String {
    let date = (Utc::now() + Duration::days(days)).date_naive();
    let time = NaiveTime::from_hms_opt(hh, mm, 0).expect("time");
    format!("{}Z", date.and_time(time).format("%Y-%m-%dT%H:%M:%S"))
}

pub async fn book(app: &TestApp, shop: &Shop, starts_at: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/appointments",
        Some(&shop.owner.token),
        &json!({"customer_id": shop.customer_id, "staff_id": shop.staff_id,
                "service_id": shop.service_id, "starts_at": starts_at}),
    )
    .await
}

#[tokio::test]
async fn a_free_slot_is_booked_and_an_overlapping_one_is_taken() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let booked = book(&app, &shop, &utc_day_at(3, 10, 0)).await;
    assert_eq!(booked.status(), StatusCode::CREATED);
    let body: Value = booked.json().await.expect("json");
    assert!(body["id"].is_string() && body["position"].is_i64());
    assert_problem(
        book(&app, &shop, &utc_day_at(3, 10, 15)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    // touching is not overlapping
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 10, 30)).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 9, 30)).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_requests_for_overlapping_slots_book_exactly_one() {
    let app = std::sync::Arc::new(spawn_app().await);
    let shop = std::sync::Arc::new(shop(&app, "UTC", 0).await);
    let tasks: Vec<_> = (0..50)
        .map(|n| {
            let (app, shop) = (app.clone(), shop.clone());
            // starts 10:00..10:25: every pair overlaps a 30-minute service
            let starts_at = utc_day_at(4, 10, 5 * (n % 6));
            tokio::spawn(async move {
                let response = book(&app, &shop, &starts_at).await;
                let status = response.status();
                let body: Value = response.json().await.expect("json");
                (status, body)
            })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        let (status, body) = task.await.expect("task");
        match status {
            StatusCode::CREATED => created += 1,
            StatusCode::CONFLICT => assert_eq!(body["code"], "slot_taken", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(created, 1);
    let appointments: i64 = sqlx::query_scalar(
        "select count(*) from events where aggregate_type = 'appointment' and event_type = 'AppointmentBooked'",
    )
    .fetch_one(&app.env.pool)
    .await
    .expect("count");
    assert_eq!(appointments, 1);
}

#[tokio::test]
async fn slots_outside_hours_in_a_break_or_outside_the_policy_window_are_refused() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let before = app.event_count().await;
    let cases = [
        (
            utc_day_at(3, 8, 45),
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_working_hours",
        ),
        (
            utc_day_at(3, 16, 45),
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_working_hours",
        ),
        (
            utc_day_at(3, 12, 45),
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_working_hours",
        ),
        (
            utc_day_at(-1, 10, 0),
            StatusCode::UNPROCESSABLE_ENTITY,
            "booking_in_the_past",
        ),
        (
            utc_day_at(800, 10, 0),
            StatusCode::UNPROCESSABLE_ENTITY,
            "beyond_booking_horizon",
        ),
    ];
    for (starts_at, status, code) in cases {
        assert_problem(book(&app, &shop, &starts_at).await, status, code).await;
    }
    // 20 to 25 minutes from now, on the 5-minute grid: inside the 60-minute lead time
    let in_twenty = (Utc::now() + Duration::minutes(20)).timestamp();
    let soon = chrono::DateTime::from_timestamp(in_twenty + 300 - in_twenty.rem_euclid(300), 0)
        .expect("instant")
        .to_rfc3339();
    let online = app
        .post_json(
            "/api/v1/appointments",
            Some(&shop.owner.token),
            &json!({"customer_id": shop.customer_id, "staff_id": shop.staff_id,
                    "service_id": shop.service_id, "starts_at": soon, "source": "online"}),
        )
        .await;
    assert_problem(online, StatusCode::UNPROCESSABLE_ENTITY, "inside_lead_time").await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn the_front_desk_and_the_phone_may_book_inside_the_lead_time_but_a_customer_online_may_not()
{
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    // the barber works around the clock here, so "soon" is always in working hours
    round_the_clock(&app, &shop).await;
    let mark = |minutes: i64| {
        let at = (Utc::now() + Duration::minutes(minutes)).timestamp();
        chrono::DateTime::from_timestamp(at + 300 - at.rem_euclid(300), 0)
            .expect("instant")
            .to_rfc3339()
    };
    let send = |starts_at: String, source: &'static str| {
        let body = json!({"customer_id": shop.customer_id, "staff_id": shop.staff_id,
            "service_id": shop.service_id, "starts_at": starts_at, "source": source});
        let app = &app;
        let token = shop.owner.token.clone();
        async move {
            app.post_json("/api/v1/appointments", Some(&token), &body)
                .await
        }
    };
    // both inside the 60-minute lead time; in the day's last hour a slot could run past
    // 23:55, so then nothing is asserted
    let (first, second) = (mark(20), mark(50));
    if first.contains("T23:") || second.contains("T23:") {
        return;
    }
    assert_problem(
        send(first.clone(), "online").await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "inside_lead_time",
    )
    .await;
    assert_eq!(
        send(first, "front_desk").await.status(),
        StatusCode::CREATED
    );
    assert_eq!(send(second, "phone").await.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn unknown_or_foreign_ids_and_bad_bodies_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let other = app.owner("other-shop").await;
    let (foreign_customer, _) = app
        .register_customer(&other.token, &json!({"name": "Zed"}))
        .await;
    let before = app.event_count().await;
    let starts_at = utc_day_at(3, 10, 0);
    let with = |field: &str, value: Value| {
        let mut body = json!({"customer_id": shop.customer_id, "staff_id": shop.staff_id,
                              "service_id": shop.service_id, "starts_at": starts_at});
        body[field] = value;
        body
    };
    let cases = [
        (
            with("customer_id", json!(foreign_customer)),
            StatusCode::NOT_FOUND,
            "customer_not_found",
        ),
        (
            with("customer_id", json!(Uuid::new_v4())),
            StatusCode::NOT_FOUND,
            "customer_not_found",
        ),
        (
            with("staff_id", json!(Uuid::new_v4())),
            StatusCode::NOT_FOUND,
            "staff_not_found",
        ),
        (
            with("service_id", json!(Uuid::new_v4())),
            StatusCode::NOT_FOUND,
            "service_not_found",
        ),
        (
            with("starts_at", json!("tomorrow at ten")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            with("source", json!("carrier_pigeon")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            with("price_cents", json!(0)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
    ];
    for (body, status, code) in cases {
        let response = app
            .post_json("/api/v1/appointments", Some(&shop.owner.token), &body)
            .await;
        assert_problem(response, status, code).await;
    }
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn the_buffer_keeps_the_chair_free_after_a_service() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 10).await;
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 10, 0)).await.status(),
        StatusCode::CREATED
    );
    assert_problem(
        book(&app, &shop, &utc_day_at(3, 10, 30)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 10, 40)).await.status(),
        StatusCode::CREATED
    );
}

/// Opens `shop`'s business every day 10:00–16:00, closed 14:00–14:30; its barber works
/// 09:00–17:00 with a break 13:00–13:30.
async fn open_ten_to_four(app: &TestApp, shop: &Shop) {
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| {
            json!({"weekday": d, "start": "10:00", "end": "16:00",
                   "breaks": [{"start": "14:00", "end": "14:30"}]})
        })
        .collect();
    let set = app
        .put_json(
            "/api/v1/business/opening-hours",
            Some(&shop.owner.token),
            &json!({ "days": days }),
        )
        .await;
    assert_eq!(set.status(), StatusCode::OK);
}

async fn reschedule_to(app: &TestApp, shop: &Shop, id: &str, starts_at: &str) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/appointments/{id}/reschedule"),
        Some(&shop.owner.token),
        &json!({ "starts_at": starts_at }),
    )
    .await
}

#[tokio::test]
async fn bookable_time_is_the_barbers_hours_within_the_opening_hours() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    open_ten_to_four(&app, &shop).await;
    let before = app.event_count().await;
    // the barber works but the business is closed: before opening, at lunch, past closing
    for (hh, mm) in [(9, 15), (14, 0), (15, 45)] {
        let response = book(&app, &shop, &utc_day_at(3, hh, mm)).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{hh}:{mm}"
        );
    }
    // the barber does not work: their code, whether the business is open or not
    for (hh, mm) in [(8, 30), (13, 0), (16, 45)] {
        assert_problem(
            book(&app, &shop, &utc_day_at(3, hh, mm)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_working_hours",
        )
        .await;
    }
    assert_eq!(app.event_count().await, before, "a refusal records nothing");
    // inside both, up to closing time
    let booked = book(&app, &shop, &utc_day_at(3, 10, 0)).await;
    assert_eq!(booked.status(), StatusCode::CREATED);
    let id = booked.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 15, 30)).await.status(),
        StatusCode::CREATED
    );
    // a reschedule decides on the same facts
    let before = app.event_count().await;
    let moved = reschedule_to(&app, &shop, &id, &utc_day_at(3, 14, 15)).await;
    assert_eq!(moved.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.event_count().await, before);
    let moved = reschedule_to(&app, &shop, &id, &utc_day_at(3, 11, 0)).await;
    assert_eq!(moved.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_slot_the_barber_works_but_the_business_is_closed_answers_outside_opening_hours() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    open_ten_to_four(&app, &shop).await;
    let before = app.event_count().await;
    for (hh, mm) in [(9, 15), (14, 0), (15, 45)] {
        assert_problem(
            book(&app, &shop, &utc_day_at(3, hh, mm)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_opening_hours",
        )
        .await;
    }
    assert_eq!(app.event_count().await, before);
    let booked = book(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let id = booked.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let before = app.event_count().await;
    assert_problem(
        reschedule_to(&app, &shop, &id, &utc_day_at(3, 14, 15)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside_opening_hours",
    )
    .await;
    assert_eq!(app.event_count().await, before);
}

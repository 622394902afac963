//! Changing the service of a booked appointment: one decision with the barber's day and the
//! customer's day, so the longer service must still fit the chair, and the price follows the new
//! service unless the desk sets one.

use barber_tests::chairs::assert_every_chair_held_once;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{book, shop, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

async fn booked(app: &TestApp, shop: &Shop, starts_at: &str) -> Uuid {
    let response = book(app, shop, starts_at).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").parse().expect("uuid")
}

async fn change(app: &TestApp, shop: &Shop, id: Uuid, body: Value) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/appointments/{id}/service"),
        Some(&shop.owner.token),
        &body,
    )
    .await
}

/// The appointment's latest facts from its events: (ends_at, price_cents).
async fn now_ends_and_costs(app: &TestApp, id: Uuid) -> (String, i64) {
    let (ends_at, price): (String, i64) = sqlx::query_as(
        "select payload -> 'AppointmentServiceChanged' ->> 'ends_at',
                (payload -> 'AppointmentServiceChanged' ->> 'price_cents')::bigint
           from events where aggregate_id = $1 and event_type = 'AppointmentServiceChanged'
          order by sequence desc limit 1",
    )
    .bind(id.to_string())
    .fetch_one(&app.env.pool)
    .await
    .expect("changed");
    (ends_at, price)
}

#[tokio::test]
async fn a_longer_service_takes_the_chair_for_longer_and_its_price() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let (full, _) = app
        .create_service(
            &shop.owner.token,
            &json!({"name": "Cut and beard", "duration_minutes": 60, "price_cents": 4000}),
        )
        .await;
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let changed = change(&app, &shop, id, json!({"service_id": full})).await;
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(
        now_ends_and_costs(&app, id).await,
        (utc_day_at(3, 11, 0), 4000)
    );
    // 10:30 is now taken; 11:00 is free
    assert_problem(
        book(&app, &shop, &utc_day_at(3, 10, 30)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    let other: Value = app
        .post_json(
            "/api/v1/appointments",
            Some(&shop.owner.token),
            &json!({"customer_id": app.register_customer(&shop.owner.token, &json!({"name": "Bo"})).await.0,
                    "staff_id": shop.staff_id, "service_id": shop.service_id,
                    "starts_at": utc_day_at(3, 11, 0)}),
        )
        .await
        .json()
        .await
        .expect("json");
    assert!(other["id"].is_string(), "{other}");
    // the desk agrees another price
    let back = change(
        &app,
        &shop,
        id,
        json!({"service_id": shop.service_id, "price_cents": 2000}),
    )
    .await;
    assert_eq!(back.status(), StatusCode::OK);
    assert_eq!(
        now_ends_and_costs(&app, id).await,
        (utc_day_at(3, 10, 30), 2000)
    );
    assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
}

#[tokio::test]
async fn a_service_that_no_longer_fits_the_chair_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let (full, _) = app
        .create_service(
            &shop.owner.token,
            &json!({"name": "Cut and beard", "duration_minutes": 60, "price_cents": 4000}),
        )
        .await;
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    booked(&app, &shop, &utc_day_at(3, 10, 30)).await;
    let before = app.event_count().await;
    assert_problem(
        change(&app, &shop, id, json!({"service_id": full})).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    assert_problem(
        change(&app, &shop, id, json!({"service_id": Uuid::new_v4()})).await,
        StatusCode::NOT_FOUND,
        "service_not_found",
    )
    .await;
    assert_eq!(app.event_count().await, before);
    assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
}

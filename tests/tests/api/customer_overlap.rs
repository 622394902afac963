//! A customer cannot sit in two chairs at once: a booking that overlaps another live appointment
//! of the same customer, with any barber, is refused (409 `customer_double_booked`) in the same
//! decision as the chair, unless the business allows it.

use std::sync::Arc;

use barber_tests::chairs::assert_every_chair_held_once;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{another_barber, shop, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

async fn book_with(
    app: &TestApp,
    shop: &Shop,
    staff_id: Uuid,
    starts_at: &str,
) -> reqwest::Response {
    app.post_json(
        "/api/v1/appointments",
        Some(&shop.owner.token),
        &json!({"customer_id": shop.customer_id, "staff_id": staff_id,
                "service_id": shop.service_id, "starts_at": starts_at}),
    )
    .await
}

async fn id_of(response: reqwest::Response) -> Uuid {
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").parse().expect("uuid")
}

#[tokio::test]
async fn one_customer_is_not_booked_with_two_barbers_at_once() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 10).await;
    let jo = another_barber(&app, &shop, "Jo", "17:00").await;
    let first = id_of(book_with(&app, &shop, shop.staff_id, &utc_day_at(3, 10, 0)).await).await;
    let before = app.event_count().await;
    assert_problem(
        book_with(&app, &shop, jo, &utc_day_at(3, 10, 15)).await,
        StatusCode::CONFLICT,
        "customer_double_booked",
    )
    .await;
    assert_eq!(app.event_count().await, before);
    // right after the service (the barber's clean-up buffer is not the customer's time)
    id_of(book_with(&app, &shop, jo, &utc_day_at(3, 10, 30)).await).await;
    // moving the first onto the second's time is refused; cancelling it frees the time
    let moved = app
        .post_json(
            &format!("/api/v1/appointments/{first}/reschedule"),
            Some(&shop.owner.token),
            &json!({"starts_at": utc_day_at(3, 10, 45)}),
        )
        .await;
    assert_problem(moved, StatusCode::CONFLICT, "customer_double_booked").await;
    let cancelled = app
        .post_json(
            &format!("/api/v1/appointments/{first}/cancel"),
            Some(&shop.owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    id_of(book_with(&app, &shop, jo, &utc_day_at(3, 9, 30)).await).await;
    assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
}

#[tokio::test]
async fn a_move_to_another_day_frees_the_customers_old_time() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let jo = another_barber(&app, &shop, "Jo", "17:00").await;
    let first = id_of(book_with(&app, &shop, shop.staff_id, &utc_day_at(3, 10, 0)).await).await;
    let moved = app
        .post_json(
            &format!("/api/v1/appointments/{first}/reschedule"),
            Some(&shop.owner.token),
            &json!({"starts_at": utc_day_at(4, 10, 0)}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    id_of(book_with(&app, &shop, jo, &utc_day_at(3, 10, 0)).await).await;
    assert_problem(
        book_with(&app, &shop, jo, &utc_day_at(4, 10, 0)).await,
        StatusCode::CONFLICT,
        "customer_double_booked",
    )
    .await;
}

#[tokio::test]
async fn a_business_may_let_one_customer_hold_overlapping_appointments() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let jo = another_barber(&app, &shop, "Jo", "17:00").await;
    let policy = json!({"min_lead_minutes": 60, "max_advance_days": 730,
        "cancellation_window_minutes": 1440, "default_buffer_minutes": 0,
        "reminder_offsets_minutes": [1440], "allow_customer_overlap": true});
    let set = app
        .put_json(
            "/api/v1/business/booking-policy",
            Some(&shop.owner.token),
            &policy,
        )
        .await;
    assert_eq!(set.status(), StatusCode::OK);
    id_of(book_with(&app, &shop, shop.staff_id, &utc_day_at(3, 10, 0)).await).await;
    id_of(book_with(&app, &shop, jo, &utc_day_at(3, 10, 0)).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_customer_booked_with_many_barbers_at_once_gets_one_chair() {
    let app = Arc::new(spawn_app().await);
    let shop = Arc::new(shop(&app, "UTC", 0).await);
    let mut barbers = vec![shop.staff_id];
    for _ in 0..5 {
        barbers.push(another_barber(&app, &shop, "Jo", "17:00").await);
    }
    let starts_at = utc_day_at(3, 11, 0);
    let tasks: Vec<_> = barbers
        .iter()
        .map(|staff_id| {
            let (app, shop, staff_id, starts_at) =
                (app.clone(), shop.clone(), *staff_id, starts_at.clone());
            tokio::spawn(async move {
                let response = book_with(&app, &shop, staff_id, &starts_at).await;
                let status = response.status();
                let body: Value = response.json().await.expect("json");
                (status, body)
            })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        let (status, body) = task.await.expect("racer");
        match status {
            StatusCode::CREATED => won += 1,
            StatusCode::CONFLICT => assert_eq!(body["code"], "customer_double_booked", "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(won, 1);
    let checked = assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
    assert_eq!(checked.live_appointments, 1);
}

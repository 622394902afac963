//! Rescheduling over HTTP: the new slot is held before the old one is freed, and racing moves
//! into one slot never double-book it.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{book, shop, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

async fn booked(app: &TestApp, shop: &Shop, starts_at: &str) -> Uuid {
    let response = book(app, shop, starts_at).await;
    assert_eq!(response.status(), StatusCode::CREATED, "{starts_at}");
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").parse().expect("uuid")
}

async fn reschedule(app: &TestApp, shop: &Shop, id: Uuid, starts_at: &str) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/appointments/{id}/reschedule"),
        Some(&shop.owner.token),
        &json!({ "starts_at": starts_at }),
    )
    .await
}

#[tokio::test]
async fn a_move_within_the_day_may_overlap_its_old_slot() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let moved = reschedule(&app, &shop, id, &utc_day_at(3, 10, 15)).await;
    assert_eq!(moved.status(), StatusCode::OK);
    assert_problem(
        book(&app, &shop, &utc_day_at(3, 10, 0)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 9, 30)).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 10, 45)).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_move_to_another_day_frees_the_old_slot() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    assert_eq!(
        reschedule(&app, &shop, id, &utc_day_at(5, 14, 0))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 10, 0)).await.status(),
        StatusCode::CREATED
    );
    assert_problem(
        book(&app, &shop, &utc_day_at(5, 14, 0)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    // and back again, onto the new booking: refused, and nothing moves
    assert_problem(
        reschedule(&app, &shop, id, &utc_day_at(3, 10, 0)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    assert_problem(
        book(&app, &shop, &utc_day_at(5, 14, 0)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
}

#[tokio::test]
async fn a_move_follows_the_booking_rules_and_the_tenant_fence() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let other = app.owner("other-shop").await;
    let before = app.event_count().await;
    assert_problem(
        reschedule(&app, &shop, id, &utc_day_at(3, 7, 0)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside_working_hours",
    )
    .await;
    assert_problem(
        reschedule(&app, &shop, id, &utc_day_at(-2, 10, 0)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "booking_in_the_past",
    )
    .await;
    let theirs = app
        .post_json(
            &format!("/api/v1/appointments/{id}/reschedule"),
            Some(&other.token),
            &json!({"starts_at": utc_day_at(3, 11, 0)}),
        )
        .await;
    assert_problem(theirs, StatusCode::NOT_FOUND, "appointment_not_found").await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_racing_moves_into_one_slot_move_exactly_one() {
    let app = std::sync::Arc::new(spawn_app().await);
    let shop = std::sync::Arc::new(shop(&app, "UTC", 0).await);
    let mut ids = Vec::new();
    for n in 0..50_i64 {
        // five a day on days 3 to 12 (the barber breaks 13:00–13:30), away from day 20
        let hour = [9, 10, 11, 14, 15][(n % 5) as usize];
        ids.push(booked(&app, &shop, &utc_day_at(3 + n / 5, hour, 0)).await);
    }
    let tasks: Vec<_> = ids
        .into_iter()
        .enumerate()
        .map(|(n, id)| {
            let (app, shop) = (app.clone(), shop.clone());
            let starts_at = utc_day_at(20, 10, 5 * (n as u32 % 6));
            tokio::spawn(async move {
                let response = reschedule(&app, &shop, id, &starts_at).await;
                let status = response.status();
                (status, response.json::<Value>().await.expect("json"))
            })
        })
        .collect();
    let mut moved = 0;
    for task in tasks {
        let (status, body) = task.await.expect("task");
        match status {
            StatusCode::OK => moved += 1,
            StatusCode::CONFLICT => assert_eq!(body["code"], "slot_taken", "{body}"),
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(moved, 1);
}

#[tokio::test]
async fn a_move_keeps_the_length_the_appointment_was_booked_with() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    // the service grows from 30 to 60 minutes after the booking
    let longer = app
        .patch_json(
            &format!("/api/v1/services/{}", shop.service_id),
            Some(&shop.owner.token),
            &json!({"duration_minutes": 60}),
        )
        .await;
    assert_eq!(longer.status(), StatusCode::OK);
    let moved = reschedule(&app, &shop, id, &utc_day_at(4, 10, 0)).await;
    assert_eq!(moved.status(), StatusCode::OK);
    let ends_at: String = sqlx::query_scalar(
        "select payload -> 'AppointmentRescheduled' ->> 'ends_at' from events
          where aggregate_id = $1 and event_type = 'AppointmentRescheduled'",
    )
    .bind(id.to_string())
    .fetch_one(&app.env.pool)
    .await
    .expect("moved");
    assert_eq!(ends_at, utc_day_at(4, 10, 30));
    // so 10:30 is free on the new day
    assert_eq!(
        book(&app, &shop, &utc_day_at(4, 10, 30)).await.status(),
        StatusCode::CREATED
    );
}

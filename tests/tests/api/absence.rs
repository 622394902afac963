//! A barber away: a sick day over booked appointments, or a barber leaving with bookings ahead.
//! The desk is shown whom it concerns, or moves or cancels them in the same step; nothing is
//! ever half done, and no booking slips onto a barber while they are being deactivated.

use std::sync::Arc;

use barber_tests::chairs::assert_every_chair_held_once;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::booking::{another_barber, book, shop, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

async fn booked(app: &TestApp, shop: &Shop, starts_at: &str) -> String {
    let answer = book(app, shop, starts_at).await;
    assert_eq!(answer.status(), StatusCode::CREATED, "{starts_at}");
    let body: Value = answer.json().await.expect("json");
    body["id"].as_str().expect("id").to_owned()
}

/// A sick day (`day` days from now, all of it) for `shop`'s barber, with `bookings` if given.
async fn sick_day(
    app: &TestApp,
    shop: &Shop,
    day: i64,
    bookings: Option<Value>,
) -> reqwest::Response {
    let mut body = json!({"starts_at": utc_day_at(day, 0, 0), "ends_at": utc_day_at(day + 1, 0, 0),
                          "reason": "flu"});
    if let Some(bookings) = bookings {
        body["bookings"] = bookings;
    }
    app.post_json(
        &format!("/api/v1/staff/{}/time-off", shop.staff_id),
        Some(&shop.owner.token),
        &body,
    )
    .await
}

async fn deactivate(app: &TestApp, shop: &Shop, bookings: Option<Value>) -> reqwest::Response {
    let path = format!("/api/v1/staff/{}/deactivate", shop.staff_id);
    match bookings {
        Some(bookings) => {
            app.post_json(
                &path,
                Some(&shop.owner.token),
                &json!({ "bookings": bookings }),
            )
            .await
        }
        None => {
            app.post_json(&path, Some(&shop.owner.token), &json!({}))
                .await
        }
    }
}

/// The appointment as the query side shows it once it has read `response`'s position.
async fn appointment_after(
    app: &TestApp,
    shop: &Shop,
    id: &str,
    response: reqwest::Response,
) -> Value {
    let body: Value = response.json().await.expect("json");
    let position = &body["position"];
    let read = app
        .get(
            &format!("/api/v1/appointments/{id}?min_position={position}"),
            Some(&shop.owner.token),
        )
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    read.json().await.expect("json")
}

#[tokio::test]
async fn a_sick_day_over_bookings_lists_them_and_records_nothing() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let later = booked(&app, &shop, &utc_day_at(3, 15, 0)).await;
    let earlier = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let before = app.event_count().await;
    let refused = sick_day(&app, &shop, 3, None).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["code"], "bookings_in_the_way");
    let listed: Vec<(&str, &str, &str)> = problem["appointments"]
        .as_array()
        .expect("appointments")
        .iter()
        .map(|a| {
            (
                a["appointment_id"].as_str().unwrap_or(""),
                a["starts_at"].as_str().unwrap_or(""),
                a["customer_name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let at = |hh| utc_day_at(3, hh, 0);
    assert_eq!(
        listed,
        [
            (earlier.as_str(), at(10).as_str(), "Ana"),
            (later.as_str(), at(15).as_str(), "Ana")
        ]
    );
    assert_eq!(
        problem["appointments"][0]["customer_id"],
        json!(shop.customer_id)
    );
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn a_sick_day_moves_the_bookings_to_a_barber_who_is_free() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let jo = another_barber(&app, &shop, "Jo", "17:00").await;
    let moved = sick_day(&app, &shop, 3, Some(json!({"action": "move"}))).await;
    assert_eq!(moved.status(), StatusCode::CREATED);
    let appointment = appointment_after(&app, &shop, &id, moved).await;
    assert_eq!(appointment["staff_id"], json!(jo));
    assert_eq!(appointment["starts_at"], utc_day_at(3, 10, 0));
    assert_eq!(appointment["status"], "booked");
    // the sick barber's day is blocked, Jo's 10:00 is taken
    let checked = assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
    assert_eq!(checked.live_appointments, 1);
}

#[tokio::test]
async fn a_sick_day_that_cannot_move_everyone_moves_no_one() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let first = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let second = booked(&app, &shop, &utc_day_at(3, 15, 0)).await;
    // Jo works mornings only: 10:00 could move to Jo, 15:00 cannot
    let jo = another_barber(&app, &shop, "Jo", "12:00").await;
    let before = app.event_count().await;
    let refused = sick_day(&app, &shop, 3, Some(json!({"action": "move"}))).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["code"], "no_barber_free");
    assert_eq!(problem["appointments"].as_array().map(Vec::len), Some(1));
    assert_eq!(problem["appointments"][0]["appointment_id"], second);
    assert_eq!(app.event_count().await, before);
    // named, the barber's own reason is the answer
    let named = sick_day(
        &app,
        &shop,
        3,
        Some(json!({"action": "move", "to_staff_id": jo})),
    )
    .await;
    assert_problem(
        named,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside_working_hours",
    )
    .await;
    assert_eq!(app.event_count().await, before);
    let _ = first;
}

#[tokio::test]
async fn a_sick_day_may_cancel_the_bookings_with_a_reason() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let cancelled = sick_day(
        &app,
        &shop,
        3,
        Some(json!({"action": "cancel", "reason": "Rui is ill; we will call you"})),
    )
    .await;
    assert_eq!(cancelled.status(), StatusCode::CREATED);
    let appointment = appointment_after(&app, &shop, &id, cancelled).await;
    assert_eq!(appointment["status"], "cancelled");
    let late: bool = sqlx::query_scalar(
        "select (payload -> 'AppointmentCancelled' ->> 'late')::boolean from events
          where aggregate_id = $1 and event_type = 'AppointmentCancelled'",
    )
    .bind(&id)
    .fetch_one(&app.env.pool)
    .await
    .expect("cancelled");
    assert!(
        !late,
        "the shop cancelled: not the customer's late cancellation"
    );
    assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
}

#[tokio::test]
async fn deactivating_a_barber_with_bookings_ahead_lists_moves_or_cancels_them() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let soon = booked(&app, &shop, &utc_day_at(2, 10, 0)).await;
    let later = booked(&app, &shop, &utc_day_at(30, 11, 0)).await;
    let before = app.event_count().await;
    let refused = deactivate(&app, &shop, None).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["code"], "bookings_in_the_way");
    let ids: Vec<&str> = problem["appointments"]
        .as_array()
        .expect("appointments")
        .iter()
        .filter_map(|a| a["appointment_id"].as_str())
        .collect();
    assert_eq!(ids, [soon.as_str(), later.as_str()]);
    assert_eq!(app.event_count().await, before);

    let jo = another_barber(&app, &shop, "Jo", "17:00").await;
    let moved = deactivate(
        &app,
        &shop,
        Some(json!({"action": "move", "to_staff_id": jo})),
    )
    .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let appointment = appointment_after(&app, &shop, &later, moved).await;
    assert_eq!(appointment["staff_id"], json!(jo));
    // the barber is inactive: nothing can be booked with them
    assert_problem(
        book(&app, &shop, &utc_day_at(5, 10, 0)).await,
        StatusCode::CONFLICT,
        "staff_inactive",
    )
    .await;
    assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
}

#[tokio::test]
async fn deactivating_may_cancel_the_bookings_ahead() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let id = booked(&app, &shop, &utc_day_at(2, 10, 0)).await;
    let done = deactivate(
        &app,
        &shop,
        Some(json!({"action": "cancel", "reason": "Rui left"})),
    )
    .await;
    assert_eq!(done.status(), StatusCode::OK);
    let appointment = appointment_after(&app, &shop, &id, done).await;
    assert_eq!(appointment["status"], "cancelled");
    // a wrong choice is the client's mistake, and changes nothing
    let before = app.event_count().await;
    assert_problem(
        deactivate(&app, &shop, Some(json!({"action": "shrug"}))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_body",
    )
    .await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_booking_slips_onto_a_barber_while_they_are_deactivated() {
    let app = Arc::new(spawn_app().await);
    let shop = Arc::new(shop(&app, "UTC", 0).await);
    // bookings on twenty different days race the deactivation, which cancels what it finds
    let mut racers = Vec::new();
    let mut deactivation = None;
    for day in 2..22 {
        let (a, s) = (app.clone(), shop.clone());
        racers.push(tokio::spawn(async move {
            book(&a, &s, &utc_day_at(day, 10, 0)).await.status()
        }));
        if day == 8 {
            let (app, shop) = (app.clone(), shop.clone());
            deactivation = Some(tokio::spawn(async move {
                deactivate(&app, &shop, Some(json!({"action": "cancel"})))
                    .await
                    .status()
            }));
        }
    }
    for racer in racers {
        let status = racer.await.expect("joined");
        assert!(
            [StatusCode::CREATED, StatusCode::CONFLICT].contains(&status),
            "{status}"
        );
    }
    let deactivated = deactivation.expect("started").await.expect("joined");
    assert_eq!(deactivated, StatusCode::OK);
    // every appointment on the barber was either cancelled by the deactivation or refused
    let live: i64 = sqlx::query_scalar(
        "select count(*) from events b
          where b.event_type = 'AppointmentBooked'
            and not exists (select 1 from events c where c.aggregate_id = b.aggregate_id
                              and c.event_type = 'AppointmentCancelled')",
    )
    .fetch_one(&app.env.pool)
    .await
    .expect("count");
    assert_eq!(live, 0, "a booking slipped onto a deactivated barber");
    assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
}

//! A front desk's day from start to finish, through the API only: a walk-in, a phone booking
//! inside the lead time, a customer who changes their mind about the service, a barber who calls
//! in sick, a duplicate caught and merged, and an erasure request honoured; at the end every
//! chair is held exactly once.

use barber_tests::chairs::assert_every_chair_held_once;
use chrono::Utc;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{another_barber, round_the_clock, shop, soon, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

/// Books `customer` with Rui for the shop's service, from the desk or as `source` says.
async fn book(
    app: &TestApp,
    shop: &Shop,
    customer: Uuid,
    starts_at: &str,
    source: &str,
) -> Response {
    let body = json!({"customer_id": customer, "staff_id": shop.staff_id,
                      "service_id": shop.service_id, "starts_at": starts_at, "source": source});
    app.post_json("/api/v1/appointments", Some(&shop.owner.token), &body)
        .await
}

async fn id_of(response: Response) -> Uuid {
    assert!(response.status().is_success(), "{}", response.status());
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").parse().expect("uuid")
}

async fn appointment(app: &TestApp, shop: &Shop, id: Uuid) -> Value {
    let position: i64 = sqlx::query_scalar("select max(global_position) from events")
        .fetch_one(&app.env.pool)
        .await
        .expect("position");
    app.get(
        &format!("/api/v1/appointments/{id}?min_position={position}"),
        Some(&shop.owner.token),
    )
    .await
    .json()
    .await
    .expect("json")
}

#[tokio::test]
async fn a_front_desk_runs_a_real_day() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    round_the_clock(&app, &shop).await;
    let jo = another_barber(&app, &shop, "Jo", "17:00").await;
    let ana = shop.customer_id;
    let token = Some(shop.owner.token.as_str());

    // a walk-in, now (while the day has room for it)
    if Utc::now().format("%H:%M").to_string().as_str() < "23:20" {
        let walk_in = book(&app, &shop, ana, &Utc::now().to_rfc3339(), "walk_in").await;
        let walk_in = id_of(walk_in).await;
        assert_eq!(
            appointment(&app, &shop, walk_in).await["status"],
            "checked_in"
        );
    }

    // a phone booking inside the lead time; the same slot online would be refused
    if let Some(starts_at) = soon(40) {
        let (bea, _) = app
            .register_customer(&shop.owner.token, &json!({"name": "Bea"}))
            .await;
        let online = book(&app, &shop, bea, &starts_at, "online").await;
        assert_problem(online, StatusCode::UNPROCESSABLE_ENTITY, "inside_lead_time").await;
        let phone = book(&app, &shop, bea, &starts_at, "phone").await;
        assert_eq!(phone.status(), StatusCode::CREATED);
    }

    // a customer books a fade in three days, then wants the longer cut and beard
    let fade = id_of(book(&app, &shop, ana, &utc_day_at(3, 10, 0), "front_desk").await).await;
    let (full, _) = app
        .create_service(
            &shop.owner.token,
            &json!({"name": "Cut and beard", "duration_minutes": 60, "price_cents": 4000}),
        )
        .await;
    let changed = app
        .post_json(
            &format!("/api/v1/appointments/{fade}/service"),
            token,
            &json!({ "service_id": full }),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let now_full = appointment(&app, &shop, fade).await;
    assert_eq!(
        (&now_full["service_id"], &now_full["price_cents"]),
        (&json!(full), &json!(4000))
    );

    // that day Rui calls in sick: the appointment moves to Jo, who is free, in the same step
    let sick = app
        .post_json(
            &format!("/api/v1/staff/{}/time-off", shop.staff_id),
            token,
            &json!({"starts_at": utc_day_at(3, 0, 0), "ends_at": utc_day_at(4, 0, 0),
                    "reason": "flu", "bookings": {"action": "move"}}),
        )
        .await;
    assert_eq!(sick.status(), StatusCode::CREATED);
    assert_eq!(appointment(&app, &shop, fade).await["staff_id"], json!(jo));

    // a regular is typed in again: the duplicate is caught, then merged into the right record
    let (carla, _) = app
        .register_customer(
            &shop.owner.token,
            &json!({"name": "Carla Mendes", "phone": "+44 7700 900321"}),
        )
        .await;
    let again = app
        .post_json(
            "/api/v1/customers",
            token,
            &json!({"name": "Carla M.", "phone": "+447700900321"}),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let problem: Value = again.json().await.expect("json");
    assert_eq!(problem["existing_customer_id"], json!(carla));
    let twin = id_of(
        app.post_json(
            "/api/v1/customers",
            token,
            &json!({"name": "Carla M.", "phone": "+447700900321", "allow_duplicate": true}),
        )
        .await,
    )
    .await;
    let visit = id_of(book(&app, &shop, twin, &utc_day_at(5, 11, 0), "phone").await).await;
    let merged = app
        .post_json(
            &format!("/api/v1/customers/{carla}/merge"),
            token,
            &json!({ "duplicate_id": twin }),
        )
        .await;
    assert_eq!(merged.status(), StatusCode::OK);
    assert_eq!(
        appointment(&app, &shop, visit).await["customer_id"],
        json!(carla)
    );

    // a customer asks to be forgotten: her record is erased, her visit stays in the books
    let (dora, _) = app
        .register_customer(
            &shop.owner.token,
            &json!({"name": "Dora Quill", "email": "dora.quill@example.org"}),
        )
        .await;
    let hers = id_of(book(&app, &shop, dora, &utc_day_at(6, 12, 0), "phone").await).await;
    let erased = app
        .post_json(
            &format!("/api/v1/customers/{dora}/erase"),
            token,
            &json!({}),
        )
        .await;
    assert_eq!(erased.status(), StatusCode::OK);
    assert_eq!(appointment(&app, &shop, hers).await["status"], "booked");
    let traces: i64 =
        sqlx::query_scalar("select count(*) from events where payload::text ilike '%quill%'")
            .fetch_one(&app.env.pool)
            .await
            .expect("count");
    assert_eq!(traces, 0);

    assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
}

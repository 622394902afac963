//! Merging a duplicate into the customer it duplicates: its appointments and history move in one
//! step, it leaves the list, its phone and email are free again, and nothing can be booked for
//! it any more, not even by a request racing the merge.

use std::sync::Arc;

use barber_tests::chairs::assert_every_chair_held_once;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{another_barber, shop, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

async fn book_for(app: &TestApp, shop: &Shop, customer: Uuid, starts_at: &str) -> Response {
    app.post_json(
        "/api/v1/appointments",
        Some(&shop.owner.token),
        &json!({"customer_id": customer, "staff_id": shop.staff_id,
                "service_id": shop.service_id, "starts_at": starts_at}),
    )
    .await
}

async fn booked_for(app: &TestApp, shop: &Shop, customer: Uuid, starts_at: &str) -> String {
    let answer = book_for(app, shop, customer, starts_at).await;
    assert_eq!(answer.status(), StatusCode::CREATED);
    let body: Value = answer.json().await.expect("json");
    body["id"].as_str().expect("id").to_owned()
}

async fn merge(app: &TestApp, shop: &Shop, survivor: Uuid, duplicate: Uuid) -> Response {
    app.post_json(
        &format!("/api/v1/customers/{survivor}/merge"),
        Some(&shop.owner.token),
        &json!({ "duplicate_id": duplicate }),
    )
    .await
}

async fn read_at(app: &TestApp, shop: &Shop, path: &str, position: &Value) -> Value {
    let read = app
        .get(
            &format!("{path}?min_position={position}"),
            Some(&shop.owner.token),
        )
        .await;
    assert_eq!(read.status(), StatusCode::OK, "{path}");
    read.json().await.expect("json")
}

#[tokio::test]
async fn a_duplicate_hands_over_its_appointments_and_history_and_leaves_the_list() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let ana = shop.customer_id;
    let (dup, _) = app
        .register_customer(
            &shop.owner.token,
            &json!({"name": "Ana S.", "phone": "+44 7700 900555"}),
        )
        .await;
    let upcoming = booked_for(&app, &shop, dup, &utc_day_at(3, 10, 0)).await;
    let cancelled = booked_for(&app, &shop, dup, &utc_day_at(4, 10, 0)).await;
    let cancel = app
        .post_json(
            &format!("/api/v1/appointments/{cancelled}/cancel"),
            Some(&shop.owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(cancel.status(), StatusCode::OK);

    let merged = merge(&app, &shop, ana, dup).await;
    assert_eq!(merged.status(), StatusCode::OK);
    let position = merged.json::<Value>().await.expect("json")["position"].clone();
    for id in [&upcoming, &cancelled] {
        let appointment = read_at(
            &app,
            &shop,
            &format!("/api/v1/appointments/{id}"),
            &position,
        )
        .await;
        assert_eq!(appointment["customer_id"], json!(ana), "{id}");
    }
    let gone = read_at(&app, &shop, &format!("/api/v1/customers/{dup}"), &position).await;
    assert_eq!(gone["merged_into"], json!(ana));
    let listed = read_at(&app, &shop, "/api/v1/customers", &position).await;
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, [ana.to_string()]);

    // the duplicate can no longer be changed or booked, and says where it went
    let before = app.event_count().await;
    let change = app
        .patch_json(
            &format!("/api/v1/customers/{dup}"),
            Some(&shop.owner.token),
            &json!({"name": "Ana Silva"}),
        )
        .await;
    assert_eq!(change.status(), StatusCode::CONFLICT);
    let problem: Value = change.json().await.expect("json");
    assert_eq!(
        (&problem["code"], &problem["merged_into"]),
        (&json!("customer_merged"), &json!(ana.to_string()))
    );
    assert_problem(
        book_for(&app, &shop, dup, &utc_day_at(5, 10, 0)).await,
        StatusCode::CONFLICT,
        "customer_merged",
    )
    .await;
    // merging again changes nothing; the duplicate's phone is free for someone new
    let again = merge(&app, &shop, ana, dup).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(app.event_count().await, before);
    app.register_customer(
        &shop.owner.token,
        &json!({"name": "Bo", "phone": "+44 7700 900555"}),
    )
    .await;
    assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
}

#[tokio::test]
async fn a_merge_that_would_seat_one_customer_twice_or_makes_no_sense_changes_nothing() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let ana = shop.customer_id;
    let (dup, _) = app
        .register_customer(&shop.owner.token, &json!({"name": "Ana S."}))
        .await;
    // two barbers, the same hour: one person cannot sit in both chairs
    let jo = another_barber(&app, &shop, "Jo", "17:00").await;
    booked_for(&app, &shop, ana, &utc_day_at(3, 10, 0)).await;
    let with_jo = app
        .post_json(
            "/api/v1/appointments",
            Some(&shop.owner.token),
            &json!({"customer_id": dup, "staff_id": jo, "service_id": shop.service_id,
                    "starts_at": utc_day_at(3, 10, 0)}),
        )
        .await;
    assert_eq!(with_jo.status(), StatusCode::CREATED);
    let before = app.event_count().await;
    assert_problem(
        merge(&app, &shop, ana, dup).await,
        StatusCode::CONFLICT,
        "customer_double_booked",
    )
    .await;
    assert_problem(
        merge(&app, &shop, ana, ana).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "merged_into_itself",
    )
    .await;
    assert_problem(
        merge(&app, &shop, ana, Uuid::new_v4()).await,
        StatusCode::NOT_FOUND,
        "customer_not_found",
    )
    .await;
    let other = app.owner("other-shop").await;
    let (theirs, _) = app
        .register_customer(&other.token, &json!({"name": "Theirs"}))
        .await;
    let before_other = app.event_count().await;
    assert_problem(
        merge(&app, &shop, ana, theirs).await,
        StatusCode::NOT_FOUND,
        "customer_not_found",
    )
    .await;
    assert_eq!(app.event_count().await, before_other);
    assert!(
        before_other > before,
        "only the other shop's setup was written"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn no_booking_slips_onto_a_duplicate_while_it_is_merged() {
    let app = Arc::new(spawn_app().await);
    let shop = Arc::new(shop(&app, "UTC", 0).await);
    let (dup, _) = app
        .register_customer(&shop.owner.token, &json!({"name": "Ana S."}))
        .await;
    let mut racers = Vec::new();
    let mut merging = None;
    for day in 2..22 {
        let (a, s) = (app.clone(), shop.clone());
        racers.push(tokio::spawn(async move {
            book_for(&a, &s, dup, &utc_day_at(day, 10, 0))
                .await
                .status()
        }));
        if day == 8 {
            let (a, s) = (app.clone(), shop.clone());
            merging = Some(tokio::spawn(async move {
                merge(&a, &s, s.customer_id, dup).await.status()
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
    assert_eq!(
        merging.expect("started").await.expect("joined"),
        StatusCode::OK
    );
    // every appointment booked for the duplicate was handed over
    let left: i64 = sqlx::query_scalar(
        "select count(*) from events b
          where b.event_type = 'AppointmentBooked'
            and b.payload -> 'AppointmentBooked' ->> 'customer_id' = $1
            and not exists (select 1 from events c where c.aggregate_id = b.aggregate_id
                              and c.event_type = 'AppointmentCustomerChanged')",
    )
    .bind(dup.to_string())
    .fetch_one(&app.env.pool)
    .await
    .expect("count");
    assert_eq!(left, 0, "a booking slipped onto the merged duplicate");
    assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
}

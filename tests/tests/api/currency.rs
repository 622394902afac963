//! A shop changing its currency re-prices its catalog in the same step, or changes nothing:
//! never a catalog half in one currency.

use std::sync::Arc;

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_problem, spawn_app, Owner, TestApp};

async fn service(app: &TestApp, owner: &Owner, name: &str, price_cents: i64) -> Uuid {
    app.create_service(
        &owner.token,
        &json!({"name": name, "duration_minutes": 30, "price_cents": price_cents}),
    )
    .await
    .0
}

async fn to_euros(app: &TestApp, owner: &Owner, prices: Value) -> reqwest::Response {
    app.patch_json(
        "/api/v1/business",
        Some(&owner.token),
        &json!({"currency": "EUR", "prices": prices}),
    )
    .await
}

/// Service `id` as the query side shows it once it has read `position`.
async fn service_at(app: &TestApp, owner: &Owner, id: Uuid, position: &Value) -> Value {
    let read = app
        .get(
            &format!("/api/v1/services/{id}?min_position={position}"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    read.json().await.expect("json")
}

#[tokio::test]
async fn a_new_currency_without_new_prices_lists_the_services_and_changes_nothing() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let fade = service(&app, &owner, "Skin fade", 2500).await;
    service(&app, &owner, "Consultation", 0).await;
    let before = app.event_count().await;
    let refused = to_euros(&app, &owner, json!({})).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let problem: Value = refused.json().await.expect("json");
    assert_eq!(problem["code"], "services_need_new_prices");
    assert_eq!(
        problem["services"],
        json!([{"service_id": fade, "name": "Skin fade", "price_cents": 2500, "currency": "USD"}]),
        "the free service needs no price"
    );
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn a_new_currency_reprices_every_service_in_one_step() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let fade = service(&app, &owner, "Skin fade", 2500).await;
    let free = service(&app, &owner, "Consultation", 0).await;
    let old = service(&app, &owner, "Hot towel", 900).await;
    let retired = app
        .post_json(
            &format!("/api/v1/services/{old}/retire"),
            Some(&owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(retired.status(), StatusCode::OK);
    let changed = to_euros(&app, &owner, json!({ fade.to_string(): 2900 })).await;
    assert_eq!(changed.status(), StatusCode::OK);
    let position = changed.json::<Value>().await.expect("json")["position"].clone();
    let at = |id| service_at(&app, &owner, id, &position);
    let (fade, free, old) = (at(fade).await, at(free).await, at(old).await);
    assert_eq!(
        (&fade["price_cents"], &fade["currency"]),
        (&json!(2900), &json!("EUR"))
    );
    assert_eq!(
        (&free["price_cents"], &free["currency"]),
        (&json!(0), &json!("EUR"))
    );
    // a retired service is never booked again: it keeps what it cost
    assert_eq!(
        (&old["price_cents"], &old["currency"]),
        (&json!(900), &json!("USD"))
    );
    // and a service created now is in euros
    let new = service(&app, &owner, "Beard trim", 1500).await;
    let events: Vec<String> = sqlx::query_scalar(
        "select payload -> 'ServiceCreated' ->> 'currency' from events
          where aggregate_id = $1 and event_type = 'ServiceCreated'",
    )
    .bind(new.to_string())
    .fetch_all(&app.env.pool)
    .await
    .expect("created");
    assert_eq!(events, ["EUR"]);
}

#[tokio::test]
async fn prices_without_a_new_currency_or_for_an_unknown_service_are_refused() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let fade = service(&app, &owner, "Skin fade", 2500).await;
    let before = app.event_count().await;
    let same = app
        .patch_json(
            "/api/v1/business",
            Some(&owner.token),
            &json!({"name": "Fade St", "prices": { fade.to_string(): 2900 }}),
        )
        .await;
    assert_problem(
        same,
        StatusCode::UNPROCESSABLE_ENTITY,
        "prices_without_new_currency",
    )
    .await;
    let unknown = to_euros(
        &app,
        &owner,
        json!({ fade.to_string(): 2900, Uuid::new_v4().to_string(): 100 }),
    )
    .await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "service_not_found").await;
    let negative = to_euros(&app, &owner, json!({ fade.to_string(): -1 })).await;
    assert_problem(negative, StatusCode::UNPROCESSABLE_ENTITY, "invalid_price").await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn services_created_while_the_currency_changes_are_never_left_in_the_old_one() {
    let app = Arc::new(spawn_app().await);
    let owner = Arc::new(app.owner("fade-street").await);
    let fade = service(&app, &owner, "Skin fade", 2500).await;
    let mut creations = Vec::new();
    for n in 0..12 {
        let (app, owner) = (app.clone(), owner.clone());
        creations.push(tokio::spawn(async move {
            app.post_json(
                "/api/v1/services",
                Some(&owner.token),
                &json!({"name": format!("Cut {n}"), "duration_minutes": 30, "price_cents": 0}),
            )
            .await
            .status()
        }));
    }
    let change = to_euros(&app, &owner, json!({ fade.to_string(): 2900 })).await;
    assert_eq!(change.status(), StatusCode::OK);
    for creation in creations {
        assert_eq!(creation.await.expect("joined"), StatusCode::CREATED);
    }
    // every service's latest currency is the business's
    let currencies: Vec<String> = sqlx::query_scalar(
        "select distinct on (aggregate_id)
                coalesce(payload -> 'ServicePriceChanged' ->> 'currency',
                         payload -> 'ServiceCreated' ->> 'currency')
           from events
          where aggregate_type = 'service'
            and event_type in ('ServiceCreated', 'ServicePriceChanged')
          order by aggregate_id, sequence desc",
    )
    .fetch_all(&app.env.pool)
    .await
    .expect("services");
    assert_eq!(currencies.len(), 13);
    assert!(currencies.iter().all(|c| c == "EUR"), "{currencies:?}");
}

//! Reading appointments over HTTP: one by id through its workflow, the list's filters and
//! pagination, tenant isolation and bad queries.

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{book, round_the_clock, shop, soon, utc_day_at, work_every_day, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

/// (id, position) of a booking that must succeed.
async fn booked(response: reqwest::Response) -> (Uuid, i64) {
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    (
        body["id"].as_str().expect("id").parse().expect("uuid"),
        body["position"].as_i64().expect("position"),
    )
}

/// Books `customer_id` with `staff_id` for the shop's service.
async fn book_with(
    app: &TestApp,
    shop: &Shop,
    customer_id: Uuid,
    staff_id: Uuid,
    starts_at: &str,
) -> (Uuid, i64) {
    let body = json!({"customer_id": customer_id, "staff_id": staff_id,
                      "service_id": shop.service_id, "starts_at": starts_at});
    booked(
        app.post_json("/api/v1/appointments", Some(&shop.owner.token), &body)
            .await,
    )
    .await
}

/// Moves an appointment one step; returns the step's position.
async fn step(app: &TestApp, shop: &Shop, id: Uuid, action: &str, body: Value) -> i64 {
    let response = app
        .post_json(
            &format!("/api/v1/appointments/{id}/{action}"),
            Some(&shop.owner.token),
            &body,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{action}");
    let body: Value = response.json().await.expect("json");
    body["position"].as_i64().expect("position")
}

/// A fresh (not stale) 200 answer's body.
async fn fresh(app: &TestApp, path: &str, token: &str) -> Value {
    let response = app.get(path, Some(token)).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert!(response.headers().get("barber-stale").is_none(), "{path}");
    response.json().await.expect("json")
}

fn instant(value: &Value) -> DateTime<Utc> {
    value.as_str().expect("instant").parse().expect("RFC 3339")
}

#[tokio::test]
async fn an_appointment_reads_back_through_its_workflow() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let token = shop.owner.token.clone();
    // today, soon: check-in opens an hour before the start, on the day
    round_the_clock(&app, &shop).await;
    let Some(starts_at) = soon(10) else {
        return;
    };
    let (id, position) = booked(book(&app, &shop, &starts_at).await).await;
    let path = |position: i64| format!("/api/v1/appointments/{id}?min_position={position}");

    let one = fresh(&app, &path(position), &token).await;
    assert_eq!(one["id"], json!(id));
    assert_eq!(one["status"], "booked");
    assert_eq!(one["source"], "front_desk");
    assert_eq!(
        (&one["price_cents"], &one["currency"]),
        (&json!(2500), &json!("USD"))
    );
    assert_eq!(one["service_name"], "Skin fade");
    assert_eq!(one["service_id"], json!(shop.service_id));
    assert_eq!(one["staff_id"], json!(shop.staff_id));
    assert_eq!(one["customer_id"], json!(shop.customer_id));
    assert_eq!(one["schedule_date"], starts_at[..10]);
    let start: DateTime<Utc> = starts_at.parse().expect("instant");
    assert_eq!(instant(&one["starts_at"]), start);
    assert_eq!(instant(&one["ends_at"]), start + Duration::minutes(30));
    assert!(one["booked_by"].is_string() && one["booked_at"].is_string());
    assert!(one["confirmed_at"].is_null() && one["amount_paid_cents"].is_null());
    assert_eq!(one["rescheduled_count"], 0);
    assert!(one.get("tenant_id").is_none() && one.get("version").is_none());

    step(&app, &shop, id, "confirm", json!({})).await;
    step(&app, &shop, id, "check-in", json!({})).await;
    step(&app, &shop, id, "start", json!({})).await;
    let paid = json!({"amount_paid_cents": 2300, "tip_cents": 400, "payment_method": "cash"});
    let last = step(&app, &shop, id, "complete", paid).await;
    let done = fresh(&app, &path(last), &token).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(
        (&done["amount_paid_cents"], &done["tip_cents"]),
        (&json!(2300), &json!(400))
    );
    assert_eq!(done["payment_method"], "cash");
    let steps = [
        "confirmed_at",
        "checked_in_at",
        "started_at",
        "completed_at",
    ]
    .map(|f| instant(&done[f]));
    assert!(steps.windows(2).all(|w| w[0] <= w[1]), "{steps:?}");
    assert!(done["cancelled_at"].is_null() && done["no_show_at"].is_null());

    // three days ahead, with a 1440-minute cancellation window: not late
    let (other, _) = booked(book(&app, &shop, &utc_day_at(3, 14, 0)).await).await;
    let cancelled = step(&app, &shop, other, "cancel", json!({"reason": "flu"})).await;
    let gone = fresh(
        &app,
        &format!("/api/v1/appointments/{other}?min_position={cancelled}"),
        &token,
    )
    .await;
    assert_eq!(gone["status"], "cancelled");
    assert_eq!(gone["late_cancellation"], false);
    assert_eq!(gone["cancellation_reason"], "flu");
    assert!(gone["cancelled_at"].is_string() && gone["cancelled_by"].is_string());
    assert!(gone["completed_at"].is_null());
}

/// The ids of a list answer, in order.
fn ids(page: &Value) -> Vec<Uuid> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["id"].as_str().expect("id").parse().expect("uuid"))
        .collect()
}

#[tokio::test]
async fn the_list_filters_by_day_barber_customer_and_status_and_pages_in_start_order() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let (bea, _) = app
        .add_staff(&shop.owner.token, &json!({"name": "Bea", "role": "barber"}))
        .await;
    work_every_day(&app, &shop, bea, "17:00").await;
    let (bo, _) = app
        .register_customer(&shop.owner.token, &json!({"name": "Bo"}))
        .await;
    // booked out of order; listed by start
    let (c, _) = book_with(
        &app,
        &shop,
        shop.customer_id,
        shop.staff_id,
        &utc_day_at(4, 10, 0),
    )
    .await;
    let (b, _) = book_with(&app, &shop, bo, bea, &utc_day_at(3, 11, 0)).await;
    let (a, _) = book_with(
        &app,
        &shop,
        shop.customer_id,
        shop.staff_id,
        &utc_day_at(3, 10, 0),
    )
    .await;
    let last = step(&app, &shop, c, "cancel", json!({})).await;

    // the front desk reads every chair (a barber only their own: `own_chair`)
    let token = app.token_with_role(&shop.owner, "front_desk").await;
    let list = |query: String| {
        let (app, token) = (&app, &token);
        async move {
            let page = fresh(
                app,
                &format!("/api/v1/appointments?min_position={last}&{query}"),
                token,
            )
            .await;
            ids(&page)
        }
    };
    assert_eq!(list(String::new()).await, [a, b, c]);
    let (day3, day4) = (utc_day_at(3, 0, 0), utc_day_at(4, 0, 0));
    assert_eq!(list(format!("from={day3}&to={day4}")).await, [a, b]);
    assert_eq!(list(format!("from={day4}")).await, [c]);
    // [from, to): a start at `from` is in, one at `to` is out
    let (ten, eleven) = (utc_day_at(3, 10, 0), utc_day_at(3, 11, 0));
    assert_eq!(list(format!("from={ten}&to={eleven}")).await, [a]);
    assert_eq!(list(format!("staff_id={}", shop.staff_id)).await, [a, c]);
    assert_eq!(list(format!("staff_id={bea}")).await, [b]);
    assert_eq!(list(format!("customer_id={bo}")).await, [b]);
    assert_eq!(list("status=cancelled".into()).await, [c]);
    assert_eq!(list("status=booked".into()).await, [a, b]);
    let both = format!("status=booked&staff_id={}&from={day4}", shop.staff_id);
    assert!(list(both).await.is_empty());

    // one at a time, in start order, until there is no next cursor
    let mut walked = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let query = match &cursor {
            Some(cursor) => format!("limit=1&cursor={cursor}"),
            None => "limit=1".into(),
        };
        let page = fresh(&app, &format!("/api/v1/appointments?{query}"), &token).await;
        walked.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
        assert!(walked.len() < 4, "the walk does not end");
    }
    assert_eq!(walked, [a, b, c]);
}

#[tokio::test]
async fn another_business_sees_nothing_and_bad_queries_answer_400() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let (id, position) = booked(book(&app, &shop, &utc_day_at(3, 10, 0)).await).await;
    let mine = fresh(
        &app,
        &format!("/api/v1/appointments?min_position={position}"),
        &shop.owner.token,
    )
    .await;
    assert_eq!(ids(&mine), [id]);

    let other = app.owner("other-shop").await;
    let foreign = app
        .get(
            &format!("/api/v1/appointments/{id}?min_position={position}"),
            Some(&other.token),
        )
        .await;
    assert_problem(foreign, StatusCode::NOT_FOUND, "appointment_not_found").await;
    let theirs = fresh(
        &app,
        &format!("/api/v1/appointments?min_position={position}"),
        &other.token,
    )
    .await;
    assert_eq!(theirs, json!({"items": [], "next_cursor": null}));
    let unknown = app
        .get(
            &format!("/api/v1/appointments/{}", Uuid::new_v4()),
            Some(&shop.owner.token),
        )
        .await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "appointment_not_found").await;

    let (ten, eleven) = (utc_day_at(3, 10, 0), utc_day_at(3, 11, 0));
    let cases = [
        (format!("from={ten}&to={ten}"), "invalid_range"),
        (format!("from={eleven}&to={ten}"), "invalid_range"),
        ("status=asleep".into(), "invalid_status"),
        ("status=Booked".into(), "invalid_status"),
        ("cursor=not-a-cursor".into(), "invalid_cursor"),
        ("limit=0".into(), "invalid_limit"),
        ("limit=201".into(), "invalid_limit"),
        ("limit=many".into(), "invalid_query"),
        ("from=tomorrow".into(), "invalid_query"),
        ("staff_id=rui".into(), "invalid_query"),
        ("colour=red".into(), "invalid_query"),
    ];
    for (query, code) in cases {
        let response = app
            .get(
                &format!("/api/v1/appointments?{query}"),
                Some(&shop.owner.token),
            )
            .await;
        assert_problem(response, StatusCode::BAD_REQUEST, code).await;
    }
    let anonymous = app.get("/api/v1/appointments", None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_openapi_document_lists_the_appointment_reads() {
    let app = spawn_app().await;
    let doc: Value = app
        .get("/api/openapi.json", None)
        .await
        .json()
        .await
        .expect("json");
    #[rustfmt::skip]
    let routes = [
        ("post", "/api/v1/appointments"), ("get", "/api/v1/appointments"),
        ("get", "/api/v1/appointments/{id}"),
    ];
    for (method, path) in routes {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
}

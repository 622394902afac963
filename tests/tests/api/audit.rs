//! The auditor's routes over HTTP: one record's events with their metadata, a record as it was
//! at a moment, tenancy, an erased customer's history, and the business's log in commit order
//! (and its export).

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{book, round_the_clock, shop, shop_named, soon, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

async fn id_of(response: reqwest::Response) -> Uuid {
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").parse().expect("uuid")
}

async fn step(app: &TestApp, shop: &Shop, id: Uuid, action: &str, body: Value) {
    let path = format!("/api/v1/appointments/{id}/{action}");
    let response = app.post_json(&path, Some(&shop.owner.token), &body).await;
    assert_eq!(response.status(), StatusCode::OK, "{action}");
}

/// `GET /audit/streams/{aggregate_type}/{id}`, every page, as `token`.
async fn stream(app: &TestApp, token: &str, aggregate_type: &str, id: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/audit/streams/{aggregate_type}/{id}?limit=2");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page = app.read(&path, token).await;
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

fn state_path(aggregate_type: &str, id: &str, as_of: Option<DateTime<Utc>>) -> String {
    let mut path = format!("/api/v1/audit/streams/{aggregate_type}/{id}/state");
    if let Some(at) = as_of {
        path.push_str(&format!("?as_of={}", at.to_rfc3339().replace('+', "%2B")));
    }
    path
}

/// A moment strictly between two writes.
async fn a_moment_between() -> DateTime<Utc> {
    tokio::time::sleep(Duration::from_millis(20)).await;
    let at = Utc::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    at
}

#[tokio::test]
async fn an_appointments_stream_lists_its_events_with_who_caused_them() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    round_the_clock(&app, &shop).await;
    let (Some(first), Some(moved)) = (soon(15), soon(30)) else {
        return; // late in the UTC day: no room for two slots today
    };
    let id = id_of(book(&app, &shop, &first).await).await;
    step(&app, &shop, id, "reschedule", json!({ "starts_at": moved })).await;
    step(&app, &shop, id, "check-in", json!({})).await;
    step(&app, &shop, id, "start", json!({})).await;
    let paid = json!({"amount_paid_cents": 2500, "tip_cents": 300, "payment_method": "card"});
    step(&app, &shop, id, "complete", paid).await;

    let events = stream(&app, &shop.owner.token, "appointment", &id.to_string()).await;
    let types: Vec<&str> = events
        .iter()
        .map(|e| e["event_type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        types,
        [
            "AppointmentBooked",
            "AppointmentRescheduled",
            "AppointmentCheckedIn",
            "AppointmentStarted",
            "AppointmentCompleted"
        ]
    );
    for (n, event) in events.iter().enumerate() {
        assert_eq!(event["sequence"], json!(n + 1));
        assert_eq!(event["aggregate_id"], json!(id.to_string()));
        assert!(event["global_position"].as_i64().is_some_and(|p| p > 0));
        assert!(event["recorded_at"].is_string());
        assert!(event["event_version"].is_string());
        assert!(event["actor"].as_str().is_some_and(|a| !a.is_empty()));
        assert!(event["correlation_id"].is_string(), "{event}");
        assert!(event["causation_id"].is_string(), "{event}");
        assert!(event["payload"][types[n]].is_object(), "{event}");
    }
    assert_eq!(
        events[1]["payload"]["AppointmentRescheduled"]["starts_at"],
        json!(moved.replace("+00:00", "Z"))
    );
    let state = app
        .read(
            &state_path("appointment", &id.to_string(), None),
            &shop.owner.token,
        )
        .await;
    assert_eq!(state["sequence"], json!(5));
    assert_eq!(
        state["state"]["state"]["status"],
        json!("completed"),
        "{state}"
    );
}

#[tokio::test]
async fn a_record_as_it_was_before_and_after_a_change() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let before_booking = Utc::now() - chrono::Duration::seconds(1);
    let id = id_of(book(&app, &shop, &utc_day_at(3, 10, 0)).await).await;
    let between = a_moment_between().await;
    let path = format!("/api/v1/appointments/{id}/reschedule");
    let moved = app
        .post_json(
            &path,
            Some(&shop.owner.token),
            &json!({"starts_at": utc_day_at(3, 11, 0)}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let id = id.to_string();
    let token = &shop.owner.token;

    let then = app
        .read(&state_path("appointment", &id, Some(between)), token)
        .await;
    let now = app.read(&state_path("appointment", &id, None), token).await;
    assert_eq!(then["sequence"], json!(1), "{then}");
    assert_eq!(now["sequence"], json!(2), "{now}");
    let start = |state: &Value| state["state"]["state"]["slot"]["starts_at"].clone();
    assert_eq!(start(&then), json!(utc_day_at(3, 10, 0)), "{then}");
    assert_eq!(start(&now), json!(utc_day_at(3, 11, 0)), "{now}");

    let response = app
        .get(
            &state_path("appointment", &id, Some(before_booking)),
            Some(token),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "not_yet_recorded").await;
    // a barber's day is named by staff id and local date, and replays too
    let day = format!("{}:{}", shop.staff_id, &utc_day_at(3, 10, 0)[..10]);
    let schedule = app.read(&state_path("schedule", &day, None), token).await;
    assert_eq!(schedule["aggregate_id"], json!(day), "{schedule}");
}

#[tokio::test]
async fn another_business_and_unknown_records_are_not_found() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let other = shop_named(&app, "other-shop", "UTC", 0).await;
    let id = id_of(book(&app, &shop, &utc_day_at(3, 10, 0)).await).await;
    let theirs = format!("/api/v1/audit/streams/appointment/{id}");
    for path in [theirs.clone(), format!("{theirs}/state")] {
        let response = app.get(&path, Some(&other.owner.token)).await;
        assert_problem(response, StatusCode::NOT_FOUND, "record_not_found").await;
    }
    let token = Some(shop.owner.token.as_str());
    let cases = [
        (
            format!("/api/v1/audit/streams/invoice/{id}"),
            "unknown_record_type",
        ),
        (
            format!("/api/v1/audit/streams/customer/{id}"),
            "record_not_found",
        ),
        (
            "/api/v1/audit/streams/appointment/walk-in".to_owned(),
            "record_not_found",
        ),
        (
            "/api/v1/audit/streams/schedule/2026-12-01".to_owned(),
            "record_not_found",
        ),
    ];
    for (path, code) in cases {
        assert_problem(app.get(&path, token).await, StatusCode::NOT_FOUND, code).await;
    }
    let barber = app.token_with_role(&shop.owner, "barber").await;
    let response = app.get(&theirs, Some(&barber)).await;
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn an_erased_customers_history_shows_their_personal_data_erased_and_still_replays() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let token = shop.owner.token.clone();
    let customer = shop.customer_id.to_string();
    let changed = app
        .patch_json(
            &format!("/api/v1/customers/{customer}"),
            Some(&token),
            &json!({"phone": "+44 7700 900123", "preferences": {"drink": "espresso"}}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let id = id_of(book(&app, &shop, &utc_day_at(3, 10, 0)).await).await;
    let before = app
        .read(&state_path("customer", &customer, None), &token)
        .await;
    assert_eq!(before["state"]["pii"]["name"], json!("Ana"), "{before}");
    assert_eq!(before["personal_data_erased"], json!(false));
    let before_erasure = a_moment_between().await;
    let erased = app
        .post_json(
            &format!("/api/v1/customers/{customer}/erase"),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(erased.status(), StatusCode::OK);

    let events = stream(&app, &token, "customer", &customer).await;
    assert_eq!(
        events.last().map(|e| e["event_type"].clone()),
        Some(json!("CustomerErased"))
    );
    let text = serde_json::to_string(&events).expect("json");
    assert!(!text.contains("Ana") && !text.contains("900123") && !text.contains("espresso"));
    assert_eq!(
        events[0]["payload"]["CustomerRegistered"]["pii"],
        json!({"erased": true})
    );

    for as_of in [Some(before_erasure), None] {
        let state = app
            .read(&state_path("customer", &customer, as_of), &token)
            .await;
        assert_eq!(state["personal_data_erased"], json!(true), "{state}");
        assert_eq!(state["state"]["pii"], json!({"erased": true}), "{state}");
        assert_eq!(
            state["state"]["preferences"],
            json!({"erased": true}),
            "{state}"
        );
        assert_eq!(state["state"]["erased"], json!(as_of.is_none()), "{state}");
    }
    // the appointment's history replays without them
    let appointment = app
        .read(&state_path("appointment", &id.to_string(), None), &token)
        .await;
    assert_eq!(
        appointment["state"]["state"]["status"],
        json!("booked"),
        "{appointment}"
    );
}

/// What `read` answers once `done` holds of it (within 5 s), else the last answer.
async fn eventually<T, F, Fut>(read: F, done: impl Fn(&T) -> bool) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = T>,
{
    for _ in 0..100 {
        let answer = read().await;
        if done(&answer) {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    read().await
}

fn positions(log: &[Value]) -> Vec<i64> {
    log.iter()
        .map(|e| e["global_position"].as_i64().expect("position"))
        .collect()
}

/// Every page of `GET /audit/events` from the start, and the cursor after the last.
async fn whole_log(app: &TestApp, token: &str, limit: u32) -> (Vec<Value>, String) {
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/audit/events?limit={limit}");
        if let Some(after) = &after {
            path.push_str(&format!("&after={after}"));
        }
        let page = app.read(&path, token).await;
        let got = page["items"].as_array().expect("items").clone();
        let next = page["next_cursor"]
            .as_str()
            .expect("a cursor always")
            .to_owned();
        let done = got.len() < limit as usize;
        items.extend(got);
        if done {
            return (items, next);
        }
        after = Some(next);
    }
}

#[tokio::test]
async fn the_log_pages_the_business_in_commit_order_and_exports_the_same() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let other = shop_named(&app, "other-shop", "UTC", 0).await;
    id_of(book(&app, &shop, &utc_day_at(3, 10, 0)).await).await;
    let token = &shop.owner.token;
    // exactly this business's events, each once, in the store's commit order; what the log
    // shows waits for every transaction older than them to end (the relay and the
    // projections keep some open for a moment)
    let in_commit_order: Vec<i64> = sqlx::query_scalar(
        "select global_position from events where tenant_id = $1
          order by transaction_id, global_position",
    )
    .bind(shop.owner.business_id)
    .fetch_all(&app.env.pool)
    .await
    .expect("read");
    let (log, after) = eventually(
        || whole_log(&app, token, 3),
        |(log, _)| positions(log) == in_commit_order,
    )
    .await;
    assert_eq!(positions(&log), in_commit_order);
    assert!(!log
        .iter()
        .any(|e| e["aggregate_id"] == json!(other.owner.business_id.to_string())));

    // the cursor after the last page picks up what comes next, and only that
    id_of(book(&app, &shop, &utc_day_at(3, 11, 0)).await).await;
    let next = format!("/api/v1/audit/events?after={after}");
    let page = eventually(|| app.read(&next, token), |page| page["items"] != json!([])).await;
    let newer: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["aggregate_type"].as_str().expect("type"))
        .collect();
    assert!(!newer.is_empty() && newer.len() <= 3, "{page}");
    assert!(newer.contains(&"appointment"));
    let bad = app
        .get("/api/v1/audit/events?after=nonsense", Some(token))
        .await;
    assert_problem(bad, StatusCode::BAD_REQUEST, "invalid_cursor").await;

    // the export writes the same items, one a line
    let export = barber::audit::Export {
        business_id: shop.owner.business_id,
        since: None,
    };
    let mut out = Vec::new();
    let written = export.run(&app.env.pool, &mut out).await.expect("exported");
    let lines: Vec<Value> = String::from_utf8(out)
        .expect("utf-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(written, lines.len() as u64);
    assert_eq!(lines[..log.len()], log[..]);
    let since = barber::audit::Export {
        since: Some(Utc::now()),
        ..export
    };
    let mut none = Vec::new();
    assert_eq!(
        since.run(&app.env.pool, &mut none).await.expect("exported"),
        0
    );
}

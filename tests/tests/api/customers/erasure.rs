//! Erasing a customer at their request: their name, phone and email are found nowhere afterwards
//! (the API, the read models, the raw event store), while their appointments stay and replay the
//! same; only an owner may erase; the record refuses what would write about them again.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{book, shop, utc_day_at, Shop};
use crate::helpers::{assert_problem, TestApp};

const NAME: &str = "Zélie Quixote-Marrow";
const PHONE: &str = "+44 7700 900456";
const EMAIL: &str = "zelie.qm@example.org";
/// What must never be found after the erasure: parts of the name, the phone's digits, the email,
/// the notes, the preferences and the note on her appointment.
const TRACES: [&str; 8] = [
    "Quixote",
    "Zélie",
    "7700900456",
    "zelie.qm",
    "quiet chair",
    "oolong",
    "Odette",
    "example.org",
];

/// A shop with Zélie on its books, one appointment of hers booked (with a note about her) and
/// one cancelled. Answers (her id, the appointments' ids).
async fn zelie(app: &TestApp, shop: &Shop) -> (Uuid, Vec<String>) {
    let (id, _) = app
        .register_customer(
            &shop.owner.token,
            &json!({"name": NAME, "phone": PHONE, "email": EMAIL,
                    "notes": "prefers the quiet chair", "tags": ["vip"],
                    "preferences": {"drink": "oolong tea"}}),
        )
        .await;
    let mut appointments = Vec::new();
    for hour in [10, 11] {
        let booked = app
            .post_json(
                "/api/v1/appointments",
                Some(&shop.owner.token),
                &json!({"customer_id": id, "staff_id": shop.staff_id,
                        "service_id": shop.service_id, "starts_at": utc_day_at(3, hour, 0)}),
            )
            .await;
        assert_eq!(booked.status(), StatusCode::CREATED);
        let booked: Value = booked.json().await.expect("json");
        appointments.push(booked["id"].as_str().expect("id").to_owned());
    }
    let note = app
        .post_json(
            &format!("/api/v1/appointments/{}/notes", appointments[0]),
            Some(&shop.owner.token),
            &json!({"text": "came with her sister Odette"}),
        )
        .await;
    assert_eq!(note.status(), StatusCode::CREATED);
    let cancelled = app
        .post_json(
            &format!("/api/v1/appointments/{}/cancel", appointments[1]),
            Some(&shop.owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    (id, appointments)
}

/// How many rows of any table of the database hold `trace`, by table.
async fn found(app: &TestApp, trace: &str) -> Vec<(String, i64)> {
    let tables: Vec<String> = sqlx::query_scalar(
        "select tablename::text from pg_tables where schemaname = 'public' order by 1",
    )
    .fetch_all(&app.env.pool)
    .await
    .expect("tables");
    let mut found = Vec::new();
    for table in tables {
        let count: i64 = sqlx::query_scalar(&format!(
            "select count(*) from \"{table}\" t where t::text ilike '%' || $1 || '%'"
        ))
        .bind(trace)
        .fetch_one(&app.env.pool)
        .await
        .expect("search");
        if count > 0 {
            found.push((table, count));
        }
    }
    found
}

/// Every message the relay published to the test's stream, as text.
async fn published(app: &TestApp) -> String {
    let js = async_nats::jetstream::new(app.env.nats().await);
    let stream = js
        .get_stream(&app.env.config.events_stream)
        .await
        .expect("stream exists");
    let state = stream.get_info().await.expect("info").state;
    let mut text = String::new();
    for sequence in state.first_sequence..=state.last_sequence {
        if let Ok(message) = stream.get_raw_message(sequence).await {
            text.push_str(&String::from_utf8_lossy(&message.payload));
        }
    }
    text
}

async fn erase(app: &TestApp, token: &str, id: Uuid) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/customers/{id}/erase"),
        Some(token),
        &json!({}),
    )
    .await
}

/// What must replay the same: each appointment's id, times, status and price, by start.
async fn appointments(app: &TestApp, shop: &Shop, position: i64) -> Vec<Value> {
    let page: Value = app
        .read(
            &format!("/api/v1/appointments?min_position={position}"),
            &shop.owner.token,
        )
        .await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| {
            json!([
                a["id"],
                a["customer_id"],
                a["starts_at"],
                a["ends_at"],
                a["status"],
                a["price_cents"],
                a["currency"]
            ])
        })
        .collect()
}

/// `GET /customers/{id}` shows the customer erased: no name, phone, email, notes or
/// preferences, and when.
async fn assert_erased(app: &TestApp, shop: &Shop, id: Uuid, position: i64) {
    let path = format!("/api/v1/customers/{id}?min_position={position}");
    let read = app.read(&path, &shop.owner.token).await;
    let personal = ["name", "phone", "email", "notes"].map(|field| read[field].clone());
    assert_eq!(
        personal,
        [Value::Null, Value::Null, Value::Null, Value::Null]
    );
    assert_eq!(read["preferences"], json!({}));
    assert!(read["erased_at"].is_string(), "{read}");
}

#[tokio::test]
async fn after_erasure_the_customer_is_found_nowhere_and_the_appointments_stay() {
    let app = crate::helpers::spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let (id, booked) = zelie(&app, &shop).await;
    // sealed from the first event on: the event store never held her in clear
    let events: i64 = sqlx::query_scalar(
        "select count(*) from events where payload::text ilike '%Quixote%'
            or payload::text ilike '%Odette%' or payload::text ilike '%7700900456%'",
    )
    .fetch_one(&app.env.pool)
    .await
    .expect("count");
    assert_eq!(events, 0);
    let before = appointments(&app, &shop, app.newest_position().await).await;
    assert_eq!(before.len(), 2);
    // nor does NATS: the relay publishes the events as stored, sealed
    let published = published(&app).await;
    assert!(published.contains("CustomerRegistered"));
    for trace in TRACES {
        assert!(!published.contains(trace), "{trace} published");
    }

    let erased = erase(&app, &shop.owner.token, id).await;
    assert_eq!(erased.status(), StatusCode::OK);
    let erased: Value = erased.json().await.expect("json");
    let position = erased["position"].as_i64().expect("position");

    assert_erased(&app, &shop, id, position).await;
    for q in ["Quixote", "zelie", "07700 900456", "+447700900456", EMAIL] {
        let page: Value = app
            .read(
                &format!(
                    "/api/v1/customers?q={}",
                    q.replace('+', "%2B").replace(' ', "+")
                ),
                &shop.owner.token,
            )
            .await;
        assert_eq!(page["items"], json!([]), "{q}");
    }
    let appointment: Value = app
        .read(
            &format!("/api/v1/appointments/{}", booked[0]),
            &shop.owner.token,
        )
        .await;
    assert_eq!(
        appointment["notes"][0]["text"],
        Value::Null,
        "{appointment}"
    );
    for trace in TRACES {
        assert_eq!(found(&app, trace).await, vec![], "{trace}");
    }
    assert_eq!(appointments(&app, &shop, position).await, before);

    // the erasure and who did it are on record
    let actor: String = sqlx::query_scalar(
        "select metadata ->> 'actor' from events
          where aggregate_id = $1 and event_type = 'CustomerErased'",
    )
    .bind(id.to_string())
    .fetch_one(&app.env.pool)
    .await
    .expect("erasure recorded");
    assert!(!actor.is_empty());

    // every projection rebuilt from the event store alone: the same appointments, still erased
    for name in projections::names() {
        projections::rebuild(&app.env.pool, name)
            .await
            .expect("rebuilt");
    }
    assert_eq!(appointments(&app, &shop, position).await, before);
    assert_erased(&app, &shop, id, position).await;
    for trace in TRACES {
        assert_eq!(found(&app, trace).await, vec![], "{trace} after rebuild");
    }
}

#[tokio::test]
async fn an_erased_customer_cannot_be_changed_booked_or_written_about_and_frees_her_phone() {
    let app = crate::helpers::spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let (id, booked) = zelie(&app, &shop).await;
    assert_eq!(
        erase(&app, &shop.owner.token, id).await.status(),
        StatusCode::OK
    );
    let events = app.event_count().await;

    // again: 200, nothing recorded
    let again = erase(&app, &shop.owner.token, id).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.expect("json");
    assert!(again["position"].is_null(), "{again}");
    let token = Some(shop.owner.token.as_str());
    let path = format!("/api/v1/customers/{id}");
    for change in [
        json!({"name": "Zélie"}),
        json!({"tags": ["vip"]}),
        json!({}),
    ] {
        let refused = app.patch_json(&path, token, &change).await;
        assert_problem(refused, StatusCode::CONFLICT, "customer_erased").await;
    }
    let booking = app
        .post_json(
            "/api/v1/appointments",
            token,
            &json!({"customer_id": id, "staff_id": shop.staff_id,
                    "service_id": shop.service_id, "starts_at": utc_day_at(4, 10, 0)}),
        )
        .await;
    assert_problem(booking, StatusCode::CONFLICT, "customer_erased").await;
    let note = app
        .post_json(
            &format!("/api/v1/appointments/{}/notes", booked[0]),
            token,
            &json!({"text": "asked for Zélie's usual"}),
        )
        .await;
    assert_problem(note, StatusCode::CONFLICT, "customer_erased").await;
    assert_eq!(app.event_count().await, events);

    // her appointment still moves through the shop
    let confirmed = app
        .post_json(
            &format!("/api/v1/appointments/{}/confirm", booked[0]),
            token,
            &json!({}),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
    // her phone and email are free for someone else
    app.register_customer(
        &shop.owner.token,
        &json!({"name": "Someone Else", "phone": PHONE, "email": EMAIL}),
    )
    .await;
    // other customers book as before
    assert_eq!(
        book(&app, &shop, &utc_day_at(4, 12, 0)).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn only_the_owner_may_erase_and_only_a_customer_of_the_business() {
    let app = crate::helpers::spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let (id, _) = zelie(&app, &shop).await;
    let other = app.owner("another-shop").await;
    let events = app.event_count().await;
    for role in ["manager", "front_desk", "barber"] {
        let token = app.token_with_role(&shop.owner, role).await;
        assert_problem(
            erase(&app, &token, id).await,
            StatusCode::FORBIDDEN,
            "forbidden",
        )
        .await;
    }
    assert_problem(
        erase(&app, &shop.owner.token, Uuid::new_v4()).await,
        StatusCode::NOT_FOUND,
        "customer_not_found",
    )
    .await;
    assert_problem(
        erase(&app, &other.token, id).await,
        StatusCode::NOT_FOUND,
        "customer_not_found",
    )
    .await;
    assert_eq!(app.event_count().await, events);
    let read: Value = app
        .read(
            &format!(
                "/api/v1/customers/{id}?min_position={}",
                app.newest_position().await
            ),
            &shop.owner.token,
        )
        .await;
    assert_eq!(read["name"], NAME);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_racing_an_erasure_are_refused_never_failed_and_write_nothing_about_her() {
    let app = std::sync::Arc::new(crate::helpers::spawn_app().await);
    let shop = std::sync::Arc::new(shop(&app, "UTC", 0).await);
    let (id, appointments) = zelie(&app, &shop).await;
    let note_on = appointments[0].clone();
    let mut racers = Vec::new();
    for n in 0..30 {
        let (a, s, note_on) = (app.clone(), shop.clone(), note_on.clone());
        racers.push(tokio::spawn(async move {
            let (app, shop) = (a, s);
            let token = Some(shop.owner.token.as_str());
            let answer = match n % 3 {
                0 => {
                    app.post_json(
                        &format!("/api/v1/appointments/{note_on}/notes"),
                        token,
                        &json!({"text": format!("Quixote note {n}")}),
                    )
                    .await
                }
                1 => {
                    app.patch_json(
                        &format!("/api/v1/customers/{id}"),
                        token,
                        &json!({"notes": format!("Quixote changed {n}")}),
                    )
                    .await
                }
                _ => {
                    app.post_json(
                        "/api/v1/appointments",
                        token,
                        &json!({"customer_id": id, "staff_id": shop.staff_id,
                                "service_id": shop.service_id,
                                "starts_at": utc_day_at(4 + n, 10, 0)}),
                    )
                    .await
                }
            };
            answer.status()
        }));
        if n == 10 {
            let erased = erase(&app, &shop.owner.token, id).await;
            assert_eq!(erased.status(), StatusCode::OK);
        }
    }
    for racer in racers {
        let status = racer.await.expect("joined");
        assert!(!status.is_server_error(), "{status}");
    }
    // whatever won before the erasure is unreadable now, and nothing was written after it
    let clear: i64 =
        sqlx::query_scalar("select count(*) from events where payload::text like '%Quixote%'")
            .fetch_one(&app.env.pool)
            .await
            .expect("count");
    assert_eq!(clear, 0);
    let after: i64 = sqlx::query_scalar(
        "select count(*) from events e
          where e.global_position > (select global_position from events
                                      where event_type = 'CustomerErased')
            and (e.aggregate_id = $1
                 or (e.event_type = 'AppointmentBooked'
                     and e.payload -> 'AppointmentBooked' ->> 'customer_id' = $1)
                 or e.event_type = 'AppointmentNoteAdded')",
    )
    .bind(id.to_string())
    .fetch_one(&app.env.pool)
    .await
    .expect("count");
    assert_eq!(
        after, 0,
        "something was recorded about her after the erasure"
    );
}

//! Webhooks end to end, to a receiver the test runs: deliveries arrive signed by the Standard
//! Webhooks convention (checked here with `ring`, apart from the sender's code) and a tampered
//! body fails the check; one record's events arrive in order even when the first is refused and
//! retried; the log shows every try; a delivery is sent again on request; private addresses and
//! unknown event types are refused.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode as AxumStatus};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::Duration as Span;
use platform::clock::ShiftedClock;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::booking::{book, shop_named, utc_day_at};
use crate::helpers::{assert_problem, spawn_app, spawn_app_with_clock};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

/// A webhook receiver on a local port: records every request, and refuses the first `refuse`
/// with 500.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    refuse: Arc<Mutex<usize>>,
}

impl Receiver {
    async fn start(&self) -> String {
        let me = self.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let me = me.clone();
                async move {
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    me.got.lock().expect("lock").push(Received {
                        id: header("webhook-id"),
                        timestamp: header("webhook-timestamp"),
                        signature: header("webhook-signature"),
                        body,
                    });
                    let mut refuse = me.refuse.lock().expect("lock");
                    if *refuse > 0 {
                        *refuse -= 1;
                        AxumStatus::INTERNAL_SERVER_ERROR
                    } else {
                        AxumStatus::NO_CONTENT
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port");
        let port = listener.local_addr().expect("address").port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://127.0.0.1:{port}/hook")
    }

    fn got(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }

    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..200 {
            if self.got().len() >= n {
                return self.got();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "the receiver got {} of {n}: {:#?}",
            self.got().len(),
            self.got()
        );
    }
}

/// The receiver's check (Standard Webhooks): HMAC-SHA256 of `{id}.{timestamp}.{body}` with the
/// secret's key, base64, after `v1,`.
fn verifies(secret: &str, got: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .expect("base64");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &key);
    let Some(sent) = got.signature.strip_prefix("v1,") else {
        return false;
    };
    let Ok(sent) = STANDARD.decode(sent) else {
        return false;
    };
    let signed = format!("{}.{}.{}", got.id, got.timestamp, got.body);
    ring::hmac::verify(&key, signed.as_bytes(), &sent).is_ok()
}

fn kind(got: &Received) -> String {
    let body: Value = serde_json::from_str(&got.body).expect("json");
    body["type"].as_str().expect("type").to_owned()
}

#[tokio::test]
async fn deliveries_arrive_signed_in_order_retried_logged_and_sent_again_on_request() {
    let clock = ShiftedClock::new();
    let app = spawn_app_with_clock(
        |config| {
            config.notify.allow_private_webhooks = true;
            config.notify.poll_interval = Duration::from_millis(100);
        },
        Arc::new(clock.clone()),
    )
    .await;
    let shop = shop_named(&app, "fade-street", "UTC", 0).await;
    let receiver = Receiver::default();
    let url = receiver.start().await;
    let registered = app
        .post_json(
            "/api/v1/webhooks",
            Some(&shop.owner.token),
            &json!({"url": url, "event_types":
                ["appointment.booked", "appointment.rescheduled", "appointment.cancelled"]}),
        )
        .await;
    assert_eq!(registered.status(), StatusCode::CREATED);
    let registered: Value = registered.json().await.expect("json");
    let secret = registered["secret"].as_str().expect("secret").to_owned();
    let endpoint = registered["id"].as_str().expect("id").to_owned();

    // the receiver refuses the first try: the booking's delivery is retried, and the move and
    // the cancellation wait behind it
    *receiver.refuse.lock().expect("lock") = 1;
    let booked = book(&app, &shop, &utc_day_at(3, 10, 0)).await;
    assert_eq!(booked.status(), StatusCode::CREATED);
    let booked: Value = booked.json().await.expect("json");
    let appointment = booked["id"].as_str().expect("id");
    receiver.wait_for(1).await;
    let moved = app
        .post_json(
            &format!("/api/v1/appointments/{appointment}/reschedule"),
            Some(&shop.owner.token),
            &json!({"starts_at": utc_day_at(3, 11, 0)}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let cancelled = app
        .post_json(
            &format!("/api/v1/appointments/{appointment}/cancel"),
            Some(&shop.owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(
        receiver.got().len(),
        1,
        "nothing overtakes the refused booking"
    );
    clock.advance(Span::seconds(31));
    let got = receiver.wait_for(4).await;
    let kinds: Vec<String> = got.iter().map(kind).collect();
    assert_eq!(
        kinds,
        vec![
            "appointment.booked",
            "appointment.booked",
            "appointment.rescheduled",
            "appointment.cancelled"
        ]
    );
    assert_eq!(got[0].id, got[1].id, "a retry carries the same webhook-id");
    for delivery in &got {
        assert!(verifies(&secret, delivery), "signed: {delivery:?}");
    }
    let body: Value = serde_json::from_str(&got[1].body).expect("json");
    assert_eq!(body["version"], 1);
    assert_eq!(body["data"]["appointment_id"], appointment);
    assert_eq!(body["business_id"], shop.owner.business_id.to_string());

    // a tampered body, or a signature with another secret, fails the receiver's check
    let mut tampered = got[1].clone();
    tampered.body = tampered
        .body
        .replace("appointment.booked", "appointment.cancelled");
    assert!(!verifies(&secret, &tampered));
    let other = format!("whsec_{}", STANDARD.encode([7u8; 24]));
    assert!(!verifies(&other, &got[1]));

    // the log: the booking's two tries, every delivery delivered
    let log = app
        .read(
            &format!("/api/v1/webhooks/{endpoint}/deliveries"),
            &shop.owner.token,
        )
        .await;
    let items = log["items"].as_array().expect("items");
    assert_eq!(items.len(), 3);
    assert!(items.iter().all(|d| d["state"] == "delivered"), "{log}");
    let first = items
        .iter()
        .find(|d| d["event_type"] == "appointment.booked")
        .expect("the booking");
    assert_eq!(first["attempts"], 2);

    // sent again on request, with the same id
    let redelivered = app
        .post_json(
            &format!(
                "/api/v1/webhooks/deliveries/{}/redeliver",
                first["id"].as_str().expect("id")
            ),
            Some(&shop.owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(redelivered.status(), StatusCode::OK);
    let got = receiver.wait_for(5).await;
    assert_eq!(got[4].id, got[0].id);
    assert!(verifies(&secret, &got[4]));

    // removed: nothing more is sent
    let removed = app
        .delete(
            &format!("/api/v1/webhooks/{endpoint}"),
            Some(&shop.owner.token),
        )
        .await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    let again = book(&app, &shop, &utc_day_at(4, 10, 0)).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.got().len(), 5);
}

#[tokio::test]
async fn private_addresses_and_unknown_event_types_are_refused() {
    let app = spawn_app().await;
    let shop = shop_named(&app, "fade-street", "UTC", 0).await;
    for url in [
        "http://127.0.0.1:9/hook",
        "https://127.0.0.1/hook",
        "https://10.0.0.8/hook",
        "https://169.254.169.254/latest",
        "https://localhost/hook",
        "not a url",
    ] {
        let refused = app
            .post_json(
                "/api/v1/webhooks",
                Some(&shop.owner.token),
                &json!({"url": url, "event_types": ["appointment.booked"]}),
            )
            .await;
        assert_problem(
            refused,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_webhook_url",
        )
        .await;
    }
    let unknown = app
        .post_json(
            "/api/v1/webhooks",
            Some(&shop.owner.token),
            &json!({"url": "https://93.184.216.34/hook", "event_types": ["appointment.exploded"]}),
        )
        .await;
    assert_problem(
        unknown,
        StatusCode::UNPROCESSABLE_ENTITY,
        "unknown_event_type",
    )
    .await;
    let front_desk = app.token_with_role(&shop.owner, "front_desk").await;
    let forbidden = app
        .post_json(
            "/api/v1/webhooks",
            Some(&front_desk),
            &json!({"url": "https://93.184.216.34/hook", "event_types": ["appointment.booked"]}),
        )
        .await;
    assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
}

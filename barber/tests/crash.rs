//! The real binary killed with SIGKILL in the middle of a mixed load of bookings, reschedules,
//! changes of service, notes, cancellations and time off (moving or cancelling the bookings in
//! its way), three times over: right after each restart (no waiting period, no reconciler)
//! every live appointment holds exactly its slot, nothing else is held, and no two reservations
//! of a barber overlap (`barber_tests::chairs`).

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use barber_tests::chairs::assert_every_chair_held_once;
use chrono::Utc;
use platform::testing::TestEnv;
use serde_json::{json, Value};
use support::{open_shop, random, some_start, Server, Shop};
use uuid::Uuid;

/// What the load has seen recorded, to act on again.
#[derive(Default)]
struct Seen {
    appointments: Vec<Uuid>,
    /// Each booking with the position its answer carried, to read back after a restart.
    booked: Vec<(Uuid, i64)>,
    time_off: Vec<(Uuid, Uuid)>,
}

/// One client of the load: random steps until the server stops answering.
async fn client_load(base: String, shop: Arc<Shop>, seen: Arc<Mutex<Seen>>) {
    let client = reqwest::Client::new();
    let pick = |list: &[Uuid]| (!list.is_empty()).then(|| list[random(list.len())]);
    loop {
        let staff_id = shop.staff[random(shop.staff.len())];
        let (path, body, method) = match random(12) {
            0..=3 => (
                "/api/v1/appointments".to_owned(),
                json!({"customer_id": shop.customer_id, "staff_id": staff_id,
                       "service_id": shop.service_id, "starts_at": some_start()}),
                "post",
            ),
            4..=5 => {
                let Some(id) = pick(&seen.lock().expect("seen").appointments) else {
                    continue;
                };
                (
                    format!("/api/v1/appointments/{id}/reschedule"),
                    json!({"starts_at": some_start(), "staff_id": staff_id}),
                    "post",
                )
            }
            6..=7 => {
                let Some(id) = pick(&seen.lock().expect("seen").appointments) else {
                    continue;
                };
                (
                    format!("/api/v1/appointments/{id}/cancel"),
                    json!({}),
                    "post",
                )
            }
            8 => {
                let starts_at = some_start();
                let start: chrono::DateTime<Utc> = starts_at.parse().expect("instant");
                let ends_at = (start + chrono::Duration::hours(1)).to_rfc3339();
                // a sick hour: refused over bookings, or moving or cancelling them in the step
                let mut body = json!({"starts_at": starts_at, "ends_at": ends_at});
                if let Some(action) = [None, Some("move"), Some("cancel")][random(3)] {
                    body["bookings"] = json!({ "action": action });
                }
                (format!("/api/v1/staff/{staff_id}/time-off"), body, "post")
            }
            10 => {
                let Some(id) = pick(&seen.lock().expect("seen").appointments) else {
                    continue;
                };
                let service_id = [shop.service_id, shop.longer_service_id][random(2)];
                (
                    format!("/api/v1/appointments/{id}/service"),
                    json!({ "service_id": service_id }),
                    "post",
                )
            }
            11 => {
                let Some(id) = pick(&seen.lock().expect("seen").appointments) else {
                    continue;
                };
                (
                    format!("/api/v1/appointments/{id}/notes"),
                    json!({"text": "wants it shorter on top"}),
                    "post",
                )
            }
            _ => {
                let taken = {
                    let seen = seen.lock().expect("seen");
                    (!seen.time_off.is_empty()).then(|| seen.time_off[random(seen.time_off.len())])
                };
                let Some((staff, time_off)) = taken else {
                    continue;
                };
                (
                    format!("/api/v1/staff/{staff}/time-off/{time_off}"),
                    Value::Null,
                    "delete",
                )
            }
        };
        let request = match method {
            "delete" => client.delete(format!("{base}{path}")),
            _ => client.post(format!("{base}{path}")).json(&body),
        };
        let Ok(response) = request.bearer_auth(&shop.token).send().await else {
            return; // the server is gone
        };
        let created = response.status() == reqwest::StatusCode::CREATED;
        let Ok(answer) = response.json::<Value>().await else {
            return;
        };
        if created {
            let id: Uuid = answer["id"].as_str().expect("id").parse().expect("uuid");
            let mut seen = seen.lock().expect("seen");
            if path.ends_with("/time-off") {
                seen.time_off.push((staff_id, id));
            } else if path == "/api/v1/appointments" {
                seen.appointments.push(id);
                if let Some(position) = answer["position"].as_i64() {
                    seen.booked.push((id, position));
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_process_killed_during_a_mixed_load_leaves_every_chair_held_exactly_once() {
    let env = TestEnv::new().await;
    let server = Server::start(&env).await;
    let shop = Arc::new(open_shop(&server.base).await);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut server = server;
    for round in 0..3 {
        let clients: Vec<_> = (0..12)
            .map(|_| tokio::spawn(client_load(server.base.clone(), shop.clone(), seen.clone())))
            .collect();
        // long enough for plenty of steps to be in flight at the kill
        tokio::time::sleep(Duration::from_millis(800 + 400 * round)).await;
        server.kill();
        for client in clients {
            client.await.expect("client");
        }
        server = Server::start(&env).await;
        // right after the restart: nothing was left half-done
        let checked = assert_every_chair_held_once(&env.pool, shop.business_id).await;
        assert!(checked.live_reservations > 0, "the load recorded nothing");
        let booked = seen.lock().expect("seen").booked.clone();
        assert_no_read_answers_early(&server.base, &shop.token, &booked).await;
    }
    server.kill();
}

/// Every booking read back with the position its answer carried: found, or answered stale;
/// never "not found" as if fresh (a projection that died holding a batch must not let the
/// batches after it claim the events it held).
async fn assert_no_read_answers_early(base: &str, token: &str, booked: &[(Uuid, i64)]) {
    let client = reqwest::Client::new();
    for (id, position) in booked {
        let response = client
            .get(format!(
                "{base}/api/v1/appointments/{id}?min_position={position}"
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("answer");
        let stale = response.headers().contains_key("barber-stale");
        assert!(
            response.status().is_success() || stale,
            "appointment {id} at position {position} answered {} as fresh",
            response.status()
        );
    }
}

//! Two `barber project` processes pulling from one stream, each role a process of its own
//! (`command`, `query`, `relay`, and the two workers), under a booking load that reads every
//! booking back at once with the position its answer carried: no read answers fresh before the
//! write is in the read model, also when one worker is killed holding a batch.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use platform::testing::TestEnv;
use serde_json::{json, Value};
use support::{open_shop, random, some_start, Server, Shop};

/// What the readers saw.
#[derive(Default)]
struct Reads {
    fresh: AtomicUsize,
    stale: AtomicUsize,
    early: AtomicUsize,
}

/// Books `count` appointments one after another, reading each back from the query process
/// with its `min_position`.
async fn book_and_read(
    command: String,
    query: String,
    shop: Arc<Shop>,
    reads: Arc<Reads>,
    count: usize,
) {
    let client = reqwest::Client::new();
    // a customer of its own: one customer cannot sit in two chairs at once
    let customer: Value = support::post(
        &client,
        format!("{command}/api/v1/customers"),
        Some(&shop.token),
        json!({"name": format!("Walk-in {}", uuid::Uuid::new_v4())}),
    )
    .await;
    let customer_id = customer["id"].as_str().expect("id").to_owned();
    for _ in 0..count {
        let staff_id = shop.staff[random(shop.staff.len())];
        let body = json!({"customer_id": customer_id, "staff_id": staff_id,
                          "service_id": shop.service_id, "starts_at": some_start()});
        let response = client
            .post(format!("{command}/api/v1/appointments"))
            .bearer_auth(&shop.token)
            .json(&body)
            .send()
            .await
            .expect("booking answered");
        if response.status() != reqwest::StatusCode::CREATED {
            continue; // a slot taken, or this customer already in a chair then
        }
        let booked: Value = response.json().await.expect("json");
        let id = booked["id"].as_str().expect("id");
        let position = booked["position"].as_i64().expect("position");
        let read = client
            .get(format!(
                "{query}/api/v1/appointments/{id}?min_position={position}"
            ))
            .bearer_auth(&shop.token)
            .send()
            .await
            .expect("read answered");
        let counter = if read.status().is_success() {
            &reads.fresh
        } else if read.headers().contains_key("barber-stale") {
            &reads.stale
        } else {
            &reads.early
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_projection_workers_never_let_a_read_your_write_answer_early() {
    let env = TestEnv::new().await;
    let command = Server::start_role(&env, "command").await;
    let query = Server::start_role(&env, "query").await;
    let relay = Server::start_role(&env, "relay").await;
    let first = Server::start_role(&env, "project").await;
    let second = Server::start_role(&env, "project").await;
    let shop = Arc::new(open_shop(&command.base).await);
    let reads = Arc::new(Reads::default());

    let clients: Vec<_> = (0..8)
        .map(|_| {
            tokio::spawn(book_and_read(
                command.base.clone(),
                query.base.clone(),
                shop.clone(),
                reads.clone(),
                24,
            ))
        })
        .collect();
    // one worker dies holding whatever batch it has; the other carries on
    tokio::time::sleep(Duration::from_millis(1500)).await;
    first.kill();
    for client in clients {
        client.await.expect("client");
    }

    let (fresh, stale, early) = (
        reads.fresh.load(Ordering::Relaxed),
        reads.stale.load(Ordering::Relaxed),
        reads.early.load(Ordering::Relaxed),
    );
    assert_eq!(
        early, 0,
        "{early} reads answered not found as fresh ({fresh} fresh, {stale} stale)"
    );
    assert!(
        fresh > 50,
        "too few bookings read back fresh: {fresh} ({stale} stale)"
    );
    for server in [command, query, relay, second] {
        server.kill();
    }
}

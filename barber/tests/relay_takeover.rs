//! Two `barber relay` processes on one database and stream: when the active one hangs (SIGSTOP),
//! Postgres ends its silent session, which frees the relay lock, and the standby publishes in its
//! place within 30 s; when the hung one wakes, it stands by, and the stream holds every event
//! once, in commit order.

mod support;

use std::time::{Duration, Instant};

use async_nats::jetstream;
use events::RecordedEvent;
use platform::testing::TestEnv;
use serde_json::{json, Value};
use support::{post, Server};

/// How long the test lets Postgres wait before ending a silent relay session.
const SESSION_TIMEOUT_MS: &str = "3000";

async fn is_active(client: &reqwest::Client, relay: &Server) -> bool {
    let Ok(answer) = client.get(format!("{}/metrics", relay.base)).send().await else {
        return false;
    };
    let text = answer.text().await.unwrap_or_default();
    text.lines().any(|line| line.trim() == "relay_active 1")
}

async fn register_customers(client: &reqwest::Client, base: &str, token: &str, count: usize) {
    for i in 0..count {
        post(
            client,
            format!("{base}/api/v1/customers"),
            Some(token),
            json!({ "name": format!("Guest {i} {}", uuid::Uuid::new_v4()) }),
        )
        .await;
    }
}

/// Every message of the stream, in stream order, as events.
async fn stream_events(env: &TestEnv) -> Vec<RecordedEvent> {
    let js = jetstream::new(env.nats().await);
    let stream = js
        .get_stream(&env.config.events_stream)
        .await
        .expect("stream");
    let info = stream.get_info().await.expect("stream info");
    let mut events = Vec::new();
    for sequence in info.state.first_sequence..=info.state.last_sequence {
        if info.state.messages == 0 {
            break;
        }
        let message = stream.get_raw_message(sequence).await.expect("message");
        events.push(serde_json::from_slice(&message.payload).expect("an event"));
    }
    events
}

async fn stored_events(env: &TestEnv) -> usize {
    let count: i64 = sqlx::query_scalar("select count(*) from events")
        .fetch_one(&env.pool)
        .await
        .expect("count");
    usize::try_from(count).expect("positive")
}

/// Waits until the stream holds as many messages as the store has events; the time it took.
async fn until_all_published(env: &TestEnv, within: Duration) -> Duration {
    let js = jetstream::new(env.nats().await);
    let started = Instant::now();
    loop {
        let stored = stored_events(env).await;
        let published = match js.get_stream(&env.config.events_stream).await {
            Ok(stream) => stream.get_info().await.map_or(0, |i| i.state.messages),
            Err(_) => 0,
        };
        if published >= u64::try_from(stored).expect("fits") {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "{published} of {stored} events published after {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_relay_is_replaced_by_its_standby_within_30_seconds_and_order_holds() {
    let env = TestEnv::new().await;
    let settings = [
        ("RELAY_SESSION_TIMEOUT_MS", SESSION_TIMEOUT_MS),
        ("RELAY_POLL_INTERVAL_MS", "200"),
    ];
    let command = Server::start_role(&env, "command").await;
    let first = Server::start_with(&env, "relay", &settings).await;
    let second = Server::start_with(&env, "relay", &settings).await;
    let client = reqwest::Client::new();
    let signed: Value = post(
        &client,
        format!("{}/api/v1/signup", command.base),
        None,
        json!({"business_name": "Hang Cuts", "slug": "hang-cuts", "timezone": "UTC",
               "owner_name": "Sam", "email": "sam@hang.test", "password": "correct horse battery"}),
    )
    .await;
    let token = signed["token"].as_str().expect("token").to_owned();
    register_customers(&client, &command.base, &token, 3).await;
    until_all_published(&env, Duration::from_secs(20)).await;

    let (active, standby) = if is_active(&client, &first).await {
        (first, second)
    } else {
        (second, first)
    };
    assert!(is_active(&client, &active).await, "one relay is active");
    assert!(!is_active(&client, &standby).await, "and only one");

    active.signal("STOP");
    register_customers(&client, &command.base, &token, 5).await;
    let took = until_all_published(&env, Duration::from_secs(30)).await;
    assert!(is_active(&client, &standby).await, "the standby took over");
    eprintln!("the standby published the events after {took:?}");

    // the hung relay wakes up: its session is gone, so it stands by and sends nothing out of turn
    active.signal("CONT");
    register_customers(&client, &command.base, &token, 5).await;
    until_all_published(&env, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !is_active(&client, &active).await,
        "the woken relay stands by"
    );

    let events = stream_events(&env).await;
    assert_eq!(events.len(), stored_events(&env).await, "each event once");
    let order: Vec<(u64, i64)> = events
        .iter()
        .map(|e| (e.transaction_id, e.global_position))
        .collect();
    assert!(
        order.windows(2).all(|pair| pair[0] < pair[1]),
        "the stream is in commit order: {order:?}"
    );
    for server in [command, active, standby] {
        server.kill();
    }
}

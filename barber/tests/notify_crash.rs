//! The notification worker killed at the two moments that matter, as a real process with a real
//! SMTP server (a sink on a local port): after the mail server took a message but before the
//! message was recorded on the appointment (the restarted worker records it and does not send
//! it again), and after it claimed a message but before it sent it (the restarted worker sends
//! it, once). Two workers at once send each message once.

mod support;

use std::time::{Duration, Instant};

use notifications::testing::SmtpSink;
use platform::testing::TestEnv;
use serde_json::{json, Value};
use sqlx::PgPool;
use support::{book_some_start, open_shop, post, Server, Shop};
use uuid::Uuid;

const WAIT: Duration = Duration::from_secs(30);

fn settings(sink: &SmtpSink) -> Vec<(&'static str, String)> {
    vec![
        ("SMTP_URL", sink.url()),
        ("NOTIFY_POLL_MS", "100".into()),
        // a claim of a worker that died runs out soon
        ("NOTIFY_CLAIM_MS", "1500".into()),
    ]
}

async fn start(env: &TestEnv, role: &str, sink: &SmtpSink) -> Server {
    let settings = settings(sink);
    let pairs: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Server::start_with(env, role, &pairs).await
}

/// A customer with an email address, booked at `starts_at`; answers the appointment.
async fn book(base: &str, shop: &Shop, email: &str) -> Uuid {
    let client = reqwest::Client::new();
    let customer: Value = post(
        &client,
        format!("{base}/api/v1/customers"),
        Some(&shop.token),
        json!({"name": "Ana", "email": email}),
    )
    .await;
    book_some_start(base, shop, &customer["id"], &[]).await
}

async fn wait_until(pool: &PgPool, sql: &str, id: Uuid, what: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let done: bool = sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(pool)
            .await
            .expect("query");
        if done {
            return;
        }
        assert!(Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// How many `CustomerNotified` events the appointment has.
async fn recorded(pool: &PgPool, appointment: Uuid) -> i64 {
    sqlx::query_scalar(
        "select count(*) from events where aggregate_type = 'appointment'
            and aggregate_id = $1 and event_type = 'CustomerNotified'",
    )
    .bind(appointment.to_string())
    .fetch_one(pool)
    .await
    .expect("count")
}

fn emails_to(sink: &SmtpSink, address: &str) -> usize {
    sink.messages()
        .iter()
        .filter(|m| m.to.iter().any(|to| to == address))
        .count()
}

#[tokio::test]
async fn a_worker_killed_after_sending_does_not_send_again_and_one_killed_before_sending_does() {
    let env = TestEnv::new().await;
    let sink = SmtpSink::start().await;
    let pool = PgPool::connect(&env.config.database_url)
        .await
        .expect("pool");
    let server = start(&env, "all", &sink).await;
    let shop = open_shop(&server.base).await;

    // killed after the mail server took it, before it was recorded: the appointment's next
    // event is held by a transaction of the test, so the record waits, and the process dies
    let after = book(&server.base, &shop, "after@crash.test").await;
    let mut hold = pool.begin().await.expect("begin");
    sqlx::query(
        "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                             payload, metadata)
         values ('appointment', $1, 2, 'Held', '1', '{}', $2)",
    )
    .bind(after.to_string())
    .bind(json!({"tenant_id": shop.business_id}))
    .execute(&mut *hold)
    .await
    .expect("the appointment's next event is held");
    wait_until(
        &pool,
        "select exists (select 1 from notification_deliveries d
                          join notifications n using (notification_id)
                         where n.appointment_id = $1 and d.state = 'sent')",
        after,
        "the confirmation was sent",
    )
    .await;
    assert_eq!(emails_to(&sink, "after@crash.test"), 1);
    server.kill();
    hold.rollback().await.expect("released");

    // killed after claiming, before sending: the manage link's table is locked, so the worker
    // waits on it while wording the message, and the process dies
    let server = start(&env, "all", &sink).await;
    let mut lock = pool.begin().await.expect("begin");
    sqlx::query("lock table booking_links in share mode")
        .execute(&mut *lock)
        .await
        .expect("locked");
    let before = book(&server.base, &shop, "before@crash.test").await;
    wait_until(
        &pool,
        "select exists (select 1 from pg_stat_activity
                         where wait_event_type = 'Lock' and query like 'insert into booking_links%')
             and $1 is not null",
        before,
        "the worker waits to word the message",
    )
    .await;
    assert_eq!(emails_to(&sink, "before@crash.test"), 0);
    server.kill();
    lock.rollback().await.expect("released");

    // after a restart: the first recorded without a second email, the second sent once
    let server = start(&env, "all", &sink).await;
    let deadline = Instant::now() + WAIT;
    while recorded(&pool, after).await < 1 || recorded(&pool, before).await < 1 {
        assert!(Instant::now() < deadline, "both recorded after the restart");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(emails_to(&sink, "after@crash.test"), 1, "not sent again");
    assert_eq!(emails_to(&sink, "before@crash.test"), 1, "sent once");
    assert_eq!(recorded(&pool, after).await, 1);
    assert_eq!(recorded(&pool, before).await, 1);
    server.kill();
}

#[tokio::test]
async fn two_workers_send_each_message_once() {
    let env = TestEnv::new().await;
    let sink = SmtpSink::start().await;
    let server = start(&env, "all", &sink).await;
    let second = start(&env, "remind", &sink).await;
    let shop = open_shop(&server.base).await;
    let mut booked = Vec::new();
    for n in 0..12 {
        booked.push(book(&server.base, &shop, &format!("guest{n}@twice.test")).await);
    }
    let emails = sink.wait_for(12, WAIT).await;
    assert_eq!(emails.len(), 12);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(sink.messages().len(), 12, "each once");
    let pool = PgPool::connect(&env.config.database_url)
        .await
        .expect("pool");
    for appointment in booked {
        assert_eq!(recorded(&pool, appointment).await, 1);
    }
    second.kill();
    server.kill();
}

//! The relay against a real Postgres and NATS, one database and stream per test: commit order
//! behind the xid8 gate, re-publishing without duplicates, one active relay per database, and the
//! event store's own guarantees (append-only, one event per aggregate sequence).

use std::collections::HashSet;
use std::future::Future;
use std::time::Duration;

use async_nats::jetstream::{self, stream::Stream};
use events::RecordedEvent;
use platform::shutdown::{self, ShutdownTrigger};
use platform::testing::TestEnv;
use relay::{Relay, RelayError, RelayStatus, GLOBAL_POSITION_HEADER};
use serde_json::json;
use sqlx::PgExecutor;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// The longest any wait in these tests may take; they normally finish in milliseconds.
const WAIT: Duration = Duration::from_secs(20);
const TICK: Duration = Duration::from_millis(20);

/// A relay running in the background with its own stop signal.
struct RunningRelay {
    status: RelayStatus,
    stop: ShutdownTrigger,
    task: JoinHandle<Result<(), RelayError>>,
}

impl RunningRelay {
    async fn start(env: &TestEnv) -> Self {
        Self::start_with(env, |relay| relay).await
    }

    async fn start_with(env: &TestEnv, tune: impl FnOnce(Relay) -> Relay) -> Self {
        let relay = tune(Relay::new(&env.config, env.pool.clone(), env.nats().await));
        let status = relay.status();
        let (stop, shutdown) = shutdown::channel();
        let task = tokio::spawn(relay.run(shutdown));
        Self { status, stop, task }
    }

    /// Stops the relay and waits for it to end: its lock session is closed by then.
    async fn stop(self) {
        self.stop.trigger();
        let ended = tokio::time::timeout(WAIT, self.task)
            .await
            .expect("the relay stops in time");
        ended
            .expect("the relay task ran")
            .expect("the relay ended cleanly");
    }
}

/// One event as the test inserted it.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    global_position: i64,
    transaction_id: u64,
}

/// Appends one event as a writer would (raw SQL, as postgres-es does).
async fn append<'e>(db: impl PgExecutor<'e>, aggregate_id: &str, sequence: i64) -> Stored {
    try_append(db, aggregate_id, sequence)
        .await
        .expect("event appended")
}

async fn try_append<'e>(
    db: impl PgExecutor<'e>,
    aggregate_id: &str,
    sequence: i64,
) -> Result<Stored, sqlx::Error> {
    let (global_position, xid): (i64, String) = sqlx::query_as(
        "insert into events
             (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
         values ('customer', $1, $2, 'CustomerRegistered', '1', $3, $4)
         returning global_position, transaction_id::text",
    )
    .bind(aggregate_id)
    .bind(sequence)
    .bind(json!({ "sequence": sequence }))
    .bind(json!({ "tenant_id": Uuid::new_v4().to_string(), "actor": "test" }))
    .fetch_one(db)
    .await?;
    Ok(Stored {
        global_position,
        transaction_id: xid.parse().expect("xid8 as decimal text"),
    })
}

/// Polls `check` until it holds, panicking with `what` after [`WAIT`].
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(TICK).await;
    }
}

/// The test's stream, once the relay created it.
async fn stream(env: &TestEnv) -> Stream {
    let js = jetstream::new(env.nats().await);
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Ok(stream) = js.get_stream(&env.config.events_stream).await {
            return stream;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out: the relay creates the stream"
        );
        tokio::time::sleep(TICK).await;
    }
}

async fn message_count(stream: &Stream) -> u64 {
    stream.get_info().await.expect("stream info").state.messages
}

async fn wait_for_messages(stream: &Stream, count: u64) {
    eventually(&format!("{count} messages in the stream"), || async {
        message_count(stream).await >= count
    })
    .await;
}

/// Every message of the stream in stream order, with its `Nats-Msg-Id`.
async fn published(stream: &Stream) -> Vec<(String, RecordedEvent)> {
    let state = stream.get_info().await.expect("stream info").state;
    let mut messages = Vec::new();
    if state.messages == 0 {
        return messages;
    }
    for sequence in state.first_sequence..=state.last_sequence {
        let message = stream
            .get_raw_message(sequence)
            .await
            .expect("message by sequence");
        let id = message
            .headers
            .get(async_nats::header::NATS_MESSAGE_ID)
            .expect("Nats-Msg-Id header")
            .to_string();
        let event: RecordedEvent = serde_json::from_slice(&message.payload).expect("event JSON");
        let position = message
            .headers
            .get(GLOBAL_POSITION_HEADER)
            .expect("position header");
        assert_eq!(position.as_str(), event.global_position.to_string());
        messages.push((id, event));
    }
    messages
}

fn positions(messages: &[(String, RecordedEvent)]) -> Vec<i64> {
    messages.iter().map(|(_, e)| e.global_position).collect()
}

fn assert_unique_ids(messages: &[(String, RecordedEvent)]) {
    let ids: HashSet<&str> = messages.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids.len(), messages.len(), "a message id appears twice");
    for (id, event) in messages {
        assert_eq!(id, &event.message_id());
    }
}

async fn stored_checkpoint(env: &TestEnv) -> Option<Stored> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "select global_position, transaction_id::text from relay_checkpoints where stream_name = $1",
    )
    .bind(&env.config.events_stream)
    .fetch_optional(&env.pool)
    .await
    .expect("checkpoint read");
    row.map(|(global_position, xid)| Stored {
        global_position,
        transaction_id: xid.parse().expect("xid8 text"),
    })
}

async fn wait_until_active(status: &RelayStatus) {
    eventually("a relay becomes active", || async { status.is_active() }).await;
}

#[tokio::test]
async fn events_are_published_in_commit_order_and_a_late_commit_is_not_skipped() {
    let env = TestEnv::new().await;
    let relay = RunningRelay::start(&env).await;
    let stream = stream(&env).await;

    // S and A stay open while B inserts and commits: B's position and xid are above A's.
    let mut s = env.pool.begin().await.expect("begin S");
    let s_event = append(&mut *s, "s", 1).await;
    let mut a = env.pool.begin().await.expect("begin A");
    let a_event = append(&mut *a, "a", 1).await;
    let mut b = env.pool.begin().await.expect("begin B");
    let b_event = append(&mut *b, "b", 1).await;
    assert!(a_event.global_position < b_event.global_position);
    assert!(a_event.transaction_id < b_event.transaction_id);
    b.commit().await.expect("commit B");
    // S commits after B: once S is published, the relay has read the store after B committed.
    s.commit().await.expect("commit S");
    wait_for_messages(&stream, 1).await;
    assert_eq!(
        positions(&published(&stream).await),
        vec![s_event.global_position],
        "B is committed but held behind the still open A; A itself is not published"
    );

    let mut rolled_back = env.pool.begin().await.expect("begin R");
    let r_event = append(&mut *rolled_back, "r", 1).await;
    rolled_back.rollback().await.expect("rollback R");
    a.commit().await.expect("commit A");
    let z_event = append(&env.pool, "z", 1).await;
    assert!(r_event.transaction_id < z_event.transaction_id);

    wait_for_messages(&stream, 4).await;
    let messages = published(&stream).await;
    assert_eq!(
        positions(&messages),
        vec![
            s_event.global_position,
            a_event.global_position,
            b_event.global_position,
            z_event.global_position,
        ],
        "every committed event once, in (transaction, position) order; never the rolled-back one"
    );
    assert_unique_ids(&messages);
    let ids: Vec<&str> = messages.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "customer:s:1",
            "customer:a:1",
            "customer:b:1",
            "customer:z:1"
        ]
    );
    relay.stop().await;
    assert_eq!(stored_checkpoint(&env).await, Some(z_event));
}

#[tokio::test]
async fn a_relay_that_crashed_before_its_checkpoint_republishes_without_duplicates() {
    let env = TestEnv::new().await;
    let mut last = None;
    for sequence in 1..=5 {
        last = Some(append(&env.pool, "crash", sequence).await);
    }
    // small batches, so the restart goes through several publish-then-checkpoint rounds
    let first = RunningRelay::start_with(&env, |relay| relay.with_batch_size(2)).await;
    let stream = stream(&env).await;
    wait_for_messages(&stream, 5).await;
    eventually("the checkpoint reaches the last event", || async {
        stored_checkpoint(&env).await == last
    })
    .await;
    first.stop().await;

    // as if the relay had published everything and died before storing any checkpoint
    sqlx::query("update relay_checkpoints set transaction_id = '0', global_position = 0")
        .execute(&env.pool)
        .await
        .expect("checkpoint reset");
    for sequence in 6..=7 {
        last = Some(append(&env.pool, "crash", sequence).await);
    }
    let second = RunningRelay::start_with(&env, |relay| relay.with_batch_size(2)).await;
    // the checkpoint only moves once JetStream acknowledged every event up to it again
    eventually(
        "the restarted relay re-publishes up to the last event",
        || async { stored_checkpoint(&env).await == last },
    )
    .await;
    second.stop().await;

    let messages = published(&stream).await;
    assert_eq!(message_count(&stream).await, 7);
    assert_unique_ids(&messages);
    let sequences: Vec<i64> = messages.iter().map(|(_, e)| e.sequence).collect();
    assert_eq!(sequences, [1, 2, 3, 4, 5, 6, 7]);
}

#[tokio::test]
async fn only_one_of_two_relays_publishes_and_the_standby_takes_over() {
    let env = TestEnv::new().await;
    let one = RunningRelay::start(&env).await;
    let two = RunningRelay::start(&env).await;
    eventually("one relay becomes active", || async {
        one.status.is_active() || two.status.is_active()
    })
    .await;
    let (active, standby) = if one.status.is_active() {
        (one, two)
    } else {
        (two, one)
    };

    for sequence in 1..=3 {
        append(&env.pool, "pair", sequence).await;
    }
    let stream = stream(&env).await;
    wait_for_messages(&stream, 3).await;
    assert!(active.status.is_active());
    assert!(
        !standby.status.is_active(),
        "the standby never holds the lock"
    );

    let stopped = active.status.clone();
    active.stop().await;
    assert!(!stopped.is_active());
    wait_until_active(&standby.status).await;
    for sequence in 4..=5 {
        append(&env.pool, "pair", sequence).await;
    }
    wait_for_messages(&stream, 5).await;
    standby.stop().await;

    let messages = published(&stream).await;
    assert_eq!(messages.len(), 5, "each event exactly once");
    assert_unique_ids(&messages);
}

#[tokio::test]
async fn a_relay_whose_lock_session_dies_reacquires_the_lock_and_goes_on() {
    let env = TestEnv::new().await;
    let relay = RunningRelay::start(&env).await;
    wait_until_active(&relay.status).await;
    let lock_holder = "select l.pid from pg_locks l
         join pg_database d on d.oid = l.database
         where l.locktype = 'advisory' and l.granted and d.datname = current_database()";
    let first_pid: i32 = sqlx::query_scalar(lock_holder)
        .fetch_one(&env.pool)
        .await
        .expect("the active relay holds an advisory lock");
    let terminated: bool = sqlx::query_scalar("select pg_terminate_backend($1)")
        .bind(first_pid)
        .fetch_one(&env.pool)
        .await
        .expect("terminate the lock session");
    assert!(terminated);

    append(&env.pool, "after-kill", 1).await;
    let stream = stream(&env).await;
    wait_for_messages(&stream, 1).await;
    let second_pid: i32 = sqlx::query_scalar(lock_holder)
        .fetch_one(&env.pool)
        .await
        .expect("the relay holds the lock again");
    assert_ne!(first_pid, second_pid, "a new session took the lock");
    assert!(relay.status.is_active());
    relay.stop().await;
    assert_eq!(positions(&published(&stream).await).len(), 1);
}

#[tokio::test]
async fn the_event_store_refuses_to_change_or_remove_history() {
    let env = TestEnv::new().await;
    append(&env.pool, "history", 1).await;
    let refusals = [
        "update events set payload = '{}'",
        "delete from events",
        "truncate events",
    ];
    for statement in refusals {
        let err = sqlx::query(statement)
            .execute(&env.pool)
            .await
            .expect_err(statement);
        let db = err.as_database_error().expect("a database error");
        assert_eq!(db.code().as_deref(), Some("42501"), "{statement}");
        assert!(db.message().contains("append-only"), "{statement}: {db}");
    }
    let count: i64 = sqlx::query_scalar("select count(*) from events")
        .fetch_one(&env.pool)
        .await
        .expect("count");
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_second_event_at_the_same_aggregate_sequence_is_a_unique_violation() {
    let env = TestEnv::new().await;
    append(&env.pool, "contended", 1).await;
    let err = try_append(&env.pool, "contended", 1)
        .await
        .expect_err("the same sequence twice is refused");
    let code = err.as_database_error().and_then(|db| db.code());
    assert_eq!(code.as_deref(), Some("23505"));
    append(&env.pool, "contended", 2).await;
}

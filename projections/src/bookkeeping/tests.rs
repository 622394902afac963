//! The sequence guard, gap fill and savepoints, with a projection that records what it was
//! given (so the guard is tested on its own, not through a read model's own `version` check).

use std::sync::Mutex;

use events::RecordedEvent;
use platform::testing::TestEnv;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::*;

/// Records the sequences it applies; fails as told at one sequence, after writing a row that
/// the savepoint must take back.
struct Recorder {
    applied: Mutex<Vec<i64>>,
    /// The size of each batch given to `apply_many`.
    batches: Mutex<Vec<usize>>,
    fail_at: Option<(i64, fn() -> ApplyError)>,
}

impl Recorder {
    fn new(fail_at: Option<(i64, fn() -> ApplyError)>) -> Self {
        Self {
            applied: Mutex::new(Vec::new()),
            batches: Mutex::new(Vec::new()),
            fail_at,
        }
    }

    fn applied(&self) -> Vec<i64> {
        self.applied.lock().expect("not poisoned").clone()
    }

    fn batches(&self) -> Vec<usize> {
        self.batches.lock().expect("not poisoned").clone()
    }
}

impl Projection for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        &["thing"]
    }

    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ApplyError> {
        sqlx::query(
            "insert into projection_checkpoints (projection) values ($1) on conflict do nothing",
        )
        .bind(format!("side-effect-{}", event.sequence))
        .execute(conn)
        .await?;
        if let Some((sequence, error)) = self.fail_at {
            if sequence == event.sequence {
                return Err(error());
            }
        }
        self.applied
            .lock()
            .expect("not poisoned")
            .push(event.sequence);
        Ok(())
    }

    async fn apply_many(
        &self,
        conn: &mut PgConnection,
        events: &[&RecordedEvent],
    ) -> Result<(), ApplyError> {
        self.batches
            .lock()
            .expect("not poisoned")
            .push(events.len());
        for event in events {
            self.apply(&mut *conn, event).await?;
        }
        Ok(())
    }

    fn tables(&self) -> &'static [&'static str] {
        &[]
    }
}

/// Appends `thing` events 1..=n for one aggregate and returns them.
async fn append(env: &TestEnv, aggregate_id: &str, n: i64) -> Vec<RecordedEvent> {
    let mut conn = env.pool.acquire().await.expect("connection");
    for sequence in 1..=n {
        sqlx::query(
            "insert into events (aggregate_type, aggregate_id, sequence, event_type,
                                 event_version, payload, metadata)
             values ('thing', $1, $2, 'Happened', '1', '{}', $3)",
        )
        .bind(aggregate_id)
        .bind(sequence)
        .bind(json!({ "tenant_id": Uuid::new_v4() }))
        .execute(&mut *conn)
        .await
        .expect("appended");
    }
    store::load_sequences(&mut conn, "thing", aggregate_id, 1, n)
        .await
        .expect("loaded")
}

async fn handle(
    conn: &mut PgConnection,
    p: &Recorder,
    event: &RecordedEvent,
    tally: &mut Tally,
) -> Fate {
    handle_event(conn, p, event, Origin::Store, tally)
        .await
        .expect("no transient error")
}

#[tokio::test]
async fn an_applied_sequence_is_not_applied_again_and_a_gap_is_filled_in_order() {
    let env = TestEnv::new().await;
    let events = append(&env, "a", 3).await;
    let recorder = Recorder::new(None);
    let mut tx = env.pool.begin().await.expect("begin");
    let mut tally = Tally::default();

    assert_eq!(
        handle(&mut tx, &recorder, &events[0], &mut tally).await,
        Fate::Applied
    );
    assert_eq!(
        handle(&mut tx, &recorder, &events[0], &mut tally).await,
        Fate::Duplicate
    );
    assert_eq!(
        handle(&mut tx, &recorder, &events[2], &mut tally).await,
        Fate::Applied
    );
    assert_eq!(
        handle(&mut tx, &recorder, &events[1], &mut tally).await,
        Fate::Duplicate
    );

    assert_eq!(recorder.applied(), vec![1, 2, 3]);
    assert_eq!(
        (tally.applied, tally.duplicates, tally.dead_lettered),
        (3, 2, 0)
    );
    assert_eq!(tally.last_recorded_at, Some(events[2].recorded_at));
}

#[tokio::test]
async fn the_quick_path_claims_runs_that_follow_the_last_applied_and_leaves_duplicates_and_gaps() {
    let env = TestEnv::new().await;
    let q = append(&env, "q", 4).await;
    let r = append(&env, "r", 3).await;
    let recorder = Recorder::new(None);
    let mut tx = env.pool.begin().await.expect("begin");
    let mut tally = Tally::default();
    // a new aggregate's first three, and another's first: both claimed in one statement
    let batch = vec![&q[0], &r[0], &q[1], &q[2]];
    let claimed = claim_runs(&mut tx, &recorder, &batch)
        .await
        .expect("claimed");
    assert_eq!(claimed.len(), 2, "{claimed:?}");
    assert!(
        apply_claimed(&mut tx, &recorder, &batch, Rows::MayExist, &mut tally)
            .await
            .expect("applied")
    );
    assert_eq!(recorder.applied(), vec![1, 1, 2, 3]);
    assert_eq!(
        recorder.batches(),
        vec![4],
        "the claimed events go in one apply_many"
    );

    // a duplicate followed by the next, a gap, and events out of order: none claimed
    let claimed = claim_runs(&mut tx, &recorder, &[&q[2], &q[3]])
        .await
        .expect("looked");
    assert!(
        claimed.is_empty(),
        "a run must start right after the last applied"
    );
    let claimed = claim_runs(&mut tx, &recorder, &[&r[2]])
        .await
        .expect("looked");
    assert!(claimed.is_empty(), "a gap is the careful path's");
    let claimed = claim_runs(&mut tx, &recorder, &[&r[2], &r[1]])
        .await
        .expect("looked");
    assert!(claimed.is_empty(), "out of order is the careful path's");

    // the next ones are quick again
    let claimed = claim_runs(&mut tx, &recorder, &[&q[3], &r[1], &r[2]])
        .await
        .expect("claimed");
    assert_eq!(claimed.len(), 2);
    let last: Vec<i64> = sqlx::query_scalar(
        "select last_sequence from projection_aggregate_sequences
          where projection = 'recorder' order by aggregate_id",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("read");
    assert_eq!(last, vec![4, 3]);
}

#[tokio::test]
async fn a_permanent_failure_is_undone_dead_lettered_and_passed() {
    let env = TestEnv::new().await;
    let events = append(&env, "a", 3).await;
    let recorder = Recorder::new(Some((2, || ApplyError::Invalid("never".into()))));
    let mut tx = env.pool.begin().await.expect("begin");
    let mut tally = Tally::default();

    handle(&mut tx, &recorder, &events[0], &mut tally).await;
    // sequence 2 fails inside the gap fill of sequence 3
    assert_eq!(
        handle(&mut tx, &recorder, &events[2], &mut tally).await,
        Fate::Applied
    );
    // and is not retried when delivered later
    assert_eq!(
        handle(&mut tx, &recorder, &events[1], &mut tally).await,
        Fate::Duplicate
    );
    assert_eq!(recorder.applied(), vec![1, 3]);
    assert_eq!(tally.dead_lettered, 1);

    let side_effects: Vec<String> = sqlx::query_scalar(
        "select projection from projection_checkpoints where projection like 'side-effect-%'
          order by projection",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("read");
    assert_eq!(
        side_effects,
        ["side-effect-1", "side-effect-3"],
        "the savepoint undid 2"
    );
    let dead: Vec<(Option<i64>, String)> =
        sqlx::query_as("select sequence, error from dead_letters where projection = 'recorder'")
            .fetch_all(&mut *tx)
            .await
            .expect("read");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].0, Some(2));
    assert!(dead[0].1.contains("never"), "{}", dead[0].1);
}

#[tokio::test]
async fn a_transient_failure_is_handed_back_to_roll_the_batch_back() {
    let env = TestEnv::new().await;
    let events = append(&env, "a", 1).await;
    let recorder = Recorder::new(Some((1, || {
        ApplyError::Transient(sqlx::Error::PoolTimedOut)
    })));
    let mut tx = env.pool.begin().await.expect("begin");
    let result = handle_event(
        &mut tx,
        &recorder,
        &events[0],
        Origin::Store,
        &mut Tally::default(),
    )
    .await;
    assert!(
        matches!(result, Err(sqlx::Error::PoolTimedOut)),
        "{result:?}"
    );
}

//! Read-your-writes: `has_reached` tells whether the projection applied an event yet.

use uuid::Uuid;

use crate::helpers::{eventually, registered, Harness};

#[tokio::test]
async fn has_reached_is_false_before_the_event_is_applied_and_true_after() {
    let mut h = Harness::new().await;
    h.start().await;
    let pool = h.pool().clone();
    // an event of a type this projection does not read never makes a reader wait
    let staff = h
        .record_raw(
            "staff",
            &Uuid::new_v4().to_string(),
            1,
            "StaffHired",
            serde_json::json!({}),
        )
        .await;
    let id = Uuid::new_v4();
    let event = h.record(id, 1, &registered(id, h.tenant, "Ann")).await;

    assert!(
        !projections::has_reached(&pool, "customers", event.global_position)
            .await
            .expect("checked")
    );
    assert!(
        projections::has_reached(&pool, "customers", staff.global_position)
            .await
            .expect("checked")
    );
    assert!(
        !projections::has_reached(&pool, "customers", i64::MAX)
            .await
            .expect("checked"),
        "a position beyond the newest event is not reached yet"
    );
    assert!(
        projections::has_reached(&pool, "customers", 0)
            .await
            .expect("checked"),
        "positions start at 1"
    );

    h.publish(&event).await;
    eventually("the customers projection to reach the event", || async {
        projections::has_reached(&pool, "customers", event.global_position)
            .await
            .expect("checked")
            .then_some(())
    })
    .await;
    assert!(h.customer(id).await.is_some(), "reached means readable");

    let err = projections::has_reached(&pool, "nope", 1)
        .await
        .expect_err("unknown");
    assert!(err.to_string().contains("customers"), "{err}");
    h.stop().await;
}

#[tokio::test]
async fn a_gap_below_the_newest_event_is_reached_and_the_next_position_is_not() {
    let h = Harness::new().await;
    let pool = h.pool().clone();
    // an insert refused by a conflict still consumes its position
    let gap: i64 =
        sqlx::query_scalar("select nextval(pg_get_serial_sequence('events', 'global_position'))")
            .fetch_one(&pool)
            .await
            .expect("position drawn");
    let id = Uuid::new_v4();
    let event = h.record(id, 1, &registered(id, h.tenant, "Ann")).await;
    assert!(event.global_position > gap);
    assert!(
        projections::has_reached(&pool, "customers", gap)
            .await
            .expect("checked"),
        "nothing will ever be recorded at a gap"
    );
    assert!(
        !projections::has_reached(&pool, "customers", event.global_position + 1)
            .await
            .expect("checked"),
        "the next position is not in the store yet"
    );
}

#[tokio::test]
async fn a_batch_of_later_events_applies_the_earlier_ones_another_worker_still_holds() {
    let mut h = Harness::new().await;
    h.start().await;
    let pool = h.pool().clone();
    // two registrations in commit order; the first is held by another worker (or by one that
    // died holding it), so this runtime only ever receives the second
    let held = Uuid::new_v4();
    let held_event = h.record(held, 1, &registered(held, h.tenant, "Ann")).await;
    let later = Uuid::new_v4();
    let later_event = h
        .record(later, 1, &registered(later, h.tenant, "Bea"))
        .await;
    h.publish(&later_event).await;

    h.customer_at(later, 1).await;
    assert!(
        projections::has_reached(&pool, "customers", held_event.global_position)
            .await
            .expect("checked"),
        "the checkpoint passed the earlier event"
    );
    assert_eq!(
        h.customer(held).await.map(|c| c.name),
        Some("Ann".to_owned()),
        "so it was applied: reached means readable"
    );

    // when the other worker's copy arrives after all, it changes nothing
    h.publish(&held_event).await;
    let marker = Uuid::new_v4();
    let marker_event = h
        .record(marker, 1, &registered(marker, h.tenant, "Mark"))
        .await;
    h.publish(&marker_event).await;
    h.customer_at(marker, 1).await;
    assert_eq!(h.last_sequence(held).await, Some(1));
    assert!(h.dead_letters().await.is_empty());
    h.stop().await;
}

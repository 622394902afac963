//! Rebuild: the read model rebuilt from the event store alone equals the one built
//! incrementally from the stream.

use sqlx::Connection;
use uuid::Uuid;

use crate::helpers::{registered, updated, Harness};

#[tokio::test]
async fn a_rebuild_gives_the_same_rows_as_the_incremental_build() {
    let mut h = Harness::new().await;
    h.start().await;
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    let mut last = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let event = h
            .record(*id, 1, &registered(*id, h.tenant, &format!("Ann{i}")))
            .await;
        h.publish(&event).await;
        last.push(event);
    }
    for id in &ids[..2] {
        let event = h.record(*id, 2, &updated("Bea")).await;
        h.publish(&event).await;
        last.push(event);
    }
    let event = h.record(ids[0], 3, &updated("Cat")).await;
    h.publish(&event).await;
    last.push(event);
    h.customer_at(ids[0], 3).await;
    h.customer_at(ids[1], 2).await;
    h.customer_at(ids[2], 1).await;
    h.stop().await;
    let incremental = h.all_customers().await;
    assert_eq!(incremental.len(), 3);

    // damage the read model; the rebuild must not care
    sqlx::query("update customers set name = 'tampered'")
        .execute(h.pool())
        .await
        .expect("tampered");
    sqlx::query("delete from customers where customer_id = $1")
        .bind(ids[2])
        .execute(h.pool())
        .await
        .expect("deleted");

    let newest_xid = last.iter().map(|e| e.transaction_id).max().expect("events");
    h.wait_for_gate(newest_xid).await;
    let report = projections::rebuild(h.pool(), "customers")
        .await
        .expect("rebuilt");
    assert_eq!(h.all_customers().await, incremental);
    assert_eq!(report.projection, "customers");
    assert_eq!(report.replayed, 6);
    assert_eq!(report.applied, 6);
    assert_eq!(report.dead_lettered, 0);
    let newest = last
        .iter()
        .map(|e| e.global_position)
        .max()
        .expect("events");
    assert_eq!(report.global_position, newest);
    assert!(projections::has_reached(h.pool(), "customers", newest)
        .await
        .expect("checked"));

    // the runtime carries on from the rebuilt state: old messages are no-ops, new ones apply
    h.start().await;
    let next = h.record(ids[2], 2, &updated("Dan")).await;
    h.publish(&next).await;
    assert_eq!(h.customer_at(ids[2], 2).await.name, "Dan");
    h.stop().await;
}

#[tokio::test]
async fn a_rebuild_applies_an_aggregate_in_sequence_order_when_commit_order_differs() {
    let h = Harness::new().await;
    let id = Uuid::new_v4();
    // the transaction appending sequence 2 takes its id before the one appending sequence 1,
    // so commit order (transaction id, position) puts sequence 2 first
    let mut late = h.pool().acquire().await.expect("connection");
    let mut late_tx = late.begin().await.expect("begin");
    sqlx::query("select pg_current_xact_id()")
        .execute(&mut *late_tx)
        .await
        .expect("xid taken");
    let first = h.record(id, 1, &registered(id, h.tenant, "Ann")).await;
    let payload = serde_json::to_value(updated("Bea")).expect("serializes");
    let second_xid: String = sqlx::query_scalar(
        "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                             payload, metadata)
         values ('customer', $1, 2, 'CustomerProfileUpdated', '1', $2, $3)
         returning transaction_id::text",
    )
    .bind(id.to_string())
    .bind(payload)
    .bind(serde_json::json!({ "tenant_id": h.tenant }))
    .fetch_one(&mut *late_tx)
    .await
    .expect("appended");
    late_tx.commit().await.expect("committed");
    let second_xid: u64 = second_xid.parse().expect("xid8");
    assert!(
        second_xid < first.transaction_id,
        "commit order puts sequence 2 first"
    );
    h.wait_for_gate(first.transaction_id).await;

    let report = projections::rebuild(h.pool(), "customers")
        .await
        .expect("rebuilt");
    assert_eq!(report.replayed, 2);
    assert_eq!(report.applied, 2);
    assert_eq!(
        report.duplicates, 1,
        "sequence 1 was applied by the gap fill first"
    );
    let row = h.customer(id).await.expect("row");
    assert_eq!((row.name.as_str(), row.version), ("Bea", 2));
}

#[tokio::test]
async fn rebuilding_an_unknown_projection_names_the_known_ones() {
    let h = Harness::new().await;
    let err = projections::rebuild(h.pool(), "nope")
        .await
        .expect_err("unknown");
    assert!(err.to_string().contains("customers"), "{err}");
    assert!(projections::names().contains(&"customers"));
}

//! The runtime: events published to the stream end up in the read model, exactly once in
//! effect, in sequence order per aggregate, with poison messages set aside.

use serde_json::json;
use uuid::Uuid;

use crate::helpers::{eventually, registered, updated, Harness};

#[tokio::test]
async fn a_registered_then_updated_customer_is_one_row_with_the_update() {
    let mut h = Harness::new().await;
    h.start().await;
    let id = Uuid::new_v4();
    let first = h.record(id, 1, &registered(id, h.tenant, "Ann")).await;
    let second = h.record(id, 2, &updated("Bea")).await;
    h.publish(&first).await;
    h.publish(&second).await;

    let row = h.customer_at(id, 2).await;
    assert_eq!(row.name, "Bea");
    assert_eq!(row.email.as_deref(), Some("bea@example.com"));
    assert_eq!(row.created_at, first.recorded_at);
    assert_eq!(row.updated_at, second.recorded_at);
    let count: i64 = sqlx::query_scalar("select count(*) from customers")
        .fetch_one(h.pool())
        .await
        .expect("count");
    assert_eq!(count, 1);
    h.stop().await;
}

#[tokio::test]
async fn an_older_event_delivered_again_after_a_newer_one_changes_nothing() {
    let mut h = Harness::new().await;
    h.start().await;
    let id = Uuid::new_v4();
    let events = [
        h.record(id, 1, &registered(id, h.tenant, "Ann")).await,
        h.record(id, 2, &updated("Bea")).await,
        h.record(id, 3, &updated("Cat")).await,
    ];
    for event in &events {
        h.publish(event).await;
    }
    let before = h.customer_at(id, 3).await;

    // second copies (other message ids, so the stream keeps them) of older events, then a
    // marker that shows the runtime has read past them
    h.publish_as(&events[1], "again-2").await;
    h.publish_as(&events[0], "again-1").await;
    let marker = Uuid::new_v4();
    let marker_event = h
        .record(marker, 1, &registered(marker, h.tenant, "Mark"))
        .await;
    h.publish(&marker_event).await;
    h.customer_at(marker, 1).await;

    assert_eq!(h.customer(id).await, Some(before), "the row is unchanged");
    assert_eq!(h.last_sequence(id).await, Some(3));
    assert!(h.dead_letters().await.is_empty());
    let info = h.consumer_info().await;
    assert_eq!(info.num_pending, 0);
    h.stop().await;
}

#[tokio::test]
async fn a_gap_is_filled_from_the_event_store() {
    let mut h = Harness::new().await;
    h.start().await;
    let id = Uuid::new_v4();
    let first = h.record(id, 1, &registered(id, h.tenant, "Ann")).await;
    let second = h.record(id, 2, &updated("Bea")).await;
    // the registration never reaches the stream
    h.publish(&second).await;

    let row = h.customer_at(id, 2).await;
    assert_eq!(row.name, "Bea");
    assert_eq!(
        row.created_at, first.recorded_at,
        "the registration was applied"
    );
    assert_eq!(row.updated_at, second.recorded_at);

    // when it does arrive after all, it is a no-op
    h.publish(&first).await;
    let marker = Uuid::new_v4();
    let marker_event = h
        .record(marker, 1, &registered(marker, h.tenant, "Mark"))
        .await;
    h.publish(&marker_event).await;
    h.customer_at(marker, 1).await;
    assert_eq!(h.customer(id).await.map(|c| c.name), Some("Bea".to_owned()));
    h.stop().await;
}

#[tokio::test]
async fn a_poison_message_is_dead_lettered_and_terminated_and_later_messages_still_apply() {
    let mut h = Harness::new().await;
    h.start().await;
    let id = Uuid::new_v4();
    let first = h.record(id, 1, &registered(id, h.tenant, "Ann")).await;
    // an event this projection cannot read
    let poison = h
        .record_raw(
            "customer",
            &id.to_string(),
            2,
            "CustomerNicknamed",
            json!({"CustomerNicknamed": {"nickname": 7}}),
        )
        .await;
    let third = h.record(id, 3, &updated("Cat")).await;
    h.publish(&first).await;
    h.publish(&poison).await;
    // and a message that is not even an event
    let garbage_subject =
        events::subjects::event_subject(&h.env.config.nats_prefix, "customer", "garbage");
    h.publish_bytes(&garbage_subject, b"not json".to_vec(), "garbage")
        .await;
    h.publish(&third).await;

    let row = h.customer_at(id, 3).await;
    assert_eq!(
        row.name, "Cat",
        "later messages of the same aggregate apply"
    );

    // the customers' letters (the garbage is also one of every projection reading all events)
    let dead: Vec<_> = h
        .dead_letters()
        .await
        .into_iter()
        .filter(|d| d.projection == "customers")
        .collect();
    assert_eq!(dead.len(), 2, "{dead:?}");
    let event_letter = dead
        .iter()
        .find(|d| d.sequence == Some(2))
        .expect("the poison event is recorded");
    assert_eq!(event_letter.aggregate_id, Some(id.to_string()));
    assert!(event_letter.stream_sequence.is_some());
    assert!(
        event_letter.error.contains("payload"),
        "{}",
        event_letter.error
    );
    assert!(event_letter.message.contains("CustomerNicknamed"));
    let garbage_letter = dead
        .iter()
        .find(|d| d.aggregate_id.is_none())
        .expect("the garbage message is recorded");
    assert_eq!(garbage_letter.message, "not json");
    assert_eq!(h.last_sequence(id).await, Some(3));

    // terminated, not left to be redelivered
    eventually("every message acknowledged or terminated", || async {
        let info = h.consumer_info().await;
        (info.num_ack_pending == 0 && info.num_pending == 0).then_some(())
    })
    .await;
    assert_eq!(h.consumer_info().await.num_redelivered, 0);
    assert_eq!(h.dead_letters().await.len(), 2);
    h.stop().await;
}

#[tokio::test]
async fn the_runtime_resumes_where_it_stopped() {
    let mut h = Harness::new().await;
    h.start().await;
    let id = Uuid::new_v4();
    let first = h.record(id, 1, &registered(id, h.tenant, "Ann")).await;
    h.publish(&first).await;
    h.customer_at(id, 1).await;
    h.stop().await;

    let second = h.record(id, 2, &updated("Bea")).await;
    h.publish(&second).await;
    h.start().await;
    assert_eq!(h.customer_at(id, 2).await.name, "Bea");
    let (xid, position): (String, i64) = sqlx::query_as(
        "select transaction_id::text, global_position from projection_checkpoints
          where projection = 'customers'",
    )
    .fetch_one(h.pool())
    .await
    .expect("checkpoint");
    assert_eq!(xid, second.transaction_id.to_string());
    assert_eq!(position, second.global_position);
    h.stop().await;
}

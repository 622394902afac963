//! Events stored in clear, as releases before sealing wrote them: the migration seals them in
//! place (the one audited exception to the append-only store) and the customer still reads back,
//! on the read side and the command side.

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{book, shop, utc_day_at};
use crate::helpers::{spawn_app, TestApp};

/// What the clear events hold, and must not after the migration.
const TRACES: [&str; 5] = [
    "Clearwater",
    "7700900999",
    "old.clear",
    "knows the owner",
    "old note about",
];

async fn insert_clear(app: &TestApp, tenant: Uuid, stream: (&str, &str), payload: Value) {
    let (aggregate_type, aggregate_id) = stream;
    sqlx::query(
        "insert into events
             (aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata)
         select $1, $2, coalesce(max(sequence), 0) + 1, $3, '1', $4, $5
           from events where aggregate_type = $1 and aggregate_id = $2",
    )
    .bind(aggregate_type)
    .bind(aggregate_id)
    .bind(
        payload
            .as_object()
            .and_then(|o| o.keys().next())
            .expect("a fact"),
    )
    .bind(&payload)
    .bind(json!({"tenant_id": tenant, "actor": "an-older-release"}))
    .execute(&app.env.pool)
    .await
    .expect("inserted the old way");
}

async fn clear_traces(app: &TestApp) -> i64 {
    let mut total = 0;
    for trace in TRACES {
        let count: i64 = sqlx::query_scalar(
            "select count(*) from events where payload::text ilike '%' || $1 || '%'",
        )
        .bind(trace)
        .fetch_one(&app.env.pool)
        .await
        .expect("count");
        total += count;
    }
    total
}

async fn rewrites(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from event_rewrites")
        .fetch_one(&app.env.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn events_stored_in_clear_are_sealed_by_the_migration_and_still_read_back() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let booked: Value = book(&app, &shop, &utc_day_at(3, 10, 0))
        .await
        .json()
        .await
        .expect("json");
    let appointment = booked["id"].as_str().expect("id").to_owned();
    let tenant = shop.owner.business_id;
    let customer = Uuid::new_v4();
    let stream = customer.to_string();
    insert_clear(
        &app,
        tenant,
        ("customer", &stream),
        json!({"CustomerRegistered": {"customer_id": customer, "business_id": tenant,
            "pii": {"name": "Old Clearwater", "phone": "+447700900999",
                    "email": "old.clear@example.net", "notes": "knows the owner"}}}),
    )
    .await;
    insert_clear(
        &app,
        tenant,
        ("customer", &stream),
        json!({"CustomerPreferencesChanged": {"pii": {"preferences": {"paper": "Clearwater"}}}}),
    )
    .await;
    insert_clear(
        &app,
        tenant,
        ("appointment", &appointment),
        json!({"AppointmentNoteAdded": {"note_id": Uuid::new_v4(), "by": "someone",
            "at": Utc::now(), "pii": {"text": "old note about Ana"}}}),
    )
    .await;
    assert!(clear_traces(&app).await > 0);

    platform::db::migrate(&app.env.pool)
        .await
        .expect("migrated");
    assert_eq!(clear_traces(&app).await, 0);
    assert_eq!(rewrites(&app).await, 3);
    let keys: i64 = sqlx::query_scalar(
        "select count(*) from customer_keys where tenant_id = $1 and customer_id = any($2)",
    )
    .bind(tenant)
    .bind(vec![customer, shop.customer_id])
    .fetch_one(&app.env.pool)
    .await
    .expect("keys");
    assert_eq!(keys, 2);
    // again: nothing left to do
    platform::db::migrate(&app.env.pool)
        .await
        .expect("migrated");
    assert_eq!(rewrites(&app).await, 3);

    // the exception is narrow: outside it, or beyond the `pii`, events still refuse change
    let plain = sqlx::query("update events set payload = payload where aggregate_id = $1")
        .bind(&stream)
        .execute(&app.env.pool)
        .await;
    assert!(plain.is_err());
    let mut tx = app.env.pool.begin().await.expect("tx");
    sqlx::query("set local barber.sealing_personal_data = 'on'")
        .execute(&mut *tx)
        .await
        .expect("set");
    let beyond = sqlx::query(
        "update events set metadata = metadata || '{\"actor\": \"me\"}' where aggregate_id = $1",
    )
    .bind(&stream)
    .execute(&mut *tx)
    .await;
    assert!(beyond.is_err());
    drop(tx);

    // the read side, rebuilt from the sealed events, reads them back
    for name in ["customers", "appointments"] {
        projections::rebuild(&app.env.pool, name)
            .await
            .expect("rebuilt");
    }
    let token = shop.owner.token.as_str();
    let newest = app.newest_position().await;
    let read: Value = app
        .read(
            &format!("/api/v1/customers/{customer}?min_position={newest}"),
            token,
        )
        .await;
    assert_eq!(
        (&read["name"], &read["phone"], &read["preferences"]),
        (
            &json!("Old Clearwater"),
            &json!("+447700900999"),
            &json!({"paper": "Clearwater"})
        ),
        "{read}"
    );
    let read: Value = app
        .read(
            &format!("/api/v1/appointments/{appointment}?min_position={newest}"),
            token,
        )
        .await;
    assert_eq!(read["notes"][0]["text"], "old note about Ana", "{read}");

    // the command side decides on it: a change keeps the rest of the profile
    let changed = app
        .patch_json(
            &format!("/api/v1/customers/{customer}"),
            Some(token),
            &json!({"notes": null}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let position = changed.json::<Value>().await.expect("json")["position"]
        .as_i64()
        .expect("position");
    let read: Value = app
        .read(
            &format!("/api/v1/customers/{customer}?min_position={position}"),
            token,
        )
        .await;
    assert_eq!(
        (&read["name"], &read["email"], &read["notes"]),
        (
            &json!("Old Clearwater"),
            &json!("old.clear@example.net"),
            &Value::Null
        ),
        "{read}"
    );
    assert_eq!(clear_traces(&app).await, 0);
}

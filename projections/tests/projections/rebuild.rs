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
    let version = || async {
        sqlx::query_scalar::<_, String>(
            "select xmin::text from read_model_versions
              where tenant_id = $1 and read_model = 'customers'",
        )
        .bind(h.tenant)
        .fetch_one(h.pool())
        .await
        .expect("the batches gave the business a version")
    };
    let applied = version().await;
    let report = projections::rebuild(h.pool(), "customers")
        .await
        .expect("rebuilt");
    assert_eq!(h.all_customers().await, incremental);
    assert_ne!(
        version().await,
        applied,
        "a rebuild moves every business's version"
    );
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
async fn a_rebuild_ahead_of_a_lagging_projection_moves_its_guard_so_the_runtime_carries_on() {
    let mut h = Harness::new().await;
    h.start().await;
    let (ann, bea) = (Uuid::new_v4(), Uuid::new_v4());
    let first = h.record(ann, 1, &registered(ann, h.tenant, "Ann")).await;
    h.publish(&first).await;
    h.customer_at(ann, 1).await;
    h.stop().await;
    // the live projection lags: these are in the store, not yet delivered
    let renamed = h.record(ann, 2, &updated("Anna")).await;
    let new = h.record(bea, 1, &registered(bea, h.tenant, "Bea")).await;
    assert_eq!(h.last_sequence(ann).await, Some(1));
    assert_eq!(h.last_sequence(bea).await, None);

    h.wait_for_gate(renamed.transaction_id.max(new.transaction_id))
        .await;
    let report = projections::rebuild(h.pool(), "customers")
        .await
        .expect("rebuilt");
    assert_eq!(report.applied, 3);
    assert_eq!(h.customer_at(ann, 2).await.name, "Anna");
    assert_eq!(h.customer_at(bea, 1).await.name, "Bea");
    // the guard follows the rebuilt rows, not the lagging live ones
    assert_eq!(h.last_sequence(ann).await, Some(2));
    assert_eq!(h.last_sequence(bea).await, Some(1));

    // the late deliveries change nothing; what comes after applies once
    h.start().await;
    h.publish(&renamed).await;
    h.publish(&new).await;
    let next = h.record(ann, 3, &updated("Annie")).await;
    h.publish(&next).await;
    assert_eq!(h.customer_at(ann, 3).await.name, "Annie");
    assert_eq!(h.last_sequence(ann).await, Some(3));
    assert_eq!(h.all_customers().await.len(), 2);
    assert!(h.dead_letters().await.is_empty());
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
    // the bulk reads aggregate by aggregate, in sequence order: no gap to fill
    assert_eq!(report.replayed, 2);
    assert_eq!(report.applied, 2);
    assert_eq!(report.duplicates, 0);
    let row = h.customer(id).await.expect("row");
    assert_eq!((row.name.as_str(), row.version), ("Bea", 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_commits_while_the_bulk_runs_is_replayed_after_it_in_commit_order() {
    let h = Harness::new().await;
    // ids in the order the bulk reads them: `passed` ends its first page
    let (early, passed, late) = (
        Uuid::from_u128(1),
        Uuid::from_u128(2),
        Uuid::from_u128(u128::MAX),
    );
    let mut newest = 0;
    for (id, name) in [(early, "Ann"), (passed, "Bea")] {
        newest = h
            .record(id, 1, &registered(id, h.tenant, name))
            .await
            .transaction_id;
    }
    h.wait_for_gate(newest).await;
    let handle = tokio::runtime::Handle::current();
    let mut written = false;
    let report = projections::rebuild_with_progress(h.pool(), "customers", |_| {
        if written {
            return;
        }
        written = true;
        // after the bulk's first page: a later event of an aggregate it has passed (only the
        // commit-order replay sees it), one of the aggregate it stopped at and a new aggregate
        // ahead of it (the replay sees those, and the bulk too if it had not read on yet)
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                h.record(early, 2, &updated("Ann later")).await;
                h.record(passed, 2, &updated("Bea later")).await;
                let newest = h.record(late, 1, &registered(late, h.tenant, "Cat")).await;
                // (transactions of other databases can hold the cluster's gate back)
                h.wait_for_gate(newest.transaction_id).await;
            });
        });
    })
    .await
    .expect("rebuilt");
    assert!(written);
    assert_eq!(h.customer(early).await.expect("row").name, "Ann later");
    assert_eq!(h.customer(passed).await.expect("row").name, "Bea later");
    assert_eq!(h.customer(late).await.expect("row").name, "Cat");
    // each event applied once; those the bulk also read (it reads ahead, so whether it saw
    // the later ones depends on timing) are duplicates in the replay, which change nothing
    assert_eq!(report.applied, 5);
    assert_eq!(report.replayed - report.duplicates, 5);
    assert_eq!(report.dead_lettered, 0);
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

#[tokio::test]
async fn a_projection_new_to_a_store_with_events_backfills_from_the_store_not_the_stream() {
    let mut h = Harness::new().await;
    let ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    for (i, id) in ids.iter().enumerate() {
        h.record(*id, 1, &registered(*id, h.tenant, &format!("Ann{i}")))
            .await;
    }
    let renamed = h.record(ids[0], 2, &updated("Bea")).await;
    h.wait_for_gate(renamed.transaction_id).await;

    // nothing is published: the rows can only come from the store
    h.start().await;
    assert_eq!(h.customer_at(ids[0], 2).await.name, "Bea");
    h.customer_at(ids[2], 1).await;
    assert!(
        projections::has_reached(h.pool(), "customers", renamed.global_position)
            .await
            .expect("checked")
    );
    let pending: bool = sqlx::query_scalar(
        "select backfill_pending from projection_checkpoints where projection = 'customers'",
    )
    .fetch_one(h.pool())
    .await
    .expect("checkpoint");
    assert!(!pending);

    // and the consumer carries on from there
    let next = h.record(ids[1], 2, &updated("Cat")).await;
    h.publish(&next).await;
    assert_eq!(h.customer_at(ids[1], 2).await.name, "Cat");
    h.stop().await;
}

#[tokio::test]
async fn a_second_rebuild_of_one_projection_is_refused_while_one_runs_and_leaves_no_schema() {
    let h = Harness::new().await;
    let id = Uuid::new_v4();
    let event = h.record(id, 1, &registered(id, h.tenant, "Ann")).await;
    h.wait_for_gate(event.transaction_id).await;
    let mut holder = h.pool().acquire().await.expect("connection");
    sqlx::query("select pg_advisory_lock(727275, hashtext('customers'))")
        .execute(&mut *holder)
        .await
        .expect("locked");
    let err = projections::rebuild(h.pool(), "customers")
        .await
        .expect_err("refused");
    assert!(err.to_string().contains("running already"), "{err}");
    sqlx::query("select pg_advisory_unlock_all()")
        .execute(&mut *holder)
        .await
        .expect("unlocked");

    let mut seen = Vec::new();
    let report = projections::rebuild_with_progress(h.pool(), "customers", |p| seen.push(p))
        .await
        .expect("rebuilt");
    assert_eq!(report.replayed, 1);
    assert_eq!(
        seen.last().map(|p| (p.replayed, p.total)),
        Some((1, 1)),
        "progress is told"
    );
    assert_eq!(h.customer(id).await.map(|c| c.name), Some("Ann".to_owned()));
    let schemas: i64 =
        sqlx::query_scalar("select count(*) from pg_namespace where nspname like 'rebuild_%'")
            .fetch_one(h.pool())
            .await
            .expect("schemas");
    assert_eq!(schemas, 0, "the shadow schema is dropped after the swap");
}

/// What the catalog says of a table: its indexes, constraints (foreign keys too), grants,
/// row-level security and policies, by name.
async fn definition(pool: &sqlx::PgPool, table: &str) -> Vec<String> {
    sqlx::query_scalar(
        "select 'index ' || indexname || ': ' || indexdef from pg_indexes
          where schemaname = 'public' and tablename = $1
         union all
         select 'constraint ' || conname || ': ' || pg_get_constraintdef(oid) from pg_constraint
          where conrelid = ('public.' || $1)::regclass
         union all
         select 'acl: ' || coalesce((select string_agg(item::text, ',' order by item::text)
                                       from unnest(relacl) item), 'default')
                || ' rls: ' || relrowsecurity
                || ' forced: ' || relforcerowsecurity
           from pg_class where oid = ('public.' || $1)::regclass
         union all
         select 'policy ' || policyname || ': ' || permissive || ' ' || cmd || ' '
                || roles::text || ' ' || coalesce(qual, '') || ' ' || coalesce(with_check, '')
           from pg_policies where schemaname = 'public' and tablename = $1
         order by 1",
    )
    .bind(table)
    .fetch_all(pool)
    .await
    .expect("catalog")
}

async fn table_oid(pool: &sqlx::PgPool, table: &str) -> i64 {
    sqlx::query_scalar("select ('public.' || $1)::regclass::oid::bigint")
        .bind(table)
        .fetch_one(pool)
        .await
        .expect("oid")
}

#[tokio::test]
async fn the_swapped_in_tables_keep_every_index_key_grant_and_policy_of_the_live_ones() {
    let h = Harness::new().await;
    // the staff read model: three tables, two of them with a foreign key to the first
    let tables = ["staff_members", "staff_working_hours", "staff_time_off"];
    sqlx::raw_sql(
        "grant select on staff_members, staff_time_off to public;
         alter table staff_working_hours enable row level security;
         alter table staff_working_hours force row level security;
         create policy own_tenant on staff_working_hours for select to public
             using (tenant_id::text = current_setting('barber.tenant', true));
         create policy writer on staff_working_hours as restrictive for insert to public
             with check (true);",
    )
    .execute(h.pool())
    .await
    .expect("access set");
    let mut before = Vec::new();
    for table in tables {
        before.push(definition(h.pool(), table).await);
    }
    let old = table_oid(h.pool(), "staff_members").await;

    projections::rebuild(h.pool(), "staff")
        .await
        .expect("rebuilt");
    assert_ne!(
        table_oid(h.pool(), "staff_members").await,
        old,
        "the tables were swapped"
    );
    for (table, before) in tables.iter().zip(before) {
        assert_eq!(definition(h.pool(), table).await, before, "{table}");
    }
}

#[tokio::test]
async fn an_event_the_rebuild_cannot_read_is_dead_lettered_and_the_rest_of_its_page_applies() {
    let h = Harness::new().await;
    let (ann, bea) = (Uuid::new_v4(), Uuid::new_v4());
    h.record(ann, 1, &registered(ann, h.tenant, "Ann")).await;
    h.record_raw(
        "customer",
        &ann.to_string(),
        2,
        "CustomerNicknamed",
        serde_json::json!({"CustomerNicknamed": {"nickname": 7}}),
    )
    .await;
    h.record(ann, 3, &updated("Ann later")).await;
    let newest = h.record(bea, 1, &registered(bea, h.tenant, "Bea")).await;
    h.wait_for_gate(newest.transaction_id).await;

    let report = projections::rebuild(h.pool(), "customers")
        .await
        .expect("rebuilt");
    assert_eq!((report.replayed, report.applied), (4, 3));
    assert_eq!(report.dead_lettered, 1);
    assert_eq!(h.customer(ann).await.expect("row").name, "Ann later");
    assert_eq!(h.customer(bea).await.expect("row").name, "Bea");
    let dead = h.dead_letters().await;
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].sequence, Some(2));
    // the guard holds the aggregate at its newest sequence, the dead-lettered one passed
    let last: i64 = sqlx::query_scalar(
        "select last_sequence from projection_aggregate_sequences
          where projection = 'customers' and aggregate_id = $1",
    )
    .bind(ann.to_string())
    .fetch_one(h.pool())
    .await
    .expect("guard");
    assert_eq!(last, 3);
}

#[tokio::test]
async fn a_bulk_page_ends_with_the_whole_of_its_last_aggregate() {
    let h = Harness::new().await;
    // 5 001 customers in id order, the 5 000th with three events: the bulk's first page of
    // 5 000 events would end after its first, and its later ones would go to the next page,
    // which another connection may apply first
    let ids: Vec<Uuid> = (1..=5_001u128).map(Uuid::from_u128).collect();
    let straddling = ids[4_999];
    let mut events: Vec<(String, i32, serde_json::Value)> = ids
        .iter()
        .map(|id| {
            let payload = registered(*id, h.tenant, "Ann");
            (
                id.to_string(),
                1,
                serde_json::to_value(payload).expect("json"),
            )
        })
        .collect();
    for (sequence, name) in [(2, "Bea"), (3, "Cat")] {
        let payload = serde_json::to_value(updated(name)).expect("json");
        events.push((straddling.to_string(), sequence, payload));
    }
    let event_type = |payload: &serde_json::Value| {
        payload
            .as_object()
            .and_then(|o| o.keys().next().cloned())
            .expect("externally tagged")
    };
    let types: Vec<String> = events.iter().map(|e| event_type(&e.2)).collect();
    let (ids, sequences, payloads): (Vec<String>, Vec<i32>, Vec<serde_json::Value>) =
        events.into_iter().fold(
            (Vec::new(), Vec::new(), Vec::new()),
            |(mut i, mut s, mut p), (id, sequence, payload)| {
                i.push(id);
                s.push(sequence);
                p.push(payload);
                (i, s, p)
            },
        );
    let newest: String = sqlx::query_scalar(
        "with added as (
             insert into events (aggregate_type, aggregate_id, sequence, event_type,
                                 event_version, payload, metadata)
             select 'customer', i, s, t, '1', p,
                    jsonb_build_object('tenant_id', $5::text, 'actor', 'test')
               from unnest($1::text[], $2::int[], $3::text[], $4::jsonb[]) as e(i, s, t, p)
             returning transaction_id)
         select max(transaction_id)::text from added",
    )
    .bind(&ids)
    .bind(&sequences)
    .bind(&types)
    .bind(&payloads)
    .bind(h.tenant.to_string())
    .fetch_one(h.pool())
    .await
    .expect("events appended");
    h.wait_for_gate(newest.parse().expect("xid8")).await;

    let report = projections::rebuild(h.pool(), "customers")
        .await
        .expect("rebuilt");
    assert_eq!((report.replayed, report.applied), (5_003, 5_003));
    let row = h.customer(straddling).await.expect("row");
    assert_eq!((row.name.as_str(), row.version), ("Cat", 3));
    let rows: i64 = sqlx::query_scalar("select count(*) from customers")
        .fetch_one(h.pool())
        .await
        .expect("count");
    assert_eq!(rows, 5_001);
}

#[tokio::test]
async fn a_bulk_page_of_readable_events_is_applied_at_once_and_only_a_bad_one_event_by_event() {
    let h = Harness::new().await;
    let (ann, bea) = (Uuid::new_v4(), Uuid::new_v4());
    h.record(ann, 1, &registered(ann, h.tenant, "Ann")).await;
    h.record(ann, 2, &updated("Ann later")).await;
    let newest = h.record(bea, 1, &registered(bea, h.tenant, "Bea")).await;
    h.wait_for_gate(newest.transaction_id).await;
    let report = projections::rebuild(h.pool(), "customers")
        .await
        .expect("rebuilt");
    assert_eq!(report.applied, 3);
    assert_eq!(
        report.careful_pages, 0,
        "the quick path took the whole page"
    );

    h.record_raw(
        "customer",
        &bea.to_string(),
        2,
        "CustomerNicknamed",
        serde_json::json!({"CustomerNicknamed": {"nickname": 7}}),
    )
    .await;
    let newest = h.record(bea, 3, &updated("Bea later")).await;
    h.wait_for_gate(newest.transaction_id).await;
    let report = projections::rebuild(h.pool(), "customers")
        .await
        .expect("rebuilt");
    assert_eq!(
        report.careful_pages, 1,
        "the page with the bad event, alone"
    );
}

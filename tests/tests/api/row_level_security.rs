//! Row-level security, the second tenant fence: read as the query service reads
//! (`query::reader`), a query without any tenant filter finds only the request's business's
//! rows, before and after a rebuild swaps the read models' tables; and every table the reading
//! role may see that holds businesses' rows is under a policy.

use sqlx::PgPool;
use uuid::Uuid;

use crate::booking::{book, shop_named, utc_day_at};
use crate::helpers::{spawn_app, TestApp};
use crate::read_side::settled;

/// The rows of each table a read as `tenant` finds with no `where` at all.
async fn unfiltered_counts(pool: &PgPool, tenant: Uuid) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in [
        "appointments",
        "customers",
        "services",
        "staff_members",
        "staff_working_hours",
        "businesses",
        "reservations",
        "appointment_day_stats",
        "events",
        "users",
    ] {
        let mut tx = query::reader::read(pool, tenant).await.expect("reader");
        let count: i64 = sqlx::query_scalar(&format!("select count(*) from {table}"))
            .fetch_one(&mut *tx)
            .await
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        counts.push((table, count));
    }
    counts
}

/// What the owner (who sees every row) counts of `tenant`'s rows of the same tables.
async fn owned_counts(app: &TestApp, tenant: Uuid) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for (table, column) in [
        ("appointments", "tenant_id"),
        ("customers", "tenant_id"),
        ("services", "tenant_id"),
        ("staff_members", "tenant_id"),
        ("staff_working_hours", "tenant_id"),
        ("businesses", "tenant_id"),
        ("reservations", "tenant_id"),
        ("appointment_day_stats", "tenant_id"),
        ("events", "tenant_id"),
        ("users", "business_id"),
    ] {
        let count: i64 =
            sqlx::query_scalar(&format!("select count(*) from {table} where {column} = $1"))
                .bind(tenant)
                .fetch_one(&app.env.pool)
                .await
                .expect("counted");
        counts.push((table, count));
    }
    counts
}

#[tokio::test]
async fn a_read_without_a_tenant_filter_finds_only_the_request_s_business() {
    let app = spawn_app().await;
    let one = shop_named(&app, "fade-street", "UTC", 0).await;
    let other = shop_named(&app, "other-street", "UTC", 0).await;
    for shop in [&one, &other] {
        assert!(book(&app, shop, &utc_day_at(3, 10, 0))
            .await
            .status()
            .is_success());
    }
    settled(&app).await;
    for (business, rebuilt) in [
        (one.owner.business_id, false),
        (other.owner.business_id, true),
    ] {
        if rebuilt {
            for name in projections::names() {
                projections::rebuild(&app.env.pool, name)
                    .await
                    .expect("rebuilt");
            }
        }
        let seen = unfiltered_counts(&app.env.pool, business).await;
        assert_eq!(
            seen,
            owned_counts(&app, business).await,
            "rebuilt: {rebuilt}"
        );
        assert!(seen.iter().all(|(_, n)| *n > 0), "{seen:?}");
    }
    // a business with nothing, or no tenant set at all: nothing
    let nobody = unfiltered_counts(&app.env.pool, Uuid::new_v4()).await;
    assert!(nobody.iter().all(|(_, n)| *n == 0), "{nobody:?}");
    let mut tx = app.env.pool.begin().await.expect("tx");
    sqlx::query(&format!("set local role {}", query::reader::ROLE))
        .execute(&mut *tx)
        .await
        .expect("role");
    let unset: i64 = sqlx::query_scalar("select count(*) from appointments")
        .fetch_one(&mut *tx)
        .await
        .expect("counted");
    assert_eq!(unset, 0);
}

#[tokio::test]
async fn every_table_the_reader_may_see_with_businesses_rows_is_under_a_policy() {
    let app = spawn_app().await;
    let unguarded: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c
           join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
          where c.relkind = 'r'
            and has_table_privilege($1, c.oid, 'select')
            and exists (select 1 from pg_attribute a
                         where a.attrelid = c.oid and not a.attisdropped
                           and a.attname in ('tenant_id', 'business_id'))
            and not (c.relrowsecurity
                     and exists (select 1 from pg_policy p where p.polrelid = c.oid))
          order by 1",
    )
    .bind(query::reader::ROLE)
    .fetch_all(&app.env.pool)
    .await
    .expect("catalog");
    assert!(
        unguarded.is_empty(),
        "readable without a policy: {unguarded:?}"
    );
    // and what only the command side needs is not readable at all
    for secret in [
        "signing_secret",
        "refresh_tokens",
        "account_tokens",
        "idempotency_keys",
    ] {
        let readable: bool = sqlx::query_scalar("select has_table_privilege($1, $2, 'select')")
            .bind(query::reader::ROLE)
            .bind(secret)
            .fetch_one(&app.env.pool)
            .await
            .expect("privilege");
        assert!(!readable, "{secret}");
    }
}

#[tokio::test]
async fn customer_search_uses_its_trigram_index_under_the_policy() {
    let app = spawn_app().await;
    let shop = shop_named(&app, "fade-street", "UTC", 0).await;
    let tenant = shop.owner.business_id;
    // `textlike` (`~~`) is declared leakproof, so the search's condition may go first
    let leakproof: bool = sqlx::query_scalar(
        "select proleakproof from pg_proc where oid = 'textlike(text, text)'::regprocedure",
    )
    .fetch_one(&app.env.pool)
    .await
    .expect("catalog");
    assert!(leakproof);
    // In a transaction rolled back at the end: every other index of the table gone and scans
    // of the whole table priced out, the plan shows whether the reader may use the search's
    // index at all (a condition that may not go before the policy cannot be an index's).
    let mut tx = app.env.pool.begin().await.expect("tx");
    sqlx::query(
        "do $$ declare c record; begin
           for c in select conname from pg_constraint
                     where conrelid = 'customers'::regclass and contype in ('p', 'u') loop
             execute format('alter table customers drop constraint %I', c.conname);
           end loop;
           for c in select i.relname from pg_index x join pg_class i on i.oid = x.indexrelid
                     where x.indrelid = 'customers'::regclass
                       and i.relname <> 'customers_search_folded' loop
             execute format('drop index %I', c.relname);
           end loop;
         end $$",
    )
    .execute(&mut *tx)
    .await
    .expect("other indexes dropped");
    for statement in [
        format!("set local role {}", query::reader::ROLE),
        format!("set local {} = '{tenant}'", query::reader::TENANT_SETTING),
        "set local enable_seqscan = off".to_owned(),
    ] {
        sqlx::query(&statement)
            .execute(&mut *tx)
            .await
            .expect("set");
    }
    let plan: Vec<String> = sqlx::query_scalar(
        "explain select customer_id from customers
          where tenant_id = $1 and search_text like barber_fold('%ana%')",
    )
    .bind(tenant)
    .fetch_all(&mut *tx)
    .await
    .expect("plan");
    assert!(
        plan.iter()
            .any(|line| line.contains("customers_search_folded")),
        "{plan:#?}"
    );
}

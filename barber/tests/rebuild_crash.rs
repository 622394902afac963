//! `barber rebuild` killed with SIGKILL in the middle of its bulk: the live tables go on serving
//! what they held, nothing of the dead rebuild is swapped in, and the next rebuild starts afresh
//! (its leftovers dropped) and swaps in the whole read model.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use events::customer::{CustomerEvent, CustomerPii};
use platform::testing::TestEnv;
use uuid::Uuid;

/// Customers in the store: enough for the bulk to take a while.
const CUSTOMERS: usize = 40_000;

fn rebuild(env: &TestEnv) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_barber"));
    command
        .args(["rebuild", "customers"])
        .env("DATABASE_URL", &env.config.database_url)
        .env("NATS_URL", &env.config.nats_url)
        .env("EVENTS_STREAM", &env.config.events_stream)
        .env("NATS_PREFIX", &env.config.nats_prefix)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Appends a registration of each of `CUSTOMERS` customers of `tenant`, in one statement.
async fn register_customers(env: &TestEnv, tenant: Uuid) {
    let ids: Vec<String> = (1..=CUSTOMERS as u128)
        .map(|n| Uuid::from_u128(n).to_string())
        .collect();
    let payloads: Vec<serde_json::Value> = (1..=CUSTOMERS as u128)
        .map(|n| {
            serde_json::to_value(CustomerEvent::CustomerRegistered {
                customer_id: Uuid::from_u128(n),
                business_id: tenant,
                pii: CustomerPii {
                    name: format!("Customer {n}"),
                    phone: None,
                    email: None,
                    notes: None,
                },
            })
            .expect("json")
        })
        .collect();
    sqlx::query(
        "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                             payload, metadata)
         select 'customer', i, 1, 'CustomerRegistered', '1', p,
                jsonb_build_object('tenant_id', $3::text, 'actor', 'test')
           from unnest($1::text[], $2::jsonb[]) as e(i, p)",
    )
    .bind(&ids)
    .bind(&payloads)
    .bind(tenant.to_string())
    .execute(&env.pool)
    .await
    .expect("events appended");
}

async fn customers(env: &TestEnv) -> i64 {
    sqlx::query_scalar("select count(*) from customers")
        .fetch_one(&env.pool)
        .await
        .expect("count")
}

/// The first customer's name in the live table.
async fn first_name(env: &TestEnv) -> String {
    sqlx::query_scalar("select name from customers where customer_id = $1")
        .bind(Uuid::from_u128(1))
        .fetch_one(&env.pool)
        .await
        .expect("row")
}

#[tokio::test]
async fn a_rebuild_killed_mid_bulk_leaves_the_live_tables_serving_and_the_next_one_completes() {
    let env = TestEnv::new().await;
    let tenant = Uuid::new_v4();
    register_customers(&env, tenant).await;
    let first = rebuild(&env).status().expect("barber runs");
    assert!(first.success());
    assert_eq!(customers(&env).await, CUSTOMERS as i64);
    // the live table as the first rebuild left it, with a mark the next rebuild would undo
    sqlx::query("update customers set name = 'kept' where customer_id = $1")
        .bind(Uuid::from_u128(1))
        .execute(&env.pool)
        .await
        .expect("marked");

    let mut child = rebuild(&env).spawn().expect("barber starts");
    // killed once its bulk has written into the shadow tables
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let written: Result<i64, _> =
            sqlx::query_scalar("select count(*) from rebuild_customers.customers")
                .fetch_one(&env.pool)
                .await;
        if written.is_ok_and(|n| n > 0) {
            break;
        }
        assert!(
            child.try_wait().expect("waited").is_none(),
            "the rebuild ended before its bulk was seen"
        );
        assert!(Instant::now() < deadline, "the bulk never began");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child.kill().expect("killed");
    child.wait().expect("reaped");

    // nothing of the dead rebuild reached the live table
    assert_eq!(customers(&env).await, CUSTOMERS as i64);
    let name: String = sqlx::query_scalar("select name from customers where customer_id = $1")
        .bind(Uuid::from_u128(1))
        .fetch_one(&env.pool)
        .await
        .expect("row");
    assert_eq!(
        name, "kept",
        "the live table is the one the first rebuild swapped in"
    );

    // the next rebuild drops the leftovers and swaps in the whole read model
    let next = rebuild(&env).status().expect("barber runs");
    assert!(next.success());
    assert_eq!(customers(&env).await, CUSTOMERS as i64);
    assert_eq!(first_name(&env).await, "Customer 1");
    let schemas: i64 =
        sqlx::query_scalar("select count(*) from pg_namespace where nspname like 'rebuild_%'")
            .fetch_one(&env.pool)
            .await
            .expect("schemas");
    assert_eq!(schemas, 0);
}

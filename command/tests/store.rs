//! The command side's event store against a real Postgres: what a process remembers of an
//! aggregate is always what the event store folds to, and a decision over several streams is
//! recorded on all of them or on none.

use command::store::{
    CommandError, CustomerFence, EventStore, Known, Recording, StaffFence, TimezoneFence,
    Unrecorded,
};
use domain::customer::{
    Customer, CustomerCommand, CustomerDetails, CustomerError, CustomerProfile, CustomerRefusal,
    ProfileChanges,
};
use events::EventMetadata;
use platform::shutdown;
use platform::testing::TestEnv;
use serde_json::json;
use uuid::Uuid;

fn register(customer_id: Uuid, tenant_id: Uuid, name: &str) -> CustomerCommand {
    CustomerCommand::Register {
        customer_id,
        tenant_id,
        country: None,
        profile: CustomerProfile {
            name: name.to_owned(),
            phone: None,
            email: None,
            notes: None,
        },
        details: CustomerDetails::default(),
    }
}

fn rename(tenant_id: Uuid, name: &str) -> CustomerCommand {
    CustomerCommand::Update {
        tenant_id,
        country: None,
        profile: ProfileChanges {
            name: Some(name.to_owned()),
            notes: Some(Some(format!("now {name}"))),
            ..Default::default()
        },
        details: CustomerDetails::default(),
    }
}

async fn events_of(env: &TestEnv, id: Uuid) -> i64 {
    sqlx::query_scalar("select count(*) from events where aggregate_id = $1")
        .bind(id.to_string())
        .fetch_one(&env.pool)
        .await
        .expect("count")
}

/// A test's database, a stop signal for the stores started on it, and a tenant to write as.
struct Given {
    env: TestEnv,
    _stop: shutdown::ShutdownTrigger,
    shutdown: shutdown::Shutdown,
    tenant: Uuid,
    metadata: EventMetadata,
}

impl Given {
    async fn new() -> Self {
        let env = TestEnv::new().await;
        let (stop, shutdown) = shutdown::channel();
        let tenant = Uuid::new_v4();
        Self {
            env,
            _stop: stop,
            shutdown,
            tenant,
            metadata: EventMetadata::for_command(tenant, "test", "store"),
        }
    }

    /// A command store on the database, as one replica would have it: nothing remembered yet.
    fn store(&self) -> EventStore {
        EventStore::start(self.env.pool.clone(), self.shutdown.clone())
    }
}

/// A record created under a generated id.
const CREATED: Recording = Recording { new_record: true };

#[tokio::test]
async fn a_remembered_aggregate_is_the_one_folded_from_the_event_store() {
    let given = Given::new().await;
    let store = given.store();
    let other_replica = given.store();
    let (tenant, metadata) = (given.tenant, &given.metadata);
    let id = Uuid::new_v4();
    store
        .record::<Customer>(
            &id.to_string(),
            register(id, tenant, "Ana"),
            metadata,
            CREATED,
        )
        .await
        .expect("registered");
    for (n, writer) in [&store, &other_replica, &store, &store, &other_replica]
        .into_iter()
        .enumerate()
    {
        writer
            .execute::<Customer>(
                &id.to_string(),
                rename(tenant, &format!("Ana {n}")),
                metadata,
            )
            .await
            .expect("renamed");
    }
    let tags = CustomerCommand::Update {
        tenant_id: tenant,
        country: None,
        profile: ProfileChanges::default(),
        details: CustomerDetails {
            tags: Some(vec!["vip".into(), "beard".into()]),
            ..Default::default()
        },
    };
    store
        .execute::<Customer>(&id.to_string(), tags, metadata)
        .await
        .expect("tagged");
    let cold = given.store();
    let folded = json!(cold.load::<Customer>(&id.to_string()).await.expect("cold"));
    for warm in [&store, &other_replica] {
        let remembered = json!(warm.load::<Customer>(&id.to_string()).await.expect("warm"));
        assert_eq!(remembered, folded);
    }
    assert!(folded.to_string().contains("Ana 4"), "{folded}");
}

#[tokio::test]
async fn a_new_record_whose_id_exists_is_decided_on_the_record() {
    let given = Given::new().await;
    let store = given.store();
    let (tenant, metadata) = (given.tenant, &given.metadata);
    let id = Uuid::new_v4();
    store
        .record::<Customer>(
            &id.to_string(),
            register(id, tenant, "Ana"),
            metadata,
            CREATED,
        )
        .await
        .expect("registered");
    let again = store
        .record::<Customer>(
            &id.to_string(),
            register(id, tenant, "Bo"),
            metadata,
            CREATED,
        )
        .await;
    match again {
        Err(CommandError::Refused(e)) => {
            assert_eq!(e.to_string(), CustomerError::AlreadyRegistered.to_string())
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(events_of(&given.env, id).await, 1);
}

/// Three customers registered by one decision, each decided on its own state.
async fn three_registered_together(
    store: &EventStore,
    metadata: &EventMetadata,
    tenant: Uuid,
    ids: [Uuid; 3],
    second: Known<Customer>,
) -> Result<Result<Option<i64>, Unrecorded>, CommandError<CustomerRefusal>> {
    let mut decision = store.decision(metadata);
    for (n, id) in ids.iter().enumerate() {
        let known = if n == 1 {
            Known {
                state: second.state.clone(),
                sequence: second.sequence,
            }
        } else {
            Known::new_record()
        };
        decision
            .decide::<Customer>(&id.to_string(), known, register(*id, tenant, "Ana"))
            .await?;
    }
    Ok(decision.record().await.map(|c| c.position))
}

#[tokio::test]
async fn a_decision_over_three_streams_is_recorded_on_all_or_on_none() {
    let given = Given::new().await;
    let store = given.store();
    let (tenant, metadata) = (given.tenant, &given.metadata);
    let ids = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];

    // the second stream moves after it was read: a conflict, and nothing on any stream
    let stale = Known::<Customer>::new_record();
    store
        .record::<Customer>(
            &ids[1].to_string(),
            register(ids[1], tenant, "Bo"),
            metadata,
            CREATED,
        )
        .await
        .expect("the second registered meanwhile");
    let raced = three_registered_together(&store, metadata, tenant, ids, stale).await;
    assert!(matches!(raced, Ok(Err(Unrecorded::Conflict))), "{raced:?}");
    assert_eq!(events_of(&given.env, ids[0]).await, 0);
    assert_eq!(events_of(&given.env, ids[1]).await, 1);
    assert_eq!(events_of(&given.env, ids[2]).await, 0);

    // decided again on fresh state, the second refuses: nothing is recorded either
    let fresh = store
        .known::<Customer>(&ids[1].to_string())
        .await
        .expect("read");
    let refused = three_registered_together(&store, metadata, tenant, ids, fresh).await;
    assert!(
        matches!(
            refused,
            Err(CommandError::Refused(CustomerRefusal::Customer(
                CustomerError::AlreadyRegistered
            )))
        ),
        "{refused:?}"
    );
    assert_eq!(events_of(&given.env, ids[0]).await, 0);
    assert_eq!(events_of(&given.env, ids[2]).await, 0);

    // three fresh streams: all three recorded
    let others = [Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4()];
    let recorded =
        three_registered_together(&store, metadata, tenant, others, Known::new_record()).await;
    assert!(matches!(recorded, Ok(Ok(Some(_)))), "{recorded:?}");
    for id in others {
        assert_eq!(events_of(&given.env, id).await, 1);
    }
}

#[tokio::test]
async fn a_stream_decided_twice_in_one_decision_goes_on_from_its_first_command() {
    let given = Given::new().await;
    let store = given.store();
    let (tenant, metadata) = (given.tenant, &given.metadata);
    let id = Uuid::new_v4();
    let mut decision = store.decision(metadata);
    decision
        .decide::<Customer>(
            &id.to_string(),
            Known::new_record(),
            register(id, tenant, "Ana"),
        )
        .await
        .expect("registered");
    // the `known` passed the second time is not used: the stream goes on from the registration
    // (renaming a customer not yet registered would be refused, had the stream not gone on)
    decision
        .decide::<Customer>(
            &id.to_string(),
            Known::new_record(),
            rename(tenant, "Ana Lima"),
        )
        .await
        .expect("renamed");
    decision.record().await.expect("recorded");
    let events: Vec<(i64, String)> = sqlx::query_as(
        "select sequence, event_type from events where aggregate_id = $1 order by sequence",
    )
    .bind(id.to_string())
    .fetch_all(&given.env.pool)
    .await
    .expect("events");
    assert_eq!(
        events,
        [
            (1, "CustomerRegistered".to_owned()),
            (2, "CustomerProfileUpdated".to_owned())
        ]
    );
    let remembered = store
        .known::<Customer>(&id.to_string())
        .await
        .expect("read");
    assert_eq!(remembered.sequence, 2);
}

#[tokio::test]
async fn a_decision_behind_a_timezone_fence_is_recorded_only_on_that_timezone() {
    let given = Given::new().await;
    let store = given.store();
    let (tenant, metadata) = (given.tenant, &given.metadata);
    sqlx::query(
        "insert into business_timezones (business_id, timezone) values ($1, 'Europe/London')",
    )
    .bind(tenant)
    .execute(&given.env.pool)
    .await
    .expect("fence");
    let fenced = |zone: &str, id: Uuid| {
        let store = store.clone();
        let zone = zone.to_owned();
        async move {
            let mut decision = store.decision(metadata);
            decision
                .decide::<Customer>(
                    &id.to_string(),
                    Known::new_record(),
                    register(id, tenant, "Ana"),
                )
                .await
                .expect("decided");
            decision.fence(TimezoneFence {
                business_id: tenant,
                timezone: zone,
            });
            decision.record().await.map(|c| c.position)
        }
    };
    let (moved, stayed) = (Uuid::new_v4(), Uuid::new_v4());
    let refused = fenced("Asia/Kolkata", moved).await;
    assert!(matches!(refused, Err(Unrecorded::Conflict)), "{refused:?}");
    assert_eq!(events_of(&given.env, moved).await, 0);
    let recorded = fenced("Europe/London", stayed).await;
    assert!(matches!(recorded, Ok(Some(_))), "{recorded:?}");
    assert_eq!(events_of(&given.env, stayed).await, 1);
}

#[tokio::test]
async fn a_remembered_rota_holds_each_time_off_once() {
    use domain::staff::{StaffCommand, StaffMember, StaffProfileInput};
    let given = Given::new().await;
    let store = given.store();
    let (tenant, metadata) = (given.tenant, &given.metadata);
    let id = Uuid::new_v4();
    let add = StaffCommand::Add {
        staff_id: id,
        tenant_id: tenant,
        profile: StaffProfileInput {
            name: "Rui".into(),
            role: "barber".into(),
            email: None,
            phone: None,
        },
    };
    store
        .execute::<StaffMember>(&id.to_string(), add, metadata)
        .await
        .expect("added");
    let start = chrono::Utc::now() + chrono::Duration::days(3);
    let mut kept = Vec::new();
    for n in 0..3 {
        let time_off_id = Uuid::new_v4();
        kept.push(time_off_id);
        let off = StaffCommand::AddTimeOff {
            tenant_id: tenant,
            time_off_id,
            starts_at: start + chrono::Duration::days(n * 2),
            ends_at: start + chrono::Duration::days(n * 2) + chrono::Duration::hours(4),
            reason: None,
            now: chrono::Utc::now(),
        };
        store
            .execute::<StaffMember>(&id.to_string(), off, metadata)
            .await
            .expect("time off");
    }
    let remove = StaffCommand::RemoveTimeOff {
        tenant_id: tenant,
        time_off_id: kept.remove(1),
    };
    store
        .execute::<StaffMember>(&id.to_string(), remove, metadata)
        .await
        .expect("removed");
    let remembered = store
        .load::<StaffMember>(&id.to_string())
        .await
        .expect("warm");
    let ids: Vec<Uuid> = remembered.time_off().iter().map(|t| t.id).collect();
    assert_eq!(ids, kept);
    let cold = given.store();
    let folded = cold
        .load::<StaffMember>(&id.to_string())
        .await
        .expect("cold");
    assert_eq!(json!(remembered), json!(folded));
}

#[tokio::test]
async fn a_step_that_waited_for_a_timezone_change_sees_the_new_zone_and_records_nothing() {
    let given = Given::new().await;
    let store = given.store();
    let (tenant, metadata) = (given.tenant, given.metadata.clone());
    sqlx::query(
        "insert into business_timezones (business_id, timezone) values ($1, 'Europe/London')",
    )
    .bind(tenant)
    .execute(&given.env.pool)
    .await
    .expect("fence");
    // a timezone change in progress: it holds the fence's lock exclusively
    let mut change = given.env.pool.begin().await.expect("transaction");
    sqlx::query(
        "select pg_advisory_xact_lock(hashtext('barber-timezone-fence'), hashtext($1::text))",
    )
    .bind(tenant)
    .execute(&mut *change)
    .await
    .expect("locked");
    let id = Uuid::new_v4();
    let step = tokio::spawn(async move {
        let mut decision = store.decision(&metadata);
        decision
            .decide::<Customer>(
                &id.to_string(),
                Known::new_record(),
                register(id, tenant, "Ana"),
            )
            .await
            .expect("decided");
        decision.fence(TimezoneFence {
            business_id: tenant,
            timezone: "Europe/London".into(),
        });
        decision.record().await.map(|c| c.position)
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!step.is_finished(), "the step did not wait for the change");
    sqlx::query("update business_timezones set timezone = 'Asia/Kolkata' where business_id = $1")
        .bind(tenant)
        .execute(&mut *change)
        .await
        .expect("moved");
    change.commit().await.expect("committed");
    let recorded = step.await.expect("step");
    assert!(
        matches!(recorded, Err(Unrecorded::Conflict)),
        "{recorded:?}"
    );
    assert_eq!(events_of(&given.env, id).await, 0);
}

/// A record that closes (a barber deactivated, a customer merged) under its fence's lock:
/// a step fenced on it that waited for the closing records nothing.
struct Closing {
    lock_class: &'static str,
    aggregate_type: &'static str,
    event_type: &'static str,
    fence: fn(&mut command::store::Decision<'_>, Uuid),
}

/// Registers a customer behind `closing`'s fence on record `id` while another transaction
/// holds the fence and records the closing event; answers how the step ended.
async fn fenced_step_racing(
    given: &Given,
    closing: Closing,
    id: Uuid,
) -> Result<Option<i64>, Unrecorded> {
    let store = given.store();
    let (tenant, metadata) = (given.tenant, given.metadata.clone());
    let mut closer = given.env.pool.begin().await.expect("transaction");
    sqlx::query("select pg_advisory_xact_lock(hashtext($1), hashtext($2::text))")
        .bind(closing.lock_class)
        .bind(id)
        .execute(&mut *closer)
        .await
        .expect("locked");
    let customer = Uuid::new_v4();
    let step = tokio::spawn(async move {
        let mut decision = store.decision(&metadata);
        decision
            .decide::<Customer>(
                &customer.to_string(),
                Known::new_record(),
                register(customer, tenant, "Ana"),
            )
            .await
            .expect("decided");
        (closing.fence)(&mut decision, id);
        decision.record().await.map(|c| c.position)
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    if step.is_finished() {
        panic!("the step did not wait for the fence: {:?}", step.await);
    }
    sqlx::query(
        "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                             payload, metadata)
         values ($1, $2, 1000, $3, '1', to_jsonb($3::text),
                 jsonb_build_object('tenant_id', $4::text))",
    )
    .bind(closing.aggregate_type)
    .bind(id.to_string())
    .bind(closing.event_type)
    .bind(given.tenant)
    .execute(&mut *closer)
    .await
    .expect("closed");
    closer.commit().await.expect("committed");
    let recorded = step.await.expect("step");
    if recorded.is_err() {
        assert_eq!(events_of(&given.env, customer).await, 0);
    }
    recorded
}

#[tokio::test]
async fn a_step_that_waited_for_a_merge_records_nothing() {
    let given = Given::new().await;
    let merged = Closing {
        lock_class: "barber-customer-fence",
        aggregate_type: "customer",
        event_type: "CustomerMergedInto",
        fence: |decision, customer_id| decision.fence_customer(CustomerFence { customer_id }),
    };
    let recorded = fenced_step_racing(&given, merged, Uuid::new_v4()).await;
    assert!(
        matches!(recorded, Err(Unrecorded::Conflict)),
        "{recorded:?}"
    );
}

#[tokio::test]
async fn a_step_that_waited_for_a_deactivation_records_nothing() {
    let given = Given::new().await;
    let (tenant, barber) = (given.tenant, Uuid::new_v4());
    let deactivated = Closing {
        lock_class: "barber-staff-fence",
        aggregate_type: "staff",
        event_type: "StaffMemberDeactivated",
        fence: |decision, staff_id| decision.fence_staff(StaffFence { staff_id }),
    };
    let recorded = fenced_step_racing(&given, deactivated, barber).await;
    assert!(
        matches!(recorded, Err(Unrecorded::Conflict)),
        "{recorded:?}"
    );

    // a barber reactivated is bookable again
    let again = Uuid::new_v4();
    sqlx::query(
        "insert into events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                             payload, metadata)
         values ('staff', $1, 1001, 'StaffMemberReactivated', '1', '\"StaffMemberReactivated\"',
                 jsonb_build_object('tenant_id', $2::text))",
    )
    .bind(barber.to_string())
    .bind(tenant)
    .execute(&given.env.pool)
    .await
    .expect("reactivated");
    let store = given.store();
    let mut decision = store.decision(&given.metadata);
    decision
        .decide::<Customer>(
            &again.to_string(),
            Known::new_record(),
            register(again, tenant, "Bo"),
        )
        .await
        .expect("decided");
    decision.fence_staff(StaffFence { staff_id: barber });
    assert!(decision.record().await.is_ok());
    assert_eq!(events_of(&given.env, again).await, 1);
}

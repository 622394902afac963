//! Given appointment events, the day stats they add up to; redelivered and interleaved
//! differently, the same.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use events::appointment::{AppointmentSource, PaymentMethod};
use platform::testing::TestEnv;
use serde_json::{json, Value};

use super::*;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, hour, 0, 0)
        .single()
        .expect("instant")
}

fn date(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, day).expect("date")
}

fn recorded(tenant: Uuid, id: Uuid, seq: i64, e: &AppointmentEvent) -> RecordedEvent {
    crate::appointments::tests::recorded(tenant, id, seq, e, at(1, 8))
}

/// A 30-minute booking on `day` at `hour` with `staff`.
fn booked(
    tenant: Uuid,
    id: Uuid,
    staff: Uuid,
    service: Uuid,
    day: u32,
    hour: u32,
) -> AppointmentEvent {
    AppointmentEvent::AppointmentBooked {
        appointment_id: id,
        business_id: tenant,
        customer_id: Uuid::new_v4(),
        staff_id: staff,
        service_id: service,
        service_name: "Skin fade".into(),
        starts_at: at(day, hour),
        ends_at: at(day, hour) + TimeDelta::minutes(30),
        blocked_until: at(day, hour) + TimeDelta::minutes(40),
        price_cents: 2500,
        currency: "GBP".into(),
        source: AppointmentSource::Phone,
        status: S::Booked,
        schedule_date: date(day),
        booked_by: "user-1".into(),
    }
}

/// Every non-empty day-stats row, in key order.
async fn rows(conn: &mut PgConnection) -> Vec<Value> {
    sqlx::query_scalar(
        "select jsonb_build_object('date', local_date, 'staff', staff_id, 'service', service_id,
                    'status', status, 'currency', currency, 'n', appointments,
                    'late', late_cancellations, 'minutes', booked_minutes,
                    'paid', amount_paid_cents, 'tips', tip_cents)
           from appointment_day_stats
          where appointments <> 0
          order by local_date, staff_id, service_id, status, currency",
    )
    .fetch_all(conn)
    .await
    .expect("rows")
}

/// Three appointments' histories: one completed after a reschedule to another barber and day,
/// one cancelled late, one a no-show.
fn histories(
    tenant: Uuid,
    staff: Uuid,
    other: Uuid,
    service: Uuid,
) -> Vec<(Uuid, Vec<AppointmentEvent>)> {
    let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    vec![
        (
            a,
            vec![
                booked(tenant, a, staff, service, 7, 10),
                AppointmentEvent::AppointmentRescheduled {
                    staff_id: other,
                    starts_at: at(8, 11),
                    ends_at: at(8, 11) + TimeDelta::minutes(30),
                    blocked_until: at(8, 11) + TimeDelta::minutes(30),
                    schedule_date: date(8),
                    previous_staff_id: staff,
                    previous_starts_at: at(7, 10),
                    previous_schedule_date: date(7),
                },
                AppointmentEvent::AppointmentConfirmed {},
                AppointmentEvent::AppointmentCheckedIn { at: at(8, 11) },
                AppointmentEvent::AppointmentStarted { at: at(8, 11) },
                AppointmentEvent::AppointmentCompleted {
                    at: at(8, 12),
                    amount_paid_cents: 2200,
                    tip_cents: 300,
                    payment_method: PaymentMethod::Card,
                },
            ],
        ),
        (
            b,
            vec![
                booked(tenant, b, staff, service, 8, 11),
                AppointmentEvent::AppointmentCancelled {
                    at: at(8, 9),
                    by: "customer".into(),
                    reason: None,
                    late: true,
                },
            ],
        ),
        (
            c,
            vec![
                booked(tenant, c, staff, service, 8, 14),
                AppointmentEvent::AppointmentMarkedNoShow { at: at(8, 15) },
            ],
        ),
    ]
}

/// Every event of `histories`, one aggregate after the other.
fn in_aggregate_order(
    tenant: Uuid,
    histories: &[(Uuid, Vec<AppointmentEvent>)],
) -> Vec<RecordedEvent> {
    histories
        .iter()
        .flat_map(|(id, history)| {
            (1..)
                .zip(history)
                .map(|(seq, e)| recorded(tenant, *id, seq, e))
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn apply_all<'a>(
    conn: &mut PgConnection,
    events: impl IntoIterator<Item = &'a RecordedEvent>,
) {
    for event in events {
        AppointmentStats.apply(conn, event).await.expect("applied");
    }
}

#[tokio::test]
async fn each_appointment_counts_once_on_its_day_in_its_status() {
    let env = TestEnv::new().await;
    let mut conn = env.pool.acquire().await.expect("connection");
    let [tenant, staff, other, service] = [(); 4].map(|()| Uuid::new_v4());
    let histories = histories(tenant, staff, other, service);
    apply_all(&mut conn, &in_aggregate_order(tenant, &histories)).await;
    let row = |staff: Uuid, status: &str, n: i64, late: i64, paid: i64, tips: i64| {
        json!({"date": "2026-12-08", "staff": staff, "service": service, "status": status,
               "currency": "GBP", "n": n, "late": late, "minutes": 30 * n, "paid": paid,
               "tips": tips})
    };
    let mut want = vec![
        row(staff, "cancelled", 1, 1, 0, 0),
        row(staff, "no_show", 1, 0, 0, 0),
        row(other, "completed", 1, 0, 2200, 300),
    ];
    want.sort_by_key(|r| (r["staff"].to_string(), r["status"].to_string()));
    let mut got = rows(&mut conn).await;
    got.sort_by_key(|r| (r["staff"].to_string(), r["status"].to_string()));
    // the 7th, where the completed one was first booked, counts nothing any more
    assert_eq!(got, want);
}

#[tokio::test]
async fn redelivered_and_interleaved_differently_the_rows_are_the_same() {
    let env = TestEnv::new().await;
    let mut conn = env.pool.acquire().await.expect("connection");
    let [tenant, staff, other, service] = [(); 4].map(|()| Uuid::new_v4());
    let histories = histories(tenant, staff, other, service);
    let events = in_aggregate_order(tenant, &histories);
    // one aggregate after the other
    apply_all(&mut conn, &events).await;
    let in_order = rows(&mut conn).await;
    // every event again, and an older one after a newer: nothing changes
    apply_all(&mut conn, events.iter().rev().chain(&events)).await;
    assert_eq!(rows(&mut conn).await, in_order);
    // from scratch, the aggregates interleaved the other way round (each still in order)
    empty_tables(&mut conn).await;
    assert!(rows(&mut conn).await.is_empty());
    let empty: i64 = sqlx::query_scalar("select count(*) from appointment_stats_sources")
        .fetch_one(&mut *conn)
        .await
        .expect("count");
    assert_eq!(empty, 0);
    let mut interleaved: Vec<&RecordedEvent> = events.iter().collect();
    interleaved.sort_by_key(|e| (e.sequence, std::cmp::Reverse(e.aggregate_id.clone())));
    apply_all(&mut conn, interleaved).await;
    assert_eq!(rows(&mut conn).await, in_order);
    // an update of an appointment whose booking never applied counts nothing
    let stray = AppointmentEvent::AppointmentMarkedNoShow { at: at(8, 16) };
    apply_all(&mut conn, [&recorded(tenant, Uuid::new_v4(), 2, &stray)]).await;
    assert_eq!(rows(&mut conn).await, in_order);
    // from scratch, every event in one batch, delivered twice over: the same rows
    empty_tables(&mut conn).await;
    let batch: Vec<&RecordedEvent> = interleaved_twice(&events);
    AppointmentStats
        .apply_many(&mut conn, &batch)
        .await
        .expect("applied");
    assert_eq!(rows(&mut conn).await, in_order);
}

/// Every event, the aggregates interleaved (each still in order), then all of them again.
fn interleaved_twice(events: &[RecordedEvent]) -> Vec<&RecordedEvent> {
    let mut once: Vec<&RecordedEvent> = events.iter().collect();
    once.sort_by_key(|e| (e.sequence, e.aggregate_id.clone()));
    once.iter().chain(once.iter()).copied().collect()
}

/// Both tables of the read model emptied.
async fn empty_tables(conn: &mut PgConnection) {
    for table in AppointmentStats.tables() {
        sqlx::query(&format!("delete from {table}"))
            .execute(&mut *conn)
            .await
            .expect("emptied");
    }
}

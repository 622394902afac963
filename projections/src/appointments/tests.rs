//! The appointments read model: events to rows, one by one, as a batch, and into empty tables.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use events::appointment::{AppointmentSource, AppointmentStatus as S, PaymentMethod};
use platform::testing::TestEnv;
use serde_json::{json, Value};

use super::*;

fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, hour, 0, 0)
        .single()
        .expect("instant")
}

async fn apply(conn: &mut PgConnection, tenant: Uuid, id: Uuid, seq: i64, e: &AppointmentEvent) {
    let event = recorded(tenant, id, seq, e, at(8));
    Appointments.apply(conn, &event).await.expect("applied");
}

/// Event `seq` of appointment `id`, recorded `seq` minutes after `base`.
pub(crate) fn recorded(
    tenant: Uuid,
    id: Uuid,
    seq: i64,
    e: &AppointmentEvent,
    base: DateTime<Utc>,
) -> RecordedEvent {
    RecordedEvent {
        global_position: seq,
        transaction_id: 1,
        aggregate_type: events::appointment::AGGREGATE_TYPE.into(),
        aggregate_id: id.to_string(),
        sequence: seq,
        // not read by `apply`
        event_type: String::new(),
        event_version: "1".into(),
        tenant_id: tenant,
        payload: serde_json::to_value(e).expect("serialises"),
        metadata: json!({}),
        recorded_at: base + TimeDelta::minutes(seq),
    }
}

/// Every row, as JSON.
async fn rows(conn: &mut PgConnection) -> Vec<Value> {
    sqlx::query_scalar("select to_jsonb(a) from appointments a")
        .fetch_all(conn)
        .await
        .expect("rows")
}

#[tokio::test]
async fn each_event_applies_once_and_stale_ones_change_nothing() {
    let env = TestEnv::new().await;
    let mut conn = env.pool.acquire().await.expect("connection");
    let (tenant, id, barber) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    let date = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
    let history = [
        AppointmentEvent::AppointmentBooked {
            appointment_id: id,
            business_id: tenant,
            customer_id: Uuid::new_v4(),
            staff_id: Uuid::new_v4(),
            service_id: Uuid::new_v4(),
            service_name: "Skin fade".into(),
            starts_at: at(10),
            ends_at: at(11),
            blocked_until: at(11),
            price_cents: 2500,
            currency: "GBP".into(),
            source: AppointmentSource::WalkIn,
            status: S::CheckedIn,
            schedule_date: date,
            booked_by: "user-1".into(),
        },
        AppointmentEvent::AppointmentRescheduled {
            staff_id: barber,
            starts_at: at(12),
            ends_at: at(13),
            blocked_until: at(13),
            schedule_date: date,
            previous_staff_id: Uuid::new_v4(),
            previous_starts_at: at(10),
            previous_schedule_date: date,
        },
        AppointmentEvent::AppointmentStarted { at: at(12) },
        AppointmentEvent::AppointmentCompleted {
            at: at(13),
            amount_paid_cents: 2500,
            tip_cents: 300,
            payment_method: PaymentMethod::Card,
        },
    ];
    for (seq, event) in (1..).zip(&history) {
        apply(&mut conn, tenant, id, seq, event).await;
    }
    let done = rows(&mut conn).await;
    let row = &done[0];
    assert_eq!(
        (&row["status"], &row["version"], &row["rescheduled_count"]),
        (&json!("completed"), &json!(4), &json!(1))
    );
    assert_eq!(
        (&row["staff_id"], &row["tip_cents"]),
        (&json!(barber), &json!(300))
    );
    // a walk-in is checked in when it is booked
    assert_eq!(row["checked_in_at"], row["booked_at"]);
    assert!(row["booked_at"].is_string());
    // replayed without reset, or out of date: nothing changes
    for (seq, event) in (1..).zip(&history) {
        apply(&mut conn, tenant, id, seq, event).await;
    }
    let stale = AppointmentEvent::AppointmentCheckedIn { at: at(9) };
    apply(&mut conn, tenant, id, 3, &stale).await;
    // an update of a booking never applied (dead-lettered) writes nothing
    apply(&mut conn, tenant, Uuid::new_v4(), 2, &stale).await;
    assert_eq!(rows(&mut conn).await, done);

    // the same history as one batch, with a second appointment's interleaved, a
    // redelivery and a stale event inside it: the same row, in one load and one store
    sqlx::query("delete from appointments")
        .execute(&mut *conn)
        .await
        .expect("reset");
    let other = Uuid::new_v4();
    let mut batch: Vec<RecordedEvent> = Vec::new();
    for (seq, event) in (1..).zip(&history) {
        batch.push(recorded(tenant, id, seq, event, at(8)));
        batch.push(recorded(tenant, other, seq, event, at(8)));
    }
    batch.push(recorded(tenant, id, 2, &history[1], at(8)));
    batch.push(recorded(tenant, id, 3, &stale, at(8)));
    let refs: Vec<&RecordedEvent> = batch.iter().collect();
    Appointments
        .apply_many(&mut conn, &refs)
        .await
        .expect("applied");
    let mine: Vec<Value> =
        sqlx::query_scalar("select to_jsonb(a) from appointments a where appointment_id = $1")
            .bind(id)
            .fetch_all(&mut *conn)
            .await
            .expect("rows");
    assert_eq!(mine, done);
    assert_eq!(rows(&mut conn).await.len(), 2);

    // into empty tables (a rebuild's bulk): the same rows; over a row that exists, a failure
    sqlx::query("delete from appointments")
        .execute(&mut *conn)
        .await
        .expect("reset");
    let whole: Vec<RecordedEvent> = (1..)
        .zip(&history)
        .map(|(seq, event)| recorded(tenant, id, seq, event, at(8)))
        .collect();
    let refs: Vec<&RecordedEvent> = whole.iter().collect();
    Appointments
        .apply_new(&mut conn, &refs)
        .await
        .expect("applied");
    assert_eq!(rows(&mut conn).await, done);
    let again = Appointments.apply_new(&mut conn, &refs).await;
    assert!(matches!(again, Err(ApplyError::Refused(_))), "{again:?}");
}

//! The appointments read model: one row per appointment with its times, status and payment.
//!
//! Set-based: a batch of events loads the rows of the appointments it touches in one
//! statement, folds each event into its row in memory ([`row::fold`]: a booking makes the row,
//! every later event changes it and moves its `version` to the event's sequence, and an event
//! the row already reflects changes nothing), and stores every changed row in one statement.
//! The steps are timestamped with the instant the event carries (`at`); a confirmation carries
//! none, so it is stamped with the time it was recorded.

mod row;

use std::collections::{HashMap, HashSet};

use events::appointment::AppointmentEvent;
use events::RecordedEvent;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::ApplyError;
use crate::projection::Projection;
use row::{Applied, AppointmentRow};

/// Builds the `appointments` table from appointment events.
#[derive(Debug, Clone, Copy, Default)]
pub struct Appointments;

impl Appointments {
    pub const NAME: &'static str = platform::read_models::APPOINTMENTS.name;
    pub const AGGREGATE_TYPES: &'static [&'static str] =
        platform::read_models::APPOINTMENTS.aggregate_types;
}

impl Projection for Appointments {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        Self::AGGREGATE_TYPES
    }

    #[tracing::instrument(
        name = "appointments.apply",
        skip_all,
        fields(appointment_id = %event.aggregate_id, sequence = event.sequence)
    )]
    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ApplyError> {
        self.apply_many(conn, &[event]).await
    }

    #[tracing::instrument(name = "appointments.apply_many", skip_all, fields(events = events.len()))]
    async fn apply_many(
        &self,
        conn: &mut PgConnection,
        events: &[&RecordedEvent],
    ) -> Result<(), ApplyError> {
        let applied = read_batch(events)?;
        let keys: Vec<(Uuid, Uuid)> = applied
            .iter()
            .map(|(event, id, _)| (event.tenant_id, *id))
            .collect();
        let mut rows = load(&mut *conn, &keys).await?;
        // the rows to store, in the order first changed
        let (mut changed, mut seen) = (Vec::new(), HashSet::new());
        for (event, appointment_id, payload) in &applied {
            let key = (event.tenant_id, *appointment_id);
            let before = rows.remove(&key);
            let version = before.as_ref().map(|r| r.version);
            let after = row::fold(
                before,
                &Applied {
                    tenant_id: event.tenant_id,
                    appointment_id: *appointment_id,
                    sequence: event.sequence,
                    recorded_at: event.recorded_at,
                    event: payload,
                },
            );
            match after {
                Some(after) => {
                    if Some(after.version) != version && seen.insert(key) {
                        changed.push(key);
                    }
                    rows.insert(key, after);
                }
                // the booking was dead-lettered: an update has no row to change
                None => {
                    tracing::debug!(%appointment_id, sequence = event.sequence, "event changed no row")
                }
            }
        }
        let changed: Vec<AppointmentRow> =
            changed.iter().filter_map(|key| rows.remove(key)).collect();
        store(conn, &changed).await
    }

    fn tables(&self) -> &'static [&'static str] {
        &["appointments"]
    }
}

/// The appointment an event is about: its aggregate id.
pub(crate) fn appointment_id(event: &RecordedEvent) -> Result<Uuid, ApplyError> {
    Uuid::parse_str(&event.aggregate_id).map_err(|_| {
        ApplyError::Invalid(format!(
            "appointment aggregate id {:?} is not a uuid",
            event.aggregate_id
        ))
    })
}

/// Each event of a batch of appointment events with its appointment and its payload read.
pub(crate) fn read_batch<'e>(
    events: &[&'e RecordedEvent],
) -> Result<Vec<(&'e RecordedEvent, Uuid, AppointmentEvent)>, ApplyError> {
    events
        .iter()
        .map(|event| {
            let payload = AppointmentEvent::deserialize(&event.payload)?;
            Ok((*event, appointment_id(event)?, payload))
        })
        .collect()
}

/// Every column, in the table's order: what [`load`] selects and [`store`] writes.
const COLUMNS: &str = "tenant_id, appointment_id, customer_id, staff_id, service_id, \
    service_name, starts_at, ends_at, blocked_until, schedule_date, price_cents, currency, \
    source, status, booked_by, booked_at, confirmed_at, checked_in_at, started_at, \
    completed_at, cancelled_at, cancelled_by, cancellation_reason, late_cancellation, \
    no_show_at, amount_paid_cents, tip_cents, payment_method, rescheduled_count, notes, \
    updated_at, version";

/// The rows of these appointments that exist, by (tenant, appointment).
async fn load(
    conn: &mut PgConnection,
    keys: &[(Uuid, Uuid)],
) -> Result<HashMap<(Uuid, Uuid), AppointmentRow>, sqlx::Error> {
    let (tenants, ids): (Vec<Uuid>, Vec<Uuid>) = keys.iter().copied().unzip();
    let rows: Vec<AppointmentRow> = sqlx::query_as(&format!(
        "select {COLUMNS} from appointments
          where (tenant_id, appointment_id) in (select * from unnest($1::uuid[], $2::uuid[]))"
    ))
    .bind(&tenants)
    .bind(&ids)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ((r.tenant_id, r.appointment_id), r))
        .collect())
}

/// Writes `rows` in one statement, each over the row it was folded from (a row never goes
/// back to an older version).
async fn store(conn: &mut PgConnection, rows: &[AppointmentRow]) -> Result<(), ApplyError> {
    if rows.is_empty() {
        return Ok(());
    }
    macro_rules! column {
        ($field:ident) => {
            rows.iter().map(|r| r.$field.clone()).collect::<Vec<_>>()
        };
    }
    let notes: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| serde_json::to_value(&r.notes.0))
        .collect::<Result<_, _>>()?;
    let updates = COLUMNS
        .split(", ")
        .map(str::trim)
        .filter(|c| !matches!(*c, "tenant_id" | "appointment_id"))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!(
        "insert into appointments ({COLUMNS})
         select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[],
             $6::text[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::date[],
             $11::bigint[], $12::text[], $13::text[], $14::text[], $15::text[],
             $16::timestamptz[], $17::timestamptz[], $18::timestamptz[], $19::timestamptz[],
             $20::timestamptz[], $21::timestamptz[], $22::text[], $23::text[], $24::bool[],
             $25::timestamptz[], $26::bigint[], $27::bigint[], $28::text[], $29::int[],
             $30::jsonb[], $31::timestamptz[], $32::bigint[])
         on conflict (tenant_id, appointment_id) do update set {updates}
          where appointments.version < excluded.version"
    ))
    .bind(column!(tenant_id))
    .bind(column!(appointment_id))
    .bind(column!(customer_id))
    .bind(column!(staff_id))
    .bind(column!(service_id))
    .bind(column!(service_name))
    .bind(column!(starts_at))
    .bind(column!(ends_at))
    .bind(column!(blocked_until))
    .bind(column!(schedule_date))
    .bind(column!(price_cents))
    .bind(column!(currency))
    .bind(column!(source))
    .bind(column!(status))
    .bind(column!(booked_by))
    .bind(column!(booked_at))
    .bind(column!(confirmed_at))
    .bind(column!(checked_in_at))
    .bind(column!(started_at))
    .bind(column!(completed_at))
    .bind(column!(cancelled_at))
    .bind(column!(cancelled_by))
    .bind(column!(cancellation_reason))
    .bind(column!(late_cancellation))
    .bind(column!(no_show_at))
    .bind(column!(amount_paid_cents))
    .bind(column!(tip_cents))
    .bind(column!(payment_method))
    .bind(column!(rescheduled_count))
    .bind(notes)
    .bind(column!(updated_at))
    .bind(column!(version))
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
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

    async fn apply(
        conn: &mut PgConnection,
        tenant: Uuid,
        id: Uuid,
        seq: i64,
        e: &AppointmentEvent,
    ) {
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
    }
}

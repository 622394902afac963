//! The appointments read model: one row per appointment with its times, status and payment.
//!
//! `AppointmentBooked` inserts the row; every later event updates it and moves its `version` to
//! the event's sequence, guarded by `where version < $sequence` (like customers), so a replay
//! without reset, or an event already reflected, changes nothing. The steps are timestamped with
//! the instant the event carries (`at`); a confirmation carries none, so it is stamped with the
//! time it was recorded.

use events::appointment::{AppointmentEvent, AppointmentStatus as S};
use events::RecordedEvent;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres};
use uuid::Uuid;

use crate::error::ApplyError;
use crate::projection::Projection;

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
        let payload = serde_json::from_value::<AppointmentEvent>(event.payload.clone())?;
        let appointment_id = appointment_id(event)?;
        let Some(update) = change(event, appointment_id, &payload) else {
            return book(conn, event, &payload).await;
        };
        let updated = update.execute(conn).await?;
        if updated.rows_affected() == 0 {
            // the booking was dead-lettered, or this version is already reflected
            tracing::debug!(%appointment_id, sequence = event.sequence, "event changed no row");
        }
        Ok(())
    }

    fn tables(&self) -> &'static [&'static str] {
        &["appointments"]
    }

    async fn reset(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        sqlx::query("delete from appointments")
            .execute(conn)
            .await?;
        Ok(())
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

/// A booking never overwrites: a second booking of the same appointment is a no-op. A walk-in
/// is booked checked in, so it is stamped checked in when booked.
async fn book(
    conn: &mut PgConnection,
    event: &RecordedEvent,
    payload: &AppointmentEvent,
) -> Result<(), ApplyError> {
    let AppointmentEvent::AppointmentBooked {
        appointment_id,
        customer_id,
        staff_id,
        service_id,
        service_name,
        starts_at,
        ends_at,
        blocked_until,
        price_cents,
        currency,
        source,
        status,
        schedule_date,
        booked_by,
        ..
    } = payload
    else {
        return Err(ApplyError::Invalid("not a booking".into()));
    };
    sqlx::query(
        "insert into appointments
             (tenant_id, appointment_id, customer_id, staff_id, service_id, service_name,
              starts_at, ends_at, blocked_until, schedule_date, price_cents, currency, source,
              status, booked_by, booked_at, checked_in_at, updated_at, version)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $16, $18)
         on conflict (tenant_id, appointment_id) do nothing",
    )
    .bind(event.tenant_id)
    .bind(appointment_id)
    .bind(customer_id)
    .bind(staff_id)
    .bind(service_id)
    .bind(service_name)
    .bind(starts_at)
    .bind(ends_at)
    .bind(blocked_until)
    .bind(schedule_date)
    .bind(price_cents)
    .bind(currency)
    .bind(source.as_str())
    .bind(status.as_str())
    .bind(booked_by)
    .bind(event.recorded_at)
    .bind((*status == S::CheckedIn).then_some(event.recorded_at))
    .bind(event.sequence)
    .execute(conn)
    .await?;
    Ok(())
}

/// `update appointments set <the columns an event changes>`, guarded by the version. `$1`–`$4`
/// are the tenant, the appointment, the event's recording time and its sequence; the event's
/// own values start at `$5`.
macro_rules! guarded_update {
    ($set:literal) => {
        concat!(
            "update appointments set updated_at = $3, version = $4, ",
            $set,
            " where tenant_id = $1 and appointment_id = $2 and version < $4"
        )
    };
}

/// The update an event makes to its appointment's row; `None` for the booking, which inserts
/// the row instead.
fn change<'q>(
    event: &RecordedEvent,
    appointment_id: Uuid,
    payload: &'q AppointmentEvent,
) -> Option<Query<'q, Postgres, PgArguments>> {
    let guarded = |sql: &'q str| {
        sqlx::query(sql)
            .bind(event.tenant_id)
            .bind(appointment_id)
            .bind(event.recorded_at)
            .bind(event.sequence)
    };
    use AppointmentEvent as E;
    let update = match payload {
        E::AppointmentBooked { .. } => return None,
        E::AppointmentConfirmed {} => {
            guarded(guarded_update!("status = $5, confirmed_at = $3")).bind(S::Confirmed.as_str())
        }
        E::AppointmentCheckedIn { at } => {
            guarded(guarded_update!("status = $5, checked_in_at = $6"))
                .bind(S::CheckedIn.as_str())
                .bind(at)
        }
        E::AppointmentStarted { at } => guarded(guarded_update!("status = $5, started_at = $6"))
            .bind(S::InService.as_str())
            .bind(at),
        E::AppointmentCompleted {
            at,
            amount_paid_cents,
            tip_cents,
            payment_method,
        } => guarded(guarded_update!(
            "status = $5, completed_at = $6, amount_paid_cents = $7, tip_cents = $8, \
             payment_method = $9"
        ))
        .bind(S::Completed.as_str())
        .bind(at)
        .bind(amount_paid_cents)
        .bind(tip_cents)
        .bind(payment_method.as_str()),
        E::AppointmentCancelled {
            at,
            by,
            reason,
            late,
        } => guarded(guarded_update!(
            "status = $5, cancelled_at = $6, cancelled_by = $7, cancellation_reason = $8, \
             late_cancellation = $9"
        ))
        .bind(S::Cancelled.as_str())
        .bind(at)
        .bind(by)
        .bind(reason)
        .bind(late),
        E::AppointmentMarkedNoShow { at } => {
            guarded(guarded_update!("status = $5, no_show_at = $6"))
                .bind(S::NoShow.as_str())
                .bind(at)
        }
        E::AppointmentServiceChanged {
            service_id,
            service_name,
            ends_at,
            blocked_until,
            price_cents,
            currency,
            ..
        } => guarded(guarded_update!(
            "service_id = $5, service_name = $6, ends_at = $7, blocked_until = $8, \
             price_cents = $9, currency = $10"
        ))
        .bind(service_id)
        .bind(service_name)
        .bind(ends_at)
        .bind(blocked_until)
        .bind(price_cents)
        .bind(currency),
        E::AppointmentCustomerChanged { customer_id, .. } => {
            guarded(guarded_update!("customer_id = $5")).bind(customer_id)
        }
        // the newest note last; the text of an erased customer's note is null
        E::AppointmentNoteAdded {
            note_id,
            by,
            at,
            pii,
            ..
        } => guarded(guarded_update!(
            "notes = notes || jsonb_build_array(jsonb_build_object(\
             'id', $5::uuid, 'by', $6::text, 'at', $7::timestamptz, 'text', nullif($8::text, '')))"
        ))
        .bind(note_id)
        .bind(by)
        .bind(at)
        .bind(&pii.text),
        // the status stays; the appointment moves
        E::AppointmentRescheduled {
            staff_id,
            starts_at,
            ends_at,
            blocked_until,
            schedule_date,
            ..
        } => guarded(guarded_update!(
            "staff_id = $5, starts_at = $6, ends_at = $7, blocked_until = $8, \
             schedule_date = $9, rescheduled_count = rescheduled_count + 1"
        ))
        .bind(staff_id)
        .bind(starts_at)
        .bind(ends_at)
        .bind(blocked_until)
        .bind(schedule_date),
    };
    Some(update)
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
    use events::appointment::{AppointmentSource, PaymentMethod};
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
    }
}

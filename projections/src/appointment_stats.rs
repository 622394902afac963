//! The appointment statistics read model: per business, local day, barber, service, status and
//! currency, how many appointments there are, their minutes and their takings
//! (`appointment_day_stats`). The dashboard and the reports sum a few of these rows instead of
//! scanning appointments.
//!
//! An appointment counts once, on the local day it starts (the event's `schedule_date`), in its
//! current status. Each event that changes what it counts for (a status, a reschedule to another
//! day or barber, another service, a payment) takes its old contribution out and puts the new one
//! in, in one upsert. What it counts for now is kept in `appointment_stats_sources`, the
//! projection's own memory (another projection's table may not have applied the event yet), with
//! the sequence it reflects: a booking never overwrites and a later event applies only over an
//! older version, so an event applied twice counts once even outside the runtime's own guard.
//! A row whose counts fall to zero stays (its key is one of a bounded set: days × barbers ×
//! services × statuses); every reader sums.

use chrono::{DateTime, NaiveDate, Utc};
use events::appointment::{AppointmentEvent, AppointmentStatus as S};
use events::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::ApplyError;
use crate::projection::Projection;

/// Builds `appointment_day_stats` from appointment events.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppointmentStats;

impl AppointmentStats {
    pub const NAME: &'static str = platform::read_models::APPOINTMENT_STATS.name;
    pub const AGGREGATE_TYPES: &'static [&'static str] =
        platform::read_models::APPOINTMENT_STATS.aggregate_types;
}

/// What one appointment counts for: a row of `appointment_stats_sources`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
struct Source {
    local_date: NaiveDate,
    staff_id: Uuid,
    service_id: Uuid,
    status: String,
    late_cancellation: bool,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    currency: String,
    amount_paid_cents: i64,
    tip_cents: i64,
}

impl Source {
    /// What a booking counts for; `None` for any other event.
    fn booked(event: &AppointmentEvent) -> Option<Self> {
        let AppointmentEvent::AppointmentBooked {
            staff_id,
            service_id,
            starts_at,
            ends_at,
            currency,
            status,
            schedule_date,
            ..
        } = event
        else {
            return None;
        };
        Some(Self {
            local_date: *schedule_date,
            staff_id: *staff_id,
            service_id: *service_id,
            status: status.as_str().to_owned(),
            late_cancellation: false,
            starts_at: *starts_at,
            ends_at: *ends_at,
            currency: currency.clone(),
            amount_paid_cents: 0,
            tip_cents: 0,
        })
    }

    /// What the appointment counts for after `event`.
    fn after(&self, event: &AppointmentEvent) -> Self {
        use AppointmentEvent as E;
        let mut next = self.clone();
        let mut status = |s: S| next.status = s.as_str().to_owned();
        match event {
            E::AppointmentConfirmed {} => status(S::Confirmed),
            E::AppointmentCheckedIn { .. } => status(S::CheckedIn),
            E::AppointmentStarted { .. } => status(S::InService),
            E::AppointmentMarkedNoShow { .. } => status(S::NoShow),
            E::AppointmentCompleted {
                amount_paid_cents,
                tip_cents,
                ..
            } => {
                status(S::Completed);
                next.amount_paid_cents = *amount_paid_cents;
                next.tip_cents = *tip_cents;
            }
            E::AppointmentCancelled { late, .. } => {
                status(S::Cancelled);
                next.late_cancellation = *late;
            }
            E::AppointmentRescheduled {
                staff_id,
                starts_at,
                ends_at,
                schedule_date,
                ..
            } => {
                next.staff_id = *staff_id;
                next.starts_at = *starts_at;
                next.ends_at = *ends_at;
                next.local_date = *schedule_date;
            }
            E::AppointmentServiceChanged {
                service_id,
                ends_at,
                currency,
                ..
            } => {
                next.service_id = *service_id;
                next.ends_at = *ends_at;
                next.currency = currency.clone();
            }
            // neither the booking again, nor a note, nor a change of customer counts differently
            E::AppointmentBooked { .. }
            | E::AppointmentNoteAdded { .. }
            | E::AppointmentCustomerChanged { .. } => {}
        }
        next
    }

    fn minutes(&self) -> i64 {
        (self.ends_at - self.starts_at).num_minutes()
    }
}

impl Projection for AppointmentStats {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        Self::AGGREGATE_TYPES
    }

    #[tracing::instrument(
        name = "appointment_stats.apply",
        skip_all,
        fields(appointment_id = %event.aggregate_id, sequence = event.sequence)
    )]
    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ApplyError> {
        let payload = serde_json::from_value::<AppointmentEvent>(event.payload.clone())?;
        let appointment_id = crate::appointments::appointment_id(event)?;
        if let Some(source) = Source::booked(&payload) {
            if insert_source(conn, event, appointment_id, &source).await? {
                count(conn, event.tenant_id, None, Some(&source)).await?;
            }
            return Ok(());
        }
        let Some((old, version)) = current_source(conn, event.tenant_id, appointment_id).await?
        else {
            // the booking was dead-lettered: nothing to count
            tracing::debug!(%appointment_id, sequence = event.sequence, "no booking to count");
            return Ok(());
        };
        if version >= event.sequence {
            return Ok(());
        }
        let new = old.after(&payload);
        update_source(conn, event, appointment_id, &new).await?;
        if new != old {
            count(conn, event.tenant_id, Some(&old), Some(&new)).await?;
        }
        Ok(())
    }

    fn tables(&self) -> &'static [&'static str] {
        &["appointment_day_stats", "appointment_stats_sources"]
    }

    async fn reset(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        sqlx::query("delete from appointment_day_stats")
            .execute(&mut *conn)
            .await?;
        sqlx::query("delete from appointment_stats_sources")
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

const SOURCE_COLUMNS: &str = "local_date, staff_id, service_id, status, late_cancellation, \
    starts_at, ends_at, currency, amount_paid_cents, tip_cents";

type PgQuery<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// `sql` with `$1`–`$3` bound to the tenant, the appointment and the event's sequence, and the
/// source's columns from `$4` in [`SOURCE_COLUMNS`]' order.
fn with_source<'q>(
    sql: &'q str,
    event: &RecordedEvent,
    appointment_id: Uuid,
    source: &'q Source,
) -> PgQuery<'q> {
    sqlx::query(sql)
        .bind(event.tenant_id)
        .bind(appointment_id)
        .bind(event.sequence)
        .bind(source.local_date)
        .bind(source.staff_id)
        .bind(source.service_id)
        .bind(&source.status)
        .bind(source.late_cancellation)
        .bind(source.starts_at)
        .bind(source.ends_at)
        .bind(&source.currency)
        .bind(source.amount_paid_cents)
        .bind(source.tip_cents)
}

/// Records a booking's source; false when the appointment is already known (a redelivery).
async fn insert_source(
    conn: &mut PgConnection,
    event: &RecordedEvent,
    appointment_id: Uuid,
    source: &Source,
) -> Result<bool, ApplyError> {
    let sql = format!(
        "insert into appointment_stats_sources
             (tenant_id, appointment_id, version, {SOURCE_COLUMNS})
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         on conflict (tenant_id, appointment_id) do nothing"
    );
    let inserted = with_source(&sql, event, appointment_id, source)
        .execute(conn)
        .await?;
    Ok(inserted.rows_affected() == 1)
}

/// A source as stored, with the sequence it reflects.
#[derive(sqlx::FromRow)]
struct Stored {
    #[sqlx(flatten)]
    source: Source,
    version: i64,
}

/// The appointment's source and the sequence it reflects, locked; `None` if never booked here.
async fn current_source(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    appointment_id: Uuid,
) -> Result<Option<(Source, i64)>, ApplyError> {
    let stored = sqlx::query_as::<_, Stored>(&format!(
        "select {SOURCE_COLUMNS}, version from appointment_stats_sources
          where tenant_id = $1 and appointment_id = $2 for update"
    ))
    .bind(tenant_id)
    .bind(appointment_id)
    .fetch_optional(conn)
    .await?;
    Ok(stored.map(|s| (s.source, s.version)))
}

/// Moves the appointment's source to `source` at the event's sequence.
async fn update_source(
    conn: &mut PgConnection,
    event: &RecordedEvent,
    appointment_id: Uuid,
    source: &Source,
) -> Result<(), ApplyError> {
    let sql = "update appointment_stats_sources
                  set version = $3, local_date = $4, staff_id = $5, service_id = $6, status = $7,
                      late_cancellation = $8, starts_at = $9, ends_at = $10, currency = $11,
                      amount_paid_cents = $12, tip_cents = $13
                where tenant_id = $1 and appointment_id = $2";
    with_source(sql, event, appointment_id, source)
        .execute(conn)
        .await?;
    Ok(())
}

/// One day-stats row's change: its key and what to add to its counters.
#[derive(Debug, PartialEq, Eq)]
struct Delta<'a> {
    local_date: NaiveDate,
    staff_id: Uuid,
    service_id: Uuid,
    status: &'a str,
    currency: &'a str,
    appointments: i32,
    late_cancellations: i32,
    booked_minutes: i64,
    amount_paid_cents: i64,
    tip_cents: i64,
}

impl<'a> Delta<'a> {
    /// `source`'s contribution, added (`sign` 1) or taken out (`sign` -1).
    fn of(source: &'a Source, sign: i32) -> Self {
        Self {
            local_date: source.local_date,
            staff_id: source.staff_id,
            service_id: source.service_id,
            status: &source.status,
            currency: &source.currency,
            appointments: sign,
            late_cancellations: sign * i32::from(source.late_cancellation),
            booked_minutes: i64::from(sign) * source.minutes(),
            amount_paid_cents: i64::from(sign) * source.amount_paid_cents,
            tip_cents: i64::from(sign) * source.tip_cents,
        }
    }

    fn same_key(&self, other: &Self) -> bool {
        (
            self.local_date,
            self.staff_id,
            self.service_id,
            self.status,
            self.currency,
        ) == (
            other.local_date,
            other.staff_id,
            other.service_id,
            other.status,
            other.currency,
        )
    }

    /// Both changes of one row as one (an upsert may not touch a row twice).
    fn plus(mut self, other: &Self) -> Self {
        self.appointments += other.appointments;
        self.late_cancellations += other.late_cancellations;
        self.booked_minutes += other.booked_minutes;
        self.amount_paid_cents += other.amount_paid_cents;
        self.tip_cents += other.tip_cents;
        self
    }
}

/// Takes `old`'s contribution out of the day stats and puts `new`'s in, in one statement.
async fn count(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    old: Option<&Source>,
    new: Option<&Source>,
) -> Result<(), ApplyError> {
    let mut deltas: Vec<Delta<'_>> = Vec::with_capacity(2);
    for delta in old
        .map(|s| Delta::of(s, -1))
        .into_iter()
        .chain(new.map(|s| Delta::of(s, 1)))
    {
        match deltas.iter().position(|d| d.same_key(&delta)) {
            Some(i) => {
                let merged = deltas.remove(i).plus(&delta);
                deltas.push(merged);
            }
            None => deltas.push(delta),
        }
    }
    let mut sql = sqlx::QueryBuilder::<sqlx::Postgres>::new(
        "insert into appointment_day_stats as s
             (tenant_id, local_date, staff_id, service_id, status, currency, appointments,
              late_cancellations, booked_minutes, amount_paid_cents, tip_cents) ",
    );
    sql.push_values(&deltas, |mut row, d| {
        row.push_bind(tenant_id)
            .push_bind(d.local_date)
            .push_bind(d.staff_id)
            .push_bind(d.service_id)
            .push_bind(d.status)
            .push_bind(d.currency)
            .push_bind(d.appointments)
            .push_bind(d.late_cancellations)
            .push_bind(d.booked_minutes)
            .push_bind(d.amount_paid_cents)
            .push_bind(d.tip_cents);
    });
    sql.push(
        " on conflict (tenant_id, local_date, staff_id, service_id, status, currency)
          do update set appointments = s.appointments + excluded.appointments,
                        late_cancellations = s.late_cancellations + excluded.late_cancellations,
                        booked_minutes = s.booked_minutes + excluded.booked_minutes,
                        amount_paid_cents = s.amount_paid_cents + excluded.amount_paid_cents,
                        tip_cents = s.tip_cents + excluded.tip_cents",
    );
    sql.build().execute(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests;

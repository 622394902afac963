//! The appointment statistics read model: per business, local day, barber, service, status and
//! currency, how many appointments there are, their minutes and their takings
//! (`appointment_day_stats`). The dashboard and the reports sum a few of these rows instead of
//! scanning appointments.
//!
//! An appointment counts once, on the local day it starts (the event's `schedule_date`), in its
//! current status. Each event that changes what it counts for (a status, a reschedule to another
//! day or barber, another service, a payment) takes its old contribution out and puts the new one
//! in; a batch sums the changes per row and writes them in one upsert. What it counts for now is kept in `appointment_stats_sources`, the
//! projection's own memory (another projection's table may not have applied the event yet), with
//! the sequence it reflects: a booking never overwrites and a later event applies only over an
//! older version, so an event applied twice counts once even outside the runtime's own guard.
//! A row whose counts fall to zero stays (its key is one of a bounded set: days × barbers ×
//! services × statuses); every reader sums.

use std::collections::{HashMap, HashSet};

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
            // neither the booking again, nor a note, nor a change of customer, nor a message to
            // the customer counts differently
            E::AppointmentBooked { .. }
            | E::AppointmentNoteAdded { .. }
            | E::AppointmentCustomerChanged { .. }
            | E::CustomerNotified { .. } => {}
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
        self.apply_many(conn, &[event]).await
    }

    /// The sources of the batch's appointments loaded once, every event folded into them in
    /// memory with its change to the day stats summed per row, then the changed sources and the
    /// summed changes stored in one statement each.
    #[tracing::instrument(name = "appointment_stats.apply_many", skip_all, fields(events = events.len()))]
    async fn apply_many(
        &self,
        conn: &mut PgConnection,
        events: &[&RecordedEvent],
    ) -> Result<(), ApplyError> {
        let applied = crate::appointments::read_batch(events)?;
        let keys: Vec<(Uuid, Uuid)> = applied
            .iter()
            .map(|(event, id, _)| (event.tenant_id, *id))
            .collect();
        let mut sources = load_sources(&mut *conn, &keys).await?;
        let (mut changed, mut seen) = (Vec::new(), HashSet::new());
        let mut deltas = Deltas::default();
        for (event, appointment_id, payload) in &applied {
            let key = (event.tenant_id, *appointment_id);
            let next = match (sources.get(&key), Source::booked(payload)) {
                (None, Some(booked)) => {
                    deltas.add(event.tenant_id, &booked, 1);
                    booked
                }
                (None, None) => {
                    // the booking was dead-lettered: nothing to count
                    tracing::debug!(%appointment_id, sequence = event.sequence, "no booking to count");
                    continue;
                }
                // an event the source reflects counts once, and a booking never overwrites
                (Some((_, version)), _) if *version >= event.sequence => continue,
                (Some(_), Some(_)) => continue,
                (Some((old, _)), None) => {
                    let new = old.after(payload);
                    if new != *old {
                        deltas.add(event.tenant_id, old, -1);
                        deltas.add(event.tenant_id, &new, 1);
                    }
                    new
                }
            };
            sources.insert(key, (next, event.sequence));
            if seen.insert(key) {
                changed.push(key);
            }
        }
        store_sources(&mut *conn, &changed, &sources).await?;
        deltas.store(conn).await
    }

    fn tables(&self) -> &'static [&'static str] {
        &["appointment_day_stats", "appointment_stats_sources"]
    }
}

/// An appointment as `(tenant, appointment)`.
type Key = (Uuid, Uuid);

/// A source as stored, with the sequence it reflects.
#[derive(sqlx::FromRow)]
struct Stored {
    tenant_id: Uuid,
    appointment_id: Uuid,
    #[sqlx(flatten)]
    source: Source,
    version: i64,
}

const SOURCE_COLUMNS: &str = "local_date, staff_id, service_id, status, late_cancellation, \
    starts_at, ends_at, currency, amount_paid_cents, tip_cents";

/// The sources of these appointments that exist, with the sequence each reflects, locked.
async fn load_sources(
    conn: &mut PgConnection,
    keys: &[Key],
) -> Result<HashMap<Key, (Source, i64)>, ApplyError> {
    let (tenants, ids): (Vec<Uuid>, Vec<Uuid>) = keys.iter().copied().unzip();
    let stored = sqlx::query_as::<_, Stored>(&format!(
        "select tenant_id, appointment_id, {SOURCE_COLUMNS}, version
           from appointment_stats_sources
          where (tenant_id, appointment_id) in (select * from unnest($1::uuid[], $2::uuid[]))
            for update"
    ))
    .bind(&tenants)
    .bind(&ids)
    .fetch_all(conn)
    .await?;
    Ok(stored
        .into_iter()
        .map(|s| ((s.tenant_id, s.appointment_id), (s.source, s.version)))
        .collect())
}

/// Writes the `changed` sources in one statement, each never back to an older version.
async fn store_sources(
    conn: &mut PgConnection,
    changed: &[Key],
    sources: &HashMap<Key, (Source, i64)>,
) -> Result<(), ApplyError> {
    let rows: Vec<(&Key, &Source, i64)> = changed
        .iter()
        .filter_map(|key| sources.get(key).map(|(s, v)| (key, s, *v)))
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    macro_rules! column {
        ($get:expr) => {
            rows.iter().map($get).collect::<Vec<_>>()
        };
    }
    sqlx::query(&format!(
        "insert into appointment_stats_sources
             (tenant_id, appointment_id, version, {SOURCE_COLUMNS})
         select * from unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::date[], $5::uuid[],
                              $6::uuid[], $7::text[], $8::bool[], $9::timestamptz[],
                              $10::timestamptz[], $11::text[], $12::bigint[], $13::bigint[])
         on conflict (tenant_id, appointment_id) do update
            set version = excluded.version, local_date = excluded.local_date,
                staff_id = excluded.staff_id, service_id = excluded.service_id,
                status = excluded.status, late_cancellation = excluded.late_cancellation,
                starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                currency = excluded.currency, amount_paid_cents = excluded.amount_paid_cents,
                tip_cents = excluded.tip_cents
          where appointment_stats_sources.version < excluded.version"
    ))
    .bind(column!(|(k, _, _)| k.0))
    .bind(column!(|(k, _, _)| k.1))
    .bind(column!(|(_, _, v)| *v))
    .bind(column!(|(_, s, _)| s.local_date))
    .bind(column!(|(_, s, _)| s.staff_id))
    .bind(column!(|(_, s, _)| s.service_id))
    .bind(column!(|(_, s, _)| s.status.clone()))
    .bind(column!(|(_, s, _)| s.late_cancellation))
    .bind(column!(|(_, s, _)| s.starts_at))
    .bind(column!(|(_, s, _)| s.ends_at))
    .bind(column!(|(_, s, _)| s.currency.clone()))
    .bind(column!(|(_, s, _)| s.amount_paid_cents))
    .bind(column!(|(_, s, _)| s.tip_cents))
    .execute(conn)
    .await?;
    Ok(())
}

/// A day-stats row: `(tenant, local date, barber, service, status, currency)`.
type RowKey = (Uuid, NaiveDate, Uuid, Uuid, String, String);

/// What to add to a day-stats row's counters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    appointments: i32,
    late_cancellations: i32,
    booked_minutes: i64,
    amount_paid_cents: i64,
    tip_cents: i64,
}

/// The changes of a batch to the day stats, summed per row. A row touched keeps its entry even
/// when its changes add up to nothing, so the rows are the same however events are batched.
#[derive(Default)]
struct Deltas {
    rows: HashMap<RowKey, Counts>,
}

impl Deltas {
    /// Adds `source`'s contribution (`sign` 1) or takes it out (`sign` -1).
    fn add(&mut self, tenant_id: Uuid, source: &Source, sign: i32) {
        let key = (
            tenant_id,
            source.local_date,
            source.staff_id,
            source.service_id,
            source.status.clone(),
            source.currency.clone(),
        );
        let counts = self.rows.entry(key).or_default();
        counts.appointments += sign;
        counts.late_cancellations += sign * i32::from(source.late_cancellation);
        counts.booked_minutes += i64::from(sign) * source.minutes();
        counts.amount_paid_cents += i64::from(sign) * source.amount_paid_cents;
        counts.tip_cents += i64::from(sign) * source.tip_cents;
    }

    /// Adds every row's changes in one upsert.
    async fn store(self, conn: &mut PgConnection) -> Result<(), ApplyError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows: Vec<(RowKey, Counts)> = self.rows.into_iter().collect();
        macro_rules! column {
            ($get:expr) => {
                rows.iter().map($get).collect::<Vec<_>>()
            };
        }
        sqlx::query(
            "insert into appointment_day_stats as s
                 (tenant_id, local_date, staff_id, service_id, status, currency, appointments,
                  late_cancellations, booked_minutes, amount_paid_cents, tip_cents)
             select * from unnest($1::uuid[], $2::date[], $3::uuid[], $4::uuid[], $5::text[],
                                  $6::text[], $7::int[], $8::int[], $9::bigint[], $10::bigint[],
                                  $11::bigint[])
             on conflict (tenant_id, local_date, staff_id, service_id, status, currency)
             do update set appointments = s.appointments + excluded.appointments,
                           late_cancellations = s.late_cancellations + excluded.late_cancellations,
                           booked_minutes = s.booked_minutes + excluded.booked_minutes,
                           amount_paid_cents = s.amount_paid_cents + excluded.amount_paid_cents,
                           tip_cents = s.tip_cents + excluded.tip_cents",
        )
        .bind(column!(|(k, _)| k.0))
        .bind(column!(|(k, _)| k.1))
        .bind(column!(|(k, _)| k.2))
        .bind(column!(|(k, _)| k.3))
        .bind(column!(|(k, _)| k.4.clone()))
        .bind(column!(|(k, _)| k.5.clone()))
        .bind(column!(|(_, c)| c.appointments))
        .bind(column!(|(_, c)| c.late_cancellations))
        .bind(column!(|(_, c)| c.booked_minutes))
        .bind(column!(|(_, c)| c.amount_paid_cents))
        .bind(column!(|(_, c)| c.tip_cents))
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;

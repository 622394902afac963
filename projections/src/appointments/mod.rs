//! The appointments read model: one row per appointment with its times, status and payment.
//!
//! Set-based: a batch of events loads the rows of the appointments it touches in one
//! statement, folds each event into its row in memory ([`row::fold`]: a booking makes the row,
//! every later event changes it and moves its `version` to the event's sequence, and an event
//! the row already reflects changes nothing), and stores every changed row in one statement.
//! A rebuild's bulk, whose appointments have no row yet, reads none and inserts plainly.
//! The steps are timestamped with the instant the event carries (`at`); a confirmation carries
//! none, so it is stamped with the time it was recorded.

mod row;
mod table;

use std::collections::{HashMap, HashSet};

use events::appointment::AppointmentEvent;
use events::RecordedEvent;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::ApplyError;
use crate::projection::Projection;
use row::{Applied, AppointmentRow};
use table::{copy_new, load, store};

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
        let rows = load(&mut *conn, &keys).await?;
        let changed = fold_all(&applied, rows);
        store(conn, &changed).await
    }

    #[tracing::instrument(name = "appointments.apply_new", skip_all, fields(events = events.len()))]
    async fn apply_new(
        &self,
        conn: &mut PgConnection,
        events: &[&RecordedEvent],
    ) -> Result<(), ApplyError> {
        // no row of these appointments exists: none to read, none to write over
        let rows = fold_all(&read_batch(events)?, HashMap::new());
        copy_new(conn, &rows).await
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

/// Folds each event into the row of its appointment (`rows`: those that exist), in order; the
/// rows changed, in the order first changed.
fn fold_all(
    applied: &[(&RecordedEvent, Uuid, AppointmentEvent)],
    mut rows: HashMap<(Uuid, Uuid), AppointmentRow>,
) -> Vec<AppointmentRow> {
    let (mut changed, mut seen) = (Vec::new(), HashSet::new());
    for (event, appointment_id, payload) in applied {
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
    changed.iter().filter_map(|key| rows.remove(key)).collect()
}

#[cfg(test)]
pub(crate) mod tests;

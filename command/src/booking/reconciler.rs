//! Releases slots whose booking never finished. A booking lists its reservation in
//! `pending_reservations` before reserving and removes it once the appointment is recorded; a
//! row older than [`GRACE`] belongs to a booking that died between the two steps. If its
//! appointment was recorded after all, the row is only removed; otherwise the slot is released.

use std::time::Duration;

use events::EventMetadata;
use platform::shutdown::Shutdown;
use sqlx::PgPool;
use uuid::Uuid;

use super::BookingError;
use crate::appointment::Appointment;
use crate::schedule::{Schedule, ScheduleCommand};
use crate::store::EventStore;

/// How long a booking may take between reserving and booking before it counts as abandoned.
pub const GRACE: Duration = Duration::from_secs(30);
const EVERY: Duration = Duration::from_secs(10);

impl From<sqlx::Error> for BookingError {
    fn from(err: sqlx::Error) -> Self {
        Self::Store(Box::new(err))
    }
}

pub(super) async fn remember(
    pool: &PgPool,
    reservation_id: Uuid,
    schedule_id: &str,
    tenant_id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into pending_reservations (reservation_id, schedule_id, tenant_id) values ($1, $2, $3)",
    )
    .bind(reservation_id)
    .bind(schedule_id)
    .bind(tenant_id)
    .execute(pool)
    .await?;
    Ok(())
}

pub(super) async fn forget(pool: &PgPool, reservation_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("delete from pending_reservations where reservation_id = $1")
        .bind(reservation_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Runs [`reconcile`] every few seconds until shutdown.
pub async fn run(store: EventStore, mut shutdown: Shutdown) {
    loop {
        if let Err(err) = reconcile(&store, GRACE).await {
            tracing::warn!(error = %err, "reconciling reservations failed; will retry");
        }
        tokio::select! {
            () = tokio::time::sleep(EVERY) => {}
            () = shutdown.wait() => return,
        }
    }
}

/// Settles every pending reservation older than `grace`; returns how many slots it released.
#[tracing::instrument(skip(store))]
pub async fn reconcile(store: &EventStore, grace: Duration) -> Result<usize, BookingError> {
    let abandoned: Vec<(Uuid, String, Uuid)> = sqlx::query_as(
        "select reservation_id, schedule_id, tenant_id from pending_reservations
          where created_at < now() - make_interval(secs => $1)
          order by created_at limit 100",
    )
    .bind(grace.as_secs_f64())
    .fetch_all(store.pool())
    .await?;
    let mut released = 0;
    for (reservation_id, schedule, tenant_id) in abandoned {
        let appointment: Appointment = store
            .load(&reservation_id.to_string())
            .await
            .map_err(|e| BookingError::Store(e.to_string().into()))?;
        if !appointment.exists() {
            let metadata = EventMetadata {
                tenant_id,
                actor: "system".into(),
                correlation_id: format!("reconcile:{reservation_id}"),
                causation_id: reservation_id.to_string(),
                command_id: Uuid::new_v4(),
            };
            let command = ScheduleCommand::Release {
                reservation_id,
                tenant_id,
            };
            store
                .execute::<Schedule>(&schedule, command, &metadata)
                .await?;
            released += 1;
            tracing::info!(%reservation_id, schedule, "released an abandoned reservation");
        }
        forget(store.pool(), reservation_id).await?;
    }
    Ok(released)
}

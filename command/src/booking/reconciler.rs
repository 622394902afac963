//! Releases slots whose booking step never finished. Each step lists the reservation it is about
//! to make or give back in `pending_reservations` and removes the row when done; a row older
//! than [`GRACE`] belongs to a step that died half-way. The slot is kept if its owner still holds
//! it (the current slot of a live appointment, or a time off still on the staff member's
//! record) and released otherwise.

use std::time::Duration;

use events::appointment::AppointmentStatus;
use events::EventMetadata;
use platform::shutdown::Shutdown;
use sqlx::PgPool;
use uuid::Uuid;

use super::BookingError;
use crate::appointment::Appointment;
use crate::schedule::{Schedule, ScheduleCommand};
use crate::staff::StaffMember;
use crate::store::append::insert_events;
use crate::store::EventStore;

/// How long a step may take between reserving and recording before it counts as abandoned.
pub const GRACE: Duration = Duration::from_secs(30);
const EVERY: Duration = Duration::from_secs(10);

/// Whose reservation a pending row is.
#[derive(Debug, Clone, Copy)]
pub enum Owner {
    Appointment(Uuid),
    TimeOff(Uuid),
}

impl Owner {
    fn kind(self) -> &'static str {
        match self {
            Self::Appointment(_) => "appointment",
            Self::TimeOff(_) => "time_off",
        }
    }

    fn id(self) -> Uuid {
        match self {
            Self::Appointment(id) | Self::TimeOff(id) => id,
        }
    }
}

/// A change to `pending_reservations`: made in the same statement as a command's events when
/// given to [`crate::store::Recording`], so that the reservation and its pending row are recorded
/// together or not at all.
#[derive(Debug, Clone)]
pub enum PendingChange {
    /// List a reservation about to be made or given back.
    Remember {
        reservation_id: Uuid,
        owner: Owner,
        schedule_id: String,
        tenant_id: Uuid,
    },
    /// The step that listed the reservation is done.
    Forget { reservation_id: Uuid },
}

type Scalar<'q> = sqlx::query::QueryScalar<'q, sqlx::Postgres, i64, sqlx::postgres::PgArguments>;

impl PendingChange {
    const REMEMBER: &str = "insert into pending_reservations
             (reservation_id, owner_kind, owner_id, schedule_id, tenant_id)
         values ($1, $2, $3, $4, $5) on conflict (reservation_id) do nothing";
    const FORGET: &str = "delete from pending_reservations where reservation_id = $1";

    /// The statement that appends events (`$1..$7`, see `insert_events!`) and makes this change
    /// (`$8..`).
    pub(crate) fn with_events(&self) -> &'static str {
        match self {
            Self::Remember { .. } => concat!(
                "with appended as (",
                insert_events!(),
                "), pending as (insert into pending_reservations
                     (reservation_id, owner_kind, owner_id, schedule_id, tenant_id)
                   values ($8, $9, $10, $11, $12) on conflict (reservation_id) do nothing)
                 select global_position from appended"
            ),
            Self::Forget { .. } => concat!(
                "with appended as (",
                insert_events!(),
                "), pending as (delete from pending_reservations where reservation_id = $8)
                 select global_position from appended"
            ),
        }
    }

    /// Binds this change's values after those already bound.
    pub(crate) fn bind<'q>(&'q self, query: Scalar<'q>) -> Scalar<'q> {
        match self {
            Self::Remember {
                reservation_id,
                owner,
                schedule_id,
                tenant_id,
            } => query
                .bind(reservation_id)
                .bind(owner.kind())
                .bind(owner.id())
                .bind(schedule_id.as_str())
                .bind(tenant_id),
            Self::Forget { reservation_id } => query.bind(reservation_id),
        }
    }

    /// Makes the change on its own.
    pub(crate) async fn make(&self, pool: &PgPool) -> Result<(), sqlx::Error> {
        let statement = match self {
            Self::Remember { .. } => Self::REMEMBER,
            Self::Forget { .. } => Self::FORGET,
        };
        self.bind(sqlx::query_scalar(statement))
            .fetch_optional(pool)
            .await?;
        Ok(())
    }
}

pub(super) async fn remember(
    pool: &PgPool,
    reservation_id: Uuid,
    owner: Owner,
    schedule_id: &str,
    tenant_id: Uuid,
) -> Result<(), sqlx::Error> {
    PendingChange::Remember {
        reservation_id,
        owner,
        schedule_id: schedule_id.to_owned(),
        tenant_id,
    }
    .make(pool)
    .await
}

pub(super) async fn forget(pool: &PgPool, reservation_id: Uuid) -> Result<(), sqlx::Error> {
    PendingChange::Forget { reservation_id }.make(pool).await
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

/// A pending row.
#[derive(sqlx::FromRow)]
struct Pending {
    reservation_id: Uuid,
    owner_kind: String,
    owner_id: Uuid,
    schedule_id: String,
    tenant_id: Uuid,
}

/// Settles every pending reservation older than `grace`; returns how many slots it released.
#[tracing::instrument(skip(store))]
pub async fn reconcile(store: &EventStore, grace: Duration) -> Result<usize, BookingError> {
    let abandoned: Vec<Pending> = sqlx::query_as(
        "select reservation_id, owner_kind, owner_id, schedule_id, tenant_id
           from pending_reservations
          where created_at < now() - make_interval(secs => $1)
          order by created_at limit 100",
    )
    .bind(grace.as_secs_f64())
    .fetch_all(store.pool())
    .await?;
    let mut released = 0;
    for row in abandoned {
        if !still_held(store, &row).await? {
            let metadata = EventMetadata::for_command(
                row.tenant_id,
                "system",
                format!("reconcile:{}", row.reservation_id),
            );
            let command = ScheduleCommand::Release {
                reservation_id: row.reservation_id,
                tenant_id: row.tenant_id,
            };
            store
                .execute::<Schedule>(&row.schedule_id, command, &metadata)
                .await?;
            released += 1;
            tracing::info!(reservation_id = %row.reservation_id, schedule = row.schedule_id,
                "released an abandoned reservation");
        }
        forget(store.pool(), row.reservation_id).await?;
    }
    Ok(released)
}

/// Whether the row's owner still holds the reservation.
async fn still_held(store: &EventStore, row: &Pending) -> Result<bool, BookingError> {
    if row.owner_kind == "time_off" {
        let Some(staff_id) = row.schedule_id.split(':').next() else {
            return Ok(false);
        };
        let staff: StaffMember = store.load(staff_id).await?;
        return Ok(staff.time_off().iter().any(|t| t.id == row.owner_id));
    }
    let appointment: Appointment = store.load(&row.owner_id.to_string()).await?;
    Ok(appointment.reservation_id() == Some(row.reservation_id)
        && !matches!(
            appointment.status(),
            Some(AppointmentStatus::Cancelled | AppointmentStatus::NoShow)
        ))
}

//! Booking: the steps that keep two customers out of one chair.
//!
//! 1. The facts are read from the aggregates that own them (business, service, barber,
//!    customer) and checked, with the booking window of the business's policy.
//! 2. The slot `[start, end + buffer)` is reserved on the barber's [`Schedule`] for that local
//!    day, and the [`Appointment`] is booked, in one statement
//!    ([`EventStore::record_together`]). Every booking of that barber that day goes through
//!    that one Schedule, so of two racing requests for overlapping slots the event store lets
//!    exactly one append; the other is re-decided on fresh state and refused (`slot_taken`).
//!    There is no moment in which the reservation exists without its appointment.
//!
//! Steps that touch several schedules one after the other (a move to another day, a time off,
//! giving a slot back) list each reservation in `pending_reservations` in the same statement
//! that makes it; should the step die half-way, the [`reconciler`] settles it.

mod facts;
pub mod reconciler;
mod reschedule;
mod time_off;
mod timezone;

pub use reschedule::{reschedule, RescheduleRequest};
pub use time_off::{add_time_off, remove_time_off, TimeOffRequest};
pub use timezone::has_reservations_ahead;

use chrono::{DateTime, Utc};
use events::appointment::AppointmentSource;
use events::schedule::ReservationKind;
use events::EventMetadata;
use uuid::Uuid;

use crate::appointment::{Appointment, AppointmentCommand, AppointmentError};
use crate::schedule::{day, schedule_id, Schedule, ScheduleCommand, ScheduleError};
use crate::store::{CommandError, Committed, EventStore, Part, Recording, TogetherError};
use reconciler::{Owner, PendingChange};

/// A request to book.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub staff_id: Uuid,
    pub service_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub source: AppointmentSource,
}

/// Why a booking was not made.
#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error("the business does not exist")]
    BusinessNotFound,
    #[error("the service does not exist or is retired")]
    ServiceNotFound,
    #[error("the staff member does not exist")]
    StaffNotFound,
    #[error("the staff member is not active")]
    StaffInactive,
    #[error("the staff member does not offer this service")]
    ServiceNotOffered,
    #[error("the customer does not exist")]
    CustomerNotFound,
    #[error("the start time is in the past")]
    InThePast,
    #[error("bookings close {0} minutes before the start")]
    InsideLeadTime(u32),
    #[error("bookings open at most {0} days ahead")]
    BeyondHorizon(u32),
    #[error("a walk-in starts now (within 15 minutes)")]
    WalkInNotNow,
    #[error("the business is closed then: the slot lies outside its opening hours")]
    OutsideOpeningHours,
    #[error(transparent)]
    Schedule(ScheduleError),
    #[error(transparent)]
    Appointment(AppointmentError),
    #[error(transparent)]
    Staff(crate::staff::StaffError),
    #[error("the barber's day kept changing while booking; retry")]
    Conflict,
    #[error("the booking could not be recorded: {0}")]
    Store(Box<dyn std::error::Error + Send + Sync>),
}

impl From<sqlx::Error> for BookingError {
    fn from(err: sqlx::Error) -> Self {
        Self::Store(Box::new(err))
    }
}

impl From<cqrs_es::persist::PersistenceError> for BookingError {
    fn from(err: cqrs_es::persist::PersistenceError) -> Self {
        Self::Store(Box::new(err))
    }
}

/// A failure to read another aggregate's facts: never the client's fault.
fn store_error<E: std::error::Error>(err: CommandError<E>) -> BookingError {
    match err {
        CommandError::Store(e) => BookingError::Store(e),
        other => BookingError::Store(other.to_string().into()),
    }
}

impl From<CommandError<ScheduleError>> for BookingError {
    fn from(err: CommandError<ScheduleError>) -> Self {
        match err {
            CommandError::Refused(e) => Self::Schedule(e),
            CommandError::Conflict => Self::Conflict,
            CommandError::Store(e) => Self::Store(e),
        }
    }
}

impl From<CommandError<crate::staff::StaffError>> for BookingError {
    fn from(err: CommandError<crate::staff::StaffError>) -> Self {
        match err {
            CommandError::Refused(e) => Self::Staff(e),
            CommandError::Conflict => Self::Conflict,
            CommandError::Store(e) => Self::Store(e),
        }
    }
}

impl From<CommandError<AppointmentError>> for BookingError {
    fn from(err: CommandError<AppointmentError>) -> Self {
        match err {
            CommandError::Refused(e) => Self::Appointment(e),
            CommandError::Conflict => Self::Conflict,
            CommandError::Store(e) => Self::Store(e),
        }
    }
}

/// Books an appointment under a fresh id; see the module header for the steps.
#[tracing::instrument(skip(store, request, metadata), fields(staff_id = %request.staff_id))]
pub async fn book(
    store: &EventStore,
    request: BookingRequest,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<(Uuid, Committed), BookingError> {
    let BookingRequest {
        tenant_id,
        customer_id,
        staff_id,
        service_id,
        starts_at,
        source,
    } = request;
    let facts = facts::gather(
        store,
        tenant_id,
        Some(customer_id),
        staff_id,
        service_id,
        Some(starts_at),
    )
    .await?;
    let walk_in = source == AppointmentSource::WalkIn;
    facts::check_window(&facts.policy, starts_at, now, walk_in)?;
    let ends_at = starts_at + facts.duration;
    let blocked_until = ends_at + facts.buffer;
    let date = day::local_date_of(facts.timezone, starts_at);
    let open = facts.open_intervals(date);
    if facts.outside_opening_hours(date, starts_at, blocked_until) {
        return Err(BookingError::OutsideOpeningHours);
    }

    let appointment_id = Uuid::new_v4();
    let schedule = schedule_id(staff_id, date);
    let reserve = ScheduleCommand::Reserve {
        reservation_id: appointment_id,
        tenant_id,
        staff_id,
        date,
        tz: facts.timezone,
        kind: ReservationKind::Appointment,
        starts_at,
        ends_at,
        blocked_until,
        open,
    };
    let book = AppointmentCommand::Book {
        appointment_id,
        tenant_id,
        customer_id,
        staff_id,
        service_id,
        service_name: facts.service_name.clone(),
        starts_at,
        ends_at,
        blocked_until,
        price_cents: facts.price_cents,
        currency: facts.currency.clone(),
        source,
        schedule_date: date,
        booked_by: metadata.actor.clone(),
        now,
    };
    let appointment = appointment_id.to_string();
    let committed = store
        .record_together::<Schedule, Appointment>(
            Part {
                id: &schedule,
                command: reserve,
                new_record: false,
                known: facts.day,
            },
            Part {
                id: &appointment,
                command: book,
                new_record: true,
                known: None,
            },
            metadata,
        )
        .await
        .map_err(|err| match err {
            TogetherError::First(e) => BookingError::Schedule(e),
            TogetherError::Second(e) => BookingError::Appointment(e),
            TogetherError::Conflict => BookingError::Conflict,
            TogetherError::Store(e) => BookingError::Store(e),
        })?;
    Ok((appointment_id, committed))
}

/// A reservation about to be made, and whose it is.
struct Pending<'a> {
    schedule: &'a str,
    reservation_id: Uuid,
    owner: Owner,
    tenant_id: Uuid,
}

/// Makes the reservation and lists it as pending in one statement: a refused reservation
/// leaves nothing behind. The caller removes the pending row once the owner has recorded its
/// side.
async fn hold(
    store: &EventStore,
    pending: Pending<'_>,
    command: ScheduleCommand,
    metadata: &EventMetadata,
) -> Result<(), BookingError> {
    let Pending {
        schedule,
        reservation_id,
        owner,
        tenant_id,
    } = pending;
    let remember = PendingChange::Remember {
        reservation_id,
        owner,
        schedule_id: schedule.to_owned(),
        tenant_id,
    };
    let recording = Recording {
        new_record: false,
        pending: Some(&remember),
    };
    store
        .record::<Schedule>(schedule, command, metadata, recording)
        .await?;
    Ok(())
}

/// Gives a reservation back; on failure it stays pending and the reconciler releases it.
async fn release(
    store: &EventStore,
    schedule: &str,
    reservation_id: Uuid,
    tenant_id: Uuid,
    metadata: &EventMetadata,
) {
    let command = ScheduleCommand::Release {
        reservation_id,
        tenant_id,
    };
    let done = PendingChange::Forget { reservation_id };
    let recording = Recording {
        new_record: false,
        pending: Some(&done),
    };
    if let Err(err) = store
        .record::<Schedule>(schedule, command, metadata, recording)
        .await
    {
        tracing::warn!(error = %err, %reservation_id, "cannot release; the reconciler will");
    }
}

/// Gives an appointment's slot back to the barber's day (after a cancellation or a no-show), so
/// that it can be booked again. Releasing twice records nothing; a release that fails half-way is
/// finished by the reconciler.
pub async fn free_slot(
    store: &EventStore,
    appointment_id: Uuid,
    tenant_id: Uuid,
    metadata: &EventMetadata,
) -> Result<(), BookingError> {
    let appointment: Appointment = store.load(&appointment_id.to_string()).await?;
    let (Some(staff_id), Some(date), Some(reservation_id)) = (
        appointment.staff_id(),
        appointment.schedule_date(),
        appointment.reservation_id(),
    ) else {
        return Ok(());
    };
    let schedule = schedule_id(staff_id, date);
    reconciler::remember(
        store.pool(),
        reservation_id,
        Owner::Appointment(appointment_id),
        &schedule,
        tenant_id,
    )
    .await?;
    release(store, &schedule, reservation_id, tenant_id, metadata).await;
    Ok(())
}

//! Cancelling an appointment, or recording that the customer did not come: the appointment ends,
//! its barber's day gives the slot back and its customer's day the time, in one decision, so the slot is free the moment the
//! cancellation is on record and never before.

use chrono::{DateTime, Utc};
use domain::appointment::{Appointment, AppointmentCommand};
use domain::business::Business;
use domain::customer_day::{CustomerDay, CustomerDayCommand, CustomerDayId};
use domain::schedule::{Schedule, ScheduleCommand};
use events::appointment::AppointmentStatus;
use events::EventMetadata;
use uuid::Uuid;

use super::{retrying, BookingError, Scope};
use crate::store::{Committed, EventStore};

/// A cancellation.
#[derive(Debug, Clone)]
pub struct CancelRequest {
    pub tenant_id: Uuid,
    pub appointment_id: Uuid,
    /// A user id, or `customer` through a booking link.
    pub by: String,
    pub reason: Option<String>,
}

/// Cancels an appointment (late when inside the business's cancellation window) and frees its
/// slot. Cancelling again records nothing.
#[tracing::instrument(skip(store, request, metadata), fields(appointment_id = %request.appointment_id))]
pub async fn cancel(
    store: &EventStore,
    request: CancelRequest,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    let CancelRequest {
        tenant_id,
        appointment_id,
        ..
    } = request;
    retrying(|| {
        end_and_free(store, tenant_id, appointment_id, metadata, |business| {
            AppointmentCommand::Cancel {
                tenant_id,
                now,
                by: request.by.clone(),
                reason: request.reason.clone(),
                cancellation_window_minutes: business.policy().cancellation_window_minutes,
            }
        })
    })
    .await
}

/// Records that the customer did not come (only after the start) and frees the slot.
#[tracing::instrument(skip(store, metadata))]
pub async fn mark_no_show(
    store: &EventStore,
    scope: Scope,
    appointment_id: Uuid,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    let tenant_id = scope.tenant_id;
    retrying(|| {
        end_and_free(store, tenant_id, appointment_id, metadata, |_| {
            scope.limit(AppointmentCommand::MarkNoShow { tenant_id, now })
        })
    })
    .await
}

/// Lets the appointment decide `command`; if it no longer holds its chair afterwards, its day
/// releases the slot in the same decision (also when the command repeats an end already on
/// record, so a slot is never left held by a cancelled appointment).
async fn end_and_free(
    store: &EventStore,
    tenant_id: Uuid,
    appointment_id: Uuid,
    metadata: &EventMetadata,
    command: impl FnOnce(&Business) -> AppointmentCommand,
) -> Result<Committed, BookingError> {
    let id = appointment_id.to_string();
    let mut reading = store.reading();
    let appointment = reading.want::<Appointment>(&id);
    let business = reading.want::<Business>(&tenant_id.to_string());
    // the day it was on as last seen here; checked once the appointment is read
    let guess = appointment
        .cached()
        .schedule()
        .map(|day| (day, reading.want::<Schedule>(&day.to_string())));
    let customer_guess = customer_day_of(appointment.cached())
        .map(|day| (day, reading.want::<CustomerDay>(&day.to_string())));
    let newer = reading.read().await?;
    let appointment = newer.known(appointment)?;
    let business = newer.fold(business)?;
    let holds = (
        appointment.state.schedule(),
        appointment.state.reservation_id(),
    );
    let customer_day = customer_day_of(&appointment.state);

    let mut decision = store.decision(metadata);
    let after = decision
        .decide::<Appointment>(&id, appointment, command(&business))
        .await?;
    let (Some(day), Some(reservation_id)) = holds else {
        // never booked: the appointment refused above
        return Err(BookingError::Appointment(
            domain::appointment::AppointmentError::NotFound,
        ));
    };
    if matches!(
        after.status(),
        Some(AppointmentStatus::Cancelled | AppointmentStatus::NoShow)
    ) {
        let schedule = match guess {
            Some((guessed, schedule)) if guessed == day => newer.known(schedule)?,
            _ => store.known::<Schedule>(&day.to_string()).await?,
        };
        let release = ScheduleCommand::Release {
            reservation_id,
            tenant_id,
        };
        decision
            .decide::<Schedule>(&day.to_string(), schedule, release)
            .await?;
        if let Some(id) = customer_day {
            let known = match customer_guess {
                Some((guessed, wanted)) if guessed == id => newer.known(wanted)?,
                _ => store.known::<CustomerDay>(&id.to_string()).await?,
            };
            let release = CustomerDayCommand::Release {
                appointment_id,
                tenant_id,
            };
            decision
                .decide::<CustomerDay>(&id.to_string(), known, release)
                .await?;
        }
    }
    Ok(decision.record().await?)
}

/// The customer's day an appointment holds its time on.
fn customer_day_of(appointment: &Appointment) -> Option<CustomerDayId> {
    Some(CustomerDayId {
        customer_id: appointment.customer_id()?,
        date: appointment.schedule_date()?,
    })
}

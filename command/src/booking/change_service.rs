//! Changing the service of a booked appointment (the customer wants a beard trim too): the
//! appointment keeps its start and barber and takes the new service's length, so its stretch on
//! the barber's day and on the customer's day changes. That is one decision, as a reschedule
//! is: the appointment records the change, its day moves the reservation (`Move`, which may
//! overlap the stretch it replaces), and the customer's day moves the time. The price follows
//! the new service unless the desk sets one.

use domain::appointment::{slot_reservation_id, Appointment, AppointmentCommand, AppointmentError};
use domain::bookable::Stretch;
use domain::customer_day::CustomerDay;
use domain::schedule::Schedule;
use events::EventMetadata;
use uuid::Uuid;

use super::facts::{self, Lookup};
use super::{retrying, BookingError};
use crate::store::{Committed, EventStore, StaffFence};

/// Another service for an appointment.
#[derive(Debug, Clone)]
pub struct ServiceChangeRequest {
    pub tenant_id: Uuid,
    pub appointment_id: Uuid,
    pub service_id: Uuid,
    /// The price the desk agreed, in minor units; the new service's price when `None`.
    pub price_cents: Option<i64>,
}

/// Changes the service of an appointment that has not started yet.
#[tracing::instrument(skip(store, request, metadata), fields(appointment_id = %request.appointment_id))]
pub async fn change_service(
    store: &EventStore,
    request: ServiceChangeRequest,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    retrying(|| change_once(store, &request, metadata)).await
}

async fn change_once(
    store: &EventStore,
    request: &ServiceChangeRequest,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    let ServiceChangeRequest {
        tenant_id,
        appointment_id,
        service_id,
        price_cents,
    } = *request;
    let id = appointment_id.to_string();
    let appointment = store.known::<Appointment>(&id).await?;
    let current = &appointment.state;
    let (true, Some(day), Some(starts_at), Some(moves), Some(old_reservation), Some(customer_id)) = (
        current.belongs_to(tenant_id),
        current.schedule(),
        current.starts_at(),
        current.moves(),
        current.reservation_id(),
        current.customer_id(),
    ) else {
        return Err(BookingError::Appointment(AppointmentError::NotFound));
    };
    let facts = facts::gather(
        store,
        Lookup {
            tenant_id,
            customer_id: None,
            staff_id: day.staff_id,
            service_id,
            starts_at,
            also: None,
            customer_day: Some(customer_id),
            also_customer_day: None,
        },
    )
    .await?;
    if facts.date != day.date {
        // the business moved its timezone: the appointment's day is no longer this one
        return Err(BookingError::Conflict);
    }
    let stretch = facts.stretch(starts_at, facts.duration, facts.buffer);
    let Stretch {
        ends_at,
        blocked_until,
        ..
    } = stretch;
    let command = AppointmentCommand::ChangeService {
        tenant_id,
        service_id,
        service_name: facts.service_name.clone(),
        ends_at,
        blocked_until,
        price_cents: price_cents.unwrap_or(facts.price_cents),
        currency: facts.currency.clone(),
    };
    let mut decision = store.decision(metadata);
    decision
        .decide::<Appointment>(&id, appointment, command)
        .await?;
    if decision.is_empty() {
        return Ok(Committed { position: None });
    }
    if facts.outside_opening_hours(day.date, starts_at, ends_at) {
        return Err(BookingError::OutsideOpeningHours);
    }
    let next = slot_reservation_id(appointment_id, moves + 1);
    let moved = facts.move_to(
        (appointment_id, next),
        old_reservation,
        (tenant_id, day.staff_id),
        stretch,
    );
    let hold = facts.hold(appointment_id, tenant_id, customer_id, stretch);
    decision
        .decide::<Schedule>(&day.to_string(), facts.day, moved)
        .await?;
    if let Some((customer_day, known)) = facts.customer_day {
        decision
            .decide::<CustomerDay>(&customer_day.to_string(), known, hold)
            .await?;
    }
    decision.fence(facts.fence);
    // and only while the barber is active (a deactivation moves what it finds, not this)
    decision.fence_staff(StaffFence {
        staff_id: day.staff_id,
    });
    Ok(decision.record().await?)
}

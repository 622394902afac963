//! Rescheduling: the appointment records its move, the new barber-day reserves the new slot and
//! the old one releases the old slot, all in one decision. Within one barber's day it is one
//! `Move` of that day's Schedule, so the new slot may overlap the one it leaves. Two moves of
//! one appointment racing each other both decide on the appointment at the same sequence: one
//! is recorded, the other is decided again from where the first left it.

use chrono::{DateTime, Utc};
use domain::appointment::{slot_reservation_id, Appointment, AppointmentCommand, AppointmentError};
use domain::bookable::{check_window, Asker, Stretch};
use domain::customer_day::{CustomerDay, CustomerDayCommand, CustomerDayId};
use domain::schedule::{Schedule, ScheduleCommand, ScheduleId};
use events::EventMetadata;
use uuid::Uuid;

use super::facts::{self, Lookup};
use super::{on_grid, retrying, BookingError};
use crate::store::{Committed, EventStore, StaffFence};

/// Where to move an appointment.
#[derive(Debug, Clone)]
pub struct RescheduleRequest {
    pub tenant_id: Uuid,
    pub appointment_id: Uuid,
    pub starts_at: DateTime<Utc>,
    /// Another barber; the same one when `None`.
    pub staff_id: Option<Uuid>,
}

/// Moves an appointment to a new time and/or barber, keeping its status.
#[tracing::instrument(skip(store, request, metadata), fields(appointment_id = %request.appointment_id))]
pub async fn reschedule(
    store: &EventStore,
    request: RescheduleRequest,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    on_grid(request.starts_at)?;
    retrying(|| reschedule_once(store, &request, metadata, now)).await
}

async fn reschedule_once(
    store: &EventStore,
    request: &RescheduleRequest,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    let RescheduleRequest {
        tenant_id,
        appointment_id,
        starts_at,
        staff_id,
    } = *request;
    let id = appointment_id.to_string();
    let appointment = store.known::<Appointment>(&id).await?;
    let current = &appointment.state;
    let (
        true,
        Some(old_day),
        Some(service_id),
        Some(moves),
        Some(old_reservation),
        Some(customer_id),
    ) = (
        current.belongs_to(tenant_id),
        current.schedule(),
        current.service_id(),
        current.moves(),
        current.reservation_id(),
        current.customer_id(),
    )
    else {
        return Err(BookingError::Appointment(AppointmentError::NotFound));
    };
    let staff_id = staff_id.unwrap_or(old_day.staff_id);
    if current.starts_at() == Some(starts_at) && staff_id == old_day.staff_id {
        // where it already is: a retried request
        return Ok(Committed { position: None });
    }
    let facts = facts::gather(
        store,
        Lookup {
            tenant_id,
            customer_id: None,
            staff_id,
            service_id,
            starts_at,
            also: Some(old_day),
            customer_day: Some(customer_id),
            also_customer_day: Some(CustomerDayId {
                customer_id,
                date: old_day.date,
            }),
        },
    )
    .await?;
    // staff move appointments (the customer's own reschedule comes with online booking)
    check_window(&facts.policy, starts_at, now, Asker::Shop)?;
    // the appointment keeps the length it was booked with, whatever the service says now
    let (Some(was_starting), Some(was_ending), Some(was_blocked)) = (
        current.starts_at(),
        current.ends_at(),
        current.blocked_until(),
    ) else {
        return Err(BookingError::Appointment(AppointmentError::NotFound));
    };
    let stretch = facts.stretch(
        starts_at,
        was_ending - was_starting,
        was_blocked - was_ending,
    );
    let Stretch {
        ends_at,
        blocked_until,
        ..
    } = stretch;
    let date = facts.date;
    let new_day = ScheduleId::new(staff_id, date);
    let command = AppointmentCommand::Reschedule {
        tenant_id,
        staff_id,
        starts_at,
        ends_at,
        blocked_until,
        schedule_date: date,
        now,
    };
    let mut decision = store.decision(metadata);
    // the appointment's own rules first (not checked in yet, not in the past)
    decision
        .decide::<Appointment>(&id, appointment, command)
        .await?;
    if facts.outside_opening_hours(date, starts_at, ends_at) {
        return Err(BookingError::OutsideOpeningHours);
    }
    let new_reservation = slot_reservation_id(appointment_id, moves + 1);
    let hold = facts.hold(appointment_id, tenant_id, customer_id, stretch);
    if new_day == old_day {
        let moved = facts.move_to(
            (appointment_id, new_reservation),
            old_reservation,
            (tenant_id, staff_id),
            stretch,
        );
        decision
            .decide::<Schedule>(&new_day.to_string(), facts.day, moved)
            .await?;
    } else {
        let reserve = facts.reserve(
            (appointment_id, new_reservation),
            tenant_id,
            staff_id,
            stretch,
        );
        decision
            .decide::<Schedule>(&new_day.to_string(), facts.day, reserve)
            .await?;
        let old_schedule = match facts.other_day {
            Some(known) => known,
            None => store.known::<Schedule>(&old_day.to_string()).await?,
        };
        let release = ScheduleCommand::Release {
            reservation_id: old_reservation,
            tenant_id,
        };
        decision
            .decide::<Schedule>(&old_day.to_string(), old_schedule, release)
            .await?;
    }
    // the customer's time moves with it
    if let Some((new_customer_day, customer_day)) = facts.customer_day {
        decision
            .decide::<CustomerDay>(&new_customer_day.to_string(), customer_day, hold)
            .await?;
        if new_customer_day.date != old_day.date {
            let old_customer_day = CustomerDayId {
                customer_id,
                date: old_day.date,
            };
            let known = match facts.other_customer_day {
                Some(known) => known,
                None => {
                    store
                        .known::<CustomerDay>(&old_customer_day.to_string())
                        .await?
                }
            };
            let release = CustomerDayCommand::Release {
                appointment_id,
                tenant_id,
            };
            decision
                .decide::<CustomerDay>(&old_customer_day.to_string(), known, release)
                .await?;
        }
    }
    decision.fence(facts.fence);
    // and only while the barber is active (a deactivation moves what it finds, not this)
    decision.fence_staff(StaffFence { staff_id });
    Ok(decision.record().await?)
}

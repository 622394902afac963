//! Rescheduling: the new slot is reserved before the old one is given back, so an appointment is
//! never without a chair and never holds two for longer than the step takes.
//!
//! Within one barber's day the move is one decision of the Schedule (`Move`), so it may overlap
//! the stretch it leaves. Across days or barbers the new slot is reserved on its own schedule,
//! the appointment records the move, and then the old slot is released. Every reservation
//! touched is listed as pending first, so the reconciler settles a step that died half-way.

use chrono::{DateTime, Utc};
use events::schedule::ReservationKind;
use events::EventMetadata;
use uuid::Uuid;

use super::reconciler::Owner;
use super::{facts, hold, reconciler, release, BookingError, Pending};
use crate::appointment::{slot_reservation_id, Appointment, AppointmentCommand, AppointmentError};
use crate::schedule::{day, schedule_id, ScheduleCommand};
use crate::store::{Committed, EventStore};

/// Where to move an appointment.
#[derive(Debug, Clone)]
pub struct RescheduleRequest {
    pub tenant_id: Uuid,
    pub appointment_id: Uuid,
    pub starts_at: DateTime<Utc>,
    /// Another barber; the same one when `None`.
    pub staff_id: Option<Uuid>,
}

/// Moves an appointment to a new time and/or barber; see the module header.
#[tracing::instrument(skip(store, request, metadata), fields(appointment_id = %request.appointment_id))]
pub async fn reschedule(
    store: &EventStore,
    request: RescheduleRequest,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    let RescheduleRequest {
        tenant_id,
        appointment_id,
        starts_at,
        staff_id,
    } = request;
    let appointment: Appointment = store.load(&appointment_id.to_string()).await?;
    let (true, Some(old_staff), Some(old_date), Some(service_id), Some(moves), Some(old_res)) = (
        appointment.belongs_to(tenant_id),
        appointment.staff_id(),
        appointment.schedule_date(),
        appointment.service_id(),
        appointment.moves(),
        appointment.reservation_id(),
    ) else {
        return Err(BookingError::Appointment(AppointmentError::NotFound));
    };
    let staff_id = staff_id.unwrap_or(old_staff);
    let facts = facts::gather(store, tenant_id, None, staff_id, service_id, None).await?;
    facts::check_window(&facts.policy, starts_at, now, false)?;
    let ends_at = starts_at + facts.duration;
    let blocked_until = ends_at + facts.buffer;
    if appointment.starts_at() == Some(starts_at) && staff_id == old_staff {
        return Ok(Committed { position: None });
    }
    let date = day::local_date_of(facts.timezone, starts_at);
    let command = AppointmentCommand::Reschedule {
        tenant_id,
        staff_id,
        starts_at,
        ends_at,
        blocked_until,
        schedule_date: date,
        now,
    };
    // the appointment's own rules first (not checked in yet, not in the past): a same-day move
    // gives the old stretch back in the same append, so it must not be refused afterwards
    appointment
        .decide(command.clone())
        .map_err(BookingError::Appointment)?;
    let open = facts.open_intervals(date);
    if facts.outside_opening_hours(date, starts_at, blocked_until) {
        return Err(BookingError::OutsideOpeningHours);
    }
    let (old_schedule, new_schedule) = (
        schedule_id(old_staff, old_date),
        schedule_id(staff_id, date),
    );
    let new_res = slot_reservation_id(appointment_id, moves + 1);
    let same_day = old_schedule == new_schedule;
    let reserve = if same_day {
        ScheduleCommand::Move {
            reservation_id: new_res,
            replaces: old_res,
            tenant_id,
            staff_id,
            date,
            tz: facts.timezone,
            starts_at,
            ends_at,
            blocked_until,
            open,
        }
    } else {
        ScheduleCommand::Reserve {
            reservation_id: new_res,
            tenant_id,
            staff_id,
            date,
            tz: facts.timezone,
            kind: ReservationKind::Appointment,
            starts_at,
            ends_at,
            blocked_until,
            open,
        }
    };
    let pending = Pending {
        schedule: &new_schedule,
        reservation_id: new_res,
        owner: Owner::Appointment(appointment_id),
        tenant_id,
    };
    hold(store, pending, reserve, metadata).await?;
    let recorded = store
        .execute::<Appointment>(&appointment_id.to_string(), command, metadata)
        .await;
    let committed = match recorded {
        Ok(committed) => committed,
        Err(err) => {
            // refused after the check above only if the appointment changed in between; the new
            // slot goes back (after a same-day move the old one is gone: logged for a person)
            if same_day {
                tracing::error!(%appointment_id, "reschedule refused after a same-day move");
            }
            release(store, &new_schedule, new_res, tenant_id, metadata).await;
            return Err(err.into());
        }
    };
    reconciler::forget(store.pool(), new_res).await?;
    if !same_day {
        reconciler::remember(
            store.pool(),
            old_res,
            Owner::Appointment(appointment_id),
            &old_schedule,
            tenant_id,
        )
        .await?;
        release(store, &old_schedule, old_res, tenant_id, metadata).await;
    }
    Ok(committed)
}

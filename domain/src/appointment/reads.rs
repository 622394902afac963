//! What the booking orchestration asks of an appointment before it reserves or releases a slot
//! on a barber's schedule: answers from the state alone (pure). Each is `None` for an
//! appointment that was never booked. They do not check the tenant: compare
//! [`Appointment::business_id`] with the caller's business first (or call
//! [`Appointment::belongs_to`]).

use chrono::{DateTime, NaiveDate, Utc};
use events::appointment::AppointmentStatus;
use uuid::Uuid;

use super::{Appointment, Slot};
use crate::schedule::ScheduleId;

/// The id under which slot number `moves` of an appointment is reserved on a schedule: the
/// appointment's own id for the slot it was booked into, a derived id for each reschedule (a
/// schedule never reuses a reservation id). Deterministic, so a step decided again
/// finds the same reservation again.
pub fn slot_reservation_id(appointment_id: Uuid, moves: u32) -> Uuid {
    if moves == 0 {
        return appointment_id;
    }
    // the last 32 bits count the moves; a collision with another appointment's random id has
    // odds of about 2^-90
    Uuid::from_u128(appointment_id.as_u128() ^ (u128::from(moves) << 96 | u128::from(moves)))
}

impl Appointment {
    /// The reservation of its current slot on the barber's schedule.
    pub fn reservation_id(&self) -> Option<Uuid> {
        let state = self.state.as_ref()?;
        Some(slot_reservation_id(
            state.booked.appointment_id,
            state.moves,
        ))
    }

    /// How many times it was rescheduled.
    pub fn moves(&self) -> Option<u32> {
        self.state.as_ref().map(|s| s.moves)
    }

    /// Whether it was ever booked.
    pub fn exists(&self) -> bool {
        self.state.is_some()
    }

    /// Whether business `tenant_id` booked it (for any other business it does not exist).
    pub fn belongs_to(&self, tenant_id: Uuid) -> bool {
        self.business_id() == Some(tenant_id)
    }

    pub fn business_id(&self) -> Option<Uuid> {
        self.state.as_ref().map(|s| s.booked.business_id)
    }

    pub fn customer_id(&self) -> Option<Uuid> {
        self.state.as_ref().map(|s| s.booked.customer_id)
    }

    pub fn service_id(&self) -> Option<Uuid> {
        self.state.as_ref().map(|s| s.booked.service_id)
    }

    pub fn status(&self) -> Option<AppointmentStatus> {
        self.state.as_ref().map(|s| s.status)
    }

    /// Whether it still holds its slot: booked, confirmed, checked in or in service. A completed,
    /// cancelled or no-show appointment's reservation may be released.
    pub fn is_active(&self) -> bool {
        self.status().is_some_and(|status| {
            matches!(
                status,
                AppointmentStatus::Booked
                    | AppointmentStatus::Confirmed
                    | AppointmentStatus::CheckedIn
                    | AppointmentStatus::InService
            )
        })
    }

    /// The barber now (after any reschedule).
    pub fn staff_id(&self) -> Option<Uuid> {
        self.slot().map(|s| s.staff_id)
    }

    /// The start now (after any reschedule).
    pub fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.slot().map(|s| s.starts_at)
    }

    /// When the service ends now (after any reschedule).
    pub fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.slot().map(|s| s.ends_at)
    }

    /// When the barber is free again (the end plus the buffer): the end of the reservation.
    pub fn blocked_until(&self) -> Option<DateTime<Utc>> {
        self.slot().map(|s| s.blocked_until)
    }

    /// The barber's day whose schedule holds the current slot's reservation.
    pub fn schedule(&self) -> Option<ScheduleId> {
        self.slot()
            .map(|s| ScheduleId::new(s.staff_id, s.schedule_date))
    }

    /// The business's local date of the start: which day's schedule holds the reservation.
    pub fn schedule_date(&self) -> Option<NaiveDate> {
        self.slot().map(|s| s.schedule_date)
    }

    fn slot(&self) -> Option<&Slot> {
        self.state.as_ref().map(|s| &s.slot)
    }
}

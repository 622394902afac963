//! Moving a reservation within its day: one decision, two events (the old stretch released,
//! the new one reserved), so a move may overlap the stretch it replaces.

use events::schedule::{ReservationKind, ScheduleEvent};

use super::{Reservation, Schedule, ScheduleCommand, ScheduleError};

impl Schedule {
    /// The events of a move: the replaced reservation released (if it is still live), the new
    /// one reserved; the checks are those of a reservation, not counting the one replaced.
    pub(super) fn decide_move(
        &self,
        command: ScheduleCommand,
    ) -> Result<Vec<ScheduleEvent>, ScheduleError> {
        let ScheduleCommand::Move {
            reservation_id,
            replaces,
            tenant_id,
            staff_id,
            date,
            tz,
            starts_at,
            ends_at,
            blocked_until,
            open,
            holder,
        } = command
        else {
            // only a move comes here
            return Ok(Vec::new());
        };
        self.visible_to(tenant_id)?;
        if self.staff_id.is_some_and(|s| s != staff_id) || self.date.is_some_and(|d| d != date) {
            return Err(ScheduleError::WrongSchedule);
        }
        let wanted = Reservation {
            id: reservation_id,
            kind: ReservationKind::Appointment,
            starts_at,
            ends_at,
            blocked_until,
            holder: Some(holder),
        };
        if let Some(existing) = self.reservation(reservation_id) {
            return if existing.same_as(&wanted) {
                Ok(Vec::new())
            } else {
                Err(ScheduleError::ReservationExists)
            };
        }
        if self.released.contains(&reservation_id) {
            return Err(ScheduleError::ReservationReleased);
        }
        self.check_ignoring(&wanted, tz, date, &open, Some(replaces))?;
        let mut events = Vec::with_capacity(2);
        if self.is_reserved(replaces) {
            events.push(ScheduleEvent::SlotReleased {
                reservation_id: replaces,
            });
        }
        events.push(ScheduleEvent::SlotReserved {
            reservation_id,
            business_id: tenant_id,
            staff_id,
            date,
            kind: ReservationKind::Appointment,
            starts_at,
            ends_at,
            blocked_until,
            holder: Some(holder),
        });
        Ok(events)
    }
}

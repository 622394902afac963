//! The commands that put an appointment's stretch on its barber's day and its customer's day,
//! built once from the facts a step was decided on: booking, rescheduling and changing the
//! service differ only in which they send.

use chrono::{DateTime, Duration, Utc};
use events::schedule::ReservationKind;
use uuid::Uuid;

use super::facts::Facts;
use crate::customer_day::CustomerDayCommand;
use crate::schedule::{day, ScheduleCommand};

/// Where an appointment sits on its local day ([`Facts::date`]): the service, then the
/// barber's clean-up buffer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Stretch {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub blocked_until: DateTime<Utc>,
}

impl Facts {
    /// An appointment from `starts_at` for `length`, then `buffer` of clean-up. The buffer is
    /// cut at the end of the local day: a schedule holds nothing past its own day, and nobody
    /// can be booked into the next day's first minutes by a chair still being swept.
    pub(super) fn stretch(
        &self,
        starts_at: DateTime<Utc>,
        length: Duration,
        buffer: Duration,
    ) -> Stretch {
        let ends_at = starts_at + length;
        let day_ends = day::day_bounds(self.timezone, self.date).end;
        Stretch {
            starts_at,
            ends_at,
            blocked_until: (ends_at + buffer).min(day_ends.max(ends_at)),
        }
    }

    /// Reserve the stretch for `appointment_id` on `staff_id`'s day under a new reservation id.
    pub(super) fn reserve(
        &self,
        (appointment_id, reservation_id): (Uuid, Uuid),
        tenant_id: Uuid,
        staff_id: Uuid,
        stretch: Stretch,
    ) -> ScheduleCommand {
        ScheduleCommand::Reserve {
            reservation_id,
            tenant_id,
            staff_id,
            date: self.date,
            tz: self.timezone,
            kind: ReservationKind::Appointment,
            starts_at: stretch.starts_at,
            ends_at: stretch.ends_at,
            blocked_until: stretch.blocked_until,
            open: self.open_intervals(self.date),
            holder: appointment_id,
        }
    }

    /// Move `appointment_id`'s reservation `replaces` of the same day to the stretch, under a
    /// new id.
    pub(super) fn move_to(
        &self,
        (appointment_id, reservation_id): (Uuid, Uuid),
        replaces: Uuid,
        (tenant_id, staff_id): (Uuid, Uuid),
        stretch: Stretch,
    ) -> ScheduleCommand {
        ScheduleCommand::Move {
            reservation_id,
            replaces,
            tenant_id,
            staff_id,
            date: self.date,
            tz: self.timezone,
            starts_at: stretch.starts_at,
            ends_at: stretch.ends_at,
            blocked_until: stretch.blocked_until,
            open: self.open_intervals(self.date),
            holder: appointment_id,
        }
    }

    /// Hold the service's time on the customer's day (moving it if the appointment is there).
    pub(super) fn hold(
        &self,
        appointment_id: Uuid,
        tenant_id: Uuid,
        customer_id: Uuid,
        stretch: Stretch,
    ) -> CustomerDayCommand {
        CustomerDayCommand::Hold {
            appointment_id,
            tenant_id,
            customer_id,
            date: self.date,
            starts_at: stretch.starts_at,
            ends_at: stretch.ends_at,
            allow_overlap: self.policy.allow_customer_overlap,
        }
    }
}

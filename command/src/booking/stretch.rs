//! The commands that put an appointment's stretch on its barber's day and its customer's day,
//! built once from the facts a step was decided on: booking, rescheduling and changing the
//! service differ only in which they send. Where the stretch lies is [`Stretch::on_day`].

use chrono::{DateTime, Duration, Utc};
use domain::bookable::Stretch;
use domain::customer_day::CustomerDayCommand;
use domain::schedule::ScheduleCommand;
use events::schedule::ReservationKind;
use uuid::Uuid;

use super::facts::Facts;

impl Facts {
    /// An appointment from `starts_at` for `length`, then `buffer` of clean-up, on the local
    /// day [`Facts::date`] ([`Stretch::on_day`]).
    pub(super) fn stretch(
        &self,
        starts_at: DateTime<Utc>,
        length: Duration,
        buffer: Duration,
    ) -> Stretch {
        Stretch::on_day(self.timezone, self.date, starts_at, length, buffer)
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

//! Facts about one barber's one local day: which stretches of it are reserved, and for what.
//!
//! A schedule is the unit of "no double booking": every appointment and every time-off block of a
//! staff member on a date (in the business's timezone) is reserved on that date's schedule, so
//! two reservations that overlap could only be recorded by two writers at the same sequence, and
//! the event store lets one of them win. Instants are UTC; `date` is the local date that names
//! the schedule, carried so a reader needs neither the timezone nor the aggregate id to place a
//! reservation on a calendar.

use chrono::{DateTime, NaiveDate, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The aggregate type name under which schedule events are stored.
pub const AGGREGATE_TYPE: &str = "schedule";

/// What a reservation holds the chair for: refusals name the kind they collided with, and a
/// calendar draws them differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReservationKind {
    /// A customer's appointment.
    Appointment,
    /// The barber is away (holiday, appointment of their own).
    TimeOff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScheduleEvent {
    /// A stretch of the day was reserved; nothing else may overlap `[starts_at, blocked_until)`
    /// until it is released. The first one fixes the schedule's business, staff member and date.
    SlotReserved {
        reservation_id: Uuid,
        business_id: Uuid,
        staff_id: Uuid,
        /// The local date (business timezone) whose schedule this is.
        date: NaiveDate,
        kind: ReservationKind,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        /// ends_at + buffer: the chair is not free again before this
        blocked_until: DateTime<Utc>,
        /// The appointment or time off that holds the stretch (a reservation id changes with
        /// every move, this does not). Absent on reservations recorded before it was kept.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<Uuid>,
    },
    /// The reservation no longer holds its stretch of the day (cancelled, moved, compensated).
    SlotReleased { reservation_id: Uuid },
}

impl DomainEvent for ScheduleEvent {
    fn event_type(&self) -> String {
        match self {
            Self::SlotReserved { .. } => "SlotReserved".into(),
            Self::SlotReleased { .. } => "SlotReleased".into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_reservation_is_written_with_a_plain_date_and_snake_case_kind() {
        let at = |h| {
            Utc.with_ymd_and_hms(2026, 3, 29, h, 0, 0)
                .single()
                .expect("instant")
        };
        let event = ScheduleEvent::SlotReserved {
            reservation_id: Uuid::nil(),
            business_id: Uuid::nil(),
            staff_id: Uuid::nil(),
            date: NaiveDate::from_ymd_opt(2026, 3, 29).expect("date"),
            kind: ReservationKind::TimeOff,
            starts_at: at(9),
            ends_at: at(10),
            blocked_until: at(10),
            holder: Some(Uuid::from_u128(7)),
        };
        let json = serde_json::to_value(&event).expect("serialises");
        assert_eq!(json["SlotReserved"]["date"], "2026-03-29");
        assert_eq!(
            json["SlotReserved"]["holder"],
            "00000000-0000-0000-0000-000000000007"
        );
        assert_eq!(json["SlotReserved"]["kind"], "time_off");
        assert_eq!(json["SlotReserved"]["starts_at"], "2026-03-29T09:00:00Z");
        assert_eq!(
            serde_json::from_value::<ScheduleEvent>(json).expect("reads back"),
            event
        );
    }

    #[test]
    fn a_reservation_recorded_before_holders_were_kept_reads_without_one() {
        let stored = serde_json::json!({"SlotReserved": {
            "reservation_id": Uuid::nil(), "business_id": Uuid::nil(), "staff_id": Uuid::nil(),
            "date": "2026-03-29", "kind": "appointment", "starts_at": "2026-03-29T09:00:00Z",
            "ends_at": "2026-03-29T09:30:00Z", "blocked_until": "2026-03-29T09:40:00Z"}});
        let event: ScheduleEvent = serde_json::from_value(stored).expect("reads");
        assert!(matches!(
            event,
            ScheduleEvent::SlotReserved { holder: None, .. }
        ));
    }
}

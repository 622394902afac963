//! Which messages an appointment's customer is to get, and when: pure, from the appointment's
//! start, the moment of the event and the business's policy.

use chrono::{DateTime, Duration, Utc};
use events::appointment::{NotificationChannel, NotificationKind};
use uuid::Uuid;

/// The business's notification policy, as the projection keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Minutes before the start, latest reminder last.
    pub reminder_offsets_minutes: Vec<u32>,
    pub channels: Vec<NotificationChannel>,
    pub follow_up: bool,
}

impl Default for Policy {
    /// A business whose policy the projection has not seen: the booking policy's defaults.
    fn default() -> Self {
        let policy = events::business::BookingPolicy::default();
        Self {
            reminder_offsets_minutes: policy.reminder_offsets_minutes,
            channels: policy.notification_channels,
            follow_up: policy.follow_up,
        }
    }
}

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub notification_id: Uuid,
    pub kind: NotificationKind,
    pub channel: NotificationChannel,
    pub offset_minutes: Option<u32>,
    pub due_at: DateTime<Utc>,
}

/// How long after a completed appointment its "how was it?" goes out.
pub const FOLLOW_UP_AFTER: Duration = Duration::hours(2);

/// The id of a message: the same message (appointment, kind, channel, and for a reminder the
/// start and offset it is for, for a move the event that made it) always gets the same id, so
/// redelivered events and rebuilds make no second one, and a reminder of a start the
/// appointment moved away from is another message than the one of its new start.
pub fn notification_id(
    appointment_id: Uuid,
    kind: NotificationKind,
    channel: NotificationChannel,
    about: &str,
) -> Uuid {
    let name = format!("{}/{}/{about}", kind.as_str(), channel.as_str());
    Uuid::new_v5(&appointment_id, name.as_bytes())
}

/// A message of `kind` on each of the policy's channels, due at `due_at`.
pub fn notices(
    appointment_id: Uuid,
    kind: NotificationKind,
    policy: &Policy,
    about: &str,
    due_at: DateTime<Utc>,
) -> Vec<Planned> {
    policy
        .channels
        .iter()
        .map(|&channel| Planned {
            notification_id: notification_id(appointment_id, kind, channel, about),
            kind,
            channel,
            offset_minutes: None,
            due_at,
        })
        .collect()
}

/// The reminders of a start, on each channel: those whose moment is still ahead of `now` (a
/// booking made less than an offset before its start skips that reminder).
pub fn reminders(
    appointment_id: Uuid,
    starts_at: DateTime<Utc>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Vec<Planned> {
    let mut planned = Vec::new();
    for &offset in &policy.reminder_offsets_minutes {
        let due_at = starts_at - Duration::minutes(i64::from(offset));
        if due_at <= now {
            continue;
        }
        for &channel in &policy.channels {
            let about = format!("{offset}/{}", starts_at.to_rfc3339());
            planned.push(Planned {
                notification_id: notification_id(
                    appointment_id,
                    NotificationKind::Reminder,
                    channel,
                    &about,
                ),
                kind: NotificationKind::Reminder,
                channel,
                offset_minutes: Some(offset),
                due_at,
            });
        }
    }
    planned
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, hour, minute, 0)
            .single()
            .expect("an instant")
    }

    #[test]
    fn a_booking_made_less_than_an_offset_before_its_start_skips_that_reminder() {
        let policy = Policy::default();
        let start = at(10, 10, 0);
        let early = reminders(Uuid::from_u128(1), start, &policy, at(1, 9, 0));
        let offsets: Vec<_> = early
            .iter()
            .map(|p| (p.offset_minutes, p.channel))
            .collect();
        assert_eq!(
            offsets,
            vec![
                (Some(1440), NotificationChannel::Email),
                (Some(1440), NotificationChannel::Sms),
                (Some(120), NotificationChannel::Email),
                (Some(120), NotificationChannel::Sms),
            ]
        );
        assert_eq!(early[0].due_at, at(9, 10, 0));
        assert_eq!(early[2].due_at, at(10, 8, 0));
        // booked 3 hours before: the day-before reminder is gone, the 2-hour one stays
        let late = reminders(Uuid::from_u128(1), start, &policy, at(10, 7, 0));
        assert_eq!(late.len(), 2);
        assert!(late.iter().all(|p| p.offset_minutes == Some(120)));
        // booked an hour before: none
        assert!(reminders(Uuid::from_u128(1), start, &policy, at(10, 9, 0)).is_empty());
    }

    #[test]
    fn the_same_message_always_has_the_same_id_and_another_start_another() {
        let policy = Policy::default();
        let id = Uuid::from_u128(7);
        let once = reminders(id, at(10, 10, 0), &policy, at(1, 0, 0));
        let again = reminders(id, at(10, 10, 0), &policy, at(2, 0, 0));
        assert_eq!(once, again);
        let moved = reminders(id, at(10, 11, 0), &policy, at(1, 0, 0));
        assert!(once
            .iter()
            .all(|p| moved.iter().all(|m| m.notification_id != p.notification_id)));
        let confirmation = notices(id, NotificationKind::Confirmation, &policy, "", at(1, 0, 0));
        assert_eq!(confirmation.len(), 2);
        assert_ne!(
            confirmation[0].notification_id,
            confirmation[1].notification_id
        );
    }
}

//! Facts about a business's staff: its barbers and front desk, when they work and what they offer.
//!
//! Working hours are local wall-clock times in the business's timezone, written `"HH:MM"`: a
//! weekly rota means "09:00 on Mondays" whatever the UTC offset of a given Monday, so it is
//! stored as such and turned into instants per date by whoever books. Time off is a pair of UTC
//! instants, because it names particular moments. Staff contact details are work details, not a
//! customer's personal data, so they are not in a `pii` object.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::clock_time::ClockTime;

/// The aggregate type name under which staff events are stored.
pub const AGGREGATE_TYPE: &str = "staff";

/// What a staff member does in the shop (not what their login may do; that is the user's role).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    Owner,
    Manager,
    Barber,
    FrontDesk,
}

impl StaffRole {
    /// Every role, in the order the API documents them.
    pub const ALL: [Self; 4] = [Self::Owner, Self::Manager, Self::Barber, Self::FrontDesk];

    /// The wire name, e.g. `front_desk`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Manager => "manager",
            Self::Barber => "barber",
            Self::FrontDesk => "front_desk",
        }
    }
}

/// A day of the week, written `mon` … `sun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// Monday first, as ISO 8601 counts.
    pub const ALL: [Self; 7] = [
        Self::Mon,
        Self::Tue,
        Self::Wed,
        Self::Thu,
        Self::Fri,
        Self::Sat,
        Self::Sun,
    ];

    /// The wire name, e.g. `mon`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mon => "mon",
            Self::Tue => "tue",
            Self::Wed => "wed",
            Self::Thu => "thu",
            Self::Fri => "fri",
            Self::Sat => "sat",
            Self::Sun => "sun",
        }
    }

    /// 1 (Monday) to 7 (Sunday), as Postgres's `isodow`.
    pub fn iso_number(self) -> i16 {
        match self {
            Self::Mon => 1,
            Self::Tue => 2,
            Self::Wed => 3,
            Self::Thu => 4,
            Self::Fri => 5,
            Self::Sat => 6,
            Self::Sun => 7,
        }
    }
}

impl From<chrono::Weekday> for Weekday {
    fn from(day: chrono::Weekday) -> Self {
        match day {
            chrono::Weekday::Mon => Self::Mon,
            chrono::Weekday::Tue => Self::Tue,
            chrono::Weekday::Wed => Self::Wed,
            chrono::Weekday::Thu => Self::Thu,
            chrono::Weekday::Fri => Self::Fri,
            chrono::Weekday::Sat => Self::Sat,
            chrono::Weekday::Sun => Self::Sun,
        }
    }
}

/// A staff member's name, role and work contact details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffProfile {
    pub name: String,
    pub role: StaffRole,
    pub email: Option<String>,
    /// E.164, e.g. `+447700900123`.
    pub phone: Option<String>,
}

/// A pause inside a working day, in local wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Break {
    pub start: ClockTime,
    pub end: ClockTime,
}

/// One shift a staff member works on one day of every week, in local wall-clock time
/// (`start < end`, breaks inside it, sorted and not overlapping). A weekday with a split shift
/// (09:00–12:00 and 15:00–20:00) has one `WorkingDay` per shift; a shift may end at `24:00`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingDay {
    pub weekday: Weekday,
    pub start: ClockTime,
    pub end: ClockTime,
    pub breaks: Vec<Break>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StaffEvent {
    /// A staff member joined a business; active, offering every service, with no hours yet.
    StaffMemberAdded {
        staff_id: Uuid,
        business_id: Uuid,
        profile: StaffProfile,
    },
    /// The profile changed; carries the whole new profile so readers need no history.
    StaffMemberUpdated { profile: StaffProfile },
    /// The weekly rota was replaced; a weekday absent from `days` is a day off.
    WorkingHoursSet { days: Vec<WorkingDay> },
    /// The staff member is away between two instants (`starts_at < ends_at`).
    TimeOffAdded {
        time_off_id: Uuid,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        reason: Option<String>,
    },
    /// A time off was withdrawn.
    TimeOffRemoved { time_off_id: Uuid },
    /// The services the staff member may be booked for: `None` means all of the business's
    /// services (the default), `Some(ids)` exactly those.
    ServicesOffered { service_ids: Option<Vec<Uuid>> },
    /// The staff member left or is paused: no longer bookable, no longer changeable.
    StaffMemberDeactivated,
    /// A deactivated staff member is back.
    StaffMemberReactivated,
    /// The staff member wants (or no longer wants) an email each evening with their next day's
    /// appointments.
    DailyAgendaChosen { wanted: bool },
}

impl DomainEvent for StaffEvent {
    fn event_type(&self) -> String {
        match self {
            Self::StaffMemberAdded { .. } => "StaffMemberAdded".into(),
            Self::StaffMemberUpdated { .. } => "StaffMemberUpdated".into(),
            Self::WorkingHoursSet { .. } => "WorkingHoursSet".into(),
            Self::TimeOffAdded { .. } => "TimeOffAdded".into(),
            Self::TimeOffRemoved { .. } => "TimeOffRemoved".into(),
            Self::ServicesOffered { .. } => "ServicesOffered".into(),
            Self::StaffMemberDeactivated => "StaffMemberDeactivated".into(),
            Self::StaffMemberReactivated => "StaffMemberReactivated".into(),
            Self::DailyAgendaChosen { .. } => "DailyAgendaChosen".into(),
        }
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn working_hours_are_written_as_people_write_them() {
        let day = WorkingDay {
            weekday: Weekday::Mon,
            start: ClockTime::new(9, 0).expect("time"),
            end: ClockTime::new(17, 30).expect("time"),
            breaks: vec![Break {
                start: ClockTime::new(12, 0).expect("time"),
                end: ClockTime::new(12, 45).expect("time"),
            }],
        };
        let json = serde_json::to_value(&day).expect("serialises");
        assert_eq!(
            json,
            serde_json::json!({"weekday": "mon", "start": "09:00", "end": "17:30",
                "breaks": [{"start": "12:00", "end": "12:45"}]})
        );
        assert_eq!(
            serde_json::from_value::<WorkingDay>(json).expect("reads back"),
            day
        );
    }

    #[test]
    fn roles_are_snake_case() {
        for role in StaffRole::ALL {
            assert_eq!(
                serde_json::to_value(role).expect("serialises"),
                role.as_str()
            );
        }
    }
}

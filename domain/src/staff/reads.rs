//! What booking asks of a staff member: the answers come from the state alone (pure).

use chrono::{DateTime, Utc};
use events::staff::{StaffProfile, Weekday, WorkingDay};
use uuid::Uuid;

use super::{StaffMember, TimeOff};

impl StaffMember {
    /// Whether the staff member was ever added.
    pub fn exists(&self) -> bool {
        self.staff_id.is_some()
    }

    /// Whether the staff member belongs to business `tenant_id` (else, for that business, they
    /// do not exist).
    pub fn belongs_to(&self, tenant_id: Uuid) -> bool {
        self.tenant_id == Some(tenant_id)
    }

    /// Whether they can be booked at all.
    pub fn is_active(&self) -> bool {
        self.exists() && self.active
    }

    pub fn profile(&self) -> Option<&StaffProfile> {
        self.profile.as_ref()
    }

    /// The weekly rota, Monday first; a weekday absent is a day off.
    pub fn working_hours(&self) -> &[WorkingDay] {
        &self.working_hours
    }

    /// The shifts worked on `weekday` (local wall-clock time), in order; none on a day off.
    pub fn working_hours_on(&self, weekday: impl Into<Weekday>) -> Vec<&WorkingDay> {
        let weekday = weekday.into();
        self.working_hours
            .iter()
            .filter(|d| d.weekday == weekday)
            .collect()
    }

    /// Every recorded time off, in the order it was added.
    pub fn time_off(&self) -> &[TimeOff] {
        &self.time_off
    }

    /// Whether any time off covers part of `[start, end)`.
    pub fn is_off_during(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.time_off.iter().any(|t| t.overlaps(start, end))
    }

    /// `None`: every service of the business; `Some(ids)`: only those.
    pub fn service_ids(&self) -> Option<&[Uuid]> {
        self.service_ids.as_deref()
    }

    /// Whether they may be booked for `service_id` (being active is a separate question).
    pub fn offers(&self, service_id: Uuid) -> bool {
        self.service_ids
            .as_ref()
            .is_none_or(|ids| ids.contains(&service_id))
    }
}

//! The StaffMember aggregate: a barber or front-desk member of a business, with the weekly hours
//! they work, their time off, the services they offer and whether they are active.
//!
//! - this module: commands, errors, state, `decide`/`apply`.
//! - `reads`: what booking asks of a staff member ([`StaffMember::working_hours_on`],
//!   [`StaffMember::time_off`], [`StaffMember::offers`], [`StaffMember::is_active`]…).
//! - [`profile`]: name, role and contact details.
//! - [`time_off`]: time off's rules.
//!
//! The weekly rota's rules (weekdays, `HH:MM` on a 5-minute grid, breaks) are [`crate::rota`]'s,
//! shared with the business's opening hours.
//!
//! Pure: no I/O. Whether offered services exist is checked by the caller before the command.

pub mod profile;
mod reads;
#[cfg(test)]
mod tests;
pub mod time_off;

use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use events::staff::{StaffEvent, StaffProfile, WorkingDay};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::{handle_by_deciding, Decide};
use crate::rota::RotaError;
pub use crate::rota::{BreakInput, WorkingDayInput};
pub use profile::StaffProfileInput;
pub use time_off::TimeOff;

/// The most services one staff member can be limited to; more is "all services" in practice.
pub const MAX_SERVICES: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub enum StaffCommand {
    Add {
        staff_id: Uuid,
        tenant_id: Uuid,
        profile: StaffProfileInput,
    },
    /// Fields left `None` stay as they are; `Some(None)` clears an optional field.
    Update {
        tenant_id: Uuid,
        name: Option<String>,
        role: Option<String>,
        email: Option<Option<String>>,
        phone: Option<Option<String>>,
    },
    /// Replaces the whole weekly rota; a weekday left out is a day off.
    SetWorkingHours {
        tenant_id: Uuid,
        days: Vec<WorkingDayInput>,
    },
    AddTimeOff {
        tenant_id: Uuid,
        time_off_id: Uuid,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        reason: Option<String>,
        /// A time off wholly in the past, or starting beyond the booking horizon, is refused.
        now: DateTime<Utc>,
    },
    RemoveTimeOff {
        tenant_id: Uuid,
        time_off_id: Uuid,
    },
    /// `None`: every service of the business; `Some(ids)`: exactly those (checked to exist by
    /// the caller).
    OfferServices {
        tenant_id: Uuid,
        service_ids: Option<Vec<Uuid>>,
    },
    Deactivate {
        tenant_id: Uuid,
    },
    Reactivate {
        tenant_id: Uuid,
    },
    /// An email each evening with the next day's appointments, or none; it goes to the staff
    /// member's email, so wanting it needs one.
    ChooseDailyAgenda {
        tenant_id: Uuid,
        wanted: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum StaffError {
    #[error("the staff member does not exist")]
    NotFound,
    #[error("the staff member is already on the staff")]
    AlreadyAdded,
    #[error("the staff member is deactivated; reactivate them first")]
    Inactive,
    #[error("a staff member needs a name (at most 200 characters)")]
    InvalidName,
    #[error("{0:?} is not a role; use owner, manager, barber or front_desk")]
    InvalidRole(String),
    #[error("{0:?} is not an email address")]
    InvalidEmail(String),
    #[error("{0:?} is not a phone number in international form (E.164), e.g. +447700900123")]
    InvalidPhone(String),
    #[error(transparent)]
    InvalidWorkingHours(#[from] RotaError),
    #[error(
        "time off must end after it starts and last at most {} days",
        time_off::MAX_DAYS
    )]
    InvalidTimeOff,
    #[error("the reason is limited to {} characters", time_off::MAX_REASON)]
    ReasonTooLong,
    #[error("the time off does not exist")]
    TimeOffNotFound,
    #[error("the time off has already ended")]
    TimeOffInThePast,
    #[error("time off may start at most {} days ahead", time_off::HORIZON_DAYS)]
    TimeOffTooFarAhead,
    #[error("a staff member can be limited to at most {MAX_SERVICES} services")]
    TooManyServices,
    #[error("the daily agenda goes by email: give the staff member an email address first")]
    AgendaNeedsEmail,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StaffMember {
    staff_id: Option<Uuid>,
    tenant_id: Option<Uuid>,
    profile: Option<StaffProfile>,
    active: bool,
    working_hours: Vec<WorkingDay>,
    time_off: Vec<TimeOff>,
    service_ids: Option<Vec<Uuid>>,
    /// Wants an email each evening with the next day's appointments.
    #[serde(default)]
    daily_agenda: bool,
}

impl Aggregate for StaffMember {
    const TYPE: &'static str = events::staff::AGGREGATE_TYPE;
    type Command = StaffCommand;
    type Event = StaffEvent;
    type Error = StaffError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        handle_by_deciding(self, command, sink).await
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            StaffEvent::StaffMemberAdded {
                staff_id,
                business_id,
                profile,
            } => {
                self.staff_id = Some(staff_id);
                self.tenant_id = Some(business_id);
                self.profile = Some(profile);
                self.active = true;
            }
            StaffEvent::StaffMemberUpdated { profile } => self.profile = Some(profile),
            StaffEvent::WorkingHoursSet { days } => self.working_hours = days,
            StaffEvent::TimeOffAdded {
                time_off_id,
                starts_at,
                ends_at,
                reason,
            } => self.time_off.push(TimeOff {
                id: time_off_id,
                starts_at,
                ends_at,
                reason,
            }),
            StaffEvent::TimeOffRemoved { time_off_id } => {
                self.time_off.retain(|t| t.id != time_off_id);
            }
            StaffEvent::ServicesOffered { service_ids } => self.service_ids = service_ids,
            StaffEvent::DailyAgendaChosen { wanted } => self.daily_agenda = wanted,
            StaffEvent::StaffMemberDeactivated => self.active = false,
            StaffEvent::StaffMemberReactivated => self.active = true,
        }
    }
}

impl Decide for StaffMember {
    /// Each command records at most one event: none when it repeats what is on record.
    fn decide(&self, command: StaffCommand) -> Result<Vec<StaffEvent>, StaffError> {
        let event = match command {
            StaffCommand::Add {
                staff_id,
                tenant_id,
                profile,
            } => {
                if self.staff_id.is_some() {
                    return Err(StaffError::AlreadyAdded);
                }
                StaffEvent::StaffMemberAdded {
                    staff_id,
                    business_id: tenant_id,
                    profile: profile::validate_profile(profile)?,
                }
            }
            StaffCommand::Update {
                tenant_id,
                name,
                role,
                email,
                phone,
            } => {
                let current = self.changeable_by(tenant_id)?;
                let profile = profile::validate_profile(StaffProfileInput {
                    name: name.unwrap_or_else(|| current.name.clone()),
                    role: role.unwrap_or_else(|| current.role.as_str().to_owned()),
                    email: email.unwrap_or_else(|| current.email.clone()),
                    phone: phone.unwrap_or_else(|| current.phone.clone()),
                })?;
                if &profile == current {
                    return Ok(Vec::new());
                }
                StaffEvent::StaffMemberUpdated { profile }
            }
            StaffCommand::SetWorkingHours { tenant_id, days } => {
                self.changeable_by(tenant_id)?;
                let days = crate::rota::validate_week(days)?;
                if days == self.working_hours {
                    return Ok(Vec::new());
                }
                StaffEvent::WorkingHoursSet { days }
            }
            StaffCommand::AddTimeOff {
                tenant_id,
                time_off_id,
                starts_at,
                ends_at,
                reason,
                now,
            } => {
                self.changeable_by(tenant_id)?;
                let off = time_off::validate_time_off(
                    time_off::Requested {
                        id: time_off_id,
                        starts_at,
                        ends_at,
                        reason,
                    },
                    now,
                )?;
                if self.time_off.iter().any(|t| t.id == time_off_id) {
                    // the same request decided again after a conflict: already recorded
                    return Ok(Vec::new());
                }
                StaffEvent::TimeOffAdded {
                    time_off_id: off.id,
                    starts_at: off.starts_at,
                    ends_at: off.ends_at,
                    reason: off.reason,
                }
            }
            StaffCommand::RemoveTimeOff {
                tenant_id,
                time_off_id,
            } => {
                self.changeable_by(tenant_id)?;
                if !self.time_off.iter().any(|t| t.id == time_off_id) {
                    return Err(StaffError::TimeOffNotFound);
                }
                StaffEvent::TimeOffRemoved { time_off_id }
            }
            StaffCommand::OfferServices {
                tenant_id,
                service_ids,
            } => {
                self.changeable_by(tenant_id)?;
                let service_ids = service_ids.map(distinct).transpose()?;
                if service_ids == self.service_ids {
                    return Ok(Vec::new());
                }
                StaffEvent::ServicesOffered { service_ids }
            }
            StaffCommand::Deactivate { tenant_id } => {
                self.profile_of(tenant_id)?;
                if !self.active {
                    return Ok(Vec::new());
                }
                StaffEvent::StaffMemberDeactivated
            }
            StaffCommand::Reactivate { tenant_id } => {
                self.profile_of(tenant_id)?;
                if self.active {
                    return Ok(Vec::new());
                }
                StaffEvent::StaffMemberReactivated
            }
            StaffCommand::ChooseDailyAgenda { tenant_id, wanted } => {
                let profile = self.profile_of(tenant_id)?;
                if wanted == self.daily_agenda {
                    return Ok(Vec::new());
                }
                if wanted && profile.email.is_none() {
                    return Err(StaffError::AgendaNeedsEmail);
                }
                StaffEvent::DailyAgendaChosen { wanted }
            }
        };
        Ok(vec![event])
    }
}

impl StaffMember {
    /// Another business's staff member does not exist for the caller.
    fn profile_of(&self, tenant_id: Uuid) -> Result<&StaffProfile, StaffError> {
        match (&self.profile, self.tenant_id) {
            (Some(profile), Some(owner)) if owner == tenant_id => Ok(profile),
            _ => Err(StaffError::NotFound),
        }
    }

    /// Only an active staff member's details change; a deactivated one is reactivated first.
    fn changeable_by(&self, tenant_id: Uuid) -> Result<&StaffProfile, StaffError> {
        let profile = self.profile_of(tenant_id)?;
        if !self.active {
            return Err(StaffError::Inactive);
        }
        Ok(profile)
    }
}

/// Drops repeated ids, keeping the first occurrence's order. The count is checked first, so a
/// huge list is refused before any work is done on it.
fn distinct(ids: Vec<Uuid>) -> Result<Vec<Uuid>, StaffError> {
    check_service_count(&ids)?;
    let mut seen = Vec::with_capacity(ids.len());
    for id in ids {
        if !seen.contains(&id) {
            seen.push(id);
        }
    }
    Ok(seen)
}

/// Whether a list of offered services is short enough to record (and to look up, for a caller
/// that checks each one exists before building the command).
pub fn check_service_count(ids: &[Uuid]) -> Result<(), StaffError> {
    if ids.len() > MAX_SERVICES {
        return Err(StaffError::TooManyServices);
    }
    Ok(())
}

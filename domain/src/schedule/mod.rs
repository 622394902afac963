//! The Schedule aggregate: one barber's one local day, and the owner of "no double booking".
//!
//! Every appointment and time-off block of a staff member on a date is a reservation on that
//! date's schedule (id [`ScheduleId`]). The aggregate refuses a reservation that overlaps a
//! live one, so two overlapping reservations could only both be recorded by two writers
//! appending at the same sequence, and the event store's optimistic lock lets exactly one of
//! them win; the loser is decided again on fresh state and refused.
//!
//! - this module: commands, errors, state, `decide`/`handle`/`apply`, the reads booking needs.
//! - [`day`]: the business's wall-clock day and working hours as UTC intervals, across DST.
//!
//! Pure: no I/O, no clock. The caller looks up the business's timezone and the staff member's
//! hours, breaks and time off, and passes what they mean for this date as `open` intervals.
//!
//! Rules a reservation follows, in the order they are checked:
//! 1. another business's schedule does not exist for the caller (`NotFound`), and a command for
//!    another staff member or date is a caller bug (`WrongSchedule`);
//! 2. a reservation id names one reservation for its whole life: the same id with the same
//!    times again records nothing (a retry), with other times is `ReservationExists`, and once
//!    released it cannot be reserved again (`ReservationReleased`);
//! 3. `starts_at < ends_at <= blocked_until` (`InvalidInterval`);
//! 4. `[starts_at, blocked_until)` lies inside the local day `date` in `tz` (`OutsideDay`): a
//!    reservation never spills onto a neighbouring schedule, where this one could not see it,
//!    so a time off over several days is reserved as one piece per day;
//! 5. an appointment's service, `[starts_at, ends_at)`, lies inside one `open` interval
//!    (`OutsideWorkingHours`); its buffer is clean-up time and may run past the end of the
//!    barber's hours or into a break, so the last slot before closing or lunch can be booked
//!    (rule 6 still keeps it clear of every other reservation); time off may cover anything;
//! 6. `[starts_at, blocked_until)` overlaps no live reservation's (half-open: touching is fine).

pub mod day;
mod moves;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use events::schedule::{ReservationKind, ScheduleEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::{handle_by_deciding, Decide};
pub use day::Interval;

/// Which barber's which local day a schedule is: its aggregate id, written
/// `{staff_id}:{YYYY-MM-DD}` (e.g. `0190…:2026-03-29`). Every booking of that barber on that
/// day contends for this one stream. The format is defined here only: write it with
/// `to_string()`, read it with `parse()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScheduleId {
    pub staff_id: Uuid,
    /// The local date in the business's timezone.
    pub date: NaiveDate,
}

impl ScheduleId {
    pub fn new(staff_id: Uuid, date: NaiveDate) -> Self {
        Self { staff_id, date }
    }
}

impl std::fmt::Display for ScheduleId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.staff_id, self.date.format("%Y-%m-%d"))
    }
}

impl std::str::FromStr for ScheduleId {
    type Err = String;

    fn from_str(id: &str) -> Result<Self, Self::Err> {
        let (staff_id, date) = parse_day_id(id, "schedule")?;
        Ok(Self { staff_id, date })
    }
}

/// The two halves of a day's id, `{uuid}:{YYYY-MM-DD}`: a barber's day ([`ScheduleId`]) and a
/// customer's day ([`crate::customer_day::CustomerDayId`]) are named alike.
pub(crate) fn parse_day_id(id: &str, kind: &str) -> Result<(Uuid, NaiveDate), String> {
    let (owner, date) = id
        .split_once(':')
        .ok_or_else(|| format!("{id:?} is not a {kind} id"))?;
    Ok((
        owner.parse().map_err(|e| format!("{id:?}: {e}"))?,
        NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|e| format!("{id:?}: {e}"))?,
    ))
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScheduleCommand {
    /// Hold `[starts_at, blocked_until)` of the day for an appointment or a time off.
    Reserve {
        reservation_id: Uuid,
        tenant_id: Uuid,
        staff_id: Uuid,
        /// The local date in the business's timezone; names the schedule.
        date: NaiveDate,
        /// The business's timezone, to know where `date` starts and ends in UTC.
        tz: Tz,
        kind: ReservationKind,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        /// `ends_at` plus the service's buffer.
        blocked_until: DateTime<Utc>,
        /// When the barber can be booked that day ([`day::open_intervals`]); ignored for time off.
        open: Vec<Interval>,
        /// The appointment or time off the reservation is for.
        holder: Uuid,
    },
    /// Move a live reservation of this day to another stretch of the same day, as one decision:
    /// the new stretch may overlap the one it replaces (a 10:00 appointment moved to 10:15), and
    /// the old one is released in the same append. Reserved under a new id (ids are never
    /// reused); the checks are those of `Reserve`.
    Move {
        reservation_id: Uuid,
        replaces: Uuid,
        tenant_id: Uuid,
        staff_id: Uuid,
        date: NaiveDate,
        tz: Tz,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        blocked_until: DateTime<Utc>,
        open: Vec<Interval>,
        /// The appointment moved.
        holder: Uuid,
    },
    /// Give the stretch back. Releasing an unknown or released reservation records nothing, so
    /// a retried step may send it as often as it likes.
    Release {
        reservation_id: Uuid,
        tenant_id: Uuid,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum ScheduleError {
    #[error("the schedule does not exist")]
    NotFound,
    #[error("the command is for another staff member or date than this schedule")]
    WrongSchedule,
    #[error("a reservation must start before it ends, and its buffer cannot end before it")]
    InvalidInterval,
    #[error("the reservation does not lie within the schedule's day")]
    OutsideDay,
    #[error("the slot is outside the staff member's working hours")]
    OutsideWorkingHours,
    #[error("the slot overlaps another appointment")]
    SlotTaken { conflicting: Uuid },
    #[error("the slot falls in the staff member's time off")]
    DuringTimeOff { conflicting: Uuid },
    #[error("the time off overlaps a booked appointment")]
    ConflictsWithAppointment { conflicting: Uuid },
    #[error("the reservation already exists with other times")]
    ReservationExists,
    #[error("the reservation was released and its id cannot be reserved again")]
    ReservationReleased,
}

/// Rules 3 to 6 of the module header: whether `wanted` fits on local date `date` in `tz`, with
/// the barber's `open` intervals, beside the live reservations `taken`. The Schedule decides
/// every reservation with it, and a search for free slots asks it of every start it offers, so
/// the two cannot disagree.
pub fn fits<'a>(
    wanted: &Reservation,
    tz: Tz,
    date: NaiveDate,
    open: &[Interval],
    taken: impl IntoIterator<Item = &'a Reservation>,
) -> Result<(), ScheduleError> {
    fits_within(wanted, day::day_bounds(tz, date), open, taken)
}

/// [`fits`], for a local day whose instants `bounds` are worked out once for many questions.
pub fn fits_within<'a>(
    wanted: &Reservation,
    bounds: Interval,
    open: &[Interval],
    taken: impl IntoIterator<Item = &'a Reservation>,
) -> Result<(), ScheduleError> {
    if !(wanted.starts_at < wanted.ends_at && wanted.ends_at <= wanted.blocked_until) {
        return Err(ScheduleError::InvalidInterval);
    }
    let blocked = wanted.blocked();
    if !bounds.contains(&blocked) {
        return Err(ScheduleError::OutsideDay);
    }
    if wanted.kind == ReservationKind::Appointment
        && !open.iter().any(|o| o.contains(&wanted.service()))
    {
        return Err(ScheduleError::OutsideWorkingHours);
    }
    let Some(taken) = taken.into_iter().find(|r| r.blocked().overlaps(&blocked)) else {
        return Ok(());
    };
    let conflicting = taken.id;
    Err(match (wanted.kind, taken.kind) {
        (ReservationKind::Appointment, ReservationKind::Appointment) => {
            ScheduleError::SlotTaken { conflicting }
        }
        (ReservationKind::TimeOff, ReservationKind::Appointment) => {
            ScheduleError::ConflictsWithAppointment { conflicting }
        }
        (_, ReservationKind::TimeOff) => ScheduleError::DuringTimeOff { conflicting },
    })
}

/// A live reservation: what holds which stretch of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reservation {
    pub id: Uuid,
    pub kind: ReservationKind,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub blocked_until: DateTime<Utc>,
    /// The appointment or time off it is for; `None` on reservations recorded before the
    /// schedule kept it.
    pub holder: Option<Uuid>,
}

impl Reservation {
    /// Whether `other` holds the same stretch under the same id (a retried reservation).
    fn same_as(&self, other: &Reservation) -> bool {
        (
            self.id,
            self.kind,
            self.starts_at,
            self.ends_at,
            self.blocked_until,
        ) == (
            other.id,
            other.kind,
            other.starts_at,
            other.ends_at,
            other.blocked_until,
        )
    }

    /// The service itself, which must lie in the barber's working hours.
    pub fn service(&self) -> Interval {
        Interval {
            start: self.starts_at,
            end: self.ends_at,
        }
    }

    /// The stretch nothing else may overlap: the service and its buffer.
    pub fn blocked(&self) -> Interval {
        Interval {
            start: self.starts_at,
            end: self.blocked_until,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Schedule {
    tenant_id: Option<Uuid>,
    staff_id: Option<Uuid>,
    date: Option<NaiveDate>,
    /// Live reservations, sorted by start.
    reservations: Vec<Reservation>,
    /// Ids released: an id names one reservation for its whole life.
    released: Vec<Uuid>,
}

impl Aggregate for Schedule {
    const TYPE: &'static str = events::schedule::AGGREGATE_TYPE;
    type Command = ScheduleCommand;
    type Event = ScheduleEvent;
    type Error = ScheduleError;
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
            ScheduleEvent::SlotReserved {
                reservation_id,
                business_id,
                staff_id,
                date,
                kind,
                starts_at,
                ends_at,
                blocked_until,
                holder,
            } => {
                self.tenant_id.get_or_insert(business_id);
                self.staff_id.get_or_insert(staff_id);
                self.date.get_or_insert(date);
                let at = self
                    .reservations
                    .partition_point(|r| r.starts_at <= starts_at);
                self.reservations.insert(
                    at,
                    Reservation {
                        id: reservation_id,
                        kind,
                        starts_at,
                        ends_at,
                        blocked_until,
                        holder,
                    },
                );
            }
            ScheduleEvent::SlotReleased { reservation_id } => {
                self.reservations.retain(|r| r.id != reservation_id);
                self.released.push(reservation_id);
            }
        }
    }
}

impl Decide for Schedule {
    /// The events a command causes, in order (none when it would change nothing), following
    /// the rules of the module header.
    fn decide(&self, command: ScheduleCommand) -> Result<Vec<ScheduleEvent>, ScheduleError> {
        if matches!(command, ScheduleCommand::Move { .. }) {
            return self.decide_move(command);
        }
        match command {
            ScheduleCommand::Reserve {
                reservation_id,
                tenant_id,
                staff_id,
                date,
                tz,
                kind,
                starts_at,
                ends_at,
                blocked_until,
                open,
                holder,
            } => {
                self.visible_to(tenant_id)?;
                if self.staff_id.is_some_and(|s| s != staff_id)
                    || self.date.is_some_and(|d| d != date)
                {
                    return Err(ScheduleError::WrongSchedule);
                }
                let wanted = Reservation {
                    id: reservation_id,
                    kind,
                    starts_at,
                    ends_at,
                    blocked_until,
                    holder: Some(holder),
                };
                if let Some(existing) = self.reservation(reservation_id) {
                    // the same request decided again (a retry, or after losing a race to itself)
                    if existing.same_as(&wanted) {
                        return Ok(Vec::new());
                    }
                    return Err(ScheduleError::ReservationExists);
                }
                if self.released.contains(&reservation_id) {
                    return Err(ScheduleError::ReservationReleased);
                }
                self.check(&wanted, tz, date, &open)?;
                Ok(vec![ScheduleEvent::SlotReserved {
                    reservation_id,
                    business_id: tenant_id,
                    staff_id,
                    date,
                    kind,
                    starts_at,
                    ends_at,
                    blocked_until,
                    holder: Some(holder),
                }])
            }
            ScheduleCommand::Release {
                reservation_id,
                tenant_id,
            } => {
                self.visible_to(tenant_id)?;
                Ok(self
                    .is_reserved(reservation_id)
                    .then_some(ScheduleEvent::SlotReleased { reservation_id })
                    .into_iter()
                    .collect())
            }
            // decided above
            ScheduleCommand::Move { .. } => Ok(Vec::new()),
        }
    }
}

impl Schedule {
    /// Rules 3 to 6 of the module header, for a reservation not yet on the schedule.
    fn check(
        &self,
        wanted: &Reservation,
        tz: Tz,
        date: NaiveDate,
        open: &[Interval],
    ) -> Result<(), ScheduleError> {
        self.check_ignoring(wanted, tz, date, open, None)
    }

    /// [`Self::check`], not counting reservation `ignoring` (the one a move replaces).
    fn check_ignoring(
        &self,
        wanted: &Reservation,
        tz: Tz,
        date: NaiveDate,
        open: &[Interval],
        ignoring: Option<Uuid>,
    ) -> Result<(), ScheduleError> {
        fits(
            wanted,
            tz,
            date,
            open,
            self.reservations.iter().filter(|r| Some(r.id) != ignoring),
        )
    }

    /// Another business's schedule does not exist for the caller; an empty one is anyone's.
    fn visible_to(&self, tenant_id: Uuid) -> Result<(), ScheduleError> {
        match self.tenant_id {
            Some(owner) if owner != tenant_id => Err(ScheduleError::NotFound),
            _ => Ok(()),
        }
    }

    /// The live reservations, sorted by start.
    pub fn reservations(&self) -> &[Reservation] {
        &self.reservations
    }

    /// The live reservation held by appointment (or time off) `holder`, if the schedule knows
    /// its holders.
    pub fn held_by(&self, holder: Uuid) -> Option<&Reservation> {
        self.reservations.iter().find(|r| r.holder == Some(holder))
    }

    /// A live reservation by id.
    pub fn reservation(&self, reservation_id: Uuid) -> Option<&Reservation> {
        self.reservations.iter().find(|r| r.id == reservation_id)
    }

    /// Whether `reservation_id` holds its slot now.
    pub fn is_reserved(&self, reservation_id: Uuid) -> bool {
        self.reservation(reservation_id).is_some()
    }

    /// Whether the schedule belongs to business `tenant_id`; an empty schedule belongs to none.
    pub fn belongs_to(&self, tenant_id: Uuid) -> bool {
        self.tenant_id == Some(tenant_id)
    }
}

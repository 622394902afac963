//! Time off goes through the barber's schedules too: the staff member records it and every
//! local day it touches blocks its stretch on that day's Schedule, in one decision. A booking
//! and a time off racing for the same stretch are then decided by the same aggregate, so exactly
//! one wins: the time off is refused (`conflicts_with_appointment`) or the booking is
//! (`during_time_off`). Withdrawing it records the removal and frees every day, in one decision
//! too.
//!
//! A time off over booked appointments is refused with the list of them, unless the request
//! says to move or cancel them: then that is part of the same decision ([`super::absence`]).
//!
//! A single time off lasts at most [`MAX_TIME_OFF_DAYS`] (one decision touches that many
//! days); a longer absence is several time offs back to back, or a deactivation of the staff
//! member, which makes them unbookable until they are reactivated.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::appointment::slot_reservation_id;
use domain::business::Business;
use domain::schedule::{day, Interval, Schedule, ScheduleCommand, ScheduleId};
use domain::staff::{StaffCommand, StaffError, StaffMember};
use events::schedule::ReservationKind;
use events::EventMetadata;
use uuid::Uuid;

use super::absence::{self, Bookings};
use super::{on_grid, retrying, BookingError};
use crate::store::{Committed, EventStore, Known, TimezoneFence};

pub use domain::staff::time_off::MAX_DAYS as MAX_TIME_OFF_DAYS;

/// A time off to add.
#[derive(Debug, Clone)]
pub struct TimeOffRequest {
    pub tenant_id: Uuid,
    pub staff_id: Uuid,
    pub time_off_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
    /// When the request was made: a time off that has ended, or starts beyond the horizon, is
    /// refused.
    pub now: DateTime<Utc>,
    /// What to do with appointments booked in the stretch.
    pub bookings: Bookings,
}

/// One day's block of a time off: which schedule, under which reservation id, which stretch.
struct Block {
    schedule: ScheduleId,
    reservation_id: Uuid,
    stretch: Interval,
    date: NaiveDate,
}

/// The blocks of `[starts_at, ends_at)`, one per local day it touches, numbered from 0.
fn blocks(
    tz: Tz,
    staff_id: Uuid,
    time_off_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut date = day::local_date_of(tz, starts_at);
    let mut number = 0;
    loop {
        let bounds = day::day_bounds(tz, date);
        if bounds.start >= ends_at {
            break;
        }
        if let Some(stretch) = Interval::new(starts_at.max(bounds.start), ends_at.min(bounds.end)) {
            blocks.push(Block {
                schedule: ScheduleId::new(staff_id, date),
                reservation_id: slot_reservation_id(time_off_id, number),
                stretch,
                date,
            });
            number += 1;
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    blocks
}

/// What an absence reads first: the staff member, and the business's timezone and its fence.
pub(super) struct StaffAndZone {
    pub staff: Known<StaffMember>,
    pub tz: Tz,
    pub fence: TimezoneFence,
}

pub(super) async fn staff_and_zone(
    store: &EventStore,
    tenant_id: Uuid,
    staff_id: Uuid,
) -> Result<StaffAndZone, BookingError> {
    let mut reading = store.reading();
    let staff = reading.want::<StaffMember>(&staff_id.to_string());
    let business = reading.want::<Business>(&tenant_id.to_string());
    let newer = reading.read().await?;
    let staff = newer.known(staff)?;
    let business = newer.fold(business)?;
    let tz = business.tz().ok_or(BookingError::BusinessNotFound)?;
    Ok(StaffAndZone {
        staff,
        tz,
        fence: TimezoneFence {
            business_id: tenant_id,
            timezone: business.timezone().to_owned(),
        },
    })
}

/// The schedules of `blocks`, in one statement.
async fn days(store: &EventStore, blocks: &[Block]) -> Result<Vec<Known<Schedule>>, BookingError> {
    let mut reading = store.reading();
    let wanted: Vec<_> = blocks
        .iter()
        .map(|b| reading.want::<Schedule>(&b.schedule.to_string()))
        .collect();
    let newer = reading.read().await?;
    Ok(wanted
        .into_iter()
        .map(|w| newer.known(w))
        .collect::<Result<_, _>>()?)
}

/// Records a time off on the staff member and blocks every day it covers.
#[tracing::instrument(skip(store, request, metadata), fields(staff_id = %request.staff_id))]
pub async fn add_time_off(
    store: &EventStore,
    request: TimeOffRequest,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    on_grid(request.starts_at)?;
    on_grid(request.ends_at)?;
    retrying(|| add_once(store, &request, metadata)).await
}

async fn add_once(
    store: &EventStore,
    request: &TimeOffRequest,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    let TimeOffRequest {
        tenant_id,
        staff_id,
        time_off_id,
        starts_at,
        ends_at,
        ref reason,
        now,
        ref bookings,
    } = *request;
    let StaffAndZone { staff, tz, fence } = staff_and_zone(store, tenant_id, staff_id).await?;
    let command = StaffCommand::AddTimeOff {
        tenant_id,
        time_off_id,
        starts_at,
        ends_at,
        reason: reason.clone(),
        now,
    };
    let mut decision = store.decision(metadata);
    // the staff member's own rules (tenant, active, a sane range) before any day is read
    decision
        .decide::<StaffMember>(&staff_id.to_string(), staff, command)
        .await?;
    let blocks = blocks(tz, staff_id, time_off_id, starts_at, ends_at);
    let days: Vec<(ScheduleId, Known<Schedule>)> = blocks
        .iter()
        .map(|b| b.schedule)
        .zip(days(store, &blocks).await?)
        .collect();
    // the appointments in the way: listed, moved or cancelled (their slots given back first)
    let views: Vec<_> = days.iter().map(|(id, day)| (*id, &day.state)).collect();
    let within =
        Interval::new(starts_at, ends_at).ok_or(BookingError::Staff(StaffError::InvalidTimeOff))?;
    let found = absence::in_the_way(store, &views, within).await?;
    absence::clear(
        store,
        &mut decision,
        (tenant_id, staff_id),
        found,
        &days,
        bookings,
        (metadata, now),
    )
    .await?;
    for (block, (_, day)) in blocks.iter().zip(days) {
        let reserve = ScheduleCommand::Reserve {
            reservation_id: block.reservation_id,
            tenant_id,
            staff_id,
            date: block.date,
            tz,
            kind: ReservationKind::TimeOff,
            starts_at: block.stretch.start,
            ends_at: block.stretch.end,
            blocked_until: block.stretch.end,
            open: Vec::new(),
            holder: time_off_id,
        };
        decision
            .decide::<Schedule>(&block.schedule.to_string(), day, reserve)
            .await?;
    }
    decision.fence(fence);
    Ok(decision.record().await?)
}

/// Withdraws a time off: the staff member records the removal and every day it blocked is
/// freed.
#[tracing::instrument(skip(store, metadata))]
pub async fn remove_time_off(
    store: &EventStore,
    tenant_id: Uuid,
    staff_id: Uuid,
    time_off_id: Uuid,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    retrying(|| remove_once(store, tenant_id, staff_id, time_off_id, metadata)).await
}

async fn remove_once(
    store: &EventStore,
    tenant_id: Uuid,
    staff_id: Uuid,
    time_off_id: Uuid,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    let StaffAndZone { staff, tz, fence } = staff_and_zone(store, tenant_id, staff_id).await?;
    let span = staff
        .state
        .time_off()
        .iter()
        .find(|t| t.id == time_off_id)
        .map(|t| (t.starts_at, t.ends_at));
    let command = StaffCommand::RemoveTimeOff {
        tenant_id,
        time_off_id,
    };
    let mut decision = store.decision(metadata);
    decision
        .decide::<StaffMember>(&staff_id.to_string(), staff, command)
        .await?;
    let Some((starts_at, ends_at)) = span else {
        return Err(BookingError::Staff(StaffError::TimeOffNotFound));
    };
    // the days as they were blocked: the timezone cannot have moved while the time off lay
    // ahead, and the fence makes sure it does not move now
    let blocks = blocks(tz, staff_id, time_off_id, starts_at, ends_at);
    for (block, day) in blocks.iter().zip(days(store, &blocks).await?) {
        let release = ScheduleCommand::Release {
            reservation_id: block.reservation_id,
            tenant_id,
        };
        decision
            .decide::<Schedule>(&block.schedule.to_string(), day, release)
            .await?;
    }
    decision.fence(fence);
    Ok(decision.record().await?)
}

//! Time off goes through the barber's schedules too: each local day it touches gets a time-off
//! block on that day's Schedule before the time off is recorded on the staff member. A booking
//! and a time off racing for the same stretch are then decided by the same aggregate, so exactly
//! one wins: the time off is refused (`conflicts_with_appointment`) or the booking is
//! (`during_time_off`). Removing a time off records the removal, then frees its blocks.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use events::schedule::ReservationKind;
use events::EventMetadata;
use uuid::Uuid;

use super::reconciler::{self, Owner};
use super::{hold, release, store_error, BookingError, Pending};
use crate::appointment::slot_reservation_id;
use crate::business::Business;
use crate::schedule::{day, schedule_id, Interval, ScheduleCommand};
use crate::staff::{StaffCommand, StaffMember};
use crate::store::{Committed, EventStore};

/// A time off to add.
#[derive(Debug, Clone)]
pub struct TimeOffRequest {
    pub tenant_id: Uuid,
    pub staff_id: Uuid,
    pub time_off_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// One day's block of a time off: which schedule, under which reservation id, which stretch.
struct Block {
    schedule: String,
    reservation_id: Uuid,
    stretch: Interval,
    date: chrono::NaiveDate,
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
    while let Some(stretch) = {
        let bounds = day::day_bounds(tz, date);
        (bounds.start < ends_at)
            .then(|| Interval::new(starts_at.max(bounds.start), ends_at.min(bounds.end)))
    } {
        if let Some(stretch) = stretch {
            blocks.push(Block {
                schedule: schedule_id(staff_id, date),
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

async fn timezone(store: &EventStore, tenant_id: Uuid) -> Result<Tz, BookingError> {
    let business: Business = store
        .load(&tenant_id.to_string())
        .await
        .map_err(store_error)?;
    business.tz().ok_or(BookingError::BusinessNotFound)
}

/// Blocks every day of the time off on the schedules, then records it on the staff member.
#[tracing::instrument(skip(store, request, metadata), fields(staff_id = %request.staff_id))]
pub async fn add_time_off(
    store: &EventStore,
    request: TimeOffRequest,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    let TimeOffRequest {
        tenant_id,
        staff_id,
        time_off_id,
        starts_at,
        ends_at,
        reason,
    } = request;
    let staff: StaffMember = store.load(&staff_id.to_string()).await?;
    let command = StaffCommand::AddTimeOff {
        tenant_id,
        time_off_id,
        starts_at,
        ends_at,
        reason,
    };
    // the staff member's own rules (tenant, active, a sane range) before any schedule is touched
    staff.decide(command.clone()).map_err(BookingError::Staff)?;
    let tz = timezone(store, tenant_id).await?;
    let owner = Owner::TimeOff(time_off_id);
    let mut held: Vec<Block> = Vec::new();
    for block in blocks(tz, staff_id, time_off_id, starts_at, ends_at) {
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
        };
        let pending = Pending {
            schedule: &block.schedule,
            reservation_id: block.reservation_id,
            owner,
            tenant_id,
        };
        if let Err(err) = hold(store, pending, reserve, metadata).await {
            give_back(store, &held, tenant_id, metadata).await;
            return Err(err);
        }
        held.push(block);
    }
    match store
        .execute::<StaffMember>(&staff_id.to_string(), command, metadata)
        .await
    {
        Ok(committed) => {
            for block in &held {
                reconciler::forget(store.pool(), block.reservation_id).await?;
            }
            Ok(committed)
        }
        Err(err) => {
            give_back(store, &held, tenant_id, metadata).await;
            Err(err.into())
        }
    }
}

/// Records the removal of a time off on the staff member, then frees its blocks.
#[tracing::instrument(skip(store, metadata))]
pub async fn remove_time_off(
    store: &EventStore,
    tenant_id: Uuid,
    staff_id: Uuid,
    time_off_id: Uuid,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    let staff: StaffMember = store.load(&staff_id.to_string()).await?;
    let span = staff
        .time_off()
        .iter()
        .find(|t| t.id == time_off_id)
        .map(|t| (t.starts_at, t.ends_at));
    let command = StaffCommand::RemoveTimeOff {
        tenant_id,
        time_off_id,
    };
    let committed = store
        .execute::<StaffMember>(&staff_id.to_string(), command, metadata)
        .await?;
    if let Some((starts_at, ends_at)) = span {
        let tz = timezone(store, tenant_id).await?;
        let blocks = blocks(tz, staff_id, time_off_id, starts_at, ends_at);
        for block in &blocks {
            let owner = Owner::TimeOff(time_off_id);
            reconciler::remember(
                store.pool(),
                block.reservation_id,
                owner,
                &block.schedule,
                tenant_id,
            )
            .await?;
        }
        give_back(store, &blocks, tenant_id, metadata).await;
    }
    Ok(committed)
}

async fn give_back(
    store: &EventStore,
    blocks: &[Block],
    tenant_id: Uuid,
    metadata: &EventMetadata,
) {
    for block in blocks {
        release(
            store,
            &block.schedule,
            block.reservation_id,
            tenant_id,
            metadata,
        )
        .await;
    }
}

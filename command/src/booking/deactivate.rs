//! Deactivating a barber: no longer bookable, and nothing booked with them stranded. Their
//! appointments ahead are listed (409 `bookings_in_the_way`), or moved or cancelled in the same
//! decision as the deactivation ([`super::absence`]).
//!
//! A booking for that barber on a day the deactivation did not look at must not slip in
//! meanwhile: bookings hold the barber's staff fence (shared, with a check that the barber is
//! still active, see `store::append`), and the deactivation records under it exclusively after
//! checking that none of the barber's days changed since it read them (else it is decided
//! again), so the bookings in flight are committed (and found) first, and those after it see
//! the barber inactive and are refused.

use chrono::{DateTime, Duration, Utc};
use domain::schedule::{day, Interval, Schedule, ScheduleId};
use domain::staff::{StaffCommand, StaffMember};
use events::EventMetadata;
use uuid::Uuid;

use super::absence::{self, Bookings};
use super::time_off::{staff_and_zone, StaffAndZone};
use super::{retrying, BookingError};
use crate::store::{Committed, EventStore, Known};

/// Each of the barber's days in `range` (schedule ids) with its newest sequence, in id order.
async fn days_now(
    transaction: &mut sqlx::PgConnection,
    tenant_id: Uuid,
    (first, past_last): &(String, String),
) -> Result<Vec<(String, i64)>, BookingError> {
    Ok(sqlx::query_as(
        r#"select day.aggregate_id,
                  (select max(sequence) from events e
                    where e.aggregate_type = $2 and e.aggregate_id = day.aggregate_id)
             from events day
            where day.tenant_id = $1 and day.aggregate_type = $2 and day.sequence = 1
              and day.aggregate_id collate "C" >= $3 and day.aggregate_id collate "C" < $4
            order by day.aggregate_id collate "C""#,
    )
    .bind(tenant_id)
    .bind(events::schedule::AGGREGATE_TYPE)
    .bind(first)
    .bind(past_last)
    .fetch_all(&mut *transaction)
    .await?)
}

/// A deactivation.
#[derive(Debug, Clone)]
pub struct DeactivationRequest {
    pub tenant_id: Uuid,
    pub staff_id: Uuid,
    /// What to do with the barber's appointments ahead.
    pub bookings: Bookings,
    pub now: DateTime<Utc>,
}

/// Deactivates a barber, clearing their appointments ahead as the request says.
#[tracing::instrument(skip(store, request, metadata), fields(staff_id = %request.staff_id))]
pub async fn deactivate_staff(
    store: &EventStore,
    request: DeactivationRequest,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    retrying(|| deactivate_once(store, &request, metadata)).await
}

async fn deactivate_once(
    store: &EventStore,
    request: &DeactivationRequest,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    let DeactivationRequest {
        tenant_id,
        staff_id,
        ref bookings,
        now,
    } = *request;
    let StaffAndZone { staff, tz, fence } = staff_and_zone(store, tenant_id, staff_id).await?;
    let mut decision = store.decision(metadata);
    let was_active = staff.state.is_active();
    decision
        .decide::<StaffMember>(
            &staff_id.to_string(),
            staff,
            StaffCommand::Deactivate { tenant_id },
        )
        .await?;
    // the barber's days from yesterday on (a late appointment may still run past midnight)
    let from = day::local_date_of(tz, now - Duration::days(1));
    let range = (
        ScheduleId::new(staff_id, from).to_string(),
        format!("{staff_id};"),
    );
    let mut seen = Vec::new();
    if was_active {
        let ids = store
            .records_of::<Schedule>(tenant_id, Some((&range.0, &range.1)))
            .await?;
        let mut reading = store.reading();
        let wanted: Vec<_> = ids.iter().map(|id| reading.want::<Schedule>(id)).collect();
        let newer = reading.read().await?;
        let mut days: Vec<(ScheduleId, Known<Schedule>)> = Vec::with_capacity(ids.len());
        for (id, wanted) in ids.iter().zip(wanted) {
            let known = newer.known(wanted)?;
            seen.push((
                id.clone(),
                i64::try_from(known.sequence).unwrap_or(i64::MAX),
            ));
            if let Ok(id) = id.parse::<ScheduleId>() {
                days.push((id, known));
            }
        }
        let views: Vec<_> = days.iter().map(|(id, day)| (*id, &day.state)).collect();
        let ahead = Interval {
            start: now,
            end: DateTime::<Utc>::MAX_UTC,
        };
        let found = absence::in_the_way(store, &views, ahead).await?;
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
        decision.fence(fence);
    }
    // recorded under the barber's fence, exclusively: bookings in flight finish first, and if
    // any of them (or anything else) changed the barber's days since they were read, the step
    // is decided again; bookings after it see the barber inactive. Only this transaction's
    // connection is used while the lock is held, so bookings waiting for it cannot starve it.
    let mut transaction = store.pool().begin().await?;
    sqlx::query("select pg_advisory_xact_lock(hashtext('barber-staff-fence'), hashtext($1::text))")
        .bind(staff_id)
        .execute(&mut *transaction)
        .await?;
    if was_active && days_now(&mut transaction, tenant_id, &range).await? != seen {
        return Err(BookingError::Conflict);
    }
    let appended = decision.append_within(&mut transaction).await?;
    transaction.commit().await?;
    Ok(appended.committed())
}

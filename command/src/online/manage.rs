//! What a manage link's holder may do: cancel (not inside the business's cancellation window)
//! and move the booking, by the same steps and rules as the front desk's.

use chrono::{DateTime, Duration, Utc};
use domain::appointment::Appointment;
use domain::business::Business;
use domain::staff::StaffMember;
use events::EventMetadata;
use platform::ApiError;
use uuid::Uuid;

use super::{links, off, PUBLIC};
use crate::booking::{self, CancelRequest, RescheduleRequest};
use crate::store::{Committed, EventStore};

/// `by` in a cancellation made through a manage link.
const CUSTOMER: &str = "customer";

/// The booking a link names, and its business, as the event store has them now.
async fn booking(
    store: &EventStore,
    token: &str,
) -> Result<(Uuid, Business, Uuid, Appointment), ApiError> {
    let (tenant_id, appointment_id) = links::find(store.pool(), token).await?;
    let appointment: Appointment = store.load(&appointment_id.to_string()).await?;
    if !appointment.belongs_to(tenant_id) {
        return Err(links::not_found());
    }
    let business: Business = store.load(&tenant_id.to_string()).await?;
    Ok((tenant_id, business, appointment_id, appointment))
}

/// 409 `cancellation_window_passed` once the start is within the business's cancellation
/// window: from then on only the shop changes the booking.
fn before_window(
    business: &Business,
    appointment: &Appointment,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let window = Duration::minutes(i64::from(business.policy().cancellation_window_minutes));
    match appointment.starts_at() {
        Some(starts_at) if now + window > starts_at => Err(ApiError::conflict(
            "cancellation_window_passed",
            format!(
                "the booking can no longer be changed online ({} minutes before its start or \
                 later); please call the shop",
                business.policy().cancellation_window_minutes
            ),
        )),
        _ => Ok(()),
    }
}

/// Cancels the booking the link names; answers its appointment.
pub async fn cancel(
    store: &EventStore,
    token: &str,
    reason: Option<String>,
    correlation_id: &str,
    now: DateTime<Utc>,
) -> Result<(Uuid, Committed), ApiError> {
    let (tenant_id, business, appointment_id, appointment) = booking(store, token).await?;
    before_window(&business, &appointment, now)?;
    let metadata = EventMetadata::for_command(tenant_id, PUBLIC, correlation_id);
    let request = CancelRequest {
        tenant_id,
        appointment_id,
        by: CUSTOMER.to_owned(),
        reason,
    };
    Ok((
        appointment_id,
        booking::cancel(store, request, &metadata, now).await?,
    ))
}

/// Moves the booking the link names to `starts_at` (and barber `staff_id`, one offered
/// online), as the front desk would; answers its appointment.
pub async fn reschedule(
    store: &EventStore,
    token: &str,
    (starts_at, staff_id): (DateTime<Utc>, Option<Uuid>),
    correlation_id: &str,
    now: DateTime<Utc>,
) -> Result<(Uuid, Committed), ApiError> {
    let (tenant_id, business, appointment_id, appointment) = booking(store, token).await?;
    let offered = business.online_booking();
    if !offered.enabled {
        return Err(off());
    }
    before_window(&business, &appointment, now)?;
    if let Some(staff_id) = staff_id {
        let staff: StaffMember = store.load(&staff_id.to_string()).await?;
        if !staff.belongs_to(tenant_id) || !offered.offers_staff(staff_id) {
            return Err(ApiError::not_found(
                "staff_not_found",
                "the business offers no such barber online",
            ));
        }
    }
    let metadata = EventMetadata::for_command(tenant_id, PUBLIC, correlation_id);
    let request = RescheduleRequest {
        tenant_id,
        appointment_id,
        starts_at,
        staff_id,
    };
    Ok((
        appointment_id,
        booking::reschedule(store, request, &metadata, now).await?,
    ))
}

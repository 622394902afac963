//! Whether a business may move to another timezone. A barber's day is keyed by its local date,
//! so after a move a booked instant can fall on another day's Schedule than the one holding its
//! reservation, and two bookings could overlap unseen. A move is therefore refused while any
//! barber has a reservation (an appointment or a time off) that has not ended yet.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use super::{store_error, BookingError};
use crate::schedule::{day, Schedule};
use crate::store::EventStore;

/// Whether any barber of the business holds a reservation that ends after `now`.
#[tracing::instrument(skip(store))]
pub async fn has_reservations_ahead(
    store: &EventStore,
    tenant_id: Uuid,
    timezone: Tz,
    now: DateTime<Utc>,
) -> Result<bool, BookingError> {
    // yesterday's local date: a late appointment may still be running past midnight
    let from = day::local_date_of(timezone, now - Duration::days(1));
    let days: Vec<String> = sqlx::query_scalar(
        "select distinct aggregate_id from events
          where tenant_id = $1 and aggregate_type = $2
            and split_part(aggregate_id, ':', 2) >= $3",
    )
    .bind(tenant_id)
    .bind(events::schedule::AGGREGATE_TYPE)
    .bind(from.format("%Y-%m-%d").to_string())
    .fetch_all(store.pool())
    .await?;
    for id in days {
        let schedule: Schedule = store.load(&id).await.map_err(store_error)?;
        if schedule
            .reservations()
            .iter()
            .any(|r| r.blocked_until > now)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

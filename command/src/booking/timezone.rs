//! A business's settings, and the two of them that reach beyond the business: its currency
//! (every service is re-priced in the same step, see `currency`) and its timezone, which moves
//! chairs. A barber's day is
//! keyed by its local date, so after a move a booked instant can fall on another day's Schedule
//! than the one holding its reservation, and two bookings could overlap unseen. A new timezone
//! is therefore taken only while no barber holds a reservation (an appointment or a time off)
//! that has not ended, and that is decided under the business's timezone fence: every step
//! decided on the old zone is either recorded before the check (and seen by it) or refused
//! after it (and decided again on the new zone).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use domain::business::{Business, BusinessCommand};
use domain::schedule::{day, Schedule};
use events::EventMetadata;
use uuid::Uuid;

use super::{currency, retrying, BookingError};
use crate::store::{Committed, EventStore};

/// A change of a business's settings; fields left `None` stay as they are (`country:
/// Some(None)` removes the country).
#[derive(Debug, Clone)]
pub struct SettingsRequest {
    pub tenant_id: Uuid,
    pub name: Option<String>,
    pub timezone: Option<String>,
    pub currency: Option<String>,
    pub country: Option<Option<String>>,
    /// With a new currency: each service's new price in it, by service id (`currency`).
    pub prices: HashMap<Uuid, i64>,
}

/// Renames the business, or moves it to another timezone or currency; a timezone only while
/// nothing lies ahead (`TimezoneHasBookings`).
#[tracing::instrument(skip(store, request, metadata))]
pub async fn change_settings(
    store: &EventStore,
    request: SettingsRequest,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    retrying(|| change_once(store, &request, metadata, now)).await
}

async fn change_once(
    store: &EventStore,
    request: &SettingsRequest,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    let tenant_id = request.tenant_id;
    let id = tenant_id.to_string();
    let command = BusinessCommand::ChangeSettings {
        tenant_id,
        name: request.name.clone(),
        timezone: request.timezone.clone(),
        currency: request.currency.clone(),
        country: request.country.clone(),
    };
    if request.currency.is_none() && !request.prices.is_empty() {
        return Err(BookingError::PricesWithoutNewCurrency);
    }
    if request.timezone.is_none() && request.currency.is_none() {
        // a rename or a new country moves no chair and prices nothing: nothing to hold back
        return Ok(store.execute::<Business>(&id, command, metadata).await?);
    }
    // everything below runs on the transaction's connection: steps waiting at the fence hold
    // connections of the pool
    let mut transaction = store.pool().begin().await?;
    let mut reading = store.reading();
    let wanted = reading.want::<Business>(&id);
    let current = reading
        .read_on(&mut *transaction)
        .await?
        .fold(wanted)?
        .timezone()
        .to_owned();
    // the fence: created if the business predates it, then held until the change commits;
    // steps decided on the old zone that got past it are all committed once the lock is held
    sqlx::query(
        "insert into business_timezones (business_id, timezone) values ($1, $2)
         on conflict (business_id) do nothing",
    )
    .bind(tenant_id)
    .bind(&current)
    .execute(&mut *transaction)
    .await?;
    // the fence's lock, exclusively: waits for the steps in flight (they hold it shared until
    // they commit) and holds back new ones until this transaction ends
    sqlx::query(
        "select pg_advisory_xact_lock(hashtext('barber-timezone-fence'), hashtext($1::text))",
    )
    .bind(tenant_id)
    .execute(&mut *transaction)
    .await?;
    let (fenced, fenced_currency): (String, Option<String>) =
        sqlx::query_as("select timezone, currency from business_timezones where business_id = $1")
            .bind(tenant_id)
            .fetch_one(&mut *transaction)
            .await?;
    // decided on the business as it is now that nothing else can move its zone
    let mut reading = store.reading();
    let wanted = reading.want::<Business>(&id);
    let business = reading.read_on(&mut *transaction).await?.known(wanted)?;
    let before_currency = business.state.currency().to_owned();
    let mut decision = store.decision(metadata);
    let after = decision.decide::<Business>(&id, business, command).await?;
    let repricing = after.currency() != before_currency;
    if repricing {
        // services are created behind this fence: none appears in the old currency meanwhile
        let new = (tenant_id, after.currency());
        currency::reprice(store, &mut transaction, &mut decision, new, &request.prices).await?;
    } else if !request.prices.is_empty() {
        return Err(BookingError::PricesWithoutNewCurrency);
    }
    let moving = after.timezone() != fenced;
    if moving {
        let tz = fenced
            .parse::<Tz>()
            .map_err(|e| BookingError::Store(e.into()))?;
        if has_reservations_ahead(&mut transaction, store, tenant_id, tz, now).await? {
            return Err(BookingError::TimezoneHasBookings);
        }
    }
    let appended = decision.append_within(&mut transaction).await?;
    if moving {
        sqlx::query("update business_timezones set timezone = $2 where business_id = $1")
            .bind(tenant_id)
            .bind(after.timezone())
            .execute(&mut *transaction)
            .await?;
    }
    if repricing || fenced_currency.is_none() {
        sqlx::query("update business_timezones set currency = $2 where business_id = $1")
            .bind(tenant_id)
            .bind(after.currency())
            .execute(&mut *transaction)
            .await?;
    }
    transaction.commit().await?;
    Ok(appended.committed())
}

/// Whether any barber of the business holds a reservation that ends after `now`, on the
/// schedules of days in `timezone`.
async fn has_reservations_ahead(
    transaction: &mut sqlx::PgConnection,
    store: &EventStore,
    tenant_id: Uuid,
    timezone: Tz,
    now: DateTime<Utc>,
) -> Result<bool, BookingError> {
    // from yesterday's local date: a late appointment may still be running past midnight
    let from = day::local_date_of(timezone, now - Duration::days(1));
    let days: Vec<String> = sqlx::query_scalar(
        "select distinct aggregate_id from events
          where tenant_id = $1 and aggregate_type = $2 and event_type = 'SlotReserved'
            and (payload -> 'SlotReserved' ->> 'date')::date >= $3",
    )
    .bind(tenant_id)
    .bind(events::schedule::AGGREGATE_TYPE)
    .bind(from)
    .fetch_all(&mut *transaction)
    .await?;
    let mut reading = store.reading();
    let wanted: Vec<_> = days.iter().map(|id| reading.want::<Schedule>(id)).collect();
    let newer = reading.read_on(&mut *transaction).await?;
    for schedule in wanted {
        let schedule = newer.fold(schedule)?;
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

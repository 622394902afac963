//! The facts a booking is decided on, read from the aggregates that own them (strongly
//! consistent, from the event store) and checked before any slot is reserved.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use events::business::BookingPolicy;
use uuid::Uuid;

use super::{store_error, BookingError};
use crate::business::Business;
use crate::customer::Customer;
use crate::service::Service;
use crate::staff::StaffMember;
use crate::store::EventStore;

/// Everything `book` needs to know about the business, the service, the barber and the customer.
pub(super) struct Facts {
    pub timezone: Tz,
    pub policy: BookingPolicy,
    pub service_name: String,
    pub duration: Duration,
    pub buffer: Duration,
    pub price_cents: i64,
    pub currency: String,
    pub staff: StaffMember,
}

/// Loads and checks the facts; a fact that does not hold is the client's error.
pub(super) async fn gather(
    store: &EventStore,
    tenant_id: Uuid,
    customer_id: Option<Uuid>,
    staff_id: Uuid,
    service_id: Uuid,
) -> Result<Facts, BookingError> {
    // four independent reads: in parallel, one round trip of latency instead of four
    let (business, service, staff, customer) = tokio::try_join!(
        async {
            store
                .load::<Business>(&tenant_id.to_string())
                .await
                .map_err(store_error)
        },
        async {
            store
                .load::<Service>(&service_id.to_string())
                .await
                .map_err(store_error)
        },
        async {
            store
                .load::<StaffMember>(&staff_id.to_string())
                .await
                .map_err(store_error)
        },
        async {
            match customer_id {
                Some(id) => store
                    .load::<Customer>(&id.to_string())
                    .await
                    .map(Some)
                    .map_err(store_error),
                None => Ok(None),
            }
        },
    )?;
    if !business.is_open() {
        return Err(BookingError::BusinessNotFound);
    }
    let timezone = business.tz().ok_or(BookingError::BusinessNotFound)?;
    if !service.is_bookable_by(tenant_id) {
        return Err(BookingError::ServiceNotFound);
    }
    if !staff.belongs_to(tenant_id) {
        return Err(BookingError::StaffNotFound);
    }
    if !staff.is_active() {
        return Err(BookingError::StaffInactive);
    }
    if !staff.offers(service_id) {
        return Err(BookingError::ServiceNotOffered);
    }
    if customer.is_some_and(|c| !c.belongs_to(tenant_id)) {
        return Err(BookingError::CustomerNotFound);
    }
    let (minutes, buffer) = service.minutes().ok_or(BookingError::ServiceNotFound)?;
    let policy = business.policy().clone();
    let buffer = if buffer == 0 {
        policy.default_buffer_minutes
    } else {
        buffer
    };
    let (price_cents, currency) = service.price();
    Ok(Facts {
        timezone,
        service_name: service.name().unwrap_or_default().to_owned(),
        duration: Duration::minutes(i64::from(minutes)),
        buffer: Duration::minutes(i64::from(buffer)),
        price_cents,
        currency: currency.to_owned(),
        policy,
        staff,
    })
}

/// The booking window of the policy: not in the past, not inside the minimum lead time (walk-ins
/// excepted: they are already in the shop), not beyond the horizon.
pub(super) fn check_window(
    policy: &BookingPolicy,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
    walk_in: bool,
) -> Result<(), BookingError> {
    if walk_in {
        // a walk-in starts about now: a few minutes either way is the front desk's clock
        if (starts_at - now).num_minutes().abs() > 15 {
            return Err(BookingError::WalkInNotNow);
        }
        return Ok(());
    }
    if starts_at < now {
        return Err(BookingError::InThePast);
    }
    if starts_at < now + Duration::minutes(i64::from(policy.min_lead_minutes)) {
        return Err(BookingError::InsideLeadTime(policy.min_lead_minutes));
    }
    if starts_at > now + Duration::days(i64::from(policy.max_advance_days)) {
        return Err(BookingError::BeyondHorizon(policy.max_advance_days));
    }
    Ok(())
}

impl Facts {
    /// When the barber works on local date `date`: that weekday's hours less breaks, in UTC.
    /// Time off is not subtracted here: it is blocked on the day's Schedule, which refuses an
    /// overlapping booking as `during_time_off` (and decides a race between the two).
    pub(super) fn open_intervals(&self, date: chrono::NaiveDate) -> Vec<crate::schedule::Interval> {
        use chrono::Datelike;
        let Some(day) = self.staff.working_hours_on(date.weekday()) else {
            return Vec::new();
        };
        let breaks: Vec<_> = day.breaks.iter().map(|b| (b.start, b.end)).collect();
        crate::schedule::day::open_intervals(
            self.timezone,
            date,
            &[(day.start, day.end)],
            &breaks,
            &[],
        )
    }
}

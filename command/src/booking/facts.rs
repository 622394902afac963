//! The facts a booking is decided on, read from the aggregates that own them (strongly
//! consistent, from the event store) and checked before any slot is reserved.
//!
//! When a barber can be booked on a day is their working hours (less breaks) within the
//! business's opening hours (less its breaks), both local wall-clock times in the business's
//! timezone, each turned into UTC for that date before they are intersected.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use events::business::BookingPolicy;
use events::staff::WorkingDay;
use uuid::Uuid;

use super::BookingError;
use crate::business::Business;
use crate::customer::Customer;
use crate::customer_day::{CustomerDay, CustomerDayId};
use crate::schedule::{day, Interval, Schedule, ScheduleId};
use crate::service::Service;
use crate::staff::StaffMember;
use crate::store::{EventStore, Known, TimezoneFence};

/// What a step asks about.
pub(super) struct Lookup {
    pub tenant_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub staff_id: Uuid,
    pub service_id: Uuid,
    /// The instant whose barber-day is read with the facts.
    pub starts_at: DateTime<Utc>,
    /// Another barber-day to read with them (the one a reschedule leaves).
    pub also: Option<ScheduleId>,
    /// Whose customer's day of `starts_at` to read (the customer of the appointment).
    pub customer_day: Option<Uuid>,
    /// Another customer-day to read with them (the one a reschedule leaves).
    pub also_customer_day: Option<CustomerDayId>,
}

/// Everything a step needs to know about the business, the service, the barber and the
/// customer, and the barber's day it falls on.
pub(super) struct Facts {
    pub timezone: Tz,
    /// The step is recorded only while the business still has this timezone.
    pub fence: TimezoneFence,
    pub policy: BookingPolicy,
    pub service_name: String,
    pub duration: Duration,
    pub buffer: Duration,
    pub price_cents: i64,
    pub currency: String,
    pub staff: StaffMember,
    /// The business's week, Monday first; `None` if it never set opening hours (then only
    /// the barber's hours count).
    pub opening_hours: Option<Vec<WorkingDay>>,
    /// The local date of `starts_at`, and the barber's Schedule of that day.
    pub date: NaiveDate,
    pub day: Known<Schedule>,
    /// The Schedule [`Lookup::also`] asked for.
    pub other_day: Option<Known<Schedule>>,
    /// The customer's day of `date`, when [`Lookup::customer_day`] asked for it.
    pub customer_day: Option<(CustomerDayId, Known<CustomerDay>)>,
    /// The CustomerDay [`Lookup::also_customer_day`] asked for.
    pub other_customer_day: Option<Known<CustomerDay>>,
}

/// Loads and checks the facts; a fact that does not hold is the client's error.
pub(super) async fn gather(store: &EventStore, lookup: Lookup) -> Result<Facts, BookingError> {
    let Lookup {
        tenant_id,
        customer_id,
        staff_id,
        service_id,
        starts_at,
        also,
        customer_day,
        also_customer_day,
    } = lookup;
    // the aggregates in one statement: the events newer than what this process last saw
    let mut reading = store.reading();
    let business = reading.want::<Business>(&tenant_id.to_string());
    // the barber's day too, on the business's timezone as last seen (checked below)
    let guess = business.cached().tz().map(|tz| {
        let id = ScheduleId::new(staff_id, day::local_date_of(tz, starts_at));
        (id, reading.want::<Schedule>(&id.to_string()))
    });
    let other = also.map(|id| reading.want::<Schedule>(&id.to_string()));
    let customer_guess = customer_day.and_then(|customer_id| {
        let date = day::local_date_of(business.cached().tz()?, starts_at);
        let id = CustomerDayId { customer_id, date };
        Some((id, reading.want::<CustomerDay>(&id.to_string())))
    });
    let other_customer = also_customer_day.map(|id| reading.want::<CustomerDay>(&id.to_string()));
    let service = reading.want::<Service>(&service_id.to_string());
    let staff = reading.want::<StaffMember>(&staff_id.to_string());
    let customer = customer_id.map(|id| reading.want::<Customer>(&id.to_string()));
    let newer = reading.read().await?;
    let business = newer.fold(business)?;
    let service = newer.fold(service)?;
    let staff = newer.fold(staff)?;
    let customer = customer.map(|c| newer.fold(c)).transpose()?;
    let other_day = other.map(|o| newer.known(o)).transpose()?;
    let other_customer_day = other_customer.map(|o| newer.known(o)).transpose()?;
    if !business.is_open() {
        return Err(BookingError::BusinessNotFound);
    }
    let timezone = business.tz().ok_or(BookingError::BusinessNotFound)?;
    let date = day::local_date_of(timezone, starts_at);
    let id = ScheduleId::new(staff_id, date);
    let day = match guess {
        Some((guessed, schedule)) if guessed == id => newer.known(schedule)?,
        _ => store.known::<Schedule>(&id.to_string()).await?,
    };
    let customer_day = match (customer_day, customer_guess) {
        (None, _) => None,
        (Some(customer_id), guessed) => {
            let id = CustomerDayId { customer_id, date };
            let known = match guessed {
                Some((guessed, wanted)) if guessed == id => newer.known(wanted)?,
                _ => store.known::<CustomerDay>(&id.to_string()).await?,
            };
            Some((id, known))
        }
    };
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
    if customer
        .as_ref()
        .is_some_and(|c| c.is_erased_from(tenant_id))
    {
        return Err(BookingError::CustomerErased);
    }
    if let Some(into) = customer.as_ref().and_then(|c| c.merged_into(tenant_id)) {
        let merged = crate::customer::CustomerError::Merged(into);
        return Err(BookingError::Customer(merged.into()));
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
        fence: TimezoneFence {
            business_id: tenant_id,
            timezone: business.timezone().to_owned(),
        },
        service_name: service.name().unwrap_or_default().to_owned(),
        duration: Duration::minutes(i64::from(minutes)),
        buffer: Duration::minutes(i64::from(buffer)),
        price_cents,
        currency: currency.to_owned(),
        policy,
        staff,
        opening_hours: business.opening_hours().map(<[WorkingDay]>::to_vec),
        date,
        day,
        other_day,
        customer_day,
        other_customer_day,
    })
}

/// Who is asking for a slot, as far as the booking window cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Asker {
    /// A customer booking themselves (online): the policy's minimum lead time applies, so the
    /// shop is never surprised by a booking it cannot prepare for.
    Customer,
    /// The shop itself (front desk, phone, a reschedule by staff): it knows what it can take,
    /// so it may book inside the lead time. The event's actor and source say who did.
    Shop,
    /// A walk-in: in the shop already, starting about now.
    WalkIn,
}

/// The booking window of the policy: not in the past, not inside the minimum lead time (for a
/// customer booking themselves), not beyond the horizon; a walk-in starts now.
pub(super) fn check_window(
    policy: &BookingPolicy,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
    asker: Asker,
) -> Result<(), BookingError> {
    if asker == Asker::WalkIn {
        // a walk-in starts about now: a few minutes either way is the front desk's clock
        if (starts_at - now).num_minutes().abs() > 15 {
            return Err(BookingError::WalkInNotNow);
        }
        return Ok(());
    }
    if starts_at < now {
        return Err(BookingError::InThePast);
    }
    if asker == Asker::Customer
        && starts_at < now + Duration::minutes(i64::from(policy.min_lead_minutes))
    {
        return Err(BookingError::InsideLeadTime(policy.min_lead_minutes));
    }
    if starts_at > now + Duration::days(i64::from(policy.max_advance_days)) {
        return Err(BookingError::BeyondHorizon(policy.max_advance_days));
    }
    Ok(())
}

impl Facts {
    /// When the barber can be booked on local date `date`, in UTC: their working hours less
    /// breaks, within the business's opening hours less its breaks. Time off is not subtracted
    /// here: it is blocked on the day's Schedule, which refuses an overlapping booking as
    /// `during_time_off` (and decides a race between the two).
    pub(super) fn open_intervals(&self, date: NaiveDate) -> Vec<Interval> {
        let worked = self.working_intervals(date);
        match self.opening_intervals(date) {
            Some(open) => intersect(&worked, &open),
            None => worked,
        }
    }

    /// Whether `[starts_at, until)` (a service, without its clean-up buffer) is a stretch the
    /// barber works but the business is closed for: refused as `outside_opening_hours` before
    /// anything is reserved. A stretch outside the barber's own hours is not: the Schedule
    /// refuses it as `outside_working_hours`.
    pub(super) fn outside_opening_hours(
        &self,
        date: NaiveDate,
        starts_at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> bool {
        let Some(wanted) = Interval::new(starts_at, until) else {
            return false;
        };
        let covers = |pieces: &[Interval]| pieces.iter().any(|p| p.contains(&wanted));
        covers(&self.working_intervals(date)) && !covers(&self.open_intervals(date))
    }

    /// The barber's shifts on `date` less their breaks, in UTC.
    fn working_intervals(&self, date: NaiveDate) -> Vec<Interval> {
        local_intervals(
            self.timezone,
            date,
            self.staff.working_hours_on(date.weekday()),
        )
    }

    /// The business's hours on `date` less its breaks, in UTC: empty on a closed day, `None`
    /// when it has no opening hours at all.
    fn opening_intervals(&self, date: NaiveDate) -> Option<Vec<Interval>> {
        let week = self.opening_hours.as_ref()?;
        let weekday = events::staff::Weekday::from(date.weekday());
        let shifts = week.iter().filter(|d| d.weekday == weekday).collect();
        Some(local_intervals(self.timezone, date, shifts))
    }
}

/// One day's shifts less their breaks on `date`, in UTC, sorted and merged (daylight-saving
/// rules: `schedule::day`).
fn local_intervals(tz: Tz, date: NaiveDate, shifts: Vec<&WorkingDay>) -> Vec<Interval> {
    let hours: Vec<_> = shifts.iter().map(|s| (s.start, s.end)).collect();
    let breaks: Vec<_> = shifts
        .iter()
        .flat_map(|s| s.breaks.iter().map(|b| (b.start, b.end)))
        .collect();
    day::open_intervals(tz, date, &hours, &breaks, &[])
}

/// The instants in both `a` and `b`, sorted and merged.
fn intersect(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let both = a
        .iter()
        .flat_map(|x| {
            b.iter()
                .filter_map(|y| Interval::new(x.start.max(y.start), x.end.min(y.end)))
        })
        .collect();
    day::normalise(both)
}

#[cfg(test)]
mod tests;

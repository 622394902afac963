//! The facts a booking is decided on, read from the aggregates that own them (strongly
//! consistent, from the event store) and checked before any slot is reserved. When the barber
//! can be booked on the day is asked of [`domain::bookable`], the rules a search for free slots
//! asks too.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::bookable::Hours;
use domain::business::Business;
use domain::customer::Customer;
use domain::customer_day::{CustomerDay, CustomerDayId};
use domain::schedule::{day, Interval, Schedule, ScheduleId};
use domain::service::Service;
use domain::staff::StaffMember;
use events::business::BookingPolicy;
use events::staff::WorkingDay;
use uuid::Uuid;

use super::BookingError;
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
        let merged = domain::customer::CustomerError::Merged(into);
        return Err(BookingError::Customer(merged.into()));
    }
    if customer.is_some_and(|c| !c.belongs_to(tenant_id)) {
        return Err(BookingError::CustomerNotFound);
    }
    let (minutes, buffer) = service.minutes().ok_or(BookingError::ServiceNotFound)?;
    let policy = business.policy().clone();
    let buffer = domain::bookable::effective_buffer(buffer, &policy);
    let (price_cents, currency) = service.price();
    Ok(Facts {
        timezone,
        fence: TimezoneFence {
            business_id: tenant_id,
            timezone: business.timezone().to_owned(),
        },
        service_name: service.name().unwrap_or_default().to_owned(),
        duration: Duration::minutes(i64::from(minutes)),
        buffer,
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

impl Facts {
    /// The barber's week and the business's, in its timezone: when they can be booked.
    fn hours(&self) -> Hours<'_> {
        Hours {
            timezone: self.timezone,
            working_hours: self.staff.working_hours(),
            opening_hours: self.opening_hours.as_deref(),
        }
    }

    /// When the barber can be booked on local date `date`, in UTC ([`Hours::open_intervals`]).
    pub(super) fn open_intervals(&self, date: NaiveDate) -> Vec<Interval> {
        self.hours().open_intervals(date)
    }

    /// Whether a service `[starts_at, until)` falls where the barber works but the business is
    /// closed ([`Hours::outside_opening_hours`]).
    pub(super) fn outside_opening_hours(
        &self,
        date: NaiveDate,
        starts_at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> bool {
        self.hours().outside_opening_hours(date, starts_at, until)
    }
}

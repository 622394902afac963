//! Booking an appointment: the barber's day reserves `[start, end + buffer)` and the
//! appointment is booked, in one decision. Every booking of that barber that day goes through
//! that one Schedule, so of two racing requests for overlapping slots exactly one is recorded;
//! the other is decided again on fresh state and refused (`slot_taken`). The customer's day
//! holds the appointment's time in the same decision, so one customer never sits in two
//! chairs at once (`customer_double_booked`, unless the business allows it).

use chrono::{DateTime, Utc};
use domain::appointment::{Appointment, AppointmentCommand};
use domain::bookable::grid::round_up;
use domain::bookable::{check_window, Asker, Stretch};
use domain::customer_day::CustomerDay;
use domain::schedule::{Schedule, ScheduleId};
use events::appointment::AppointmentSource;
use events::EventMetadata;
use uuid::Uuid;

use super::facts::{self, Lookup};
use super::{on_grid, retrying, BookingError};
use crate::store::{Committed, CustomerFence, EventStore, Known, StaffFence};

/// A request to book.
#[derive(Debug, Clone)]
pub struct BookingRequest {
    pub tenant_id: Uuid,
    pub customer_id: Uuid,
    pub staff_id: Uuid,
    pub service_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub source: AppointmentSource,
}

/// Books an appointment under a fresh id.
pub async fn book(
    store: &EventStore,
    request: BookingRequest,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<(Uuid, Committed), BookingError> {
    book_as(store, Uuid::new_v4(), request, metadata, now).await
}

/// [`book`] under `appointment_id`, chosen by the caller (who keeps something under it first:
/// an online booking's manage link).
#[tracing::instrument(skip(store, request, metadata), fields(staff_id = %request.staff_id))]
pub async fn book_as(
    store: &EventStore,
    appointment_id: Uuid,
    request: BookingRequest,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<(Uuid, Committed), BookingError> {
    let mut request = request;
    if request.source == AppointmentSource::WalkIn {
        // a walk-in starts "now", wherever the clock is: at the next mark
        request.starts_at = round_up(request.starts_at);
    } else {
        on_grid(request.starts_at)?;
    }
    let committed = retrying(|| book_once(store, &request, appointment_id, metadata, now)).await?;
    Ok((appointment_id, committed))
}

/// Whether barber `staff_id` could take `service_id` at `starts_at` now, by every rule of
/// [`book`] but the customer's own (their other appointments): the grid, the booking window,
/// the opening hours and the barber's day, decided on their current state and recorded
/// nowhere. An online booking asks this before it registers a new customer, so that a booking
/// refused for its time leaves no customer behind.
pub async fn would_book(
    store: &EventStore,
    request: &BookingRequest,
    now: DateTime<Utc>,
) -> Result<(), BookingError> {
    on_grid(request.starts_at)?;
    let facts = facts::gather(
        store,
        Lookup {
            tenant_id: request.tenant_id,
            customer_id: None,
            staff_id: request.staff_id,
            service_id: request.service_id,
            starts_at: request.starts_at,
            also: None,
            customer_day: None,
            also_customer_day: None,
        },
    )
    .await?;
    check_window(&facts.policy, request.starts_at, now, asker(request.source))?;
    let stretch = facts.stretch(request.starts_at, facts.duration, facts.buffer);
    if facts.outside_opening_hours(facts.date, request.starts_at, stretch.ends_at) {
        return Err(BookingError::OutsideOpeningHours);
    }
    let probe = Uuid::new_v4();
    let reserve = facts.reserve((probe, probe), request.tenant_id, request.staff_id, stretch);
    domain::aggregate::Decide::decide(&facts.day.state, reserve)
        .map(|_| ())
        .map_err(BookingError::Schedule)
}

/// Whose booking window a booking of `source` is in.
fn asker(source: AppointmentSource) -> Asker {
    match source {
        AppointmentSource::WalkIn => Asker::WalkIn,
        AppointmentSource::Online => Asker::Customer,
        AppointmentSource::FrontDesk | AppointmentSource::Phone => Asker::Shop,
    }
}

async fn book_once(
    store: &EventStore,
    request: &BookingRequest,
    appointment_id: Uuid,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    let BookingRequest {
        tenant_id,
        customer_id,
        staff_id,
        service_id,
        starts_at,
        source,
    } = *request;
    let facts = facts::gather(
        store,
        Lookup {
            tenant_id,
            customer_id: Some(customer_id),
            staff_id,
            service_id,
            starts_at,
            also: None,
            customer_day: Some(customer_id),
            also_customer_day: None,
        },
    )
    .await?;
    check_window(&facts.policy, starts_at, now, asker(source))?;
    let stretch = facts.stretch(starts_at, facts.duration, facts.buffer);
    let Stretch {
        ends_at,
        blocked_until,
        ..
    } = stretch;
    let date = facts.date;
    if facts.outside_opening_hours(date, starts_at, ends_at) {
        return Err(BookingError::OutsideOpeningHours);
    }
    let reserve = facts.reserve(
        (appointment_id, appointment_id),
        tenant_id,
        staff_id,
        stretch,
    );
    let hold = facts.hold(appointment_id, tenant_id, customer_id, stretch);
    let book = AppointmentCommand::Book {
        appointment_id,
        tenant_id,
        customer_id,
        staff_id,
        service_id,
        service_name: facts.service_name.clone(),
        starts_at,
        ends_at,
        blocked_until,
        price_cents: facts.price_cents,
        currency: facts.currency.clone(),
        source,
        schedule_date: date,
        booked_by: metadata.actor.clone(),
        now,
    };
    let mut decision = store.decision(metadata);
    let day = ScheduleId::new(staff_id, date).to_string();
    decision
        .decide::<Schedule>(&day, facts.day, reserve)
        .await?;
    if let Some((id, customer_day)) = facts.customer_day {
        // the customer's time too: no two chairs at once
        decision
            .decide::<CustomerDay>(&id.to_string(), customer_day, hold)
            .await?;
    }
    decision
        .decide::<Appointment>(&appointment_id.to_string(), Known::new_record(), book)
        .await?;
    decision.fence(facts.fence);
    // and only while the barber is active (a deactivation moves what it finds, not this)
    decision.fence_staff(StaffFence { staff_id });
    // and only for a customer still on the books (a merge moves what it finds, not this)
    decision.fence_customer(CustomerFence { customer_id });
    Ok(decision.record().await?)
}

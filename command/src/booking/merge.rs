//! Merging a duplicate customer into the one it duplicates: one decision over the two customer
//! records (each says so), every appointment of the duplicate (each now the survivor's, with its
//! history: completed visits, no-shows and cancellations alike) and the customer-days of those
//! still holding time (moved from the duplicate's day to the survivor's, where they must not
//! overlap the survivor's own, unless the business allows it). The duplicate's phone and email
//! are given back in the same transaction.
//!
//! A booking for the duplicate must not slip in meanwhile: bookings are recorded behind the
//! customer's fence (shared, checking the record is not merged), and the merge records under it
//! exclusively after checking the duplicate's appointments are still the ones it moved.

use std::collections::BTreeSet;

use domain::appointment::{Appointment, AppointmentCommand};
use domain::business::Business;
use domain::customer::{Customer, CustomerCommand};
use domain::customer_day::{CustomerDay, CustomerDayCommand, CustomerDayId};
use events::EventMetadata;
use uuid::Uuid;

use super::{retrying, BookingError};
use crate::customer_book::contacts;
use crate::store::{Committed, EventStore, Known};

/// A merge: `duplicate` goes into `survivor`.
#[derive(Debug, Clone, Copy)]
pub struct MergeRequest {
    pub tenant_id: Uuid,
    pub survivor: Uuid,
    pub duplicate: Uuid,
}

/// Merges `duplicate` into `survivor`, moving its appointments; merging again records nothing.
#[tracing::instrument(skip(store, metadata))]
pub async fn merge_customers(
    store: &EventStore,
    request: MergeRequest,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    retrying(|| merge_once(store, request, metadata)).await
}

async fn merge_once(
    store: &EventStore,
    request: MergeRequest,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    let MergeRequest {
        tenant_id,
        survivor,
        duplicate,
    } = request;
    let mut reading = store.reading();
    let business = reading.want::<Business>(&tenant_id.to_string());
    let kept = reading.want::<Customer>(&survivor.to_string());
    let gone = reading.want::<Customer>(&duplicate.to_string());
    let newer = reading.read().await?;
    let business = newer.fold(business)?;
    let (kept, gone) = (newer.known(kept)?, newer.known(gone)?);
    let mut decision = store.decision(metadata);
    let into = CustomerCommand::MergeInto {
        tenant_id,
        into: survivor,
    };
    decision
        .decide::<Customer>(&duplicate.to_string(), gone, into)
        .await
        .map_err(customer_refusal)?;
    if decision.is_empty() {
        // merged before: a retried request
        return Ok(Committed { position: None });
    }
    let take_over = CustomerCommand::TakeOver {
        tenant_id,
        duplicate_id: duplicate,
    };
    decision
        .decide::<Customer>(&survivor.to_string(), kept, take_over)
        .await
        .map_err(customer_refusal)?;

    let ids = appointments_of(store.pool(), tenant_id, duplicate).await?;
    let mut reading = store.reading();
    let wanted: Vec<_> = ids
        .iter()
        .map(|id| reading.want::<Appointment>(id))
        .collect();
    let appointments: Vec<(String, Known<Appointment>)> = {
        let newer = reading.read().await?;
        let mut found = Vec::with_capacity(ids.len());
        for (id, wanted) in ids.iter().zip(wanted) {
            let known = newer.known(wanted)?;
            if known.state.customer_id() == Some(duplicate) {
                found.push((id.clone(), known));
            }
        }
        found
    };
    // the customer-days of both on the dates those appointments are on
    let dates: BTreeSet<_> = appointments
        .iter()
        .filter_map(|(_, a)| a.state.schedule_date())
        .collect();
    let mut reading = store.reading();
    let days: Vec<_> = dates
        .iter()
        .map(|&date| {
            let of = |customer_id| CustomerDayId { customer_id, date };
            let from = reading.want::<CustomerDay>(&of(duplicate).to_string());
            let to = reading.want::<CustomerDay>(&of(survivor).to_string());
            (date, from, to)
        })
        .collect();
    let newer = reading.read().await?;
    let mut days_known = Vec::with_capacity(days.len());
    for (date, from, to) in days {
        days_known.push((date, newer.known(from)?, newer.known(to)?));
    }
    for (id, appointment) in &appointments {
        let appointment_id: Uuid = id.parse().map_err(|e| BookingError::Store(Box::new(e)))?;
        let date = appointment.state.schedule_date();
        let change = AppointmentCommand::ChangeCustomer {
            tenant_id,
            customer_id: survivor,
        };
        decision
            .decide::<Appointment>(id, appointment.clone(), change)
            .await?;
        let Some((date, from, to)) = days_known.iter().find(|(d, ..)| Some(*d) == date) else {
            continue;
        };
        let Some((starts_at, ends_at)) = from.state.held_by(appointment_id) else {
            continue;
        };
        let from_id = CustomerDayId {
            customer_id: duplicate,
            date: *date,
        };
        let release = CustomerDayCommand::Release {
            appointment_id,
            tenant_id,
        };
        decision
            .decide::<CustomerDay>(&from_id.to_string(), from.clone(), release)
            .await?;
        let to_id = CustomerDayId {
            customer_id: survivor,
            date: *date,
        };
        let hold = CustomerDayCommand::Hold {
            appointment_id,
            tenant_id,
            customer_id: survivor,
            date: *date,
            starts_at,
            ends_at,
            allow_overlap: business.policy().allow_customer_overlap,
        };
        decision
            .decide::<CustomerDay>(&to_id.to_string(), to.clone(), hold)
            .await?;
    }

    // recorded under the duplicate's fence, exclusively, if its appointments are still these
    let mut transaction = store.pool().begin().await?;
    sqlx::query(
        "select pg_advisory_xact_lock(hashtext('barber-customer-fence'), hashtext($1::text))",
    )
    .bind(duplicate)
    .execute(&mut *transaction)
    .await?;
    if appointments_of(&mut *transaction, tenant_id, duplicate).await? != ids {
        return Err(BookingError::Conflict);
    }
    let appended = decision.append_within(&mut transaction).await?;
    contacts::release_all(&mut transaction, tenant_id, duplicate).await?;
    transaction.commit().await?;
    Ok(appended.committed())
}

/// The appointments ever booked for `customer_id` or moved to them, by id.
async fn appointments_of<'c>(
    executor: impl sqlx::PgExecutor<'c>,
    tenant_id: Uuid,
    customer_id: Uuid,
) -> Result<Vec<String>, BookingError> {
    Ok(sqlx::query_scalar(
        "select distinct aggregate_id from events
          where tenant_id = $1
            and event_type in ('AppointmentBooked', 'AppointmentCustomerChanged')
            and coalesce(payload -> 'AppointmentBooked' ->> 'customer_id',
                         payload -> 'AppointmentCustomerChanged' ->> 'customer_id') = $2
          order by aggregate_id",
    )
    .bind(tenant_id)
    .bind(customer_id.to_string())
    .fetch_all(executor)
    .await?)
}

/// A customer's refusal in a merge.
fn customer_refusal(
    err: crate::store::CommandError<domain::customer::CustomerRefusal>,
) -> BookingError {
    use crate::store::CommandError;
    match err {
        CommandError::Refused(refusal) => BookingError::Customer(refusal),
        CommandError::Conflict => BookingError::Conflict,
        CommandError::Store(e) => BookingError::Store(e),
    }
}

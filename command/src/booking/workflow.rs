//! The steps of an appointment's workflow that do not move its chair: confirm, check in, start,
//! complete, and notes. Each is one command on the appointment alone.

use chrono::{DateTime, NaiveDate, Utc};
use domain::appointment::{Appointment, AppointmentCommand};
use domain::business::Business;
use domain::customer::Customer;
use domain::schedule::day;
use events::appointment::PaymentMethod;
use events::EventMetadata;
use uuid::Uuid;

use super::{retrying, BookingError, Scope};
use crate::store::{Committed, CustomerFence, EventStore};

/// What was paid when the service was completed.
#[derive(Debug, Clone, Copy)]
pub struct Payment {
    pub amount_paid_cents: i64,
    pub tip_cents: i64,
    pub method: PaymentMethod,
}

async fn step(
    store: &EventStore,
    (scope, appointment_id): (Scope, Uuid),
    command: AppointmentCommand,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    Ok(store
        .execute::<Appointment>(&appointment_id.to_string(), scope.limit(command), metadata)
        .await?)
}

/// The customer confirmed they are coming.
pub async fn confirm(
    store: &EventStore,
    scope: Scope,
    appointment_id: Uuid,
    metadata: &EventMetadata,
) -> Result<Committed, BookingError> {
    let command = AppointmentCommand::Confirm {
        tenant_id: scope.tenant_id,
    };
    step(store, (scope, appointment_id), command, metadata).await
}

/// The business's local date of `now`, and its policy's check-in window.
async fn today(
    store: &EventStore,
    tenant_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(NaiveDate, u32), BookingError> {
    let business: Business = store.load(&tenant_id.to_string()).await?;
    let tz = business.tz().ok_or(BookingError::BusinessNotFound)?;
    Ok((
        day::local_date_of(tz, now),
        business.policy().check_in_opens_minutes,
    ))
}

/// The customer is in the shop: on the day, from the policy's check-in window before the start.
pub async fn check_in(
    store: &EventStore,
    scope: Scope,
    appointment_id: Uuid,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    let tenant_id = scope.tenant_id;
    let (today, opens_minutes) = today(store, tenant_id, now).await?;
    let command = AppointmentCommand::CheckIn {
        tenant_id,
        now,
        today,
        opens_minutes,
    };
    step(store, (scope, appointment_id), command, metadata).await
}

/// The customer is in the chair: after check-in, on the day.
pub async fn start(
    store: &EventStore,
    scope: Scope,
    appointment_id: Uuid,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    let tenant_id = scope.tenant_id;
    let (today, _) = today(store, tenant_id, now).await?;
    let command = AppointmentCommand::Start {
        tenant_id,
        now,
        today,
    };
    step(store, (scope, appointment_id), command, metadata).await
}

/// The service is done and paid for.
pub async fn complete(
    store: &EventStore,
    scope: Scope,
    appointment_id: Uuid,
    payment: Payment,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    let command = AppointmentCommand::Complete {
        tenant_id: scope.tenant_id,
        now,
        amount_paid_cents: payment.amount_paid_cents,
        tip_cents: payment.tip_cents,
        payment_method: payment.method,
    };
    step(store, (scope, appointment_id), command, metadata).await
}

/// A note on an appointment by someone on the staff. Its text is about the appointment's
/// customer and sealed with their key: none is written about an erased customer.
pub async fn add_note(
    store: &EventStore,
    scope: Scope,
    appointment_id: Uuid,
    note: (Uuid, String),
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Committed, BookingError> {
    let (note_id, text) = note;
    let tenant_id = scope.tenant_id;
    let id = appointment_id.to_string();
    retrying(|| async {
        let appointment = store.known::<Appointment>(&id).await?;
        let customer_id = appointment
            .state
            .customer_id()
            .filter(|_| appointment.state.belongs_to(tenant_id));
        if let Some(customer_id) = customer_id {
            let customer: Customer = store
                .load(&customer_id.to_string())
                .await
                .map_err(|e| BookingError::Store(Box::new(e)))?;
            if customer.is_erased_from(tenant_id) {
                return Err(BookingError::CustomerErased);
            }
        }
        let command = AppointmentCommand::AddNote {
            tenant_id,
            note_id,
            by: metadata.actor.clone(),
            text: text.clone(),
            now,
        };
        let mut decision = store.decision(metadata);
        decision
            .decide::<Appointment>(&id, appointment, scope.limit(command))
            .await?;
        if let Some(customer_id) = customer_id {
            // the note is about the customer: not once they are erased (or merged away)
            decision.fence_customer(CustomerFence { customer_id });
        }
        Ok(decision.record().await?)
    })
    .await
}

//! Which events a webhook can carry, by their public names, and the versioned body each is sent
//! as. Personal data is never in a body (a customer's is sealed in the store): a receiver reads
//! it through the API with the ids.

use events::appointment::AppointmentEvent;
use events::RecordedEvent;
use serde_json::{json, Value};

/// The version of the bodies' shape.
pub const BODY_VERSION: u32 = 1;

/// Every event type an endpoint may ask for.
pub const TYPES: [&str; 11] = [
    "appointment.booked",
    "appointment.confirmed",
    "appointment.checked_in",
    "appointment.started",
    "appointment.completed",
    "appointment.cancelled",
    "appointment.no_show",
    "appointment.rescheduled",
    "customer.registered",
    "customer.updated",
    "customer.erased",
];

/// The public name and data of `event`, if webhooks carry it.
pub fn public(event: &RecordedEvent) -> Option<(&'static str, Value)> {
    match event.aggregate_type.as_str() {
        events::appointment::AGGREGATE_TYPE => appointment(event),
        events::customer::AGGREGATE_TYPE => customer(event),
        _ => None,
    }
}

fn appointment(event: &RecordedEvent) -> Option<(&'static str, Value)> {
    let change: AppointmentEvent = serde_json::from_value(event.payload.clone()).ok()?;
    let id = &event.aggregate_id;
    let (name, data) = match change {
        AppointmentEvent::AppointmentBooked {
            customer_id,
            staff_id,
            service_id,
            service_name,
            starts_at,
            ends_at,
            price_cents,
            currency,
            source,
            status,
            ..
        } => (
            "appointment.booked",
            json!({"appointment_id": id, "customer_id": customer_id, "staff_id": staff_id,
                   "service_id": service_id, "service_name": service_name,
                   "starts_at": starts_at, "ends_at": ends_at, "price_cents": price_cents,
                   "currency": currency, "source": source, "status": status}),
        ),
        AppointmentEvent::AppointmentConfirmed {} => {
            ("appointment.confirmed", json!({"appointment_id": id}))
        }
        AppointmentEvent::AppointmentCheckedIn { at } => (
            "appointment.checked_in",
            json!({"appointment_id": id, "at": at}),
        ),
        AppointmentEvent::AppointmentStarted { at } => (
            "appointment.started",
            json!({"appointment_id": id, "at": at}),
        ),
        AppointmentEvent::AppointmentCompleted {
            at,
            amount_paid_cents,
            tip_cents,
            payment_method,
        } => (
            "appointment.completed",
            json!({"appointment_id": id, "at": at, "amount_paid_cents": amount_paid_cents,
                   "tip_cents": tip_cents, "payment_method": payment_method}),
        ),
        AppointmentEvent::AppointmentCancelled { at, late, .. } => (
            "appointment.cancelled",
            json!({"appointment_id": id, "at": at, "late": late}),
        ),
        AppointmentEvent::AppointmentMarkedNoShow { at } => (
            "appointment.no_show",
            json!({"appointment_id": id, "at": at}),
        ),
        AppointmentEvent::AppointmentRescheduled {
            staff_id,
            starts_at,
            ends_at,
            previous_staff_id,
            previous_starts_at,
            ..
        } => (
            "appointment.rescheduled",
            json!({"appointment_id": id, "staff_id": staff_id, "starts_at": starts_at,
                   "ends_at": ends_at, "previous_staff_id": previous_staff_id,
                   "previous_starts_at": previous_starts_at}),
        ),
        _ => return None,
    };
    Some((name, data))
}

/// By the event's type alone: a customer's payload holds their sealed personal data, which a
/// webhook never carries.
fn customer(event: &RecordedEvent) -> Option<(&'static str, Value)> {
    let name = match event.event_type.as_str() {
        "CustomerRegistered" => "customer.registered",
        "CustomerProfileUpdated" => "customer.updated",
        "CustomerErased" => "customer.erased",
        _ => return None,
    };
    Some((name, json!({"customer_id": event.aggregate_id})))
}

/// The body of a delivery: `{type, version, id, timestamp, business_id, data}`.
pub fn body(event: &RecordedEvent, name: &str, data: Value, delivery_id: uuid::Uuid) -> Value {
    json!({
        "type": name,
        "version": BODY_VERSION,
        "id": delivery_id,
        "timestamp": event.recorded_at,
        "business_id": event.tenant_id,
        "data": data,
    })
}

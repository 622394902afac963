//! One appointment's row, and how each of its events changes it: a pure fold, so that a batch
//! (or a page of a rebuild) loads the rows it touches once, folds every event into them in
//! memory, and stores each row once.

use chrono::{DateTime, NaiveDate, Utc};
use events::appointment::{AppointmentEvent, AppointmentStatus as S};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A row of `appointments`, column for column.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub(crate) struct AppointmentRow {
    pub tenant_id: Uuid,
    pub appointment_id: Uuid,
    pub customer_id: Uuid,
    pub staff_id: Uuid,
    pub service_id: Uuid,
    pub service_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub blocked_until: DateTime<Utc>,
    pub schedule_date: NaiveDate,
    pub price_cents: i64,
    pub currency: String,
    pub source: String,
    pub status: String,
    pub booked_by: String,
    pub booked_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
    pub started_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<String>,
    pub cancellation_reason: Option<String>,
    pub late_cancellation: bool,
    pub no_show_at: Option<DateTime<Utc>>,
    pub amount_paid_cents: Option<i64>,
    pub tip_cents: Option<i64>,
    pub payment_method: Option<String>,
    pub rescheduled_count: i32,
    pub notes: sqlx::types::Json<Vec<Note>>,
    pub updated_at: DateTime<Utc>,
    /// The aggregate sequence the row reflects.
    pub version: i64,
}

/// A staff note on the appointment, as the row keeps it (oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Note {
    pub id: Uuid,
    pub by: String,
    pub at: DateTime<Utc>,
    /// `null` once the customer is erased.
    pub text: Option<String>,
}

/// What an event is applied with: its own fields and where it stands in the appointment's
/// history.
pub(crate) struct Applied<'a> {
    pub tenant_id: Uuid,
    pub appointment_id: Uuid,
    pub sequence: i64,
    pub recorded_at: DateTime<Utc>,
    pub event: &'a AppointmentEvent,
}

/// The row after `applied`. A booking makes the row (and never overwrites one); every later
/// event changes the row it finds and moves its version, unless the row already reflects
/// that sequence. An update without a row (its booking was dead-lettered) makes none.
pub(crate) fn fold(row: Option<AppointmentRow>, applied: &Applied<'_>) -> Option<AppointmentRow> {
    use AppointmentEvent as E;
    let mut row = match (row, applied.event) {
        (None, _) => return booked(applied),
        (Some(row), _) if row.version >= applied.sequence => return Some(row),
        (Some(row), E::AppointmentBooked { .. }) => return Some(row),
        (Some(row), _) => row,
    };
    let recorded_at = applied.recorded_at;
    row.updated_at = recorded_at;
    row.version = applied.sequence;
    match applied.event {
        E::AppointmentBooked { .. } => {}
        E::AppointmentConfirmed {} => {
            row.status = S::Confirmed.as_str().into();
            row.confirmed_at = Some(recorded_at);
        }
        E::AppointmentCheckedIn { at } => {
            row.status = S::CheckedIn.as_str().into();
            row.checked_in_at = Some(*at);
        }
        E::AppointmentStarted { at } => {
            row.status = S::InService.as_str().into();
            row.started_at = Some(*at);
        }
        E::AppointmentCompleted {
            at,
            amount_paid_cents,
            tip_cents,
            payment_method,
        } => {
            row.status = S::Completed.as_str().into();
            row.completed_at = Some(*at);
            row.amount_paid_cents = Some(*amount_paid_cents);
            row.tip_cents = Some(*tip_cents);
            row.payment_method = Some(payment_method.as_str().into());
        }
        E::AppointmentCancelled {
            at,
            by,
            reason,
            late,
        } => {
            row.status = S::Cancelled.as_str().into();
            row.cancelled_at = Some(*at);
            row.cancelled_by = Some(by.clone());
            row.cancellation_reason.clone_from(reason);
            row.late_cancellation = *late;
        }
        E::AppointmentMarkedNoShow { at } => {
            row.status = S::NoShow.as_str().into();
            row.no_show_at = Some(*at);
        }
        E::AppointmentServiceChanged {
            service_id,
            service_name,
            ends_at,
            blocked_until,
            price_cents,
            currency,
            ..
        } => {
            row.service_id = *service_id;
            row.service_name.clone_from(service_name);
            row.ends_at = *ends_at;
            row.blocked_until = *blocked_until;
            row.price_cents = *price_cents;
            row.currency.clone_from(currency);
        }
        E::AppointmentCustomerChanged { customer_id, .. } => row.customer_id = *customer_id,
        // what the customer was told is the notifications' to list, not the appointment's
        E::CustomerNotified { .. } => {}
        // the newest note last; the text of an erased customer's note is null
        E::AppointmentNoteAdded {
            note_id,
            by,
            at,
            pii,
            ..
        } => row.notes.0.push(Note {
            id: *note_id,
            by: by.clone(),
            at: *at,
            text: Some(pii.text.clone()).filter(|t| !t.is_empty()),
        }),
        // the status stays; the appointment moves
        E::AppointmentRescheduled {
            staff_id,
            starts_at,
            ends_at,
            blocked_until,
            schedule_date,
            ..
        } => {
            row.staff_id = *staff_id;
            row.starts_at = *starts_at;
            row.ends_at = *ends_at;
            row.blocked_until = *blocked_until;
            row.schedule_date = *schedule_date;
            row.rescheduled_count += 1;
        }
    }
    Some(row)
}

/// The row a booking makes (none for any other event). A walk-in is booked checked in, so it
/// is stamped checked in when booked.
fn booked(applied: &Applied<'_>) -> Option<AppointmentRow> {
    let AppointmentEvent::AppointmentBooked {
        customer_id,
        staff_id,
        service_id,
        service_name,
        starts_at,
        ends_at,
        blocked_until,
        price_cents,
        currency,
        source,
        status,
        schedule_date,
        booked_by,
        ..
    } = applied.event
    else {
        return None;
    };
    let at = applied.recorded_at;
    Some(AppointmentRow {
        tenant_id: applied.tenant_id,
        appointment_id: applied.appointment_id,
        customer_id: *customer_id,
        staff_id: *staff_id,
        service_id: *service_id,
        service_name: service_name.clone(),
        starts_at: *starts_at,
        ends_at: *ends_at,
        blocked_until: *blocked_until,
        schedule_date: *schedule_date,
        price_cents: *price_cents,
        currency: currency.clone(),
        source: source.as_str().into(),
        status: status.as_str().into(),
        booked_by: booked_by.clone(),
        booked_at: at,
        confirmed_at: None,
        checked_in_at: (*status == S::CheckedIn).then_some(at),
        started_at: None,
        completed_at: None,
        cancelled_at: None,
        cancelled_by: None,
        cancellation_reason: None,
        late_cancellation: false,
        no_show_at: None,
        amount_paid_cents: None,
        tip_cents: None,
        payment_method: None,
        rescheduled_count: 0,
        notes: sqlx::types::Json(Vec::new()),
        updated_at: at,
        version: applied.sequence,
    })
}

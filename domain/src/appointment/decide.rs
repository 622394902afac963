//! What each command records, or why it is refused: a synchronous function of the state and the
//! command, so it is tested without an event store and can be asked before anything is written.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use events::appointment::{AppointmentEvent, AppointmentSource, AppointmentStatus, NotePii};
use uuid::Uuid;

use crate::aggregate::Decide;

use super::error::{MAX_AMOUNT, MAX_NOTE, MAX_REASON};
use super::workflow::{step, Action, Step};
use super::{
    Appointment, AppointmentCommand as C, AppointmentError as E, Booked, Payment, Slot, State,
};

impl Decide for Appointment {
    /// The events `command` records (none when it repeats what already happened), or why the
    /// appointment refuses it. Checks run in this order: the caller's business owns the
    /// appointment (`NotFound`), the workflow allows the action from the current status, then the
    /// command's own values (times, amounts).
    fn decide(&self, command: C) -> Result<Vec<AppointmentEvent>, E> {
        let event = match command {
            C::InChair {
                tenant_id,
                staff_id,
                step,
            } => {
                if !self.belongs_to(tenant_id) {
                    return Err(E::NotFound);
                }
                if self.staff_id() != Some(staff_id) {
                    return Err(E::NotYourChair);
                }
                return self.decide(*step);
            }
            C::Book {
                appointment_id,
                tenant_id,
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
                schedule_date,
                booked_by,
                now,
            } => {
                let walk_in = source == AppointmentSource::WalkIn;
                let booked = Booked {
                    appointment_id,
                    business_id: tenant_id,
                    customer_id,
                    service_id,
                    service_name,
                    slot: Slot {
                        staff_id,
                        starts_at,
                        ends_at,
                        blocked_until,
                        schedule_date,
                    },
                    price_cents,
                    currency,
                    source,
                    // DESIGN §4: a walk-in is in the shop already
                    status: if walk_in {
                        AppointmentStatus::CheckedIn
                    } else {
                        AppointmentStatus::Booked
                    },
                    booked_by,
                };
                if let Some(state) = &self.state {
                    // a retry of the same booking (even once its start has passed) is not an error
                    return if state.booked == booked {
                        Ok(Vec::new())
                    } else {
                        Err(E::AlreadyBooked)
                    };
                }
                check_slot(&booked.slot)?;
                if !(0..=MAX_AMOUNT).contains(&price_cents) {
                    return Err(E::InvalidPrice(price_cents));
                }
                if !walk_in && starts_at < now {
                    return Err(E::InThePast);
                }
                booked.into_event()
            }
            C::Confirm { tenant_id } => {
                if self.proceed(Action::Confirm, tenant_id)?.is_none() {
                    return Ok(Vec::new());
                }
                AppointmentEvent::AppointmentConfirmed {}
            }
            C::CheckIn {
                tenant_id,
                now,
                today,
                opens_minutes,
            } => {
                let Some(state) = self.proceed(Action::CheckIn, tenant_id)? else {
                    return Ok(Vec::new());
                };
                // on the day only: a wrong click weeks ahead records nothing, a late customer
                // is still checked in, and the day after is a no-show
                let opens = state.slot.starts_at - Duration::minutes(i64::from(opens_minutes));
                if today > state.slot.schedule_date {
                    return Err(E::DayPassed);
                }
                if today < state.slot.schedule_date || now < opens {
                    return Err(E::TooEarlyForCheckIn);
                }
                AppointmentEvent::AppointmentCheckedIn { at: now }
            }
            C::Start {
                tenant_id,
                now,
                today,
            } => {
                let Some(state) = self.proceed(Action::Start, tenant_id)? else {
                    return Ok(Vec::new());
                };
                if today > state.slot.schedule_date {
                    return Err(E::DayPassed);
                }
                AppointmentEvent::AppointmentStarted { at: now }
            }
            C::Complete {
                tenant_id,
                now,
                amount_paid_cents,
                tip_cents,
                payment_method,
            } => {
                let payment = Payment {
                    amount_paid_cents,
                    tip_cents,
                    method: payment_method,
                };
                if self.proceed(Action::Complete, tenant_id)?.is_none() {
                    // the same payment again is a double click; another one contradicts the record
                    return match self.state.as_ref().and_then(|s| s.payment) {
                        Some(recorded) if recorded == payment => Ok(Vec::new()),
                        _ => Err(E::AlreadyCompleted),
                    };
                }
                let valid = |cents: i64| (0..=MAX_AMOUNT).contains(&cents);
                if !valid(amount_paid_cents) || !valid(tip_cents) {
                    return Err(E::InvalidPayment);
                }
                AppointmentEvent::AppointmentCompleted {
                    at: now,
                    amount_paid_cents,
                    tip_cents,
                    payment_method,
                }
            }
            C::Cancel {
                tenant_id,
                now,
                by,
                reason,
                cancellation_window_minutes,
            } => {
                // a second cancellation (another click, the customer's link opened twice) keeps
                // the first one's time, author and reason
                let Some(state) = self.proceed(Action::Cancel, tenant_id)? else {
                    return Ok(Vec::new());
                };
                let reason = reason
                    .map(|r| r.trim().to_owned())
                    .filter(|r| !r.is_empty());
                if reason
                    .as_ref()
                    .is_some_and(|r| r.chars().count() > MAX_REASON)
                {
                    return Err(E::ReasonTooLong);
                }
                let window = Duration::minutes(i64::from(cancellation_window_minutes));
                AppointmentEvent::AppointmentCancelled {
                    at: now,
                    by,
                    reason,
                    // exactly `window` before the start is still on time; after the start is late
                    late: state.slot.starts_at.signed_duration_since(now) < window,
                }
            }
            C::MarkNoShow { tenant_id, now } => {
                let Some(state) = self.proceed(Action::MarkNoShow, tenant_id)? else {
                    return Ok(Vec::new());
                };
                // at the start time itself the customer is not late yet
                if now <= state.slot.starts_at {
                    return Err(E::TooEarlyForNoShow);
                }
                AppointmentEvent::AppointmentMarkedNoShow { at: now }
            }
            C::ChangeService {
                tenant_id,
                service_id,
                service_name,
                ends_at,
                blocked_until,
                price_cents,
                currency,
            } => {
                let Some(state) = self.proceed(Action::ChangeService, tenant_id)? else {
                    return Ok(Vec::new());
                };
                let slot = Slot {
                    ends_at,
                    blocked_until,
                    ..state.slot
                };
                if service_id == state.booked.service_id
                    && slot == state.slot
                    && price_cents == state.booked.price_cents
                {
                    return Ok(Vec::new());
                }
                check_slot(&slot)?;
                if !(0..=MAX_AMOUNT).contains(&price_cents) {
                    return Err(E::InvalidPrice(price_cents));
                }
                AppointmentEvent::AppointmentServiceChanged {
                    service_id,
                    service_name,
                    ends_at,
                    blocked_until,
                    price_cents,
                    currency,
                    previous_service_id: state.booked.service_id,
                }
            }
            C::RecordNotification {
                tenant_id,
                notification_id,
                kind,
                channel,
                offset_minutes,
                provider_id,
                now,
            } => {
                let state = self.owned(tenant_id)?;
                if state.notified.contains(&notification_id) {
                    return Ok(Vec::new());
                }
                AppointmentEvent::CustomerNotified {
                    notification_id,
                    kind,
                    channel,
                    offset_minutes,
                    provider_id,
                    at: now,
                }
            }
            C::ChangeCustomer {
                tenant_id,
                customer_id,
            } => {
                let previous = self.owned(tenant_id)?.booked.customer_id;
                if previous == customer_id {
                    return Ok(Vec::new());
                }
                AppointmentEvent::AppointmentCustomerChanged {
                    previous,
                    customer_id,
                }
            }
            C::AddNote {
                tenant_id,
                note_id,
                by,
                text,
                now,
            } => {
                let state = self.owned(tenant_id)?;
                let text = text.trim().to_owned();
                if text.is_empty() || text.chars().count() > MAX_NOTE {
                    return Err(E::InvalidNote);
                }
                AppointmentEvent::AppointmentNoteAdded {
                    note_id,
                    // the note is about the customer: sealed with their key
                    customer_id: Some(state.booked.customer_id),
                    by,
                    at: now,
                    pii: NotePii { text },
                }
            }
            C::Reschedule {
                tenant_id,
                staff_id,
                starts_at,
                ends_at,
                blocked_until,
                schedule_date,
                now,
            } => {
                let Some(&State { slot: previous, .. }) =
                    self.proceed(Action::Reschedule, tenant_id)?
                else {
                    return Ok(Vec::new());
                };
                let slot = Slot {
                    staff_id,
                    starts_at,
                    ends_at,
                    blocked_until,
                    schedule_date,
                };
                // moving to where it already is repeats a reschedule (a retried request), even
                // once that time has passed
                if slot == previous {
                    return Ok(Vec::new());
                }
                check_slot(&slot)?;
                if starts_at < now {
                    return Err(E::InThePast);
                }
                AppointmentEvent::AppointmentRescheduled {
                    staff_id,
                    starts_at,
                    ends_at,
                    blocked_until,
                    schedule_date,
                    previous_staff_id: previous.staff_id,
                    previous_starts_at: previous.starts_at,
                    previous_schedule_date: previous.schedule_date,
                }
            }
        };
        Ok(vec![event])
    }
}

impl Appointment {
    /// The state, if the caller's business booked this appointment: another business's
    /// appointment does not exist for the caller (answered 404, never 403).
    fn owned(&self, tenant_id: Uuid) -> Result<&State, E> {
        match &self.state {
            Some(state) if state.booked.business_id == tenant_id => Ok(state),
            _ => Err(E::NotFound),
        }
    }

    /// Whether `action` may record an event from the current status: the state to go ahead
    /// with, `None` when it repeats a transition already made, an error when it cannot run.
    fn proceed(&self, action: Action, tenant_id: Uuid) -> Result<Option<&State>, E> {
        let state = self.owned(tenant_id)?;
        match step(action, state.status) {
            Step::Go => Ok(Some(state)),
            Step::Repeat => Ok(None),
            Step::Refuse(error) => Err(error),
        }
    }
}

/// A slot's own consistency: the service takes time, the buffer does not end before the service,
/// and the schedule date is a plausible local date of the start. UTC offsets lie between -12 and
/// +14 hours, so the local date is the UTC date or the day either side; anything further is a
/// caller bug that would put the reservation on the wrong day's schedule.
fn check_slot(slot: &Slot) -> Result<(), E> {
    if slot.starts_at >= slot.ends_at || slot.blocked_until < slot.ends_at {
        return Err(E::InvalidInterval);
    }
    if !is_near(slot.schedule_date, slot.starts_at) {
        return Err(E::InvalidScheduleDate);
    }
    Ok(())
}

fn is_near(date: NaiveDate, instant: DateTime<Utc>) -> bool {
    (date - instant.date_naive()).num_days().abs() <= 1
}

//! Booking: every step that takes, moves or frees a barber's chair, each one function that the
//! HTTP API, the public booking page and integrations call alike.
//!
//! - [`book()`]: the barber's day reserves the slot and the appointment is booked.
//! - [`cancel()`] and [`mark_no_show()`]: the appointment ends and its day gives the slot back.
//! - [`change_service()`]: the appointment takes another service's length (and price): its
//!   barber's day and its customer's day move the stretch, in the same decision.
//! - [`reschedule()`]: the appointment moves, its new day reserves the new slot and its old day
//!   releases the old one (one day: a single `Move`).
//! - [`add_time_off()`] and [`remove_time_off()`]: the staff member records it, and every day it
//!   covers blocks (or frees) that day's stretch; appointments in the way are refused, moved to
//!   another barber or cancelled in the same step (`absence`).
//! - [`deactivate_staff()`]: the barber is no longer bookable; their appointments ahead are
//!   refused, moved or cancelled in the same step, behind the barber's staff fence.
//! - [`change_settings()`]: a business's name, currency or timezone; a timezone only while
//!   nothing lies ahead, decided under the timezone fence.
//! - [`confirm()`], [`check_in()`], [`start()`], [`complete()`], [`add_note()`]: the rest of the
//!   workflow, one stream each; these and [`mark_no_show()`] take a [`Scope`], which limits a
//!   barber's login to their own chair.
//!
//! Each step is **one decision over every stream it touches**: every aggregate decides its own
//! command on its own state at its own expected sequence, and all their events are appended in
//! one statement ([`crate::store::Decision`]), behind the business's timezone fence when the
//! step depends on which local day an instant falls on. If any stream moved meanwhile, nothing
//! is written and the whole step is decided again on fresh state ([`retrying`]). No step leaves
//! a half-done state behind, so nothing has to be reconciled after a crash.

mod absence;
mod book;
mod cancel;
mod change_service;
mod currency;
mod deactivate;
mod error;
mod facts;
mod merge;
mod reschedule;
mod scope;
mod stretch;
mod time_off;
mod timezone;
mod workflow;

pub use absence::{Bookings, Displaced};
pub use book::{book, book_as, would_book, BookingRequest};
pub use cancel::{cancel, mark_no_show, CancelRequest};
pub use change_service::{change_service, ServiceChangeRequest};
pub use currency::{add_service, NewService, Unpriced};
pub use deactivate::{deactivate_staff, DeactivationRequest};
use domain::bookable::grid;
pub use error::BookingError;
#[cfg(test)]
pub use error::BookingErrorDiscriminants;
pub use merge::{merge_customers, MergeRequest};
pub use reschedule::{reschedule, RescheduleRequest};
pub use scope::Scope;
pub use time_off::{add_time_off, remove_time_off, TimeOffRequest, MAX_TIME_OFF_DAYS};
pub use timezone::{change_settings, SettingsRequest};
pub use workflow::{add_note, check_in, complete, confirm, start, Payment};

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// How often a step is decided again after another writer changed one of its records. Each
/// attempt reads the records afresh, so a loser usually finds a clear answer on the second
/// (the slot is now taken, the appointment already checked in).
const ATTEMPTS: u32 = 12;

/// Runs `attempt` until it is not refused for a conflict, waiting a little (randomised, growing)
/// between attempts so that many racing requests spread out.
async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, BookingError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, BookingError>>,
{
    for number in 0..ATTEMPTS {
        match attempt().await {
            Err(BookingError::Conflict) => {
                tracing::debug!(
                    attempt = number,
                    "a record changed meanwhile; deciding again"
                );
                tokio::time::sleep(backoff(number)).await;
            }
            outcome => return outcome,
        }
    }
    Err(BookingError::Conflict)
}

/// Refuses an instant off the 5-minute grid (`off_grid`).
fn on_grid(at: DateTime<Utc>) -> Result<(), BookingError> {
    if grid::is_on_grid(at) {
        Ok(())
    } else {
        Err(BookingError::OffGrid)
    }
}

/// Up to 2^n milliseconds (at most 64), uniformly spread.
fn backoff(attempt: u32) -> Duration {
    let ceiling = 1u128 << attempt.min(6);
    let random = uuid::Uuid::new_v4().as_u128();
    Duration::from_micros(u64::try_from(random % (ceiling * 1000)).unwrap_or(0))
}

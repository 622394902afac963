//! Online booking: customers book, view, move and cancel on the business's public page, with
//! no login. Every step runs the same use cases as the front desk's (`booking::book`,
//! `booking::reschedule`, `booking::cancel`, `customer_book::register`): there is no second
//! path to a chair, so no second set of rules to drift.
//!
//! - [`book()`]: a booking by a customer found by phone or email in the business, or
//!   registered, answered with a secret manage link.
//! - [`manage`]: the link's holder cancels (not inside the business's cancellation window) or
//!   moves the booking.
//! - [`links`]: the manage links (`booking_links`, kept as hashes).
//!
//! The business is named by its public address (slug) and must have online booking on; only
//! the services and barbers it offers online can be booked. Nothing a caller sends reaches
//! another business: every id is checked against the business the slug names, and a phone or
//! email is looked up within it alone (the answer never says whether the customer was known).

mod book;
pub mod links;
pub mod manage;

pub use book::{book, OnlineBooked, OnlineBooking};

use domain::business::Business;
use platform::ApiError;
use sqlx::PgPool;
use uuid::Uuid;

use crate::store::EventStore;

/// The actor of what a customer does online, in the events' metadata.
pub const PUBLIC: &str = "public";

/// The business at public address `slug`, as the event store has it; 404 `business_not_found`
/// for an address nobody has, 403 `online_booking_off` for one that takes no online bookings.
pub async fn shop(store: &EventStore, slug: &str) -> Result<(Uuid, Business), ApiError> {
    let business_id = business_at(store.pool(), slug).await?;
    let business: Business = store.load(&business_id.to_string()).await?;
    if !business.online_booking().enabled {
        return Err(off());
    }
    Ok((business_id, business))
}

/// The business with public address `slug`.
pub async fn business_at(pool: &PgPool, slug: &str) -> Result<Uuid, ApiError> {
    sqlx::query_scalar("select business_id from business_slugs where slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| ApiError::not_found("business_not_found", "no business has this address"))
}

pub(crate) fn off() -> ApiError {
    ApiError::forbidden("this business does not take bookings online")
        .with_code("online_booking_off")
}

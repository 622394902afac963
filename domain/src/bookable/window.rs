//! The booking window of a business's policy: how soon and how far ahead each asker may book.

use chrono::{DateTime, Duration, Utc};
use events::business::BookingPolicy;

/// Who is asking for a slot, as far as the booking window cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asker {
    /// A customer booking themselves (online): the policy's minimum lead time applies, so the
    /// shop is never surprised by a booking it cannot prepare for.
    Customer,
    /// The shop itself (front desk, phone, a reschedule by staff): it knows what it can take,
    /// so it may book inside the lead time. The event's actor and source say who did.
    Shop,
    /// A walk-in: in the shop already, starting about now.
    WalkIn,
}

/// Why a start time lies outside the booking window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum OutsideWindow {
    #[error("the start time is in the past")]
    InThePast,
    #[error("bookings close {0} minutes before the start")]
    InsideLeadTime(u32),
    #[error("bookings open at most {0} days ahead")]
    BeyondHorizon(u32),
    #[error("a walk-in starts now (within 15 minutes)")]
    WalkInNotNow,
}

/// The booking window of the policy: not in the past, not inside the minimum lead time (for a
/// customer booking themselves), not beyond the horizon; a walk-in starts now.
pub fn check_window(
    policy: &BookingPolicy,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
    asker: Asker,
) -> Result<(), OutsideWindow> {
    if asker == Asker::WalkIn {
        // a walk-in starts about now: a few minutes either way is the front desk's clock
        if (starts_at - now).num_minutes().abs() > 15 {
            return Err(OutsideWindow::WalkInNotNow);
        }
        return Ok(());
    }
    if starts_at < now {
        return Err(OutsideWindow::InThePast);
    }
    if asker == Asker::Customer
        && starts_at < now + Duration::minutes(i64::from(policy.min_lead_minutes))
    {
        return Err(OutsideWindow::InsideLeadTime(policy.min_lead_minutes));
    }
    if starts_at > now + Duration::days(i64::from(policy.max_advance_days)) {
        return Err(OutsideWindow::BeyondHorizon(policy.max_advance_days));
    }
    Ok(())
}

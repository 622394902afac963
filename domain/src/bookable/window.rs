//! The booking window of a business's policy: how soon and how far ahead each asker may book.

use chrono::{DateTime, Duration, Utc};
use events::business::BookingPolicy;

use super::grid;

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

/// The first and the last mark of the grid that the window lets `asker` start at, at `now`:
/// a start on the grid passes [`check_window`] exactly when it lies between them (both
/// included). What a search offers depends on the clock only through these two marks, so an
/// answer made at one `now` holds at any other with the same marks. A walk-in's window is not
/// a booking window: `None`.
pub fn open_marks(
    policy: &BookingPolicy,
    now: DateTime<Utc>,
    asker: Asker,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let lead = match asker {
        Asker::WalkIn => return None,
        Asker::Shop => Duration::zero(),
        Asker::Customer => Duration::minutes(i64::from(policy.min_lead_minutes)),
    };
    let horizon = Duration::days(i64::from(policy.max_advance_days));
    Some((grid::round_up(now + lead), grid::round_down(now + horizon)))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn policy(min_lead_minutes: u32, max_advance_days: u32) -> BookingPolicy {
        BookingPolicy {
            min_lead_minutes,
            max_advance_days,
            ..BookingPolicy::default()
        }
    }

    proptest! {
        /// Every mark around `now` passes the window exactly when it lies between the two
        /// open marks.
        #[test]
        fn a_mark_passes_the_window_exactly_between_the_open_marks(
            now_seconds in 1_700_000_000i64..1_900_000_000,
            nanos in 0u32..1_000_000_000,
            lead in 0u32..600,
            horizon in 0u32..3,
            customer in any::<bool>(),
            offset_marks in -50i64..1_000,
        ) {
            let now = DateTime::from_timestamp(now_seconds, nanos).expect("an instant");
            let asker = if customer { Asker::Customer } else { Asker::Shop };
            let policy = policy(lead, horizon);
            let (first, last) = open_marks(&policy, now, asker).expect("a booking window");
            let at = grid::round_down(now) + Duration::seconds(offset_marks * grid::STEP_SECONDS);
            let at = at + Duration::days(i64::from(horizon) * i64::from(offset_marks > 500));
            prop_assert_eq!(
                check_window(&policy, at, now, asker).is_ok(),
                first <= at && at <= last,
                "at {} now {} first {} last {}", at, now, first, last
            );
        }
    }

    #[test]
    fn a_walk_in_has_no_open_marks() {
        assert_eq!(open_marks(&policy(60, 30), Utc::now(), Asker::WalkIn), None);
    }
}

//! The status workflow as one table: for each command that moves an appointment, what it does
//! from each status. Keeping it in one `match` (checked exhaustive by the compiler) makes the
//! whole policy readable at a glance and testable status by status.

use events::appointment::AppointmentStatus as S;

use super::AppointmentError as E;

/// A command that acts on a booked appointment's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Confirm,
    CheckIn,
    Start,
    Complete,
    Cancel,
    MarkNoShow,
    Reschedule,
    ChangeService,
}

/// What an action does from a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// The transition is allowed (further rules, such as times and amounts, may still refuse).
    Go,
    /// The appointment already made this transition: a double click or a retried request, so
    /// nothing is recorded (`Complete` additionally checks the payment is the same).
    Repeat,
    /// Not from here: either too early in the workflow or already past it.
    Refuse(E),
}

/// The workflow of DESIGN §4. A repeated transition is a no-op, because that is what a front
/// desk double click or a retried request means; an action the appointment has moved past is
/// refused with an error naming the status it is in now, because silently ignoring it would
/// hide a real disagreement (cancelling a customer who is already in the chair).
pub(super) fn step(action: Action, status: S) -> Step {
    use Action as A;
    use Step::{Go, Refuse, Repeat};
    match (action, status) {
        (A::Confirm, S::Booked) => Go,
        (A::Confirm, S::Confirmed) => Repeat,
        (A::CheckIn, S::Booked | S::Confirmed) => Go,
        (A::CheckIn, S::CheckedIn) => Repeat,
        (A::Start, S::CheckedIn) => Go,
        (A::Start, S::InService) => Repeat,
        (A::Start, S::Booked | S::Confirmed) => Refuse(E::NotCheckedIn),
        (A::Complete, S::InService) => Go,
        (A::Complete, S::Completed) => Repeat,
        (A::Complete, S::Booked | S::Confirmed | S::CheckedIn) => Refuse(E::NotInService),
        (A::Cancel, S::Booked | S::Confirmed) => Go,
        (A::Cancel, S::Cancelled) => Repeat,
        (A::MarkNoShow, S::Booked | S::Confirmed | S::CheckedIn) => Go,
        (A::MarkNoShow, S::NoShow) => Repeat,
        (A::Reschedule, S::Booked | S::Confirmed) => Go,
        // a customer in the shop may still ask for something else
        (A::ChangeService, S::Booked | S::Confirmed | S::CheckedIn) => Go,
        (_, S::CheckedIn) => Refuse(E::AlreadyCheckedIn),
        (_, S::InService) => Refuse(E::AlreadyInService),
        (_, S::Completed) => Refuse(E::AlreadyCompleted),
        (_, S::Cancelled) => Refuse(E::AlreadyCancelled),
        (_, S::NoShow) => Refuse(E::AlreadyNoShow),
    }
}

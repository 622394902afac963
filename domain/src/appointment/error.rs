//! Why an appointment refuses a command. Each refusal has its own variant and a stable
//! [`code`](AppointmentError::code), so the front desk sees what to do next and clients can
//! branch on it.

/// A text reason for a cancellation is at most this many characters.
pub const MAX_REASON: usize = 500;

/// A note is at most this many characters.
pub const MAX_NOTE: usize = 2000;

/// The largest amount or tip accepted, in minor units: it only catches typos and overflow in
/// sums, like the service catalog's price bound.
pub const MAX_AMOUNT: i64 = 100_000_000_000;

/// The refusals, grouped by how an HTTP layer would answer them: `NotFound` is 404; the
/// `Invalid*`/`InThePast`/`ReasonTooLong` ones are the request's fault (422); the rest say the
/// appointment is in a state where the command cannot run (409).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum AppointmentError {
    #[error("the appointment does not exist")]
    NotFound,
    #[error("the appointment is in another barber's chair; a barber works only their own")]
    NotYourChair,
    #[error("an appointment with this id was already booked with different details")]
    AlreadyBooked,
    #[error(
        "an appointment must end after it starts, and the barber cannot be free before it ends"
    )]
    InvalidInterval,
    #[error("the schedule date is not the local date of the start time")]
    InvalidScheduleDate,
    #[error("a price of {0} is not allowed: 0 (free) or more minor units, at most {MAX_AMOUNT}")]
    InvalidPrice(i64),
    #[error("the appointment cannot start in the past")]
    InThePast,
    #[error("amounts paid and tips are 0 or more minor units, at most {MAX_AMOUNT}")]
    InvalidPayment,
    #[error("the reason is limited to {MAX_REASON} characters")]
    ReasonTooLong,
    #[error("a note is 1 to {MAX_NOTE} characters")]
    InvalidNote,
    #[error("the customer has not checked in yet")]
    NotCheckedIn,
    #[error("the service has not started yet")]
    NotInService,
    #[error("a no-show can only be recorded after the start time")]
    TooEarlyForNoShow,
    #[error("check-in opens on the appointment's day, shortly before its start")]
    TooEarlyForCheckIn,
    #[error("the appointment's day has passed: record a no-show instead")]
    DayPassed,
    #[error("the customer has already checked in")]
    AlreadyCheckedIn,
    #[error("the service is already under way")]
    AlreadyInService,
    #[error("the appointment is already completed")]
    AlreadyCompleted,
    #[error("the appointment is already cancelled")]
    AlreadyCancelled,
    #[error("the appointment is already marked as a no-show")]
    AlreadyNoShow,
}

impl AppointmentError {
    /// The stable machine-readable code of the refusal, e.g. `appointment_already_completed`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "appointment_not_found",
            Self::NotYourChair => "not_your_chair",
            Self::AlreadyBooked => "appointment_already_booked",
            Self::InvalidInterval => "invalid_interval",
            Self::InvalidScheduleDate => "invalid_schedule_date",
            Self::InvalidPrice(_) => "invalid_price",
            Self::InThePast => "booking_in_the_past",
            Self::InvalidPayment => "invalid_payment",
            Self::ReasonTooLong => "reason_too_long",
            Self::InvalidNote => "invalid_note",
            Self::NotCheckedIn => "appointment_not_checked_in",
            Self::NotInService => "appointment_not_in_service",
            Self::TooEarlyForNoShow => "too_early_for_no_show",
            Self::TooEarlyForCheckIn => "too_early_for_check_in",
            Self::DayPassed => "appointment_day_passed",
            Self::AlreadyCheckedIn => "appointment_already_checked_in",
            Self::AlreadyInService => "appointment_already_in_service",
            Self::AlreadyCompleted => "appointment_already_completed",
            Self::AlreadyCancelled => "appointment_already_cancelled",
            Self::AlreadyNoShow => "appointment_already_no_show",
        }
    }
}

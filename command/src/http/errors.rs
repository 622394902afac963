//! How each aggregate's refusals and store failures become problem+json.

use domain::bookable::OutsideWindow;
use domain::business::{BusinessError, PolicyError};
use domain::customer::{CustomerError, CustomerRefusal, DetailsError};
use domain::rota::RotaError;
use domain::service::ServiceError;
use platform::ApiError;

use crate::customer_book::CustomerBookError;
use crate::store::CommandError;

/// An aggregate's refusal as problem+json. A trait of this crate, not `From`: the refusals
/// are the `domain` crate's and `ApiError` is `platform`'s, so the orphan rule keeps `From`
/// out of reach; the command API is where a refusal meets HTTP.
pub trait IntoProblem {
    fn into_problem(self) -> ApiError;
}

impl IntoProblem for domain::account::AccountError {
    fn into_problem(self) -> ApiError {
        use domain::account::AccountError as E;
        let detail = self.to_string();
        match self {
            E::NotFound => ApiError::not_found("user_not_found", detail),
            E::AlreadyExists => ApiError::conflict("user_exists", detail),
            E::InvalidName => ApiError::unprocessable("invalid_name", detail),
            E::InvalidEmail(_) => ApiError::unprocessable("invalid_email", detail),
            E::OwnersOnly => ApiError::forbidden(detail).with_member("needed_roles", vec!["owner"]),
            E::OwnLogin => ApiError::unprocessable("own_login", detail),
            E::AlreadyJoined => ApiError::conflict("invitation_accepted", detail),
            E::NotJoined => ApiError::conflict("invitation_pending", detail),
            E::Disabled => ApiError::conflict("login_disabled", detail),
        }
    }
}

impl IntoProblem for CustomerError {
    fn into_problem(self) -> ApiError {
        let detail = self.to_string();
        match self {
            CustomerError::NotFound => ApiError::not_found("customer_not_found", detail),
            CustomerError::AlreadyRegistered => ApiError::conflict("customer_exists", detail),
            CustomerError::InvalidName => ApiError::unprocessable("invalid_name", detail),
            CustomerError::InvalidPhone(_) => ApiError::unprocessable("invalid_phone", detail),
            CustomerError::InvalidEmail(_) => ApiError::unprocessable("invalid_email", detail),
            CustomerError::NotesTooLong => ApiError::unprocessable("notes_too_long", detail),
            CustomerError::Merged(into) => ApiError::conflict("customer_merged", detail)
                .with_member("merged_into", into.to_string()),
            CustomerError::MergedIntoItself => {
                ApiError::unprocessable("merged_into_itself", detail)
            }
            CustomerError::Erased => ApiError::conflict("customer_erased", detail),
        }
    }
}

impl From<CustomerBookError> for ApiError {
    fn from(err: CustomerBookError) -> Self {
        let detail = err.to_string();
        match err {
            CustomerBookError::PossibleDuplicate {
                existing_customer_id,
                contact,
            } => ApiError::conflict("possible_duplicate", detail)
                .with_member("existing_customer_id", existing_customer_id.to_string())
                .with_member("duplicate_contact", contact.as_str()),
            CustomerBookError::Customer(e) => e.into_problem(),
            CustomerBookError::Conflict => ApiError::conflict("concurrent_modification", detail),
            CustomerBookError::Store(e) => ApiError::Internal(e),
        }
    }
}

impl IntoProblem for CustomerRefusal {
    fn into_problem(self) -> ApiError {
        match self {
            CustomerRefusal::Customer(e) => e.into_problem(),
            CustomerRefusal::Details(e) => e.into_problem(),
        }
    }
}

impl IntoProblem for DetailsError {
    fn into_problem(self) -> ApiError {
        let detail = self.to_string();
        let code = match self {
            DetailsError::InvalidTag(_) => "invalid_tag",
            DetailsError::TooManyTags => "too_many_tags",
            DetailsError::PreferencesNotAnObject | DetailsError::PreferencesTooLarge => {
                "invalid_preferences"
            }
        };
        ApiError::unprocessable(code, detail)
    }
}

impl IntoProblem for ServiceError {
    fn into_problem(self) -> ApiError {
        let detail = self.to_string();
        let code = match self {
            ServiceError::NotFound => return ApiError::not_found("service_not_found", detail),
            ServiceError::AlreadyCreated => return ApiError::conflict("service_exists", detail),
            ServiceError::Retired => return ApiError::conflict("service_retired", detail),
            ServiceError::InvalidName => "invalid_name",
            ServiceError::InvalidCategory => "invalid_category",
            ServiceError::InvalidDuration(_) => "invalid_duration",
            ServiceError::InvalidPrice(_) => "invalid_price",
            ServiceError::InvalidBuffer(_) => "invalid_buffer",
        };
        ApiError::unprocessable(code, detail)
    }
}

impl IntoProblem for BusinessError {
    fn into_problem(self) -> ApiError {
        let detail = self.to_string();
        let code = match self {
            BusinessError::AlreadyOpen => return ApiError::conflict("business_exists", detail),
            BusinessError::NotFound => return ApiError::not_found("business_not_found", detail),
            BusinessError::InvalidPolicy(policy) => policy_code(&policy),
            BusinessError::InvalidOpeningHours(rota) => rota_code(&rota),
            BusinessError::InvalidName => "invalid_business_name",
            BusinessError::InvalidSlug(_) => "invalid_slug",
            BusinessError::UnknownTimezone(_) => "invalid_timezone",
            BusinessError::InvalidCurrency(_) => "invalid_currency",
            BusinessError::InvalidCountry(_) => "invalid_country",
            BusinessError::InvalidOwnerName => "invalid_owner_name",
            BusinessError::TooManyOnlineChoices => "too_many_online_choices",
            BusinessError::InvalidAddress => "invalid_address",
            BusinessError::InvalidLogoUrl => "invalid_logo_url",
        };
        ApiError::unprocessable(code, detail)
    }
}

fn policy_code(err: &PolicyError) -> &'static str {
    match err {
        PolicyError::LeadTime => "invalid_lead_time",
        PolicyError::Horizon => "invalid_booking_horizon",
        PolicyError::CancellationWindow => "invalid_cancellation_window",
        PolicyError::Buffer => "invalid_buffer",
        PolicyError::ReminderOffsets => "invalid_reminder_offsets",
        PolicyError::CheckInWindow => "invalid_check_in_window",
    }
}

/// A barber's working hours and the shop's opening hours are refused with the same codes: the
/// mistakes are the same.
fn rota_code(err: &RotaError) -> &'static str {
    match err {
        RotaError::InvalidWeekday(_) => "invalid_weekday",
        RotaError::InvalidTime(_) => "invalid_time",
        RotaError::OverlappingShifts(_) => "overlapping_shifts",
        RotaError::TooManyShifts(_) => "too_many_shifts",
        RotaError::InvalidHours(_) => "invalid_hours",
        RotaError::InvalidBreak(_) => "invalid_break",
        RotaError::BreakOutsideHours(_) => "break_outside_hours",
        RotaError::OverlappingBreaks(_) => "overlapping_breaks",
        RotaError::TooManyBreaks(_) => "too_many_breaks",
    }
}

impl<E> From<CommandError<E>> for ApiError
where
    E: std::error::Error + IntoProblem,
{
    fn from(err: CommandError<E>) -> Self {
        match err {
            CommandError::Refused(e) => e.into_problem(),
            CommandError::Conflict => {
                ApiError::conflict("concurrent_modification", err.to_string())
            }
            CommandError::Store(e) => ApiError::Internal(e),
        }
    }
}

impl IntoProblem for domain::staff::StaffError {
    fn into_problem(self) -> ApiError {
        use domain::staff::StaffError as E;
        let detail = self.to_string();
        let code = match self {
            E::NotFound => return ApiError::not_found("staff_not_found", detail),
            E::TimeOffNotFound => return ApiError::not_found("time_off_not_found", detail),
            E::TimeOffInThePast => "time_off_in_the_past",
            E::TimeOffTooFarAhead => "time_off_too_far_ahead",
            E::AlreadyAdded => return ApiError::conflict("staff_exists", detail),
            E::Inactive => return ApiError::conflict("staff_inactive", detail),
            E::InvalidName => "invalid_name",
            E::InvalidRole(_) => "invalid_role",
            E::InvalidEmail(_) => "invalid_email",
            E::InvalidPhone(_) => "invalid_phone",
            E::InvalidWorkingHours(rota) => rota_code(&rota),
            E::InvalidTimeOff => "invalid_time_off",
            E::ReasonTooLong => "reason_too_long",
            E::TooManyServices => "too_many_services",
            E::AgendaNeedsEmail => "agenda_needs_email",
        };
        ApiError::unprocessable(code, detail)
    }
}

impl IntoProblem for domain::appointment::AppointmentError {
    fn into_problem(self) -> ApiError {
        use axum::http::StatusCode;
        use domain::appointment::AppointmentError as E;
        let status = match self {
            E::NotFound => StatusCode::NOT_FOUND,
            E::NotYourChair => StatusCode::FORBIDDEN,
            E::InvalidInterval
            | E::InvalidScheduleDate
            | E::InvalidPrice(_)
            | E::InThePast
            | E::InvalidPayment
            | E::ReasonTooLong
            | E::InvalidNote => StatusCode::UNPROCESSABLE_ENTITY,
            E::AlreadyBooked
            | E::NotCheckedIn
            | E::NotInService
            | E::TooEarlyForNoShow
            | E::TooEarlyForCheckIn
            | E::DayPassed
            | E::AlreadyCheckedIn
            | E::AlreadyInService
            | E::AlreadyCompleted
            | E::AlreadyCancelled
            | E::AlreadyNoShow => StatusCode::CONFLICT,
        };
        ApiError::client(status, self.code(), self.to_string())
    }
}

impl IntoProblem for domain::schedule::ScheduleError {
    fn into_problem(self) -> ApiError {
        use domain::schedule::ScheduleError as E;
        let detail = self.to_string();
        match self {
            E::SlotTaken { .. } => ApiError::conflict("slot_taken", detail),
            E::ConflictsWithAppointment { .. } => {
                ApiError::conflict("conflicts_with_appointment", detail)
            }
            E::DuringTimeOff { .. } => ApiError::unprocessable("during_time_off", detail),
            // working hours never cross local midnight, so a slot that does is outside them
            E::OutsideWorkingHours | E::OutsideDay => {
                ApiError::unprocessable("outside_working_hours", detail)
            }
            E::WrongSchedule | E::InvalidInterval => {
                ApiError::unprocessable("invalid_slot", detail)
            }
            E::NotFound => ApiError::not_found("schedule_not_found", detail),
            E::ReservationExists | E::ReservationReleased => {
                ApiError::conflict("reservation_exists", detail)
            }
        }
    }
}

impl From<crate::booking::BookingError> for ApiError {
    fn from(err: crate::booking::BookingError) -> Self {
        use crate::booking::BookingError as E;
        let detail = err.to_string();
        match err {
            E::BusinessNotFound => ApiError::not_found("business_not_found", detail),
            E::ServiceNotFound => ApiError::not_found("service_not_found", detail),
            E::StaffNotFound => ApiError::not_found("staff_not_found", detail),
            E::CustomerNotFound => ApiError::not_found("customer_not_found", detail),
            E::CustomerErased => ApiError::conflict("customer_erased", detail),
            E::StaffInactive => ApiError::conflict("staff_inactive", detail),
            E::ServiceNotOffered => ApiError::unprocessable("service_not_offered", detail),
            E::OffGrid => ApiError::unprocessable("off_grid", detail),
            E::Window(e) => e.into_problem(),
            E::OutsideOpeningHours => ApiError::unprocessable("outside_opening_hours", detail),
            E::TimezoneHasBookings => ApiError::conflict("timezone_has_bookings", detail),
            E::BookingsInTheWay(appointments) => ApiError::conflict("bookings_in_the_way", detail)
                .with_member("appointments", displaced(&appointments)),
            E::ServicesNeedNewPrices(services) => {
                ApiError::conflict("services_need_new_prices", detail).with_member(
                    "services",
                    serde_json::to_value(services).unwrap_or_default(),
                )
            }
            E::Service(e) => e.into_problem(),
            E::Customer(e) => e.into_problem(),
            E::PricesWithoutNewCurrency => {
                ApiError::unprocessable("prices_without_new_currency", detail)
            }
            E::NoBarberFree(appointments) => ApiError::conflict("no_barber_free", detail)
                .with_member("appointments", displaced(&appointments)),
            E::Schedule(e) => e.into_problem(),
            E::Appointment(e) => e.into_problem(),
            E::Staff(e) => e.into_problem(),
            E::Business(e) => e.into_problem(),
            E::CustomerDay(e) => e.into_problem(),
            E::Conflict => ApiError::conflict("concurrent_modification", detail),
            E::Store(e) => ApiError::Internal(e),
        }
    }
}

impl IntoProblem for OutsideWindow {
    fn into_problem(self) -> ApiError {
        let code = match self {
            OutsideWindow::InThePast => "booking_in_the_past",
            OutsideWindow::InsideLeadTime(_) => "inside_lead_time",
            OutsideWindow::BeyondHorizon(_) => "beyond_booking_horizon",
            OutsideWindow::WalkInNotNow => "walk_in_not_now",
        };
        ApiError::unprocessable(code, self.to_string())
    }
}

/// The appointments a problem names, as the `appointments` member.
fn displaced(appointments: &[crate::booking::Displaced]) -> serde_json::Value {
    serde_json::to_value(appointments).unwrap_or_default()
}

impl IntoProblem for domain::customer_day::CustomerDayError {
    fn into_problem(self) -> ApiError {
        use domain::customer_day::CustomerDayError as E;
        let detail = self.to_string();
        match self {
            E::NotFound => ApiError::not_found("customer_not_found", detail),
            E::CustomerDoubleBooked { .. } => ApiError::conflict("customer_double_booked", detail),
            E::InvalidInterval => ApiError::unprocessable("invalid_interval", detail),
        }
    }
}

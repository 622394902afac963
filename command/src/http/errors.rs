//! How each aggregate's refusals and store failures become problem+json.

use platform::ApiError;

use crate::business::{BusinessError, PolicyError};
use crate::customer::CustomerError;
use crate::service::ServiceError;
use crate::store::CommandError;

impl From<CustomerError> for ApiError {
    fn from(err: CustomerError) -> Self {
        let detail = err.to_string();
        match err {
            CustomerError::NotFound => ApiError::not_found("customer_not_found", detail),
            CustomerError::AlreadyRegistered => ApiError::conflict("customer_exists", detail),
            CustomerError::InvalidName => ApiError::unprocessable("invalid_name", detail),
            CustomerError::InvalidPhone(_) => ApiError::unprocessable("invalid_phone", detail),
            CustomerError::InvalidEmail(_) => ApiError::unprocessable("invalid_email", detail),
            CustomerError::NotesTooLong => ApiError::unprocessable("notes_too_long", detail),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        let detail = err.to_string();
        let code = match err {
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

impl From<BusinessError> for ApiError {
    fn from(err: BusinessError) -> Self {
        let detail = err.to_string();
        let code = match err {
            BusinessError::AlreadyOpen => return ApiError::conflict("business_exists", detail),
            BusinessError::NotFound => return ApiError::not_found("business_not_found", detail),
            BusinessError::InvalidPolicy(policy) => policy_code(&policy),
            BusinessError::InvalidName => "invalid_business_name",
            BusinessError::InvalidSlug(_) => "invalid_slug",
            BusinessError::UnknownTimezone(_) => "unknown_timezone",
            BusinessError::InvalidCurrency(_) => "invalid_currency",
            BusinessError::InvalidOwnerName => "invalid_owner_name",
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
    }
}

impl<E> From<CommandError<E>> for ApiError
where
    E: std::error::Error + Into<ApiError>,
{
    fn from(err: CommandError<E>) -> Self {
        match err {
            CommandError::Refused(e) => e.into(),
            CommandError::Conflict => {
                ApiError::conflict("concurrent_modification", err.to_string())
            }
            CommandError::Store(e) => ApiError::Internal(e),
        }
    }
}

impl From<crate::staff::StaffError> for ApiError {
    fn from(err: crate::staff::StaffError) -> Self {
        use crate::staff::StaffError as E;
        let detail = err.to_string();
        let code = match err {
            E::NotFound => return ApiError::not_found("staff_not_found", detail),
            E::TimeOffNotFound => return ApiError::not_found("time_off_not_found", detail),
            E::AlreadyAdded => return ApiError::conflict("staff_exists", detail),
            E::Inactive => return ApiError::conflict("staff_inactive", detail),
            E::InvalidName => "invalid_name",
            E::InvalidRole(_) => "invalid_role",
            E::InvalidEmail(_) => "invalid_email",
            E::InvalidPhone(_) => "invalid_phone",
            E::InvalidWeekday(_) => "invalid_weekday",
            E::InvalidTime(_) => "invalid_time",
            E::DuplicateWeekday(_) => "duplicate_weekday",
            E::InvalidHours(_) => "invalid_hours",
            E::InvalidBreak(_) => "invalid_break",
            E::BreakOutsideHours(_) => "break_outside_hours",
            E::OverlappingBreaks(_) => "overlapping_breaks",
            E::TooManyBreaks(_) => "too_many_breaks",
            E::InvalidTimeOff => "invalid_time_off",
            E::ReasonTooLong => "reason_too_long",
            E::TooManyServices => "too_many_services",
        };
        ApiError::unprocessable(code, detail)
    }
}

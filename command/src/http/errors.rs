//! How each aggregate's refusals and store failures become problem+json.

use platform::ApiError;

use crate::business::BusinessError;
use crate::customer::CustomerError;
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

impl From<BusinessError> for ApiError {
    fn from(err: BusinessError) -> Self {
        let detail = err.to_string();
        let code = match err {
            BusinessError::AlreadyOpen => return ApiError::conflict("business_exists", detail),
            BusinessError::InvalidName => "invalid_business_name",
            BusinessError::InvalidSlug(_) => "invalid_slug",
            BusinessError::UnknownTimezone(_) => "unknown_timezone",
            BusinessError::InvalidCurrency(_) => "invalid_currency",
            BusinessError::InvalidOwnerName => "invalid_owner_name",
        };
        ApiError::unprocessable(code, detail)
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

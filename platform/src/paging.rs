//! The size of a page of a list, the same rule on every list of the API.

use crate::ApiError;

/// `limit` within 1..=200, 50 when absent; 400 `invalid_limit` otherwise.
pub fn page_size(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(50),
        Some(n) if (1..=200).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::bad_request(
            "invalid_limit",
            "limit must be between 1 and 200",
        )),
    }
}

//! Request metadata captured once per request: it becomes the metadata of the events it causes.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use uuid::Uuid;

use crate::problem::ApiError;

/// The header carrying a request's id; made when absent, echoed in the response.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The correlation id of a request (its `X-Request-Id`).
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub correlation_id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let correlation_id = parts
            .headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| Uuid::new_v4().to_string());
        Ok(Self { correlation_id })
    }
}

//! Extractors whose rejections are problem+json. Bodies: malformed JSON is 400, a body of the
//! wrong shape (missing or unknown fields, wrong types) is 422, never 500; a control character
//! in any string of a body or query is 422 `invalid_text` ([`crate::text`]).

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// `axum::Json`, with the app's own rejection.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // read as a document first: every string is checked for control characters before the
        // body is taken apart into the handler's type
        let document = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(axum::Json(document)) => document,
            Err(rejection) => return Err(rejection_to_problem(rejection)),
        };
        crate::text::check_json(&document)?;
        serde_json::from_value(document).map(Self).map_err(|e| {
            ApiError::unprocessable("invalid_body", format!("the body does not fit: {e}"))
        })
    }
}

fn rejection_to_problem(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonSyntaxError(e) => ApiError::bad_request("malformed_json", e.body_text()),
        JsonRejection::JsonDataError(e) => ApiError::unprocessable("invalid_body", e.body_text()),
        JsonRejection::MissingJsonContentType(_) => ApiError::client(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the body as application/json",
        ),
        other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            other.body_text(),
        ),
        other => ApiError::bad_request("unreadable_body", other.body_text()),
    }
}

/// A JSON body that may be left out: no body (or only whitespace) is `T::default()`; a body is
/// read as [`ApiJson`] reads it, with the same problem+json rejections.
pub struct OptionalJson<T>(pub T);

impl<T, S> FromRequest<S> for OptionalJson<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        // read within the same limit as any JSON body, not the whole of whatever is sent
        let read = Request::from_parts(parts.clone(), body);
        let bytes = axum::body::Bytes::from_request(read, state)
            .await
            .map_err(|rejection| match rejection.status() {
                StatusCode::PAYLOAD_TOO_LARGE => ApiError::client(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    rejection.body_text(),
                ),
                _ => ApiError::bad_request("unreadable_body", rejection.body_text()),
            })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(T::default()));
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        ApiJson::from_request(req, state)
            .await
            .map(|ApiJson(value)| Self(value))
    }
}

/// `axum::extract::Query`, answering a bad query string with problem+json (400).
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let pairs = axum::extract::Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::bad_request("invalid_query", rejection.body_text()))?;
        for (name, value) in &pairs.0 {
            crate::text::check(&format!("the query's {name:?}"), &format!("{name}{value}"))?;
        }
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection| ApiError::bad_request("invalid_query", rejection.body_text()))
    }
}

/// `axum::extract::Path`, answering a malformed id with problem+json (404: no such record).
pub struct ApiPath<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Self(value))
            .map_err(|rejection| ApiError::not_found("not_found", rejection.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use axum::body::{Body, Bytes};
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Default, Deserialize)]
    struct Reason {
        #[allow(dead_code)]
        reason: Option<String>,
    }

    #[tokio::test]
    async fn an_optional_body_is_read_within_the_limit_not_to_its_end() {
        // whitespace without end: read to its end, it would never be answered
        let endless = futures::stream::repeat_with(|| {
            Ok::<_, std::io::Error>(Bytes::from(vec![b' '; 64 << 10]))
        });
        let request = Request::builder()
            .header("content-type", "application/json")
            .body(Body::from_stream(endless))
            .expect("request");
        let refused = OptionalJson::<Reason>::from_request(request, &())
            .await
            .err()
            .expect("refused");
        assert_eq!(refused.code(), "body_too_large");
    }
}

//! The one API error type. Every failure is answered as RFC 9457 `application/problem+json` with
//! a stable machine-readable `code`; unexpected failures are logged and answered 500 without detail.
//! A refusal the client caused (4xx) is logged at INFO with its code: it is an answer, not a
//! fault, and must not page anyone or bury the real errors.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use tracing::Level;

/// The member of a refusal that says how long to wait; also sent as `Retry-After`.
const RETRY_AFTER_SECONDS: &str = "retry_after_seconds";

/// A client-facing failure, or an internal one.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The client's request was wrong: 4xx with a stable code.
    #[error("{code}: {detail}")]
    Client {
        status: StatusCode,
        code: &'static str,
        detail: String,
        /// RFC 9457 extension members a client acts on beside `code` (e.g. the id of the
        /// record a refusal is about); usually none.
        members: Map<String, Value>,
    },
    /// Something on our side failed; never the client's fault, never detailed to them.
    #[error("internal error: {0}")]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn client(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self::Client {
            status,
            code,
            detail: detail.into(),
            members: Map::new(),
        }
    }

    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        Self::client(StatusCode::BAD_REQUEST, code, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::client(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::client(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self::client(StatusCode::NOT_FOUND, code, detail)
    }

    /// 429: the caller must wait `retry_after` before asking again (the `Retry-After` header
    /// and the member `retry_after_seconds` say how long, in whole seconds, at least one).
    pub fn too_many_requests(
        code: &'static str,
        detail: impl Into<String>,
        retry_after: std::time::Duration,
    ) -> Self {
        let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        Self::client(StatusCode::TOO_MANY_REQUESTS, code, detail)
            .with_member(RETRY_AFTER_SECONDS, seconds.max(1))
    }

    /// 503 `service_busy`: every connection of the process's database pool stayed in use for
    /// the whole wait (`DATABASE_ACQUIRE_TIMEOUT_MS`); the caller may try again after
    /// `Retry-After`. Nothing was written.
    pub fn busy() -> Self {
        Self::client(
            StatusCode::SERVICE_UNAVAILABLE,
            "service_busy",
            "the service is busy: every database connection is in use; try again in a moment",
        )
        .with_member(RETRY_AFTER_SECONDS, 1)
    }

    /// 503 `tenant_moving`: the business is being moved to another deployment
    /// (`barber tenant move`), and no change of its data is taken here meanwhile; the caller may
    /// try again after `Retry-After` (by then it is served where it moved to). Nothing was
    /// written.
    pub fn tenant_moving() -> Self {
        Self::client(
            StatusCode::SERVICE_UNAVAILABLE,
            "tenant_moving",
            "this business is being moved to another deployment; try again in a moment",
        )
        .with_member(RETRY_AFTER_SECONDS, 5)
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::client(StatusCode::CONFLICT, code, detail)
    }

    pub fn unprocessable(code: &'static str, detail: impl Into<String>) -> Self {
        Self::client(StatusCode::UNPROCESSABLE_ENTITY, code, detail)
    }

    /// The same failure under a more specific code.
    pub fn with_code(self, code: &'static str) -> Self {
        match self {
            Self::Client {
                status,
                detail,
                members,
                ..
            } => Self::Client {
                status,
                code,
                detail,
                members,
            },
            internal => internal,
        }
    }

    /// The same failure with an extension member `name` in its problem body, e.g. the id of
    /// the existing record a `possible_duplicate` is about. The standard members (`type`,
    /// `title`, `status`, `detail`, `code`) cannot be replaced this way.
    pub fn with_member(mut self, name: &'static str, value: impl Into<Value>) -> Self {
        const STANDARD: [&str; 5] = ["type", "title", "status", "detail", "code"];
        if let Self::Client { members, .. } = &mut self {
            if !STANDARD.contains(&name) {
                members.insert(name.to_owned(), value.into());
            }
        }
        self
    }

    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Client { status, .. } => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Client { code, .. } => code,
            Self::Internal(_) => "internal_error",
        }
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal(err)
    }
}

/// The RFC 9457 body.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` plus a `code` here.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable; clients branch on this, never on `detail`.
    pub code: String,
    /// Extension members of some codes, documented with them (e.g. `existing_customer_id`).
    #[serde(flatten)]
    #[schema(ignore)]
    pub members: Map<String, Value>,
}

/// How loudly a failed request is logged: ERROR for a failure of ours (5xx), INFO for a refusal
/// the client caused (4xx), which the client is told about and can fix.
pub fn level_for(status: StatusCode) -> Level {
    if status.is_server_error() {
        Level::ERROR
    } else {
        Level::INFO
    }
}

impl ApiError {
    /// Logs the failure at [`level_for`] its status, with its code, and its cause when it is ours.
    fn log(&self) {
        let (status, code) = (self.status().as_u16(), self.code());
        match self {
            Self::Internal(err) => tracing::error!(status, code, error = %err, "request failed"),
            Self::Client { detail, .. } if level_for(self.status()) == Level::ERROR => {
                tracing::error!(status, code, detail, "request failed");
            }
            Self::Client { detail, .. } => tracing::info!(status, code, detail, "request refused"),
        }
    }
}

/// Whether `err`, or anything it was caused by, is a wait for a pooled connection that ran out:
/// the budget of connections is spent, not a fault (from the event store's errors as much as
/// from a query's). cqrs-es's persistence errors show their cause as their own message without
/// giving it as their `source`, so a cause is also known by sqlx's message for it.
fn pool_exhausted(err: &(dyn std::error::Error + 'static)) -> bool {
    let timed_out = sqlx::Error::PoolTimedOut.to_string();
    let mut current = Some(err);
    while let Some(e) = current {
        let is_timeout = matches!(
            e.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::PoolTimedOut)
        );
        if is_timeout || e.to_string() == timed_out {
            return true;
        }
        current = e.source();
    }
    false
}

/// The SQLSTATE of a change refused because its business is moving away (migration
/// `tenant_homes`).
const TENANT_AWAY: &str = "BR001";

/// Whether `err`, or anything it was caused by, is Postgres refusing a change of a business
/// that is moving to another deployment (known by its message too, as for [`pool_exhausted`]).
fn tenant_away(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        let coded = matches!(
            e.downcast_ref::<sqlx::Error>(),
            Some(sqlx::Error::Database(db)) if db.code().as_deref() == Some(TENANT_AWAY)
        );
        if coded
            || e.to_string()
                .contains("is being moved to another deployment")
        {
            return true;
        }
        current = e.source();
    }
    false
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let this = match self {
            Self::Internal(err) if pool_exhausted(err.as_ref()) => {
                metrics::counter!("database_pool_exhausted_total").increment(1);
                Self::busy()
            }
            Self::Internal(err) if tenant_away(err.as_ref()) => Self::tenant_moving(),
            other => other,
        };
        this.respond()
    }
}

impl ApiError {
    fn respond(self) -> Response {
        self.log();
        let status = self.status();
        let (detail, members) = match &self {
            Self::Client {
                detail, members, ..
            } => (detail.clone(), members.clone()),
            Self::Internal(_) => (
                "something went wrong on our side; the request may be retried".to_owned(),
                Map::new(),
            ),
        };
        let problem = Problem {
            kind: format!("https://barber.dev/problems/{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: self.code().to_owned(),
            members,
        };
        let retry_after = problem
            .members
            .get(RETRY_AFTER_SECONDS)
            .map(Value::to_string);
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if let Some(Ok(seconds)) = retry_after.map(|s| header::HeaderValue::from_str(&s)) {
            response.headers_mut().insert(header::RETRY_AFTER, seconds);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn extension_members_sit_beside_the_standard_ones_and_cannot_replace_them() {
        let response = ApiError::conflict("possible_duplicate", "already on the books")
            .with_member("existing_customer_id", "c-1")
            .with_member("code", "hijacked")
            .into_response();
        let body = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .expect("body");
        let problem: Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(problem["code"], "possible_duplicate");
        assert_eq!(problem["existing_customer_id"], "c-1");
        assert_eq!(problem["status"], 409);
    }

    #[test]
    fn client_errors_are_logged_at_info_and_server_errors_at_error() {
        let table = [
            (StatusCode::BAD_REQUEST, Level::INFO),
            (StatusCode::UNAUTHORIZED, Level::INFO),
            (StatusCode::FORBIDDEN, Level::INFO),
            (StatusCode::NOT_FOUND, Level::INFO),
            (StatusCode::METHOD_NOT_ALLOWED, Level::INFO),
            (StatusCode::CONFLICT, Level::INFO),
            (StatusCode::PAYLOAD_TOO_LARGE, Level::INFO),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, Level::INFO),
            (StatusCode::UNPROCESSABLE_ENTITY, Level::INFO),
            (StatusCode::INTERNAL_SERVER_ERROR, Level::ERROR),
            (StatusCode::BAD_GATEWAY, Level::ERROR),
            (StatusCode::SERVICE_UNAVAILABLE, Level::ERROR),
        ];
        for (status, level) in table {
            assert_eq!(level_for(status), level, "{status}");
        }
    }
}

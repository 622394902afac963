//! `Idempotency-Key` on command routes: a client that did not see the answer to a command (a
//! timeout, a dropped connection) sends it again with the same key and gets the first answer,
//! without a second event. The same key with a different request is refused (422), and a key
//! whose first request is still running answers 409 so that the client retries later.
//!
//! Keys are scoped by business (or `public` for signup) and kept for 24 hours. An answer of 5xx
//! is not kept: the command may be retried. A first request that never finished (the process
//! died) leaves its key claimed; after a minute the key may be claimed again.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use platform::ApiError;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use super::CommandState;

/// The request header naming the key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on an answer replayed from an earlier request.
pub const REPLAYED: &str = "idempotent-replayed";

const MAX_BODY_BYTES: usize = 1 << 20;

/// What the store said about a key.
enum Claim {
    /// This request is the first with the key: run it.
    Claimed,
    /// The key answered before: replay.
    Answered {
        status: i16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    /// The key belongs to another request.
    OtherRequest,
    /// The first request with the key is still running.
    Running,
}

/// The middleware. Requests without the header, reads and logins pass straight through.
pub async fn guard(State(state): State<CommandState>, request: Request, next: Next) -> Response {
    let Some(key) = request.headers().get(IDEMPOTENCY_KEY).cloned() else {
        return next.run(request).await;
    };
    if request.method() == Method::GET || request.uri().path().ends_with("/login") {
        return next.run(request).await;
    }
    let Some(key) = key
        .to_str()
        .ok()
        .filter(|k| valid_key(k))
        .map(str::to_owned)
    else {
        return ApiError::bad_request(
            "invalid_idempotency_key",
            "an Idempotency-Key is 1 to 255 visible ASCII characters",
        )
        .into_response();
    };
    let Some(scope) = scope(&state, &request) else {
        // a bad token: let the route answer 401, and remember nothing
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return ApiError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "a command body is at most 1 MiB",
        )
        .into_response();
    };
    let hash = fingerprint(&parts.method, parts.uri.path(), &bytes);
    let pool = state.store.pool();
    match claim(pool, &scope, &key, &hash).await {
        Ok(Claim::Claimed) => {
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            remember(pool, &scope, &key, response).await
        }
        Ok(Claim::Answered {
            status,
            content_type,
            body,
        }) => replay(status, content_type, body),
        Ok(Claim::OtherRequest) => ApiError::unprocessable(
            "idempotency_key_reused",
            "this Idempotency-Key was used for a different request",
        )
        .into_response(),
        Ok(Claim::Running) => ApiError::conflict(
            "idempotency_key_in_progress",
            "the first request with this Idempotency-Key is still running; retry shortly",
        )
        .into_response(),
        Err(err) => ApiError::from(err).into_response(),
    }
}

fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// The caller's business from a valid bearer token, `public` without one, `None` for a bad one.
fn scope(state: &CommandState, request: &Request) -> Option<String> {
    match request.headers().get(header::AUTHORIZATION) {
        None => Some("public".to_owned()),
        Some(value) => {
            let token = value.to_str().ok()?.strip_prefix("Bearer ")?;
            state
                .keys
                .verify(token.trim())
                .ok()
                .map(|claims| claims.tid.to_string())
        }
    }
}

fn fingerprint(method: &Method, path: &str, body: &Bytes) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(method.as_str().as_bytes());
    hasher.update(b"\n");
    hasher.update(path.as_bytes());
    hasher.update(b"\n");
    hasher.update(body);
    hasher.finalize().to_vec()
}

/// A key's row: the request it belongs to and, once answered, the answer.
#[derive(sqlx::FromRow)]
struct StoredKey {
    request_hash: Vec<u8>,
    status: Option<i16>,
    content_type: Option<String>,
    body: Option<Vec<u8>>,
}

async fn claim(pool: &PgPool, scope: &str, key: &str, hash: &[u8]) -> Result<Claim, sqlx::Error> {
    let claimed: Option<bool> = sqlx::query_scalar(
        "insert into idempotency_keys (scope, key, request_hash) values ($1, $2, $3)
         on conflict (scope, key) do update
            set request_hash = excluded.request_hash, status = null, content_type = null,
                body = null, created_at = now()
          where idempotency_keys.created_at < now() - interval '24 hours'
             or (idempotency_keys.status is null
                 and idempotency_keys.created_at < now() - interval '1 minute')
         returning true",
    )
    .bind(scope)
    .bind(key)
    .bind(hash)
    .fetch_optional(pool)
    .await?;
    if claimed.is_some() {
        return Ok(Claim::Claimed);
    }
    let existing: Option<StoredKey> = sqlx::query_as(
        "select request_hash, status, content_type, body from idempotency_keys
              where scope = $1 and key = $2",
    )
    .bind(scope)
    .bind(key)
    .fetch_optional(pool)
    .await?;
    Ok(match existing {
        Some(stored) if stored.request_hash != hash => Claim::OtherRequest,
        Some(StoredKey {
            status: Some(status),
            content_type,
            body,
            ..
        }) => Claim::Answered {
            status,
            content_type,
            body: body.unwrap_or_default(),
        },
        // still running, or released by a failure a moment ago
        _ => Claim::Running,
    })
}

/// Keeps the answer for replays (a 5xx releases the key instead) and passes it on.
async fn remember(pool: &PgPool, scope: &str, key: &str, response: Response) -> Response {
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let stored = if parts.status.is_server_error() {
        sqlx::query("delete from idempotency_keys where scope = $1 and key = $2")
            .bind(scope)
            .bind(key)
            .execute(pool)
            .await
    } else {
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        sqlx::query(
            "update idempotency_keys set status = $3, content_type = $4, body = $5
              where scope = $1 and key = $2",
        )
        .bind(scope)
        .bind(key)
        .bind(i16::try_from(parts.status.as_u16()).unwrap_or(500))
        .bind(content_type)
        .bind(bytes.as_ref())
        .execute(pool)
        .await
    };
    if let Err(err) = stored {
        tracing::warn!(%err, "cannot record the answer to an idempotent request");
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn replay(status: i16, content_type: Option<String>, body: Vec<u8>) -> Response {
    let status = u16::try_from(status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = (status, body).into_response();
    if let Some(value) = content_type.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    response
        .headers_mut()
        .insert(REPLAYED, HeaderValue::from_static("true"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_short_visible_ascii() {
        assert!(valid_key("3f1c-4a"));
        assert!(!valid_key(""));
        assert!(!valid_key("has space"));
        assert!(!valid_key(&"k".repeat(256)));
    }

    #[test]
    fn the_fingerprint_covers_method_path_and_body() {
        let body = Bytes::from_static(b"{\"name\":\"Ana\"}");
        let base = fingerprint(&Method::POST, "/api/v1/customers", &body);
        assert_eq!(base, fingerprint(&Method::POST, "/api/v1/customers", &body));
        assert_ne!(
            base,
            fingerprint(&Method::PATCH, "/api/v1/customers", &body)
        );
        assert_ne!(base, fingerprint(&Method::POST, "/api/v1/staff", &body));
        assert_ne!(
            base,
            fingerprint(
                &Method::POST,
                "/api/v1/customers",
                &Bytes::from_static(b"{}")
            )
        );
    }
}

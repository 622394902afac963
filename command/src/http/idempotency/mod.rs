//! `Idempotency-Key` on command routes: a client that did not see the answer to a command (a
//! timeout, a dropped connection) sends it again with the same key and gets the first answer,
//! without a second event. The same key with a different request is refused (422), and a key
//! whose first request is still running answers 409 so that the client retries later. Requests
//! are compared by method, path and parsed body, under a keyed hash ([`fingerprint`]).
//!
//! Keys are scoped by the caller as the route authenticates them: one user of one business (two
//! users of a business never share answers), or `public` for signup, which needs no token. A
//! request to a route that needs a token but sends none, or a bad one, passes straight through
//! to be answered 401 and leaves nothing behind. Keys are kept for 24 hours. An answer of 5xx
//! is not kept: the command may be retried. A first request that never finished (the process
//! died) leaves its key claimed; after a minute the key may be claimed again. Signup's answer
//! is kept without its token ([`credentials`]).

mod credentials;
mod fingerprint;
mod store;

use axum::body::{Body, Bytes};
use std::net::{IpAddr, Ipv4Addr};

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use platform::client::ClientAddress;
use platform::ApiError;

use self::store::{Claim, Scope, Stored};
use super::accounts::{LOG_IN, LOG_OUT, REFRESH, SIGN_UP};
use super::public::PUBLIC_PREFIX;
use super::users::{ACCEPT_INVITATION, OWN_PASSWORD, RESET_PASSWORD};
use super::CommandState;

/// The request header naming the key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
/// Set on an answer replayed from an earlier request.
pub const REPLAYED: &str = "idempotent-replayed";

const MAX_BODY_BYTES: usize = 1 << 20;

/// The middleware. Requests without the header, reads and logins pass straight through.
pub async fn guard(State(state): State<CommandState>, request: Request, next: Next) -> Response {
    let Some(key) = request.headers().get(IDEMPOTENCY_KEY).cloned() else {
        return next.run(request).await;
    };
    let route = route(&request);
    // a session's routes are never kept: their answers are tokens, and asking again is what
    // they are for (a refresh token sent twice revokes its login, `crate::sessions`)
    if request.method() == Method::GET
        || [
            LOG_IN,
            REFRESH,
            LOG_OUT,
            ACCEPT_INVITATION,
            RESET_PASSWORD,
            OWN_PASSWORD,
        ]
        .iter()
        .any(|r| route.ends_with(r))
    {
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
    let headers = request.headers().clone();
    let Some(scope) = scope(&state, &headers, &route).await else {
        // no token or a bad one: the route answers 401, and nothing is remembered
        return next.run(request).await;
    };
    let (mut parts, body) = request.into_parts();
    let address = ClientAddress::from_request_parts(&mut parts, &())
        .await
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |client| client.0);
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return ApiError::client(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "a command body is at most 1 MiB",
        )
        .into_response();
    };
    let hash = fingerprint::fingerprint(&state.keys, &parts.method, parts.uri.path(), &bytes);
    let pool = state.store.pool();
    match store::claim(pool, &scope, &key, &hash).await {
        Ok(Claim::Claimed) => {
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            remember(&state, &scope, &key, &route, response).await
        }
        Ok(Claim::Answered(stored)) => replay(&state, &route, &bytes, stored, address).await,
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

/// The route the request matched (`/api/v1/customers/{id}`), or its path.
fn route(request: &Request) -> String {
    request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| request.uri().path(), MatchedPath::as_str)
        .to_owned()
}

/// The caller as the route sees them: `public` on signup (which reads no token), else the
/// user the token names, through the same [`platform::auth::JwtKeys::authenticate`] as the
/// route's extractor; `None` when that refuses.
async fn scope(state: &CommandState, headers: &HeaderMap, route: &str) -> Option<Scope> {
    // signup and the public pages read no token: their keys are shared by every caller (a
    // key is a random value of the caller's, and a replay needs the same request too)
    if route.ends_with(SIGN_UP) || route.contains(PUBLIC_PREFIX) {
        return Some(Scope::public());
    }
    let user = state.keys.authenticate(headers).await.ok()?;
    Some(Scope::user(user.tenant_id, user.user_id))
}

/// Keeps the answer for replays (a 5xx, or one that cannot be kept safely, releases the key
/// instead) and passes it on.
async fn remember(
    state: &CommandState,
    scope: &Scope,
    key: &str,
    route: &str,
    response: Response,
) -> Response {
    let pool = state.store.pool();
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let kept = if parts.status.is_server_error() {
        None
    } else if credentials::carries_token(route) || credentials::carries_link(route) {
        credentials::without_token(bytes.to_vec()).ok()
    } else {
        Some(bytes.to_vec())
    };
    let stored = match kept {
        Some(body) => {
            let answer = Stored {
                status: i16::try_from(parts.status.as_u16()).unwrap_or(500),
                content_type: parts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                body,
            };
            store::keep(pool, scope, key, &answer).await
        }
        None => store::release(pool, scope, key).await,
    };
    if let Err(err) = stored {
        tracing::warn!(%err, "cannot record the answer to an idempotent request");
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The kept answer again, with a fresh token where the first one carried one (logged in from
/// `address`, as limits count logins).
async fn replay(
    state: &CommandState,
    route: &str,
    request: &Bytes,
    stored: Stored,
    address: IpAddr,
) -> Response {
    let status = u16::try_from(stored.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let body = if status.is_success() && credentials::carries_token(route) {
        match credentials::reissue(state, request, &stored.body, address).await {
            Ok(body) => body,
            Err(err) => return err.into_response(),
        }
    } else {
        stored.body
    };
    let mut response = (status, body).into_response();
    if let Some(value) = stored
        .content_type
        .and_then(|c| HeaderValue::from_str(&c).ok())
    {
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
}

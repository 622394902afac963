//! Answers that carry a session's tokens (signup's) are never kept with them. A token at rest in
//! `idempotency_keys` would let anyone who can read that table act as the new owner for the
//! token's lifetime, and a replay after the token expired would hand out a dead one.
//!
//! So the answer is kept without its `token`, and a replay gets a fresh token by logging in with
//! the email and password of the replayed request. A replay needs the same key *and* the same
//! request (its fingerprint covers the body, password included), so it proves exactly what a
//! login proves; a password changed since then answers 401 `invalid_credentials`, like a login.
//! Login itself is never kept: asking again is already harmless.
//!
//! An online booking's answer carries its manage link, kept elsewhere only as a hash: it is kept
//! without it too, and a replay answers the booking without the link (the customer who lost the
//! first answer gets it again in the booking's confirmation).

use platform::ApiError;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::super::accounts::SIGN_UP;
use super::super::public::PUBLIC_BOOKINGS;
use super::super::CommandState;
use crate::accounts;

/// The members of an answer that are secrets: never kept.
const SECRETS: [&str; 4] = ["token", "refresh_token", "manage_token", "manage_url"];

/// Whether the answers of `route` (the matched route, e.g. `/api/v1/signup`) carry a token.
pub(super) fn carries_token(route: &str) -> bool {
    route.ends_with(SIGN_UP)
}

/// Whether the answers of `route` carry a booking's manage link.
pub(super) fn carries_link(route: &str) -> bool {
    route.ends_with(PUBLIC_BOOKINGS)
}

/// The answer as it may be kept: a JSON object loses its secrets ([`SECRETS`]); anything
/// else is not one of the route's own answers and carries none.
pub(super) fn without_token(body: Vec<u8>) -> Result<Vec<u8>, serde_json::Error> {
    match serde_json::from_slice::<Map<String, Value>>(&body) {
        Ok(mut answer) => {
            for secret in SECRETS {
                answer.remove(secret);
            }
            serde_json::to_vec(&answer)
        }
        Err(_) => Ok(body),
    }
}

/// The part of a signup request that logs its owner in.
#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

/// The kept answer with a fresh session (a new login) for the credentials in `request`.
pub(super) async fn reissue(
    state: &CommandState,
    request: &[u8],
    kept: &[u8],
    address: std::net::IpAddr,
) -> Result<Vec<u8>, ApiError> {
    // the request was accepted once with this very body, so it parses
    let credentials: Credentials = serde_json::from_slice(request).map_err(ApiError::internal)?;
    let session = accounts::log_in(
        state.store.pool(),
        &state.keys,
        &credentials.email,
        credentials.password,
        address,
    )
    .await?;
    let mut answer: Map<String, Value> =
        serde_json::from_slice(kept).map_err(ApiError::internal)?;
    answer.insert("token".to_owned(), Value::String(session.token));
    answer.insert("expires_in".to_owned(), Value::from(session.expires_in));
    answer.insert(
        "refresh_token".to_owned(),
        Value::String(session.refresh_token),
    );
    serde_json::to_vec(&answer).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_answer_has_no_token() {
        let body = br#"{"business_id":"b","token":"eyJ.secret.sig","user_id":"u",
                        "refresh_token":"0123abcd","expires_in":900}"#
            .to_vec();
        let kept: Value =
            serde_json::from_slice(&without_token(body).expect("kept")).expect("json");
        assert_eq!(
            kept,
            serde_json::json!({"business_id": "b", "user_id": "u", "expires_in": 900})
        );
        assert_eq!(without_token(b"plain".to_vec()).expect("kept"), b"plain");
    }

    #[test]
    fn only_signup_answers_carry_a_token() {
        assert!(carries_token("/api/v1/signup"));
        assert!(carries_token("/signup"));
        assert!(!carries_token("/api/v1/customers"));
    }
}

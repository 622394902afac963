//! `POST /login`: a password exchanged for a session, within the guessing limits.

use std::net::IpAddr;

use platform::auth::JwtKeys;
use platform::ApiError;
use sqlx::PgPool;
use uuid::Uuid;

use super::passwords;
use crate::login_limits;
use crate::sessions::{self, Login, Session};

/// Checks a user's password and opens a session. A wrong email or password is one answer (401
/// `invalid_credentials`), as slow either way; a disabled login, known only once the password
/// is right, is 403 `account_disabled`.
#[tracing::instrument(skip(pool, keys, password))]
pub async fn log_in(
    pool: &PgPool,
    keys: &JwtKeys,
    email: &str,
    password: String,
    address: IpAddr,
) -> Result<Session, ApiError> {
    // counted before anything is checked: past the limits, nothing is (`login_limits`)
    let attempt = login_limits::Attempt::new(keys, email, address);
    attempt.reserve(pool).await?;
    let user: Option<(Uuid, Option<String>, bool)> = sqlx::query_as(
        "select user_id, password_hash, disabled_at is not null
           from users where lower(email) = lower($1)",
    )
    .bind(email.trim())
    .fetch_optional(pool)
    .await?;
    let hash = user.as_ref().and_then(|(_, hash, _)| hash.clone());
    if !passwords::verify(password, hash).await? {
        return Err(ApiError::unauthorized("the email or password is wrong")
            .with_code("invalid_credentials"));
    }
    let Some((user_id, _, disabled)) = user else {
        return Err(ApiError::unauthorized("the email or password is wrong")
            .with_code("invalid_credentials"));
    };
    attempt.succeeded(pool).await?;
    if disabled {
        return Err(disabled_login());
    }
    open_session(pool, keys, user_id).await
}

/// A session for `user_id`, whose login must be usable: 403 `account_disabled` otherwise.
pub(super) async fn open_session(
    pool: &PgPool,
    keys: &JwtKeys,
    user_id: Uuid,
) -> Result<Session, ApiError> {
    let mut conn = pool.acquire().await?;
    let login = Login::usable(&mut conn, user_id)
        .await?
        .ok_or_else(disabled_login)?;
    drop(conn);
    sessions::open(pool, keys, &login).await
}

fn disabled_login() -> ApiError {
    ApiError::forbidden("this login is disabled; ask the business's owner or manager")
        .with_code("account_disabled")
}

//! A login's session: a short-lived access token (a JWT, `JWT_TTL_SECONDS`, 15 minutes by
//! default) and a refresh token that buys the next pair.
//!
//! Refresh tokens are opaque (`platform::secret_token`: only their hash is kept) and rotate:
//! each is good for one use within [`REFRESH_LIFETIME`], which marks it used and issues the next
//! of its family (one family per login). A used token presented again was copied, by a thief or
//! by a client that lost the answer: the whole family is revoked, and the user logs in again.
//! Logout revokes the family. A refresh reads the user afresh, so a changed role or chair takes
//! effect, and a disabled user (or one no longer on record) gets no new token. Disabling a user
//! and changing or resetting a password revoke every family of the user ([`revoke_user`]). An
//! access token lives out its lifetime at most; the command side asks `users` about every
//! token's user at least once a minute and refuses a disabled user's, or one whose role or chair
//! changed (`http::known_users`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use platform::auth::JwtKeys;
use platform::{secret_token, ApiError};
use sqlx::PgPool;
use uuid::Uuid;

/// How long a refresh token may wait for its use.
pub const REFRESH_LIFETIME: Duration = Duration::from_secs(30 * 24 * 3600);

/// What a login or a refresh gives.
#[derive(Debug, Clone)]
pub struct Session {
    /// The access token: `Authorization: Bearer <token>`.
    pub token: String,
    /// Seconds the access token is good for.
    pub expires_in: u64,
    /// Good for one refresh.
    pub refresh_token: String,
}

/// Who a session is for, as `users` has them now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Login {
    pub user_id: Uuid,
    pub business_id: Uuid,
    pub role: String,
    pub staff_id: Option<Uuid>,
}

impl Login {
    /// The login of `user_id` if it may be used: it has a password and is not disabled.
    pub async fn usable(
        conn: &mut sqlx::PgConnection,
        user_id: Uuid,
    ) -> Result<Option<Login>, sqlx::Error> {
        sqlx::query_as(
            "select user_id, business_id, role, staff_id from users
              where user_id = $1 and disabled_at is null and password_hash is not null",
        )
        .bind(user_id)
        .fetch_optional(conn)
        .await
    }
}

/// Opens a session (a new family of refresh tokens) for a user.
pub async fn open(pool: &PgPool, keys: &JwtKeys, login: &Login) -> Result<Session, ApiError> {
    let mut conn = pool.acquire().await?;
    issue(&mut conn, keys, login, Uuid::new_v4()).await
}

/// The next pair for a refresh token; 401 `invalid_refresh_token` for one unknown, expired,
/// revoked or already used (which revokes its family).
pub async fn refresh(pool: &PgPool, keys: &JwtKeys, text: &str) -> Result<Session, ApiError> {
    let mut tx = pool.begin().await?;
    let found: Option<(Uuid, Uuid, Option<DateTime<Utc>>, bool)> = sqlx::query_as(
        "select family, user_id, used_at, revoked_at is null and expires_at > now()
           from refresh_tokens where token_hash = $1 for update",
    )
    .bind(secret_token::hash(text))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((family, user_id, used_at, live)) = found else {
        return Err(invalid());
    };
    if !live {
        return Err(invalid());
    }
    if used_at.is_some() {
        // presented twice: copied. Nothing of the family is good any more.
        revoke_family(&mut tx, family).await?;
        tx.commit().await?;
        tracing::warn!(%user_id, %family, "a used refresh token came again; its family is revoked");
        return Err(invalid());
    }
    sqlx::query("update refresh_tokens set used_at = now() where token_hash = $1")
        .bind(secret_token::hash(text))
        .execute(&mut *tx)
        .await?;
    let Some(login) = Login::usable(&mut tx, user_id).await? else {
        revoke_family(&mut tx, family).await?;
        tx.commit().await?;
        return Err(invalid());
    };
    let session = issue(&mut tx, keys, &login, family).await?;
    tx.commit().await?;
    Ok(session)
}

/// Logs out: the refresh token's family is revoked (an unknown token changes nothing).
pub async fn close(pool: &PgPool, text: &str) -> Result<(), ApiError> {
    let mut tx = pool.begin().await?;
    let family: Option<Uuid> =
        sqlx::query_scalar("select family from refresh_tokens where token_hash = $1")
            .bind(secret_token::hash(text))
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(family) = family {
        revoke_family(&mut tx, family).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn issue(
    conn: &mut sqlx::PgConnection,
    keys: &JwtKeys,
    login: &Login,
    family: Uuid,
) -> Result<Session, ApiError> {
    let refresh = secret_token::draw();
    sqlx::query(
        "insert into refresh_tokens (token_hash, family, user_id, business_id, expires_at)
         values ($1, $2, $3, $4, now() + $5 * interval '1 second')",
    )
    .bind(&refresh.hash)
    .bind(family)
    .bind(login.user_id)
    .bind(login.business_id)
    .bind(i64::try_from(REFRESH_LIFETIME.as_secs()).unwrap_or(i64::MAX))
    .execute(conn)
    .await?;
    Ok(Session {
        token: keys.issue(
            login.user_id,
            login.business_id,
            &login.role,
            login.staff_id,
        )?,
        expires_in: keys.ttl().as_secs(),
        refresh_token: refresh.text,
    })
}

/// Revokes every session of a user (disabled, or their password changed).
pub async fn revoke_user(conn: &mut sqlx::PgConnection, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update refresh_tokens set revoked_at = now() where user_id = $1 and revoked_at is null",
    )
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(())
}

async fn revoke_family(conn: &mut sqlx::PgConnection, family: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update refresh_tokens set revoked_at = now() where family = $1 and revoked_at is null",
    )
    .bind(family)
    .execute(conn)
    .await?;
    Ok(())
}

fn invalid() -> ApiError {
    ApiError::unauthorized("the refresh token is unknown, expired, revoked or already used")
        .with_code("invalid_refresh_token")
}

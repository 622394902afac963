//! One-time links (`account_tokens`): an invitation to set a first password, a reset to set a
//! new one. The holder gets the token's text once; only its hash is kept. A link is good once,
//! before it expires, and issuing a new one of the same purpose voids the user's earlier ones.

use chrono::{DateTime, Duration, Utc};
use platform::{secret_token, ApiError};
use sqlx::PgConnection;
use uuid::Uuid;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    PasswordReset,
}

impl Purpose {
    fn name(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::PasswordReset => "password_reset",
        }
    }

    /// How long a link is good for: a week to accept an invitation, a day to reset.
    fn lifetime(self) -> Duration {
        match self {
            Purpose::Invitation => Duration::days(7),
            Purpose::PasswordReset => Duration::days(1),
        }
    }

    /// The web app's page that takes the link (the token rides in the fragment, which
    /// browsers never send to a server or in a `Referer`).
    fn page(self) -> &'static str {
        match self {
            Purpose::Invitation => "accept-invitation",
            Purpose::PasswordReset => "reset-password",
        }
    }
}

/// A link issued: its token for the holder, the page it opens and when it expires.
#[derive(Debug, Clone)]
pub struct Link {
    pub token: String,
    pub purpose: Purpose,
    pub expires_at: DateTime<Utc>,
}

impl Link {
    /// The address to hand over, under the deployment's `PUBLIC_URL`.
    pub fn url(&self, public_url: &str) -> String {
        format!("{public_url}/{}#token={}", self.purpose.page(), self.token)
    }
}

/// Issues a link for a user, voiding their earlier ones of the same purpose.
pub(super) async fn issue(
    conn: &mut PgConnection,
    (user_id, business_id): (Uuid, Uuid),
    purpose: Purpose,
) -> Result<Link, sqlx::Error> {
    void(conn, user_id, Some(purpose)).await?;
    let token = secret_token::draw();
    let expires_at = Utc::now() + purpose.lifetime();
    sqlx::query(
        "insert into account_tokens (token_hash, user_id, business_id, purpose, expires_at)
         values ($1, $2, $3, $4, $5)",
    )
    .bind(&token.hash)
    .bind(user_id)
    .bind(business_id)
    .bind(purpose.name())
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok(Link {
        token: token.text,
        purpose,
        expires_at,
    })
}

/// Voids a user's unused links (of one purpose, or all).
pub(super) async fn void(
    conn: &mut PgConnection,
    user_id: Uuid,
    purpose: Option<Purpose>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "update account_tokens set used_at = now()
          where user_id = $1 and used_at is null and ($2::text is null or purpose = $2)",
    )
    .bind(user_id)
    .bind(purpose.map(Purpose::name))
    .execute(conn)
    .await?;
    Ok(())
}

/// The (user, business) a good link names, without using it: what the change it allows is
/// decided for. [`redeem`] uses it, in the transaction that records the change.
pub(super) async fn peek(
    conn: &mut PgConnection,
    text: &str,
    purpose: Purpose,
) -> Result<(Uuid, Uuid), ApiError> {
    let found: Option<(Uuid, Uuid)> = sqlx::query_as(
        "select user_id, business_id from account_tokens
          where token_hash = $1 and purpose = $2 and used_at is null and expires_at > now()",
    )
    .bind(secret_token::hash(text))
    .bind(purpose.name())
    .fetch_optional(conn)
    .await?;
    found.ok_or_else(invalid)
}

/// Uses a link once: locked, checked good and for `user_id`, marked used. Two uses at once
/// queue on the row's lock, and the second finds it used.
pub(super) async fn redeem(
    conn: &mut PgConnection,
    text: &str,
    purpose: Purpose,
    user_id: Uuid,
) -> Result<(), ApiError> {
    let used = sqlx::query(
        "update account_tokens set used_at = now()
          where token_hash = $1 and purpose = $2 and user_id = $3
            and used_at is null and expires_at > now()",
    )
    .bind(secret_token::hash(text))
    .bind(purpose.name())
    .bind(user_id)
    .execute(conn)
    .await?;
    if used.rows_affected() == 1 {
        Ok(())
    } else {
        Err(invalid())
    }
}

fn invalid() -> ApiError {
    ApiError::unprocessable(
        "invalid_link",
        "the link is unknown, expired or already used; ask for a new one",
    )
}

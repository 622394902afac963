//! A command is taken only from a user the accounts know, in the business the token names, as
//! the login is now. A token is only a signature: it stays valid after its user is disabled,
//! changes role or chair, or is removed (or, with a leaked secret, for a business that never
//! existed). Every command route therefore checks the token's user against `users` before
//! anything else runs, and writes nothing when the login is not as the token says:
//! 401 `unknown_user` (no such user of that business), 401 `account_disabled`, or 401
//! `token_outdated` (the role or chair changed: refresh the session for a token that says so).
//!
//! A login read is remembered for [`REMEMBERED`], so the check costs one indexed read per user
//! a minute, not one per command; a change made by another process is seen within that time at
//! most, one made by this process at once ([`KnownUsers::forget`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use platform::ApiError;
use sqlx::PgPool;
use uuid::Uuid;

use super::CommandState;

/// How long a user found is trusted without asking again.
pub const REMEMBERED: Duration = Duration::from_secs(60);

/// A login as `users` had it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct LoginNow {
    role: String,
    staff_id: Option<Uuid>,
    disabled: bool,
}

/// The logins read lately, and when.
#[derive(Clone)]
pub struct KnownUsers {
    found: Arc<quick_cache::sync::Cache<(Uuid, Uuid), (Instant, LoginNow)>>,
}

impl Default for KnownUsers {
    fn default() -> Self {
        Self {
            found: Arc::new(quick_cache::sync::Cache::new(10_000)),
        }
    }
}

impl KnownUsers {
    /// Login `user_id` of business `business_id`, if there is one.
    async fn login(
        &self,
        pool: &PgPool,
        user_id: Uuid,
        business_id: Uuid,
    ) -> Result<Option<LoginNow>, sqlx::Error> {
        let key = (user_id, business_id);
        if let Some((at, login)) = self.found.get(&key) {
            if at.elapsed() < REMEMBERED {
                return Ok(Some(login));
            }
        }
        let found: Option<(String, Option<Uuid>, bool)> = sqlx::query_as(
            "select role, staff_id, disabled_at is not null from users
              where user_id = $1 and business_id = $2",
        )
        .bind(user_id)
        .bind(business_id)
        .fetch_optional(pool)
        .await?;
        let login = found.map(|(role, staff_id, disabled)| LoginNow {
            role,
            staff_id,
            disabled,
        });
        if let Some(login) = &login {
            self.found.insert(key, (Instant::now(), login.clone()));
        }
        Ok(login)
    }

    /// Forgets what was read of `user_id`'s login: this process has just changed it.
    pub fn forget(&self, user_id: Uuid, business_id: Uuid) {
        self.found.remove(&(user_id, business_id));
    }
}

/// The middleware. A request without a valid token passes on: the route answers 401 itself (or
/// needs none: signup, login).
pub async fn guard(State(state): State<CommandState>, request: Request, next: Next) -> Response {
    let headers = request.headers().clone();
    let Ok(user) = state.keys.authenticate(&headers).await else {
        return next.run(request).await;
    };
    let unauthorized = |code, detail| {
        ApiError::client(axum::http::StatusCode::UNAUTHORIZED, code, detail).into_response()
    };
    match state
        .users
        .login(state.store.pool(), user.user_id, user.tenant_id)
        .await
    {
        Ok(None) => unauthorized(
            "unknown_user",
            "the token's user is not a user of its business; log in again",
        ),
        Ok(Some(login)) if login.disabled => {
            unauthorized("account_disabled", "this login is disabled")
        }
        Ok(Some(login)) if login.role != user.role.name() || login.staff_id != user.staff_id => {
            unauthorized(
                "token_outdated",
                "the login's role or chair changed since the token was issued; refresh the \
                 session (POST /token/refresh) or log in again",
            )
        }
        Ok(Some(_)) => next.run(request).await,
        Err(err) => ApiError::from(err).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use platform::testing::TestEnv;

    use super::*;

    async fn add_user(pool: &PgPool, user_id: Uuid, business_id: Uuid) {
        sqlx::query(
            "insert into users (user_id, business_id, email, name, role, password_hash)
             values ($1, $2, $3, 'Staff', 'barber', '')",
        )
        .bind(user_id)
        .bind(business_id)
        .bind(format!("{user_id}@known.test"))
        .execute(pool)
        .await
        .expect("user");
    }

    #[tokio::test]
    async fn a_user_found_is_remembered_and_an_unknown_one_is_asked_again() {
        let env = TestEnv::new().await;
        let (user, business) = (Uuid::new_v4(), Uuid::new_v4());
        let known = KnownUsers::default();
        let knows = |known: &KnownUsers, business| {
            let (known, pool) = (known.clone(), env.pool.clone());
            async move {
                known
                    .login(&pool, user, business)
                    .await
                    .expect("asked")
                    .is_some()
            }
        };
        assert!(!knows(&known, business).await);
        add_user(&env.pool, user, business).await;
        // not remembered as unknown: found as soon as the user exists
        assert!(knows(&known, business).await);
        assert!(!knows(&known, Uuid::new_v4()).await);
        // the remembered answer is used: the row is gone but the minute is not over
        sqlx::query("delete from users where user_id = $1")
            .bind(user)
            .execute(&env.pool)
            .await
            .expect("removed");
        assert!(knows(&known, business).await);
        // a process that never saw the user asks, and finds nobody; nor does one that forgot
        assert!(!knows(&KnownUsers::default(), business).await);
        known.forget(user, business);
        assert!(!knows(&known, business).await);
    }
}

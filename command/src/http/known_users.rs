//! A command is taken only from a user the accounts know, in the business the token names. A
//! token is only a signature: it stays valid after its user is removed or its business is gone
//! (or, with a leaked secret, for a business that never existed), and the aggregates would
//! record a customer, a service or a staff member for a business nobody runs. Every command
//! route therefore checks the token's (user, business) against `users` before anything else
//! runs; a token without a known user answers 401 `unknown_user` and writes nothing.
//!
//! A user found is remembered for [`REMEMBERED`], so the check costs one indexed read per user
//! a minute, not one per command; a user removed later is refused within that time at most.

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

/// The users found lately, and when.
#[derive(Clone)]
pub struct KnownUsers {
    found: Arc<quick_cache::sync::Cache<(Uuid, Uuid), Instant>>,
}

impl Default for KnownUsers {
    fn default() -> Self {
        Self {
            found: Arc::new(quick_cache::sync::Cache::new(10_000)),
        }
    }
}

impl KnownUsers {
    /// Whether `user_id` is a user of business `business_id`.
    async fn knows(
        &self,
        pool: &PgPool,
        user_id: Uuid,
        business_id: Uuid,
    ) -> Result<bool, sqlx::Error> {
        let key = (user_id, business_id);
        if self
            .found
            .get(&key)
            .is_some_and(|at| at.elapsed() < REMEMBERED)
        {
            return Ok(true);
        }
        let known: bool = sqlx::query_scalar(
            "select exists (select 1 from users where user_id = $1 and business_id = $2)",
        )
        .bind(user_id)
        .bind(business_id)
        .fetch_one(pool)
        .await?;
        if known {
            self.found.insert(key, Instant::now());
        }
        Ok(known)
    }
}

/// The middleware. A request without a valid token passes on: the route answers 401 itself (or
/// needs none: signup, login).
pub async fn guard(State(state): State<CommandState>, request: Request, next: Next) -> Response {
    let Ok(user) = state.keys.authenticate(request.headers()) else {
        return next.run(request).await;
    };
    match state
        .users
        .knows(state.store.pool(), user.user_id, user.tenant_id)
        .await
    {
        Ok(true) => next.run(request).await,
        Ok(false) => ApiError::client(
            axum::http::StatusCode::UNAUTHORIZED,
            "unknown_user",
            "the token's user is not a user of its business; log in again",
        )
        .into_response(),
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
        assert!(!known.knows(&env.pool, user, business).await.expect("asked"));
        add_user(&env.pool, user, business).await;
        // not remembered as unknown: found as soon as the user exists
        assert!(known.knows(&env.pool, user, business).await.expect("asked"));
        assert!(!known
            .knows(&env.pool, user, Uuid::new_v4())
            .await
            .expect("asked"));
        // the remembered answer is used: the row is gone but the minute is not over
        sqlx::query("delete from users where user_id = $1")
            .bind(user)
            .execute(&env.pool)
            .await
            .expect("removed");
        assert!(known
            .knows(&env.pool, user, business)
            .await
            .expect("remembered"));
        // a process that never saw the user asks, and finds nobody
        let fresh = KnownUsers::default();
        assert!(!fresh.knows(&env.pool, user, business).await.expect("asked"));
    }
}

//! Login resists guessing: failed logins are counted per account (the email asked for, known or
//! not) and per client address over a window, in Postgres so that every command process counts
//! the same. Past [`PER_ACCOUNT`] failures for one email, or [`PER_ADDRESS`] from one address,
//! within [`WINDOW`] of the window's first failure, a login is answered 429
//! `too_many_attempts` with `Retry-After` until the window ends, without its password being
//! checked (a right password too: else the limit would be an oracle). An attempt is counted
//! before its password is checked, in one statement, so concurrent guesses cannot all pass
//! under the limit; a successful login then clears its account's count and gives its address
//! the attempt back. An address has the larger allowance: a shop's front desk and an office
//! behind one address share it. Keys are keyed fingerprints (`JwtKeys::fingerprint`), never
//! the email or the address.

use std::net::IpAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use platform::auth::JwtKeys;
use platform::ApiError;
use sqlx::PgPool;

/// Failed logins for one email within a window before the next is refused.
pub const PER_ACCOUNT: i32 = 10;

/// Failed logins from one address within a window before the next is refused.
pub const PER_ADDRESS: i32 = 50;

/// How long a window lasts from its first failure.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// What a login is counted against: its email and its client's address.
pub struct Attempt {
    account: Vec<u8>,
    address: Vec<u8>,
}

impl Attempt {
    pub fn new(keys: &JwtKeys, email: &str, address: IpAddr) -> Self {
        let email = email.trim().to_lowercase();
        Self {
            account: keys.fingerprint(format!("login account {email}").as_bytes()),
            address: keys.fingerprint(format!("login address {address}").as_bytes()),
        }
    }

    /// Counts the attempt against the account and the address before its password is checked
    /// (so that concurrent guesses cannot all slip under the limit), a window that has ended
    /// starting again; 429 `too_many_attempts` if either is then past its allowance.
    pub async fn reserve(&self, pool: &PgPool) -> Result<(), ApiError> {
        let counted: Vec<(String, i32, DateTime<Utc>)> = sqlx::query_as(
            "insert into login_failures (scope, key, window_started_at, failures)
             values ('account', $1, now(), 1), ('address', $2, now(), 1)
             on conflict (scope, key) do update set
               window_started_at = case when login_failures.window_started_at + $3::interval > now()
                                        then login_failures.window_started_at else now() end,
               failures = case when login_failures.window_started_at + $3::interval > now()
                               then login_failures.failures + 1 else 1 end
             returning scope, failures, window_started_at + $3::interval",
        )
        .bind(&self.account)
        .bind(&self.address)
        .bind(window_interval())
        .fetch_all(pool)
        .await?;
        let blocked_until = counted
            .into_iter()
            .filter(|(scope, failures, _)| match scope.as_str() {
                "account" => *failures > PER_ACCOUNT,
                _ => *failures > PER_ADDRESS,
            })
            .map(|(_, _, until)| until)
            .max();
        match blocked_until {
            None => Ok(()),
            Some(until) => Err(ApiError::too_many_requests(
                "too_many_attempts",
                "too many failed logins: wait before trying again",
                (until - Utc::now())
                    .to_std()
                    .unwrap_or(Duration::from_secs(1)),
            )),
        }
    }

    /// A login that succeeded: its account's count is cleared, and it does not count against
    /// its address.
    pub async fn succeeded(&self, pool: &PgPool) -> Result<(), ApiError> {
        sqlx::query(
            "with cleared as (delete from login_failures where scope = 'account' and key = $1)
             update login_failures set failures = greatest(failures - 1, 0)
              where scope = 'address' and key = $2",
        )
        .bind(&self.account)
        .bind(&self.address)
        .execute(pool)
        .await?;
        Ok(())
    }
}

/// [`WINDOW`] as Postgres reads an interval.
fn window_interval() -> String {
    format!("{} seconds", WINDOW.as_secs())
}

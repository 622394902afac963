//! Requests limited per client address: the public booking pages, which anyone may call
//! without a login, answer 429 `too_many_requests` (with `Retry-After`) past their quota.
//!
//! The count is kept in the process (governor's keyed GCRA: a steady rate with a burst of one
//! minute's quota), so each replica allows its own quota: a deployment of N query and command
//! processes behind one address lets a client through N times over at most. That bounds a
//! scraper or a script hammering the page; guessing passwords, where every attempt must count
//! everywhere, is limited in Postgres instead (`command::login_limits`).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::client::ClientAddress;
use crate::problem::ApiError;

/// One quota per client address, for the requests whose path starts with a prefix.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    prefix: &'static str,
}

impl RateLimit {
    /// `per_minute` requests a minute per address to paths starting with `prefix`.
    pub fn per_minute(per_minute: u32, prefix: &'static str) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let limiter = Arc::new(DefaultKeyedRateLimiter::keyed(Quota::per_minute(
            per_minute,
        )));
        // addresses that went quiet are forgotten, so the map does not grow without end
        let weak = Arc::downgrade(&limiter);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                let Some(limiter) = weak.upgrade() else { break };
                limiter.retain_recent();
                limiter.shrink_to_fit();
            }
        });
        Self { limiter, prefix }
    }

    /// How long `address` must wait, if it is over its quota now.
    fn wait(&self, address: IpAddr) -> Option<Duration> {
        self.limiter
            .check_key(&address)
            .err()
            .map(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

/// The middleware.
pub async fn limit(State(limit): State<RateLimit>, request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with(limit.prefix) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let address = match ClientAddress::from_request_parts(&mut parts, &()).await {
        Ok(ClientAddress(address)) => address,
        Err(err) => return err.into_response(),
    };
    if let Some(wait) = limit.wait(address) {
        return ApiError::too_many_requests(
            "too_many_requests",
            "too many requests from this address; wait a moment",
            wait,
        )
        .into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_address_is_limited_on_its_own() {
        let limit = RateLimit::per_minute(3, "/public/");
        let (one, two) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        for _ in 0..3 {
            assert_eq!(limit.wait(one), None);
        }
        let wait = limit.wait(one).expect("over the quota");
        assert!(
            wait > Duration::ZERO && wait <= Duration::from_secs(20),
            "{wait:?}"
        );
        assert_eq!(limit.wait(two), None);
    }
}

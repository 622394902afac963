//! Sending deliveries: claimed with `FOR UPDATE SKIP LOCKED` (any number of workers), one
//! record's in order (a delivery waits while an earlier one of the same record to the same
//! endpoint is not done), signed, POSTed, and retried with back-off for about a day before it is
//! marked failed. Every try is logged (`webhook_attempts`).

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use platform::clock::Clock;
use platform::shutdown::Shutdown;
use sqlx::PgPool;
use uuid::Uuid;

use super::{address, signing};

/// Waits after failed try n (1-based); after the last, the delivery is failed (about 22 hours
/// in all).
const BACKOFF_SECONDS: [i64; 8] = [30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600];

/// How long one POST may take.
const TIMEOUT: StdDuration = StdDuration::from_secs(10);

/// Claimed per poll.
const BATCH: i64 = 20;

/// Sends webhook deliveries.
#[derive(Clone)]
pub struct Dispatcher {
    pub pool: PgPool,
    pub clock: Arc<dyn Clock>,
    pub client: reqwest::Client,
    pub allow_private: bool,
    pub poll: StdDuration,
    pub claim: Duration,
}

#[derive(Debug, sqlx::FromRow)]
struct Claimed {
    delivery_id: Uuid,
    tenant_id: Uuid,
    attempts: i32,
    body: serde_json::Value,
    url: String,
    secret: String,
}

impl Dispatcher {
    /// A dispatcher whose HTTP client times out after [`TIMEOUT`] and follows no redirect (a
    /// redirect could lead to an address the check refused).
    pub fn new(
        pool: PgPool,
        clock: Arc<dyn Clock>,
        allow_private: bool,
        poll: StdDuration,
        claim: Duration,
    ) -> Self {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("barber-webhooks/1")
            .build()
            .unwrap_or_default();
        Self {
            pool,
            clock,
            client,
            allow_private,
            poll,
            claim,
        }
    }

    /// Sends what is due until `shutdown`.
    pub async fn run(self, mut shutdown: Shutdown) {
        loop {
            match self.poll_once().await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(err) => tracing::warn!(%err, "the webhook dispatcher could not poll"),
            }
            tokio::select! {
                () = tokio::time::sleep(self.poll) => {}
                () = shutdown.wait() => return,
            }
        }
    }

    /// Claims and sends what is due now; answers how many were claimed.
    pub async fn poll_once(&self) -> Result<usize, sqlx::Error> {
        let now = self.clock.now();
        let claimed: Vec<Claimed> = sqlx::query_as(
            "with due as (
                 select d.delivery_id from webhook_deliveries d
                  where ((d.state in ('pending', 'retrying') and d.next_attempt_at <= $1)
                         or (d.state = 'sending' and d.claimed_until <= $1))
                    -- a business moving away: its deliveries are its new home's to send
                    and not exists (select 1 from tenant_homes h where h.tenant_id = d.tenant_id)
                    and not exists (
                        select 1 from webhook_deliveries e
                         where e.endpoint_id = d.endpoint_id and e.record = d.record
                           and e.state in ('pending', 'retrying', 'sending')
                           and (e.transaction_id, e.global_position)
                               < (d.transaction_id, d.global_position))
                  order by d.next_attempt_at
                  limit $3
                    for update of d skip locked)
             update webhook_deliveries d
                set state = 'sending', claimed_until = $2, attempts = d.attempts + 1
               from due, webhook_endpoints w
              where d.delivery_id = due.delivery_id and w.endpoint_id = d.endpoint_id
          returning d.delivery_id, d.tenant_id, d.attempts, d.body, w.url, w.secret",
        )
        .bind(now)
        .bind(now + self.claim)
        .bind(BATCH)
        .fetch_all(&self.pool)
        .await?;
        let count = claimed.len();
        for delivery in claimed {
            let id = delivery.delivery_id;
            if let Err(err) = self.send(delivery).await {
                tracing::warn!(%err, delivery = %id, "a webhook delivery was left for another try");
            }
        }
        Ok(count)
    }

    async fn send(&self, delivery: Claimed) -> Result<(), sqlx::Error> {
        let started = Instant::now();
        let now = self.clock.now();
        let outcome = self.post(&delivery, now).await;
        let elapsed = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        let (status, error) = match &outcome {
            Ok(status) if (200..300).contains(status) => (Some(*status), None),
            Ok(status) => (
                Some(*status),
                Some(format!("the endpoint answered {status}")),
            ),
            Err(error) => (None, Some(error.clone())),
        };
        let delivered = error.is_none();
        let give_up = !delivered
            && usize::try_from(delivery.attempts).unwrap_or(usize::MAX) > BACKOFF_SECONDS.len();
        let next = (!delivered && !give_up).then(|| now + backoff(delivery.attempts));
        let state = if delivered {
            "delivered"
        } else if give_up {
            "failed"
        } else {
            "retrying"
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "update webhook_deliveries
                set state = $2, last_status = $3, last_error = $4, claimed_until = null,
                    next_attempt_at = coalesce($5, next_attempt_at),
                    delivered_at = case when $2 = 'delivered' then $6 else delivered_at end
              where delivery_id = $1",
        )
        .bind(delivery.delivery_id)
        .bind(state)
        .bind(status.map(i32::from))
        .bind(&error)
        .bind(next)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "insert into webhook_attempts
                    (delivery_id, tenant_id, attempt, at, status, error, duration_ms)
             values ($1, $2, $3, $4, $5, $6, $7)
             on conflict (delivery_id, attempt) do nothing",
        )
        .bind(delivery.delivery_id)
        .bind(delivery.tenant_id)
        .bind(delivery.attempts)
        .bind(now)
        .bind(status.map(i32::from))
        .bind(&error)
        .bind(elapsed)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        metrics::counter!("webhook_deliveries_total", "outcome" => state).increment(1);
        Ok(())
    }

    /// POSTs the delivery, signed; the receiver's status, or why there is none.
    async fn post(&self, delivery: &Claimed, now: DateTime<Utc>) -> Result<u16, String> {
        let url = address::check(&delivery.url, self.allow_private).await?;
        let body = delivery.body.to_string();
        let id = delivery.delivery_id.to_string();
        let timestamp = now.timestamp();
        let signature = signing::signature(&delivery.secret, &id, timestamp, &body)
            .ok_or_else(|| "the endpoint's secret is unusable".to_owned())?;
        let answer = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(|e| format!("the endpoint could not be reached: {e}"))?;
        Ok(answer.status().as_u16())
    }
}

/// The wait after failed try `attempt` (1-based).
fn backoff(attempt: i32) -> Duration {
    let index = usize::try_from(attempt.max(1) - 1).unwrap_or(0);
    Duration::seconds(BACKOFF_SECONDS[index.min(BACKOFF_SECONDS.len() - 1)])
}

//! How far behind a projection is (its gauges), and the back-off between retries.

use std::time::Duration;

use async_nats::jetstream::consumer::PullConsumer;
use chrono::{DateTime, Utc};
use platform::shutdown::Shutdown;
use tokio::time::Instant;

/// How often the pending count is asked of the server while busy.
const REFRESH_EVERY: Duration = Duration::from_secs(2);

/// The gauges `projection_lag_events` and `projection_lag_seconds` of one projection.
pub(crate) struct Lag {
    projection: &'static str,
    refreshed: Option<Instant>,
    last_recorded_at: Option<DateTime<Utc>>,
}

impl Lag {
    pub fn new(projection: &'static str) -> Self {
        Self {
            projection,
            refreshed: None,
            last_recorded_at: None,
        }
    }

    /// Notes the newest event a committed batch applied.
    pub fn applied(&mut self, recorded_at: Option<DateTime<Utc>>) {
        self.last_recorded_at = self.last_recorded_at.max(recorded_at);
    }

    /// Asks the server how many messages wait, at most every [`REFRESH_EVERY`] unless `force`.
    pub async fn refresh(&mut self, consumer: &PullConsumer, force: bool) {
        if !force
            && self
                .refreshed
                .is_some_and(|at| at.elapsed() < REFRESH_EVERY)
        {
            return;
        }
        self.refreshed = Some(Instant::now());
        let pending = match consumer.get_info().await {
            Ok(info) => info.num_pending,
            Err(err) => {
                tracing::debug!(%err, "cannot read the consumer's pending count");
                return;
            }
        };
        let projection = self.projection;
        metrics::gauge!("projection_lag_events", "projection" => projection).set(pending as f64);
        let seconds = match (pending, self.last_recorded_at) {
            (0, _) => 0.0,
            (_, Some(at)) => (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0,
            // behind, but nothing applied yet by this process: unknown, leave the gauge
            (_, None) => return,
        };
        metrics::gauge!("projection_lag_seconds", "projection" => projection).set(seconds);
    }
}

/// Exponential back-off from 100 ms to 30 s.
#[derive(Debug)]
pub(crate) struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { next: Self::FIRST }
    }
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(100);
    const MAX: Duration = Duration::from_secs(30);

    pub fn reset(&mut self) {
        self.next = Self::FIRST;
    }

    /// Sleeps for the next delay; `false` when shutdown came first.
    pub async fn wait(&mut self, shutdown: &mut Shutdown) -> bool {
        let delay = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        tokio::select! {
            () = tokio::time::sleep(delay) => true,
            () = shutdown.wait() => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn backoff_doubles_up_to_its_cap_and_stops_on_shutdown() {
        let (trigger, mut shutdown) = platform::shutdown::channel();
        let mut backoff = Backoff {
            next: Duration::from_millis(1),
        };
        assert!(backoff.wait(&mut shutdown).await);
        assert_eq!(backoff.next, Duration::from_millis(2));
        backoff.next = Duration::from_secs(20);
        trigger.trigger();
        assert!(!backoff.wait(&mut shutdown).await);
        assert_eq!(backoff.next, Backoff::MAX);
    }
}

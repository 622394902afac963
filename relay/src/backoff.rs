//! Pauses between retries: Postgres and NATS come back by themselves, so the relay waits and
//! tries again, longer each time, and never longer than a stop signal.

use std::time::Duration;

use platform::shutdown::Shutdown;

/// The longest pause between retries after a failure.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Sleeps, unless shutdown comes first; `false` means stop.
pub(super) async fn pause(duration: Duration, shutdown: &mut Shutdown) -> bool {
    tokio::select! {
        () = shutdown.wait() => false,
        () = tokio::time::sleep(duration) => true,
    }
}

/// Doubling pauses between retries, from the poll interval up to [`MAX_BACKOFF`].
pub(super) struct Backoff {
    first: Duration,
    next: Duration,
}

impl Backoff {
    pub fn new(first: Duration) -> Self {
        let first = first.max(Duration::from_millis(10));
        Self { first, next: first }
    }

    pub fn next(&mut self) -> Duration {
        let current = self.next;
        self.next = (current * 2).min(MAX_BACKOFF);
        current
    }

    pub fn reset(&mut self) {
        self.next = self.first;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_ceiling_and_resets() {
        let mut backoff = Backoff::new(Duration::from_secs(3));
        assert_eq!(backoff.next(), Duration::from_secs(3));
        assert_eq!(backoff.next(), Duration::from_secs(6));
        assert_eq!(backoff.next(), MAX_BACKOFF);
        assert_eq!(backoff.next(), MAX_BACKOFF);
        backoff.reset();
        assert_eq!(backoff.next(), Duration::from_secs(3));
    }
}

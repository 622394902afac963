//! Where "now" comes from for work that waits for a moment (a reminder a day before an
//! appointment): the system's clock in production, a clock a test sets in tests, so that no
//! test waits for real hours.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// A source of the current instant.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The system's clock, shared.
pub fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}

/// A clock that runs with the system's but can be moved ahead by a test: `now` is the system's
/// time plus the distance it was moved.
#[derive(Debug, Clone, Default)]
pub struct ShiftedClock {
    ahead: Arc<Mutex<Duration>>,
}

impl ShiftedClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock `by` further ahead.
    pub fn advance(&self, by: Duration) {
        let mut ahead = self.ahead.lock().unwrap_or_else(|p| p.into_inner());
        *ahead += by;
    }

    /// Sets the clock to `at` (from now on it runs on from there).
    pub fn set(&self, at: DateTime<Utc>) {
        let mut ahead = self.ahead.lock().unwrap_or_else(|p| p.into_inner());
        *ahead = at - Utc::now();
    }
}

impl Clock for ShiftedClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.ahead.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_clock_runs_on_from_where_it_was_moved() {
        let clock = ShiftedClock::new();
        let before = clock.now();
        clock.advance(Duration::hours(22));
        let after = clock.now();
        assert!(after - before >= Duration::hours(22));
        assert!(after - before < Duration::hours(22) + Duration::seconds(5));
    }
}

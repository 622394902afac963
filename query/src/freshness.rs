//! Read-your-writes. A command answers with the `position` of its event; a GET with
//! `min_position` waits until every read model it reads has applied all events of its aggregate
//! types up to that position in commit order, or until the wait runs out (then the answer
//! carries `Barber-Stale: true`).
//!
//! What "reached" means is `platform::progress`. Projections announce progress with
//! `NOTIFY barber_projections`; waiters wake on it, with a short poll as backstop.
//!
//! The reads may come from a streaming replica (`DATABASE_READ_URL`). A replica hears no
//! NOTIFY, so the listener stays on the primary, while "reached" is always asked of the
//! database the answer is read from: the checkpoints are written in the projections'
//! transactions, so a replica's checkpoint never runs ahead of its own read models, however far
//! it lags. A notification that comes before the replica has replayed the commit leaves the
//! waiter to the backstop poll.

use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::time::Instant;

use platform::shutdown::Shutdown;

/// How often a waiter looks again when no projection announces progress: a position the event
/// store has not reached yet wakes no one, and a notification can be lost on a reconnect.
const BACKSTOP: Duration = Duration::from_millis(100);

/// The header marking an answer that may not include the caller's write yet.
pub const STALE_HEADER: HeaderName = HeaderName::from_static("barber-stale");

pub use platform::read_models::{
    ReadModel, APPOINTMENTS, APPOINTMENT_STATS, BUSINESSES, CUSTOMERS, NOTIFICATIONS, RESERVATIONS,
    SERVICES, STAFF,
};

/// Whether an answer includes the caller's writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consistency {
    Fresh,
    Stale,
}

impl Consistency {
    /// Fresh only if both are.
    pub fn and(self, other: Self) -> Self {
        if self == Self::Fresh && other == Self::Fresh {
            Self::Fresh
        } else {
            Self::Stale
        }
    }

    /// The headers to add to the answer: `Barber-Stale: true` when stale, else none.
    pub fn headers(self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if self == Self::Stale {
            headers.insert(STALE_HEADER, HeaderValue::from_static("true"));
        }
        headers
    }
}

/// Waits for read models to reach a position.
#[derive(Clone)]
pub struct Freshness {
    pool: PgPool,
    max_wait: Duration,
    progress: watch::Receiver<u64>,
}

impl Freshness {
    /// Starts listening for projection progress on `primary`; waiters ask `reads` (the database
    /// the answers are read from: the primary, or a replica of it) whether a position is
    /// reached. The listener stops with `shutdown`.
    pub fn start(reads: PgPool, primary: PgPool, max_wait: Duration, shutdown: Shutdown) -> Self {
        let (tx, rx) = watch::channel(0_u64);
        tokio::spawn(listen(primary, tx, shutdown));
        let pool = reads;
        Self {
            pool,
            max_wait,
            progress: rx,
        }
    }

    /// Whether `model` has applied everything up to `position`.
    pub async fn has_reached(&self, model: ReadModel, position: i64) -> Result<bool, sqlx::Error> {
        platform::progress::has_reached(&self.pool, model.name, model.aggregate_types, position)
            .await
    }

    /// Waits (bounded) until `model` reaches `min_position`; no position means no wait. A
    /// position beyond the newest event waits too (it may be a write this database has not
    /// seen yet) and, if it never comes, is answered stale after the wait.
    #[tracing::instrument(skip(self), fields(projection = model.name))]
    pub async fn wait_for(
        &self,
        model: ReadModel,
        min_position: Option<i64>,
    ) -> Result<Consistency, sqlx::Error> {
        let Some(position) = min_position else {
            return Ok(Consistency::Fresh);
        };
        let deadline = Instant::now() + self.max_wait;
        let mut progress = self.progress.clone();
        loop {
            progress.borrow_and_update();
            if self.has_reached(model, position).await? {
                return Ok(Consistency::Fresh);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Consistency::Stale);
            }
            let backstop = (deadline - now).min(BACKSTOP);
            if let Ok(Err(_closed)) = tokio::time::timeout(backstop, progress.changed()).await {
                // the listener has stopped (shutting down): poll, never spin
                tokio::time::sleep(backstop).await;
            }
        }
    }
}

impl Freshness {
    /// Waits for each of `models` in turn; fresh only if every one is. The first one that
    /// stays behind makes the answer stale and ends the wait, so it is bounded like one.
    pub async fn wait_for_all(
        &self,
        models: &[ReadModel],
        min_position: Option<i64>,
    ) -> Result<Consistency, sqlx::Error> {
        for model in models {
            if self.wait_for(*model, min_position).await? == Consistency::Stale {
                return Ok(Consistency::Stale);
            }
        }
        Ok(Consistency::Fresh)
    }
}

async fn listen(pool: PgPool, progress: watch::Sender<u64>, mut shutdown: Shutdown) {
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(%err, "cannot listen for projection progress; retrying");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    () = shutdown.wait() => return,
                }
            }
        };
        if let Err(err) = listener.listen("barber_projections").await {
            tracing::warn!(%err, "cannot listen for projection progress; retrying");
            continue;
        }
        loop {
            tokio::select! {
                received = listener.recv() => match received {
                    Ok(_) => progress.send_modify(|n| *n = n.wrapping_add(1)),
                    Err(err) => {
                        tracing::warn!(%err, "projection progress listener lost; reconnecting");
                        break;
                    }
                },
                () = shutdown.wait() => return,
            }
        }
    }
}

//! When to look for new events: a notification on `barber_events` (sent by the command service
//! after each commit, see `command::store`), or the poll interval, whichever comes first. Polling
//! stays even when notifications work: an event committed while another transaction was open is
//! not past the xid8 gate when its notification arrives, and nothing notifies when the gate
//! opens (the relay then looks again after a few milliseconds).

use std::time::Duration;

use platform::shutdown::Shutdown;
use sqlx::postgres::PgListener;
use sqlx::PgPool;

/// The channel writers notify after they commit.
const CHANNEL: &str = "barber_events";

pub(super) struct Wakeup {
    pool: PgPool,
    listener: Option<PgListener>,
}

/// What ended one wait.
enum Woken {
    Shutdown,
    Tick,
    Notified(Result<(), sqlx::Error>),
}

impl Wakeup {
    /// Listens on the channel; without a listener the relay still polls.
    pub async fn listen(pool: &PgPool) -> Self {
        let mut wakeup = Self {
            pool: pool.clone(),
            listener: None,
        };
        wakeup.reconnect().await;
        wakeup
    }

    /// Waits for a notification or `poll`; `false` when shutdown came first.
    pub async fn wait(&mut self, poll: Duration, shutdown: &mut Shutdown) -> bool {
        if self.listener.is_none() {
            self.reconnect().await;
        }
        let notified = async {
            match self.listener.as_mut() {
                Some(listener) => listener.try_recv().await.map(|_| ()),
                None => std::future::pending().await,
            }
        };
        let woken = tokio::select! {
            () = shutdown.wait() => Woken::Shutdown,
            () = tokio::time::sleep(poll) => Woken::Tick,
            result = notified => Woken::Notified(result),
        };
        match woken {
            Woken::Shutdown => false,
            Woken::Tick => true,
            Woken::Notified(result) => {
                self.settle(result);
                true
            }
        }
    }

    /// Drops a broken listener (the next wait reconnects) or coalesces a burst of notifications
    /// into this one wake-up.
    fn settle(&mut self, result: Result<(), sqlx::Error>) {
        match (result, self.listener.as_mut()) {
            (Err(err), _) => {
                tracing::warn!(error = %err, "LISTEN failed; polling until it reconnects");
                self.listener = None;
            }
            (Ok(()), Some(listener)) => while listener.next_buffered().is_some() {},
            (Ok(()), None) => {}
        }
    }

    async fn reconnect(&mut self) {
        match PgListener::connect_with(&self.pool).await {
            Ok(mut listener) => match listener.listen(CHANNEL).await {
                Ok(()) => self.listener = Some(listener),
                Err(err) => tracing::warn!(error = %err, "cannot LISTEN; polling only"),
            },
            Err(err) => tracing::warn!(error = %err, "cannot LISTEN; polling only"),
        }
    }
}

//! The notification worker (`barber remind`): every poll it claims the messages that are due
//! ([`claim`]) and works each through ([`deliver`]): worded from the read models ([`facts`]),
//! sent, marked sent, recorded on the appointment. Failed sends are tried again with back-off
//! ([`deliver::backoff`]) and given up after [`deliver::MAX_ATTEMPTS`]. Any number of workers
//! may run at once. Staff who asked for it get their next day's agenda each evening
//! ([`agenda`]).

pub mod agenda;
pub mod claim;
pub mod deliver;
pub mod facts;

use std::sync::Arc;

use chrono::Duration;
use command::store::EventStore;
use platform::clock::Clock;
use platform::shutdown::Shutdown;
use platform::Config;
use sqlx::PgPool;

use crate::channels::{ConfigError, Mailer, SmsProvider, TwilioSms};

/// Messages claimed per poll.
const CLAIM_BATCH: i64 = 20;

/// A notification worker and what it sends with.
#[derive(Clone)]
pub struct Worker {
    pool: PgPool,
    store: EventStore,
    mailer: Option<Mailer>,
    sms: Option<Arc<dyn SmsProvider>>,
    clock: Arc<dyn Clock>,
    public_url: String,
    poll: std::time::Duration,
    claim: Duration,
}

impl Worker {
    /// A worker with the channels `config` sets up (none set: those messages are skipped).
    pub fn new(
        config: &Config,
        pool: PgPool,
        store: EventStore,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, ConfigError> {
        let notify = &config.notify;
        let mailer = notify
            .smtp_url
            .as_deref()
            .map(|url| Mailer::from_url(url, &notify.mail_from))
            .transpose()?;
        let sms: Option<Arc<dyn SmsProvider>> = match &notify.sms {
            None => None,
            Some(sms) => Some(Arc::new(TwilioSms::new(
                &sms.api_url,
                sms.account_sid.clone(),
                sms.auth_token.clone(),
                sms.from.clone(),
            )?)),
        };
        Ok(Self {
            pool,
            store,
            mailer,
            sms,
            clock,
            public_url: config.public_url.clone(),
            poll: notify.poll_interval,
            claim: Duration::from_std(notify.claim).unwrap_or(Duration::minutes(2)),
        })
    }

    /// Sends what is due until `shutdown`; errors are logged and the next poll goes on.
    pub async fn run(self, mut shutdown: Shutdown) {
        tracing::info!(
            email = self.mailer.is_some(),
            sms = self.sms.is_some(),
            "notification worker started"
        );
        let mut agendas_checked: Option<chrono::DateTime<chrono::Utc>> = None;
        loop {
            let now = self.clock.now();
            if agendas_checked.is_none_or(|at| now - at >= agenda::AGENDA_EVERY || now < at) {
                agendas_checked = Some(now);
                if let Err(err) = self.agendas().await {
                    tracing::warn!(%err, "the daily agendas could not be sent");
                }
            }
            match self.poll_once().await {
                // a full batch: more may be due, go on at once
                Ok(n) if n as i64 == CLAIM_BATCH => continue,
                Ok(_) => {}
                Err(err) => tracing::warn!(%err, "the notification worker could not poll"),
            }
            tokio::select! {
                () = tokio::time::sleep(self.poll) => {}
                () = shutdown.wait() => return,
            }
        }
    }

    /// Claims what is due now and works it through; answers how many were claimed.
    pub async fn poll_once(&self) -> Result<usize, sqlx::Error> {
        let now = self.clock.now();
        let claimed = claim::due(&self.pool, now, now + self.claim, CLAIM_BATCH).await?;
        let count = claimed.len();
        for message in claimed {
            let id = message.notification_id;
            if let Err(err) = self.deliver(message).await {
                tracing::warn!(%err, notification = %id, "a message was left for another try");
            }
        }
        Ok(count)
    }
}

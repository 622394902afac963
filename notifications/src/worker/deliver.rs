//! One claimed message, from the read models to the customer and onto the appointment's
//! history: worded, sent with its id as the provider's idempotency key, marked sent, then
//! recorded as `CustomerNotified` through the command side.
//!
//! The order is what makes "exactly once" hold across crashes: the delivery is marked sent
//! (committed) as soon as the provider took the message, before it is recorded, so a worker that
//! stops in between leaves a message to record, never one to send again; a worker that stops
//! before the provider answered leaves a claim that runs out and is taken again, and the
//! provider sees the same idempotency key (an SMS provider drops the repeat; an email carries
//! the same `Message-ID`).

use chrono::{DateTime, Duration, Utc};
use command::store::CommandError;
use domain::appointment::{Appointment, AppointmentCommand};
use events::appointment::{NotificationChannel, NotificationKind};
use events::EventMetadata;
use tracing::Instrument;
use uuid::Uuid;

use super::claim::Claimed;
use super::facts::{self, About, Message};
use super::Worker;
use crate::channels::{Email, SendError, Sent, Sms};
use crate::message::{self, Facts};

/// Why a message by email or SMS is skipped when that channel is not set up.
const EMAIL_UNSET: &str = "email is not set up (SMTP_URL)";
const SMS_UNSET: &str = "SMS is not set up (SMS_API_URL)";

/// Sends given up after this many attempts (the delivery is then `failed` until retried).
pub const MAX_ATTEMPTS: i32 = 5;

/// How long after failed attempt `attempt` (1-based) the next one is made.
pub fn backoff(attempt: i32) -> Duration {
    match attempt {
        ..=1 => Duration::minutes(1),
        2 => Duration::minutes(5),
        3 => Duration::minutes(15),
        _ => Duration::hours(1),
    }
}

/// How late a message may still go out: past this, it says something no longer worth saying.
fn stale(message: &Message, now: DateTime<Utc>) -> bool {
    match message.kind.0 {
        // about a start that has passed, or many hours late (a day-before reminder at noon on
        // the day), it is noise
        NotificationKind::Reminder
        | NotificationKind::Confirmation
        | NotificationKind::Rescheduled => {
            now >= message.starts_at || now > message.due_at + Duration::hours(6)
        }
        NotificationKind::Cancelled => now > message.due_at + Duration::hours(6),
        NotificationKind::FollowUp => now > message.due_at + Duration::days(2),
    }
}

/// What became of a claimed message.
enum Outcome {
    Sent(Sent),
    /// Nothing to send it by, or nothing to say any more (the reason is kept).
    Skipped(String),
    /// The read models have not caught up with it yet: try again in a moment, uncounted.
    NotYet,
    Failed(SendError),
}

impl Worker {
    /// Works one claimed message through; database errors leave the claim to run out.
    pub(super) async fn deliver(&self, claimed: Claimed) -> Result<(), sqlx::Error> {
        let now = self.clock.now();
        let Some(message) = facts::message(&self.pool, claimed.notification_id).await? else {
            return self.skip(claimed.notification_id, "no such message").await;
        };
        let span = tracing::info_span!(
            "notify",
            otel.name = %format!("notify {} by {}", message.kind.0.as_str(), message.channel.0.as_str()),
            notification = %message.notification_id,
        );
        if let Some(parent) = &message.trace_parent {
            platform::telemetry::follow(&span, parent);
        }
        self.work(claimed, message, now).instrument(span).await
    }

    /// [`Worker::deliver`] once the message is read.
    async fn work(
        &self,
        claimed: Claimed,
        message: Message,
        now: DateTime<Utc>,
    ) -> Result<(), sqlx::Error> {
        // what the provider took is recorded, whatever became of the appointment since
        if claimed.state == "sent" {
            return self.record(&message).await;
        }
        if message.status != "pending" {
            return self
                .skip(message.notification_id, "no longer to be sent")
                .await;
        }
        let outcome = if stale(&message, now) {
            Outcome::Skipped("too late to be worth sending".into())
        } else {
            self.send(&message).await?
        };
        match outcome {
            Outcome::Sent(sent) => {
                sqlx::query(
                    "update notification_deliveries
                        set state = 'sent', provider_id = $2, sent_at = $3, last_error = null,
                            updated_at = $3
                      where notification_id = $1",
                )
                .bind(message.notification_id)
                .bind(&sent.provider_id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                metrics::counter!("notifications_sent_total",
                    "channel" => message.channel.0.as_str(), "kind" => message.kind.0.as_str())
                .increment(1);
                self.record(&message).await
            }
            Outcome::Skipped(reason) => self.skip(message.notification_id, &reason).await,
            Outcome::NotYet => {
                sqlx::query(
                    "update notification_deliveries
                        set state = 'retrying', attempts = attempts - 1, next_attempt_at = $2,
                            claimed_until = null, updated_at = $3
                      where notification_id = $1",
                )
                .bind(message.notification_id)
                .bind(now + Duration::seconds(1))
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
            Outcome::Failed(err) => {
                let give_up = err.is_permanent() || claimed.attempts >= MAX_ATTEMPTS;
                tracing::warn!(notification = %message.notification_id, attempt = claimed.attempts,
                    give_up, %err, "a message was not sent");
                metrics::counter!("notifications_failed_attempts_total",
                    "channel" => message.channel.0.as_str())
                .increment(1);
                sqlx::query(
                    "update notification_deliveries
                        set state = $2, last_error = $3, next_attempt_at = $4,
                            claimed_until = null, updated_at = $5
                      where notification_id = $1",
                )
                .bind(message.notification_id)
                .bind(if give_up { "failed" } else { "retrying" })
                .bind(err.to_string())
                .bind((!give_up).then(|| now + backoff(claimed.attempts)))
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }
    }

    /// Words the message and hands it to its channel's provider.
    async fn send(&self, message: &Message) -> Result<Outcome, sqlx::Error> {
        // nothing to send it by: skipped before anything is read, worded or linked (a booking
        // link is issued per message), so a channel left unset costs a skip, not a message
        match message.channel.0 {
            NotificationChannel::Email if self.mailer.is_none() => {
                return Ok(Outcome::Skipped(EMAIL_UNSET.into()));
            }
            NotificationChannel::Sms if self.sms.is_none() => {
                return Ok(Outcome::Skipped(SMS_UNSET.into()));
            }
            NotificationChannel::Email | NotificationChannel::Sms => {}
        }
        if !facts::caught_up(&self.pool, message).await? {
            return Ok(Outcome::NotYet);
        }
        let Some(about) = facts::about(&self.pool, message).await? else {
            return Ok(Outcome::NotYet);
        };
        if about.customer_name.is_empty() {
            return Ok(Outcome::Skipped("the customer's data was erased".into()));
        }
        if message.kind.0 == NotificationKind::Reminder && !about.reminders {
            return Ok(Outcome::Skipped(
                "the customer asked for no reminders".into(),
            ));
        }
        if message.kind.0 == NotificationKind::FollowUp && !about.marketing_consent {
            return Ok(Outcome::Skipped(
                "the customer has not agreed to marketing messages".into(),
            ));
        }
        let Ok(timezone) = about.timezone.parse::<chrono_tz::Tz>() else {
            return Ok(Outcome::Skipped(format!(
                "unknown timezone {:?}",
                about.timezone
            )));
        };
        let kind = message.kind.0;
        let facts = Facts {
            business_name: about.business_name.clone(),
            business_timezone: timezone,
            business_address: about.address.clone(),
            customer_name: about.customer_name.clone(),
            service_name: about.service_name.clone(),
            barber_name: about.staff_name.clone(),
            starts_at: message.starts_at,
            ends_at: about.ends_at,
            previous_starts_at: message.previous_starts_at,
            manage_url: self.manage_url(message, &about).await?,
            rebook_url: Some(format!("{}/book/{}", self.public_url, about.slug)),
            appointment_id: message.appointment_id,
            sequence: u32::try_from(about.version).unwrap_or(0),
        };
        let rendered = match message::render(kind, &facts) {
            Ok(rendered) => rendered,
            Err(err) => return Ok(Outcome::Failed(SendError::Permanent(err.to_string()))),
        };
        let key = message.notification_id;
        let result = match message.channel.0 {
            NotificationChannel::Email => {
                let Some(to) = about.email.clone() else {
                    return Ok(Outcome::Skipped("the customer has no email address".into()));
                };
                let Some(mailer) = &self.mailer else {
                    return Ok(Outcome::Skipped(EMAIL_UNSET.into()));
                };
                let email = Email {
                    to,
                    to_name: Some(about.customer_name.clone()),
                    subject: rendered.subject,
                    text: rendered.text,
                    html: rendered.html,
                    calendar: message::carries_invite(kind)
                        .then(|| message::calendar(&facts, kind)),
                    idempotency_key: key,
                };
                mailer.send(&email).await
            }
            NotificationChannel::Sms => {
                let Some(to) = about.phone.clone() else {
                    return Ok(Outcome::Skipped("the customer has no phone number".into()));
                };
                let Some(provider) = &self.sms else {
                    return Ok(Outcome::Skipped(SMS_UNSET.into()));
                };
                let sms = Sms {
                    to,
                    body: rendered.sms,
                    idempotency_key: key,
                };
                provider.send(&sms).await
            }
        };
        Ok(match result {
            Ok(sent) => Outcome::Sent(sent),
            Err(err) => Outcome::Failed(err),
        })
    }

    /// A fresh link to the customer's booking, for messages about an appointment still ahead.
    async fn manage_url(
        &self,
        message: &Message,
        about: &About,
    ) -> Result<Option<String>, sqlx::Error> {
        let live = matches!(about.appointment_status.as_str(), "booked" | "confirmed");
        if !live
            || matches!(
                message.kind.0,
                NotificationKind::Cancelled | NotificationKind::FollowUp
            )
        {
            return Ok(None);
        }
        let token = match command::online::links::issue(
            &self.pool,
            message.tenant_id,
            message.appointment_id,
        )
        .await
        {
            Ok(token) => token,
            Err(err) => {
                tracing::warn!(%err, "no manage link for a message");
                return Ok(None);
            }
        };
        Ok(Some(format!(
            "{}/book/manage#token={token}",
            self.public_url
        )))
    }

    /// Records the sent message on the appointment (`CustomerNotified`), then marks the
    /// delivery recorded. A refusal (the appointment is gone: impossible in an append-only
    /// store) is logged and the delivery closed, so it is not tried forever.
    async fn record(&self, message: &Message) -> Result<(), sqlx::Error> {
        let (provider_id, sent_at): (Option<String>, Option<DateTime<Utc>>) = sqlx::query_as(
            "select provider_id, sent_at from notification_deliveries where notification_id = $1",
        )
        .bind(message.notification_id)
        .fetch_one(&self.pool)
        .await?;
        let command = AppointmentCommand::RecordNotification {
            tenant_id: message.tenant_id,
            notification_id: message.notification_id,
            kind: message.kind.0,
            channel: message.channel.0,
            offset_minutes: message.offset_minutes.and_then(|o| u32::try_from(o).ok()),
            provider_id: provider_id.unwrap_or_default(),
            now: sent_at.unwrap_or_else(|| self.clock.now()),
        };
        let metadata = EventMetadata::for_command(
            message.tenant_id,
            "notifications",
            message.notification_id.to_string(),
        );
        let id = message.appointment_id.to_string();
        match self
            .store
            .execute::<Appointment>(&id, command, &metadata)
            .await
        {
            Ok(_) => {}
            Err(CommandError::Refused(err)) => {
                tracing::error!(%err, notification = %message.notification_id,
                    "a sent message cannot be recorded on its appointment");
            }
            // the claim runs out and the record is tried again
            Err(err @ (CommandError::Conflict | CommandError::Store(_))) => {
                tracing::warn!(%err, "a sent message could not be recorded yet");
                return Ok(());
            }
        }
        sqlx::query(
            "update notification_deliveries set recorded_at = $2, claimed_until = null,
                    updated_at = $2
              where notification_id = $1",
        )
        .bind(message.notification_id)
        .bind(self.clock.now())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Ends a delivery without sending (`skipped`, with why).
    async fn skip(&self, notification_id: Uuid, reason: &str) -> Result<(), sqlx::Error> {
        let now = self.clock.now();
        sqlx::query(
            "update notification_deliveries
                set state = 'skipped', last_error = $2, claimed_until = null, updated_at = $3,
                    recorded_at = $3
              where notification_id = $1 and state <> 'sent'",
        )
        .bind(notification_id)
        .bind(reason)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

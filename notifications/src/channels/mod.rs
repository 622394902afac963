//! The ways a message leaves barber: email over SMTP and SMS through a provider.
//!
//! Each channel takes one finished message (what to say is decided in [`crate::message`]) and
//! answers either [`Sent`] with the provider's id, or a [`SendError`] that says whether trying
//! again later can help. Every message carries an idempotency key that the provider sees (the
//! email's `Message-ID`, Twilio's idempotency header), so a resend after a crash is recognisable
//! as the same message.
//!
//! - `email`: [`Mailer`], SMTP with lettre.
//! - `sms`: [`SmsProvider`], the seam for SMS providers, and [`TwilioSms`], Twilio's API.

mod email;
mod sms;

pub use email::Mailer;
pub use sms::{SmsProvider, TwilioSms};

/// An email to one customer, ready to go: subject, both bodies and maybe a calendar invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The customer's address, e.g. `ana@example.com`.
    pub to: String,
    /// The customer's name, shown by their mail app beside the address.
    pub to_name: Option<String>,
    pub subject: String,
    /// The plain-text body, for mail apps that do not show HTML.
    pub text: String,
    pub html: String,
    /// An iCalendar text (see [`crate::message::calendar`]), attached as `invite.ics` so the
    /// customer can put the appointment in their calendar; its `METHOD` (`PUBLISH` or `CANCEL`)
    /// is repeated in the attachment's content type.
    pub calendar: Option<String>,
    /// The same for every attempt at this notification: it becomes the `Message-ID`
    /// (`<key@barber>`), so a resend after a crash is the same message to every mail system.
    pub idempotency_key: uuid::Uuid,
}

/// A text message to one customer's phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sms {
    /// The customer's number in E.164 form, e.g. `+447700900123`.
    pub to: String,
    pub body: String,
    /// The same for every attempt at this notification; the provider is told it so that a retry
    /// of a request whose answer was lost is not sent twice.
    pub idempotency_key: uuid::Uuid,
}

/// Proof that a provider accepted a message: what to record against the notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The provider's reference: the email's `Message-ID` (`<key@barber>`), Twilio's `SM…` sid.
    pub provider_id: String,
}

/// Why a message was not handed over. The text is shown to shop owners in their list of failed
/// notifications, so it says what went wrong in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: the server was unreachable, slow, busy or rate-limiting, or
    /// answered with a temporary refusal (SMTP 4xx, HTTP 429/5xx). The message may or may not
    /// have arrived; a resend carries the same idempotency key.
    #[error("{0} (a temporary problem: it will be tried again)")]
    Transient(String),
    /// Will never work as it is: the recipient was refused (SMTP 5xx), the phone number is not
    /// valid, the address cannot be used. Retrying would only repeat the refusal.
    #[error("{0}")]
    Permanent(String),
}

impl SendError {
    /// Whether retrying is pointless: the notification should be marked failed for good.
    pub fn is_permanent(&self) -> bool {
        matches!(self, SendError::Permanent(_))
    }
}

/// A channel's settings that cannot work: found once at startup, not at the first message.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The SMTP URL (`SMTP_URL`) is not one lettre understands.
    #[error("the SMTP URL is not usable ({0}); expected smtp://host:port, smtp://host:587?tls=required or smtps://user:password@host")]
    SmtpUrl(String),
    /// The sender of the shop's emails is not a mailbox like `barber <bookings@example.com>`.
    #[error("the email sender {address:?} is not a valid mailbox: {reason}")]
    Sender { address: String, reason: String },
    /// The SMS provider's settings (base URL, client) cannot be used.
    #[error("the SMS provider settings are not usable: {0}")]
    Sms(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_permanent_errors_say_so() {
        assert!(SendError::Permanent("bad number".into()).is_permanent());
        assert!(!SendError::Transient("timeout".into()).is_permanent());
    }

    #[test]
    fn a_transient_error_tells_the_owner_it_will_be_retried() {
        let text = SendError::Transient("the email server did not answer".into()).to_string();
        assert_eq!(
            text,
            "the email server did not answer (a temporary problem: it will be tried again)"
        );
    }
}

//! Email over SMTP: one connection per message, so a server that went away between two
//! messages is met fresh each time instead of through a stale pooled connection.

use std::fmt;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::{ConfigError, Email, SendError, Sent};

/// How long reaching the mail server may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long the whole conversation (greeting, TLS, login, the message, its acceptance) may take.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Hands the shop's emails to an SMTP server (the platform's own relay or a provider such as
/// Postmark, SES or Mailgun over SMTP), from one configured sender.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    send_timeout: Duration,
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // the transport would show the server's login; the sender is enough to tell mailers apart
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for an SMTP server named by URL, in lettre's conventions: `smtp://host:25`
    /// (plain), `smtp://host:587?tls=required` (STARTTLS), `smtps://host` (TLS from the first
    /// byte), with `user:password@` for a login and an optional `/name` path for the EHLO name.
    /// `from` is the sender every customer sees, e.g. `barber <bookings@example.com>`.
    pub fn from_url(smtp_url: &str, from: &str) -> Result<Mailer, ConfigError> {
        let sender: Mailbox = from.parse().map_err(|e| ConfigError::Sender {
            address: from.to_owned(),
            reason: format!("{e}"),
        })?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| ConfigError::SmtpUrl(e.to_string()))?
            .timeout(Some(CONNECT_TIMEOUT))
            .build();
        Ok(Mailer {
            transport,
            from: sender,
            send_timeout: SEND_TIMEOUT,
        })
    }

    /// The same mailer, giving up on a conversation with the server after `timeout` instead of
    /// 30 s (tests use a short one).
    pub fn with_send_timeout(mut self, timeout: Duration) -> Mailer {
        self.send_timeout = timeout;
        self
    }

    /// Sends one email: text and HTML as alternatives, the calendar invite (if any) attached as
    /// `invite.ics`. The `Message-ID` is `<idempotency_key@barber>`, so every attempt at the
    /// same notification is the same message; it is also the id this answers with.
    ///
    /// A timeout after the message was transmitted is [`SendError::Transient`] although the
    /// server may have kept it: the resend then carries the same `Message-ID`.
    #[tracing::instrument(skip_all, fields(message_id = %message_id(email.idempotency_key)))]
    pub async fn send(&self, email: &Email) -> Result<Sent, SendError> {
        let message = self.compose(email)?;
        match tokio::time::timeout(self.send_timeout, self.transport.send(message)).await {
            Ok(Ok(_accepted)) => Ok(Sent {
                provider_id: message_id(email.idempotency_key),
            }),
            Ok(Err(error)) => {
                tracing::debug!(%error, "the mail server did not take the email");
                Err(classify(&error))
            }
            Err(_elapsed) => Err(SendError::Transient(format!(
                "the mail server did not finish taking the email within {} s",
                self.send_timeout.as_secs_f32()
            ))),
        }
    }

    fn compose(&self, email: &Email) -> Result<Message, SendError> {
        let address: Address = email.to.trim().parse().map_err(|e| {
            SendError::Permanent(format!(
                "the email address {:?} cannot be used: {e}",
                email.to
            ))
        })?;
        let bodies = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
        let builder = Message::builder()
            .from(self.from.clone())
            .to(Mailbox::new(email.to_name.clone(), address))
            .subject(email.subject.clone())
            .message_id(Some(message_id(email.idempotency_key)));
        let built = match &email.calendar {
            None => builder.multipart(bodies),
            Some(ics) => {
                let content_type = ContentType::parse(&format!(
                    "text/calendar; charset=utf-8; method={}",
                    calendar_method(ics)
                ))
                .map_err(|e| {
                    SendError::Permanent(format!("the calendar invite is malformed: {e}"))
                })?;
                let invite =
                    Attachment::new("invite.ics".to_owned()).body(ics.clone(), content_type);
                builder.multipart(MultiPart::mixed().multipart(bodies).singlepart(invite))
            }
        };
        built.map_err(|e| SendError::Permanent(format!("the email could not be put together: {e}")))
    }
}

/// The `Message-ID` of every attempt at one notification.
fn message_id(idempotency_key: uuid::Uuid) -> String {
    format!("<{idempotency_key}@barber>")
}

/// The iCalendar `METHOD` of an invite, which mail apps want in the content type as well.
fn calendar_method(ics: &str) -> &'static str {
    let cancels = ics
        .lines()
        .any(|line| line.trim_end().eq_ignore_ascii_case("METHOD:CANCEL"));
    if cancels {
        "CANCEL"
    } else {
        "PUBLISH"
    }
}

/// Which SMTP failures a later attempt can cure: every 4xx reply and every failure to talk at
/// all; of the 5xx replies, only a refused login (the shop's settings, fixed by a person).
fn classify(error: &smtp::Error) -> SendError {
    let detail = std::error::Error::source(error)
        .map(|source| source.to_string())
        .unwrap_or_default();
    if let Some(code) = error.status() {
        let code = u16::from(code);
        let reply = format!("{code} {detail}").trim_end().to_owned();
        return match code {
            530 | 534 | 535 | 538 => SendError::Transient(format!(
                "the mail server did not accept barber's login ({reply}); check the SMTP settings"
            )),
            500..=599 => {
                SendError::Permanent(format!("the mail server refused the email ({reply})"))
            }
            _ => SendError::Transient(format!("the mail server is busy or unavailable ({reply})")),
        };
    }
    if error.is_timeout() {
        return SendError::Transient("the mail server did not answer in time".to_owned());
    }
    if error.is_tls() {
        return SendError::Transient(format!(
            "a secure connection to the mail server could not be made ({error})"
        ));
    }
    SendError::Transient(format!("the mail server could not be reached ({error})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &str = "BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n";

    #[test]
    fn a_cancelled_invite_says_cancel_in_its_content_type() {
        assert_eq!(calendar_method(INVITE), "CANCEL");
        assert_eq!(
            calendar_method("BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\n"),
            "PUBLISH"
        );
    }

    #[test]
    fn the_sender_must_be_a_mailbox() {
        let error = Mailer::from_url("smtp://127.0.0.1:2525", "not an address")
            .expect_err("a sender without an address is refused");
        assert!(matches!(error, ConfigError::Sender { .. }), "{error}");
    }

    #[test]
    fn an_unknown_scheme_is_refused_at_startup() {
        let error = Mailer::from_url("http://mail.example.com", "barber <b@example.com>")
            .expect_err("http is no SMTP URL");
        assert!(matches!(error, ConfigError::SmtpUrl(_)), "{error}");
    }

    #[test]
    fn an_unusable_customer_address_is_permanent() {
        let mailer = Mailer::from_url("smtp://127.0.0.1:2525", "barber <b@example.com>")
            .expect("a plain SMTP URL is accepted");
        let email = Email {
            to: "ana at example".into(),
            to_name: None,
            subject: "s".into(),
            text: "t".into(),
            html: "h".into(),
            calendar: None,
            idempotency_key: uuid::Uuid::nil(),
        };
        let error = mailer.compose(&email).expect_err("no @, no email");
        assert!(error.is_permanent(), "{error}");
    }
}

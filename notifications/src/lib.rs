//! The notification worker (`barber remind`): what a customer is told about their appointment
//! (a confirmation, reminders before the start, a notice when it moves or is cancelled), by
//! email over SMTP and by SMS through a provider, each exactly once.
//!
//! - [`channels`]: the ways out: email over SMTP ([`channels::Mailer`]), SMS through a
//!   provider ([`channels::SmsProvider`], Twilio's API by [`channels::TwilioSms`]).
//! - [`message`]: what a message says: templates for each kind, and the `.ics` attachment.
//! - [`worker`]: the worker that claims due messages and sends them, each exactly once.
//! - [`http`]: a retry of a failed message; the webhook routes.
//! - [`webhooks`]: signed deliveries of the business's events to its own endpoints.
//!
//! What is due is the `notifications` read model (`projections::notifications`), made from the
//! appointment events; what the worker did with each is its own `notification_deliveries`.

pub mod channels;
pub mod http;
pub mod message;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhooks;
pub mod worker;

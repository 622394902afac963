//! Local stand-ins for the outside world that notifications reach, for tests (the `testing`
//! feature): real servers on `127.0.0.1`, so the channels are tested over real SMTP and HTTP,
//! with switches to make them fail the ways real providers do.
//!
//! - `smtp_sink`: [`SmtpSink`], an SMTP server that keeps what it receives; `received`:
//!   [`Received`], one such email, with its headers and decoded bodies.
//! - `sms_provider`: [`SmsStandIn`], Twilio's Messages API; [`SentSms`], what it accepted.

mod received;
mod sms_provider;
mod smtp_sink;

pub use received::Received;
pub use sms_provider::{SentSms, SmsStandIn};
pub use smtp_sink::SmtpSink;

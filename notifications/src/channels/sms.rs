//! SMS through a provider: the [`SmsProvider`] seam, and Twilio's Messages API behind it.

use std::time::Duration;

use futures::future::BoxFuture;
use platform::config::Secret;
use reqwest::StatusCode;
use serde::Deserialize;

use super::{ConfigError, SendError, Sent, Sms};

/// How long one request to the provider may take, from connecting to the last byte.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A company that delivers text messages. The worker holds one as `Arc<dyn SmsProvider>`, so a
/// shop's region can use another provider without the worker knowing.
pub trait SmsProvider: Send + Sync {
    /// Hands one text message to the provider, passing on its idempotency key.
    fn send<'a>(&'a self, sms: &'a Sms) -> BoxFuture<'a, Result<Sent, SendError>>;
}

/// Twilio's Programmable Messaging (`POST /2010-04-01/Accounts/{sid}/Messages.json`).
#[derive(Debug, Clone)]
pub struct TwilioSms {
    client: reqwest::Client,
    messages_url: String,
    account_sid: String,
    auth_token: Secret,
    from: Sender,
}

/// Who the customer sees the text come from.
#[derive(Debug, Clone)]
enum Sender {
    /// One of the account's numbers, `From`.
    Number(String),
    /// A Messaging Service (`MG…`), which picks the number itself: `MessagingServiceSid`.
    MessagingService(String),
}

/// The message resource Twilio answers with; only the sid matters here.
#[derive(Deserialize)]
struct MessageResource {
    sid: String,
}

/// Twilio's error body: `{"code": 21211, "message": "...", "more_info": "...", "status": 400}`.
#[derive(Deserialize)]
struct TwilioError {
    code: Option<u32>,
    message: Option<String>,
}

impl TwilioSms {
    /// Twilio's production API, the usual `base_url`.
    pub const BASE_URL: &'static str = "https://api.twilio.com";

    /// A client for one Twilio account. `base_url` is [`TwilioSms::BASE_URL`] in production
    /// and a local stand-in in tests; `from` is the sending number in E.164 form, or a
    /// Messaging Service sid (`MG…`).
    pub fn new(
        base_url: &str,
        account_sid: impl Into<String>,
        auth_token: Secret,
        from: impl Into<String>,
    ) -> Result<TwilioSms, ConfigError> {
        let account_sid = account_sid.into();
        let from = from.into();
        if !base_url.starts_with("http://") && !base_url.starts_with("https://") {
            return Err(ConfigError::Sms(format!(
                "the SMS API URL {base_url:?} is not an http(s) URL"
            )));
        }
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| ConfigError::Sms(e.to_string()))?;
        let messages_url = format!(
            "{}/2010-04-01/Accounts/{account_sid}/Messages.json",
            base_url.trim_end_matches('/')
        );
        let from = if from.starts_with("MG") {
            Sender::MessagingService(from)
        } else {
            Sender::Number(from)
        };
        Ok(TwilioSms {
            client,
            messages_url,
            account_sid,
            auth_token,
            from,
        })
    }

    #[tracing::instrument(skip_all, fields(idempotency_key = %sms.idempotency_key))]
    async fn deliver(&self, sms: &Sms) -> Result<Sent, SendError> {
        let sender = match &self.from {
            Sender::Number(number) => ("From", number.as_str()),
            Sender::MessagingService(sid) => ("MessagingServiceSid", sid.as_str()),
        };
        let form = [("To", sms.to.as_str()), sender, ("Body", sms.body.as_str())];
        let response = self
            .client
            .post(&self.messages_url)
            .basic_auth(&self.account_sid, Some(self.auth_token.expose()))
            .header(
                "I-Twilio-Idempotency-Token",
                sms.idempotency_key.to_string(),
            )
            .form(&form)
            .send()
            .await
            .map_err(not_reached)?;
        let status = response.status();
        if status.is_success() {
            return match response.json::<MessageResource>().await {
                Ok(resource) => Ok(Sent {
                    provider_id: resource.sid,
                }),
                // accepted, but the answer was lost on the way: the retry carries the same token
                Err(e) => Err(SendError::Transient(format!(
                    "the SMS provider's answer could not be read ({e})"
                ))),
            };
        }
        let body = response.bytes().await.unwrap_or_default();
        Err(refusal(status, &body))
    }
}

impl SmsProvider for TwilioSms {
    fn send<'a>(&'a self, sms: &'a Sms) -> BoxFuture<'a, Result<Sent, SendError>> {
        Box::pin(self.deliver(sms))
    }
}

/// The provider could not be asked: nothing was sent, or an answer was lost.
fn not_reached(error: reqwest::Error) -> SendError {
    let what = if error.is_timeout() {
        "the SMS provider did not answer in time"
    } else if error.is_connect() {
        "the SMS provider could not be reached"
    } else {
        "the request to the SMS provider failed"
    };
    SendError::Transient(format!("{what} ({error})"))
}

/// What Twilio's refusal means: the number or the message is wrong (never retry), or Twilio or
/// the account cannot take it now (retry later; bad credentials are fixed by a person).
fn refusal(status: StatusCode, body: &[u8]) -> SendError {
    let reason = match serde_json::from_slice::<TwilioError>(body) {
        Ok(TwilioError {
            code: Some(code),
            message,
        }) => format!(
            "Twilio error {code}: {}",
            message.as_deref().unwrap_or("no message")
        ),
        Ok(TwilioError {
            code: None,
            message: Some(message),
        }) => message,
        _ => format!("HTTP {status}"),
    };
    match status.as_u16() {
        401 | 403 => SendError::Transient(format!(
            "the SMS provider did not accept barber's credentials ({reason}); check the SMS settings"
        )),
        429 => SendError::Transient(format!("the SMS provider is rate-limiting ({reason})")),
        400..=499 => SendError::Permanent(format!("the SMS provider refused the text ({reason})")),
        _ => SendError::Transient(format!("the SMS provider is unavailable ({reason})")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_number_is_permanent_and_says_why() {
        let body = br#"{"code": 21211, "message": "Invalid 'To' Phone Number: 123", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#;
        let error = refusal(StatusCode::BAD_REQUEST, body);
        assert!(error.is_permanent());
        assert_eq!(
            error.to_string(),
            "the SMS provider refused the text (Twilio error 21211: Invalid 'To' Phone Number: 123)"
        );
    }

    #[test]
    fn busy_or_broken_providers_are_transient() {
        for status in [429, 500, 502, 503, 401] {
            let status = StatusCode::from_u16(status).expect("a valid status");
            assert!(!refusal(status, b"<html>").is_permanent(), "{status}");
        }
    }

    #[test]
    fn the_base_url_must_be_http() {
        let error = TwilioSms::new("api.twilio.com", "AC1", Secret::new("t"), "+15005550006")
            .expect_err("a URL without scheme is refused");
        assert!(matches!(error, ConfigError::Sms(_)));
    }
}

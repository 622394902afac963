//! A local HTTP server speaking Twilio's Messages API, for tests that send SMS through
//! [`crate::channels::TwilioSms`] without Twilio.
//!
//! It answers `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` as Twilio does: basic
//! auth with the account sid and auth token (else `401`, code 20003), an E.164 `To` (else `400`,
//! code 21211), a `From` or `MessagingServiceSid` (else 21603) and a `Body` (else 21602),
//! then `201` with a message resource (`sid` `SM` + 32 hex digits, `status` `queued`). A request
//! repeating an `I-Twilio-Idempotency-Token` already seen answers the first message's resource
//! again and sends nothing new. Errors have Twilio's shape:
//! `{"code": 21211, "message": "...", "more_info": "...", "status": 400}`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// One text message the stand-in accepted (a repeat of an idempotency token is not another).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentSms {
    /// The `SM…` sid it was given.
    pub sid: String,
    pub to: String,
    /// The `From` number, or the `MessagingServiceSid` when that was given instead.
    pub from: String,
    pub body: String,
    /// The `I-Twilio-Idempotency-Token` header of the request, if any.
    pub idempotency_token: Option<String>,
}

/// The running stand-in; it stops when this is dropped.
pub struct SmsStandIn {
    address: SocketAddr,
    shared: Arc<Shared>,
    serving: JoinHandle<()>,
}

struct Shared {
    account_sid: String,
    auth_token: String,
    state: Mutex<Delivered>,
    /// How many distinct messages were accepted: what [`SmsStandIn::wait_for`] watches.
    count: watch::Sender<usize>,
    failing: Mutex<Option<u16>>,
}

#[derive(Default)]
struct Delivered {
    messages: Vec<SentSms>,
    /// The resource answered for each idempotency token, to answer a repeat the same way.
    by_token: HashMap<String, Value>,
}

impl Drop for SmsStandIn {
    fn drop(&mut self) {
        self.serving.abort();
    }
}

impl SmsStandIn {
    /// Starts a stand-in for the Twilio account `account_sid` (`AC…`) with its auth token, on a
    /// free port of `127.0.0.1`.
    pub async fn start(account_sid: &str, auth_token: &str) -> SmsStandIn {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the SMS stand-in binds a local port");
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let shared = Arc::new(Shared {
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            state: Mutex::new(Delivered::default()),
            count: watch::Sender::new(0),
            failing: Mutex::new(None),
        });
        let router = Router::new()
            .route(
                "/2010-04-01/Accounts/{account}/Messages.json",
                post(create_message),
            )
            .with_state(Arc::clone(&shared));
        let serving = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        SmsStandIn {
            address,
            shared,
            serving,
        }
    }

    /// The base URL to use instead of `https://api.twilio.com` (`SMS_API_URL`).
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Every distinct message accepted so far, in order.
    pub fn messages(&self) -> Vec<SentSms> {
        lock(&self.shared.state).messages.clone()
    }

    /// Waits until at least `n` messages were accepted or `timeout` has passed, and answers
    /// every message accepted by then: check its length, it may be short.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<SentSms> {
        let mut count = self.shared.count.subscribe();
        let _ = tokio::time::timeout(timeout, count.wait_for(|count| *count >= n)).await;
        self.messages()
    }

    /// Simulates Twilio in trouble: with `Some(status)` (e.g. 503, 429) every request is
    /// answered with that status and a Twilio error body, and nothing is sent; `None` heals it.
    pub fn set_failing(&self, status: Option<u16>) {
        *lock(&self.shared.failing) = status;
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

async fn create_message(
    State(shared): State<Arc<Shared>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(status) = *lock(&shared.failing) {
        let (code, message) = match status {
            429 => (20429, "Too Many Requests"),
            500..=599 => (20500, "An internal server error has occurred"),
            _ => (20001, "Unknown error"),
        };
        return twilio_error(status, code, message);
    }
    if !authorized(&headers, &shared) {
        return twilio_error(401, 20003, "Authenticate");
    }
    if account != shared.account_sid {
        let message = format!(
            "The requested resource /2010-04-01/Accounts/{account}/Messages.json was not found"
        );
        return twilio_error(404, 20404, &message);
    }
    let form: HashMap<String, String> = match serde_urlencoded::from_bytes(&body) {
        Ok(form) => form,
        Err(_) => return twilio_error(400, 20001, "The request body is not form-encoded"),
    };
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let (to, body) = (field("To"), field("Body"));
    let from = [field("From"), field("MessagingServiceSid")]
        .into_iter()
        .find(|value| !value.is_empty())
        .unwrap_or_default();
    if to.is_empty() {
        return twilio_error(400, 21604, "A 'To' phone number is required.");
    }
    if !is_e164(to) {
        return twilio_error(400, 21211, &format!("Invalid 'To' Phone Number: {to}"));
    }
    if from.is_empty() {
        return twilio_error(400, 21603, "A 'From' phone number is required.");
    }
    if body.is_empty() {
        return twilio_error(400, 21602, "Message body is required.");
    }
    let token = headers
        .get("I-Twilio-Idempotency-Token")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);

    let mut state = lock(&shared.state);
    if let Some(first) = token.as_ref().and_then(|token| state.by_token.get(token)) {
        return (StatusCode::CREATED, Json(first.clone())).into_response();
    }
    let sms = SentSms {
        sid: format!("SM{}", uuid::Uuid::new_v4().simple()),
        to: to.to_owned(),
        from: from.to_owned(),
        body: body.to_owned(),
        idempotency_token: token.clone(),
    };
    let resource = resource(
        &shared.account_sid,
        &sms,
        !field("MessagingServiceSid").is_empty(),
    );
    if let Some(token) = token {
        state.by_token.insert(token, resource.clone());
    }
    state.messages.push(sms);
    shared.count.send_replace(state.messages.len());
    (StatusCode::CREATED, Json(resource)).into_response()
}

/// Whether the request carries `Basic base64(account_sid:auth_token)`.
fn authorized(headers: &HeaderMap, shared: &Shared) -> bool {
    let Some(encoded) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    decoded == format!("{}:{}", shared.account_sid, shared.auth_token).as_bytes()
}

/// `+` and 2 to 15 digits, the first not 0.
fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (2..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0')
    })
}

/// The message resource Twilio answers a create with.
fn resource(account_sid: &str, sms: &SentSms, via_service: bool) -> Value {
    let now = chrono::Utc::now().to_rfc2822();
    let uri = format!("/2010-04-01/Accounts/{account_sid}/Messages/{}", sms.sid);
    json!({
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": sms.body,
        "date_created": now,
        "date_sent": null,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": null,
        "error_message": null,
        "from": if via_service { Value::Null } else { Value::from(sms.from.clone()) },
        "messaging_service_sid": if via_service { Value::from(sms.from.clone()) } else { Value::Null },
        "num_media": "0",
        "num_segments": "1",
        "price": null,
        "price_unit": "USD",
        "sid": sms.sid,
        "status": "queued",
        "subresource_uris": { "media": format!("{uri}/Media.json") },
        "to": sms.to,
        "uri": format!("{uri}.json"),
    })
}

fn twilio_error(status: u16, code: u32, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({
        "code": code,
        "message": message,
        "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
        "status": status.as_u16(),
    });
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_numbers_are_told_from_others() {
        for good in ["+447700900123", "+15005550006", "+12"] {
            assert!(is_e164(good), "{good}");
        }
        for bad in [
            "07700900123",
            "+0447700900123",
            "+44 7700 900123",
            "+1234567890123456",
            "+",
        ] {
            assert!(!is_e164(bad), "{bad}");
        }
    }
}

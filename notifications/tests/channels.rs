//! The channels against real local servers: email through the SMTP sink, SMS through the
//! Twilio stand-in, including the ways those fail.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use notifications::channels::{Email, Mailer, SendError, Sms, SmsProvider, TwilioSms};
use notifications::message::{self, Facts, Kind};
use notifications::testing::{SmsStandIn, SmtpSink};
use platform::config::Secret;
use uuid::Uuid;

const SENDER: &str = "barber <bookings@example.com>";
const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "auth-token";
const WAIT: Duration = Duration::from_secs(5);

fn facts() -> Facts {
    Facts {
        business_name: "Sharp & Co".into(),
        business_timezone: chrono_tz::Europe::London,
        business_address: Some("12 High Street, London".into()),
        customer_name: "José Núñez".into(),
        service_name: "Skin fade".into(),
        barber_name: Some("Sam".into()),
        starts_at: Utc
            .with_ymd_and_hms(2026, 12, 1, 10, 0, 0)
            .single()
            .expect("a valid time"),
        ends_at: Utc
            .with_ymd_and_hms(2026, 12, 1, 10, 30, 0)
            .single()
            .expect("a valid time"),
        previous_starts_at: None,
        manage_url: Some("https://barber.example/a/xyz".into()),
        rebook_url: None,
        appointment_id: Uuid::new_v4(),
        sequence: 0,
    }
}

fn email(kind: Kind) -> Email {
    let facts = facts();
    let rendered = message::render(kind, &facts).expect("the templates render");
    Email {
        to: "jose@example.com".into(),
        to_name: Some(facts.customer_name.clone()),
        subject: rendered.subject,
        // a line starting with a dot must survive SMTP's dot-stuffing
        text: format!("{}.\n.that was a dot\n", rendered.text),
        html: rendered.html,
        calendar: message::carries_invite(kind).then(|| message::calendar(&facts, kind)),
        idempotency_key: Uuid::new_v4(),
    }
}

fn mailer(sink: &SmtpSink) -> Mailer {
    Mailer::from_url(&sink.url(), SENDER).expect("the sink's URL is a valid SMTP URL")
}

/// A local port nothing listens on.
async fn closed_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binds");
    let port = listener.local_addr().expect("has an address").port();
    drop(listener);
    port
}

#[tokio::test]
async fn an_email_arrives_with_text_html_invite_and_its_message_id() {
    let sink = SmtpSink::start().await;
    let email = email(Kind::Confirmation);

    let sent = mailer(&sink)
        .send(&email)
        .await
        .expect("the sink accepts it");

    let key = email.idempotency_key;
    assert_eq!(sent.provider_id, format!("<{key}@barber>"));
    let received = sink.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.from, "bookings@example.com");
    assert_eq!(mail.to, vec!["jose@example.com".to_owned()]);
    assert_eq!(mail.message_id(), Some(format!("<{key}@barber>")));
    assert_eq!(mail.subject(), Some(email.subject.clone()));
    assert!(mail
        .header("From")
        .is_some_and(|from| from.contains("bookings@example.com")));
    assert!(mail
        .header("To")
        .is_some_and(|to| to.contains("<jose@example.com>")));

    let text = mail.text_body().expect("a text part");
    assert!(text.contains("Hi José Núñez,"), "{text}");
    assert!(
        text.contains("Tuesday 1 December 2026 at 10:00 (Europe/London)"),
        "{text}"
    );
    assert!(text.contains("\n.that was a dot"), "{text}");
    let html = mail.html_body().expect("an HTML part");
    assert!(html.contains("Sharp &amp; Co"), "{html}");

    let (ics, method) = mail.calendar().expect("an invite");
    assert_eq!(method, "PUBLISH");
    assert!(ics.contains("DTSTART:20261201T100000Z\r\n"), "{ics}");
    assert_eq!(mail.attachment_names(), vec!["invite.ics".to_owned()]);
}

#[tokio::test]
async fn a_cancellation_invite_is_sent_as_a_cancel() {
    let sink = SmtpSink::start().await;
    mailer(&sink)
        .send(&email(Kind::Cancelled))
        .await
        .expect("the sink accepts it");
    let received = sink.wait_for(1, WAIT).await;
    let (ics, method) = received[0].calendar().expect("an invite");
    assert_eq!(method, "CANCEL");
    assert!(ics.contains("STATUS:CANCELLED\r\n"));
}

#[tokio::test]
async fn a_reminder_has_no_attachment() {
    let sink = SmtpSink::start().await;
    mailer(&sink)
        .send(&email(Kind::Reminder))
        .await
        .expect("the sink accepts it");
    let received = sink.wait_for(1, WAIT).await;
    assert!(received[0].calendar().is_none());
    assert!(received[0].attachment_names().is_empty());
    assert!(received[0].text_body().is_some());
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    let url = format!("smtp://127.0.0.1:{}", closed_port().await);
    let mailer = Mailer::from_url(&url, SENDER).expect("a valid URL");
    let error = mailer
        .send(&email(Kind::Confirmation))
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, SendError::Transient(_)), "{error}");
}

#[tokio::test]
async fn a_mail_server_that_is_down_is_transient_until_it_is_back() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(&sink);
    let email = email(Kind::Confirmation);

    sink.set_down(true);
    let error = mailer.send(&email).await.expect_err("the server is down");
    assert!(matches!(error, SendError::Transient(_)), "{error}");
    assert!(error.to_string().contains("421"), "{error}");
    assert!(sink.messages().is_empty());

    sink.set_down(false);
    mailer.send(&email).await.expect("the server is back");
    assert_eq!(sink.wait_for(1, WAIT).await.len(), 1);
}

#[tokio::test]
async fn a_refused_recipient_is_permanent() {
    let sink = SmtpSink::start().await;
    sink.refuse_recipient("jose@example.com");
    let error = mailer(&sink)
        .send(&email(Kind::Confirmation))
        .await
        .expect_err("the mailbox does not exist");
    assert!(error.is_permanent(), "{error}");
    assert!(error.to_string().contains("550"), "{error}");
}

#[tokio::test]
async fn an_unanswered_email_is_transient_and_its_resend_is_the_same_message() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(&sink).with_send_timeout(Duration::from_millis(500));
    let email = email(Kind::Confirmation);

    sink.hold_data();
    let error = mailer.send(&email).await.expect_err("no 250 comes back");
    assert!(matches!(error, SendError::Transient(_)), "{error}");
    assert_eq!(sink.messages().len(), 1, "the server has it all the same");

    sink.release();
    mailer.send(&email).await.expect("the resend is answered");
    let received = sink.wait_for(2, WAIT).await;
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].message_id(), received[1].message_id());
}

fn sms(to: &str) -> Sms {
    Sms {
        to: to.into(),
        body: "Sharp & Co: you're booked for Skin fade on Tue 1 Dec, 10:00.".into(),
        idempotency_key: Uuid::new_v4(),
    }
}

fn twilio(stand_in: &SmsStandIn, token: &str) -> Arc<dyn SmsProvider> {
    let provider = TwilioSms::new(&stand_in.url(), ACCOUNT, Secret::new(token), "+15005550006")
        .expect("valid settings");
    Arc::new(provider)
}

#[tokio::test]
async fn a_text_is_delivered_with_its_idempotency_token() {
    let stand_in = SmsStandIn::start(ACCOUNT, TOKEN).await;
    let sms = sms("+447700900123");

    let sent = twilio(&stand_in, TOKEN).send(&sms).await.expect("accepted");

    assert!(sent.provider_id.starts_with("SM"), "{}", sent.provider_id);
    assert_eq!(sent.provider_id.len(), 34);
    let delivered = stand_in.wait_for(1, WAIT).await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].sid, sent.provider_id);
    assert_eq!(delivered[0].to, "+447700900123");
    assert_eq!(delivered[0].from, "+15005550006");
    assert_eq!(delivered[0].body, sms.body);
    assert_eq!(
        delivered[0].idempotency_token,
        Some(sms.idempotency_key.to_string())
    );
}

#[tokio::test]
async fn a_repeat_with_the_same_idempotency_key_is_not_sent_again() {
    let stand_in = SmsStandIn::start(ACCOUNT, TOKEN).await;
    let provider = twilio(&stand_in, TOKEN);
    let sms = sms("+447700900123");

    let first = provider.send(&sms).await.expect("accepted");
    let repeat = provider.send(&sms).await.expect("answered again");
    let other = provider
        .send(&Sms {
            idempotency_key: Uuid::new_v4(),
            ..sms.clone()
        })
        .await
        .expect("a new notification is a new text");

    assert_eq!(first, repeat);
    assert_ne!(first, other);
    assert_eq!(stand_in.messages().len(), 2);
}

#[tokio::test]
async fn a_messaging_service_sends_as_itself() {
    let stand_in = SmsStandIn::start(ACCOUNT, TOKEN).await;
    let service = "MG0123456789abcdef0123456789abcdef";
    let provider = TwilioSms::new(&stand_in.url(), ACCOUNT, Secret::new(TOKEN), service)
        .expect("valid settings");
    provider.send(&sms("+15551234567")).await.expect("accepted");
    assert_eq!(stand_in.messages()[0].from, service);
}

#[tokio::test]
async fn a_bad_number_is_permanent() {
    let stand_in = SmsStandIn::start(ACCOUNT, TOKEN).await;
    let error = twilio(&stand_in, TOKEN)
        .send(&sms("07700 900123"))
        .await
        .expect_err("not E.164");
    assert!(error.is_permanent(), "{error}");
    assert!(error.to_string().contains("21211"), "{error}");
    assert!(stand_in.messages().is_empty());
}

#[tokio::test]
async fn an_unavailable_or_busy_provider_is_transient_until_it_heals() {
    let stand_in = SmsStandIn::start(ACCOUNT, TOKEN).await;
    let provider = twilio(&stand_in, TOKEN);
    let sms = sms("+447700900123");

    for status in [503, 429] {
        stand_in.set_failing(Some(status));
        let error = provider.send(&sms).await.expect_err("failing");
        assert!(
            matches!(error, SendError::Transient(_)),
            "{status}: {error}"
        );
    }
    assert!(stand_in.messages().is_empty());

    stand_in.set_failing(None);
    provider.send(&sms).await.expect("healed");
    assert_eq!(stand_in.messages().len(), 1);
}

#[tokio::test]
async fn a_wrong_auth_token_is_an_error_that_names_the_credentials() {
    let stand_in = SmsStandIn::start(ACCOUNT, TOKEN).await;
    let error = twilio(&stand_in, "not-the-token")
        .send(&sms("+447700900123"))
        .await
        .expect_err("refused");
    assert!(error.to_string().contains("credentials"), "{error}");
    assert!(error.to_string().contains("20003"), "{error}");
    assert!(stand_in.messages().is_empty());
}

#[tokio::test]
async fn an_unreachable_provider_is_transient() {
    let url = format!("http://127.0.0.1:{}", closed_port().await);
    let provider =
        TwilioSms::new(&url, ACCOUNT, Secret::new(TOKEN), "+15005550006").expect("valid settings");
    let error = provider
        .send(&sms("+447700900123"))
        .await
        .expect_err("nothing listens");
    assert!(matches!(error, SendError::Transient(_)), "{error}");
}

//! Notifications end to end, against a real SMTP server (a sink the test starts) and a local
//! stand-in speaking Twilio's Messages API: a booking is confirmed by email and SMS in the
//! shop's local time, reminded at each offset, told of a move and of a cancellation; a move
//! takes the reminders with it and a cancellation withdraws them; an SMTP outage retries, gives
//! up as `failed` without holding up anything else, and a retry sends it. The worker's clock is
//! moved ahead instead of waiting for the reminders' hours.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Duration as Span, Utc};
use notifications::testing::{SmsStandIn, SmtpSink};
use platform::clock::ShiftedClock;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{shop_named, Shop};
use crate::helpers::{assert_problem, spawn_app_with_clock, TestApp};

const ACCOUNT: &str = "AC00000000000000000000000000000001";
const TOKEN: &str = "stand-in-auth-token";
const WAIT: Duration = Duration::from_secs(20);

/// The running system with email and SMS set up, its worker on `clock`.
struct Notified {
    app: TestApp,
    sink: SmtpSink,
    sms: SmsStandIn,
    clock: ShiftedClock,
    shop: Shop,
    customer_id: Uuid,
}

/// A shop in New York (reminders 24 h and 2 h before) with a customer who has an email
/// address and a phone number.
async fn notified() -> Notified {
    let sink = SmtpSink::start().await;
    let sms = SmsStandIn::start(ACCOUNT, TOKEN).await;
    let clock = ShiftedClock::new();
    let (smtp_url, sms_url) = (sink.url(), sms.url());
    let app = spawn_app_with_clock(
        |config| {
            config.notify.smtp_url = Some(smtp_url);
            config.notify.mail_from = "Fade Street <bookings@fade.example>".into();
            config.notify.sms = Some(platform::config::SmsSettings {
                api_url: sms_url,
                account_sid: ACCOUNT.into(),
                auth_token: platform::config::Secret::new(TOKEN),
                from: "+15005550006".into(),
            });
            config.notify.poll_interval = Duration::from_millis(100);
        },
        Arc::new(clock.clone()),
    )
    .await;
    let shop = shop_named(&app, "fade-street", "America/New_York", 0).await;
    let policy = json!({"min_lead_minutes": 0, "max_advance_days": 730,
        "cancellation_window_minutes": 60, "default_buffer_minutes": 0,
        "reminder_offsets_minutes": [1440, 120]});
    let set = app
        .put_json(
            "/api/v1/business/booking-policy",
            Some(&shop.owner.token),
            &policy,
        )
        .await;
    assert_eq!(set.status(), StatusCode::OK);
    let (customer_id, _) = app
        .register_customer(
            &shop.owner.token,
            &json!({"name": "Ana Silva", "email": "ana@example.com", "phone": "+12125550123"}),
        )
        .await;
    Notified {
        app,
        sink,
        sms,
        clock,
        shop,
        customer_id,
    }
}

/// 15:00 UTC `days` ahead: 10:00 in New York in winter (EST), 11:00 in summer (EDT).
fn afternoon(days: i64, hour: u32) -> DateTime<Utc> {
    let date = (Utc::now() + Span::days(days)).date_naive();
    date.and_hms_opt(hour, 0, 0).expect("a time").and_utc()
}

impl Notified {
    async fn book(&self, starts_at: DateTime<Utc>) -> Uuid {
        let answer = self
            .app
            .post_json(
                "/api/v1/appointments",
                Some(&self.shop.owner.token),
                &json!({"customer_id": self.customer_id, "staff_id": self.shop.staff_id,
                        "service_id": self.shop.service_id, "starts_at": starts_at}),
            )
            .await;
        assert_eq!(answer.status(), StatusCode::CREATED);
        let body: Value = answer.json().await.expect("json");
        body["id"].as_str().expect("id").parse().expect("uuid")
    }

    /// The shop's messages about `appointment`, as the list shows them.
    async fn messages(&self, appointment: Uuid) -> Vec<Value> {
        let page = self
            .app
            .read(
                &format!("/api/v1/notifications?appointment_id={appointment}&limit=200"),
                &self.shop.owner.token,
            )
            .await;
        page["items"].as_array().cloned().unwrap_or_default()
    }

    /// Waits until the list shows every message about `appointment` matching `kind` in
    /// `status`, `count` of them.
    async fn wait_for(&self, appointment: Uuid, kind: &str, status: &str, count: usize) {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let messages = self.messages(appointment).await;
            let matching = messages
                .iter()
                .filter(|m| m["kind"] == kind && m["status"] == status)
                .count();
            if matching == count {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "expected {count} {kind} {status}: {messages:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The `CustomerNotified` events on the appointment's history.
    async fn recorded(&self, appointment: Uuid) -> Vec<Value> {
        let history = self
            .app
            .read(
                &format!("/api/v1/audit/streams/appointment/{appointment}"),
                &self.shop.owner.token,
            )
            .await;
        history["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e["event_type"] == "CustomerNotified")
            .collect()
    }
}

#[tokio::test]
async fn a_booking_is_confirmed_and_reminded_at_each_offset_in_the_shops_local_time() {
    let n = notified().await;
    let starts_at = afternoon(3, 15);
    let appointment = n.book(starts_at).await;

    // the confirmation, once by email and once by SMS, in New York's time
    let emails = n.sink.wait_for(1, WAIT).await;
    let texts = n.sms.wait_for(1, WAIT).await;
    let local = starts_at
        .with_timezone(&chrono_tz::America::New_York)
        .format("%H:%M")
        .to_string();
    let text = emails[0].text_body().expect("a text body");
    assert!(text.contains(&local), "{local} in {text}");
    assert!(text.contains("America/New_York"), "{text}");
    assert!(
        text.contains("/book/manage#token="),
        "the manage link: {text}"
    );
    assert_eq!(emails[0].to, vec!["ana@example.com".to_owned()]);
    assert!(
        emails[0].calendar().is_some(),
        "the confirmation carries an invite"
    );
    assert_eq!(texts[0].to, "+12125550123");
    assert!(texts[0].body.contains(&local), "{}", texts[0].body);
    n.wait_for(appointment, "confirmation", "sent", 2).await;
    n.wait_for(appointment, "reminder", "pending", 4).await;

    // a day before: the 24-hour reminders, and only those
    n.clock
        .set(starts_at - Span::minutes(1440) + Span::minutes(1));
    n.wait_for(appointment, "reminder", "sent", 2).await;
    assert_eq!(n.sink.wait_for(2, WAIT).await.len(), 2);
    assert_eq!(n.sms.wait_for(2, WAIT).await.len(), 2);
    // two hours before: the others
    n.clock
        .set(starts_at - Span::minutes(120) + Span::minutes(1));
    n.wait_for(appointment, "reminder", "sent", 4).await;
    let emails = n.sink.wait_for(3, WAIT).await;
    let texts = n.sms.wait_for(3, WAIT).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(n.sink.messages().len(), 3, "each email once");
    assert_eq!(n.sms.messages().len(), 3, "each SMS once");
    let ids: std::collections::HashSet<_> = emails.iter().map(|e| e.message_id()).collect();
    assert_eq!(ids.len(), 3);
    assert!(texts.iter().all(|t| t.idempotency_token.is_some()));

    // what the customer was told is on the appointment's history, once each
    let deadline = std::time::Instant::now() + WAIT;
    while n.recorded(appointment).await.len() < 6 {
        assert!(
            std::time::Instant::now() < deadline,
            "six messages recorded"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let recorded = n.recorded(appointment).await;
    assert_eq!(recorded.len(), 6);
    let reminder = recorded
        .iter()
        .find(|e| e["payload"]["CustomerNotified"]["offset_minutes"] == 120)
        .expect("the 2-hour reminder is recorded");
    assert_eq!(reminder["payload"]["CustomerNotified"]["kind"], "reminder");
}

#[tokio::test]
async fn a_move_takes_the_reminders_along_and_a_cancellation_withdraws_them() {
    let n = notified().await;
    let first = afternoon(3, 15);
    let appointment = n.book(first).await;
    n.wait_for(appointment, "confirmation", "sent", 2).await;

    // moved six hours later: a notice of the move, the old start's reminders withdrawn
    let moved_to = first + Span::hours(6);
    let moved = n
        .app
        .post_json(
            &format!("/api/v1/appointments/{appointment}/reschedule"),
            Some(&n.shop.owner.token),
            &json!({"starts_at": moved_to}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    n.wait_for(appointment, "rescheduled", "sent", 2).await;
    n.wait_for(appointment, "reminder", "withdrawn", 4).await;
    n.wait_for(appointment, "reminder", "pending", 4).await;
    let notice = n.sink.wait_for(2, WAIT).await[1].text_body().expect("text");
    let new_local = moved_to
        .with_timezone(&chrono_tz::America::New_York)
        .format("%H:%M")
        .to_string();
    assert!(notice.contains(&new_local), "{new_local} in {notice}");

    // a day before the new start (hours after the old one's day-before): one reminder each way,
    // for the new time
    n.clock
        .set(moved_to - Span::minutes(1440) + Span::minutes(1));
    n.wait_for(appointment, "reminder", "sent", 2).await;
    let emails = n.sink.wait_for(3, WAIT).await;
    let reminder = emails[2].text_body().expect("text");
    assert!(reminder.contains(&new_local), "{new_local} in {reminder}");

    // back to today: cancelled, it is told, and the 2-hour reminders never go
    n.clock.set(Utc::now());
    let cancelled = n
        .app
        .post_json(
            &format!("/api/v1/appointments/{appointment}/cancel"),
            Some(&n.shop.owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    n.wait_for(appointment, "cancelled", "sent", 2).await;
    n.wait_for(appointment, "reminder", "withdrawn", 6).await;
    n.clock.set(moved_to - Span::minutes(119));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        n.sink.messages().len(),
        4,
        "confirmation, move, reminder, cancellation"
    );
    assert_eq!(n.sms.messages().len(), 4);
}

#[tokio::test]
async fn an_smtp_outage_is_retried_then_failed_without_holding_up_anything_and_a_retry_sends_it() {
    let n = notified().await;
    n.sink.set_down(true);
    let appointment = n.book(afternoon(3, 15)).await;
    // the SMS goes out, and bookings go on, while email is down
    n.wait_for(appointment, "confirmation", "sent", 1).await;
    assert_eq!(n.sms.wait_for(1, WAIT).await.len(), 1);
    let other = n.book(afternoon(4, 15)).await;
    n.wait_for(other, "confirmation", "sent", 1).await;

    // tried again with back-off (the worker's clock moved past each wait), then given up
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let failed = loop {
        let failed = n
            .app
            .read(
                &format!("/api/v1/notifications?status=failed&appointment_id={appointment}"),
                &n.shop.owner.token,
            )
            .await;
        if let Some(item) = failed["items"].as_array().and_then(|items| items.first()) {
            break item.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the email was never given up"
        );
        n.clock.advance(Span::minutes(61));
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(failed["channel"], "email");
    assert_eq!(failed["attempts"], 5);
    assert_eq!(failed["can_retry"], true);
    assert!(
        failed["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{failed}"
    );
    assert!(n.sink.messages().is_empty());

    // email is back: the shop retries it, and it is sent once
    n.sink.set_down(false);
    n.clock.set(Utc::now());
    let id = failed["id"].as_str().expect("id");
    let retried = n
        .app
        .post_json(
            &format!("/api/v1/notifications/{id}/retry"),
            Some(&n.shop.owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(retried.status(), StatusCode::OK);
    n.wait_for(appointment, "confirmation", "sent", 2).await;
    assert_eq!(n.sink.wait_for(1, WAIT).await.len(), 1);
    // a message that is not failed cannot be retried; another business's is not found
    let again = n
        .app
        .post_json(
            &format!("/api/v1/notifications/{id}/retry"),
            Some(&n.shop.owner.token),
            &json!({}),
        )
        .await;
    assert_problem(again, StatusCode::CONFLICT, "notification_not_failed").await;
    let stranger = n.app.owner("someone-else").await;
    let theirs = n
        .app
        .post_json(
            &format!("/api/v1/notifications/{id}/retry"),
            Some(&stranger.token),
            &json!({}),
        )
        .await;
    assert_problem(theirs, StatusCode::NOT_FOUND, "notification_not_found").await;
}

#[tokio::test]
async fn a_customer_who_declined_reminders_is_confirmed_but_not_reminded() {
    let n = notified().await;
    let declined = n
        .app
        .patch_json(
            &format!("/api/v1/customers/{}", n.customer_id),
            Some(&n.shop.owner.token),
            &json!({"reminders": false}),
        )
        .await;
    assert_eq!(declined.status(), StatusCode::OK);
    let declined: Value = declined.json().await.expect("json");
    let customer = n
        .app
        .read(
            &format!(
                "/api/v1/customers/{}?min_position={}",
                n.customer_id, declined["position"]
            ),
            &n.shop.owner.token,
        )
        .await;
    assert_eq!(customer["reminders"], false, "{customer}");
    let starts_at = afternoon(3, 15);
    let appointment = n.book(starts_at).await;
    n.wait_for(appointment, "confirmation", "sent", 2).await;
    n.clock
        .set(starts_at - Span::minutes(1440) + Span::minutes(1));
    n.wait_for(appointment, "reminder", "skipped", 2).await;
    let skipped = n.messages(appointment).await;
    let reminder = skipped
        .iter()
        .find(|m| m["kind"] == "reminder" && m["status"] == "skipped")
        .expect("a skipped reminder");
    assert_eq!(reminder["error"], "the customer asked for no reminders");
    assert_eq!(reminder["can_retry"], true);
    assert_eq!(n.sink.messages().len(), 1, "the confirmation only");
    assert_eq!(n.sms.messages().len(), 1);
}

#[tokio::test]
async fn a_barber_who_asked_for_it_gets_the_next_days_agenda_once_in_the_evening() {
    let n = notified().await;
    // without an email address there is nothing to send it to
    let no_email = n
        .app
        .put_json(
            &format!("/api/v1/staff/{}/daily-agenda", n.shop.staff_id),
            Some(&n.shop.owner.token),
            &json!({"wanted": true}),
        )
        .await;
    assert_problem(
        no_email,
        StatusCode::UNPROCESSABLE_ENTITY,
        "agenda_needs_email",
    )
    .await;
    let (jo, _) = n
        .app
        .add_staff(
            &n.shop.owner.token,
            &json!({"name": "Jo", "role": "barber", "email": "jo@fade.example"}),
        )
        .await;
    crate::booking::work_every_day(&n.app, &n.shop, jo, "17:00").await;
    // a barber's login may choose it for their own chair
    let jos_login = n
        .app
        .token_with_chair(&n.shop.owner, "barber", Some(jo))
        .await;
    let chosen = n
        .app
        .put_json(
            &format!("/api/v1/staff/{jo}/daily-agenda"),
            Some(&jos_login),
            &json!({"wanted": true}),
        )
        .await;
    assert_eq!(chosen.status(), StatusCode::OK);
    let chosen: Value = chosen.json().await.expect("json");
    let staff = n
        .app
        .read(
            &format!("/api/v1/staff/{jo}?min_position={}", chosen["position"]),
            &n.shop.owner.token,
        )
        .await;
    assert_eq!(staff["daily_agenda"], true, "{staff}");
    let not_theirs = n
        .app
        .put_json(
            &format!("/api/v1/staff/{}/daily-agenda", n.shop.staff_id),
            Some(&jos_login),
            &json!({"wanted": true}),
        )
        .await;
    assert_eq!(not_theirs.status(), StatusCode::FORBIDDEN);

    // tomorrow in New York: two bookings with Jo, one with Rui
    let new_york = chrono_tz::America::New_York;
    let today = Utc::now().with_timezone(&new_york).date_naive();
    let tomorrow = today + Span::days(1);
    let at = |hour: u32| {
        chrono::TimeZone::from_local_datetime(
            &new_york,
            &tomorrow.and_hms_opt(hour, 0, 0).expect("time"),
        )
        .single()
        .expect("a time")
        .with_timezone(&Utc)
    };
    let mut position = Value::Null;
    for (staff, hour) in [(jo, 10), (jo, 14), (n.shop.staff_id, 11)] {
        let booked = n
            .app
            .post_json(
                "/api/v1/appointments",
                Some(&n.shop.owner.token),
                &json!({"customer_id": n.customer_id, "staff_id": staff,
                        "service_id": n.shop.service_id, "starts_at": at(hour)}),
            )
            .await;
        assert_eq!(booked.status(), StatusCode::CREATED);
        position = booked.json::<Value>().await.expect("json")["position"].clone();
    }
    // the evening comes after the read side has the bookings (as it does in a real day)
    n.app
        .read(
            &format!("/api/v1/appointments?min_position={position}"),
            &n.shop.owner.token,
        )
        .await;
    // 18:01 today in New York: the agenda of tomorrow goes out, once
    let evening = chrono::TimeZone::from_local_datetime(
        &new_york,
        &today.and_hms_opt(18, 1, 0).expect("time"),
    )
    .single()
    .expect("a time")
    .with_timezone(&Utc);
    n.clock.set(evening);
    let to_jo = |sink: &SmtpSink| {
        sink.messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|to| to == "jo@fade.example"))
            .collect::<Vec<_>>()
    };
    let deadline = std::time::Instant::now() + WAIT;
    while to_jo(&n.sink).is_empty() {
        if std::time::Instant::now() >= deadline {
            let rows: Vec<(String, Option<String>)> =
                sqlx::query_as("select state, last_error from agenda_deliveries")
                    .fetch_all(&n.app.env.pool)
                    .await
                    .expect("rows");
            let wanted: Vec<(bool, Option<String>)> =
                sqlx::query_as("select daily_agenda, email from staff_members")
                    .fetch_all(&n.app.env.pool)
                    .await
                    .expect("rows");
            panic!("no agenda: {rows:?} {wanted:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    n.clock.advance(Span::minutes(5));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let agendas = to_jo(&n.sink);
    assert_eq!(agendas.len(), 1, "once");
    let text = agendas[0].text_body().expect("text");
    assert!(text.contains("10:00–10:30"), "{text}");
    assert!(text.contains("14:00–14:30"), "{text}");
    assert!(!text.contains("11:00"), "not Rui's: {text}");
    assert!(
        agendas[0]
            .subject()
            .is_some_and(|s| s.starts_with("Your day at Fade Street")),
        "{:?}",
        agendas[0].subject()
    );
}

/// A worker looks for work among the messages no worker has taken yet and among the open
/// deliveries, so the thousands a shop's history piles up (every text message of a shop
/// without an SMS provider is skipped, for good) are never passed over again.
#[tokio::test]
async fn a_worker_passes_over_none_of_the_messages_it_has_dealt_with() {
    let n = notified().await;
    let pool = &n.app.env.pool;
    // a long history at once: 3 000 messages due days ago, about appointments the read models
    // do not have, which the worker deals with (skips) like any other
    sqlx::query(
        "insert into notifications
                (notification_id, tenant_id, appointment_id, customer_id, kind, channel,
                 starts_at, due_at, status, position, created_at)
         select gen_random_uuid(), $1, gen_random_uuid(), $2, 'reminder', 'sms',
                now() - interval '1 day', now() - interval '3 days' + g * interval '1 second',
                'pending', 0, now() - interval '4 days'
           from generate_series(1, 3000) g",
    )
    .bind(n.shop.owner.business_id)
    .bind(n.customer_id)
    .execute(pool)
    .await
    .expect("history");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let skipped: i64 = sqlx::query_scalar(
            "select count(*) from notification_deliveries where state = 'skipped'",
        )
        .fetch_one(pool)
        .await
        .expect("count");
        if skipped == 3000 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{skipped} skipped");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // new work still goes out
    let appointment = n.book(afternoon(3, 15)).await;
    n.wait_for(appointment, "confirmation", "sent", 2).await;

    // the claim as a worker makes it, nothing due: it reads no message it has dealt with
    sqlx::query("analyze notifications")
        .execute(pool)
        .await
        .expect("analyze");
    let mut tx = pool.begin().await.expect("tx");
    let now = Utc::now();
    let plan: Value = sqlx::query_scalar(&format!(
        "explain (analyze, format json) {}",
        notifications::worker::claim::DUE
    ))
    .bind(now)
    .bind(now + Span::minutes(2))
    .bind(20_i64)
    .fetch_one(&mut *tx)
    .await
    .expect("plan");
    tx.rollback().await.expect("rollback");
    let read = rows_read(&plan[0]["Plan"], "notifications");
    assert!(read <= 20.0, "the claim read {read} messages: {plan:#}");
}

/// Rows a plan read from `table`: those its scans of it returned and those they filtered out.
fn rows_read(node: &Value, table: &str) -> f64 {
    let own = if node["Relation Name"] == table {
        let loops = node["Actual Loops"].as_f64().unwrap_or(1.0);
        let returned = node["Actual Rows"].as_f64().unwrap_or(0.0);
        let removed = node["Rows Removed by Filter"].as_f64().unwrap_or(0.0);
        (returned + removed) * loops
    } else {
        0.0
    };
    let children = node["Plans"].as_array().map_or(0.0, |plans| {
        plans.iter().map(|child| rows_read(child, table)).sum()
    });
    own + children
}

/// With no email or SMS provider set up, a message by that channel is skipped at once: nothing
/// is read for it, worded, or linked (a booking link is issued for each message that is sent).
#[tokio::test]
async fn a_message_by_a_channel_not_set_up_is_skipped_before_it_is_worded() {
    let app = crate::helpers::spawn_app().await;
    let shop = shop_named(&app, "plain-cuts", "UTC", 0).await;
    let booked = crate::booking::book(&app, &shop, &crate::booking::utc_day_at(3, 10, 0)).await;
    assert_eq!(booked.status(), StatusCode::CREATED);
    let booked: Value = booked.json().await.expect("json");
    let appointment = booked["id"].as_str().expect("id");
    let deadline = std::time::Instant::now() + WAIT;
    let skipped = loop {
        let page = app
            .read(
                &format!("/api/v1/notifications?appointment_id={appointment}&status=skipped"),
                &shop.owner.token,
            )
            .await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.len() == 2 {
            break items;
        }
        assert!(std::time::Instant::now() < deadline, "{page}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut reasons: Vec<&str> = skipped
        .iter()
        .map(|m| m["error"].as_str().expect("why"))
        .collect();
    reasons.sort_unstable();
    assert_eq!(
        reasons,
        [
            "SMS is not set up (SMS_API_URL)",
            "email is not set up (SMTP_URL)"
        ]
    );
    let links: i64 =
        sqlx::query_scalar("select count(*) from booking_links where appointment_id = $1")
            .bind(appointment.parse::<Uuid>().expect("uuid"))
            .fetch_one(&app.env.pool)
            .await
            .expect("links");
    assert_eq!(links, 0);
}

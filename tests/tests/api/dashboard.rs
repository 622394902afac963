//! `GET /dashboard` over HTTP: a shop's day (a visit paid with a tip, a no-show, a late
//! cancellation, a booking ahead) shows in its counts, takings and lists as soon as the caller's
//! `min_position` is reached. Also the shop day the visit and report tests start from.
//!
//! The command side decides on the real clock, so the shop is put in a timezone where it is
//! late morning now: "today" then holds ten minutes ago and three hours ahead whenever the test
//! runs.

use chrono::{DateTime, Duration, Timelike, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{shop, work_every_day_from, Shop};
use crate::helpers::{spawn_app, TestApp};

/// A shop in a zone where it is about 10:00 now, with two barbers working round the clock and a
/// 5-minute service (so a walk-in fits at any time).
pub struct Busy {
    pub shop: Shop,
    pub other_barber: Uuid,
    pub quick_service: Uuid,
    /// The IANA zone of the shop.
    pub timezone: String,
}

/// A fixed-offset zone in which the local time is 10:00–11:59 at `now`.
pub fn late_morning_zone(now: DateTime<Utc>) -> String {
    let offset = (10 - i64::from(now.hour())).clamp(-12, 14);
    match offset {
        0 => "UTC".to_owned(),
        // the sign of the Etc zones is POSIX's, the other way round
        east if east > 0 => format!("Etc/GMT-{east}"),
        west => format!("Etc/GMT+{}", -west),
    }
}

/// The 5-minute mark at or before `minutes` from now, RFC 3339.
pub fn mark(minutes: i64) -> String {
    let at = (Utc::now() + Duration::minutes(minutes)).timestamp();
    DateTime::from_timestamp(at - at.rem_euclid(300), 0)
        .expect("instant")
        .to_rfc3339()
}

pub async fn busy_shop(app: &TestApp) -> Busy {
    let timezone = late_morning_zone(Utc::now());
    let shop = shop(app, &timezone, 0).await;
    let (other_barber, _) = app
        .add_staff(&shop.owner.token, &json!({"name": "Zé", "role": "barber"}))
        .await;
    for staff_id in [shop.staff_id, other_barber] {
        work_every_day_from(app, &shop, staff_id, "00:00", "23:55").await;
    }
    let (quick_service, _) = app
        .create_service(
            &shop.owner.token,
            &json!({"name": "Line-up", "duration_minutes": 5, "price_cents": 1000}),
        )
        .await;
    Busy {
        shop,
        other_barber,
        quick_service,
        timezone,
    }
}

impl TestApp {
    /// Books `customer` with `staff` for the quick service at the 5-minute mark `minutes` from
    /// now (a walk-in, checked in at once, when that is not ahead); the appointment's id.
    pub async fn book_quick(&self, busy: &Busy, customer: Uuid, staff: Uuid, minutes: i64) -> Uuid {
        let source = if minutes <= 0 { "walk_in" } else { "phone" };
        let response = self
            .post_json(
                "/api/v1/appointments",
                Some(&busy.shop.owner.token),
                &json!({"customer_id": customer, "staff_id": staff,
                        "service_id": busy.quick_service, "starts_at": mark(minutes),
                        "source": source}),
            )
            .await;
        let status = response.status();
        let body: Value = response.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().expect("id").parse().expect("uuid")
    }

    /// `POST /appointments/{id}/{action}` with `body`; the position of its events.
    pub async fn appointment_step(&self, token: &str, id: Uuid, action: &str, body: Value) -> i64 {
        let response = self
            .post_json(
                &format!("/api/v1/appointments/{id}/{action}"),
                Some(token),
                &body,
            )
            .await;
        let status = response.status();
        let body: Value = response.json().await.expect("json");
        assert_eq!(status, StatusCode::OK, "{action}: {body}");
        body["position"].as_i64().expect("position")
    }

    /// Starts a checked-in appointment and completes it with a payment; the last position.
    pub async fn serve(&self, token: &str, id: Uuid, paid: i64, tip: i64, method: &str) -> i64 {
        self.appointment_step(token, id, "start", json!({})).await;
        let payment =
            json!({"amount_paid_cents": paid, "tip_cents": tip, "payment_method": method});
        self.appointment_step(token, id, "complete", payment).await
    }

    /// `GET /dashboard` once `min_position` is reached.
    pub async fn dashboard(&self, token: &str, min_position: i64) -> Value {
        let response = self
            .get(
                &format!("/api/v1/dashboard?min_position={min_position}"),
                Some(token),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(
            response.headers().get("barber-stale").is_none(),
            "stale dashboard"
        );
        response.json().await.expect("json")
    }
}

#[tokio::test]
async fn a_shops_day_shows_in_the_dashboard_as_soon_as_it_is_written() {
    let app = spawn_app().await;
    let busy = busy_shop(&app).await;
    let token = busy.shop.owner.token.clone();
    let ana = busy.shop.customer_id;
    let (bea, _) = app.register_customer(&token, &json!({"name": "Bea"})).await;
    let (caio, _) = app
        .register_customer(&token, &json!({"name": "Caio"}))
        .await;

    let empty = app.dashboard(&token, app.newest_position().await).await;
    assert_eq!(empty["timezone"], busy.timezone.as_str());
    assert_eq!(
        (&empty["customers"], &empty["active_staff"]),
        (&json!(3), &json!(2))
    );
    assert_eq!(empty["active_services"], 2);
    assert_eq!(empty["revenue"]["today"]["visits"], 0);

    // a walk-in served and paid with a tip, a walk-in who walked out, a late cancellation and
    // a booking still to come
    let paid = app.book_quick(&busy, ana, busy.shop.staff_id, -10).await;
    app.serve(&token, paid, 2200, 300, "card").await;
    let gone = app.book_quick(&busy, bea, busy.other_barber, -10).await;
    app.appointment_step(&token, gone, "no-show", json!({}))
        .await;
    let called_off = app.book_quick(&busy, caio, busy.shop.staff_id, 120).await;
    let cancel = json!({"reason": "flu"});
    app.appointment_step(&token, called_off, "cancel", cancel)
        .await;
    let ahead = app.book_quick(&busy, caio, busy.other_barber, 180).await;
    let position = app.newest_position().await;

    let dashboard = app.dashboard(&token, position).await;
    assert_eq!(
        dashboard["appointments_today"],
        json!({"booked": 1, "confirmed": 0, "checked_in": 0, "in_service": 0, "completed": 1,
               "cancelled": 1, "no_show": 1})
    );
    let takings = json!({"visits": 1, "amount_paid_cents": 2200, "tip_cents": 300});
    for period in ["today", "this_week", "this_month"] {
        assert_eq!(dashboard["revenue"][period], takings, "{period}");
    }
    assert_eq!(dashboard["no_shows_this_month"], 1);
    assert_eq!(dashboard["late_cancellations_this_month"], 1);
    let next = dashboard["next_bookings"].as_array().expect("next");
    assert_eq!(next.len(), 1, "{dashboard}");
    assert_eq!(next[0]["id"], json!(ahead));
    assert_eq!(next[0]["customer_name"], "Caio");
    assert_eq!(next[0]["staff_name"], "Zé");
    assert_eq!(next[0]["service_name"], "Line-up");
    let recent: Vec<&Value> = dashboard["recently_booked"]
        .as_array()
        .expect("recent")
        .iter()
        .map(|a| &a["id"])
        .collect();
    assert_eq!(
        recent,
        [json!(ahead), json!(called_off), json!(gone), json!(paid)]
            .iter()
            .collect::<Vec<_>>()
    );

    // another business sees none of it
    let other = app.owner("elsewhere").await;
    let theirs = app
        .dashboard(&other.token, app.newest_position().await)
        .await;
    assert_eq!(theirs["customers"], 0);
    assert_eq!(theirs["recently_booked"], json!([]));
    assert_eq!(theirs["revenue"]["today"]["visits"], 0);
}

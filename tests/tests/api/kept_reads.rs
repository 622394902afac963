//! What a query process keeps between requests (a shop's rota, a shop's days of reservations,
//! whole answers) is used while the read models it came from have not moved, and never after:
//! the very next read with the position of a change sees it.

use reqwest::StatusCode;

use crate::availability::{book, every_day, offered, open_shop, plain_day, set_hours, Shop};
use crate::helpers::{spawn_app, TestApp};

/// `(kept, read)` counts of a metric with a `kept` label (and the label `also`, if not empty),
/// as `/metrics` shows them.
async fn reads(app: &TestApp, metric: &str, also: &str) -> (u64, u64) {
    let text = app.get("/metrics", None).await.text().await.expect("text");
    let count = |kept: &str| {
        text.lines()
            .find(|l| {
                l.starts_with(metric) && l.contains(also) && l.contains(&format!("kept=\"{kept}\""))
            })
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (count("true"), count("false"))
}

async fn rota_reads(app: &TestApp) -> (u64, u64) {
    reads(app, "query_rota_reads_total", "").await
}

async fn day_reads(app: &TestApp) -> (u64, u64) {
    reads(app, "query_day_reads_total", "").await
}

#[tokio::test]
async fn a_kept_rota_is_used_until_the_hours_change_and_never_after() {
    let app = spawn_app().await;
    let setup = plain_day();
    let (shop, position) = open_shop(&app, &setup, 98).await;
    let first = offered(&app, &shop, setup.date, position).await;
    assert_eq!(first.len(), 91, "every 5 minutes from 09:00 to 16:30");
    let before = rota_reads(&app).await;
    // asked again with nothing changed: the rota kept is used, and the answer is the same
    assert_eq!(offered(&app, &shop, setup.date, position).await, first);
    let after = rota_reads(&app).await;
    assert_eq!(after.0, before.0 + 1, "the kept rota was used");
    assert_eq!(after.1, before.1, "nothing was read again");

    // the hours change: the very next search with the change's position sees them
    let set = set_hours(
        &app,
        &shop.owner.token,
        shop.staff_id,
        &every_day(("12:00", "14:00"), None),
    )
    .await;
    let position = set["position"].as_i64().expect("position");
    let now = offered(&app, &shop, setup.date, position).await;
    assert_eq!(
        now.len(),
        19,
        "every 5 minutes from 12:00 to 13:30: {now:?}"
    );
    assert_eq!(rota_reads(&app).await.1, after.1 + 1, "read again");
}

#[tokio::test]
async fn a_kept_day_is_used_until_a_booking_changes_it_and_never_after() {
    let app = spawn_app().await;
    let setup = plain_day();
    let (shop, position) = open_shop(&app, &setup, 97).await;
    let open = offered(&app, &shop, setup.date, position).await;
    assert_eq!(open.len(), 91, "every 5 minutes from 09:00 to 16:30");
    // (a business's days are kept once its reservations have a version: after its first booking)
    let position = booked(&app, &shop, open[0]).await;
    let first = offered(&app, &shop, setup.date, position).await;
    assert_eq!(first.len(), 85, "09:00 to 09:25 are taken");
    let before = day_reads(&app).await;
    // the service's price changes: the answer is made again (`query::answers`), from the kept day
    let priced = app
        .put_json(
            &format!("/api/v1/services/{}/price", shop.service_id),
            Some(&shop.owner.token),
            &serde_json::json!({"price_cents": 3100}),
        )
        .await;
    let position = position_of(priced).await;
    assert_eq!(offered(&app, &shop, setup.date, position).await, first);
    let kept = day_reads(&app).await;
    assert_eq!(kept.0, before.0 + 1, "the kept day was used");
    assert_eq!(kept.1, before.1, "nothing was read again");

    // a booking here: the very next search with its position sees it
    let position = booked(&app, &shop, first[0]).await;
    let now = offered(&app, &shop, setup.date, position).await;
    assert!(
        !now.contains(&first[0]),
        "the booked start is no longer offered"
    );
    assert_eq!(now.len(), first.len() - 6, "{now:?}");
    assert_eq!(day_reads(&app).await.1, kept.1 + 1, "read again");
}

async fn availability_answers(app: &TestApp) -> (u64, u64) {
    reads(app, "query_answers_total", "route=\"availability\"").await
}

#[tokio::test]
async fn a_kept_availability_is_given_until_its_business_moves_and_never_after() {
    let app = spawn_app().await;
    let setup = plain_day();
    let (shop, position) = open_shop(&app, &setup, 95).await;
    let (other, _) = open_shop(&app, &setup, 94).await;
    let open = offered(&app, &shop, setup.date, position).await;
    let position = booked(&app, &shop, open[0]).await;
    let first = offered(&app, &shop, setup.date, position).await;
    assert_eq!(first.len(), 85, "09:00 to 09:25 are taken");
    let before = availability_answers(&app).await;
    // asked again with nothing changed: the kept answer is given, and it is the same
    assert_eq!(offered(&app, &shop, setup.date, position).await, first);
    let kept = availability_answers(&app).await;
    assert_eq!(kept.0, before.0 + 1, "the kept answer was given");
    assert_eq!(kept.1, before.1, "nothing was made again");

    // a booking in another business leaves this one's answer kept
    let elsewhere = booked(&app, &other, first[0]).await;
    assert_eq!(offered(&app, &shop, setup.date, elsewhere).await, first);
    assert_eq!(availability_answers(&app).await.0, kept.0 + 1, "still kept");

    // each read model it is made from moves it: the barber's time off...
    let away = app
        .post_json(
            &format!("/api/v1/staff/{}/time-off", shop.staff_id),
            Some(&shop.owner.token),
            &serde_json::json!({"starts_at": format!("{}T15:00:00Z", setup.date),
                                "ends_at": format!("{}T16:00:00Z", setup.date)}),
        )
        .await;
    let after = offered(&app, &shop, setup.date, position_of(away).await).await;
    // (a 30-minute start from 14:35 to 15:55 would end or begin inside it)
    assert_eq!(after.len(), first.len() - 17, "{after:?}");
    // ...the shop's policy (a horizon that ends before the day)...
    let policy = serde_json::json!({"min_lead_minutes": 60, "max_advance_days": 1,
        "cancellation_window_minutes": 60, "default_buffer_minutes": 0,
        "reminder_offsets_minutes": [1440]});
    let closed = app
        .put_json(
            "/api/v1/business/booking-policy",
            Some(&shop.owner.token),
            &policy,
        )
        .await;
    let after = offered(&app, &shop, setup.date, position_of(closed).await).await;
    assert!(after.is_empty(), "beyond the horizon: {after:?}");
    // ...and the service (retired: no answer at all)
    let retired = app
        .post_json(
            &format!("/api/v1/services/{}/retire", shop.service_id),
            Some(&shop.owner.token),
            &serde_json::json!({}),
        )
        .await;
    let position = position_of(retired).await;
    let gone = app
        .get(
            &format!(
                "/api/v1/availability?service_id={}&date={}&min_position={position}",
                shop.service_id, setup.date
            ),
            Some(&shop.owner.token),
        )
        .await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        availability_answers(&app).await.1,
        kept.1 + 3,
        "made again after the time off, the policy and the retirement"
    );
}

/// Books `at` with the shop's barber; the booking's position.
async fn booked(app: &TestApp, shop: &Shop, at: chrono::DateTime<chrono::Utc>) -> i64 {
    let response = book(app, shop, at).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<serde_json::Value>().await.expect("json")["position"]
        .as_i64()
        .expect("position")
}

async fn calendar_answers(app: &TestApp) -> (u64, u64) {
    reads(app, "query_answers_total", "route=\"calendar\"").await
}

/// A write's position.
async fn position_of(response: reqwest::Response) -> i64 {
    assert!(response.status().is_success(), "{}", response.status());
    response.json::<serde_json::Value>().await.expect("json")["position"]
        .as_i64()
        .expect("position")
}

#[tokio::test]
async fn a_kept_calendar_is_given_until_a_booking_a_rename_or_a_time_off_changes_it() {
    let app = spawn_app().await;
    let shop = crate::booking::shop(&app, "UTC", 0).await;
    let token = Some(shop.owner.token.as_str());
    let date = chrono::Utc::now().date_naive() + chrono::Duration::days(4);
    let position =
        position_of(crate::booking::book(&app, &shop, &format!("{date}T10:00:00Z")).await).await;
    let url = |position: i64| format!("/api/v1/calendar?date={date}&min_position={position}");
    let first = app.read(&url(position), &shop.owner.token).await;
    let before = calendar_answers(&app).await;
    assert_eq!(app.read(&url(position), &shop.owner.token).await, first);
    let kept = calendar_answers(&app).await;
    assert_eq!(kept.0, before.0 + 1, "the kept answer was given");
    assert_eq!(kept.1, before.1, "nothing was made again");
    let day = |calendar: &serde_json::Value| calendar["barbers"][0]["days"][0].clone();
    assert_eq!(day(&first)["appointments"][0]["customer_name"], "Ana");

    // each read model the calendar is made from moves it: the customers' names...
    let renamed = app
        .patch_json(
            &format!("/api/v1/customers/{}", shop.customer_id),
            token,
            &serde_json::json!({"name": "Ana Lima"}),
        )
        .await;
    let after = app
        .read(&url(position_of(renamed).await), &shop.owner.token)
        .await;
    assert_eq!(day(&after)["appointments"][0]["customer_name"], "Ana Lima");
    // ...the barbers' time off...
    let away = app
        .post_json(
            &format!("/api/v1/staff/{}/time-off", shop.staff_id),
            token,
            &serde_json::json!({"starts_at": format!("{date}T15:00:00Z"),
                                "ends_at": format!("{date}T16:00:00Z")}),
        )
        .await;
    let after = app
        .read(&url(position_of(away).await), &shop.owner.token)
        .await;
    assert_eq!(day(&after)["time_off"].as_array().expect("list").len(), 1);
    // ...and the appointments
    let again =
        position_of(crate::booking::book(&app, &shop, &format!("{date}T11:00:00Z")).await).await;
    let after = app.read(&url(again), &shop.owner.token).await;
    assert_eq!(
        day(&after)["appointments"].as_array().expect("list").len(),
        2
    );
    assert_eq!(
        calendar_answers(&app).await.1,
        kept.1 + 3,
        "made again each time"
    );
}

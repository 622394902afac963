//! The appointment workflow over HTTP and daylight-saving days.

use chrono::{Datelike, NaiveDate, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{book, round_the_clock, shop, utc_day_at};
use crate::helpers::{assert_problem, spawn_app};

async fn id_of(response: reqwest::Response) -> Uuid {
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").parse().expect("uuid")
}

#[tokio::test]
async fn cancelling_frees_the_slot_for_someone_else() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let id = id_of(book(&app, &shop, &utc_day_at(3, 10, 0)).await).await;
    let token = Some(shop.owner.token.as_str());
    let cancel = app
        .post_json(
            &format!("/api/v1/appointments/{id}/cancel"),
            token,
            &json!({"reason": "flu"}),
        )
        .await;
    assert_eq!(cancel.status(), StatusCode::OK);
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 10, 0)).await.status(),
        StatusCode::CREATED
    );
    let again = app
        .post_json(
            &format!("/api/v1/appointments/{id}/confirm"),
            token,
            &json!({}),
        )
        .await;
    assert_problem(again, StatusCode::CONFLICT, "appointment_already_cancelled").await;
}

#[tokio::test]
async fn a_walk_in_runs_to_completion_and_cannot_be_completed_twice_differently() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    // a barber who works all day and a 5-minute service, so the walk-in fits at almost any hour
    round_the_clock(&app, &shop).await;
    let (quick, _) = app
        .create_service(
            &shop.owner.token,
            &json!({"name": "Line-up", "duration_minutes": 5, "price_cents": 500}),
        )
        .await;
    let now = chrono::Utc::now();
    let in_hours = now.format("%H:%M").to_string().as_str() < "23:50";
    let response = app
        .post_json(
            "/api/v1/appointments",
            Some(&shop.owner.token),
            &json!({"customer_id": shop.customer_id, "staff_id": shop.staff_id,
                    "service_id": quick, "starts_at": now.to_rfc3339(), "source": "walk_in"}),
        )
        .await;
    if !in_hours {
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_working_hours",
        )
        .await;
        return;
    }
    let id = id_of(response).await;
    let token = Some(shop.owner.token.as_str());
    let step = |action: &'static str, body: Value| {
        let app = &app;
        async move {
            app.post_json(&format!("/api/v1/appointments/{id}/{action}"), token, &body)
                .await
        }
    };
    assert_eq!(step("check-in", json!({})).await.status(), StatusCode::OK);
    assert_eq!(step("start", json!({})).await.status(), StatusCode::OK);
    let paid = json!({"amount_paid_cents": 2500, "tip_cents": 300, "payment_method": "card"});
    assert_eq!(
        step("complete", paid.clone()).await.status(),
        StatusCode::OK
    );
    assert_eq!(step("complete", paid).await.status(), StatusCode::OK);
    let other = json!({"amount_paid_cents": 100, "payment_method": "cash"});
    assert_problem(
        step("complete", other).await,
        StatusCode::CONFLICT,
        "appointment_already_completed",
    )
    .await;
    assert_problem(
        step("cancel", json!({})).await,
        StatusCode::CONFLICT,
        "appointment_already_completed",
    )
    .await;
}

#[tokio::test]
async fn the_workflow_refuses_steps_out_of_order() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let id = id_of(book(&app, &shop, &utc_day_at(3, 11, 0)).await).await;
    let token = Some(shop.owner.token.as_str());
    let post = |action: &'static str| {
        let app = &app;
        async move {
            app.post_json(
                &format!("/api/v1/appointments/{id}/{action}"),
                token,
                &json!({}),
            )
            .await
        }
    };
    assert_problem(
        post("start").await,
        StatusCode::CONFLICT,
        "appointment_not_checked_in",
    )
    .await;
    assert_problem(
        post("no-show").await,
        StatusCode::CONFLICT,
        "too_early_for_no_show",
    )
    .await;
    assert_eq!(post("confirm").await.status(), StatusCode::OK);
    assert_eq!(post("confirm").await.status(), StatusCode::OK);
    assert_problem(
        post("teleport").await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    )
    .await;
    let unknown = Uuid::new_v4();
    let response = app
        .post_json(
            &format!("/api/v1/appointments/{unknown}/confirm"),
            token,
            &json!({}),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "appointment_not_found").await;
    let other = app.owner("other-shop").await;
    let response = app
        .post_json(
            &format!("/api/v1/appointments/{id}/cancel"),
            Some(&other.token),
            &json!({}),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "appointment_not_found").await;
}

/// Local 09:00–17:00 on the days the clocks change, and in a half-hour zone.
#[tokio::test]
async fn working_hours_hold_in_local_time_across_daylight_saving_changes() {
    // the next change days by the zones' rules, so that the test never falls into the past
    let london_spring = next_day(|y| last_sunday(y, 3));
    let london_autumn = next_day(|y| last_sunday(y, 10));
    let new_york_spring = next_day(|y| nth_sunday(y, 3, 2));
    let new_york_autumn = next_day(|y| nth_sunday(y, 11, 1));
    let at = |date: NaiveDate, time: &str| format!("{date}T{time}:00Z");
    let cases = [
        // Europe/London springs forward: 09:00 local (BST) is 08:00Z
        (
            "Europe/London",
            at(london_spring, "08:00"),
            at(london_spring, "07:30"),
        ),
        // and falls back: 09:00 local (GMT) is 09:00Z
        (
            "Europe/London",
            at(london_autumn, "09:00"),
            at(london_autumn, "08:30"),
        ),
        // America/New_York: EDT (UTC-4) from the second Sunday of March, EST (UTC-5) from the
        // first of November
        (
            "America/New_York",
            at(new_york_spring, "13:00"),
            at(new_york_spring, "12:30"),
        ),
        (
            "America/New_York",
            at(new_york_autumn, "14:00"),
            at(new_york_autumn, "13:30"),
        ),
        // Asia/Kolkata, UTC+05:30 all year: 09:00 local is 03:30Z
        (
            "Asia/Kolkata",
            at(london_spring, "03:30"),
            at(london_spring, "03:00"),
        ),
    ];
    for (timezone, opening, before_opening) in cases {
        let app = spawn_app().await;
        let shop = shop(&app, timezone, 0).await;
        assert_eq!(
            book(&app, &shop, &opening).await.status(),
            StatusCode::CREATED,
            "{timezone} {opening}"
        );
        assert_problem(
            book(&app, &shop, &before_opening).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_working_hours",
        )
        .await;
    }
}

/// The first date `rule(year)` from the day after tomorrow on, this year or next.
fn next_day(rule: impl Fn(i32) -> NaiveDate) -> NaiveDate {
    let soonest = Utc::now().date_naive() + chrono::Duration::days(2);
    let this_year = rule(soonest.year());
    if this_year >= soonest {
        this_year
    } else {
        rule(soonest.year() + 1)
    }
}

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("date");
    let last = first_of_next - chrono::Duration::days(1);
    last - chrono::Duration::days(i64::from(last.weekday().num_days_from_sunday()))
}

fn nth_sunday(year: i32, month: u32, n: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("date");
    let to_sunday = (7 - first.weekday().num_days_from_sunday()) % 7;
    first + chrono::Duration::days(i64::from(to_sunday + 7 * (n - 1)))
}

#[tokio::test]
async fn an_appointment_days_ahead_cannot_be_checked_in_started_or_paid_for() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let id = id_of(book(&app, &shop, &utc_day_at(3, 10, 0)).await).await;
    let token = Some(shop.owner.token.as_str());
    let before = app.event_count().await;
    let step = |action: &'static str, body: Value| {
        let app = &app;
        async move {
            app.post_json(&format!("/api/v1/appointments/{id}/{action}"), token, &body)
                .await
        }
    };
    assert_problem(
        step("check-in", json!({})).await,
        StatusCode::CONFLICT,
        "too_early_for_check_in",
    )
    .await;
    assert_problem(
        step("start", json!({})).await,
        StatusCode::CONFLICT,
        "appointment_not_checked_in",
    )
    .await;
    let paid = json!({"amount_paid_cents": 2500, "payment_method": "card"});
    assert_problem(
        step("complete", paid).await,
        StatusCode::CONFLICT,
        "appointment_not_in_service",
    )
    .await;
    assert_eq!(app.event_count().await, before);
}

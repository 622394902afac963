//! A business's timezone decides which barber-day a booking belongs to, so it cannot move while
//! bookings or time off lie ahead: an overlap could hide across two days' schedules.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::booking::{book, shop, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

async fn move_to(app: &TestApp, shop: &Shop, timezone: &str) -> reqwest::Response {
    app.patch_json(
        "/api/v1/business",
        Some(&shop.owner.token),
        &json!({ "timezone": timezone }),
    )
    .await
}

#[tokio::test]
async fn the_timezone_cannot_move_while_bookings_lie_ahead() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let booked = book(&app, &shop, &utc_day_at(3, 10, 0)).await;
    assert_eq!(booked.status(), StatusCode::CREATED);
    let id: Value = booked.json().await.expect("json");
    let id = id["id"].as_str().expect("id").to_owned();

    let before: i64 = sqlx::query_scalar("select count(*) from events")
        .fetch_one(&app.env.pool)
        .await
        .expect("count");
    assert_problem(
        move_to(&app, &shop, "Pacific/Auckland").await,
        StatusCode::CONFLICT,
        "timezone_has_bookings",
    )
    .await;
    let after: i64 = sqlx::query_scalar("select count(*) from events")
        .fetch_one(&app.env.pool)
        .await
        .expect("count");
    assert_eq!(before, after, "a refused move records nothing");

    // renaming, or naming the same timezone again, is not a move
    let renamed = app
        .patch_json(
            "/api/v1/business",
            Some(&shop.owner.token),
            &json!({"name": "Fade Street North", "timezone": "UTC"}),
        )
        .await;
    assert_eq!(renamed.status(), StatusCode::OK);

    // once the booking is cancelled nothing lies ahead, and the move is allowed
    let cancelled = app
        .post_json(
            &format!("/api/v1/appointments/{id}/cancel"),
            Some(&shop.owner.token),
            &json!({"reason": "moving"}),
        )
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    assert_eq!(
        move_to(&app, &shop, "Pacific/Auckland").await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn time_off_ahead_also_holds_the_timezone() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let off = app
        .post_json(
            &format!("/api/v1/staff/{}/time-off", shop.staff_id),
            Some(&shop.owner.token),
            &json!({"starts_at": utc_day_at(5, 9, 0), "ends_at": utc_day_at(5, 12, 0)}),
        )
        .await;
    assert_eq!(off.status(), StatusCode::CREATED);
    assert_problem(
        move_to(&app, &shop, "America/New_York").await,
        StatusCode::CONFLICT,
        "timezone_has_bookings",
    )
    .await;
}

//! Time off and bookings are decided by the same Schedule: neither can slip past the other.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::booking::{book, shop, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

async fn time_off(app: &TestApp, shop: &Shop, starts_at: &str, ends_at: &str) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/staff/{}/time-off", shop.staff_id),
        Some(&shop.owner.token),
        &json!({"starts_at": starts_at, "ends_at": ends_at, "reason": "dentist"}),
    )
    .await
}

#[tokio::test]
async fn a_booking_inside_time_off_is_refused_and_removing_the_time_off_frees_it() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let off = time_off(&app, &shop, &utc_day_at(3, 10, 0), &utc_day_at(3, 12, 0)).await;
    assert_eq!(off.status(), StatusCode::CREATED);
    let off: Value = off.json().await.expect("json");
    let off_id = off["id"].as_str().expect("id").to_owned();
    assert_problem(
        book(&app, &shop, &utc_day_at(3, 11, 0)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "during_time_off",
    )
    .await;
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 12, 0)).await.status(),
        StatusCode::CREATED
    );
    let removed = app
        .delete(
            &format!("/api/v1/staff/{}/time-off/{off_id}", shop.staff_id),
            Some(&shop.owner.token),
        )
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 11, 0)).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn time_off_over_a_booking_is_refused_and_records_nothing() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    assert_eq!(
        book(&app, &shop, &utc_day_at(4, 15, 0)).await.status(),
        StatusCode::CREATED
    );
    let before = app.event_count().await;
    // three days, the last of which holds the booking: the first two blocks are given back
    let off = time_off(&app, &shop, &utc_day_at(2, 0, 0), &utc_day_at(4, 18, 0)).await;
    assert_problem(off, StatusCode::CONFLICT, "bookings_in_the_way").await;
    let kept: i64 = sqlx::query_scalar(
        "select count(*) from events where aggregate_type = 'staff' and event_type = 'TimeOffAdded'",
    )
    .fetch_one(&app.env.pool)
    .await
    .expect("count");
    assert_eq!(kept, 0);
    // the days before were blocked and given back: they are bookable
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 10, 0)).await.status(),
        StatusCode::CREATED
    );
    assert!(app.event_count().await > before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_booking_racing_a_time_off_for_the_same_stretch_never_both_win() {
    let app = std::sync::Arc::new(spawn_app().await);
    let shop = std::sync::Arc::new(shop(&app, "UTC", 0).await);
    for day in 3..13 {
        let (a, s) = (app.clone(), shop.clone());
        let booking =
            tokio::spawn(async move { book(&a, &s, &utc_day_at(day, 10, 30)).await.status() });
        let (a, s) = (app.clone(), shop.clone());
        let off = tokio::spawn(async move {
            time_off(&a, &s, &utc_day_at(day, 10, 0), &utc_day_at(day, 12, 0))
                .await
                .status()
        });
        let (booking, off) = (
            booking.await.expect("booking"),
            off.await.expect("time off"),
        );
        let wins =
            usize::from(booking == StatusCode::CREATED) + usize::from(off == StatusCode::CREATED);
        assert_eq!(wins, 1, "day {day}: booking {booking}, time off {off}");
    }
}

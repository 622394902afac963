//! A barber's day as shops run it: the clean-up buffer after the last slot before lunch or
//! closing, several shifts a day, and a shift that runs to midnight.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::booking::{book, shop, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

/// Sets `shop`'s barber's hours to `days` on every weekday.
async fn every_day(app: &TestApp, shop: &Shop, days: &[Value]) -> reqwest::Response {
    let week: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .flat_map(|weekday| {
            days.iter().map(move |day| {
                let mut day = day.clone();
                day["weekday"] = json!(weekday);
                day
            })
        })
        .collect();
    app.put_json(
        &format!("/api/v1/staff/{}/working-hours", shop.staff_id),
        Some(&shop.owner.token),
        &json!({ "days": week }),
    )
    .await
}

/// The barber as the query side shows them once it has read `position`.
async fn staff_at(app: &TestApp, shop: &Shop, position: &Value) -> Value {
    let path = format!("/api/v1/staff/{}?min_position={position}", shop.staff_id);
    let read = app.get(&path, Some(&shop.owner.token)).await;
    assert_eq!(read.status(), StatusCode::OK);
    read.json().await.expect("json")
}

#[tokio::test]
async fn the_last_slot_before_lunch_and_before_closing_can_be_booked_with_a_buffer() {
    let app = spawn_app().await;
    // 30-minute service with a 10-minute clean-up; hours 09:00–17:00, lunch 13:00–13:30 (UTC)
    let shop = shop(&app, "UTC", 10).await;
    for (hh, mm) in [(12, 30), (16, 30)] {
        let booked = book(&app, &shop, &utc_day_at(3, hh, mm)).await;
        assert_eq!(booked.status(), StatusCode::CREATED, "{hh}:{mm}");
    }
    // the service itself still has to fit: 12:35 would cut into lunch, 16:35 run past closing
    for (hh, mm) in [(12, 35), (16, 35)] {
        assert_problem(
            book(&app, &shop, &utc_day_at(4, hh, mm)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_working_hours",
        )
        .await;
    }
}

#[tokio::test]
async fn a_split_shift_is_bookable_in_each_part_and_not_between() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let split = [
        json!({"start": "09:00", "end": "12:00"}),
        json!({"start": "15:00", "end": "20:00", "breaks": [{"start": "17:00", "end": "17:30"}]}),
    ];
    let set = every_day(&app, &shop, &split).await;
    assert_eq!(set.status(), StatusCode::OK);
    let position = set.json::<Value>().await.expect("json")["position"].clone();
    for (hh, mm) in [(11, 30), (15, 0), (19, 30)] {
        let booked = book(&app, &shop, &utc_day_at(3, hh, mm)).await;
        assert_eq!(booked.status(), StatusCode::CREATED, "{hh}:{mm}");
    }
    for (hh, mm) in [(12, 0), (14, 45), (17, 0), (19, 35)] {
        assert_problem(
            book(&app, &shop, &utc_day_at(3, hh, mm)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "outside_working_hours",
        )
        .await;
    }
    // read back as two shifts on each day, in order
    let staff = staff_at(&app, &shop, &position).await;
    let mondays: Vec<(&str, &str)> = staff["working_hours"]
        .as_array()
        .expect("hours")
        .iter()
        .filter(|d| d["weekday"] == "mon")
        .map(|d| {
            (
                d["start"].as_str().unwrap_or(""),
                d["end"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(mondays, [("09:00", "12:00"), ("15:00", "20:00")]);
}

#[tokio::test]
async fn a_shift_to_midnight_takes_the_last_slot_of_the_day_buffer_and_all() {
    let app = spawn_app().await;
    // a 30-minute service with 10 minutes of clean-up
    let shop = shop(&app, "UTC", 10).await;
    let late = [json!({"start": "18:00", "end": "24:00"})];
    assert_eq!(every_day(&app, &shop, &late).await.status(), StatusCode::OK);
    let last = book(&app, &shop, &utc_day_at(3, 23, 30)).await;
    assert_eq!(last.status(), StatusCode::CREATED);
    // the next day's first minutes are not held by this day's clean-up
    let both = [
        json!({"start": "00:00", "end": "06:00"}),
        json!({"start": "18:00", "end": "24:00"}),
    ];
    let set = every_day(&app, &shop, &both).await;
    assert_eq!(set.status(), StatusCode::OK);
    let position = set.json::<Value>().await.expect("json")["position"].clone();
    let first = book(&app, &shop, &utc_day_at(4, 0, 0)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let staff = staff_at(&app, &shop, &position).await;
    assert_eq!(staff["working_hours"][1]["end"], "24:00");
}

#[tokio::test]
async fn overlapping_or_too_many_shifts_are_refused() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let before = app.event_count().await;
    let overlapping = [
        json!({"start": "09:00", "end": "13:00"}),
        json!({"start": "12:00", "end": "18:00"}),
    ];
    assert_problem(
        every_day(&app, &shop, &overlapping).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "overlapping_shifts",
    )
    .await;
    let five: Vec<Value> = (0..5)
        .map(
            |h| json!({"start": format!("{:02}:00", h * 2), "end": format!("{:02}:00", h * 2 + 1)}),
        )
        .collect();
    assert_problem(
        every_day(&app, &shop, &five).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "too_many_shifts",
    )
    .await;
    assert_eq!(app.event_count().await, before);
}

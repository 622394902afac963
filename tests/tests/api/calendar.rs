//! The calendar: one column per barber with their hours, breaks, time off and appointments, in
//! UTC and local time, right on a daylight-saving day; a booking shows with `min_position`.

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::booking::{another_barber, book, shop};
use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn a_booking_and_a_time_off_show_in_the_barbers_column_with_hours_and_breaks() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 10).await;
    let token = Some(shop.owner.token.as_str());
    let date = Utc::now().date_naive() + Duration::days(4);
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| {
            json!({"weekday": d, "start": "09:00", "end": "18:00",
                        "breaks": [{"start": "12:00", "end": "12:30"}]})
        })
        .collect();
    let hours = app
        .put_json(
            &format!("/api/v1/staff/{}/working-hours", shop.staff_id),
            token,
            &json!({ "days": days }),
        )
        .await;
    assert!(hours.status().is_success());
    let booked = book(&app, &shop, &format!("{date}T10:00:00Z")).await;
    assert_eq!(booked.status(), StatusCode::CREATED);
    let time_off = app
        .post_json(
            &format!("/api/v1/staff/{}/time-off", shop.staff_id),
            token,
            &json!({"starts_at": format!("{date}T15:00:00Z"), "ends_at": format!("{date}T16:00:00Z"),
                    "reason": "dentist"}),
        )
        .await;
    assert_eq!(time_off.status(), StatusCode::CREATED);
    let position = time_off.json::<Value>().await.expect("json")["position"]
        .as_i64()
        .expect("position");

    let calendar = app
        .read(
            &format!("/api/v1/calendar?date={date}&min_position={position}"),
            &shop.owner.token,
        )
        .await;
    assert_eq!(calendar["timezone"], "UTC");
    let column = &calendar["barbers"][0];
    assert_eq!(column["staff_id"], shop.staff_id.to_string());
    let day = &column["days"][0];
    assert_eq!(day["date"], date.to_string());
    assert_eq!(
        day["working_hours"][0]["starts_at"],
        format!("{date}T09:00:00Z")
    );
    assert_eq!(
        day["breaks"][0]["ends_at_local"],
        format!("{date}T12:30:00Z")
    );
    let appointment = &day["appointments"][0];
    assert_eq!(appointment["status"], "booked");
    assert_eq!(appointment["service_name"], "Skin fade");
    assert_eq!(appointment["starts_at"], format!("{date}T10:00:00Z"));
    assert_eq!(appointment["buffer_minutes"], 10);
    assert!(appointment["customer_name"].is_string());
    assert_eq!(day["time_off"][0]["reason"], "dentist");
    assert_eq!(day["time_off"][0]["starts_at"], format!("{date}T15:00:00Z"));

    assert_problem(
        app.get(&format!("/api/v1/calendar?date={date}&days=8"), token)
            .await,
        StatusCode::BAD_REQUEST,
        "range_too_long",
    )
    .await;
}

#[tokio::test]
async fn one_barbers_column_holds_only_their_day_and_a_deactivated_barber_has_none_left() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let token = Some(shop.owner.token.as_str());
    let bea = another_barber(&app, &shop, "Bea", "17:00").await;
    let cy = another_barber(&app, &shop, "Cy", "17:00").await;
    let date = Utc::now().date_naive() + Duration::days(4);
    assert_eq!(
        book(&app, &shop, &format!("{date}T10:00:00Z"))
            .await
            .status(),
        StatusCode::CREATED
    );
    let hers = app
        .post_json(
            "/api/v1/appointments",
            token,
            &json!({"customer_id": shop.customer_id, "staff_id": bea,
                    "service_id": shop.service_id, "starts_at": format!("{date}T11:00:00Z")}),
        )
        .await;
    assert_eq!(hers.status(), StatusCode::CREATED);
    let time_off = app
        .post_json(
            &format!("/api/v1/staff/{}/time-off", shop.staff_id),
            token,
            &json!({"starts_at": format!("{date}T15:00:00Z"), "ends_at": format!("{date}T16:00:00Z")}),
        )
        .await;
    assert_eq!(time_off.status(), StatusCode::CREATED);
    let away = app
        .post_json(
            &format!("/api/v1/staff/{cy}/time-off"),
            token,
            &json!({"starts_at": format!("{date}T14:00:00Z"), "ends_at": format!("{date}T15:00:00Z")}),
        )
        .await;
    assert_eq!(away.status(), StatusCode::CREATED);
    let position = away.json::<Value>().await.expect("json")["position"]
        .as_i64()
        .expect("position");

    let shop_day = app
        .read(
            &format!("/api/v1/calendar?date={date}&min_position={position}"),
            &shop.owner.token,
        )
        .await;
    let columns = shop_day["barbers"].as_array().expect("columns");
    assert_eq!(columns.len(), 3);
    let column = |staff_id: uuid::Uuid| {
        columns
            .iter()
            .find(|c| c["staff_id"] == staff_id.to_string())
            .expect("a column of the barber")["days"][0]
            .clone()
    };
    let (rui_day, bea_day) = (column(shop.staff_id), column(bea));
    assert_eq!(rui_day["appointments"].as_array().expect("list").len(), 1);
    assert_eq!(rui_day["time_off"].as_array().expect("list").len(), 1);
    assert_eq!(
        bea_day["appointments"][0]["starts_at"],
        format!("{date}T11:00:00Z")
    );
    assert_eq!(bea_day["appointments"].as_array().expect("list").len(), 1);
    assert_eq!(bea_day["time_off"], json!([]));
    assert_eq!(column(cy)["time_off"].as_array().expect("list").len(), 1);

    let hers_only = app
        .read(
            &format!("/api/v1/calendar?date={date}&staff_id={bea}"),
            &shop.owner.token,
        )
        .await;
    assert_eq!(hers_only["barbers"].as_array().expect("columns").len(), 1);
    assert_eq!(hers_only["barbers"][0]["days"][0], bea_day);

    // a barber with time off but nothing booked ahead may go; their time off stays recorded
    let gone = app
        .post_json(&format!("/api/v1/staff/{cy}/deactivate"), token, &json!({}))
        .await;
    assert_eq!(gone.status(), StatusCode::OK);
    let position = gone.json::<Value>().await.expect("json")["position"]
        .as_i64()
        .expect("position");
    let after = app
        .read(
            &format!("/api/v1/calendar?date={date}&min_position={position}"),
            &shop.owner.token,
        )
        .await;
    let columns = after["barbers"].as_array().expect("columns");
    assert_eq!(columns.len(), 2, "{after}");
    assert_eq!(columns[0]["days"][0], bea_day);
    assert_eq!(columns[1]["days"][0], rui_day);
}

#[tokio::test]
async fn on_the_day_the_clocks_go_forward_the_hours_are_one_hour_shorter_in_utc() {
    let app = spawn_app().await;
    let shop = shop(&app, "Europe/London", 0).await;
    let token = Some(shop.owner.token.as_str());
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "04:00"}))
        .collect();
    let set = app
        .put_json(
            &format!("/api/v1/staff/{}/working-hours", shop.staff_id),
            token,
            &json!({ "days": days }),
        )
        .await;
    let position = set.json::<Value>().await.expect("json")["position"]
        .as_i64()
        .expect("position");
    let day = spring_forward_in_london();
    let calendar = app
        .read(
            &format!("/api/v1/calendar?date={day}&days=2&min_position={position}"),
            &shop.owner.token,
        )
        .await;
    let days = &calendar["barbers"][0]["days"];
    // 00:00 GMT to 04:00 BST is three real hours; the next day, four
    assert_eq!(
        days[0]["working_hours"][0]["starts_at"],
        format!("{day}T00:00:00Z")
    );
    assert_eq!(
        days[0]["working_hours"][0]["ends_at"],
        format!("{day}T03:00:00Z")
    );
    assert_eq!(
        days[0]["working_hours"][0]["ends_at_local"],
        format!("{day}T04:00:00+01:00")
    );
    assert_eq!(
        days[1]["working_hours"][0]["starts_at"],
        format!("{day}T23:00:00Z")
    );
}

/// The next Sunday the clocks go forward in London (the last Sunday of March).
fn spring_forward_in_london() -> chrono::NaiveDate {
    use chrono::Datelike;
    let today = Utc::now().date_naive();
    let last_sunday_of_march = |year: i32| {
        let end = chrono::NaiveDate::from_ymd_opt(year, 3, 31).expect("date");
        end - Duration::days(i64::from(end.weekday().num_days_from_sunday()))
    };
    let this_year = last_sunday_of_march(today.year());
    if this_year > today + Duration::days(1) {
        this_year
    } else {
        last_sunday_of_march(today.year() + 1)
    }
}

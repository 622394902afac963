//! A barber's login sees and works only their own chair: invited linked to it, they see their
//! column of the calendar, their appointments, and take only theirs through the day.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::booking::{another_barber, book, shop, utc_day_at};
use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn an_invited_barber_sees_and_works_only_their_own_chair() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let other = another_barber(&app, &shop, "Kim", "17:00").await;
    let mine: Value = book(&app, &shop, &utc_day_at(3, 10, 0))
        .await
        .json()
        .await
        .expect("json");
    let theirs = app
        .post_json(
            "/api/v1/appointments",
            Some(&shop.owner.token),
            &json!({"customer_id": shop.customer_id, "staff_id": other,
                    "service_id": shop.service_id, "starts_at": utc_day_at(4, 11, 0)}),
        )
        .await;
    assert_eq!(theirs.status(), StatusCode::CREATED);
    let theirs: Value = theirs.json().await.expect("json");
    let position = theirs["position"].as_i64().expect("position");
    let (_, session) = app
        .staff_login(
            &shop.owner,
            "joe@fade.example",
            "barber",
            Some(shop.staff_id),
        )
        .await;
    let barber = session["token"].as_str().expect("token");

    let date = &utc_day_at(3, 0, 0)[..10];
    let calendar = app
        .read(
            &format!("/api/v1/calendar?date={date}&days=2&min_position={position}"),
            barber,
        )
        .await;
    let columns: Vec<&str> = calendar["barbers"]
        .as_array()
        .expect("barbers")
        .iter()
        .filter_map(|b| b["staff_id"].as_str())
        .collect();
    assert_eq!(columns, [shop.staff_id.to_string()], "{calendar}");
    // asking for another barber's column still answers their own
    let asked = app
        .read(
            &format!("/api/v1/calendar?date={date}&days=2&staff_id={other}"),
            barber,
        )
        .await;
    assert_eq!(asked["barbers"], calendar["barbers"]);

    let listed = app.read("/api/v1/appointments", barber).await;
    let ids: Vec<&str> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, [mine["id"].as_str().expect("id")], "{listed}");
    let theirs_id = theirs["id"].as_str().expect("id");
    let read = app
        .get(&format!("/api/v1/appointments/{theirs_id}"), Some(barber))
        .await;
    assert_problem(read, StatusCode::NOT_FOUND, "appointment_not_found").await;

    // the workflow: theirs is refused, mine is taken
    let before = app.event_count().await;
    for step in ["confirm", "notes"] {
        let body = if step == "notes" {
            json!({"text": "hi"})
        } else {
            json!({})
        };
        let refused = app
            .post_json(
                &format!("/api/v1/appointments/{theirs_id}/{step}"),
                Some(barber),
                &body,
            )
            .await;
        assert_problem(refused, StatusCode::FORBIDDEN, "not_your_chair").await;
    }
    assert_eq!(app.event_count().await, before);
    let mine_id = mine["id"].as_str().expect("id");
    let confirmed = app
        .post_json(
            &format!("/api/v1/appointments/{mine_id}/confirm"),
            Some(barber),
            &json!({}),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_barber_s_login_without_a_chair_sees_no_appointment_and_works_none() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let booked: Value = book(&app, &shop, &utc_day_at(3, 10, 0))
        .await
        .json()
        .await
        .expect("json");
    let position = booked["position"].as_i64().expect("position");
    let barber = app.token_with_role(&shop.owner, "barber").await;
    let listed = app
        .read(
            &format!("/api/v1/appointments?min_position={position}"),
            &barber,
        )
        .await;
    assert_eq!(listed["items"], json!([]));
    let id = booked["id"].as_str().expect("id");
    let refused = app
        .post_json(
            &format!("/api/v1/appointments/{id}/confirm"),
            Some(&barber),
            &json!({}),
        )
        .await;
    assert_problem(refused, StatusCode::FORBIDDEN, "not_your_chair").await;
    // the owner, who may work every chair, is not limited
    let confirmed = app
        .post_json(
            &format!("/api/v1/appointments/{id}/confirm"),
            Some(&shop.owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(confirmed.status(), StatusCode::OK);
}

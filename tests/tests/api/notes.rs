//! Notes on an appointment by the front desk and the barber: kept in order, readable with the
//! appointment, refused when blank or too long, and only for the business's own appointments.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::booking::{book, shop, utc_day_at};
use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn notes_by_the_desk_and_the_barber_read_back_in_order() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let booked: Value = book(&app, &shop, &utc_day_at(3, 10, 0))
        .await
        .json()
        .await
        .expect("json");
    let id = booked["id"].as_str().expect("id").to_owned();
    let barber = app
        .token_with_chair(&shop.owner, "barber", Some(shop.staff_id))
        .await;
    let path = format!("/api/v1/appointments/{id}/notes");
    let first = app
        .post_json(
            &path,
            Some(&shop.owner.token),
            &json!({"text": "  wants it shorter on top "}),
        )
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let second = app
        .post_json(
            &path,
            Some(&barber),
            &json!({"text": "allergic to the blue shampoo\nuse the mild one"}),
        )
        .await;
    assert_eq!(second.status(), StatusCode::CREATED);
    let answer: Value = second.json().await.expect("json");
    let position = answer["position"].as_i64().expect("position");
    let read: Value = app
        .get(
            &format!("/api/v1/appointments/{id}?min_position={position}"),
            Some(&shop.owner.token),
        )
        .await
        .json()
        .await
        .expect("json");
    let notes = read["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 2, "{read}");
    assert_eq!(notes[0]["text"], "wants it shorter on top");
    assert_eq!(
        notes[1]["text"],
        "allergic to the blue shampoo\nuse the mild one"
    );
    assert_eq!(notes[1]["id"], answer["id"]);
    assert_ne!(notes[0]["by"], notes[1]["by"]);
}

#[tokio::test]
async fn a_blank_or_overlong_note_or_another_business_s_appointment_is_refused() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let booked: Value = book(&app, &shop, &utc_day_at(3, 10, 0))
        .await
        .json()
        .await
        .expect("json");
    let path = format!(
        "/api/v1/appointments/{}/notes",
        booked["id"].as_str().expect("id")
    );
    let stranger = app.owner("other-shop").await;
    let before = app.event_count().await;
    for text in ["   ".to_owned(), "x".repeat(2001)] {
        let response = app
            .post_json(&path, Some(&shop.owner.token), &json!({ "text": text }))
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_note").await;
    }
    let response = app
        .post_json(&path, Some(&stranger.token), &json!({"text": "hello"}))
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "appointment_not_found").await;
    assert_eq!(app.event_count().await, before);
}

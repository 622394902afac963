//! Inputs that must never break the write side: each is a 4xx problem+json with its own code,
//! and nothing is written.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::booking::{book, shop, utc_day_at};
use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn a_control_character_in_any_text_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let token = Some(shop.owner.token.as_str());
    let booked: Value = book(&app, &shop, &utc_day_at(3, 10, 0))
        .await
        .json()
        .await
        .expect("json");
    let appointment = booked["id"].as_str().expect("id").to_owned();
    let customer = shop.customer_id;
    let staff = shop.staff_id;
    let cases: Vec<(String, Value)> = vec![
        ("/api/v1/customers".into(), json!({"name": "x\u{0}y"})),
        (
            "/api/v1/customers".into(),
            json!({"name": "Ana", "notes": "a\u{0}b"}),
        ),
        (
            "/api/v1/customers".into(),
            json!({"name": "Ana", "preferences": {"dri\u{0}nk": "tea"}}),
        ),
        (
            "/api/v1/customers".into(),
            json!({"name": "Ana", "preferences": {"drink": "t\u{1b}ea"}}),
        ),
        (
            "/api/v1/customers".into(),
            json!({"name": "Ana", "tags": ["v\u{0}ip"]}),
        ),
        (
            "/api/v1/staff".into(),
            json!({"name": "R\u{7}ui", "role": "barber"}),
        ),
        (
            "/api/v1/services".into(),
            json!({"name": "Fade\u{0}", "duration_minutes": 30, "price_cents": 100}),
        ),
        (
            format!("/api/v1/appointments/{appointment}/cancel"),
            json!({"reason": "flu\u{0}"}),
        ),
        (
            format!("/api/v1/staff/{staff}/time-off"),
            json!({"starts_at": utc_day_at(5, 9, 0), "ends_at": utc_day_at(5, 10, 0), "reason": "\u{0}"}),
        ),
    ];
    let before = app.event_count().await;
    for (path, body) in cases {
        let response = app.post_json(&path, token, &body).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "invalid_text").await;
    }
    let patched = app
        .patch_json(
            &format!("/api/v1/customers/{customer}"),
            token,
            &json!({"notes": "\u{0}"}),
        )
        .await;
    assert_problem(patched, StatusCode::UNPROCESSABLE_ENTITY, "invalid_text").await;
    // the unauthenticated login too
    let login = app
        .post_json(
            "/api/v1/login",
            None,
            &json!({"email": "a\u{0}@b.c", "password": "x"}),
        )
        .await;
    assert_problem(login, StatusCode::UNPROCESSABLE_ENTITY, "invalid_text").await;
    // and a query string
    let search = app.get("/api/v1/customers?q=%00", token).await;
    assert_problem(search, StatusCode::UNPROCESSABLE_ENTITY, "invalid_text").await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn line_breaks_in_a_note_are_kept() {
    let app = spawn_app().await;
    let owner = app.owner("notes-shop").await;
    let response = app
        .post_json(
            "/api/v1/customers",
            Some(&owner.token),
            &json!({"name": "Ana", "notes": "likes a fade\nno talking\tplease"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn instants_off_the_five_minute_grid_are_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let token = Some(shop.owner.token.as_str());
    let booked: Value = book(&app, &shop, &utc_day_at(3, 10, 0))
        .await
        .json()
        .await
        .expect("json");
    let id = booked["id"].as_str().expect("id").to_owned();
    let on_the_hour = utc_day_at(4, 10, 0);
    let day = on_the_hour.trim_end_matches("10:00:00Z").to_owned();
    let off_grid = [
        format!("{day}10:03:00Z"),
        format!("{day}10:00:30Z"),
        format!("{day}14:00:00.000000001Z"),
    ];
    let before = app.event_count().await;
    for starts_at in &off_grid {
        assert_problem(
            book(&app, &shop, starts_at).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "off_grid",
        )
        .await;
        let moved = app
            .post_json(
                &format!("/api/v1/appointments/{id}/reschedule"),
                token,
                &json!({ "starts_at": starts_at }),
            )
            .await;
        assert_problem(moved, StatusCode::UNPROCESSABLE_ENTITY, "off_grid").await;
        let off = app
            .post_json(
                &format!("/api/v1/staff/{}/time-off", shop.staff_id),
                token,
                &json!({"starts_at": on_the_hour, "ends_at": starts_at}),
            )
            .await;
        assert_problem(off, StatusCode::UNPROCESSABLE_ENTITY, "off_grid").await;
    }
    assert_eq!(app.event_count().await, before);
    // on the grid it books, and the slot right after it is free to the second
    assert_eq!(
        book(&app, &shop, &on_the_hour).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        book(&app, &shop, &utc_day_at(4, 10, 30)).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn time_off_that_has_ended_or_lies_beyond_the_horizon_is_refused() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let path = format!("/api/v1/staff/{}/time-off", shop.staff_id);
    let token = Some(shop.owner.token.as_str());
    let before = app.event_count().await;
    let cases = [
        (
            utc_day_at(-3, 9, 0),
            utc_day_at(-2, 9, 0),
            "time_off_in_the_past",
        ),
        (
            utc_day_at(800, 9, 0),
            utc_day_at(801, 9, 0),
            "time_off_too_far_ahead",
        ),
        (
            "9999-01-01T00:00:00Z".to_owned(),
            "9999-01-02T00:00:00Z".to_owned(),
            "time_off_too_far_ahead",
        ),
        (
            utc_day_at(3, 9, 0),
            utc_day_at(100, 9, 0),
            "invalid_time_off",
        ),
    ];
    for (starts_at, ends_at, code) in cases {
        let response = app
            .post_json(
                &path,
                token,
                &json!({"starts_at": starts_at, "ends_at": ends_at}),
            )
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn an_unknown_timezone_is_invalid_whatever_lies_ahead() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 10, 0)).await.status(),
        StatusCode::CREATED
    );
    let before = app.event_count().await;
    let response = app
        .patch_json(
            "/api/v1/business",
            Some(&shop.owner.token),
            &json!({"timezone": "Mars/Olympus"}),
        )
        .await;
    assert_problem(
        response,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_timezone",
    )
    .await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn a_valid_token_of_an_unknown_user_or_business_writes_nothing() {
    let app = spawn_app().await;
    let owner = app.owner("known-shop").await;
    let nobody_in_the_shop = app.token_for(uuid::Uuid::new_v4(), owner.business_id, "owner");
    let no_such_shop = app.token_for(uuid::Uuid::new_v4(), uuid::Uuid::new_v4(), "owner");
    let before = app.event_count().await;
    for token in [&nobody_in_the_shop, &no_such_shop] {
        let response = app
            .client
            .post(app.url("/api/v1/customers"))
            .bearer_auth(token)
            .header("idempotency-key", "once")
            .json(&json!({"name": "Ana"}))
            .send()
            .await
            .expect("answer");
        assert_problem(response, StatusCode::UNAUTHORIZED, "unknown_user").await;
    }
    assert_eq!(app.event_count().await, before);
    let kept: i64 = sqlx::query_scalar("select count(*) from idempotency_keys")
        .fetch_one(&app.env.pool)
        .await
        .expect("count");
    assert_eq!(kept, 0, "an unknown user's key was kept");
    // the owner, a known user, still writes
    let (_, position) = app
        .register_customer(&owner.token, &json!({"name": "Ana"}))
        .await;
    assert!(position > 0);
}

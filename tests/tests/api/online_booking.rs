//! Online booking with no login, end to end: the public page, a booking by a customer found or
//! registered by phone, a double submission, a taken slot, the manage link's view, move and
//! cancel inside and outside the window, the business switching it off or choosing what it
//! offers, another business's ids, and the limit per address.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::booking::{shop_named, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, spawn_app_with, TestApp};
use crate::read_side::settled;

fn booking(shop: &Shop, starts_at: &str, phone: &str) -> Value {
    json!({"service_id": shop.service_id, "starts_at": starts_at, "name": "Ana Online",
        "phone": phone, "email": "ana@online.example"})
}

async fn book_online(app: &TestApp, body: &Value, key: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url("/api/v1/public/fade-street/bookings"))
        .json(body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.send().await.expect("answer")
}

async fn customer_count(app: &TestApp, shop: &Shop) -> usize {
    app.read("/api/v1/customers?limit=200", &shop.owner.token)
        .await["items"]
        .as_array()
        .map_or(0, Vec::len)
}

/// The manage page's view once the read models show `status`.
async fn managed(app: &TestApp, token: &str, status: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        let answer = app
            .get(&format!("/api/v1/public/bookings/{token}"), None)
            .await;
        if answer.status() == StatusCode::OK {
            last = answer.json().await.expect("json");
            if last["status"] == status {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the booking never showed {status}: {last}");
}

#[tokio::test]
async fn a_customer_books_views_moves_and_cancels_from_a_link() {
    let app = spawn_app().await;
    let shop = shop_named(&app, "fade-street", "UTC", 0).await;
    // the public pages read the read models, which follow the shop's set-up
    settled(&app).await;
    let page = app.get("/api/v1/public/fade-street", None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page: Value = page.json().await.expect("json");
    assert_eq!(
        (page["online_booking"].as_bool(), page["timezone"].as_str()),
        (Some(true), Some("UTC"))
    );
    let services: Value = app
        .get("/api/v1/public/fade-street/services", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(services[0]["id"], shop.service_id.to_string());
    let staff: Value = app
        .get("/api/v1/public/fade-street/staff", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(staff[0]["id"], shop.staff_id.to_string());
    assert!(
        staff[0].get("email").is_none() && staff[0].get("phone").is_none(),
        "{staff}"
    );

    // a start the public availability offers books
    let date = &utc_day_at(3, 0, 0)[..10];
    let free: Value = app
        .get(
            &format!(
                "/api/v1/public/fade-street/availability?service_id={}&date={date}",
                shop.service_id
            ),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    let start = free["days"][0]["any"][0]["starts_at"]
        .as_str()
        .expect("a start")
        .to_owned();
    let before = customer_count(&app, &shop).await;
    let body = booking(&shop, &start, "+447700900555");
    let first = book_online(&app, &body, Some("submit-1")).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.expect("json");
    let token = first["manage_token"].as_str().expect("token").to_owned();
    assert!(first["manage_url"]
        .as_str()
        .is_some_and(|u| u.ends_with(&token)));
    // submitted twice: the same booking, and the link is not handed out again
    let again = book_online(&app, &body, Some("submit-1")).await;
    assert_eq!(again.status(), StatusCode::CREATED);
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["id"], first["id"]);
    assert!(again["manage_token"].is_null(), "{again}");
    // the same start again, by another phone: taken, and nobody registered for it
    let taken = book_online(&app, &booking(&shop, &start, "+447700900666"), None).await;
    assert_problem(taken, StatusCode::CONFLICT, "slot_taken").await;

    // read-your-writes with the booking's position, like every read
    let position = first["position"].as_i64().expect("position");
    let view: Value = app
        .get(
            &format!("/api/v1/public/bookings/{token}?min_position={position}"),
            None,
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(view["status"], "booked", "{view}");
    assert_eq!(
        (
            view["service_name"].as_str(),
            view["business_slug"].as_str()
        ),
        (Some("Skin fade"), Some("fade-street"))
    );
    let id = first["id"].as_str().expect("id");
    let at_desk = app
        .read(&format!("/api/v1/appointments/{id}"), &shop.owner.token)
        .await;
    assert_eq!(at_desk["source"], "online");
    assert_eq!(customer_count(&app, &shop).await, before + 1);

    // the same phone books again: the customer is found, not registered twice
    let later = book_online(
        &app,
        &booking(&shop, &utc_day_at(4, 11, 0), "+44 7700 900555"),
        None,
    )
    .await;
    assert_eq!(later.status(), StatusCode::CREATED);
    let later: Value = later.json().await.expect("json");
    assert_eq!(customer_count(&app, &shop).await, before + 1);

    // moved, then cancelled, from the link
    let moved = app
        .post_json(
            &format!("/api/v1/public/bookings/{token}/reschedule"),
            None,
            &json!({"starts_at": utc_day_at(3, 15, 0)}),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let cancelled = app
        .post_json(
            &format!("/api/v1/public/bookings/{token}/cancel"),
            None,
            &json!({"reason": "ill"}),
        )
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let view = managed(&app, &token, "cancelled").await;
    assert_eq!(view["starts_at"], json!(utc_day_at(3, 15, 0)));

    // inside the cancellation window the link no longer changes it: the shop widens its
    // window to 30 days, which puts the booking in four days inside it
    let policy = json!({"min_lead_minutes": 60, "max_advance_days": 730,
        "cancellation_window_minutes": 43200, "default_buffer_minutes": 0,
        "reminder_offsets_minutes": [1440]});
    let widened = app
        .put_json(
            "/api/v1/business/booking-policy",
            Some(&shop.owner.token),
            &policy,
        )
        .await;
    assert_eq!(widened.status(), StatusCode::OK);
    let later_token = later["manage_token"].as_str().expect("token");
    for (step, body) in [
        ("cancel", json!({})),
        ("reschedule", json!({"starts_at": utc_day_at(5, 11, 0)})),
    ] {
        let refused = app
            .post_json(
                &format!("/api/v1/public/bookings/{later_token}/{step}"),
                None,
                &body,
            )
            .await;
        assert_problem(refused, StatusCode::CONFLICT, "cancellation_window_passed").await;
    }
    let unknown = app
        .get(&format!("/api/v1/public/bookings/{}", "0".repeat(64)), None)
        .await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "booking_not_found").await;
}

#[tokio::test]
async fn the_business_chooses_what_is_offered_online_and_can_switch_it_off() {
    let app = spawn_app().await;
    let shop = shop_named(&app, "fade-street", "UTC", 0).await;
    let other = shop_named(&app, "other-street", "UTC", 0).await;
    let (beard, _) = app
        .create_service(
            &shop.owner.token,
            &json!({"name": "Beard trim", "duration_minutes": 15, "price_cents": 1200}),
        )
        .await;
    let only_fades = app
        .put_json(
            "/api/v1/business/online-booking",
            Some(&shop.owner.token),
            &json!({"enabled": true, "service_ids": [shop.service_id]}),
        )
        .await;
    assert_eq!(only_fades.status(), StatusCode::OK);
    let position = only_fades.json::<Value>().await.expect("json")["position"].clone();
    let business = app
        .read(
            &format!("/api/v1/business?min_position={position}"),
            &shop.owner.token,
        )
        .await;
    assert_eq!(
        business["online_booking"]["service_ids"],
        json!([shop.service_id])
    );
    let mut beard_booking = booking(&shop, &utc_day_at(3, 10, 0), "+447700900555");
    beard_booking["service_id"] = json!(beard);
    assert_problem(
        book_online(&app, &beard_booking, None).await,
        StatusCode::NOT_FOUND,
        "service_not_found",
    )
    .await;
    // another business's service or barber on this business's page is no service of it
    let mut theirs = booking(&shop, &utc_day_at(3, 10, 0), "+447700900555");
    theirs["service_id"] = json!(other.service_id);
    assert_problem(
        book_online(&app, &theirs, None).await,
        StatusCode::NOT_FOUND,
        "service_not_found",
    )
    .await;
    let mut their_barber = booking(&shop, &utc_day_at(3, 10, 0), "+447700900555");
    their_barber["staff_id"] = json!(other.staff_id);
    assert_problem(
        book_online(&app, &their_barber, None).await,
        StatusCode::NOT_FOUND,
        "staff_not_found",
    )
    .await;

    let off = app
        .put_json(
            "/api/v1/business/online-booking",
            Some(&shop.owner.token),
            &json!({"enabled": false}),
        )
        .await;
    assert_eq!(off.status(), StatusCode::OK);
    let position = off.json::<Value>().await.expect("json")["position"].clone();
    app.read(
        &format!("/api/v1/business?min_position={position}"),
        &shop.owner.token,
    )
    .await;
    assert_problem(
        app.get("/api/v1/public/fade-street/services", None).await,
        StatusCode::FORBIDDEN,
        "online_booking_off",
    )
    .await;
    assert_problem(
        book_online(
            &app,
            &booking(&shop, &utc_day_at(3, 10, 0), "+447700900555"),
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
        "online_booking_off",
    )
    .await;
    let page: Value = app
        .get("/api/v1/public/fade-street", None)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["online_booking"], false);
    assert_problem(
        app.get("/api/v1/public/no-such-shop", None).await,
        StatusCode::NOT_FOUND,
        "business_not_found",
    )
    .await;
}

#[tokio::test]
async fn one_address_asking_too_often_is_answered_429() {
    let app = spawn_app_with(|config| config.public_requests_per_minute = 5).await;
    shop_named(&app, "fade-street", "UTC", 0).await;
    settled(&app).await;
    for _ in 0..5 {
        assert_eq!(
            app.get("/api/v1/public/fade-street", None).await.status(),
            StatusCode::OK
        );
    }
    let limited = app.get("/api/v1/public/fade-street", None).await;
    assert!(
        limited.headers().contains_key("retry-after"),
        "{:?}",
        limited.headers()
    );
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS, "too_many_requests").await;
    // the staff's routes are not the public pages': not limited
    let staff = app.get("/api/v1/business", None).await;
    assert_eq!(staff.status(), StatusCode::UNAUTHORIZED);
}

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_problem, page_names as names, signup_body, spawn_app, TestApp};

async fn read(app: &TestApp, token: &str, path: &str) -> Value {
    let response = app.get(path, Some(token)).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    assert!(response.headers().get("barber-stale").is_none(), "{path}");
    response.json().await.expect("json")
}

/// Reads `path` at the position a successful (200) command answered with.
async fn read_after(app: &TestApp, token: &str, response: reqwest::Response, path: &str) -> Value {
    let position = accepted(response).await.expect("position");
    read(app, token, &format!("{path}?min_position={position}")).await
}

/// Answers with the position of the command, asserting it succeeded with 200.
async fn accepted(response: reqwest::Response) -> Option<i64> {
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    body["position"].as_i64()
}

/// Asserts each `(field, value)` of a service as read.
fn assert_fields(service: &Value, expected: Value) {
    for (field, value) in expected.as_object().expect("an object") {
        assert_eq!(&service[field], value, "{field} of {service}");
    }
}

fn fade() -> Value {
    json!({"name": "Fade", "duration_minutes": 30, "price_cents": 2500})
}

#[tokio::test]
async fn a_new_service_is_priced_in_the_businesss_currency_and_read_back() {
    let app = spawn_app().await;
    let mut signup = signup_body("fade-street", "owner@fade.example");
    signup["currency"] = json!("EUR");
    let response = app.signup(&signup).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let token = response.json::<Value>().await.expect("json")["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let (id, position) = app
        .create_service(
            &token,
            &json!({"name": " Skin fade ", "duration_minutes": 30, "price_cents": 2500}),
        )
        .await;
    let service = read(
        &app,
        &token,
        &format!("/api/v1/services/{id}?min_position={position}"),
    )
    .await;
    let expected = json!({"id": id, "name": "Skin fade", "category": null, "duration_minutes": 30,
        "price_cents": 2500, "currency": "EUR", "buffer_minutes": 0, "active": true});
    assert_fields(&service, expected);
    assert!(service.get("sort_key").is_none());
}

#[tokio::test]
async fn updates_prices_and_retirement_are_reflected_and_retired_services_are_hidden() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let token = owner.token.as_str();
    let (id, _) = app
        .create_service(
            token,
            &json!({"name": "Fade", "category": "Hair", "duration_minutes": 30,
                    "price_cents": 2500, "buffer_minutes": 10}),
        )
        .await;
    let other = json!({"name": "Beard trim", "duration_minutes": 15, "price_cents": 1200});
    app.create_service(token, &other).await;
    let path = format!("/api/v1/services/{id}");

    let response = app
        .patch_json(
            &path,
            Some(token),
            &json!({"name": "Skin fade", "category": null, "duration_minutes": 45}),
        )
        .await;
    let service = read_after(&app, token, response, &path).await;
    let expected = json!({"name": "Skin fade", "category": null, "duration_minutes": 45,
        "buffer_minutes": 10, "price_cents": 2500});
    assert_fields(&service, expected);

    let response = app
        .put_json(
            &format!("{path}/price"),
            Some(token),
            &json!({"price_cents": 0}),
        )
        .await;
    let service = read_after(&app, token, response, &path).await;
    assert_fields(
        &service,
        json!({"price_cents": 0, "currency": "USD", "name": "Skin fade"}),
    );

    let response = app
        .post_json(&format!("{path}/retire"), Some(token), &json!({}))
        .await;
    let service = read_after(&app, token, response, &path).await;
    assert_fields(&service, json!({"active": false, "price_cents": 0}));
    let listed = read(&app, token, "/api/v1/services").await;
    assert_eq!(names(&listed), ["Beard trim"]);
    let all = read(&app, token, "/api/v1/services?include_retired=true").await;
    assert_eq!(names(&all), ["Beard trim", "Skin fade"]);

    let before = app.event_count().await;
    let again = app
        .post_json(&format!("{path}/retire"), Some(token), &json!({}))
        .await;
    assert_eq!(
        accepted(again).await,
        None,
        "retiring again changes nothing"
    );
    let change = app
        .patch_json(&path, Some(token), &json!({"name": "Back"}))
        .await;
    assert_problem(change, StatusCode::CONFLICT, "service_retired").await;
    let reprice = app
        .put_json(
            &format!("{path}/price"),
            Some(token),
            &json!({"price_cents": 1}),
        )
        .await;
    assert_problem(reprice, StatusCode::CONFLICT, "service_retired").await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn the_catalog_is_listed_by_category_then_name_with_a_cursor() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let mut last = 0;
    for (name, category) in [
        ("Trim", json!("Beard")),
        ("skin fade", json!("Hair")),
        ("Consultation", Value::Null),
        ("Buzz cut", json!("hair")),
        ("Shave", json!("Beard")),
    ] {
        let body = json!({"name": name, "category": category, "duration_minutes": 15,
                          "price_cents": 1000});
        last = app.create_service(&owner.token, &body).await.1;
    }
    let mut seen = Vec::new();
    let mut path = format!("/api/v1/services?limit=2&min_position={last}");
    loop {
        let page = read(&app, &owner.token, &path).await;
        seen.extend(names(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/services?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["Shave", "Trim", "Buzz cut", "skin fade", "Consultation"]
    );
}

#[tokio::test]
async fn bad_service_requests_are_refused_with_a_code_and_write_nothing() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let token = Some(owner.token.as_str());
    let (id, _) = app.create_service(&owner.token, &fade()).await;
    let before = app.event_count().await;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let with = |field: &str, value: Value| {
        let mut body = fade();
        body[field] = value;
        body
    };
    let creates = [
        (with("name", json!("  ")), "invalid_name"),
        (with("category", json!("x".repeat(101))), "invalid_category"),
        (with("duration_minutes", json!(0)), "invalid_duration"),
        (with("duration_minutes", json!(-30)), "invalid_duration"),
        (with("duration_minutes", json!(32)), "invalid_duration"),
        (with("duration_minutes", json!(485)), "invalid_duration"),
        (with("price_cents", json!(-1)), "invalid_price"),
        (with("buffer_minutes", json!(7)), "invalid_buffer"),
        (with("buffer_minutes", json!(10_000)), "invalid_buffer"),
        (with("tenant_id", json!(owner.business_id)), "invalid_body"),
        (with("currency", json!("GBP")), "invalid_body"),
        (with("duration_minutes", json!("30")), "invalid_body"),
        (with("price_cents", json!(25.5)), "invalid_body"),
        (with("price_cents", json!(1e30)), "invalid_body"),
        (json!({"name": "A", "duration_minutes": 30}), "invalid_body"),
        (json!([1, 2]), "invalid_body"),
    ];
    for (body, code) in creates {
        let response = app.post_json("/api/v1/services", token, &body).await;
        assert_problem(response, unprocessable, code).await;
    }
    let path = format!("/api/v1/services/{id}");
    let updates = [
        (json!({"duration_minutes": 3}), "invalid_duration"),
        (json!({"buffer_minutes": -5}), "invalid_buffer"),
        (json!({"name": ""}), "invalid_name"),
        (json!({"price_cents": 100}), "invalid_body"),
    ];
    for (body, code) in updates {
        let response = app.patch_json(&path, token, &body).await;
        assert_problem(response, unprocessable, code).await;
    }
    let prices = [
        (json!({"price_cents": -100}), "invalid_price"),
        (json!({"price_cents": "10"}), "invalid_body"),
        (json!({}), "invalid_body"),
        (json!({"price_cents": 1, "currency": "EUR"}), "invalid_body"),
    ];
    for (body, code) in prices {
        let response = app.put_json(&format!("{path}/price"), token, &body).await;
        assert_problem(response, unprocessable, code).await;
    }
    let unknown = format!("/api/v1/services/{}", Uuid::new_v4());
    let response = app.patch_json(&unknown, token, &json!({"name": "B"})).await;
    assert_problem(response, StatusCode::NOT_FOUND, "service_not_found").await;
    let response = app
        .post_json("/api/v1/services/not-a-uuid/retire", token, &json!({}))
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    for (query, code) in [
        ("limit=0", "invalid_limit"),
        ("cursor=garbage", "invalid_cursor"),
        ("include_retired=maybe", "invalid_query"),
        ("x=1", "invalid_query"),
    ] {
        let response = app.get(&format!("/api/v1/services?{query}"), token).await;
        assert_problem(response, StatusCode::BAD_REQUEST, code).await;
    }
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn another_business_cannot_see_or_change_a_service() {
    let app = spawn_app().await;
    let mine = app.owner("fade-street").await;
    let theirs = app.owner("other-shop").await;
    let (id, position) = app.create_service(&mine.token, &fade()).await;
    let token = Some(theirs.token.as_str());
    let read = app
        .get(
            &format!("/api/v1/services/{id}?min_position={position}"),
            token,
        )
        .await;
    assert_problem(read, StatusCode::NOT_FOUND, "service_not_found").await;
    let list: Value = app
        .get("/api/v1/services?include_retired=true", token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(list["items"], json!([]));
    let before = app.event_count().await;
    let path = format!("/api/v1/services/{id}");
    for response in [
        app.patch_json(&path, token, &json!({"name": "Stolen"}))
            .await,
        app.put_json(&format!("{path}/price"), token, &json!({"price_cents": 1}))
            .await,
        app.post_json(&format!("{path}/retire"), token, &json!({}))
            .await,
    ] {
        assert_problem(response, StatusCode::NOT_FOUND, "service_not_found").await;
    }
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn only_owners_and_managers_may_change_the_catalog() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let body = fade();
    let manager = app.token_with_role(&owner, "manager").await;
    let (id, position) = app.create_service(&manager, &body).await;
    let barber = app.token_with_role(&owner, "barber").await;
    let path = format!("/api/v1/services/{id}");
    read(&app, &barber, &format!("{path}?min_position={position}")).await;
    let before = app.event_count().await;
    let token = Some(barber.as_str());
    for response in [
        app.post_json("/api/v1/services", token, &body).await,
        app.post_json("/api/v1/services", token, &json!({"bad": 1}))
            .await,
        app.patch_json(&path, token, &json!({"name": "Mine"})).await,
        app.put_json(&format!("{path}/price"), token, &json!({"price_cents": 1}))
            .await,
        app.post_json(&format!("{path}/retire"), token, &json!({}))
            .await,
    ] {
        assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    }
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn without_a_valid_token_every_service_route_answers_401() {
    let app = spawn_app().await;
    let id = Uuid::new_v4();
    let path = format!("/api/v1/services/{id}");
    for response in [
        app.get("/api/v1/services", None).await,
        app.get(&path, None).await,
        app.post_json("/api/v1/services", None, &json!({})).await,
        app.patch_json(&path, None, &json!({})).await,
        app.put_json(&format!("{path}/price"), None, &json!({}))
            .await,
        app.post_json(&format!("{path}/retire"), Some("not-a-jwt"), &json!({}))
            .await,
    ] {
        assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

#[tokio::test]
async fn the_service_routes_are_in_the_openapi_document() {
    let app = spawn_app().await;
    let doc: Value = app
        .get("/api/openapi.json", None)
        .await
        .json()
        .await
        .expect("json");
    for (path, method) in [
        ("/api/v1/services", "post"),
        ("/api/v1/services", "get"),
        ("/api/v1/services/{id}", "patch"),
        ("/api/v1/services/{id}", "get"),
        ("/api/v1/services/{id}/price", "put"),
        ("/api/v1/services/{id}/retire", "post"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    let view = &doc["components"]["schemas"]["ServiceView"]["properties"];
    assert!(view["price_cents"].is_object() && view["sort_key"].is_null());
}

#[tokio::test]
async fn a_service_shows_the_buffer_a_booking_of_it_keeps_free() {
    let app = spawn_app().await;
    let owner = app.owner("buffer-shop").await;
    let token = owner.token.as_str();
    let policy = json!({"min_lead_minutes": 0, "max_advance_days": 90,
        "cancellation_window_minutes": 60, "default_buffer_minutes": 15,
        "reminder_offsets_minutes": [1440]});
    let set = app
        .put_json("/api/v1/business/booking-policy", Some(token), &policy)
        .await;
    assert_eq!(set.status(), StatusCode::OK);
    let (own, _) = app
        .create_service(
            token,
            &json!({"name": "Fade", "duration_minutes": 30, "price_cents": 2500, "buffer_minutes": 5}),
        )
        .await;
    let (default, position) = app
        .create_service(
            token,
            &json!({"name": "Beard", "duration_minutes": 15, "price_cents": 1200}),
        )
        .await;
    let of = |id: uuid::Uuid| format!("/api/v1/services/{id}?min_position={position}");
    let shown = read(&app, token, &of(default)).await;
    assert_fields(
        &shown,
        json!({"buffer_minutes": 0, "applied_buffer_minutes": 15}),
    );
    let shown = read(&app, token, &of(own)).await;
    assert_fields(
        &shown,
        json!({"buffer_minutes": 5, "applied_buffer_minutes": 5}),
    );
}

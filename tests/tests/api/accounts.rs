use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, signup_body, spawn_app};

#[tokio::test]
async fn signing_up_then_logging_in_gives_a_working_token() {
    let app = spawn_app().await;
    let response = app
        .signup(&signup_body("fade-street", "sam@fade.example"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    assert!(body["business_id"].is_string() && body["user_id"].is_string());

    let login = app
        .post_json(
            "/api/v1/login",
            None,
            &json!({"email": "SAM@fade.example", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let token: Value = login.json().await.expect("json");
    let token = token["token"].as_str().expect("token");
    let list = app.get("/api/v1/customers", Some(token)).await;
    assert_eq!(list.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_password_or_unknown_email_is_refused_alike() {
    let app = spawn_app().await;
    app.owner("fade-street").await;
    for (email, password) in [
        ("owner@fade-street.example", "wrong password!!"),
        ("nobody@fade-street.example", "correct horse battery"),
    ] {
        let response = app
            .post_json(
                "/api/v1/login",
                None,
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
}

#[tokio::test]
async fn a_taken_slug_or_email_is_refused_and_writes_nothing() {
    let app = spawn_app().await;
    app.owner("fade-street").await;
    let before = app.event_count().await;
    let same_slug = app
        .signup(&signup_body("fade-street", "other@x.example"))
        .await;
    assert_problem(same_slug, StatusCode::CONFLICT, "slug_taken").await;
    let same_email = app
        .signup(&signup_body("another-shop", "OWNER@fade-street.example"))
        .await;
    assert_problem(same_email, StatusCode::CONFLICT, "email_taken").await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn bad_signups_are_refused_with_a_code_and_write_nothing() {
    let app = spawn_app().await;
    let with = |field: &str, value: Value| {
        let mut body = signup_body("good-slug", "good@x.example");
        body[field] = value;
        body
    };
    let mut missing = signup_body("good-slug", "good@x.example");
    missing.as_object_mut().expect("object").remove("password");
    let cases = [
        (
            with("timezone", json!("Mars/Olympus")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_timezone",
        ),
        (
            with("slug", json!("Not A Slug")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_slug",
        ),
        (
            with("email", json!("not-an-email")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_email",
        ),
        (
            with("password", json!("short")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "weak_password",
        ),
        (
            with("business_name", json!("  ")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_business_name",
        ),
        (
            with("currency", json!("pounds")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_currency",
        ),
        (
            with("slug", json!(42)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (
            with("surprise", json!(true)),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
        ),
        (missing, StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
    ];
    for (body, status, code) in cases {
        assert_problem(app.signup(&body).await, status, code).await;
    }
    let malformed = app
        .client
        .post(app.url("/api/v1/signup"))
        .header("content-type", "application/json")
        .body("{\"slug\": ")
        .send()
        .await
        .expect("sent");
    assert_problem(malformed, StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_eq!(app.event_count().await, 0);
    let users: i64 = sqlx::query_scalar("select count(*) from users")
        .fetch_one(&app.env.pool)
        .await
        .expect("count");
    assert_eq!(users, 0);
}

#[tokio::test]
async fn an_owner_who_cuts_hair_signs_up_as_a_bookable_barber_of_their_shop() {
    let app = spawn_app().await;
    let mut body = signup_body("chair-one", "sam@chair-one.example");
    body["owner_is_barber"] = json!(true);
    let answer = app.signup(&body).await;
    assert_eq!(answer.status(), StatusCode::CREATED);
    let signed_up: Value = answer.json().await.expect("json");
    let staff_id = signed_up["staff_id"].as_str().expect("the owner's chair");
    let token = signed_up["token"].as_str().expect("token");
    let position = signed_up["position"].as_i64().expect("position");
    let staff = app
        .read(
            &format!("/api/v1/staff/{staff_id}?min_position={position}"),
            token,
        )
        .await;
    assert_eq!(
        (&staff["name"], &staff["role"], &staff["active"]),
        (&json!("Sam Owner"), &json!("owner"), &json!(true)),
        "{staff}"
    );
    assert_eq!(staff["email"], "sam@chair-one.example");
    let linked: Option<uuid::Uuid> =
        sqlx::query_scalar("select staff_id from users where email = 'sam@chair-one.example'")
            .fetch_one(&app.env.pool)
            .await
            .expect("user");
    assert_eq!(linked.map(|id| id.to_string()).as_deref(), Some(staff_id));

    // an owner who does not cut hair has no chair
    let other: Value = app
        .signup(&signup_body("chair-two", "kim@chair-two.example"))
        .await
        .json()
        .await
        .expect("json");
    assert!(other["staff_id"].is_null());
    let list = app
        .read(
            &format!("/api/v1/staff?min_position={}", other["position"]),
            other["token"].as_str().expect("token"),
        )
        .await;
    assert_eq!(list["items"], json!([]), "{list}");
}

//! Signup, login, refresh and logout, the routes without a token; and a token whose user or
//! business is unknown.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{run, with, Fixture, Ids, Route};
use crate::helpers::{assert_problem, signup_body, spawn_app};

pub fn routes(own: &Ids, _foreign: &Ids) -> Vec<Route> {
    let mut signup = signup_body("new-street", "owner@new-street.example");
    signup["currency"] = json!("GBP");
    signup["country"] = json!("GB");
    let but = |field: &str, value: serde_json::Value| with(&signup, field, value);
    vec![
        Route::new(Method::POST, "/api/v1/signup", own)
            .public()
            .body(signup.clone())
            .refuses(but("slug", json!("Bad Slug")), 422, "invalid_slug")
            .refuses(but("slug", json!("fade-street")), 409, "slug_taken")
            .refuses(
                but("email", json!("owner@fade-street.example")),
                409,
                "email_taken",
            )
            .refuses(but("email", json!("rui@")), 422, "invalid_email")
            .refuses(
                but("timezone", json!("Mars/Olympus")),
                422,
                "invalid_timezone",
            )
            .refuses(but("timezone", json!("")), 422, "invalid_timezone")
            .refuses(but("currency", json!("pounds")), 422, "invalid_currency")
            .refuses(but("currency", json!("XYZ")), 422, "invalid_currency")
            .refuses(but("country", json!("UK")), 422, "invalid_country")
            .refuses(
                but("business_name", json!("")),
                422,
                "invalid_business_name",
            )
            .refuses(
                but("business_name", json!("x".repeat(201))),
                422,
                "invalid_business_name",
            )
            .refuses(but("owner_name", json!(" ")), 422, "invalid_owner_name")
            .refuses(but("password", json!("short")), 422, "weak_password")
            .refuses(
                but("password", json!("p".repeat(1025))),
                422,
                "weak_password",
            ),
        Route::new(Method::POST, "/api/v1/login", own)
            .public()
            .body(json!({"email": "owner@fade-street.example", "password": "not the password"}))
            .refuses(
                json!({"email": "owner@fade-street.example", "password": "wrong password"}),
                401,
                "invalid_credentials",
            )
            .refuses(
                json!({"email": "nobody@nowhere.example", "password": "correct horse battery"}),
                401,
                "invalid_credentials",
            )
            .refuses(
                json!({"email": "", "password": ""}),
                401,
                "invalid_credentials",
            )
            .refuses(
                json!({"email": "owner@fade-street.example"}),
                422,
                "invalid_body",
            ),
        Route::new(Method::POST, "/api/v1/token/refresh", own)
            .public()
            .body(json!({"refresh_token": "0".repeat(64)}))
            .refuses(
                json!({"refresh_token": "not one of ours"}),
                401,
                "invalid_refresh_token",
            )
            .refuses(json!({"refresh_token": ""}), 401, "invalid_refresh_token")
            .refuses(json!({}), 422, "invalid_body")
            .refuses(json!({"refresh_token": 7}), 422, "invalid_body"),
        Route::new(Method::POST, "/api/v1/logout", own)
            .public()
            .body(json!({"refresh_token": "0".repeat(64)}))
            .refuses(json!({}), 422, "invalid_body")
            .refuses(json!({"refresh_token": null}), 422, "invalid_body"),
    ]
}

#[tokio::test]
async fn signup_and_login_refuse_bad_input_and_write_nothing() {
    let f = Fixture::prepare().await;
    run(&f, routes(&f.own, &f.foreign)).await;
}

#[tokio::test]
async fn a_valid_token_of_an_unknown_user_or_business_writes_nothing() {
    let app = spawn_app().await;
    let owner = app.owner("known-shop").await;
    let nobody_in_the_shop = app.token_for(uuid::Uuid::new_v4(), owner.business_id, "owner");
    let no_such_shop = app.token_for(uuid::Uuid::new_v4(), uuid::Uuid::new_v4(), "owner");
    let before = app.store_checksum().await;
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
    assert_eq!(app.store_checksum().await, before);
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

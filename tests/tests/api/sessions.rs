//! A login's session: a short-lived access token and a refresh token that rotates on use; a
//! refresh token used twice revokes its login; logout revokes it; a refresh reads the user's
//! role afresh.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp};

async fn log_in(app: &TestApp, email: &str) -> Value {
    let answer = app
        .post_json(
            "/api/v1/login",
            None,
            &json!({"email": email, "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    answer.json().await.expect("json")
}

async fn refresh(app: &TestApp, session: &Value) -> reqwest::Response {
    app.post_json(
        "/api/v1/token/refresh",
        None,
        &json!({"refresh_token": session["refresh_token"]}),
    )
    .await
}

async fn works(app: &TestApp, session: &Value) -> bool {
    let token = session["token"].as_str().expect("token");
    app.get("/api/v1/customers", Some(token)).await.status() == StatusCode::OK
}

#[tokio::test]
async fn a_refresh_token_buys_the_next_pair_once_and_a_second_use_revokes_the_login() {
    let app = spawn_app().await;
    app.owner("session-shop").await;
    let first = log_in(&app, "owner@session-shop.example").await;
    assert_eq!(first["expires_in"], json!(app_ttl(&app)));
    assert!(works(&app, &first).await);

    let answer = refresh(&app, &first).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let second: Value = answer.json().await.expect("json");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert!(works(&app, &second).await);

    // the first one again: copied, so nothing of this login is good any more
    assert_problem(
        refresh(&app, &first).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    assert_problem(
        refresh(&app, &second).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    // another login of the same user is its own family, untouched
    let other = log_in(&app, "owner@session-shop.example").await;
    assert_eq!(refresh(&app, &other).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn logout_revokes_the_logins_refresh_tokens_and_an_unknown_one_is_refused() {
    let app = spawn_app().await;
    app.owner("session-shop").await;
    let session = log_in(&app, "owner@session-shop.example").await;
    let out = app
        .post_json(
            "/api/v1/logout",
            None,
            &json!({"refresh_token": session["refresh_token"]}),
        )
        .await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_problem(
        refresh(&app, &session).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    let made_up = json!({"refresh_token": "0".repeat(64)});
    assert_problem(
        refresh(&app, &made_up).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
}

#[tokio::test]
async fn a_refresh_reads_the_users_role_afresh() {
    let app = spawn_app().await;
    let owner = app.owner("session-shop").await;
    let session = log_in(&app, "owner@session-shop.example").await;
    sqlx::query("update users set role = 'barber' where business_id = $1")
        .bind(owner.business_id)
        .execute(&app.env.pool)
        .await
        .expect("role changed");
    let renewed: Value = refresh(&app, &session).await.json().await.expect("json");
    let token = renewed["token"].as_str().expect("token");
    let create = app
        .post_json(
            "/api/v1/services",
            Some(token),
            &json!({"name": "Cut", "duration_minutes": 30, "price_cents": 2000}),
        )
        .await;
    assert_problem(create, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn signup_opens_a_session_too() {
    let app = spawn_app().await;
    let answer = app
        .signup(&crate::helpers::signup_body(
            "session-shop",
            "sam@session.example",
        ))
        .await;
    let body: Value = answer.json().await.expect("json");
    assert_eq!(body["expires_in"], json!(app_ttl(&app)));
    assert_eq!(refresh(&app, &body).await.status(), StatusCode::OK);
}

fn app_ttl(app: &TestApp) -> u64 {
    app.env.config.jwt_ttl.as_secs()
}

#[tokio::test]
async fn one_refresh_token_sent_twice_at_once_buys_one_pair_and_revokes_the_login() {
    let app = spawn_app().await;
    app.owner("session-shop").await;
    let session = log_in(&app, "owner@session-shop.example").await;
    let (one, two) = tokio::join!(refresh(&app, &session), refresh(&app, &session));
    let mut statuses = [one.status(), two.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::UNAUTHORIZED]);
    // the pair the winner got belongs to the revoked login too
    let won: Value = if one.status() == StatusCode::OK {
        one.json().await.expect("json")
    } else {
        two.json().await.expect("json")
    };
    assert_problem(
        refresh(&app, &won).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
}

//! Login resists guessing: failed logins are limited per account and per client address, 429
//! `too_many_attempts` with `Retry-After`, the right password included while limited; a
//! success clears its account's count; behind a trusted proxy the forwarded address counts.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

const OWNER: &str = "owner@guess-shop.example";
const RIGHT: &str = "correct horse battery";

async fn log_in(
    app: &TestApp,
    email: &str,
    password: &str,
    forwarded: Option<&str>,
) -> reqwest::Response {
    let request = app
        .client
        .post(app.url("/api/v1/login"))
        .json(&json!({"email": email, "password": password}));
    let request = match forwarded {
        Some(address) => request.header("x-forwarded-for", address),
        None => request,
    };
    request.send().await.expect("answer")
}

/// The answer's status, and its `Retry-After` in seconds if it has one.
async fn outcome(response: reqwest::Response) -> (StatusCode, Option<u64>, Value) {
    let status = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, retry, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn sixty_wrong_passwords_for_one_account_are_answered_429_after_the_tenth() {
    let app = spawn_app().await;
    app.owner("guess-shop").await;
    let mut statuses = Vec::new();
    for _ in 0..60 {
        let (status, retry, body) =
            outcome(log_in(&app, OWNER, "wrong password!!", None).await).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body["code"], "too_many_attempts");
            let retry = retry.expect("Retry-After");
            assert!((1..=900).contains(&retry), "{retry}");
            assert_eq!(body["retry_after_seconds"], json!(retry));
        }
        statuses.push(status);
    }
    assert!(
        statuses[..10]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert!(
        statuses[10..]
            .iter()
            .all(|s| *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // while limited, the right password is not even tried
    let (status, _, _) = outcome(log_in(&app, OWNER, RIGHT, None).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_success_clears_the_accounts_count() {
    let app = spawn_app().await;
    app.owner("guess-shop").await;
    for round in 0..2 {
        for _ in 0..9 {
            let (status, _, _) = outcome(log_in(&app, OWNER, "wrong password!!", None).await).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "round {round}");
        }
        let (status, _, _) = outcome(log_in(&app, OWNER, RIGHT, None).await).await;
        assert_eq!(status, StatusCode::OK, "round {round}");
    }
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_answered_429_after_fifty() {
    let app = spawn_app().await;
    app.owner("guess-shop").await;
    let guesses = (0..50).map(|n| {
        let app = &app;
        async move {
            outcome(log_in(app, &format!("guess{n}@elsewhere.example"), RIGHT, None).await)
                .await
                .0
        }
    });
    let statuses = futures::future::join_all(guesses).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    // the 51st, for an account never guessed before, and the owner's right password alike
    for email in ["fresh@elsewhere.example", OWNER] {
        let (status, retry, _) = outcome(log_in(&app, email, RIGHT, None).await).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{email}");
        assert!(retry.is_some());
    }
}

/// 51 wrong logins, each for an account of its own and saying it comes from an address of its
/// own (`X-Forwarded-For`): their statuses.
async fn guesses_from_many_addresses(app: &TestApp) -> Vec<StatusCode> {
    app.owner("guess-shop").await;
    let mut statuses = Vec::new();
    for n in 0..51 {
        let (email, address) = (
            format!("guess{n}@elsewhere.example"),
            format!("203.0.113.{n}"),
        );
        let answer = log_in(app, &email, "x-wrong-password", Some(&address)).await;
        statuses.push(answer.status());
    }
    statuses
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_address_counts_apart_and_untrusted_ones_do_not() {
    // one proxy in front: its entry of X-Forwarded-For is the client, a first failure each
    let app = spawn_app_with(|config| config.forwarded_hops = 1).await;
    let statuses = guesses_from_many_addresses(&app).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    // no proxy trusted: what a client writes in X-Forwarded-For changes nothing
    let app = spawn_app().await;
    let statuses = guesses_from_many_addresses(&app).await;
    assert!(
        statuses[..50]
            .iter()
            .all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(statuses[50], StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn twenty_wrong_passwords_at_once_get_exactly_ten_tries() {
    let app = spawn_app().await;
    app.owner("guess-shop").await;
    let guesses = (0..20).map(|_| {
        let app = &app;
        async move { log_in(app, OWNER, "wrong password!!", None).await.status() }
    });
    let statuses = futures::future::join_all(guesses).await;
    let tried = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((tried, refused), (10, 10), "{statuses:?}");
}

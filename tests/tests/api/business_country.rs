//! The business's country: given at signup, changed or removed by `PATCH /business`, read back
//! by `GET /business`; a code that names no country is refused and writes nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, signup_body, spawn_app, TestApp};

async fn business_at(app: &TestApp, token: &str, position: i64) -> Value {
    app.get(
        &format!("/api/v1/business?min_position={position}"),
        Some(token),
    )
    .await
    .json()
    .await
    .expect("json")
}

fn position(body: &Value) -> i64 {
    body["position"].as_i64().expect("position")
}

/// Signs up a business (in `country`, if any) and returns its owner's token and the position.
pub async fn sign_up_in(app: &TestApp, slug: &str, country: Option<&str>) -> (String, i64) {
    let mut body = signup_body(slug, &format!("owner@{slug}.example"));
    if let Some(country) = country {
        body["country"] = json!(country);
    }
    let response = app.signup(&body).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let signed_up: Value = response.json().await.expect("json");
    let token = signed_up["token"].as_str().expect("token").to_owned();
    (token, position(&signed_up))
}

#[tokio::test]
async fn a_country_given_at_signup_is_read_back_in_capitals() {
    let app = spawn_app().await;
    let (token, at) = sign_up_in(&app, "fade-street", Some("gb")).await;
    assert_eq!(business_at(&app, &token, at).await["country"], "GB");
}

#[tokio::test]
async fn a_business_without_a_country_reads_null_until_it_sets_one() {
    let app = spawn_app().await;
    let (token, at) = sign_up_in(&app, "fade-street", None).await;
    assert_eq!(business_at(&app, &token, at).await["country"], Value::Null);

    let set = app
        .patch_json("/api/v1/business", Some(&token), &json!({"country": "US"}))
        .await;
    assert_eq!(set.status(), StatusCode::OK);
    let at = position(&set.json().await.expect("json"));
    let business = business_at(&app, &token, at).await;
    assert_eq!(business["country"], "US");
    assert_eq!(business["timezone"], "Europe/London", "nothing else moved");

    let removed = app
        .patch_json("/api/v1/business", Some(&token), &json!({"country": null}))
        .await;
    assert_eq!(removed.status(), StatusCode::OK);
    let at = position(&removed.json().await.expect("json"));
    assert_eq!(business_at(&app, &token, at).await["country"], Value::Null);
}

#[tokio::test]
async fn a_code_that_names_no_country_is_422_and_writes_nothing() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let before = app.event_count().await;
    for bad in ["UK", "Narnia", "", "gbr"] {
        let response = app
            .patch_json(
                "/api/v1/business",
                Some(&owner.token),
                &json!({"name": "Renamed", "country": bad}),
            )
            .await;
        assert_problem(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_country",
        )
        .await;
        let mut body = signup_body("other-shop", "other@shop.example");
        body["country"] = json!(bad);
        assert_problem(
            app.signup(&body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_country",
        )
        .await;
    }
    assert_eq!(app.event_count().await, before);
    // the refused signups kept neither the slug nor the email
    let mut body = signup_body("other-shop", "other@shop.example");
    body["country"] = json!("IE");
    assert_eq!(app.signup(&body).await.status(), StatusCode::CREATED);
}

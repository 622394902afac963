//! Searching the book as a front desk types: a phone in the business's national format, a name
//! with or without its accents.

use reqwest::StatusCode;
use serde_json::json;

use super::profile::read_customer;
use crate::helpers::{page_names, spawn_app, TestApp};

/// The names `q` finds, in list order, once `position` is applied.
async fn search(app: &TestApp, token: &str, q: &str, position: i64) -> Vec<String> {
    let response = app
        .client
        .get(app.url("/api/v1/customers"))
        .query(&[("q", q), ("min_position", &position.to_string())])
        .bearer_auth(token)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK, "{q}");
    page_names(&response.json().await.expect("json"))
}

#[tokio::test]
async fn a_phone_typed_in_national_format_is_stored_in_e164_and_found_as_typed() {
    let app = spawn_app().await;
    let uk = app.owner_in("fade-street", "GB").await;
    let (id, position) = app
        .register_customer(
            &uk.token,
            &json!({"name": "Ana Silva", "phone": "07700 900123"}),
        )
        .await;
    let customer = read_customer(&app, &uk.token, id, position).await;
    assert_eq!(customer["phone"], "+447700900123");
    for q in [
        "07700 900123",
        "07700900123",
        "(07700) 900-123",
        "+44 7700 900123",
        "07700 900",
        "900123",
    ] {
        assert_eq!(
            search(&app, &uk.token, q, position).await,
            ["Ana Silva"],
            "{q}"
        );
    }
    assert!(search(&app, &uk.token, "07700 900124", position)
        .await
        .is_empty());

    let us = app.owner_in("fade-street-nyc", "US").await;
    let (_, position) = app
        .register_customer(
            &us.token,
            &json!({"name": "Dan Brooks", "phone": "(212) 555-0100"}),
        )
        .await;
    for q in ["(212) 555-0100", "212-555-0100", "+1 212 555 0100"] {
        assert_eq!(
            search(&app, &us.token, q, position).await,
            ["Dan Brooks"],
            "{q}"
        );
    }
}

#[tokio::test]
async fn names_are_found_with_or_without_their_accents() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let mut last = 0;
    for (name, email) in [
        ("Chloé Martin", "chloe.martin@example.com"),
        ("chloe dupont", "cd@example.com"),
        ("José Álvarez", "jose@example.com"),
        ("Zoë Smith", "zoë@example.com"),
        ("Ana Silva", "ana@example.com"),
    ] {
        last = app
            .register_customer(&owner.token, &json!({"name": name, "email": email}))
            .await
            .1;
    }
    let cases: [(&str, &[&str]); 8] = [
        ("chloe", &["chloe dupont", "Chloé Martin"]),
        ("Chloé", &["chloe dupont", "Chloé Martin"]),
        ("CHLOE", &["chloe dupont", "Chloé Martin"]),
        ("jose", &["José Álvarez"]),
        ("JOSÉ", &["José Álvarez"]),
        ("alvarez", &["José Álvarez"]),
        ("zoe@", &["Zoë Smith"]),
        ("silva", &["Ana Silva"]),
    ];
    for (q, names) in cases {
        assert_eq!(search(&app, &owner.token, q, last).await, names, "{q}");
    }
}

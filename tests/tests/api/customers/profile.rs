//! Tags, preferences and marketing consent: written with the profile, read back, filtered by.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_problem, page_names, spawn_app, TestApp};

/// A customer as the query API shows it once `position` is applied.
pub(super) async fn read_customer(app: &TestApp, token: &str, id: Uuid, position: i64) -> Value {
    let response = app
        .get(
            &format!("/api/v1/customers/{id}?min_position={position}"),
            Some(token),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get("barber-stale").is_none());
    response.json().await.expect("json")
}

/// PATCHes a customer and returns the answer's `position` (absent when nothing changed).
async fn patch_customer(app: &TestApp, token: &str, id: Uuid, body: &Value) -> Option<i64> {
    let response = app
        .patch_json(&format!("/api/v1/customers/{id}"), Some(token), body)
        .await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let accepted: Value = response.json().await.expect("json");
    accepted["position"].as_i64()
}

/// The types of a customer's stored events, in sequence order, and the last one's position.
async fn customer_events(app: &TestApp, id: Uuid) -> (Vec<String>, i64) {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "select event_type, global_position from events
              where aggregate_type = 'customer' and aggregate_id = $1 order by sequence",
    )
    .bind(id.to_string())
    .fetch_all(&app.env.pool)
    .await
    .expect("events");
    let last = rows.last().map_or(0, |(_, position)| *position);
    (rows.into_iter().map(|(kind, _)| kind).collect(), last)
}

fn instant(value: &Value) -> DateTime<Utc> {
    value
        .as_str()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| panic!("{value} is not an instant"))
}

#[tokio::test]
async fn a_customer_registered_with_tags_preferences_and_consent_reads_them_back() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let before = Utc::now();
    let (id, position) = app
        .register_customer(
            &owner.token,
            &json!({"name": "Ana Silva", "tags": [" VIP", "beard", "vip"],
                    "preferences": {"barber": "Jo", "drink": "espresso"},
                    "marketing_consent": true}),
        )
        .await;

    let (kinds, last) = customer_events(&app, id).await;
    assert_eq!(
        kinds,
        [
            "CustomerRegistered",
            "CustomerTagsChanged",
            "CustomerPreferencesChanged",
            "MarketingConsentGiven"
        ]
    );
    assert_eq!(position, last, "the answer names the last event's position");
    let stored: Value = sqlx::query_scalar(
        "select payload from events where aggregate_id = $1 and event_type = 'CustomerPreferencesChanged'",
    )
    .bind(id.to_string())
    .fetch_one(&app.env.pool)
    .await
    .expect("event");
    // preferences are personal data, inside `pii`: sealed with the customer's key
    let pii = &stored["CustomerPreferencesChanged"]["pii"];
    assert_eq!(pii["customer_id"], json!(id), "{stored}");
    assert!(pii["sealed"].is_string(), "{stored}");
    assert!(!stored.to_string().contains("espresso"), "{stored}");

    let customer = read_customer(&app, &owner.token, id, position).await;
    assert_eq!(customer["tags"], json!(["beard", "vip"]));
    assert_eq!(
        customer["preferences"],
        json!({"barber": "Jo", "drink": "espresso"})
    );
    assert_eq!(customer["marketing_consent"], true);
    let given = instant(&customer["marketing_consent_at"]);
    assert!(before <= given && given <= Utc::now(), "{given}");

    let (plain, position) = app
        .register_customer(&owner.token, &json!({"name": "Bo"}))
        .await;
    let plain = read_customer(&app, &owner.token, plain, position).await;
    assert_eq!(
        (
            &plain["tags"],
            &plain["preferences"],
            &plain["marketing_consent"],
            &plain["marketing_consent_at"]
        ),
        (&json!([]), &json!({}), &json!(false), &Value::Null)
    );
}

#[tokio::test]
async fn patching_tags_and_withdrawing_consent_is_read_back() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (id, position) = app
        .register_customer(
            &owner.token,
            &json!({"name": "Ana", "tags": ["vip"], "preferences": {"drink": "tea"},
                    "marketing_consent": true}),
        )
        .await;
    let given =
        instant(&read_customer(&app, &owner.token, id, position).await["marketing_consent_at"]);

    let position = patch_customer(
        &app,
        &owner.token,
        id,
        &json!({"tags": ["regular", "Beard"], "marketing_consent": false}),
    )
    .await
    .expect("a change");
    let customer = read_customer(&app, &owner.token, id, position).await;
    assert_eq!(customer["tags"], json!(["beard", "regular"]));
    assert_eq!(customer["marketing_consent"], false);
    assert!(instant(&customer["marketing_consent_at"]) > given);
    assert_eq!(
        customer["preferences"],
        json!({"drink": "tea"}),
        "untouched"
    );
    assert_eq!(customer["name"], "Ana", "untouched");

    let before = app.event_count().await;
    let unchanged = patch_customer(
        &app,
        &owner.token,
        id,
        &json!({"marketing_consent": false, "tags": ["beard", "REGULAR"]}),
    )
    .await;
    assert_eq!(unchanged, None, "the same answers again change nothing");
    assert_eq!(app.event_count().await, before);

    let position = patch_customer(
        &app,
        &owner.token,
        id,
        &json!({"tags": null, "preferences": null}),
    )
    .await
    .expect("a change");
    let customer = read_customer(&app, &owner.token, id, position).await;
    assert_eq!(
        (&customer["tags"], &customer["preferences"]),
        (&json!([]), &json!({}))
    );
}

#[tokio::test]
async fn the_list_filters_by_tag() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let mut last = 0;
    for (name, tags) in [
        ("Ana", json!(["vip", "beard"])),
        ("Bo", json!(["beard"])),
        ("Cy", json!(["vip"])),
        ("Di", json!([])),
    ] {
        last = app
            .register_customer(&owner.token, &json!({"name": name, "tags": tags}))
            .await
            .1;
    }
    let other = app.owner("other-shop").await;
    app.register_customer(&other.token, &json!({"name": "Al", "tags": ["vip"]}))
        .await;

    for (query, expected) in [
        (format!("tag=vip&min_position={last}"), vec!["Ana", "Cy"]),
        ("tag=%20VIP%20".to_owned(), vec!["Ana", "Cy"]),
        ("tag=beard&q=bo".to_owned(), vec!["Bo"]),
        ("tag=vip&limit=1".to_owned(), vec!["Ana"]),
        ("tag=regular".to_owned(), vec![]),
        ("tag=".to_owned(), vec!["Ana", "Bo", "Cy", "Di"]),
    ] {
        let page: Value = app
            .get(&format!("/api/v1/customers?{query}"), Some(&owner.token))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(page_names(&page), expected, "{query}");
    }
    let page: Value = app
        .get("/api/v1/customers?tag=vip&limit=1", Some(&owner.token))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page["items"][0]["tags"], json!(["beard", "vip"]));
    let cursor = page["next_cursor"].as_str().expect("a next page");
    let next: Value = app
        .get(
            &format!("/api/v1/customers?tag=vip&limit=1&cursor={cursor}"),
            Some(&owner.token),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(page_names(&next), ["Cy"]);
}

#[tokio::test]
async fn bad_tags_preferences_or_consent_are_refused_and_write_nothing() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (id, _) = app
        .register_customer(&owner.token, &json!({"name": "Ana", "tags": ["vip"]}))
        .await;
    let before = app.event_count().await;
    let too_many: Vec<String> = (0..21).map(|n| format!("tag {n}")).collect();
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let cases = [
        (json!({"tags": ["vip!"]}), "invalid_tag"),
        (json!({"tags": ["café"]}), "invalid_tag"),
        (json!({"tags": [""]}), "invalid_tag"),
        (json!({"tags": ["x".repeat(41)]}), "invalid_tag"),
        (json!({"tags": too_many}), "too_many_tags"),
        (json!({"preferences": ["espresso"]}), "invalid_preferences"),
        (json!({"preferences": "espresso"}), "invalid_preferences"),
        (
            json!({"preferences": {"notes": "x".repeat(9 * 1024)}}),
            "invalid_preferences",
        ),
        (json!({"marketing_consent": "yes"}), "invalid_body"),
        (json!({"marketing_consent": null}), "invalid_body"),
        (json!({"tags": "vip"}), "invalid_body"),
        (json!({"tags": [1]}), "invalid_body"),
    ];
    for (details, code) in cases {
        let mut create = details.clone();
        create["name"] = json!("Bo");
        let response = app
            .post_json("/api/v1/customers", Some(&owner.token), &create)
            .await;
        assert_problem(response, unprocessable, code).await;
        // a valid name change in the same PATCH is refused with the rest
        let mut change = details;
        change["name"] = json!("Ana Costa");
        let response = app
            .patch_json(
                &format!("/api/v1/customers/{id}"),
                Some(&owner.token),
                &change,
            )
            .await;
        assert_problem(response, unprocessable, code).await;
    }
    assert_eq!(app.event_count().await, before, "nothing was recorded");
    let response = app
        .patch_json(
            &format!("/api/v1/customers/{}", Uuid::new_v4()),
            Some(&owner.token),
            &json!({"tags": ["vip"]}),
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND, "customer_not_found").await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_new_fields() {
    let app = spawn_app().await;
    let doc: Value = app
        .get("/api/openapi.json", None)
        .await
        .json()
        .await
        .expect("json");
    let schemas = &doc["components"]["schemas"];
    for schema in [
        "RegisterCustomerRequest",
        "UpdateCustomerRequest",
        "CustomerView",
    ] {
        for field in ["tags", "preferences", "marketing_consent"] {
            assert!(
                schemas[schema]["properties"][field].is_object(),
                "{schema}.{field} in {schemas}"
            );
        }
    }
    let parameters = doc["paths"]["/api/v1/customers"]["get"]["parameters"]
        .as_array()
        .expect("parameters");
    assert!(parameters.iter().any(|p| p["name"] == "tag"));
}

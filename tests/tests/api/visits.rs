//! A customer's visits and visit summary over HTTP: a paid visit shows in both, a merged
//! duplicate's history moves to the customer it was merged into, and an erasure keeps it.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::dashboard::busy_shop;
use crate::helpers::{assert_problem, spawn_app, TestApp};

impl TestApp {
    /// `GET /customers/{id}/visits?{query}` once everything written so far is read.
    pub async fn visits(&self, token: &str, customer: Uuid, query: &str) -> Value {
        let position = self.newest_position().await;
        let response = self
            .get(
                &format!("/api/v1/customers/{customer}/visits?min_position={position}&{query}"),
                Some(token),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    /// `GET /customers/{id}` once everything written so far is read.
    pub async fn customer(&self, token: &str, customer: Uuid) -> Value {
        let position = self.newest_position().await;
        self.read(
            &format!("/api/v1/customers/{customer}?min_position={position}"),
            token,
        )
        .await
    }
}

#[tokio::test]
async fn visits_follow_a_merge_and_outlive_an_erasure() {
    let app = spawn_app().await;
    let busy = busy_shop(&app).await;
    let token = busy.shop.owner.token.clone();
    let ana = busy.shop.customer_id;
    let (duplicate, _) = app
        .register_customer(&token, &json!({"name": "Ana S."}))
        .await;
    let currency = app
        .read(
            &format!(
                "/api/v1/business?min_position={}",
                app.newest_position().await
            ),
            &token,
        )
        .await["currency"]
        .clone();

    let first = app.book_quick(&busy, ana, busy.shop.staff_id, -10).await;
    app.serve(&token, first, 2200, 300, "card").await;
    // a booking in twenty minutes, the customer early and served at once (not at the time of
    // Ana's: one customer holds one chair at a time, and the merge keeps it so)
    let second = app
        .book_quick(&busy, duplicate, busy.other_barber, 20)
        .await;
    app.appointment_step(&token, second, "check-in", json!({}))
        .await;
    app.serve(&token, second, 1800, 0, "cash").await;
    let late = app.book_quick(&busy, ana, busy.shop.staff_id, 120).await;
    app.appointment_step(&token, late, "cancel", json!({}))
        .await;
    app.book_quick(&busy, duplicate, busy.other_barber, 180)
        .await;

    let before = app.customer(&token, ana).await;
    assert_eq!(before["visit_summary"]["visits"], 1);
    assert_eq!(before["name"], "Ana");
    let merge = app
        .post_json(
            &format!("/api/v1/customers/{ana}/merge"),
            Some(&token),
            &json!({"duplicate_id": duplicate}),
        )
        .await;
    let status = merge.status();
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        merge.text().await.unwrap_or_default()
    );

    let merged = app.customer(&token, ana).await;
    let summary = &merged["visit_summary"];
    assert_eq!(summary["visits"], 2);
    assert_eq!(
        summary["spend"],
        json!([{"currency": currency, "amount_paid_cents": 4000, "tip_cents": 300}])
    );
    assert_eq!(
        (
            &summary["no_shows"],
            &summary["late_cancellations"],
            &summary["upcoming"]
        ),
        (&json!(0), &json!(1), &json!(1))
    );
    assert!(summary["first_visit_at"].is_string());
    assert!(summary["first_visit_at"].as_str() < summary["last_visit_at"].as_str());
    let gone = app.customer(&token, duplicate).await;
    assert_eq!(gone["merged_into"], json!(ana));
    assert_eq!(gone["visit_summary"]["visits"], 0);
    assert_eq!(app.visits(&token, duplicate, "").await["items"], json!([]));

    // newest first, page by page
    let page = app.visits(&token, ana, "limit=1").await;
    let cursor = page["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let rest = app
        .visits(&token, ana, &format!("limit=1&cursor={cursor}"))
        .await;
    assert!(rest["next_cursor"].is_null());
    assert_eq!(page["items"][0]["appointment_id"], json!(second));
    let visit = &rest["items"][0];
    assert_eq!(visit["appointment_id"], json!(first));
    assert_eq!(
        (
            &visit["service_name"],
            &visit["staff_name"],
            &visit["payment_method"]
        ),
        (&json!("Line-up"), &json!("Rui"), &json!("card"))
    );
    assert_eq!(
        (
            &visit["amount_paid_cents"],
            &visit["tip_cents"],
            &visit["staff_id"]
        ),
        (&json!(2200), &json!(300), &json!(busy.shop.staff_id))
    );

    // erased: no name, the same history
    let erase = app
        .post_json(
            &format!("/api/v1/customers/{ana}/erase"),
            Some(&token),
            &json!({}),
        )
        .await;
    assert_eq!(erase.status(), StatusCode::OK);
    let erased = app.customer(&token, ana).await;
    assert!(erased["name"].is_null() && erased["erased_at"].is_string());
    assert_eq!(erased["visit_summary"], merged["visit_summary"]);
    assert_eq!(
        app.visits(&token, ana, "").await["items"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    // another business's customer, and a bad cursor
    let other = app.owner("elsewhere").await;
    let theirs = app
        .get(
            &format!("/api/v1/customers/{ana}/visits"),
            Some(&other.token),
        )
        .await;
    assert_problem(theirs, StatusCode::NOT_FOUND, "customer_not_found").await;
    let bad = app
        .get(
            &format!("/api/v1/customers/{ana}/visits?cursor=nope"),
            Some(&token),
        )
        .await;
    assert_problem(bad, StatusCode::BAD_REQUEST, "invalid_cursor").await;
}

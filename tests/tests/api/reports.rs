//! The reports over HTTP: the shop day of the dashboard test in revenue, utilization, retention
//! and no-shows, as JSON and as CSV; bad ranges are refused with problem+json; only owners and
//! managers read them.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::dashboard::busy_shop;
use crate::helpers::{assert_problem, spawn_app, TestApp};

impl TestApp {
    /// `GET /reports/{report}?{query}` as JSON, once everything written so far is read.
    pub async fn report(&self, token: &str, report: &str, query: &str) -> Value {
        let response = self
            .report_as(token, report, query, "application/json")
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    /// The same report as CSV: its lines, each split into cells (no cell here holds a comma).
    pub async fn report_csv(&self, token: &str, report: &str, query: &str) -> Vec<Vec<String>> {
        let response = self.report_as(token, report, query, "text/csv").await;
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers().get("content-type").cloned();
        assert_eq!(
            content_type.as_ref().and_then(|v| v.to_str().ok()),
            Some("text/csv; charset=utf-8")
        );
        let text = response.text().await.expect("text");
        assert!(text.ends_with("\r\n"), "{text:?}");
        text.lines()
            .map(|line| line.split(',').map(str::to_owned).collect())
            .collect()
    }

    async fn report_as(
        &self,
        token: &str,
        report: &str,
        query: &str,
        accept: &str,
    ) -> reqwest::Response {
        let position = self.newest_position().await;
        self.client
            .get(self.url(&format!(
                "/api/v1/reports/{report}?min_position={position}&{query}"
            )))
            .bearer_auth(token)
            .header("accept", accept)
            .send()
            .await
            .expect("answer")
    }
}

#[tokio::test]
async fn a_shops_day_adds_up_in_every_report_as_json_and_as_csv() {
    let app = spawn_app().await;
    let busy = busy_shop(&app).await;
    let token = busy.shop.owner.token.clone();
    let (rui, ze) = (busy.shop.staff_id, busy.other_barber);
    let ana = busy.shop.customer_id;
    let (bea, _) = app.register_customer(&token, &json!({"name": "Bea"})).await;
    let paid = app.book_quick(&busy, ana, rui, -10).await;
    app.serve(&token, paid, 2200, 300, "card").await;
    let gone = app.book_quick(&busy, bea, ze, -10).await;
    app.appointment_step(&token, gone, "no-show", json!({}))
        .await;
    let late = app.book_quick(&busy, ana, rui, 120).await;
    app.appointment_step(&token, late, "cancel", json!({}))
        .await;
    app.book_quick(&busy, bea, ze, 180).await;
    let today = app.dashboard(&token, app.newest_position().await).await["today"]
        .as_str()
        .expect("today")
        .to_owned();
    let range = format!("from={today}&to={today}");

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
    let by_day = app.report(&token, "revenue", &range).await;
    assert_eq!(
        by_day["rows"],
        json!([{"key": today, "name": null, "currency": currency, "visits": 1,
                "amount_paid_cents": 2200, "tip_cents": 300}])
    );
    let by_staff = app
        .report(&token, "revenue", &format!("{range}&group_by=staff"))
        .await;
    assert_eq!(by_staff["rows"][0]["name"], "Rui");
    assert_eq!(by_staff["rows"][0]["key"], json!(rui.to_string()));
    let csv = app
        .report_csv(&token, "revenue", &format!("{range}&group_by=month"))
        .await;
    assert_eq!(
        csv[0],
        [
            "key",
            "name",
            "currency",
            "visits",
            "amount_paid_cents",
            "tip_cents"
        ]
    );
    assert_eq!(csv.len(), 2);
    assert_eq!(csv[1][0], today[..7]);
    assert_eq!(csv[1][3..], ["1", "2200", "300"]);

    let no_shows = app.report(&token, "no-shows", &range).await;
    let row = |by: &str, name: &str| {
        no_shows["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["by"] == by && r["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {by} row {name}: {no_shows}"))
    };
    let zé = row("staff", "Zé");
    assert_eq!(
        (&zé["due"], &zé["no_shows"], &zé["no_show_rate_bp"]),
        (&json!(1), &json!(1), &json!(10000))
    );
    let rui_row = row("staff", "Rui");
    assert_eq!(
        (&rui_row["no_show_rate_bp"], &rui_row["late_cancellations"]),
        (&json!(0), &json!(1))
    );
    let line_up = row("service", "Line-up");
    assert_eq!(
        (
            &line_up["due"],
            &line_up["no_shows"],
            &line_up["late_cancellations"]
        ),
        (&json!(2), &json!(1), &json!(1))
    );
    let csv = app.report_csv(&token, "no-shows", &range).await;
    assert_eq!(
        csv.len(),
        1 + no_shows["rows"].as_array().map_or(0, Vec::len)
    );

    // 00:00–23:55 on the day; Rui booked 5 minutes (the cancelled one does not count), Zé 10
    let utilization = app.report(&token, "utilization", &range).await;
    let minutes: Vec<(Value, Value, Value)> = utilization["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["staff_name"].clone(),
                r["working_minutes"].clone(),
                r["booked_minutes"].clone(),
            )
        })
        .collect();
    assert_eq!(
        minutes,
        [
            (json!("Rui"), json!(1435), json!(5)),
            (json!("Zé"), json!(1435), json!(10))
        ]
    );
    assert_eq!(utilization["rows"][1]["utilization_bp"], 10 * 10000 / 1435);
    let csv = app.report_csv(&token, "utilization", &range).await;
    assert_eq!(csv[0][4], "utilization_bp");
    assert_eq!(csv.len(), 3);

    // Ana: new this month, and nothing booked after her visit but the cancelled one
    let retention = app.report(&token, "retention", &range).await;
    assert_eq!(
        retention["rows"],
        json!([{"month": &today[..7], "customers": 1, "new_customers": 1,
                "returning_customers": 0, "rebooked_30d": 0, "rebooked_60d": 0,
                "rebooked_90d": 0, "rebooked_30d_bp": 0, "rebooked_60d_bp": 0,
                "rebooked_90d_bp": 0}])
    );
    let csv = app.report_csv(&token, "retention", &range).await;
    assert_eq!((csv.len(), csv[0].len(), csv[1].len()), (2, 10, 10));
}

#[tokio::test]
async fn bad_ranges_are_refused_and_only_managers_read_reports() {
    let app = spawn_app().await;
    let owner = app.owner("figures").await;
    let barber = app.token_with_role(&owner, "barber").await;
    let manager = app.token_with_role(&owner, "manager").await;
    let cases = [
        ("from=2026-12-02&to=2026-12-01", "invalid_range"),
        ("from=2026-01-01&to=2027-01-03", "range_too_long"),
        ("from=2026-13-01&to=2026-12-31", "invalid_query"),
        ("from=yesterday&to=2026-12-31", "invalid_query"),
        ("to=2026-12-31", "invalid_query"),
        (
            "from=2026-12-01&to=2026-12-31&group_by=year",
            "invalid_query",
        ),
        ("from=2026-12-01&to=2026-12-31&colour=red", "invalid_query"),
    ];
    for report in ["revenue", "utilization", "retention", "no-shows"] {
        for (query, code) in cases {
            if query.contains("group_by") && report != "revenue" {
                continue;
            }
            let response = app
                .get(
                    &format!("/api/v1/reports/{report}?{query}"),
                    Some(&owner.token),
                )
                .await;
            assert_problem(response, StatusCode::BAD_REQUEST, code).await;
        }
        let fine = format!("/api/v1/reports/{report}?from=2026-12-01&to=2026-12-31");
        let as_barber = app.get(&fine, Some(&barber)).await;
        assert_problem(as_barber, StatusCode::FORBIDDEN, "forbidden").await;
        // once the business is in the read models
        let position = app.newest_position().await;
        let as_manager = app
            .get(&format!("{fine}&min_position={position}"), Some(&manager))
            .await;
        assert_eq!(as_manager.status(), StatusCode::OK);
    }
}

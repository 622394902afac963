//! Two command replicas on one database: each keeps the records it has seen in memory, and
//! neither may ever decide on a stale copy. Whatever one replica records, the other sees at its
//! next command.

use reqwest::StatusCode;
use serde_json::{json, Value};

use barber::app::Application;
use barber::role::Role;

use crate::booking::{book, shop, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

/// A second command service on the test's database, stopped when dropped.
struct Replica {
    address: String,
    client: reqwest::Client,
    stopper: platform::shutdown::ShutdownTrigger,
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.stopper.trigger();
    }
}

impl Replica {
    async fn start(app: &TestApp) -> Self {
        let replica = Application::build(app.env.config.clone(), Role::Command)
            .await
            .expect("replica starts");
        let address = format!("http://127.0.0.1:{}", replica.port());
        let stopper = replica.stopper();
        tokio::spawn(replica.run_until_stopped());
        Self {
            address,
            client: reqwest::Client::new(),
            stopper,
        }
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        shop: &Shop,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .request(method, format!("{}{path}", self.address))
            .bearer_auth(&shop.owner.token)
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    async fn book(&self, shop: &Shop, starts_at: &str) -> reqwest::Response {
        let body = json!({"customer_id": shop.customer_id, "staff_id": shop.staff_id,
                          "service_id": shop.service_id, "starts_at": starts_at});
        self.send(reqwest::Method::POST, "/api/v1/appointments", shop, &body)
            .await
    }
}

#[tokio::test]
async fn a_replica_never_books_over_what_another_replica_reserved() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let replica = Replica::start(&app).await;
    // both replicas have the barber's day in memory
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 9, 0)).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        replica.book(&shop, &utc_day_at(3, 9, 30)).await.status(),
        StatusCode::CREATED
    );
    // each now records into the day the other has an older copy of
    assert_eq!(
        book(&app, &shop, &utc_day_at(3, 10, 0)).await.status(),
        StatusCode::CREATED
    );
    assert_problem(
        replica.book(&shop, &utc_day_at(3, 10, 15)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    assert_problem(
        book(&app, &shop, &utc_day_at(3, 9, 45)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
}

#[tokio::test]
async fn a_change_recorded_by_one_replica_rules_the_next_booking_on_the_other() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let replica = Replica::start(&app).await;
    // the replica remembers the barber with full days and the service at 30 minutes
    assert_eq!(
        replica.book(&shop, &utc_day_at(3, 9, 0)).await.status(),
        StatusCode::CREATED
    );
    let short_days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "09:00", "end": "12:00"}))
        .collect();
    let hours = app
        .put_json(
            &format!("/api/v1/staff/{}/working-hours", shop.staff_id),
            Some(&shop.owner.token),
            &json!({ "days": short_days }),
        )
        .await;
    assert_eq!(hours.status(), StatusCode::OK);
    assert_problem(
        replica.book(&shop, &utc_day_at(3, 15, 0)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "outside_working_hours",
    )
    .await;
    let retired = app
        .post_json(
            &format!("/api/v1/services/{}/retire", shop.service_id),
            Some(&shop.owner.token),
            &json!({}),
        )
        .await;
    assert!(retired.status().is_success(), "{}", retired.status());
    assert_problem(
        replica.book(&shop, &utc_day_at(3, 10, 0)).await,
        StatusCode::NOT_FOUND,
        "service_not_found",
    )
    .await;
}

#[tokio::test]
async fn bookings_racing_through_two_replicas_for_one_slot_book_exactly_one() {
    let app = spawn_app().await;
    let shop = shop(&app, "UTC", 0).await;
    let replica = Replica::start(&app).await;
    // warm both copies of the day, then race
    assert_eq!(
        book(&app, &shop, &utc_day_at(4, 9, 0)).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(
        replica.book(&shop, &utc_day_at(4, 9, 30)).await.status(),
        StatusCode::CREATED
    );
    let slot = utc_day_at(4, 11, 0);
    let racers = (0..30).map(|i| {
        let (app, replica, shop, slot) = (&app, &replica, &shop, &slot);
        async move {
            if i % 2 == 0 {
                book(app, shop, slot).await.status()
            } else {
                replica.book(shop, slot).await.status()
            }
        }
    });
    let answers = futures::future::join_all(racers).await;
    let won = answers
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let taken = answers
        .iter()
        .filter(|s| **s == StatusCode::CONFLICT)
        .count();
    assert_eq!((won, taken), (1, 29), "{answers:?}");
}

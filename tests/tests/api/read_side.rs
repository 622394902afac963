//! The read side as a whole: one booking seen everywhere it should be with `min_position`, and
//! every read model rebuilt from the event store alone equal to the one built incrementally,
//! after a scripted day of bookings, reschedules, cancellations, no-shows and completions.

use chrono::{Duration, Utc};
use projections::projection::{self, Projection};
use serde_json::{json, Value};

use crate::dashboard::{busy_shop, mark};
use crate::helpers::{spawn_app, TestApp};

/// Waits until every projection has applied everything recorded so far.
pub async fn settled(app: &TestApp) -> i64 {
    let position = app.newest_position().await;
    for name in projections::names() {
        for _ in 0..200 {
            if projections::has_reached(&app.env.pool, name, position)
                .await
                .expect("checked")
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(
            projections::has_reached(&app.env.pool, name, position)
                .await
                .expect("checked"),
            "{name} did not reach {position}"
        );
    }
    position
}

/// Every row of every read model, each table's rows as JSON in a stable order; but a message's
/// `taken`, which the notification worker (running meanwhile) sets as it claims, not an event.
async fn read_models(app: &TestApp) -> Vec<(String, Vec<Value>)> {
    let mut all = Vec::new();
    for registered in projection::all() {
        for table in registered.tables() {
            let rows: Vec<Value> = sqlx::query_scalar(&format!(
                "select to_jsonb(t) - 'taken' from {table} t order by (to_jsonb(t) - 'taken')::text"
            ))
            .fetch_all(&app.env.pool)
            .await
            .expect("rows");
            all.push(((*table).to_owned(), rows));
        }
    }
    all
}

#[tokio::test]
async fn every_read_model_rebuilt_from_the_store_equals_the_one_built_from_the_stream() {
    let app = spawn_app().await;
    let busy = busy_shop(&app).await;
    let token = busy.shop.owner.token.clone();
    let (bea, _) = app.register_customer(&token, &json!({"name": "Bea"})).await;
    let (caio, _) = app
        .register_customer(&token, &json!({"name": "Caio"}))
        .await;
    let ana = busy.shop.customer_id;

    // a scripted day: served and paid, a no-show, a late cancellation, a move, time off
    let paid = app.book_quick(&busy, ana, busy.shop.staff_id, -10).await;
    app.serve(&token, paid, 2500, 400, "cash").await;
    let gone = app.book_quick(&busy, bea, busy.other_barber, -10).await;
    app.appointment_step(&token, gone, "no-show", json!({}))
        .await;
    let called_off = app.book_quick(&busy, caio, busy.shop.staff_id, 60).await;
    app.appointment_step(&token, called_off, "cancel", json!({"reason": "flu"}))
        .await;
    let moved = app.book_quick(&busy, bea, busy.shop.staff_id, 90).await;
    app.appointment_step(
        &token,
        moved,
        "reschedule",
        json!({"starts_at": mark(150), "staff_id": busy.other_barber}),
    )
    .await;
    let confirmed = app.book_quick(&busy, caio, busy.other_barber, 200).await;
    app.appointment_step(&token, confirmed, "confirm", json!({}))
        .await;
    let away = app
        .post_json(
            &format!("/api/v1/staff/{}/time-off", busy.shop.staff_id),
            Some(&token),
            &json!({"starts_at": mark(300), "ends_at": mark(360), "reason": "school run"}),
        )
        .await;
    assert!(away.status().is_success(), "{}", away.status());
    settled(&app).await;
    let incremental = read_models(&app).await;
    assert!(
        incremental.iter().all(|(_, rows)| !rows.is_empty()),
        "every read model has rows: {:?}",
        incremental
            .iter()
            .map(|(t, r)| (t, r.len()))
            .collect::<Vec<_>>()
    );

    for name in projections::names() {
        projections::rebuild(&app.env.pool, name)
            .await
            .expect("rebuilt");
    }
    let rebuilt = read_models(&app).await;
    for ((table, before), (_, after)) in incremental.iter().zip(&rebuilt) {
        assert_eq!(before, after, "{table} differs after the rebuild");
    }
}

#[tokio::test]
async fn a_booking_shows_everywhere_and_its_completion_in_visits_revenue_and_its_history() {
    let app = spawn_app().await;
    let busy = busy_shop(&app).await;
    let token = busy.shop.owner.token.clone();
    let ana = busy.shop.customer_id;
    let today = Utc::now().date_naive();

    // booked ahead: the calendar, the dashboard and availability show it at once
    let ahead = app.book_quick(&busy, ana, busy.shop.staff_id, 120).await;
    let position = app.newest_position().await;
    // the calendar's dates are the shop's local ones: from the day before the UTC date of the
    // start, three days hold its local date whatever the offset
    let from =
        (Utc::now() + chrono::Duration::minutes(120)).date_naive() - chrono::Duration::days(1);
    let calendar = app
        .read(
            &format!(
                "/api/v1/calendar?date={from}&days=3&staff_id={}&min_position={position}",
                busy.shop.staff_id
            ),
            &token,
        )
        .await;
    let shown: Vec<&Value> = calendar["barbers"][0]["days"]
        .as_array()
        .expect("days")
        .iter()
        .flat_map(|d| d["appointments"].as_array().into_iter().flatten())
        .map(|a| &a["id"])
        .collect();
    assert_eq!(shown, vec![&json!(ahead)], "{calendar}");
    let dashboard = app.dashboard(&token, position).await;
    assert_eq!(dashboard["recently_booked"][0]["id"], json!(ahead));
    let starts_at = mark(120);
    let availability = app
        .read(
            &format!(
                "/api/v1/availability?service_id={}&date={}&staff_id={}&min_position={position}",
                busy.quick_service,
                starts_at.get(..10).unwrap_or_default(),
                busy.shop.staff_id
            ),
            &token,
        )
        .await;
    let free: Vec<String> = availability["days"][0]["barbers"][0]["starts"]
        .as_array()
        .expect("starts")
        .iter()
        .filter_map(|s| s["starts_at"].as_str().map(str::to_owned))
        .collect();
    let taken = chrono::DateTime::parse_from_rfc3339(&starts_at)
        .expect("instant")
        .with_timezone(&Utc);
    assert!(
        !free
            .iter()
            .any(|s| s.parse::<chrono::DateTime<Utc>>().ok() == Some(taken)),
        "the booked start is no longer offered"
    );

    // a walk-in served: the customer's visits and the day's revenue
    let served = app.book_quick(&busy, ana, busy.other_barber, -10).await;
    let checked_in = Utc::now();
    let position = app.serve(&token, served, 3000, 500, "card").await;
    let visits = app
        .read(
            &format!("/api/v1/customers/{ana}/visits?min_position={position}"),
            &token,
        )
        .await;
    assert_eq!(
        visits["items"][0]["appointment_id"],
        json!(served),
        "{visits}"
    );
    let revenue = app
        .read(
            &format!(
                "/api/v1/reports/revenue?from={}&to={}&min_position={position}",
                today - Duration::days(1),
                today + Duration::days(1)
            ),
            &token,
        )
        .await;
    let paid: i64 = revenue["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["amount_paid_cents"].as_i64())
        .sum();
    assert_eq!(paid, 3000, "{revenue}");

    // its history: as it was before the visit started, and as it is now
    let path = format!("/api/v1/audit/streams/appointment/{served}/state");
    let before = app
        .read(
            &format!(
                "{path}?as_of={}",
                checked_in.to_rfc3339().replace('+', "%2B")
            ),
            &token,
        )
        .await;
    let now = app.read(&path, &token).await;
    assert_eq!(before["state"]["state"]["status"], "checked_in", "{before}");
    assert_eq!(now["state"]["state"]["status"], "completed", "{now}");
    assert_eq!(now["state"]["state"]["payment"]["tip_cents"], 500);
}

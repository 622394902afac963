//! Moving a business to another deployment (`barber tenant move`): two deployments, each with
//! its own database, relay and stream. The business arrives whole (its history, its logins,
//! the keys to its customers' personal data, the messages already dealt with) and is frozen
//! where it was, while bookings keep coming in during the move: every booking answered 201 is
//! in its new home, every other one was refused 503 `tenant_moving`. Once moved, its requests
//! to the old address are forwarded to its new home, and the business that stays is not held
//! up.

use std::time::{Duration, Instant};

use barber::tenant::Move;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{book, shop_named, utc_day_at, Shop};
use crate::helpers::{assert_problem, spawn_app, spawn_app_with, Owner, TestApp};

/// The business's events in the deployment's store, in commit order: `(record, sequence, type)`.
async fn history(app: &TestApp, business: Uuid) -> Vec<(String, i64, String)> {
    sqlx::query_as(
        "select aggregate_type || ':' || aggregate_id, sequence, event_type from events
          where tenant_id = $1 order by transaction_id, global_position",
    )
    .bind(business)
    .fetch_all(&app.env.pool)
    .await
    .expect("history")
}

/// Waits until `GET path` answers 200 on `app`, and answers its body.
async fn eventually(app: &TestApp, path: &str, token: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer = app.get(path, (!token.is_empty()).then_some(token)).await;
        if answer.status() == StatusCode::OK {
            return answer.json().await.expect("json");
        }
        assert!(Instant::now() < deadline, "{path}: {}", answer.status());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Books the shop's barber on day `day`, one slot after another (30-minute steps from 09:00,
/// round the 13:00 break: 15 at most); answers the ids booked (201) and how many were refused
/// as moving.
async fn keep_booking(app: &TestApp, shop: &Shop, day: i64, slots: u32) -> (Vec<String>, u32) {
    let (mut booked, mut refused) = (Vec::new(), 0);
    for n in 0..slots {
        let minutes = 9 * 60 + n * 30 + if n >= 8 { 30 } else { 0 };
        let at = utc_day_at(day, minutes / 60, minutes % 60);
        let answer = book(app, shop, &at).await;
        match answer.status() {
            StatusCode::CREATED => {
                let body: Value = answer.json().await.expect("json");
                booked.push(body["id"].as_str().expect("id").to_owned());
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                let retry = answer.headers().get("retry-after").cloned();
                let body: Value = answer.json().await.expect("json");
                assert_eq!(body["code"], "tenant_moving", "{body}");
                assert!(retry.is_some(), "Retry-After");
                refused += 1;
            }
            other => panic!("booking {at}: {other}"),
        }
    }
    (booked, refused)
}

#[tokio::test]
async fn a_business_moves_whole_to_another_deployment_and_is_served_from_there_at_its_old_address()
{
    // two deployments that forward to each other share the token signing secret
    let here = spawn_app().await;
    let secret = here.env.config.jwt_secret.clone();
    let there = spawn_app_with(move |config| config.jwt_secret = secret).await;
    let shop = shop_named(&here, "fade-street", "UTC", 0).await;
    let stays = shop_named(&here, "stays-here", "UTC", 0).await;
    let business = shop.owner.business_id;
    let first = book(&here, &shop, &utc_day_at(3, 10, 0)).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.expect("json");
    let first = first["id"].as_str().expect("id").to_owned();
    let customer_path = format!("/api/v1/customers/{}", shop.customer_id);
    let customer = eventually(&here, &customer_path, &shop.owner.token).await;

    // the worker here deals with the first booking's confirmations (skipped: no provider is
    // set up) before the move
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let dealt: i64 = sqlx::query_scalar(
            "select count(*) from notification_deliveries where tenant_id = $1 and state = 'skipped'",
        )
        .bind(business)
        .fetch_one(&here.env.pool)
        .await
        .expect("deliveries");
        if dealt >= 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{dealt} confirmations dealt with"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // bookings keep coming in while it moves
    let request = Move {
        business_id: business,
        to: there.env.config.database_url.clone(),
        home: there.address.clone(),
    };
    let mut steps = Vec::new();
    let (moved, (booked, refused)) = tokio::join!(
        request.run(&here.env.pool, &there.env.pool, |step| steps
            .push(step.to_owned())),
        keep_booking(&here, &shop, 4, 15),
    );
    let moved = moved.expect("moved");
    assert!(
        steps.iter().any(|s| s.starts_with("moved: served by")),
        "{steps:?}"
    );
    assert!(moved.rows.contains(&("users", 1)), "{:?}", moved.rows);
    assert!(
        moved.rows.contains(&("customer_keys", 1)),
        "{:?}",
        moved.rows
    );

    // the whole history is there, in the same order (and after it what was booked once it had
    // moved), and nothing is written here any more
    let frozen = history(&here, business).await;
    assert_eq!(moved.events, frozen.len() as u64);
    assert!(history(&there, business).await.starts_with(&frozen));

    // asked where it was, it is answered from its new home: a token issued here, a login, its
    // booking page, a booking
    // (the list of businesses moved away is read every two seconds: until then, as while it
    // moved, 503 `tenant_moving` and try again)
    let deadline = Instant::now() + Duration::from_secs(10);
    let forwarded = loop {
        let answer = book(&here, &shop, &utc_day_at(5, 10, 0)).await;
        if answer.status() != StatusCode::SERVICE_UNAVAILABLE || Instant::now() > deadline {
            break answer;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(forwarded.status(), StatusCode::CREATED);
    let login = here
        .post_json(
            "/api/v1/login",
            None,
            &json!({"email": "owner@fade-street.example", "password": "correct horse battery"}),
        )
        .await;
    assert_eq!(login.status(), StatusCode::OK);
    let page = eventually(&here, "/api/v1/public/fade-street", "").await;
    assert_eq!(
        page,
        eventually(&there, "/api/v1/public/fade-street", "").await
    );
    assert_eq!(history(&here, business).await, frozen);
    // the business that stays is served here, not held up
    assert_eq!(
        book(&here, &stays, &utc_day_at(4, 10, 0)).await.status(),
        StatusCode::CREATED
    );
    assert!(history(&there, stays.owner.business_id).await.is_empty());

    // its new home: the owner's login (issued there) finds everything booked
    let login: Value = login.json().await.expect("json");
    let token = login["token"].as_str().expect("token");
    for id in std::iter::once(&first).chain(&booked) {
        let appointment = eventually(&there, &format!("/api/v1/appointments/{id}"), token).await;
        assert_eq!(appointment["customer_id"], json!(shop.customer_id));
    }
    // what the worker here dealt with is not dealt with again there: once the new home has
    // built its messages, each such delivery is the one copied, untouched, and its message is
    // taken
    crate::read_side::settled(&there).await;
    let deliveries = "select notification_id, state, updated_at from notification_deliveries
                       where tenant_id = $1 and notification_id = any($2) order by 1";
    let dealt: Vec<(Uuid, String, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
        "select notification_id, state, updated_at from notification_deliveries
          where tenant_id = $1 order by 1",
    )
    .bind(business)
    .fetch_all(&here.env.pool)
    .await
    .expect("deliveries here");
    assert!(
        !dealt.is_empty(),
        "the worker here dealt with the confirmations"
    );
    let ids: Vec<Uuid> = dealt.iter().map(|(id, ..)| *id).collect();
    let there_dealt: Vec<(Uuid, String, chrono::DateTime<chrono::Utc>)> =
        sqlx::query_as(deliveries)
            .bind(business)
            .bind(&ids)
            .fetch_all(&there.env.pool)
            .await
            .expect("deliveries there");
    assert_eq!(there_dealt, dealt);
    let untaken: i64 = sqlx::query_scalar(
        "select count(*) from notifications where notification_id = any($1) and not taken",
    )
    .bind(&ids)
    .fetch_one(&there.env.pool)
    .await
    .expect("taken");
    assert_eq!(untaken, 0);
    // the customer's personal data opens there (its key came along)
    let there_customer = eventually(&there, &customer_path, token).await;
    assert_eq!(there_customer["name"], customer["name"]);
    assert_eq!(there_customer["phone"], customer["phone"]);
    // a chair booked before the move is taken there; a free one books
    let moved_shop = Shop {
        owner: Owner {
            token: token.to_owned(),
            business_id: business,
        },
        ..shop
    };
    assert_problem(
        book(&there, &moved_shop, &utc_day_at(3, 10, 15)).await,
        StatusCode::CONFLICT,
        "slot_taken",
    )
    .await;
    assert_eq!(
        book(&there, &moved_shop, &utc_day_at(7, 10, 0))
            .await
            .status(),
        StatusCode::CREATED
    );
    assert!(
        booked.len() + refused as usize == 15,
        "{} booked, {refused} refused",
        booked.len()
    );

    // a business moved already is not moved again
    let again = request
        .run(&here.env.pool, &there.env.pool, |_| {})
        .await
        .expect_err("moved already");
    assert!(again.contains("moved to"), "{again}");
}

#[tokio::test]
async fn a_move_refuses_a_business_the_target_cannot_take_and_leaves_it_frozen_to_try_again() {
    let (here, there) = (spawn_app().await, spawn_app().await);
    let shop = shop_named(&here, "fade-street", "UTC", 0).await;
    // the target has a business under the same address already
    there.owner("fade-street").await;
    let request = Move {
        business_id: shop.owner.business_id,
        to: there.env.config.database_url.clone(),
        home: there.address.clone(),
    };
    let refused = request
        .run(&here.env.pool, &there.env.pool, |_| {})
        .await
        .expect_err("a slug the target has");
    assert!(refused.contains("business_slugs"), "{refused}");
    // frozen, not lost: nothing is taken until the move is settled and run again
    assert_problem(
        book(&here, &shop, &utc_day_at(3, 10, 0)).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "tenant_moving",
    )
    .await;
    // a business this deployment does not hold cannot be moved from it
    let stranger = Move {
        business_id: Uuid::new_v4(),
        ..request
    };
    let unknown = stranger
        .run(&here.env.pool, &there.env.pool, |_| {})
        .await
        .expect_err("unknown");
    assert!(unknown.contains("no history here"), "{unknown}");
}

#[tokio::test]
async fn a_move_that_stopped_part_way_stays_frozen_and_run_again_goes_on() {
    let here = spawn_app().await;
    let secret = here.env.config.jwt_secret.clone();
    let there = spawn_app_with(move |config| config.jwt_secret = secret).await;
    let shop = shop_named(&here, "fade-street", "UTC", 0).await;
    let business = shop.owner.business_id;
    assert_eq!(
        book(&here, &shop, &utc_day_at(3, 10, 0)).await.status(),
        StatusCode::CREATED
    );
    // the target takes the business's own rows, then fails on its events (a fault in between)
    sqlx::raw_sql(&format!(
        "create function refuse_its_events() returns trigger language plpgsql as $$
         begin raise exception 'the target fell over'; end $$;
         create trigger refuse_its_events before insert on events for each row
           when (new.metadata ->> 'tenant_id' = '{business}')
           execute function refuse_its_events();"
    ))
    .execute(&there.env.pool)
    .await
    .expect("fault");
    let request = Move {
        business_id: business,
        to: there.env.config.database_url.clone(),
        home: there.address.clone(),
    };
    let stopped = request
        .run(&here.env.pool, &there.env.pool, |_| {})
        .await
        .expect_err("stopped");
    assert!(stopped.contains("the target fell over"), "{stopped}");
    // frozen, never half-served: its own rows are there but none of its events, and nothing
    // is taken here meanwhile
    assert!(history(&there, business).await.is_empty());
    let users: i64 = sqlx::query_scalar("select count(*) from users where business_id = $1")
        .bind(business)
        .fetch_one(&there.env.pool)
        .await
        .expect("users");
    assert_eq!(users, 1);
    assert_problem(
        book(&here, &shop, &utc_day_at(4, 10, 0)).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "tenant_moving",
    )
    .await;

    // the fault mended, the same command goes on from where it stopped and finishes
    sqlx::raw_sql("drop trigger refuse_its_events on events")
        .execute(&there.env.pool)
        .await
        .expect("mended");
    let moved = request
        .run(&here.env.pool, &there.env.pool, |_| {})
        .await
        .expect("moved");
    let whole = history(&here, business).await;
    assert_eq!(moved.events, whole.len() as u64);
    assert_eq!(history(&there, business).await, whole);
    assert!(moved.rows.contains(&("users", 1)), "{:?}", moved.rows);
    let state: String = sqlx::query_scalar("select state from tenant_homes where tenant_id = $1")
        .bind(business)
        .fetch_one(&here.env.pool)
        .await
        .expect("listed");
    assert_eq!(state, "moved");
}

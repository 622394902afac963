//! Calendar feeds end to end, read back with a real iCalendar parser: a barber's feed holds
//! their appointments (not another barber's), at the right instants on a daylight-saving day
//! too; a cancelled appointment drops out; the shop's feed holds every barber's; a revoked feed
//! is gone; a barber's login makes a feed of its own chair only.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{another_barber, book, shop_named, Shop};
use crate::helpers::{assert_problem, spawn_app, TestApp};

/// The next last Sunday of March (Europe's spring-forward day) at least a week ahead.
fn spring_forward() -> NaiveDate {
    let today = Utc::now().date_naive();
    let mut year = today.year();
    loop {
        let last = (25..=31)
            .rev()
            .filter_map(|d| NaiveDate::from_ymd_opt(year, 3, d))
            .find(|d| d.weekday() == chrono::Weekday::Sun)
            .expect("a Sunday at the end of March");
        if last > today + chrono::Duration::days(7) {
            return last;
        }
        year += 1;
    }
}

/// The events of a feed: (UID, DTSTART, DTEND, SUMMARY).
fn events_of(ics: &str) -> Vec<(String, String, String, String)> {
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let calendar = parser.next().expect("a calendar").expect("the feed parses");
    calendar
        .events
        .iter()
        .map(|event| {
            let get = |name: &str| {
                event
                    .properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_default()
            };
            (get("UID"), get("DTSTART"), get("DTEND"), get("SUMMARY"))
        })
        .collect()
}

fn ical_utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

async fn make_feed(app: &TestApp, token: &str, body: &Value) -> reqwest::Response {
    app.post_json("/api/v1/feeds", Some(token), body).await
}

async fn feed_text(app: &TestApp, url: &str) -> reqwest::Response {
    let path = url
        .split_once("/api/v1/")
        .map(|(_, rest)| format!("/api/v1/{rest}"))
        .expect("an API address");
    app.get(&path, None).await
}

async fn id_of(response: reqwest::Response) -> Uuid {
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.expect("json");
    body["id"].as_str().expect("id").parse().expect("uuid")
}

/// Reads the feed at `url` until it holds `count` events (the read side follows the writes).
async fn settled_feed(
    app: &TestApp,
    url: &str,
    count: usize,
) -> Vec<(String, String, String, String)> {
    for _ in 0..100 {
        let answer = feed_text(app, url).await;
        assert_eq!(answer.status(), StatusCode::OK);
        assert!(answer
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/calendar")));
        let events = events_of(&answer.text().await.expect("text"));
        if events.len() == count {
            return events;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the feed never held {count} events");
}

#[tokio::test]
async fn a_barbers_feed_holds_their_chair_right_across_daylight_saving_and_drops_what_is_cancelled()
{
    let app = spawn_app().await;
    let shop: Shop = shop_named(&app, "fade-street", "Europe/London", 0).await;
    let jo = another_barber(&app, &shop, "Jo", "17:00").await;
    let london = chrono_tz::Europe::London;
    // 10:00 in London on the morning the clocks go forward (09:00 UTC), and a winter day
    let dst = spring_forward();
    let on_dst = london
        .from_local_datetime(&dst.and_hms_opt(10, 0, 0).expect("time"))
        .single()
        .expect("10:00 exists that day")
        .with_timezone(&Utc);
    let winter = Utc::now().date_naive() + chrono::Duration::days(3);
    let on_winter = london
        .from_local_datetime(&winter.and_hms_opt(10, 0, 0).expect("time"))
        .single()
        .expect("a time")
        .with_timezone(&Utc);
    let first = id_of(book(&app, &shop, &on_dst.to_rfc3339()).await).await;
    let second = id_of(book(&app, &shop, &on_winter.to_rfc3339()).await).await;
    let theirs = app
        .post_json(
            "/api/v1/appointments",
            Some(&shop.owner.token),
            &json!({"customer_id": shop.customer_id, "staff_id": jo,
                    "service_id": shop.service_id,
                    "starts_at": on_winter + chrono::Duration::hours(1)}),
        )
        .await;
    let jos = id_of(theirs).await;

    let made = make_feed(&app, &shop.owner.token, &json!({"staff_id": shop.staff_id})).await;
    assert_eq!(made.status(), StatusCode::CREATED);
    let made: Value = made.json().await.expect("json");
    let url = made["url"].as_str().expect("url").to_owned();
    assert!(url.ends_with(".ics"), "{url}");
    let events = settled_feed(&app, &url, 2).await;
    let uids: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert!(uids.contains(&format!("{first}@barber").as_str()));
    assert!(uids.contains(&format!("{second}@barber").as_str()));
    assert!(
        !uids.contains(&format!("{jos}@barber").as_str()),
        "not Jo's"
    );
    let dst_event = events
        .iter()
        .find(|e| e.0 == format!("{first}@barber"))
        .expect("the spring-forward booking");
    assert_eq!(dst_event.1, ical_utc(on_dst), "10:00 BST is 09:00 UTC");
    assert_eq!(
        dst_event.2,
        ical_utc(on_dst + chrono::Duration::minutes(30))
    );
    assert!(dst_event.3.contains("Skin fade"), "{}", dst_event.3);
    let winter_event = events
        .iter()
        .find(|e| e.0 == format!("{second}@barber"))
        .expect("the winter booking");
    assert_eq!(
        winter_event.1,
        ical_utc(on_winter),
        "10:00 GMT is 10:00 UTC"
    );

    // cancelled: gone from the feed
    let cancelled = app
        .post_json(
            &format!("/api/v1/appointments/{second}/cancel"),
            Some(&shop.owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(cancelled.status(), StatusCode::OK);
    let events = settled_feed(&app, &url, 1).await;
    assert_eq!(events[0].0, format!("{first}@barber"));

    // the shop's feed: every barber's
    let shop_feed: Value = make_feed(&app, &shop.owner.token, &json!({}))
        .await
        .json()
        .await
        .expect("json");
    let all = settled_feed(&app, shop_feed["url"].as_str().expect("url"), 2).await;
    assert!(all.iter().any(|e| e.0 == format!("{jos}@barber")));

    // listed, then revoked: the address is dead
    let list = app.read("/api/v1/feeds", &shop.owner.token).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));
    let id = made["id"].as_str().expect("id");
    let revoked = app
        .delete(&format!("/api/v1/feeds/{id}"), Some(&shop.owner.token))
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_problem(
        feed_text(&app, &url).await,
        StatusCode::NOT_FOUND,
        "feed_not_found",
    )
    .await;
    let unknown = app.get("/api/v1/feeds/not-a-token.ics", None).await;
    assert_problem(unknown, StatusCode::NOT_FOUND, "feed_not_found").await;
    let no_suffix = app
        .get(
            &format!(
                "/api/v1/feeds/{}",
                url.rsplit('/')
                    .next()
                    .expect("file")
                    .trim_end_matches(".ics")
            ),
            None,
        )
        .await;
    assert_problem(no_suffix, StatusCode::NOT_FOUND, "feed_not_found").await;
}

#[tokio::test]
async fn a_barbers_login_makes_a_feed_of_its_own_chair_only_and_another_business_cannot_revoke() {
    let app = spawn_app().await;
    let shop = shop_named(&app, "fade-street", "Europe/London", 0).await;
    let barber = app
        .token_with_chair(&shop.owner, "barber", Some(shop.staff_id))
        .await;
    let own = make_feed(&app, &barber, &json!({"staff_id": shop.staff_id})).await;
    assert_eq!(own.status(), StatusCode::CREATED);
    let whole = make_feed(&app, &barber, &json!({})).await;
    assert_problem(whole, StatusCode::FORBIDDEN, "not_your_chair").await;
    let nobody = make_feed(
        &app,
        &shop.owner.token,
        &json!({"staff_id": Uuid::new_v4()}),
    )
    .await;
    assert_problem(nobody, StatusCode::NOT_FOUND, "staff_not_found").await;
    let made: Value = make_feed(&app, &shop.owner.token, &json!({}))
        .await
        .json()
        .await
        .expect("json");
    let stranger = app.owner("someone-else").await;
    let id = made["id"].as_str().expect("id");
    let theirs = app
        .delete(&format!("/api/v1/feeds/{id}"), Some(&stranger.token))
        .await;
    assert_problem(theirs, StatusCode::NOT_FOUND, "feed_not_found").await;
}

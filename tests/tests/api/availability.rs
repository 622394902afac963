//! Availability agrees with booking. For random shops (timezones with daylight-saving days,
//! barbers' hours with breaks, the shop's opening hours, time off, services of any length and
//! buffer, the business's default buffer, bookings already made), every offered start books with
//! 201, and starts not offered (sampled, most of them next to offered ones) do not book.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_problem, spawn_app, Owner, TestApp};

/// One random shop.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    pub timezone: &'static str,
    pub date: NaiveDate,
    pub hours: (&'static str, &'static str),
    pub barber_break: Option<(&'static str, &'static str)>,
    pub opening: Option<(&'static str, &'static str)>,
    pub duration: u32,
    pub buffer: u32,
    pub default_buffer: u32,
    /// A time off from this local hour, for an hour and a half.
    pub time_off_at: Option<u32>,
    /// How many offered starts to book before probing.
    pub bookings: usize,
    pub seed: u64,
}

/// Zones, each with which day to test: the first or second daylight-saving change ahead, or a
/// plain day (in zones without changes, always a plain day).
const DAYS: [(&str, Day); 8] = [
    ("Europe/London", Day::Change(0)),
    ("Europe/London", Day::Change(1)),
    ("America/New_York", Day::Change(0)),
    ("America/New_York", Day::Change(1)),
    ("Australia/Lord_Howe", Day::Change(0)),
    ("UTC", Day::Plain),
    ("Asia/Kolkata", Day::Plain),
    ("Europe/London", Day::Plain),
];

#[derive(Debug, Clone, Copy)]
enum Day {
    Change(usize),
    Plain,
}

/// The local date of `day` in `timezone`, from the day after tomorrow on: the `n`-th date whose
/// length is not 24 hours (a daylight-saving change), or a plain date six weeks ahead.
fn date_of(timezone: &str, day: Day) -> NaiveDate {
    use chrono::TimeZone;
    let tz: chrono_tz::Tz = timezone.parse().expect("zone");
    let first = Utc::now().date_naive() + Duration::days(2);
    let midnight = |date: NaiveDate| {
        tz.from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .map(|at| at.with_timezone(&Utc))
    };
    let mut changes = first.iter_days().take(400).filter(|date| {
        match (midnight(*date), midnight(*date + Duration::days(1))) {
            (Some(a), Some(b)) => b - a != Duration::hours(24),
            _ => true,
        }
    });
    match day {
        Day::Change(n) => changes.nth(n).unwrap_or(first + Duration::days(42)),
        Day::Plain => first + Duration::days(42),
    }
}

fn setups() -> impl Strategy<Value = Setup> {
    (
        0..DAYS.len(),
        prop_oneof![
            Just(("00:00", "04:00")),
            Just(("09:00", "17:00")),
            Just(("08:30", "24:00")),
            Just(("00:00", "24:00")),
        ],
        prop_oneof![
            Just(None),
            Just(Some(("12:00", "12:45"))),
            Just(Some(("02:00", "02:30")))
        ],
        prop_oneof![
            Just(None),
            Just(Some(("09:00", "20:00"))),
            Just(Some(("00:30", "03:30")))
        ],
        prop_oneof![Just(15_u32), Just(30), Just(45), Just(60)],
        prop_oneof![Just(0_u32), Just(5), Just(10), Just(25)],
        prop_oneof![Just(0_u32), Just(10)],
        prop_oneof![Just(None), Just(Some(1_u32)), Just(Some(11))],
        0_usize..4,
        any::<u64>(),
    )
        .prop_map(
            |(
                day,
                hours,
                barber_break,
                opening,
                duration,
                buffer,
                default_buffer,
                time_off_at,
                bookings,
                seed,
            )| {
                Setup {
                    timezone: DAYS[day].0,
                    date: date_of(DAYS[day].0, DAYS[day].1),
                    hours,
                    barber_break: barber_break.filter(|(s, e)| *s >= hours.0 && *e <= hours.1),
                    opening,
                    duration,
                    buffer,
                    default_buffer,
                    time_off_at,
                    bookings,
                    seed,
                }
            },
        )
}

/// The shop of a setup: its owner, barber and service.
pub(crate) struct Shop {
    pub owner: Owner,
    pub staff_id: Uuid,
    pub service_id: Uuid,
}

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

pub(crate) async fn open_shop(app: &TestApp, setup: &Setup, n: usize) -> (Shop, i64) {
    let owner = app.owner(&format!("avail-{n}")).await;
    let token = Some(owner.token.as_str());
    ok(app
        .patch_json(
            "/api/v1/business",
            token,
            &json!({"timezone": setup.timezone}),
        )
        .await)
    .await;
    let policy = json!({"min_lead_minutes": 60, "max_advance_days": 730,
        "cancellation_window_minutes": 60, "default_buffer_minutes": setup.default_buffer,
        "reminder_offsets_minutes": [1440]});
    ok(app
        .put_json("/api/v1/business/booking-policy", token, &policy)
        .await)
    .await;
    if let Some(hours) = setup.opening {
        let days = every_day(hours, None);
        ok(app
            .put_json(
                "/api/v1/business/opening-hours",
                token,
                &json!({ "days": days }),
            )
            .await)
        .await;
    }
    let (service_id, _) = app
        .create_service(
            &owner.token,
            &json!({"name": "Cut", "duration_minutes": setup.duration, "price_cents": 2000,
                    "buffer_minutes": setup.buffer}),
        )
        .await;
    let (staff_id, _) = app
        .add_staff(&owner.token, &json!({"name": "Rui", "role": "barber"}))
        .await;
    let days = every_day(setup.hours, setup.barber_break);
    let set = set_hours(app, &owner.token, staff_id, &days).await;
    let mut position = set["position"].as_i64().expect("position");
    if let Some(hour) = setup.time_off_at {
        let tz: chrono_tz::Tz = setup.timezone.parse().expect("zone");
        let local = setup.date.and_hms_opt(hour, 0, 0).expect("time");
        let from = domain_local(tz, local);
        let body = json!({"starts_at": from.to_rfc3339(),
                          "ends_at": (from + Duration::minutes(90)).to_rfc3339()});
        let response = app
            .post_json(&format!("/api/v1/staff/{staff_id}/time-off"), token, &body)
            .await;
        position = ok(response).await["position"].as_i64().expect("position");
    }
    (
        Shop {
            owner,
            staff_id,
            service_id,
        },
        position,
    )
}

/// The same hours every day of the week, with a break or none.
pub(crate) fn every_day(hours: (&str, &str), lunch: Option<(&str, &str)>) -> Vec<Value> {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| {
            let mut day = json!({"weekday": d, "start": hours.0, "end": hours.1});
            if let Some((start, end)) = lunch {
                day["breaks"] = json!([{"start": start, "end": end}]);
            }
            day
        })
        .collect()
}

pub(crate) async fn set_hours(app: &TestApp, token: &str, staff_id: Uuid, days: &[Value]) -> Value {
    ok(app
        .put_json(
            &format!("/api/v1/staff/{staff_id}/working-hours"),
            Some(token),
            &json!({ "days": days }),
        )
        .await)
    .await
}

/// The first instant of local time `local` in `tz`.
fn domain_local(tz: chrono_tz::Tz, local: chrono::NaiveDateTime) -> DateTime<Utc> {
    use chrono::TimeZone;
    let mut probe = local;
    loop {
        if let Some(at) = tz.from_local_datetime(&probe).earliest() {
            return at.with_timezone(&Utc);
        }
        probe += Duration::minutes(15);
    }
}

pub(crate) async fn offered(
    app: &TestApp,
    shop: &Shop,
    date: NaiveDate,
    position: i64,
) -> Vec<DateTime<Utc>> {
    let answer = ok(app
        .get(
            &format!(
                "/api/v1/availability?service_id={}&date={date}&staff_id={}&min_position={position}",
                shop.service_id, shop.staff_id
            ),
            Some(&shop.owner.token),
        )
        .await)
    .await;
    answer["days"][0]["barbers"][0]["starts"]
        .as_array()
        .expect("starts")
        .iter()
        .map(|s| {
            s["starts_at"]
                .as_str()
                .expect("instant")
                .parse()
                .expect("rfc3339")
        })
        .collect()
}

pub(crate) async fn book(app: &TestApp, shop: &Shop, at: DateTime<Utc>) -> reqwest::Response {
    // a customer of their own, so that only the chair can refuse
    let (customer_id, _) = app
        .register_customer(
            &shop.owner.token,
            &json!({ "name": format!("Guest {}", Uuid::new_v4()) }),
        )
        .await;
    app.post_json(
        "/api/v1/appointments",
        Some(&shop.owner.token),
        &json!({"customer_id": customer_id, "staff_id": shop.staff_id,
                "service_id": shop.service_id, "starts_at": at.to_rfc3339()}),
    )
    .await
}

/// A barber working 09:00–17:00 in UTC three days ahead, a 30-minute service, nothing booked.
pub(crate) fn plain_day() -> Setup {
    Setup {
        timezone: "UTC",
        date: Utc::now().date_naive() + Duration::days(3),
        hours: ("09:00", "17:00"),
        barber_break: None,
        opening: None,
        duration: 30,
        buffer: 0,
        default_buffer: 0,
        time_off_at: None,
        bookings: 0,
        seed: 0,
    }
}

/// A cheap random number from the case's seed.
fn pick(seed: &mut u64, below: usize) -> usize {
    *seed = seed
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    usize::try_from((*seed >> 33) % u64::try_from(below.max(1)).expect("fits")).expect("fits")
}

#[tokio::test]
async fn every_offered_start_books_and_starts_not_offered_do_not() {
    let app = spawn_app().await;
    let mut runner = TestRunner::deterministic();
    let strategy = setups();
    for n in 0..16 {
        let setup = strategy.new_tree(&mut runner).expect("a case").current();
        let (shop, mut position) = open_shop(&app, &setup, n).await;
        let tz: chrono_tz::Tz = setup.timezone.parse().expect("zone");
        let day = (
            domain_local(tz, setup.date.and_hms_opt(0, 0, 0).expect("midnight")),
            domain_local(
                tz,
                (setup.date + Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .expect("midnight"),
            ),
        );
        let mut seed = setup.seed;
        for round in 0..=setup.bookings {
            let offer = offered(&app, &shop, setup.date, position).await;
            // starts not offered: next to offered ones, and anywhere in the day
            let mut probes: Vec<DateTime<Utc>> = Vec::new();
            for _ in 0..3 {
                if let Some(at) = offer.get(pick(&mut seed, offer.len())) {
                    probes.push(*at - Duration::minutes(5));
                    probes.push(*at + Duration::minutes(5));
                }
                let marks = usize::try_from((day.1 - day.0).num_minutes() / 5).expect("fits");
                probes.push(
                    day.0
                        + Duration::minutes(
                            5 * i64::try_from(pick(&mut seed, marks)).expect("fits"),
                        ),
                );
            }
            for at in probes.into_iter().filter(|at| !offer.contains(at)) {
                let response = book(&app, &shop, at).await;
                assert_ne!(
                    response.status(),
                    StatusCode::CREATED,
                    "{at} was not offered but booked, in {setup:?} (round {round})"
                );
            }
            if round == setup.bookings || offer.is_empty() {
                break;
            }
            let at = offer[pick(&mut seed, offer.len())];
            let response = book(&app, &shop, at).await;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_eq!(
                status,
                StatusCode::CREATED,
                "{at} was offered but answered {body} in {setup:?} (round {round})"
            );
            position = body["position"].as_i64().expect("position");
            assert!(
                !offered(&app, &shop, setup.date, position)
                    .await
                    .contains(&at),
                "a booked start is no longer offered"
            );
        }
    }
}

#[tokio::test]
async fn availability_lists_every_barber_who_offers_the_service_and_refuses_bad_requests() {
    let app = spawn_app().await;
    let setup = plain_day();
    let (shop, position) = open_shop(&app, &setup, 99).await;
    let token = Some(shop.owner.token.as_str());
    let (other, _) = app
        .add_staff(&shop.owner.token, &json!({"name": "Jo", "role": "barber"}))
        .await;
    let set = set_hours(
        &app,
        &shop.owner.token,
        other,
        &every_day(("13:00", "15:00"), None),
    )
    .await;
    let position = set["position"].as_i64().unwrap_or(position);
    let answer = ok(app
        .get(
            &format!(
                "/api/v1/availability?service_id={}&date={}&days=2&min_position={position}",
                shop.service_id, setup.date
            ),
            token,
        )
        .await)
    .await;
    assert_eq!(answer["days"].as_array().map(Vec::len), Some(2));
    let first = &answer["days"][0];
    assert_eq!(first["barbers"].as_array().map(Vec::len), Some(2));
    // 09:00–16:30 for Rui (91 starts), 13:00–14:30 for Jo (19): "any" has Rui's 91
    let at_one = first["any"]
        .as_array()
        .expect("any")
        .iter()
        .find(|s| {
            s["starts_at"]
                .as_str()
                .is_some_and(|t| t.contains("T13:00:00"))
        })
        .expect("13:00 offered");
    assert_eq!(at_one["staff_ids"].as_array().map(Vec::len), Some(2));
    assert_eq!(first["any"].as_array().map(Vec::len), Some(91));

    let base = format!("/api/v1/availability?service_id={}", shop.service_id);
    assert_problem(
        app.get(&format!("{base}&date={}&days=15", setup.date), token)
            .await,
        StatusCode::BAD_REQUEST,
        "range_too_long",
    )
    .await;
    assert_problem(
        app.get(&format!("{base}&date=tomorrow"), token).await,
        StatusCode::BAD_REQUEST,
        "invalid_query",
    )
    .await;
    assert_problem(
        app.get(
            &format!(
                "/api/v1/availability?service_id={}&date={}",
                Uuid::new_v4(),
                setup.date
            ),
            token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "service_not_found",
    )
    .await;
    assert_problem(
        app.get(
            &format!("{base}&date={}&staff_id={}", setup.date, Uuid::new_v4()),
            token,
        )
        .await,
        StatusCode::NOT_FOUND,
        "staff_not_found",
    )
    .await;
}

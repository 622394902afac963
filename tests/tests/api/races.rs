//! Every pair of steps that touch one chair, raced: N concurrent requests that cannot all be
//! right (N = 2 and N = 50), then the independent check over the event store
//! (`barber_tests::chairs`): every live appointment holds exactly its slot, nothing else is
//! held, no two reservations of a barber overlap.

use std::sync::Arc;

use barber_tests::chairs::assert_every_chair_held_once;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::booking::{book, round_the_clock, shop, soon, utc_day_at, Shop};
use crate::helpers::{spawn_app, TestApp};

/// One racer's request.
#[derive(Clone)]
enum Step {
    Book(String),
    Reschedule(Uuid, String),
    CheckIn(Uuid),
    Cancel(Uuid),
    TimeOff(String, String),
    WithdrawTimeOff(Uuid),
    ChangeService(Uuid, Uuid),
    MoveTimezone(&'static str),
}

/// What a racer got back.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    body: Value,
}

impl Answer {
    fn won(&self) -> bool {
        self.status.is_success()
    }

    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

async fn send(app: &TestApp, shop: &Shop, step: Step) -> Answer {
    let token = Some(shop.owner.token.as_str());
    let response = match step {
        Step::Book(starts_at) => book(app, shop, &starts_at).await,
        Step::Reschedule(id, starts_at) => {
            let path = format!("/api/v1/appointments/{id}/reschedule");
            app.post_json(&path, token, &json!({ "starts_at": starts_at }))
                .await
        }
        Step::CheckIn(id) => {
            let path = format!("/api/v1/appointments/{id}/check-in");
            app.post_json(&path, token, &json!({})).await
        }
        Step::Cancel(id) => {
            let path = format!("/api/v1/appointments/{id}/cancel");
            app.post_json(&path, token, &json!({})).await
        }
        Step::TimeOff(starts_at, ends_at) => {
            let path = format!("/api/v1/staff/{}/time-off", shop.staff_id);
            let body = json!({ "starts_at": starts_at, "ends_at": ends_at });
            app.post_json(&path, token, &body).await
        }
        Step::WithdrawTimeOff(id) => {
            let path = format!("/api/v1/staff/{}/time-off/{id}", shop.staff_id);
            app.delete(&path, token).await
        }
        Step::ChangeService(id, service_id) => {
            let path = format!("/api/v1/appointments/{id}/service");
            app.post_json(&path, token, &json!({ "service_id": service_id }))
                .await
        }
        Step::MoveTimezone(timezone) => {
            app.patch_json("/api/v1/business", token, &json!({ "timezone": timezone }))
                .await
        }
    };
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    assert!(!status.is_server_error(), "{status}: {body}");
    Answer { status, body }
}

/// Sends every step at once; the answers in the order of `steps`.
async fn race(app: &Arc<TestApp>, shop: &Arc<Shop>, steps: Vec<Step>) -> Vec<Answer> {
    let tasks: Vec<_> = steps
        .into_iter()
        .map(|step| {
            let (app, shop) = (app.clone(), shop.clone());
            tokio::spawn(async move { send(&app, &shop, step).await })
        })
        .collect();
    let mut answers = Vec::with_capacity(tasks.len());
    for task in tasks {
        answers.push(task.await.expect("racer"));
    }
    answers
}

async fn setting(timezone: &str) -> (Arc<TestApp>, Arc<Shop>) {
    let app = spawn_app().await;
    let shop = shop(&app, timezone, 10).await;
    (Arc::new(app), Arc::new(shop))
}

async fn booked(app: &TestApp, shop: &Shop, starts_at: &str) -> Uuid {
    let answer = send(app, shop, Step::Book(starts_at.to_owned())).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{:?}", answer.body);
    answer.body["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid")
}

/// Where appointment `id` starts now, from its events.
async fn starts_at(app: &TestApp, id: Uuid) -> String {
    sqlx::query_scalar(
        "select coalesce(payload -> 'AppointmentRescheduled' ->> 'starts_at',
                         payload -> 'AppointmentBooked' ->> 'starts_at')
           from events where aggregate_id = $1 and event_type in
                ('AppointmentBooked', 'AppointmentRescheduled')
          order by sequence desc limit 1",
    )
    .bind(id.to_string())
    .fetch_one(&app.env.pool)
    .await
    .expect("start")
}

/// Slot starts of a barber's day that neither overlap each other (a 30-minute service and its
/// 10-minute buffer) nor the 13:00–13:30 break: eleven a day, `count` of them from day `days`.
fn marks(days: i64, count: usize) -> Vec<String> {
    const STARTS: [(u32, u32); 11] = [
        (9, 0),
        (9, 40),
        (10, 20),
        (11, 0),
        (11, 40),
        (12, 20),
        (13, 40),
        (14, 20),
        (15, 0),
        (15, 40),
        (16, 20),
    ];
    (0..count)
        .map(|k| {
            let (hh, mm) = STARTS[k % STARTS.len()];
            utc_day_at(
                days + i64::try_from(k / STARTS.len()).expect("small"),
                hh,
                mm,
            )
        })
        .collect()
}

async fn check(app: &TestApp, shop: &Shop) {
    assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
}

/// Declares the scenario `$body(n)` as one test with N = 2 and one with N = 50.
macro_rules! for_two_and_fifty {
    ($two:ident, $fifty:ident, $scenario:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $two() {
            $scenario(2).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $fifty() {
            $scenario(50).await;
        }
    };
}

/// A reschedule and check-ins of one appointment that starts soon (check-in opens an hour
/// before the start): either the move lands first (then the appointment is checked in at its
/// new slot) or the check-in does (then the move is refused); either way the appointment holds
/// exactly its slot and the other slot is free.
async fn reschedule_against_check_in(n: usize) {
    // no buffer: the two slots, 35 minutes apart, do not touch
    let app = Arc::new(spawn_app().await);
    let shop = Arc::new(shop(&app, "UTC", 0).await);
    round_the_clock(&app, &shop).await;
    let (Some(from), Some(to)) = (soon(10), soon(45)) else {
        return; // too close to midnight for "today"
    };
    let id = booked(&app, &shop, &from).await;
    let mut steps = vec![Step::Reschedule(id, to.clone())];
    steps.extend((1..n).map(|_| Step::CheckIn(id)));
    let answers = race(&app, &shop, steps).await;
    for answer in &answers[1..] {
        assert!(answer.won(), "{:?}", answer.body);
    }
    let moved = answers[0].won();
    if !moved {
        assert_eq!(answers[0].code(), "appointment_already_checked_in");
    }
    check(&app, &shop).await;
    // the slot it left is bookable, the one it holds is not
    let (held, left) = if moved { (to, from) } else { (from, to) };
    let other_customer = app
        .register_customer(&shop.owner.token, &json!({"name": "Bo"}))
        .await
        .0;
    let book_for_bo = |starts_at: String| {
        let body = json!({"customer_id": other_customer, "staff_id": shop.staff_id,
            "service_id": shop.service_id, "starts_at": starts_at});
        let app = app.clone();
        let token = shop.owner.token.clone();
        async move {
            let response = app
                .post_json("/api/v1/appointments", Some(&token), &body)
                .await;
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    };
    let freed = book_for_bo(left).await;
    assert_eq!(freed.0, StatusCode::CREATED, "{}", freed.1);
    assert_eq!(book_for_bo(held).await.1["code"], "slot_taken");
    let checked_in: i64 = sqlx::query_scalar(
        "select count(*) from events where aggregate_id = $1 and event_type = 'AppointmentCheckedIn'",
    )
    .bind(id.to_string())
    .fetch_one(&app.env.pool)
    .await
    .expect("count");
    assert_eq!(checked_in, 1);
}
for_two_and_fifty!(
    a_reschedule_racing_a_check_in_leaves_one_slot_held,
    a_reschedule_racing_fifty_check_ins_leaves_one_slot_held,
    reschedule_against_check_in
);

/// Moves of one appointment to n different days at once: each move is decided on the
/// appointment as the previous one left it, so every winner is one recorded move, and only the
/// last slot stays held.
async fn reschedules_of_one_appointment(n: usize) {
    let (app, shop) = setting("UTC").await;
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let targets: Vec<String> = (0..n)
        .map(|k| utc_day_at(4 + i64::try_from(k).expect("small"), 11, 0))
        .collect();
    let steps = targets
        .iter()
        .map(|t| Step::Reschedule(id, t.clone()))
        .collect();
    let answers = race(&app, &shop, steps).await;
    let won = answers.iter().filter(|a| a.won()).count();
    assert!(won >= 1);
    for answer in answers.iter().filter(|a| !a.won()) {
        assert_eq!(
            answer.code(),
            "concurrent_modification",
            "{:?}",
            answer.body
        );
    }
    let moves: i64 = sqlx::query_scalar(
        "select count(*) from events where aggregate_id = $1 and event_type = 'AppointmentRescheduled'",
    )
    .bind(id.to_string())
    .fetch_one(&app.env.pool)
    .await
    .expect("count");
    assert_eq!(moves, i64::try_from(won).expect("small"));
    check(&app, &shop).await;
    // every target but the one it ended on is free, and so is where it started
    let held = starts_at(&app, id).await;
    for target in targets.iter().chain([&utc_day_at(3, 10, 0)]) {
        let answer = send(&app, &shop, Step::Book(target.clone())).await;
        let is_held = chrono::DateTime::parse_from_rfc3339(target).ok()
            == chrono::DateTime::parse_from_rfc3339(&held).ok();
        assert_eq!(answer.won(), !is_held, "{target}: {:?}", answer.body);
    }
}
for_two_and_fifty!(
    two_reschedules_of_one_appointment_are_decided_one_after_the_other,
    fifty_reschedules_of_one_appointment_are_decided_one_after_the_other,
    reschedules_of_one_appointment
);

/// n appointments moved into one slot at once: exactly one gets it, the others keep theirs.
async fn reschedules_into_one_slot(n: usize) {
    let (app, shop) = setting("UTC").await;
    let mut ids = Vec::new();
    for at in marks(5, n) {
        ids.push(booked(&app, &shop, &at).await);
    }
    let target = utc_day_at(4, 15, 0);
    let steps = ids
        .iter()
        .map(|id| Step::Reschedule(*id, target.clone()))
        .collect();
    let answers = race(&app, &shop, steps).await;
    assert_eq!(answers.iter().filter(|a| a.won()).count(), 1);
    for answer in answers.iter().filter(|a| !a.won()) {
        assert_eq!(answer.code(), "slot_taken", "{:?}", answer.body);
    }
    let checked = assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
    assert_eq!(checked.live_appointments, n);
}
for_two_and_fifty!(
    two_appointments_moved_into_one_slot_leave_one_winner,
    fifty_appointments_moved_into_one_slot_leave_one_winner,
    reschedules_into_one_slot
);

/// Moves and cancellations of one appointment: the cancellation always wins (a moved
/// appointment can still be cancelled) and no slot, old or new, stays held.
async fn reschedule_against_cancel(n: usize) {
    let (app, shop) = setting("UTC").await;
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let targets: Vec<String> = (0..n.div_ceil(2))
        .map(|k| utc_day_at(4 + i64::try_from(k).expect("small"), 11, 0))
        .collect();
    let mut steps: Vec<Step> = targets
        .iter()
        .map(|t| Step::Reschedule(id, t.clone()))
        .collect();
    steps.extend((0..n / 2).map(|_| Step::Cancel(id)));
    let answers = race(&app, &shop, steps).await;
    for answer in &answers[targets.len()..] {
        assert!(answer.won(), "{:?}", answer.body);
    }
    for answer in answers[..targets.len()].iter().filter(|a| !a.won()) {
        assert!(
            ["appointment_already_cancelled", "concurrent_modification"].contains(&answer.code()),
            "{:?}",
            answer.body
        );
    }
    let checked = assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
    assert_eq!(checked.live_appointments, 0);
    assert_eq!(checked.live_reservations, 0);
    for target in targets.iter().chain([&utc_day_at(3, 10, 0)]) {
        assert!(send(&app, &shop, Step::Book(target.clone())).await.won());
    }
}
for_two_and_fifty!(
    a_reschedule_racing_a_cancel_leaves_no_slot_held,
    reschedules_racing_cancels_leave_no_slot_held,
    reschedule_against_cancel
);

/// A cancellation and bookings of the slot it frees: a booking decided before the
/// cancellation is refused, and of those after it exactly one wins.
async fn cancel_against_bookings(n: usize) {
    let (app, shop) = setting("UTC").await;
    let slot = utc_day_at(3, 10, 0);
    let id = booked(&app, &shop, &slot).await;
    let mut steps = vec![Step::Cancel(id)];
    steps.extend((1..n).map(|_| Step::Book(slot.clone())));
    let answers = race(&app, &shop, steps).await;
    assert!(answers[0].won(), "{:?}", answers[0].body);
    let won = answers[1..].iter().filter(|a| a.won()).count();
    assert!(won <= 1, "{won} bookings of one slot");
    for answer in answers[1..].iter().filter(|a| !a.won()) {
        assert_eq!(answer.code(), "slot_taken", "{:?}", answer.body);
    }
    let checked = assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
    assert_eq!(checked.live_appointments, won);
    // if every booking came too early, the slot is free now
    assert_eq!(send(&app, &shop, Step::Book(slot)).await.won(), won == 0);
}
for_two_and_fifty!(
    a_cancel_racing_a_booking_of_its_slot_frees_it_once,
    a_cancel_racing_bookings_of_its_slot_frees_it_once,
    cancel_against_bookings
);

/// A time off and bookings inside it: either the time off wins and no booking inside it does,
/// or a booking wins and the time off is refused.
async fn time_off_against_bookings(n: usize) {
    let (app, shop) = setting("UTC").await;
    let mut steps = vec![Step::TimeOff(utc_day_at(3, 9, 0), utc_day_at(3, 17, 0))];
    steps.extend(marks(3, 11).into_iter().cycle().take(n - 1).map(Step::Book));
    let answers = race(&app, &shop, steps).await;
    let booked = answers[1..].iter().filter(|a| a.won()).count();
    if answers[0].won() {
        assert_eq!(booked, 0);
        for answer in &answers[1..] {
            assert_eq!(answer.code(), "during_time_off", "{:?}", answer.body);
        }
    } else {
        assert_eq!(answers[0].code(), "bookings_in_the_way");
        assert!(booked >= 1);
    }
    let checked = assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
    assert_eq!(checked.live_appointments, booked);
}
for_two_and_fifty!(
    a_time_off_racing_a_booking_never_both_win,
    a_time_off_racing_bookings_never_both_win,
    time_off_against_bookings
);

/// A time off and moves of an appointment into the day it covers: either the time off wins and
/// no move does, or a move wins and the time off is refused.
async fn time_off_against_reschedules(n: usize) {
    let (app, shop) = setting("UTC").await;
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let mut steps = vec![Step::TimeOff(utc_day_at(4, 9, 0), utc_day_at(4, 17, 0))];
    steps.extend(
        marks(4, 11)
            .into_iter()
            .cycle()
            .take(n - 1)
            .map(|at| Step::Reschedule(id, at)),
    );
    let answers = race(&app, &shop, steps).await;
    let moved = answers[1..].iter().filter(|a| a.won()).count();
    if answers[0].won() {
        assert_eq!(moved, 0);
        assert_eq!(starts_at(&app, id).await, utc_day_at(3, 10, 0));
    } else {
        assert_eq!(answers[0].code(), "bookings_in_the_way");
        assert!(moved >= 1);
    }
    check(&app, &shop).await;
}
for_two_and_fifty!(
    a_time_off_racing_a_move_into_its_day_never_both_win,
    a_time_off_racing_moves_into_its_day_never_both_win,
    time_off_against_reschedules
);

/// A time off withdrawn while bookings of its day come in: a booking decided before the
/// withdrawal is refused, one after it may win, and the day is never both blocked and booked.
async fn withdrawal_against_bookings(n: usize) {
    let (app, shop) = setting("UTC").await;
    let added = send(
        &app,
        &shop,
        Step::TimeOff(utc_day_at(3, 9, 0), utc_day_at(3, 17, 0)),
    )
    .await;
    assert_eq!(added.status, StatusCode::CREATED, "{:?}", added.body);
    let time_off: Uuid = added.body["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    let mut steps = vec![Step::WithdrawTimeOff(time_off)];
    steps.extend(marks(3, 11).into_iter().cycle().take(n - 1).map(Step::Book));
    let answers = race(&app, &shop, steps).await;
    assert!(answers[0].won(), "{:?}", answers[0].body);
    for answer in answers[1..].iter().filter(|a| !a.won()) {
        assert!(
            ["during_time_off", "slot_taken"].contains(&answer.code()),
            "{:?}",
            answer.body
        );
    }
    let booked = answers[1..].iter().filter(|a| a.won()).count();
    let checked = assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
    assert_eq!(checked.live_appointments, booked);
    assert_eq!(checked.live_reservations, booked);
}
for_two_and_fifty!(
    a_time_off_withdrawn_while_a_booking_comes_in_never_leaves_both,
    a_time_off_withdrawn_while_bookings_come_in_never_leaves_both,
    withdrawal_against_bookings
);

/// A change to a longer service and bookings of the stretch it would grow into: either the
/// change wins and no booking there does, or one booking wins and the change is refused.
async fn longer_service_against_bookings(n: usize) {
    let (app, shop) = setting("UTC").await;
    let (longer, _) = app
        .create_service(
            &shop.owner.token,
            &json!({"name": "Cut and beard", "duration_minutes": 60, "price_cents": 4000,
                    "buffer_minutes": 10}),
        )
        .await;
    // 10:00–10:30, buffer to 10:40; the longer service would block until 11:10
    let id = booked(&app, &shop, &utc_day_at(3, 10, 0)).await;
    let mut steps = vec![Step::ChangeService(id, longer)];
    steps.extend((1..n).map(|_| Step::Book(utc_day_at(3, 10, 40))));
    let answers = race(&app, &shop, steps).await;
    let booked_after = answers[1..].iter().filter(|a| a.won()).count();
    for answer in answers[1..].iter().filter(|a| !a.won()) {
        assert_eq!(answer.code(), "slot_taken", "{:?}", answer.body);
    }
    if answers[0].won() {
        assert_eq!(booked_after, 0);
    } else {
        assert_eq!(answers[0].code(), "slot_taken", "{:?}", answers[0].body);
        assert_eq!(booked_after, 1);
    }
    let checked = assert_every_chair_held_once(&app.env.pool, shop.owner.business_id).await;
    assert_eq!(checked.live_appointments, 1 + booked_after);
}
for_two_and_fifty!(
    a_longer_service_racing_a_booking_of_its_new_stretch_never_both_win,
    a_longer_service_racing_bookings_of_its_new_stretch_never_both_win,
    longer_service_against_bookings
);

/// A timezone change and bookings: a booking is decided on one zone and recorded on that
/// zone's local day, and the zone moves only if no booking lies ahead; so every appointment
/// sits on the schedule of its local day in the zone the business has at the end.
async fn timezone_against_bookings(n: usize) {
    let (app, shop) = setting("UTC").await;
    let mut steps = vec![Step::MoveTimezone("Pacific/Auckland")];
    // 23:00 UTC is the next day in Auckland: the two zones put these on different days
    steps.extend(marks(3, n - 1).into_iter().map(Step::Book));
    let answers = race(&app, &shop, steps).await;
    let booked = answers[1..].iter().filter(|a| a.won()).count();
    if !answers[0].won() {
        assert_eq!(answers[0].code(), "timezone_has_bookings");
        assert!(booked >= 1);
    }
    let business: Value = app
        .get("/api/v1/business?min_position=1", Some(&shop.owner.token))
        .await
        .json()
        .await
        .expect("json");
    let zone: chrono_tz::Tz = business["timezone"]
        .as_str()
        .expect("timezone")
        .parse()
        .expect("zone");
    let dates: Vec<(String, String)> = sqlx::query_as(
        "select payload -> 'AppointmentBooked' ->> 'starts_at',
                payload -> 'AppointmentBooked' ->> 'schedule_date'
           from events where event_type = 'AppointmentBooked'",
    )
    .fetch_all(&app.env.pool)
    .await
    .expect("dates");
    assert_eq!(dates.len(), booked);
    for (starts_at, date) in dates {
        let local = chrono::DateTime::parse_from_rfc3339(&starts_at)
            .expect("instant")
            .with_timezone(&zone)
            .date_naive();
        assert_eq!(local.to_string(), date, "{starts_at} in {zone}");
    }
    check(&app, &shop).await;
}
for_two_and_fifty!(
    a_timezone_change_racing_a_booking_keeps_every_booking_on_its_local_day,
    a_timezone_change_racing_bookings_keeps_every_booking_on_its_local_day,
    timezone_against_bookings
);

//! The real binary killed with SIGKILL in the middle of a mixed load of bookings, reschedules,
//! changes of service, notes, cancellations and time off (moving or cancelling the bookings in
//! its way), three times over: right after each restart (no waiting period, no reconciler)
//! every live appointment holds exactly its slot, nothing else is held, and no two reservations
//! of a barber overlap (`barber_tests::chairs`).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use barber_tests::chairs::assert_every_chair_held_once;
use chrono::{NaiveTime, Utc};
use platform::testing::TestEnv;
use serde_json::{json, Value};
use uuid::Uuid;

/// `barber all` on its own port, on the test's database and stream.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(env: &TestEnv) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_barber"))
            .arg("all")
            .env("DATABASE_URL", &env.config.database_url)
            .env("NATS_URL", &env.config.nats_url)
            .env("EVENTS_STREAM", &env.config.events_stream)
            .env("NATS_PREFIX", &env.config.nats_prefix)
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("JWT_SECRET", format!("crash-{}", env.database))
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("barber starts");
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = client.get(format!("{}/readyz", server.base)).send().await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                return server;
            }
            assert!(Instant::now() < deadline, "barber did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL: no shutdown, no flush, whatever was in flight is cut off.
    fn kill(mut self) {
        self.child.kill().expect("killed");
        self.child.wait().expect("reaped");
    }
}

/// A cheap random number (the load only needs variety, not quality).
fn random(below: usize) -> usize {
    usize::try_from(Uuid::new_v4().as_u128() % u128::try_from(below).expect("fits")).expect("fits")
}

/// A shop with two barbers working every day 09:00–17:00 UTC, one 30-minute service with a
/// 10-minute buffer, and one customer.
struct Shop {
    token: String,
    business_id: Uuid,
    staff: Vec<Uuid>,
    service_id: Uuid,
    /// A second, longer service, for changes of service.
    longer_service_id: Uuid,
    customer_id: Uuid,
}

async fn post(client: &reqwest::Client, url: String, token: Option<&str>, body: Value) -> Value {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("answer");
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.expect("json")
}

async fn open_shop(base: &str) -> Shop {
    let client = reqwest::Client::new();
    let signed: Value = post(
        &client,
        format!("{base}/api/v1/signup"),
        None,
        json!({"business_name": "Crash Cuts", "slug": "crash-cuts", "timezone": "UTC",
               "owner_name": "Sam", "email": "sam@crash.test", "password": "correct horse battery"}),
    )
    .await;
    let token = signed["token"].as_str().expect("token").to_owned();
    let business_id = signed["business_id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    let auth = Some(token.as_str());
    let policy = json!({"min_lead_minutes": 0, "max_advance_days": 365,
        "cancellation_window_minutes": 60, "default_buffer_minutes": 0,
        "reminder_offsets_minutes": [1440]});
    let put = client
        .put(format!("{base}/api/v1/business/booking-policy"))
        .bearer_auth(&token)
        .json(&policy)
        .send()
        .await
        .expect("policy");
    assert!(put.status().is_success());
    let service: Value = post(
        &client,
        format!("{base}/api/v1/services"),
        auth,
        json!({"name": "Cut", "duration_minutes": 30, "price_cents": 2000, "buffer_minutes": 10}),
    )
    .await;
    let longer: Value = post(
        &client,
        format!("{base}/api/v1/services"),
        auth,
        json!({"name": "Cut and beard", "duration_minutes": 60, "price_cents": 3500}),
    )
    .await;
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "09:00", "end": "17:00"}))
        .collect();
    let mut staff = Vec::new();
    for name in ["Rui", "Jo"] {
        let added: Value = post(
            &client,
            format!("{base}/api/v1/staff"),
            auth,
            json!({"name": name, "role": "barber"}),
        )
        .await;
        let id: Uuid = added["id"].as_str().expect("id").parse().expect("uuid");
        let hours = client
            .put(format!("{base}/api/v1/staff/{id}/working-hours"))
            .bearer_auth(&token)
            .json(&json!({ "days": days }))
            .send()
            .await
            .expect("hours");
        assert!(hours.status().is_success());
        staff.push(id);
    }
    let customer: Value = post(
        &client,
        format!("{base}/api/v1/customers"),
        auth,
        json!({"name": "Ana"}),
    )
    .await;
    Shop {
        token,
        business_id,
        staff,
        service_id: service["id"].as_str().expect("id").parse().expect("uuid"),
        longer_service_id: longer["id"].as_str().expect("id").parse().expect("uuid"),
        customer_id: customer["id"].as_str().expect("id").parse().expect("uuid"),
    }
}

/// A start on a 10-minute mark, 1 to 4 days ahead, within working hours.
fn some_start() -> String {
    let date = (Utc::now() + chrono::Duration::days(1 + i64::try_from(random(4)).expect("small")))
        .date_naive();
    let minutes = u32::try_from(9 * 60 + 10 * random(45)).expect("small");
    let time = NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).expect("time");
    format!("{}Z", date.and_time(time).format("%Y-%m-%dT%H:%M:%S"))
}

/// What the load has seen recorded, to act on again.
#[derive(Default)]
struct Seen {
    appointments: Vec<Uuid>,
    time_off: Vec<(Uuid, Uuid)>,
}

/// One client of the load: random steps until the server stops answering.
async fn client_load(base: String, shop: Arc<Shop>, seen: Arc<Mutex<Seen>>) {
    let client = reqwest::Client::new();
    let pick = |list: &[Uuid]| (!list.is_empty()).then(|| list[random(list.len())]);
    loop {
        let staff_id = shop.staff[random(shop.staff.len())];
        let (path, body, method) = match random(12) {
            0..=3 => (
                "/api/v1/appointments".to_owned(),
                json!({"customer_id": shop.customer_id, "staff_id": staff_id,
                       "service_id": shop.service_id, "starts_at": some_start()}),
                "post",
            ),
            4..=5 => {
                let Some(id) = pick(&seen.lock().expect("seen").appointments) else {
                    continue;
                };
                (
                    format!("/api/v1/appointments/{id}/reschedule"),
                    json!({"starts_at": some_start(), "staff_id": staff_id}),
                    "post",
                )
            }
            6..=7 => {
                let Some(id) = pick(&seen.lock().expect("seen").appointments) else {
                    continue;
                };
                (
                    format!("/api/v1/appointments/{id}/cancel"),
                    json!({}),
                    "post",
                )
            }
            8 => {
                let starts_at = some_start();
                let start: chrono::DateTime<Utc> = starts_at.parse().expect("instant");
                let ends_at = (start + chrono::Duration::hours(1)).to_rfc3339();
                // a sick hour: refused over bookings, or moving or cancelling them in the step
                let mut body = json!({"starts_at": starts_at, "ends_at": ends_at});
                if let Some(action) = [None, Some("move"), Some("cancel")][random(3)] {
                    body["bookings"] = json!({ "action": action });
                }
                (format!("/api/v1/staff/{staff_id}/time-off"), body, "post")
            }
            10 => {
                let Some(id) = pick(&seen.lock().expect("seen").appointments) else {
                    continue;
                };
                let service_id = [shop.service_id, shop.longer_service_id][random(2)];
                (
                    format!("/api/v1/appointments/{id}/service"),
                    json!({ "service_id": service_id }),
                    "post",
                )
            }
            11 => {
                let Some(id) = pick(&seen.lock().expect("seen").appointments) else {
                    continue;
                };
                (
                    format!("/api/v1/appointments/{id}/notes"),
                    json!({"text": "wants it shorter on top"}),
                    "post",
                )
            }
            _ => {
                let taken = {
                    let seen = seen.lock().expect("seen");
                    (!seen.time_off.is_empty()).then(|| seen.time_off[random(seen.time_off.len())])
                };
                let Some((staff, time_off)) = taken else {
                    continue;
                };
                (
                    format!("/api/v1/staff/{staff}/time-off/{time_off}"),
                    Value::Null,
                    "delete",
                )
            }
        };
        let request = match method {
            "delete" => client.delete(format!("{base}{path}")),
            _ => client.post(format!("{base}{path}")).json(&body),
        };
        let Ok(response) = request.bearer_auth(&shop.token).send().await else {
            return; // the server is gone
        };
        let created = response.status() == reqwest::StatusCode::CREATED;
        let Ok(answer) = response.json::<Value>().await else {
            return;
        };
        if created {
            let id: Uuid = answer["id"].as_str().expect("id").parse().expect("uuid");
            let mut seen = seen.lock().expect("seen");
            if path.ends_with("/time-off") {
                seen.time_off.push((staff_id, id));
            } else if path == "/api/v1/appointments" {
                seen.appointments.push(id);
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_process_killed_during_a_mixed_load_leaves_every_chair_held_exactly_once() {
    let env = TestEnv::new().await;
    let server = Server::start(&env).await;
    let shop = Arc::new(open_shop(&server.base).await);
    let seen = Arc::new(Mutex::new(Seen::default()));
    let mut server = server;
    for round in 0..3 {
        let clients: Vec<_> = (0..12)
            .map(|_| tokio::spawn(client_load(server.base.clone(), shop.clone(), seen.clone())))
            .collect();
        // long enough for plenty of steps to be in flight at the kill
        tokio::time::sleep(Duration::from_millis(800 + 400 * round)).await;
        server.kill();
        for client in clients {
            client.await.expect("client");
        }
        server = Server::start(&env).await;
        // right after the restart: nothing was left half-done
        let checked = assert_every_chair_held_once(&env.pool, shop.business_id).await;
        assert!(checked.live_reservations > 0, "the load recorded nothing");
    }
    server.kill();
}

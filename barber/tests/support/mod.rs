//! What the tests that run the real binary share: a process of one role on its own port, and a
//! shop to load (two barbers working every day, two services, one customer).

#![allow(dead_code)] // each test binary uses its own part

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{NaiveTime, Utc};
use platform::testing::TestEnv;
use serde_json::{json, Value};
use uuid::Uuid;

/// A `barber` process of one role on its own port, on the test's database and stream.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// `barber all`.
    pub async fn start(env: &TestEnv) -> Self {
        Self::start_role(env, "all").await
    }

    /// `barber <role>`, once it answers `/readyz`.
    pub async fn start_role(env: &TestEnv, role: &str) -> Self {
        Self::start_with(env, role, &[]).await
    }

    /// `barber <role>` with more environment settings.
    pub async fn start_with(env: &TestEnv, role: &str, settings: &[(&str, &str)]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_barber"))
            .arg(role)
            .env("DATABASE_URL", &env.config.database_url)
            .env("NATS_URL", &env.config.nats_url)
            .env("EVENTS_STREAM", &env.config.events_stream)
            .env("NATS_PREFIX", &env.config.nats_prefix)
            .env("BIND", format!("127.0.0.1:{port}"))
            .env("JWT_SECRET", format!("crash-{}", env.database))
            .env("RUST_LOG", "error")
            .envs(settings.iter().copied())
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

    /// Sends a signal by name (`STOP`, `CONT`) with the shell's own `kill` (always there,
    /// unlike a `kill` binary on a minimal machine).
    pub fn signal(&self, signal: &str) {
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!("kill -{signal} {}", self.child.id()))
            .status()
            .expect("sh runs");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// SIGKILL: no shutdown, no flush, whatever was in flight is cut off.
    pub fn kill(mut self) {
        self.child.kill().expect("killed");
        self.child.wait().expect("reaped");
    }
}

/// A test that ends (or fails) with its server still running leaves no process behind.
impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A cheap random number (the load only needs variety, not quality).
pub fn random(below: usize) -> usize {
    usize::try_from(Uuid::new_v4().as_u128() % u128::try_from(below).expect("fits")).expect("fits")
}

/// A shop with two barbers working every day 09:00–17:00 UTC, one 30-minute service with a
/// 10-minute buffer, and one customer.
pub struct Shop {
    pub token: String,
    pub business_id: Uuid,
    pub staff: Vec<Uuid>,
    pub service_id: Uuid,
    /// A second, longer service, for changes of service.
    pub longer_service_id: Uuid,
    pub customer_id: Uuid,
}

pub async fn post(
    client: &reqwest::Client,
    url: String,
    token: Option<&str>,
    body: Value,
) -> Value {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("answer");
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.expect("json")
}

pub async fn open_shop(base: &str) -> Shop {
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

/// Books `customer_id` with the shop's first barber at some start (another one when a start is
/// taken by an earlier booking of the test), sending `headers` too; answers the appointment.
pub async fn book_some_start(
    base: &str,
    shop: &Shop,
    customer_id: &Value,
    headers: &[(&str, &str)],
) -> Uuid {
    let client = reqwest::Client::new();
    for _ in 0..50 {
        let mut request = client
            .post(format!("{base}/api/v1/appointments"))
            .bearer_auth(&shop.token)
            .json(
                &json!({"customer_id": customer_id, "staff_id": shop.staff[0],
                          "service_id": shop.service_id, "starts_at": some_start()}),
            );
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let answer = request.send().await.expect("answer");
        if answer.status().is_success() {
            let body: Value = answer.json().await.expect("json");
            return body["id"].as_str().expect("id").parse().expect("uuid");
        }
    }
    panic!("no free start in 50 tries");
}

/// A start on a 10-minute mark, 1 to 4 days ahead, within working hours.
pub fn some_start() -> String {
    let date = (Utc::now() + chrono::Duration::days(1 + i64::try_from(random(4)).expect("small")))
        .date_naive();
    let minutes = u32::try_from(9 * 60 + 10 * random(45)).expect("small");
    let time = NaiveTime::from_hms_opt(minutes / 60, minutes % 60, 0).expect("time");
    format!("{}Z", date.and_time(time).format("%Y-%m-%dT%H:%M:%S"))
}

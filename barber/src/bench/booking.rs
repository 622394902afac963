//! The booking measurements: bookings per second from 8 clients on distinct free slots (many
//! barbers, many days), and how fast a hot slot answers `409 slot_taken` when 8 clients fight
//! for it. Every booking answer is counted, so `bench/run.sh` can check the event store holds
//! exactly as many appointments as were answered 201.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::BenchError;

const BARBERS: u64 = 20;
/// 30-minute slots from 00:30 to 23:30 on each day.
const SLOTS_PER_DAY: u64 = 46;

/// What the booking run measured.
#[derive(Debug, Default, serde::Serialize)]
pub struct BookingReport {
    pub bookings_per_second_8: f64,
    pub bookings_made: u64,
    pub booking_failures: u64,
    pub hot_slot_answers_per_second: f64,
    pub hot_slot_bookings: u64,
    pub hot_slot_conflicts: u64,
}

struct Setup {
    token: String,
    customer_id: String,
    service_id: String,
    staff: Vec<String>,
}

async fn post(
    client: &reqwest::Client,
    url: String,
    token: &str,
    body: Value,
) -> Result<Value, BenchError> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await?;
    Ok(response.json().await?)
}

async fn setup(client: &reqwest::Client, base: &str, token: &str) -> Result<Setup, BenchError> {
    client
        .patch(format!("{base}/api/v1/business"))
        .bearer_auth(token)
        .json(&json!({"timezone": "UTC"}))
        .send()
        .await?;
    client
        .put(format!("{base}/api/v1/business/booking-policy"))
        .bearer_auth(token)
        .json(&json!({"min_lead_minutes": 0, "max_advance_days": 730,
            "cancellation_window_minutes": 1440, "default_buffer_minutes": 0,
            "reminder_offsets_minutes": [1440]}))
        .send()
        .await?;
    let id = |v: Value| {
        v["id"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| BenchError::Unexpected(v.to_string()))
    };
    let service = post(
        client,
        format!("{base}/api/v1/services"),
        token,
        json!({"name": "Cut", "duration_minutes": 30, "price_cents": 2000}),
    )
    .await?;
    let customer = post(
        client,
        format!("{base}/api/v1/customers"),
        token,
        json!({"name": "Bench"}),
    )
    .await?;
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "23:55"}))
        .collect();
    let mut staff = Vec::new();
    for n in 0..BARBERS {
        let member = id(post(
            client,
            format!("{base}/api/v1/staff"),
            token,
            json!({"name": format!("Barber {n}"), "role": "barber"}),
        )
        .await?)?;
        client
            .put(format!("{base}/api/v1/staff/{member}/working-hours"))
            .bearer_auth(token)
            .json(&json!({ "days": days }))
            .send()
            .await?;
        staff.push(member);
    }
    Ok(Setup {
        token: token.to_owned(),
        customer_id: id(customer)?,
        service_id: id(service)?,
        staff,
    })
}

/// The `n`-th distinct free slot: barber, then time of day, then day (from the day after next).
fn slot(n: u64) -> (usize, String) {
    let barber = (n % BARBERS) as usize;
    let index = (n / BARBERS) % SLOTS_PER_DAY;
    let day = 2 + n / (BARBERS * SLOTS_PER_DAY);
    let date = (chrono::Utc::now() + chrono::Duration::days(day as i64)).date_naive();
    let minutes = 30 + 30 * index;
    (
        barber,
        format!("{date}T{:02}:{:02}:00Z", minutes / 60, minutes % 60),
    )
}

async fn book(
    client: &reqwest::Client,
    base: &str,
    setup: &Setup,
    barber: usize,
    starts_at: &str,
) -> Option<reqwest::StatusCode> {
    client
        .post(format!("{base}/api/v1/appointments"))
        .bearer_auth(&setup.token)
        .json(
            &json!({"customer_id": setup.customer_id, "staff_id": setup.staff[barber],
                      "service_id": setup.service_id, "starts_at": starts_at}),
        )
        .send()
        .await
        .ok()
        .map(|r| r.status())
}

/// Runs both booking measurements for `seconds` each.
pub async fn run(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    seconds: u64,
) -> Result<BookingReport, BenchError> {
    let setup = Arc::new(setup(client, base, token).await?);
    let duration = Duration::from_secs(seconds);
    let (next, made, failed) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let start = Instant::now();
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (client, base, setup) = (client.clone(), base.to_owned(), setup.clone());
            let (next, made, failed) = (next.clone(), made.clone(), failed.clone());
            tokio::spawn(async move {
                while start.elapsed() < duration {
                    let (barber, starts_at) = slot(next.fetch_add(1, Ordering::Relaxed));
                    match book(&client, &base, &setup, barber, &starts_at).await {
                        Some(reqwest::StatusCode::CREATED) => made.fetch_add(1, Ordering::Relaxed),
                        _ => failed.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let bookings_per_second_8 = made.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64();

    // a hot slot: far from the slots above, fought over by all 8 clients
    let hot_day = (chrono::Utc::now() + chrono::Duration::days(700)).date_naive();
    let hot = format!("{hot_day}T12:00:00Z");
    let (won, lost, other) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let start = Instant::now();
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (client, base, setup, hot) =
                (client.clone(), base.to_owned(), setup.clone(), hot.clone());
            let (won, lost, other) = (won.clone(), lost.clone(), other.clone());
            tokio::spawn(async move {
                while start.elapsed() < duration {
                    match book(&client, &base, &setup, 0, &hot).await {
                        Some(reqwest::StatusCode::CREATED) => won.fetch_add(1, Ordering::Relaxed),
                        Some(reqwest::StatusCode::CONFLICT) => lost.fetch_add(1, Ordering::Relaxed),
                        _ => other.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let (won, lost) = (won.load(Ordering::Relaxed), lost.load(Ordering::Relaxed));
    Ok(BookingReport {
        bookings_per_second_8,
        bookings_made: made.load(Ordering::Relaxed) + won,
        booking_failures: failed.load(Ordering::Relaxed) + other.load(Ordering::Relaxed),
        hot_slot_answers_per_second: (won + lost) as f64 / elapsed,
        hot_slot_bookings: won,
        hot_slot_conflicts: lost,
    })
}

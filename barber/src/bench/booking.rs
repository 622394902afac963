//! The booking measurements, 8 clients each: bookings on distinct free slots (many barbers, many
//! days); how fast a hot slot answers `409 slot_taken` when all fight for it; reschedules of the
//! booked appointments to other days; and their cancellations. Every answer is counted, so
//! `bench/run.sh` can check the event store holds exactly as many appointments as were answered
//! 201, moved as were answered 200, and no two live reservations overlap.

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
    /// Booked appointments moved to a free slot on a later day, 8 clients.
    pub reschedules_per_second_8: f64,
    pub reschedules_made: u64,
    pub reschedule_failures: u64,
    /// The moved appointments cancelled (each frees its slot), 8 clients.
    pub cancels_per_second_8: f64,
    pub cancels_made: u64,
    pub cancel_failures: u64,
}

struct Setup {
    token: String,
    /// One customer per barber: a customer cannot sit in two chairs at once, and the slots
    /// of different barbers are at the same times.
    customers: Vec<String>,
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
    let days: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| json!({"weekday": d, "start": "00:00", "end": "23:55"}))
        .collect();
    let mut staff = Vec::new();
    let mut customers = Vec::new();
    for n in 0..BARBERS {
        customers.push(id(post(
            client,
            format!("{base}/api/v1/customers"),
            token,
            json!({"name": format!("Bench {n}")}),
        )
        .await?)?);
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
        customers,
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

/// What one request of a measurement came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Won,
    /// A refusal the measurement expects (`409 slot_taken` on the hot slot).
    Lost,
    Failed,
    /// Nothing left to do: the client stops.
    Done,
}

impl Outcome {
    fn of(status: Option<reqwest::StatusCode>, won: reqwest::StatusCode) -> Self {
        match status {
            Some(s) if s == won => Self::Won,
            Some(reqwest::StatusCode::CONFLICT) => Self::Lost,
            _ => Self::Failed,
        }
    }
}

/// Counts of one measurement.
#[derive(Debug, Default)]
struct Tally {
    won: u64,
    lost: u64,
    failed: u64,
    seconds: f64,
}

impl Tally {
    fn won_per_second(&self) -> f64 {
        self.won as f64 / self.seconds
    }
}

/// Eight clients calling `job(n)` with n = 0, 1, 2… until `duration` is over or a job says
/// [`Outcome::Done`].
async fn eight_clients<F, Fut>(duration: Duration, job: F) -> Tally
where
    F: Fn(u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Outcome> + Send,
{
    let next = Arc::new(AtomicU64::new(0));
    let counts: Arc<[AtomicU64; 3]> = Arc::new(Default::default());
    let start = Instant::now();
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (job, next, counts) = (job.clone(), next.clone(), counts.clone());
            tokio::spawn(async move {
                while start.elapsed() < duration {
                    let slot = match job(next.fetch_add(1, Ordering::Relaxed)).await {
                        Outcome::Won => 0,
                        Outcome::Lost => 1,
                        Outcome::Failed => 2,
                        Outcome::Done => return,
                    };
                    counts[slot].fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    Tally {
        won: counts[0].load(Ordering::Relaxed),
        lost: counts[1].load(Ordering::Relaxed),
        failed: counts[2].load(Ordering::Relaxed),
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// Books `starts_at` with `barber`; the answer's status and the new appointment's id.
async fn book(
    client: &reqwest::Client,
    base: &str,
    setup: &Setup,
    barber: usize,
    starts_at: &str,
) -> (Option<reqwest::StatusCode>, Option<String>) {
    let Ok(response) = client
        .post(format!("{base}/api/v1/appointments"))
        .bearer_auth(&setup.token)
        .json(
            &json!({"customer_id": setup.customers[barber], "staff_id": setup.staff[barber],
                      "service_id": setup.service_id, "starts_at": starts_at}),
        )
        .send()
        .await
    else {
        return (None, None);
    };
    let status = response.status();
    let id = response
        .json::<Value>()
        .await
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_owned));
    (Some(status), id)
}

/// POSTs `body` to an appointment's step (`reschedule`, `cancel`); the answer's status.
async fn step(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    path: String,
    body: Value,
) -> Option<reqwest::StatusCode> {
    client
        .post(format!("{base}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .ok()
        .map(|r| r.status())
}

/// Runs the booking measurements for `seconds` each: bookings on distinct free slots, a hot
/// slot, reschedules of the booked appointments to other days, and their cancellations.
pub async fn run(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    seconds: u64,
) -> Result<BookingReport, BenchError> {
    let setup = Arc::new(setup(client, base, token).await?);
    let duration = Duration::from_secs(seconds);
    let booked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let free = {
        let (client, base, setup, booked) = (
            client.clone(),
            base.to_owned(),
            setup.clone(),
            booked.clone(),
        );
        eight_clients(duration, move |n| {
            let (client, base, setup, booked) =
                (client.clone(), base.clone(), setup.clone(), booked.clone());
            async move {
                let (barber, starts_at) = slot(n);
                let (status, id) = book(&client, &base, &setup, barber, &starts_at).await;
                if let (Some(reqwest::StatusCode::CREATED), Some(id), Ok(mut booked)) =
                    (status, id, booked.lock())
                {
                    booked.push(id);
                }
                Outcome::of(status, reqwest::StatusCode::CREATED)
            }
        })
        .await
    };

    // a hot slot: far from the slots above, fought over by all 8 clients
    let hot_day = (chrono::Utc::now() + chrono::Duration::days(700)).date_naive();
    let hot = format!("{hot_day}T12:00:00Z");
    let contested = {
        let (client, base, setup) = (client.clone(), base.to_owned(), setup.clone());
        eight_clients(duration, move |_| {
            let (client, base, setup, hot) =
                (client.clone(), base.clone(), setup.clone(), hot.clone());
            async move {
                let (status, _) = book(&client, &base, &setup, 0, &hot).await;
                Outcome::of(status, reqwest::StatusCode::CREATED)
            }
        })
        .await
    };

    // each booked appointment moved to a free slot on a later day (another schedule: the
    // heavier path, one appointment and two barber-days in one decision)
    let ids: Arc<Vec<String>> = Arc::new(booked.lock().map(|b| b.clone()).unwrap_or_default());
    let beyond = free.won + free.lost + free.failed + BARBERS * SLOTS_PER_DAY;
    let moved = {
        let (client, base, setup, ids) =
            (client.clone(), base.to_owned(), setup.clone(), ids.clone());
        eight_clients(duration, move |n| {
            let (client, base, setup, ids) =
                (client.clone(), base.clone(), setup.clone(), ids.clone());
            async move {
                let Some(id) = usize::try_from(n).ok().and_then(|k| ids.get(k)) else {
                    return Outcome::Done;
                };
                // the same barber, so only the time moves
                let (_, starts_at) = slot(beyond + n * BARBERS);
                let path = format!("/api/v1/appointments/{id}/reschedule");
                let status = step(
                    &client,
                    &base,
                    &setup.token,
                    path,
                    json!({"starts_at": starts_at}),
                )
                .await;
                Outcome::of(status, reqwest::StatusCode::OK)
            }
        })
        .await
    };

    // and cancelled, which gives each slot back in the same decision
    let cancelled = {
        let (client, base, setup, ids) =
            (client.clone(), base.to_owned(), setup.clone(), ids.clone());
        eight_clients(duration, move |n| {
            let (client, base, setup, ids) =
                (client.clone(), base.clone(), setup.clone(), ids.clone());
            async move {
                let Some(id) = usize::try_from(n).ok().and_then(|k| ids.get(k)) else {
                    return Outcome::Done;
                };
                let path = format!("/api/v1/appointments/{id}/cancel");
                let status = step(&client, &base, &setup.token, path, json!({})).await;
                Outcome::of(status, reqwest::StatusCode::OK)
            }
        })
        .await
    };

    Ok(BookingReport {
        bookings_per_second_8: free.won_per_second(),
        bookings_made: free.won + contested.won,
        booking_failures: free.failed + free.lost + contested.failed,
        hot_slot_answers_per_second: (contested.won + contested.lost) as f64 / contested.seconds,
        hot_slot_bookings: contested.won,
        hot_slot_conflicts: contested.lost,
        reschedules_per_second_8: moved.won_per_second(),
        reschedules_made: moved.won,
        reschedule_failures: moved.failed + moved.lost,
        cancels_per_second_8: cancelled.won_per_second(),
        cancels_made: cancelled.won,
        cancel_failures: cancelled.failed + cancelled.lost,
    })
}

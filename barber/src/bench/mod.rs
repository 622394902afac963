//! `barber bench <base-url>`: the load generator behind `make bench`. It signs up a business on a
//! running barber and measures, over HTTP:
//! - customer-register commands per second with 1 and 8 concurrent clients;
//! - how long the read side takes to catch up with the 8-client burst (commands are accepted
//!   faster than the projection applies them; the backlog is drained before latency is taken);
//! - create-then-read latency: a POST, then a GET of the new record with `min_position`, which
//!   returns once the projection has applied it (command commit to read model, end to end).
//!
//! - bookings per second on distinct free slots, and the answer rate of a hot slot
//!   ([`booking`]);
//! - the read side at size: availability, the calendar, the dashboard and customer search at
//!   200 barbers and about 100 000 appointments ([`reads`]).
//!
//! It prints one JSON object; `bench/run.sh` puts it beside the pgbench baseline.

pub mod booking;
pub mod reads;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// What the run measured.
#[derive(Debug, serde::Serialize)]
pub struct BenchReport {
    pub register_per_second_1: f64,
    pub register_per_second_8: f64,
    /// From the end of the 8-client burst until a read with `min_position` answers fresh.
    pub catch_up_ms: f64,
    pub read_your_write_median_ms: f64,
    pub read_your_write_p99_ms: f64,
    pub read_your_write_samples: usize,
    pub stale_reads: u64,
    pub errors: u64,
    pub booking: booking::BookingReport,
    pub reads: reads::ReadsReport,
    /// How long the register burst before `catch_up_ms` ran.
    pub burst_seconds: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("http: {0}")]
    Http(#[from] reqwest::Error),
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

/// The register burst after which the read side's lag is measured lasts at least this long.
const BURST_SECONDS: u64 = 30;

/// Runs every measurement against `base` (e.g. `http://127.0.0.1:18080`); `appointments` is the
/// size of the read measurement's business.
pub async fn run(
    base: &str,
    seconds: u64,
    samples: usize,
    appointments: u64,
) -> Result<BenchReport, BenchError> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let token = sign_up(&client, base).await?;
    let errors = Arc::new(AtomicU64::new(0));
    // warm-up: connections, caches, the JIT of Postgres plans
    throughput(&client, base, &token, 8, Duration::from_secs(2), &errors).await;
    errors.store(0, Ordering::Relaxed);
    let one = throughput(
        &client,
        base,
        &token,
        1,
        Duration::from_secs(seconds),
        &errors,
    )
    .await;
    let burst_seconds = seconds.max(BURST_SECONDS);
    let eight = throughput(
        &client,
        base,
        &token,
        8,
        Duration::from_secs(burst_seconds),
        &errors,
    )
    .await;
    let catch_up_ms = catch_up(&client, base, &token).await?;
    let (mut latencies, stale) = read_your_writes(&client, base, &token, samples).await?;
    latencies.sort_by(f64::total_cmp);
    let booking = booking::run(&client, base, &token, seconds).await?;
    let reads = reads::run(&client, base, &token, appointments, samples.min(300)).await?;
    Ok(BenchReport {
        booking,
        reads,
        burst_seconds,
        register_per_second_1: one,
        register_per_second_8: eight,
        catch_up_ms,
        read_your_write_median_ms: percentile(&latencies, 0.50),
        read_your_write_p99_ms: percentile(&latencies, 0.99),
        read_your_write_samples: latencies.len(),
        stale_reads: stale,
        errors: errors.load(Ordering::Relaxed),
    })
}

/// Only the read side at size ([`reads`]), its customer search in its own business.
pub async fn reads_only(
    base: &str,
    samples: usize,
    appointments: u64,
) -> Result<reads::ReadsReport, BenchError> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let token = sign_up(&client, base).await?;
    reads::run(&client, base, &token, appointments, samples.min(300)).await
}

pub(crate) async fn sign_up(client: &reqwest::Client, base: &str) -> Result<String, BenchError> {
    let slug = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let response: Value = client
        .post(format!("{base}/api/v1/signup"))
        .json(&json!({
            "business_name": "Bench Barbers", "slug": slug, "timezone": "Europe/London",
            "owner_name": "Bench", "email": format!("{slug}@bench.example"),
            "password": "benchmark-password",
        }))
        .send()
        .await?
        .json()
        .await?;
    response["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| BenchError::Unexpected(response.to_string()))
}

fn customer(n: u64) -> Value {
    // a phone and an email of their own each: the book refuses duplicates
    json!({"name": format!("Customer {n}"), "phone": format!("+4477{:08}", n % 100_000_000),
           "email": format!("c{n}@bench.example")})
}

/// The number of the next customer the register load creates: each request registers one of
/// its own, over every run (the book refuses duplicates); below it, the numbers other
/// measurements use.
static NEXT_CUSTOMER: AtomicU64 = AtomicU64::new(10_000_000);

/// Register commands per second from `clients` concurrent clients, each one request at a time.
async fn throughput(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    clients: usize,
    duration: Duration,
    errors: &Arc<AtomicU64>,
) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (client, url, token) = (
                client.clone(),
                format!("{base}/api/v1/customers"),
                token.to_owned(),
            );
            let (done, errors) = (done.clone(), errors.clone());
            tokio::spawn(async move {
                while start.elapsed() < duration {
                    let n = NEXT_CUSTOMER.fetch_add(1, Ordering::Relaxed);
                    let answer = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(&customer(n))
                        .send()
                        .await;
                    match answer {
                        Ok(r) if r.status() == reqwest::StatusCode::CREATED => {
                            done.fetch_add(1, Ordering::Relaxed);
                        }
                        other => {
                            if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                                let body = match other {
                                    Ok(r) => r.text().await.unwrap_or_default(),
                                    Err(e) => e.to_string(),
                                };
                                tracing::warn!(%body, "a register failed");
                            }
                        }
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

/// Milliseconds until the read side has applied everything recorded so far: one create, then
/// its read with `min_position` (each waits a bounded time) until it answers fresh.
async fn catch_up(client: &reqwest::Client, base: &str, token: &str) -> Result<f64, BenchError> {
    let start = Instant::now();
    let (id, position) = create_customer(client, base, token, 999_999).await?;
    loop {
        let read = read_at(client, base, token, &id, position).await?;
        let fresh = read.status().is_success() && !read.headers().contains_key("barber-stale");
        let _ = read.bytes().await?;
        if fresh {
            return Ok(start.elapsed().as_secs_f64() * 1000.0);
        }
        if start.elapsed() > Duration::from_secs(300) {
            return Err(BenchError::Unexpected(
                "the read side did not catch up in 5 minutes".into(),
            ));
        }
    }
}

pub(crate) async fn create_customer(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    n: u64,
) -> Result<(String, i64), BenchError> {
    let created: Value = client
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(token)
        .json(&customer(n))
        .send()
        .await?
        .json()
        .await?;
    match (created["id"].as_str(), created["position"].as_i64()) {
        (Some(id), Some(position)) => Ok((id.to_owned(), position)),
        _ => Err(BenchError::Unexpected(created.to_string())),
    }
}

async fn read_at(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    id: &str,
    position: i64,
) -> Result<reqwest::Response, BenchError> {
    Ok(client
        .get(format!(
            "{base}/api/v1/customers/{id}?min_position={position}"
        ))
        .bearer_auth(token)
        .send()
        .await?)
}

/// Milliseconds from sending a create to receiving the read that includes it.
async fn read_your_writes(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    samples: usize,
) -> Result<(Vec<f64>, u64), BenchError> {
    let mut latencies = Vec::with_capacity(samples);
    let mut stale = 0;
    for n in 0..samples as u64 {
        let start = Instant::now();
        let (id, position) = create_customer(client, base, token, 1_000_000 + n).await?;
        let read = read_at(client, base, token, &id, position).await?;
        if read.headers().contains_key("barber-stale") || !read.status().is_success() {
            stale += 1;
        }
        let _ = read.bytes().await?;
        latencies.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    Ok((latencies, stale))
}
pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

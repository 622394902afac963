//! The read side at size: a business of its own with [`BARBERS`] barbers and about
//! `appointments` bookings over the coming weeks (8 a day per barber), then p50/p99 of the
//! reads a shop makes all day: availability of one day for any barber, the calendar of one day
//! (every barber's column), the dashboard, and a customer search.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use serde_json::{json, Value};

use super::{percentile, BenchError};

/// Barbers of the business.
pub const BARBERS: usize = 200;
/// Local hours the 8 bookings of a barber's day start at (lunch and the last hour stay free).
const HOURS: [u32; 8] = [9, 10, 11, 13, 14, 15, 16, 17];
/// Concurrent clients while seeding.
const SEEDERS: usize = 16;

/// What the read measurements found.
#[derive(Debug, Default, serde::Serialize)]
pub struct ReadsReport {
    pub barbers: usize,
    pub appointments: u64,
    pub seed_seconds: f64,
    pub seed_failures: u64,
    /// From the end of the seeding until the read side had applied all of it.
    pub catch_up_seconds: f64,
    pub availability_p50_ms: f64,
    pub availability_p99_ms: f64,
    /// Each seeded day read once: no query process has kept it yet.
    pub availability_first_p50_ms: f64,
    pub availability_first_p99_ms: f64,
    pub seeded_days: u64,
    pub calendar_p50_ms: f64,
    pub calendar_p99_ms: f64,
    pub dashboard_p50_ms: f64,
    pub dashboard_p99_ms: f64,
    pub search_p50_ms: f64,
    pub search_p99_ms: f64,
    /// Customers of the business searched (the register measurement's).
    pub searched_customers: i64,
    pub samples: usize,
}

async fn post(
    client: &reqwest::Client,
    url: String,
    token: &str,
    body: &Value,
) -> Result<Value, BenchError> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await?;
    Ok(response.json().await?)
}

fn id(value: &Value) -> Result<String, BenchError> {
    value["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| BenchError::Unexpected(value.to_string()))
}

/// Seeds a business of its own, then measures; `search_token` is the register measurement's
/// business, whose many customers are searched.
pub async fn run(
    client: &reqwest::Client,
    base: &str,
    search_token: &str,
    appointments: u64,
    samples: usize,
) -> Result<ReadsReport, BenchError> {
    let token = super::sign_up(client, base).await?;
    let put = |path: String, body: Value| {
        client
            .put(format!("{base}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    client
        .patch(format!("{base}/api/v1/business"))
        .bearer_auth(&token)
        .json(&json!({"timezone": "UTC"}))
        .send()
        .await?;
    // no messages: the read side is measured here, and a hundred thousand bookings made in
    // two minutes would leave the notification worker hundreds of thousands of confirmations
    // and reminders to work through (a shop's months of them) while the reads and the rebuild
    // after them are timed
    put(
        "/api/v1/business/booking-policy".into(),
        json!({"min_lead_minutes": 0, "max_advance_days": 730,
               "cancellation_window_minutes": 1440, "default_buffer_minutes": 0,
               "reminder_offsets_minutes": [1440], "notification_channels": []}),
    )
    .await?;
    let service = id(&post(
        client,
        format!("{base}/api/v1/services"),
        &token,
        &json!({"name": "Cut", "duration_minutes": 45, "price_cents": 2500}),
    )
    .await?)?;
    let week: Vec<Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| {
            json!({"weekday": d, "start": "09:00", "end": "19:00",
                        "breaks": [{"start": "12:00", "end": "12:30"}]})
        })
        .collect();
    let mut staff = Vec::with_capacity(BARBERS);
    for n in 0..BARBERS {
        let member = id(&post(
            client,
            format!("{base}/api/v1/staff"),
            &token,
            &json!({"name": format!("Barber {n:03}"), "role": "barber"}),
        )
        .await?)?;
        put(
            format!("/api/v1/staff/{member}/working-hours"),
            json!({ "days": week }),
        )
        .await?;
        staff.push(member);
    }
    // barber b's booking at hour index h is customer b * 8 + h: no customer in two chairs
    let mut customers = Vec::with_capacity(BARBERS * HOURS.len());
    for n in 0..BARBERS * HOURS.len() {
        customers.push(id(&post(
            client,
            format!("{base}/api/v1/customers"),
            &token,
            &json!({"name": format!("Regular {n}")}),
        )
        .await?)?);
    }
    let per_day = (BARBERS * HOURS.len()) as u64;
    let days = appointments.div_ceil(per_day).max(1);
    let started = Instant::now();
    let (booked, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let (staff, customers) = (Arc::new(staff), Arc::new(customers));
    let seeders: Vec<_> = (0..SEEDERS)
        .map(|worker| {
            let (client, base, token, service) = (
                client.clone(),
                base.to_owned(),
                token.clone(),
                service.clone(),
            );
            let (staff, customers, booked, failed) = (
                staff.clone(),
                customers.clone(),
                booked.clone(),
                failed.clone(),
            );
            tokio::spawn(async move {
                for day in 0..days {
                    let date =
                        (chrono::Utc::now() + chrono::Duration::days(2 + day as i64)).date_naive();
                    for barber in (worker..BARBERS).step_by(SEEDERS) {
                        for (h, hour) in HOURS.iter().enumerate() {
                            let body = json!({"customer_id": customers[barber * HOURS.len() + h],
                                "staff_id": staff[barber], "service_id": service,
                                "starts_at": format!("{date}T{hour:02}:00:00Z")});
                            let ok = client
                                .post(format!("{base}/api/v1/appointments"))
                                .bearer_auth(&token)
                                .json(&body)
                                .send()
                                .await
                                .is_ok_and(|r| r.status() == reqwest::StatusCode::CREATED);
                            let counter = if ok { &booked } else { &failed };
                            counter.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for seeder in seeders {
        let _ = seeder.await;
    }
    let seed_seconds = started.elapsed().as_secs_f64();
    // the read side catches up before anything is timed: every read model the three routes are
    // made from (availability's alone would leave the appointments and the statistics applying
    // the seeding while the calendar and the dashboard are timed)
    let (_, position) = super::create_customer(client, base, &token, 1_999_999).await?;
    let mid = (chrono::Utc::now() + chrono::Duration::days(2 + (days / 2) as i64)).date_naive();
    let availability = format!("{base}/api/v1/availability?service_id={service}&date={mid}");
    let calendar = format!("{base}/api/v1/calendar?date={mid}");
    let dashboard = format!("{base}/api/v1/dashboard");
    let caught_up = Instant::now();
    for url in [&availability, &calendar, &dashboard] {
        loop {
            let read = client
                .get(format!(
                    "{url}{}min_position={position}",
                    if url.contains('?') { '&' } else { '?' }
                ))
                .bearer_auth(&token)
                .send()
                .await?;
            let fresh = read.status().is_success() && !read.headers().contains_key("barber-stale");
            let _ = read.bytes().await?;
            if fresh {
                break;
            }
            if caught_up.elapsed() > std::time::Duration::from_secs(600) {
                return Err(BenchError::Unexpected(
                    "the read side did not catch up with the seeding in 10 minutes".into(),
                ));
            }
        }
    }
    let catch_up_seconds = caught_up.elapsed().as_secs_f64();
    vacuum_when_local().await;
    // each seeded day once (but the one timed next), before any is read again
    let mut first_reads = Vec::new();
    for day in (0..days).filter(|d| *d != days / 2) {
        let date = (chrono::Utc::now() + chrono::Duration::days(2 + day as i64)).date_naive();
        let url = format!("{base}/api/v1/availability?service_id={service}&date={date}");
        let start = Instant::now();
        let response = client.get(url).bearer_auth(&token).send().await?;
        let _ = response.error_for_status()?.bytes().await?;
        first_reads.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    first_reads.sort_by(f64::total_cmp);
    let (availability_first_p50_ms, availability_first_p99_ms) = (
        percentile(&first_reads, 0.50),
        percentile(&first_reads, 0.99),
    );
    let (availability_p50_ms, availability_p99_ms) =
        timed(client, &availability, &token, samples).await?;
    let (calendar_p50_ms, calendar_p99_ms) = timed(client, &calendar, &token, samples).await?;
    let (dashboard_p50_ms, dashboard_p99_ms) = timed(client, &dashboard, &token, samples).await?;
    let search = format!("{base}/api/v1/customers?q=Customer%201234");
    let (search_p50_ms, search_p99_ms) = timed(client, &search, search_token, samples).await?;
    let dashboard_of_search: Value = client
        .get(format!("{base}/api/v1/dashboard"))
        .bearer_auth(search_token)
        .send()
        .await?
        .json()
        .await?;
    Ok(ReadsReport {
        barbers: BARBERS,
        appointments: booked.load(Ordering::Relaxed),
        seed_seconds,
        seed_failures: failed.load(Ordering::Relaxed),
        catch_up_seconds,
        availability_p50_ms,
        availability_p99_ms,
        availability_first_p50_ms,
        availability_first_p99_ms,
        seeded_days: days,
        calendar_p50_ms,
        calendar_p99_ms,
        dashboard_p50_ms,
        dashboard_p99_ms,
        search_p50_ms,
        search_p99_ms,
        searched_customers: dashboard_of_search["customers"].as_i64().unwrap_or(0),
        samples,
    })
}

/// Vacuums and analyzes the database after the seeding, as autovacuum would have by now on a
/// production Postgres: the bench machine's Postgres runs with autovacuum off (a CI setting), and
/// what a shop would not see follows from it: plans made on the statistics of empty tables, and
/// the customer search's trigram index with every new customer still in its unsorted pending
/// list (a search then read the whole list: 9 ms, against 1.6 ms once it is merged). It then
/// writes the seeding's and the vacuum's dirty pages out (`checkpoint`), as the checkpointer
/// would have in the minutes after: a checkpoint's writes and flushes landing among the timed
/// reads would stall some of them for what is not a read's cost. Only when
/// the bench is given the database (`DATABASE_URL`, as `bench/run.sh` does); failures are
/// reported and the measurement goes on.
async fn vacuum_when_local() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        return;
    };
    let analyzed = async {
        let pool = platform::db::connect(&url, 1).await?;
        sqlx::query("vacuum analyze").execute(&pool).await?;
        sqlx::query("checkpoint").execute(&pool).await?;
        pool.close().await;
        Ok::<_, sqlx::Error>(())
    };
    if let Err(err) = analyzed.await {
        tracing::warn!(%err, "cannot vacuum the bench database; plans may be off");
    }
}

/// p50 and p99 in milliseconds of `samples` GETs of `url`, one at a time (after a warm-up).
async fn timed(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    samples: usize,
) -> Result<(f64, f64), BenchError> {
    let mut latencies = Vec::with_capacity(samples);
    for n in 0..samples + 10 {
        let start = Instant::now();
        let response = client.get(url).bearer_auth(token).send().await?;
        if !response.status().is_success() {
            return Err(BenchError::Unexpected(format!(
                "{url} answered {}",
                response.status()
            )));
        }
        let _ = response.bytes().await?;
        if n >= 10 {
            latencies.push(start.elapsed().as_secs_f64() * 1000.0);
        }
    }
    latencies.sort_by(f64::total_cmp);
    Ok((percentile(&latencies, 0.50), percentile(&latencies, 0.99)))
}

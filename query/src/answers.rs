//! Answers kept per query process by the versions of the read models they were made from.
//!
//! A calendar is asked for again and again (every screen at the front desk refreshes it) and
//! changes only when something is booked, moved, renamed or taken off: at 200 barbers it is an
//! answer of 775 kB made from 1 600 appointments. An answer that depends on nothing but read
//! models (not on the clock) is kept with the versions of those read models, read before the
//! answer is made: the global version of the rota's read models (their checkpoints' `xmin`,
//! as `chairs::rota`) and the business's own version of the others (`read_model_versions`, as
//! `chairs::days`). It is given again while every one of them is unchanged. Versions read before
//! the answer's rows can only be older than those rows: a write in between makes the kept answer
//! look stale (one more read), never a stale answer look current. A business without a version
//! row for one of the read models is answered afresh every time. The key must hold everything
//! else the answer depends on: the business and the request's parameters, and who asks if a
//! route ever answers people differently.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use platform::read_models::ReadModel;
use sqlx::PgPool;
use uuid::Uuid;

/// How long an answer is given at most before it is made again.
pub const MAX_AGE: Duration = Duration::from_secs(30);
/// How many bytes of answers one process keeps (past it, all are dropped and made again).
pub const MAX_BYTES: usize = 64 << 20;

/// The answers this process has kept.
#[derive(Clone, Default)]
pub struct Answers {
    kept: Arc<Mutex<Kept>>,
}

#[derive(Default)]
struct Kept {
    answers: HashMap<String, Answer>,
    bytes: usize,
}

struct Answer {
    versions: String,
    made_at: Instant,
    body: Bytes,
}

impl Answers {
    /// The answer kept under `key` if it was made at `versions`, and not too long ago; counted
    /// in `query_answers_total{route, kept}`.
    pub fn kept(&self, route: &'static str, key: &str, versions: &str) -> Option<Bytes> {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let found = kept
            .answers
            .get(key)
            .filter(|a| a.versions == versions && a.made_at.elapsed() < MAX_AGE)
            .map(|a| a.body.clone());
        let hit = if found.is_some() { "true" } else { "false" };
        metrics::counter!("query_answers_total", "route" => route, "kept" => hit).increment(1);
        found
    }

    /// Keeps `body` under `key`, made at `versions`.
    pub fn keep(&self, key: String, versions: String, body: Bytes) {
        let mut kept = self
            .kept
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if kept.bytes + body.len() > MAX_BYTES {
            kept.answers.clear();
            kept.bytes = 0;
        }
        kept.bytes += body.len();
        let answer = Answer {
            versions,
            made_at: Instant::now(),
            body,
        };
        if let Some(replaced) = kept.answers.insert(key, answer) {
            kept.bytes -= replaced.body.len();
        }
    }
}

/// The versions of `global` read models and of `tenant_id`'s part of `per_business` ones, as
/// one string; `None` when one of them has no version yet.
pub async fn versions(
    pool: &PgPool,
    tenant_id: Uuid,
    global: &[ReadModel],
    per_business: &[ReadModel],
) -> Result<Option<String>, sqlx::Error> {
    let global: Vec<&str> = global.iter().map(|m| m.name).collect();
    let per_business: Vec<&str> = per_business.iter().map(|m| m.name).collect();
    let (versions, found): (Option<String>, i64) = sqlx::query_as(
        "select (select string_agg(projection || '@' || xmin::text, ',' order by projection)
                   from projection_checkpoints where projection = any($1))
                || '|' || coalesce((select string_agg(read_model || '@' || xmin::text, ','
                                                      order by read_model)
                                      from read_model_versions
                                     where tenant_id = $2 and read_model = any($3)), ''),
                (select count(*) from read_model_versions
                  where tenant_id = $2 and read_model = any($3))",
    )
    .bind(&global)
    .bind(tenant_id)
    .bind(&per_business)
    .fetch_one(pool)
    .await?;
    Ok(versions.filter(|_| usize::try_from(found).is_ok_and(|n| n == per_business.len())))
}

/// A JSON answer of `body` with `headers`.
pub fn json(headers: HeaderMap, body: Bytes) -> Response {
    let mut response = (headers, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

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
//! row for one of the read models is answered afresh every time. Answers are made again after
//! [`crate::kept::MAX_AGE`] at most. The key must hold everything
//! else the answer depends on: the business and the request's parameters, and who asks if a
//! route ever answers people differently.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use platform::read_models::ReadModel;
use sqlx::PgPool;
use uuid::Uuid;

use crate::kept::ByVersion;

/// How many bytes of answers one process keeps (past it, all are dropped and made again).
pub const MAX_BYTES: usize = 64 << 20;

/// The answers this process has kept, by key.
#[derive(Clone)]
pub struct Answers(ByVersion<String, Bytes>);

impl Default for Answers {
    fn default() -> Self {
        Self(ByVersion::new(MAX_BYTES))
    }
}

impl Answers {
    /// The answer kept under `key` if it was made at `versions` (`None`: none to compare), and
    /// not too long ago; counted in `query_answers_total{route, kept}`.
    pub fn kept(&self, route: &'static str, key: &str, versions: Option<&str>) -> Option<Bytes> {
        let found = self.0.get(&key.to_owned(), versions);
        let hit = if found.is_some() { "true" } else { "false" };
        metrics::counter!("query_answers_total", "route" => route, "kept" => hit).increment(1);
        found
    }

    /// Keeps `body` under `key`, made at `versions`.
    pub fn keep(&self, key: String, versions: String, body: Bytes) {
        let weight = body.len();
        self.0.put(key, versions, body, weight);
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

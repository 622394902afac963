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
//!
//! Availability depends on the clock too, but only through the booking window: which marks of
//! the grid are not yet past and not beyond the horizon (`domain::bookable::open_marks`). So an
//! availability answer is kept with its [`Window`], and given again only at a moment whose
//! window over the answer's days is the same (for a day next week, all day; for today, until
//! the next mark passes).

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::bookable::{open_marks, Asker};
use events::business::BookingPolicy;
use platform::read_models::ReadModel;
use sqlx::PgPool;
use uuid::Uuid;

use crate::kept::ByVersion;

/// How many bytes of answers one process keeps (past it, all are dropped and made again).
pub const MAX_BYTES: usize = 64 << 20;

/// The answers this process has kept, by key.
#[derive(Clone)]
pub struct Answers(ByVersion<String, Answer>);

/// A kept answer: its body, and the booking window it was made in if it depends on the clock.
#[derive(Clone)]
struct Answer {
    body: Bytes,
    window: Option<Window>,
}

/// The booking window an answer over some local dates was made in: the first and last marks a
/// start may take (`open_marks`), held to the span the dates' starts can lie in, so that every
/// moment that gives the same two gives the same answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    policy: BookingPolicy,
    asker: Asker,
    dates: (NaiveDate, NaiveDate),
    marks: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl Window {
    /// The window `asker` books in at `now` under `policy`, over the local dates `first..=last`.
    pub fn at(
        policy: &BookingPolicy,
        asker: Asker,
        (first, last): (NaiveDate, NaiveDate),
        now: DateTime<Utc>,
    ) -> Self {
        // every instant of those local dates, in any timezone (offsets lie within ±14 hours),
        // lies strictly inside this span: a mark before it or after it says the same of all
        let margin = Duration::hours(15);
        let from = first.and_time(chrono::NaiveTime::MIN).and_utc() - margin;
        let to = last.and_time(chrono::NaiveTime::MIN).and_utc() + Duration::days(1) + margin;
        let marks = open_marks(policy, now, asker)
            .map(|(open, close)| (open.clamp(from, to), close.clamp(from, to)));
        Self {
            policy: policy.clone(),
            asker,
            dates: (first, last),
            marks,
        }
    }

    /// Whether an answer made in this window holds at `now` too.
    fn holds_at(&self, now: DateTime<Utc>) -> bool {
        *self == Self::at(&self.policy, self.asker, self.dates, now)
    }
}

impl Default for Answers {
    fn default() -> Self {
        Self(ByVersion::new(MAX_BYTES))
    }
}

impl Answers {
    /// The answer kept under `key` if it was made at `versions` (`None`: none to compare), not
    /// too long ago, and (if it depends on the clock) in the window of `now`; counted in
    /// `query_answers_total{route, kept}`.
    pub fn kept(
        &self,
        route: &'static str,
        key: &str,
        versions: Option<&str>,
        now: DateTime<Utc>,
    ) -> Option<Bytes> {
        let found = self
            .0
            .get(&key.to_owned(), versions)
            .filter(|answer| answer.window.as_ref().is_none_or(|w| w.holds_at(now)))
            .map(|answer| answer.body);
        let hit = if found.is_some() { "true" } else { "false" };
        metrics::counter!("query_answers_total", "route" => route, "kept" => hit).increment(1);
        found
    }

    /// Keeps `body` under `key`, made at `versions` (and in `window` if it depends on the
    /// clock).
    pub fn keep(&self, key: String, versions: String, body: Bytes, window: Option<Window>) {
        let weight = body.len();
        self.0.put(key, versions, Answer { body, window }, weight);
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
    .fetch_one(&mut *crate::reader::read(pool, tenant_id).await?)
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

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(day: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, h, m, s)
            .single()
            .expect("an instant")
    }

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).expect("a date")
    }

    #[test]
    fn a_window_over_days_ahead_holds_all_day_and_until_the_horizon_reaches_them() {
        let policy = BookingPolicy {
            max_advance_days: 10,
            ..BookingPolicy::default()
        };
        let window = Window::at(&policy, Asker::Shop, (date(20), date(21)), at(1, 8, 0, 0));
        assert!(window.holds_at(at(1, 23, 59, 59)));
        // until the horizon's last mark passes into the span of the days' instants (from 15
        // hours before them)
        assert!(window.holds_at(at(9, 9, 0, 0)));
        assert!(!window.holds_at(at(9, 9, 5, 0)));
    }

    #[test]
    fn a_window_over_today_holds_until_the_next_mark_passes() {
        let policy = BookingPolicy::default();
        for asker in [Asker::Shop, Asker::Customer] {
            let window = Window::at(&policy, asker, (date(1), date(1)), at(1, 10, 0, 1));
            assert!(window.holds_at(at(1, 10, 4, 59)), "{asker:?}");
            assert!(window.holds_at(at(1, 10, 5, 0)), "{asker:?}");
            assert!(!window.holds_at(at(1, 10, 5, 1)), "{asker:?}");
        }
    }

    #[test]
    fn a_window_over_past_days_holds_forever() {
        let policy = BookingPolicy::default();
        let window = Window::at(&policy, Asker::Shop, (date(1), date(1)), at(3, 10, 0, 0));
        assert!(window.holds_at(at(20, 0, 0, 0)));
    }
}

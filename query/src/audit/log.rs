//! The business's whole history in commit order: `GET /audit/events` a page at a time, and
//! [`export`] as JSON lines (`barber audit export`).
//!
//! Commit order is `(transaction_id, global_position)`, read as the relay reads it: only events
//! of transactions older than every transaction still open (`pg_snapshot_xmin`), so a
//! transaction that commits late is never passed over by a page that read past its position.
//! The business's events in that order are one index range (`events_tenant_commit_order`).

use std::io::Write;

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use platform::json::ApiQuery;
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use uuid::Uuid;

use super::{open_personal_data, AuditEvent, EventRow, EVENT_COLUMNS};
use crate::cursor;
use crate::QueryState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LogPage {
    items: Vec<AuditEvent>,
    /// Pass as `after` for what follows. Always present: the log has no last page. A page
    /// shorter than `limit` holds everything committed so far; ask again later for more.
    next_cursor: String,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListEvents {
    /// A `next_cursor` from the page before; from the beginning when absent.
    after: Option<String>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
}

/// A place in commit order: after the event of transaction `.0` (`xid8`, as text) at `.1`.
type Place = (String, i64);

/// Before the first event.
fn start() -> Place {
    ("0".to_owned(), 0)
}

/// The business's events in commit order, oldest first: every change to every record, with
/// who caused it and why.
#[utoipa::path(get, path = "/api/v1/audit/events", params(ListEvents),
    tag = "audit", security(("bearer" = ["read_history"])),
    responses((status = 200, body = LogPage),
        (status = 400, description = "invalid_query, invalid_limit or invalid_cursor",
            body = platform::problem::Problem),
        (status = 403, description = "forbidden: owners and managers only",
            body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn list_events(
    May(user, _): May<power::ReadHistory>,
    State(state): State<QueryState>,
    ApiQuery(params): ApiQuery<ListEvents>,
) -> Result<Json<LogPage>, ApiError> {
    let limit = cursor::page_size(params.limit)?;
    let after = match params.after.as_deref() {
        Some(given) => {
            let place: Place = cursor::decode(given)?;
            place.0.parse::<u64>().map_err(|_| invalid_cursor())?;
            place
        }
        None => start(),
    };
    let (rows, next) = page(&state.pool, user.tenant_id, None, &after, limit).await?;
    Ok(Json(LogPage {
        items: rows.into_iter().map(EventRow::into_event).collect(),
        next_cursor: cursor::encode(&next),
    }))
}

fn invalid_cursor() -> ApiError {
    ApiError::bad_request("invalid_cursor", "the cursor is not one we issued")
}

/// Up to `limit` events of business `tenant_id` after `after` in commit order (recorded at or
/// after `since`, if given), personal data opened, and the place after the last of them.
async fn page(
    pool: &PgPool,
    tenant_id: Uuid,
    since: Option<DateTime<Utc>>,
    after: &Place,
    limit: i64,
) -> Result<(Vec<EventRow>, Place), ApiError> {
    let mut rows: Vec<EventRow> = sqlx::query_as(&format!(
        "select {EVENT_COLUMNS} from events
          where tenant_id = $1
            and (transaction_id, global_position) > ($2::text::xid8, $3)
            and transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            and ($4::timestamptz is null or recorded_at >= $4)
          order by transaction_id, global_position
          limit $5"
    ))
    .bind(tenant_id)
    .bind(&after.0)
    .bind(after.1)
    .bind(since)
    .bind(limit)
    .fetch_all(&mut *crate::reader::read(pool, tenant_id).await?)
    .await?;
    let next = rows
        .last()
        .map_or_else(|| after.clone(), |r| (r.xid.clone(), r.global_position));
    open_personal_data(pool, tenant_id, &mut rows).await?;
    Ok((rows, next))
}

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("reading the event store: {0}")]
    Read(String),
    #[error("writing the export: {0}")]
    Write(#[from] std::io::Error),
}

/// How many events an export reads at a time: what it holds in memory at once.
const EXPORT_BATCH: i64 = 500;

/// Writes business `business_id`'s history (recorded at or after `since`, if given) to `out`
/// as JSON lines, one [`AuditEvent`] a line, in commit order, a batch at a time; returns how
/// many it wrote. What is committed while it runs is included up to the last batch it reads.
pub async fn export(
    pool: &PgPool,
    business_id: Uuid,
    since: Option<DateTime<Utc>>,
    out: &mut impl Write,
) -> Result<u64, ExportError> {
    let mut after = start();
    let mut written = 0;
    loop {
        let (rows, next) = page(pool, business_id, since, &after, EXPORT_BATCH)
            .await
            .map_err(|e| ExportError::Read(e.to_string()))?;
        if rows.is_empty() {
            out.flush()?;
            return Ok(written);
        }
        for row in rows {
            serde_json::to_writer(&mut *out, &row.into_event()).map_err(std::io::Error::from)?;
            out.write_all(b"\n")?;
            written += 1;
        }
        after = next;
    }
}

//! `GET /audit/streams/{aggregate_type}/{id}`: every event of one record, in sequence order,
//! keyset-paginated by sequence (the primary key's order, so each page is one index range).

use axum::extract::State;
use axum::Json;
use platform::json::{ApiPath, ApiQuery};
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};

use super::{open_personal_data, record, AuditEvent, EventRow, EVENT_COLUMNS};
use crate::cursor;
use crate::QueryState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StreamPage {
    items: Vec<AuditEvent>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListStream {
    /// 1 to 200, default 50.
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Every event of one record of the business, oldest first, with who caused it (`actor`), the
/// request it came from (`correlation_id`) and its direct cause (`causation_id`).
#[utoipa::path(get, path = "/api/v1/audit/streams/{aggregate_type}/{id}",
    params(("aggregate_type" = String, Path, description = "account, business, staff, service, \
            customer, appointment, schedule or customer_day"),
        ("id" = String, Path, description = "a UUID, or {uuid}:{YYYY-MM-DD} for a day"),
        ListStream),
    tag = "audit", security(("bearer" = ["read_history"])),
    responses((status = 200, body = StreamPage),
        (status = 400, description = "invalid_query, invalid_limit or invalid_cursor",
            body = platform::problem::Problem),
        (status = 403, description = "forbidden: owners and managers only",
            body = platform::problem::Problem),
        (status = 404, description = "unknown_record_type, or record_not_found (none in this \
            business)", body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(aggregate_type = %aggregate_type, id = %id))]
pub async fn list_stream_events(
    May(user, _): May<power::ReadHistory>,
    State(state): State<QueryState>,
    ApiPath((aggregate_type, id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<ListStream>,
) -> Result<Json<StreamPage>, ApiError> {
    let (kind, stored_id) = record(&aggregate_type, &id)?;
    let limit = cursor::page_size(params.limit)?;
    let after: i64 = match params.cursor.as_deref() {
        Some(given) => cursor::decode(given)?,
        None => 0,
    };
    let mut rows: Vec<EventRow> = sqlx::query_as(&format!(
        "select {EVENT_COLUMNS} from events
          where aggregate_type = $1 and aggregate_id = $2 and tenant_id = $3 and sequence > $4
          order by sequence
          limit $5"
    ))
    .bind(kind.aggregate_type())
    .bind(&stored_id)
    .bind(user.tenant_id)
    .bind(after)
    .bind(limit + 1)
    .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
    .await?;
    if rows.is_empty() && params.cursor.is_none() {
        return Err(super::not_found());
    }
    let next_cursor = cursor::next_page(&mut rows, limit, |r| r.sequence);
    open_personal_data(&state.pool, user.tenant_id, &mut rows).await?;
    Ok(Json(StreamPage {
        items: rows.into_iter().map(EventRow::into_event).collect(),
        next_cursor,
    }))
}

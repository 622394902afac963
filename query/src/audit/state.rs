//! `GET /audit/streams/{aggregate_type}/{id}/state?as_of=`: a record as it was at a moment,
//! folded from its events by the aggregate's own `Default` and `apply` (`domain::replay`), as
//! the command side folds a record it loads.
//!
//! "As it was at `as_of`" is the longest run of its events, from the first, recorded at or
//! before `as_of`: `recorded_at` is its transaction's start, so two writers racing on a record
//! can leave a later sequence a hair earlier than the one before it, and a fold must never skip
//! an event and apply the next.

use axum::extract::State;
use axum::Json;
use chrono::{DateTime, Utc};
use domain::replay::RecordType;
use platform::json::{ApiPath, ApiQuery};
use platform::personal_data::{erased, has_erased_pii};
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{open_personal_data, record, EventRow, EVENT_COLUMNS};
use crate::QueryState;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordState {
    aggregate_type: String,
    aggregate_id: String,
    /// The moment asked about.
    as_of: DateTime<Utc>,
    /// The last event folded in: the record's state after it.
    sequence: i64,
    global_position: i64,
    recorded_at: DateTime<Utc>,
    /// Some of its personal data belongs to an erased customer: those fields read
    /// `{"erased": true}` (a customer's `pii` and `preferences`) or take their empty defaults.
    personal_data_erased: bool,
    /// The aggregate's state, as the command side holds it.
    #[schema(value_type = Object)]
    state: Value,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StateAsOf {
    /// RFC 3339; the record as it was then. Now when absent.
    as_of: Option<DateTime<Utc>>,
}

/// One record of the business as it was at `as_of`.
#[utoipa::path(get, path = "/api/v1/audit/streams/{aggregate_type}/{id}/state",
    params(("aggregate_type" = String, Path, description = "account, business, staff, service, \
            customer, appointment, schedule or customer_day"),
        ("id" = String, Path, description = "a UUID, or {uuid}:{YYYY-MM-DD} for a day"),
        StateAsOf),
    tag = "audit", security(("bearer" = ["read_history"])),
    responses((status = 200, body = RecordState),
        (status = 400, description = "invalid_query", body = platform::problem::Problem),
        (status = 403, description = "forbidden: owners and managers only",
            body = platform::problem::Problem),
        (status = 404, description = "unknown_record_type, record_not_found (none in this \
            business), or not_yet_recorded (its first event came after as_of)",
            body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(aggregate_type = %aggregate_type, id = %id))]
pub async fn get_state_as_of(
    May(user, _): May<power::ReadHistory>,
    State(state): State<QueryState>,
    ApiPath((aggregate_type, id)): ApiPath<(String, String)>,
    ApiQuery(params): ApiQuery<StateAsOf>,
) -> Result<Json<RecordState>, ApiError> {
    let (kind, stored_id) = record(&aggregate_type, &id)?;
    let as_of = params.as_of.unwrap_or_else(Utc::now);
    // the stream up to (not including) its first event recorded after `as_of`
    let mut rows: Vec<EventRow> = sqlx::query_as(&format!(
        "select {EVENT_COLUMNS} from events
          where aggregate_type = $1 and aggregate_id = $2 and tenant_id = $3
            and sequence < coalesce((select min(sequence) from events
                                      where aggregate_type = $1 and aggregate_id = $2
                                        and recorded_at > $4), 2147483647)
          order by sequence"
    ))
    .bind(kind.aggregate_type())
    .bind(&stored_id)
    .bind(user.tenant_id)
    .bind(as_of)
    .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
    .await?;
    let Some(last) = rows.last() else {
        return Err(absent_at(&state, user.tenant_id, kind, &stored_id).await?);
    };
    let (sequence, global_position, recorded_at) =
        (last.sequence, last.global_position, last.recorded_at);
    open_personal_data(&state.pool, user.tenant_id, &mut rows).await?;
    let personal_data_erased = rows.iter().any(|r| has_erased_pii(&r.payload));
    let mut folded = kind
        .fold(rows.into_iter().map(|r| r.payload))
        .map_err(ApiError::internal)?;
    if personal_data_erased && kind == RecordType::Customer {
        for field in ["pii", "preferences"] {
            if let Some(value) = folded.get_mut(field) {
                *value = erased();
            }
        }
    }
    Ok(Json(RecordState {
        aggregate_type: kind.aggregate_type().to_owned(),
        aggregate_id: stored_id,
        as_of,
        sequence,
        global_position,
        recorded_at,
        personal_data_erased,
        state: folded,
    }))
}

/// Why a record has no event at `as_of`: it came later (`not_yet_recorded`), or it is not one
/// of this business's records at all (`record_not_found`).
async fn absent_at(
    state: &QueryState,
    tenant_id: uuid::Uuid,
    kind: RecordType,
    stored_id: &str,
) -> Result<ApiError, ApiError> {
    // the record's first event, in `events_records` (whose ids are collated "C")
    let exists: bool = sqlx::query_scalar(
        r#"select exists (select 1 from events
                           where tenant_id = $3 and aggregate_type = $1
                             and aggregate_id collate "C" = $2 and sequence = 1)"#,
    )
    .bind(kind.aggregate_type())
    .bind(stored_id)
    .bind(tenant_id)
    .fetch_one(&mut *crate::reader::read(&state.pool, tenant_id).await?)
    .await?;
    Ok(if exists {
        ApiError::not_found(
            "not_yet_recorded",
            "the record's first event was recorded after as_of: it did not exist yet",
        )
    } else {
        super::not_found()
    })
}

//! `GET /services` (the catalog, keyset-paginated) and `GET /services/{id}`.
//!
//! The list is ordered as the booking page shows it: by category (uncategorised last), then by
//! name. Retired services are left out unless `include_retired=true`; one service is readable
//! by id whether retired or not, since past appointments name it.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use platform::json::{ApiPath, ApiQuery};
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cursor;
use crate::freshness::{Consistency, BUSINESSES, SERVICES};
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new()
        .route("/services", get(list_services))
        .route("/services/{id}", get(get_service))
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct ServiceView {
    #[sqlx(rename = "service_id")]
    id: Uuid,
    name: String,
    category: Option<String>,
    duration_minutes: i32,
    /// Integer minor units of `currency`.
    price_cents: i64,
    /// ISO 4217.
    currency: String,
    /// Clean-up time after the service as set on it; 0 means the business's default.
    buffer_minutes: i32,
    /// The clean-up time a booking of it actually keeps free: `buffer_minutes`, or the booking
    /// policy's default buffer when that is 0.
    applied_buffer_minutes: i32,
    /// False once retired.
    active: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// The row's place in the list's order, as the database computes it (for the cursor).
    #[serde(skip)]
    sort_key: SortKey,
}

/// (uncategorised, lower-case category, lower-case name, id): the keyset of the list.
type SortKey = (bool, String, String, Uuid);

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServicePage {
    items: Vec<ServiceView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListServices {
    /// Also list retired services (default false).
    include_retired: Option<bool>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
    cursor: Option<String>,
    /// Wait until the list includes the write that answered this position.
    min_position: Option<i64>,
}

const COLUMNS: &str = "s.service_id, s.name, s.category, s.duration_minutes, s.price_cents, \
    s.currency, s.buffer_minutes, \
    case when s.buffer_minutes = 0 \
         then coalesce((b.policy ->> 'default_buffer_minutes')::int, 0) \
         else s.buffer_minutes end as applied_buffer_minutes, \
    s.active, s.created_at, s.updated_at, \
    (s.category is null, lower(coalesce(s.category, '')), lower(s.name), s.service_id) as sort_key";

/// The services and, for the default buffer, their business's policy.
const FROM: &str = "services s left join businesses b on b.tenant_id = s.tenant_id";

/// The business's services in catalog order.
#[utoipa::path(get, path = "/api/v1/services", params(ListServices), tag = "services",
    security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = ServicePage), (status = 400, body = platform::problem::Problem)))]
pub async fn list_services(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiQuery(params): ApiQuery<ListServices>,
) -> Result<(HeaderMap, Json<ServicePage>), ApiError> {
    let limit = cursor::page_size(params.limit)?;
    let after: Option<SortKey> = params.cursor.as_deref().map(cursor::decode).transpose()?;
    let consistency = wait(&state, params.min_position).await?;
    let sql = format!(
        "select {COLUMNS}
           from {FROM}
          where s.tenant_id = $1
            and (s.active or $2)
            and ($3::bool is null
                 or (s.category is null, lower(coalesce(s.category, '')), lower(s.name),
                     s.service_id) > ($3, $4, $5, $6))
          order by s.category is null, lower(coalesce(s.category, '')), lower(s.name),
                   s.service_id
          limit $7"
    );
    let mut items: Vec<ServiceView> = sqlx::query_as(&sql)
        .bind(user.tenant_id)
        .bind(params.include_retired.unwrap_or(false))
        .bind(after.as_ref().map(|key| key.0))
        .bind(after.as_ref().map(|key| key.1.clone()))
        .bind(after.as_ref().map(|key| key.2.clone()))
        .bind(after.as_ref().map(|key| key.3))
        .bind(limit + 1)
        .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
        .await?;
    let next_cursor = if items.len() > usize::try_from(limit).unwrap_or(usize::MAX) {
        items.pop();
        items.last().map(|last| cursor::encode(&last.sort_key))
    } else {
        None
    };
    Ok((
        consistency.headers(),
        Json(ServicePage { items, next_cursor }),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetService {
    /// Wait until the record includes the write that answered this position.
    min_position: Option<i64>,
}

/// One service, retired or not.
#[utoipa::path(get, path = "/api/v1/services/{id}", params(("id" = Uuid, Path), GetService),
    tag = "services", security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = ServiceView), (status = 404, body = platform::problem::Problem)))]
pub async fn get_service(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiPath(service_id): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<GetService>,
) -> Result<(HeaderMap, Json<ServiceView>), ApiError> {
    let consistency = wait(&state, params.min_position).await?;
    let service: Option<ServiceView> = sqlx::query_as(&format!(
        "select {COLUMNS} from {FROM} where s.tenant_id = $1 and s.service_id = $2"
    ))
    .bind(user.tenant_id)
    .bind(service_id)
    .fetch_optional(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
    .await?;
    let service = service
        .ok_or_else(|| ApiError::not_found("service_not_found", "the service does not exist"))?;
    Ok((consistency.headers(), Json(service)))
}

/// Waits until the services and the businesses (whose policy gives the default buffer) both
/// include `min_position`; stale if either does not.
async fn wait(state: &QueryState, min_position: Option<i64>) -> Result<Consistency, ApiError> {
    let services = state.freshness.wait_for(SERVICES, min_position).await?;
    let businesses = state.freshness.wait_for(BUSINESSES, min_position).await?;
    Ok(services.and(businesses))
}

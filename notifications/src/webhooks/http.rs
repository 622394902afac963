//! The webhook routes: register an endpoint (its signing secret shown once), list and remove
//! endpoints, read an endpoint's delivery log, and send a delivery again.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use platform::json::{ApiJson, ApiPath, ApiQuery};
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{address, events, signing};
use crate::http::NotificationsState;

pub fn routes() -> Router<NotificationsState> {
    Router::new()
        .route("/webhooks", post(register_webhook).get(list_webhooks))
        .route("/webhooks/{id}", delete(remove_webhook))
        .route("/webhooks/{id}/deliveries", get(list_deliveries))
        .route("/webhooks/deliveries/{id}/redeliver", post(redeliver))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    /// Where deliveries are POSTed: an `https://` address on the public internet.
    url: String,
    /// The event types wanted, e.g. `appointment.booked` (see the API docs for the list).
    event_types: Vec<String>,
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct WebhookView {
    #[sqlx(rename = "endpoint_id")]
    id: Uuid,
    url: String,
    event_types: Vec<String>,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookRegistered {
    id: Uuid,
    url: String,
    event_types: Vec<String>,
    /// The signing secret (`whsec_…`), shown this once: deliveries carry `webhook-id`,
    /// `webhook-timestamp` and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of
    /// `{id}.{timestamp}.{body}` with the secret's key), the Standard Webhooks convention.
    secret: String,
}

/// Registers an endpoint for the business's events of the types asked for. 422
/// `invalid_webhook_url` for an address that is not `https://` on the public internet,
/// `unknown_event_type` for a type that is none of the list.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookRequest,
    security(("bearer" = ["change_settings"])),
    responses((status = 201, body = WebhookRegistered),
        (status = 422, description = "invalid_webhook_url, unknown_event_type",
            body = platform::problem::Problem)))]
pub async fn register_webhook(
    State(state): State<NotificationsState>,
    May(user, _): May<power::ChangeSettings>,
    ApiJson(body): ApiJson<WebhookRequest>,
) -> Result<(StatusCode, Json<WebhookRegistered>), ApiError> {
    let mut types = body.event_types;
    types.sort();
    types.dedup();
    if types.is_empty() {
        return Err(ApiError::unprocessable(
            "unknown_event_type",
            format!(
                "name at least one event type of: {}",
                events::TYPES.join(", ")
            ),
        ));
    }
    if let Some(unknown) = types.iter().find(|t| !events::TYPES.contains(&t.as_str())) {
        return Err(ApiError::unprocessable(
            "unknown_event_type",
            format!("{unknown:?} is none of: {}", events::TYPES.join(", ")),
        ));
    }
    let url = address::check(&body.url, state.allow_private_webhooks)
        .await
        .map_err(|reason| ApiError::unprocessable("invalid_webhook_url", reason))?;
    let id = Uuid::now_v7();
    let secret = signing::new_secret();
    sqlx::query(
        "insert into webhook_endpoints
                (endpoint_id, tenant_id, url, event_types, secret, created_at)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(user.tenant_id)
    .bind(url.as_str())
    .bind(&types)
    .bind(&secret)
    .bind(Utc::now())
    .execute(&state.pool)
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(WebhookRegistered {
            id,
            url: url.to_string(),
            event_types: types,
            secret,
        }),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookList {
    items: Vec<WebhookView>,
}

/// The business's endpoints (their secrets are not shown again).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    security(("bearer" = ["change_settings"])), responses((status = 200, body = WebhookList)))]
pub async fn list_webhooks(
    State(state): State<NotificationsState>,
    May(user, _): May<power::ChangeSettings>,
) -> Result<Json<WebhookList>, ApiError> {
    let items = sqlx::query_as(
        "select endpoint_id, url, event_types, created_at from webhook_endpoints
          where tenant_id = $1 and removed_at is null order by created_at",
    )
    .bind(user.tenant_id)
    .fetch_all(&state.pool)
    .await?;
    Ok(Json(WebhookList { items }))
}

/// Removes an endpoint: nothing more is sent to it (what was waiting is marked failed); its
/// log stays.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks",
    params(("id" = Uuid, Path)), security(("bearer" = ["change_settings"])),
    responses((status = 204),
        (status = 404, description = "webhook_not_found", body = platform::problem::Problem)))]
pub async fn remove_webhook(
    State(state): State<NotificationsState>,
    May(user, _): May<power::ChangeSettings>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    let mut tx = state.pool.begin().await?;
    let removed = sqlx::query(
        "update webhook_endpoints set removed_at = now()
          where endpoint_id = $1 and tenant_id = $2 and removed_at is null",
    )
    .bind(id)
    .bind(user.tenant_id)
    .execute(&mut *tx)
    .await?;
    if removed.rows_affected() == 0 {
        return Err(not_found());
    }
    sqlx::query(
        "update webhook_deliveries set state = 'failed', last_error = 'the endpoint was removed'
          where endpoint_id = $1 and state in ('pending', 'retrying')",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

fn not_found() -> ApiError {
    ApiError::not_found(
        "webhook_not_found",
        "no webhook endpoint of this business has this id",
    )
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DeliveryView {
    #[sqlx(rename = "delivery_id")]
    id: Uuid,
    event_type: String,
    /// `pending`, `sending`, `delivered`, `retrying` or `failed` (given up after about a day).
    state: String,
    attempts: i32,
    /// The endpoint's last answer.
    last_status: Option<i32>,
    last_error: Option<String>,
    next_attempt_at: DateTime<Utc>,
    delivered_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    /// What is POSTed.
    #[schema(value_type = Object)]
    body: serde_json::Value,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeliveryList {
    items: Vec<DeliveryView>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListDeliveries {
    /// 1 to 200, default 50: the newest.
    limit: Option<i64>,
}

/// An endpoint's delivery log, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks",
    params(("id" = Uuid, Path), ListDeliveries), security(("bearer" = ["change_settings"])),
    responses((status = 200, body = DeliveryList),
        (status = 404, description = "webhook_not_found", body = platform::problem::Problem)))]
pub async fn list_deliveries(
    State(state): State<NotificationsState>,
    May(user, _): May<power::ChangeSettings>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(params): ApiQuery<ListDeliveries>,
) -> Result<Json<DeliveryList>, ApiError> {
    let limit = platform::paging::page_size(params.limit)?;
    let exists: bool = sqlx::query_scalar(
        "select exists (select 1 from webhook_endpoints where endpoint_id = $1 and tenant_id = $2)",
    )
    .bind(id)
    .bind(user.tenant_id)
    .fetch_one(&state.pool)
    .await?;
    if !exists {
        return Err(not_found());
    }
    let items = sqlx::query_as(
        "select delivery_id, event_type, state, attempts, last_status, last_error,
                next_attempt_at, delivered_at, created_at, body
           from webhook_deliveries where endpoint_id = $1 and tenant_id = $2
          order by transaction_id desc, global_position desc limit $3",
    )
    .bind(id)
    .bind(user.tenant_id)
    .bind(limit)
    .fetch_all(&state.pool)
    .await?;
    Ok(Json(DeliveryList { items }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Redelivery {
    id: Uuid,
    /// `pending`: sent at the worker's next poll, with the same `webhook-id`.
    state: &'static str,
}

/// Sends a delivery again (delivered or failed), with the same `webhook-id`, so a receiver that
/// lost it (or fixed a bug) gets it once more. 409 `delivery_in_progress` while it is still on
/// its way.
#[utoipa::path(post, path = "/api/v1/webhooks/deliveries/{id}/redeliver", tag = "webhooks",
    params(("id" = Uuid, Path)), security(("bearer" = ["change_settings"])),
    responses((status = 200, body = Redelivery),
        (status = 404, description = "delivery_not_found", body = platform::problem::Problem),
        (status = 409, description = "delivery_in_progress", body = platform::problem::Problem)))]
pub async fn redeliver(
    State(state): State<NotificationsState>,
    May(user, _): May<power::ChangeSettings>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<Redelivery>, ApiError> {
    let current: Option<String> = sqlx::query_scalar(
        "select d.state from webhook_deliveries d
           join webhook_endpoints w on w.endpoint_id = d.endpoint_id
          where d.delivery_id = $1 and d.tenant_id = $2 and w.removed_at is null",
    )
    .bind(id)
    .bind(user.tenant_id)
    .fetch_optional(&state.pool)
    .await?;
    match current.as_deref() {
        None => Err(ApiError::not_found(
            "delivery_not_found",
            "no delivery to a webhook endpoint of this business has this id",
        )),
        Some("delivered" | "failed") => {
            sqlx::query(
                "update webhook_deliveries
                    set state = 'pending', next_attempt_at = $2, claimed_until = null
                  where delivery_id = $1 and state in ('delivered', 'failed')",
            )
            .bind(id)
            .bind(state.clock.now())
            .execute(&state.pool)
            .await?;
            Ok(Json(Redelivery {
                id,
                state: "pending",
            }))
        }
        Some(_) => Err(ApiError::client(
            StatusCode::CONFLICT,
            "delivery_in_progress",
            "the delivery is still on its way",
        )),
    }
}

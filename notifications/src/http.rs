//! `POST /notifications/{id}/retry`: sends a failed (or skipped) message again, from its first
//! attempt, at the worker's next poll (the list of messages is the query service's,
//! `GET /notifications`); and the webhook routes (`crate::webhooks::http`).

use std::sync::Arc;

use axum::extract::{FromRef, State};
use axum::routing::post;
use axum::{Json, Router};
use platform::auth::JwtKeys;
use platform::clock::Clock;
use platform::json::ApiPath;
use platform::roles::{power, May};
use platform::ApiError;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

/// What the routes need.
#[derive(Clone)]
pub struct NotificationsState {
    pub pool: PgPool,
    pub keys: JwtKeys,
    pub clock: Arc<dyn Clock>,
    /// `WEBHOOKS_ALLOW_PRIVATE`.
    pub allow_private_webhooks: bool,
}

impl FromRef<NotificationsState> for JwtKeys {
    fn from_ref(state: &NotificationsState) -> Self {
        state.keys.clone()
    }
}

/// The routes, under `/api/v1`.
pub fn router(state: NotificationsState) -> Router {
    Router::new()
        .route("/notifications/{id}/retry", post(retry_notification))
        .merge(crate::webhooks::http::routes())
        .with_state(state)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RetryAccepted {
    id: Uuid,
    /// `pending`: the worker sends it at its next poll.
    status: &'static str,
}

/// Sends a failed or skipped message again (its attempts start over). 404
/// `notification_not_found`; 409 `notification_not_failed` for a message that is pending,
/// sent, or withdrawn because its appointment moved or ended.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/retry", tag = "notifications",
    params(("id" = Uuid, Path)), security(("bearer" = ["keep_customers"])),
    responses((status = 200, body = RetryAccepted),
        (status = 404, description = "notification_not_found", body = platform::problem::Problem),
        (status = 409, description = "notification_not_failed", body = platform::problem::Problem)))]
pub async fn retry_notification(
    State(state): State<NotificationsState>,
    May(user, _): May<power::KeepCustomers>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<Json<RetryAccepted>, ApiError> {
    let now = state.clock.now();
    let retried = sqlx::query(
        "update notification_deliveries d
            set state = 'retrying', attempts = 0, next_attempt_at = $3, claimed_until = null,
                recorded_at = null, updated_at = $3
           from notifications n
          where d.notification_id = $1 and d.tenant_id = $2 and d.state in ('failed', 'skipped')
            and n.notification_id = d.notification_id and n.status = 'pending'",
    )
    .bind(id)
    .bind(user.tenant_id)
    .bind(now)
    .execute(&state.pool)
    .await?;
    if retried.rows_affected() == 1 {
        return Ok(Json(RetryAccepted {
            id,
            status: "pending",
        }));
    }
    let exists: bool = sqlx::query_scalar(
        "select exists (select 1 from notifications where notification_id = $1 and tenant_id = $2)",
    )
    .bind(id)
    .bind(user.tenant_id)
    .fetch_one(&state.pool)
    .await?;
    Err(if exists {
        ApiError::client(
            axum::http::StatusCode::CONFLICT,
            "notification_not_failed",
            "only a failed or skipped message can be sent again",
        )
    } else {
        ApiError::not_found("notification_not_found", "no such message")
    })
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    retry_notification,
    crate::webhooks::http::register_webhook,
    crate::webhooks::http::list_webhooks,
    crate::webhooks::http::remove_webhook,
    crate::webhooks::http::list_deliveries,
    crate::webhooks::http::redeliver,
))]
pub struct NotificationsApi;

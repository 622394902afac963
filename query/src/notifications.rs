//! `GET /notifications`: the messages customers were sent or are to be sent about their
//! appointments, newest first, with what became of each (sent, pending, failed with the error,
//! skipped with why, withdrawn when the appointment moved or ended). Filter by `status` (e.g.
//! `failed`, to retry them) or by appointment.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use platform::json::ApiQuery;
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cursor;
use crate::freshness::NOTIFICATIONS;
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new().route("/notifications", get(list_notifications))
}

/// What became of a message, as one word: sent; withdrawn (its appointment moved or ended
/// before it went), unless it had been skipped already (why is worth showing); failed; skipped;
/// else pending.
const STATUS: &str = "case when n.status = 'sent' or d.state = 'sent' then 'sent'
                           when n.status = 'withdrawn' and d.state is distinct from 'skipped'
                                then 'withdrawn'
                           when d.state = 'failed' then 'failed'
                           when d.state = 'skipped' then 'skipped'
                           else 'pending' end";

/// The statuses a message can be in.
const STATUSES: [&str; 5] = ["pending", "sent", "failed", "skipped", "withdrawn"];

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct NotificationView {
    #[sqlx(rename = "notification_id")]
    id: Uuid,
    appointment_id: Uuid,
    customer_id: Uuid,
    /// `null` once the customer is erased.
    customer_name: Option<String>,
    /// `confirmation`, `reminder`, `rescheduled`, `cancelled` or `follow_up`.
    kind: String,
    /// `email` or `sms`.
    channel: String,
    /// A reminder's: how long before the start it goes out.
    offset_minutes: Option<i32>,
    /// The start the message is about.
    starts_at: DateTime<Utc>,
    /// When it is (or was) to go out.
    due_at: DateTime<Utc>,
    /// `pending`, `sent`, `failed` (given up: retry it), `skipped` (nothing to send it by, or
    /// too late to be worth it: see `error`) or `withdrawn` (the appointment moved or ended).
    status: String,
    /// Sends tried.
    attempts: i32,
    /// Why the last try failed, or why it was skipped.
    error: Option<String>,
    /// When a failed send is tried again (`pending` after a failure).
    next_attempt_at: Option<DateTime<Utc>>,
    /// Whether `POST /notifications/{id}/retry` sends it again: failed or skipped, and its
    /// appointment still wants it.
    can_retry: bool,
    sent_at: Option<DateTime<Utc>>,
    /// The provider's id of the message: an SMS's sid, an email's Message-ID.
    provider_id: Option<String>,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NotificationPage {
    items: Vec<NotificationView>,
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListNotifications {
    /// `pending`, `sent`, `failed`, `skipped` or `withdrawn`.
    status: Option<String>,
    /// Only the messages about this appointment.
    appointment_id: Option<Uuid>,
    /// 1 to 200, default 50.
    limit: Option<i64>,
    cursor: Option<String>,
    /// Wait until the list includes the write that answered this position.
    min_position: Option<i64>,
}

/// The business's messages to customers, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", params(ListNotifications),
    tag = "notifications", security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = NotificationPage),
        (status = 400, description = "invalid_status, invalid_cursor, invalid_limit",
            body = platform::problem::Problem)))]
pub async fn list_notifications(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiQuery(params): ApiQuery<ListNotifications>,
) -> Result<(HeaderMap, Json<NotificationPage>), ApiError> {
    let limit = cursor::page_size(params.limit)?;
    if let Some(status) = params.status.as_deref() {
        if !STATUSES.contains(&status) {
            return Err(ApiError::bad_request(
                "invalid_status",
                format!("status must be one of {}", STATUSES.join(", ")),
            ));
        }
    }
    let after: Option<(DateTime<Utc>, Uuid)> =
        params.cursor.as_deref().map(cursor::decode).transpose()?;
    let consistency = state
        .freshness
        .wait_for(NOTIFICATIONS, params.min_position)
        .await?;
    let sql = format!(
        "select * from (
             select n.notification_id, n.appointment_id, n.customer_id,
                    case when c.erased_at is null then c.name end as customer_name,
                    n.kind, n.channel,
                    n.offset_minutes, n.starts_at, n.due_at, {STATUS} as status,
                    coalesce(d.attempts, 0) as attempts, d.last_error as error,
                    case when d.state = 'retrying' then d.next_attempt_at end as next_attempt_at,
                    coalesce(d.state in ('failed', 'skipped') and n.status = 'pending', false)
                        as can_retry,
                    coalesce(n.sent_at, d.sent_at) as sent_at,
                    coalesce(n.provider_id, d.provider_id) as provider_id, n.created_at
               from notifications n
               left join notification_deliveries d on d.notification_id = n.notification_id
               left join customers c on c.tenant_id = n.tenant_id and c.customer_id = n.customer_id
              where n.tenant_id = $1
                and ($2::uuid is null or n.appointment_id = $2)
                and ($3::timestamptz is null or (n.created_at, n.notification_id) < ($3, $4))
         ) m
          where $5::text is null or m.status = $5
          order by created_at desc, notification_id desc
          limit $6"
    );
    let mut items: Vec<NotificationView> = sqlx::query_as(&sql)
        .bind(user.tenant_id)
        .bind(params.appointment_id)
        .bind(after.map(|a| a.0))
        .bind(after.map(|a| a.1))
        .bind(params.status.as_deref())
        .bind(limit + 1)
        .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
        .await?;
    let next_cursor = cursor::next_page(&mut items, limit, |last| (last.created_at, last.id));
    Ok((
        consistency.headers(),
        Json(NotificationPage { items, next_cursor }),
    ))
}

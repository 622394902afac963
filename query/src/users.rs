//! `GET /users` (the business's logins) and `GET /me` (the caller's own). Read from `users`,
//! the credentials the command side writes with every account event, so they are always
//! current: no `min_position` needed.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use platform::json::ApiQuery;
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::cursor;
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new()
        .route("/users", get(list_users))
        .route("/me", get(get_me))
}

/// A login of the business.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct UserView {
    #[sqlx(rename = "user_id")]
    id: Uuid,
    email: String,
    name: String,
    /// `owner`, `manager`, `front_desk`, `barber` or `auditor`.
    role: String,
    /// The staff member whose chair the login is.
    staff_id: Option<Uuid>,
    /// `invited` (no password yet), `active` or `disabled`.
    status: String,
    created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserPage {
    items: Vec<UserView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListUsers {
    /// 1 to 200, default 50.
    limit: Option<i64>,
    cursor: Option<String>,
}

const COLUMNS: &str = "user_id, email, name, role, staff_id, \
    case when disabled_at is not null then 'disabled' \
         when password_hash is null then 'invited' else 'active' end as status, created_at";

/// The business's logins, by email.
#[utoipa::path(get, path = "/api/v1/users", params(ListUsers), tag = "users",
    security(("bearer" = ["manage_staff"])),
    responses((status = 200, body = UserPage), (status = 403, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn list_users(
    State(state): State<QueryState>,
    May(user, _): May<power::ManageStaff>,
    ApiQuery(query): ApiQuery<ListUsers>,
) -> Result<Json<UserPage>, ApiError> {
    let limit = cursor::page_size(query.limit)?;
    let after: Option<(String, Uuid)> = query.cursor.as_deref().map(cursor::decode).transpose()?;
    let (after_email, after_id) = after.unzip();
    let sql = format!(
        "select {COLUMNS} from users
          where business_id = $1
            and ($2::text is null or (lower(email), user_id) > ($2, $3))
          order by lower(email), user_id
          limit $4"
    );
    let mut items: Vec<UserView> = sqlx::query_as(&sql)
        .bind(user.tenant_id)
        .bind(after_email)
        .bind(after_id)
        .bind(limit + 1)
        .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
        .await?;
    let next_cursor = cursor::next_page(&mut items, limit, |u| (u.email.to_lowercase(), u.id));
    Ok(Json(UserPage { items, next_cursor }))
}

/// The caller's own login.
#[utoipa::path(get, path = "/api/v1/me", tag = "users",
    security(("bearer" = ["own_account"])),
    responses((status = 200, body = UserView),
        (status = 404, description = "user_not_found", body = platform::problem::Problem)))]
pub async fn get_me(
    State(state): State<QueryState>,
    May(user, _): May<power::OwnAccount>,
) -> Result<Json<UserView>, ApiError> {
    let sql = format!("select {COLUMNS} from users where user_id = $1 and business_id = $2");
    sqlx::query_as(&sql)
        .bind(user.user_id)
        .bind(user.tenant_id)
        .fetch_optional(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("user_not_found", "the token's user is not on record"))
}

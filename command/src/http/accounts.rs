//! `POST /signup`, `POST /login`, `POST /token/refresh`, `POST /logout`: the routes that need
//! no access token.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use platform::client::ClientAddress;
use platform::json::ApiJson;
use platform::request::RequestContext;
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::CommandState;
use crate::accounts::{self, SignUp};
use crate::sessions::{self, Session};

/// The routes that need no token, named once for the idempotency middleware too.
pub(super) const SIGN_UP: &str = "/signup";
pub const LOG_IN: &str = "/login";
pub const REFRESH: &str = "/token/refresh";
pub const LOG_OUT: &str = "/logout";

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route(SIGN_UP, post(sign_up))
        .route(LOG_IN, post(log_in))
        .route(REFRESH, post(refresh))
        .route(LOG_OUT, post(log_out))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpRequest {
    business_name: String,
    /// The public booking address: `/public/{slug}`.
    slug: String,
    /// IANA name, e.g. `Europe/London`.
    timezone: String,
    /// ISO 4217; defaults to `USD`.
    currency: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `GB`: phone numbers typed in national format are read in its
    /// numbering plan. Optional; without it every phone number must be international.
    country: Option<String>,
    owner_name: String,
    email: String,
    password: String,
    /// Whether the owner cuts hair: they become a bookable staff member too (role `owner`),
    /// their login linked to that chair. Default false.
    #[serde(default)]
    owner_is_barber: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignUpResponse {
    business_id: Uuid,
    user_id: Uuid,
    /// The owner's staff member, when they cut hair (`owner_is_barber`).
    staff_id: Option<Uuid>,
    #[serde(flatten)]
    session: SessionResponse,
    position: Option<i64>,
}

/// A session's tokens.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    /// Seconds the token is good for.
    expires_in: u64,
    /// Good for one `POST /token/refresh` (within 30 days), which answers the next pair.
    refresh_token: String,
}

impl From<Session> for SessionResponse {
    fn from(session: Session) -> Self {
        Self {
            token: session.token,
            expires_in: session.expires_in,
            refresh_token: session.refresh_token,
        }
    }
}

/// Opens a business and its owner's account.
#[utoipa::path(post, path = "/api/v1/signup", request_body = SignUpRequest, tag = "accounts",
    responses((status = 201, body = SignUpResponse),
        (status = 409, description = "slug_taken, email_taken", body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn sign_up(
    State(state): State<CommandState>,
    context: RequestContext,
    ApiJson(body): ApiJson<SignUpRequest>,
) -> Result<(StatusCode, Json<SignUpResponse>), ApiError> {
    let request = SignUp {
        business_name: body.business_name,
        slug: body.slug,
        timezone: body.timezone,
        currency: body.currency.unwrap_or_else(|| "USD".to_owned()),
        country: body.country,
        owner_name: body.owner_name,
        email: body.email,
        password: body.password,
        owner_is_barber: body.owner_is_barber,
    };
    let done =
        accounts::sign_up(&state.store, &state.keys, request, &context.correlation_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(SignUpResponse {
            business_id: done.business_id,
            user_id: done.user_id,
            staff_id: done.staff_id,
            session: done.session.into(),
            position: done.position,
        }),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogInRequest {
    email: String,
    password: String,
}

/// Exchanges an email and password for a token. Failed logins are limited per account and per
/// client address (429 `too_many_attempts` with `Retry-After`; `command::login_limits`).
#[utoipa::path(post, path = "/api/v1/login", request_body = LogInRequest, tag = "accounts",
    responses((status = 200, body = SessionResponse),
        (status = 401, description = "invalid_credentials", body = platform::problem::Problem),
        (status = 429, description = "too_many_attempts", body = platform::problem::Problem,
            headers(("Retry-After" = u64, description = "seconds to wait")))))]
pub async fn log_in(
    State(state): State<CommandState>,
    ClientAddress(address): ClientAddress,
    ApiJson(body): ApiJson<LogInRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    let session = accounts::log_in(
        state.store.pool(),
        &state.keys,
        &body.email,
        body.password,
        address,
    )
    .await?;
    Ok(Json(session.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    refresh_token: String,
}

/// Exchanges a refresh token for the next pair (the one sent is used up; sent again, it
/// revokes every token of its login).
#[utoipa::path(post, path = "/api/v1/token/refresh", request_body = RefreshRequest,
    tag = "accounts",
    responses((status = 200, body = SessionResponse),
        (status = 401, description = "invalid_refresh_token", body = platform::problem::Problem)))]
pub async fn refresh(
    State(state): State<CommandState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    let session = sessions::refresh(state.store.pool(), &state.keys, &body.refresh_token).await?;
    Ok(Json(session.into()))
}

/// Logs out: every refresh token of the login is revoked (its access token lives out its
/// lifetime, `expires_in`, at most).
#[utoipa::path(post, path = "/api/v1/logout", request_body = RefreshRequest, tag = "accounts",
    responses((status = 204)))]
pub async fn log_out(
    State(state): State<CommandState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    sessions::close(state.store.pool(), &body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! The business's logins: `POST /users` (invite), `PATCH /users/{id}` (role, chair),
//! `POST /users/{id}/invitation|disable|enable|password-reset`; and a user's own:
//! `POST /invitations/accept`, `POST /password/reset` (both with a one-time link, no token),
//! `PUT /me/password`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{patch, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use events::account::Role;
use platform::json::{ApiJson, ApiPath};
use platform::request::RequestContext;
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::accounts::SessionResponse;
use super::{metadata, CommandState};
use crate::accounts::manage::{self, Invitation, LoginChange, Step};
use crate::accounts::{own, Changed, Link, Purpose};

/// The routes a one-time link opens, named once for the idempotency middleware too: their
/// answers are sessions, never kept.
pub const ACCEPT_INVITATION: &str = "/invitations/accept";
pub const RESET_PASSWORD: &str = "/password/reset";
pub(super) const OWN_PASSWORD: &str = "/me/password";

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/users", post(invite_user))
        .route("/users/{id}", patch(change_user))
        .route("/users/{id}/invitation", post(renew_invitation))
        .route("/users/{id}/disable", post(disable_user))
        .route("/users/{id}/enable", post(enable_user))
        .route("/users/{id}/password-reset", post(issue_password_reset))
        .route(ACCEPT_INVITATION, post(accept_invitation))
        .route(RESET_PASSWORD, post(reset_password))
        .route(OWN_PASSWORD, put(change_own_password))
}

/// A role as the API writes it: `owner`, `manager`, `front_desk`, `barber` or `auditor`.
fn role(name: &str) -> Result<Role, ApiError> {
    Role::parse(name).ok_or_else(|| {
        ApiError::unprocessable(
            "invalid_role",
            format!("{name:?} is not a role; use owner, manager, front_desk, barber or auditor"),
        )
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteUserRequest {
    email: String,
    name: String,
    /// `owner` (only an owner invites one), `manager`, `front_desk`, `barber` or `auditor`.
    role: String,
    /// The staff member whose chair the login is: a barber sees and works only their own.
    staff_id: Option<Uuid>,
}

/// A one-time link to hand to its user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LinkResponse {
    /// The secret the page needs (also in `url`); shown once.
    token: String,
    /// The web app's page, with the token in its fragment.
    url: String,
    #[schema(value_type = String, format = DateTime)]
    expires_at: DateTime<Utc>,
}

/// A change to a login; `link` is the invitation or reset it issued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserChanged {
    id: Uuid,
    /// Pass as `min_position` to read your write; absent when nothing changed.
    position: Option<i64>,
    link: Option<LinkResponse>,
}

impl CommandState {
    fn changed(&self, changed: Changed, tenant_id: Uuid) -> UserChanged {
        // this process sees the change at once; others within `known_users::REMEMBERED`
        self.users.forget(changed.user_id, tenant_id);
        UserChanged {
            id: changed.user_id,
            position: changed.position,
            link: changed.link.map(|link: Link| LinkResponse {
                url: link.url(&self.public_url),
                token: link.token,
                expires_at: link.expires_at,
            }),
        }
    }
}

/// Invites someone to log in with a role: their login exists at once, without a password;
/// the answer's `link` is the one-time invitation (good for 7 days) to hand over.
#[utoipa::path(post, path = "/api/v1/users", request_body = InviteUserRequest, tag = "users",
    security(("bearer" = ["manage_staff"])),
    responses((status = 201, body = UserChanged),
        (status = 403, description = "forbidden (the owner role: owners only)",
            body = platform::problem::Problem),
        (status = 409, description = "email_taken", body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn invite_user(
    State(state): State<CommandState>,
    May(user, _): May<power::ManageStaff>,
    context: RequestContext,
    ApiJson(body): ApiJson<InviteUserRequest>,
) -> Result<(StatusCode, Json<UserChanged>), ApiError> {
    let invitation = Invitation {
        email: body.email,
        name: body.name,
        role: role(&body.role)?,
        staff_id: body.staff_id,
    };
    let meta = metadata(&user, &context);
    let changed = manage::invite(&state.store, &meta, &user, invitation).await?;
    Ok((
        StatusCode::CREATED,
        Json(state.changed(changed, user.tenant_id)),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeUserRequest {
    /// The new role.
    role: Option<String>,
    /// The login's chair; `null` unlinks it.
    #[serde(default, deserialize_with = "present_id")]
    #[schema(value_type = Option<Uuid>)]
    staff_id: Option<Option<Uuid>>,
}

fn present_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<Uuid>>, D::Error> {
    <Option<Uuid> as Deserialize>::deserialize(d).map(Some)
}

/// Changes a login's role and chair (nobody changes their own role; an owner's login and the
/// owner role only by an owner). The user's tokens stop being taken by commands at once and
/// their next refresh carries the change.
#[utoipa::path(patch, path = "/api/v1/users/{id}", request_body = ChangeUserRequest,
    tag = "users", security(("bearer" = ["manage_staff"])),
    params(("id" = Uuid, Path, description = "the user")),
    responses((status = 200, body = UserChanged),
        (status = 403, body = platform::problem::Problem),
        (status = 404, description = "user_not_found", body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(user_id = %id))]
pub async fn change_user(
    State(state): State<CommandState>,
    May(user, _): May<power::ManageStaff>,
    context: RequestContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ChangeUserRequest>,
) -> Result<Json<UserChanged>, ApiError> {
    let wanted = LoginChange {
        role: body.role.as_deref().map(role).transpose()?,
        staff_id: body.staff_id,
    };
    let meta = metadata(&user, &context);
    let changed = manage::change_login(&state.store, &meta, &user, id, wanted).await?;
    Ok(Json(state.changed(changed, user.tenant_id)))
}

macro_rules! login_step {
    ($name:ident, $path:literal, $step:expr, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $path, tag = "users",
            security(("bearer" = ["manage_staff"])),
            params(("id" = Uuid, Path, description = "the user")),
            responses((status = 200, body = UserChanged),
                (status = 403, body = platform::problem::Problem),
                (status = 404, description = "user_not_found", body = platform::problem::Problem),
                (status = 409, body = platform::problem::Problem),
                (status = 422, body = platform::problem::Problem)))]
        #[tracing::instrument(skip_all, fields(user_id = %id))]
        pub async fn $name(
            State(state): State<CommandState>,
            May(user, _): May<power::ManageStaff>,
            context: RequestContext,
            ApiPath(id): ApiPath<Uuid>,
        ) -> Result<Json<UserChanged>, ApiError> {
            let meta = metadata(&user, &context);
            let changed = manage::step(&state.store, &meta, &user, id, $step).await?;
            Ok(Json(state.changed(changed, user.tenant_id)))
        }
    };
}

login_step!(
    renew_invitation,
    "/api/v1/users/{id}/invitation",
    Step::RenewInvitation,
    "A new invitation link for someone who has not accepted yet (earlier links stop working)."
);
login_step!(
    disable_user,
    "/api/v1/users/{id}/disable",
    Step::Disable,
    "Disables a login: no login, no refresh; every session is revoked and commands refuse its \
     tokens at once (reads within the access token's lifetime, `JWT_TTL_SECONDS`, at most)."
);
login_step!(
    enable_user,
    "/api/v1/users/{id}/enable",
    Step::Enable,
    "Enables a disabled login again."
);
login_step!(
    issue_password_reset,
    "/api/v1/users/{id}/password-reset",
    Step::IssuePasswordReset,
    "Issues a one-time link (good for a day) for the user to set a new password."
);

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkPasswordRequest {
    /// The token of the one-time link.
    token: String,
    /// At least 10 characters.
    password: String,
}

/// Accepts an invitation: sets the first password and logs in.
#[utoipa::path(post, path = "/api/v1/invitations/accept", request_body = LinkPasswordRequest,
    tag = "users",
    responses((status = 200, body = SessionResponse),
        (status = 422, description = "invalid_link, weak_password",
            body = platform::problem::Problem)))]
pub async fn accept_invitation(
    State(state): State<CommandState>,
    context: RequestContext,
    ApiJson(body): ApiJson<LinkPasswordRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    with_link(&state, &context, body, Purpose::Invitation).await
}

/// Sets a new password from a reset link and logs in; every other session ends.
#[utoipa::path(post, path = "/api/v1/password/reset", request_body = LinkPasswordRequest,
    tag = "users",
    responses((status = 200, body = SessionResponse),
        (status = 422, description = "invalid_link, weak_password",
            body = platform::problem::Problem)))]
pub async fn reset_password(
    State(state): State<CommandState>,
    context: RequestContext,
    ApiJson(body): ApiJson<LinkPasswordRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    with_link(&state, &context, body, Purpose::PasswordReset).await
}

/// A password set with a one-time link, for a session.
async fn with_link(
    state: &CommandState,
    context: &RequestContext,
    body: LinkPasswordRequest,
    purpose: Purpose,
) -> Result<Json<SessionResponse>, ApiError> {
    let session = own::set_password_with_link(
        &state.store,
        &state.keys,
        (&body.token, purpose),
        body.password,
        &context.correlation_id,
    )
    .await?;
    Ok(Json(session.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    current_password: String,
    /// At least 10 characters.
    new_password: String,
}

/// Changes the caller's own password: every session ends, and the answer is a new one.
#[utoipa::path(put, path = "/api/v1/me/password", request_body = ChangePasswordRequest,
    tag = "users", security(("bearer" = ["own_account"])),
    responses((status = 200, body = SessionResponse),
        (status = 401, description = "invalid_credentials", body = platform::problem::Problem),
        (status = 422, description = "weak_password", body = platform::problem::Problem)))]
pub async fn change_own_password(
    State(state): State<CommandState>,
    May(user, _): May<power::OwnAccount>,
    context: RequestContext,
    ApiJson(body): ApiJson<ChangePasswordRequest>,
) -> Result<Json<SessionResponse>, ApiError> {
    let meta = metadata(&user, &context);
    let session = own::change_password(
        &state.store,
        &state.keys,
        &meta,
        &user,
        body.current_password,
        body.new_password,
    )
    .await?;
    state.users.forget(user.user_id, user.tenant_id);
    Ok(Json(session.into()))
}

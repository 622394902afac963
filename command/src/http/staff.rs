//! `POST /staff`, `PATCH /staff/{id}`, `POST /staff/{id}/deactivate|reactivate`: who is on the
//! staff. Their hours, time off and services are in `staff_schedule`. Only an owner or a manager
//! may manage staff ([`Manager`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{patch, post};
use axum::{Json, Router};
use domain::staff::{StaffCommand, StaffMember, StaffProfileInput};
use platform::json::{ApiJson, ApiPath, OptionalJson};
use platform::request::RequestContext;
use platform::roles::{power, May};
use platform::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use super::staff_schedule::BookingsChoice;
use super::{Accepted, CommandState};

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/staff", post(add_staff_member))
        .route("/staff/{id}", patch(update_staff_member))
        .route("/staff/{id}/deactivate", post(deactivate_staff_member))
        .route("/staff/{id}/reactivate", post(reactivate_staff_member))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddStaffMemberRequest {
    name: String,
    /// `owner`, `manager`, `barber` or `front_desk`.
    role: String,
    email: Option<String>,
    /// International form (E.164), e.g. `+447700900123`; spaces and dashes are accepted.
    phone: Option<String>,
}

/// Adds a staff member: active, offering every service, with no working hours yet.
#[utoipa::path(post, path = "/api/v1/staff", request_body = AddStaffMemberRequest,
    tag = "staff", security(("bearer" = ["manage_staff"])),
    responses((status = 201, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn add_staff_member(
    State(state): State<CommandState>,
    May(user, _): May<power::ManageStaff>,
    context: RequestContext,
    ApiJson(body): ApiJson<AddStaffMemberRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let staff_id = Uuid::new_v4();
    let command = StaffCommand::Add {
        staff_id,
        tenant_id: user.tenant_id,
        profile: StaffProfileInput {
            name: body.name,
            role: body.role,
            email: body.email,
            phone: body.phone,
        },
    };
    let accepted = state
        .create::<StaffMember>(staff_id, command, &user, &context)
        .await?;
    Ok((StatusCode::CREATED, Json(accepted)))
}

/// A partial update: absent fields stay, `null` clears an optional field.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStaffMemberRequest {
    name: Option<String>,
    role: Option<String>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    phone: Option<Option<String>>,
}

/// Changes a staff member's name, role or contact details.
#[utoipa::path(patch, path = "/api/v1/staff/{id}", request_body = UpdateStaffMemberRequest,
    tag = "staff", security(("bearer" = ["manage_staff"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem),
        (status = 409, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(staff_id = %staff_id))]
pub async fn update_staff_member(
    State(state): State<CommandState>,
    May(user, _): May<power::ManageStaff>,
    context: RequestContext,
    ApiPath(staff_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateStaffMemberRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let command = StaffCommand::Update {
        tenant_id: user.tenant_id,
        name: body.name,
        role: body.role,
        email: body.email,
        phone: body.phone,
    };
    Ok(Json(
        state
            .accept::<StaffMember>(staff_id, command, &user, &context)
            .await?,
    ))
}

/// The optional body of a deactivation.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeactivateRequest {
    /// What to do with the barber's appointments ahead; without it they are listed in a 409
    /// `bookings_in_the_way` and nothing is recorded.
    bookings: Option<BookingsChoice>,
}

/// Deactivates a staff member: no longer bookable or changeable until reactivated. Their
/// appointments ahead answer 409 `bookings_in_the_way` with the list, unless `bookings` says to
/// move or cancel them, in the same step. Deactivating an inactive member changes nothing.
#[utoipa::path(post, path = "/api/v1/staff/{id}/deactivate", tag = "staff",
    request_body(content = DeactivateRequest, description = "optional"),
    security(("bearer" = ["manage_staff"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem),
        (status = 409, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(staff_id = %staff_id))]
pub async fn deactivate_staff_member(
    State(state): State<CommandState>,
    May(user, _): May<power::ManageStaff>,
    context: RequestContext,
    ApiPath(staff_id): ApiPath<Uuid>,
    OptionalJson(body): OptionalJson<DeactivateRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let request = crate::booking::DeactivationRequest {
        tenant_id: user.tenant_id,
        staff_id,
        bookings: body.bookings.into(),
        now: chrono::Utc::now(),
    };
    let metadata = super::metadata(&user, &context);
    let committed = crate::booking::deactivate_staff(&state.store, request, &metadata).await?;
    Ok(Json(Accepted {
        id: staff_id,
        position: committed.position,
    }))
}

/// Brings a deactivated staff member back. Reactivating an active member changes nothing.
#[utoipa::path(post, path = "/api/v1/staff/{id}/reactivate", tag = "staff",
    security(("bearer" = ["manage_staff"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(staff_id = %staff_id))]
pub async fn reactivate_staff_member(
    State(state): State<CommandState>,
    May(user, _): May<power::ManageStaff>,
    context: RequestContext,
    ApiPath(staff_id): ApiPath<Uuid>,
) -> Result<Json<Accepted>, ApiError> {
    let command = StaffCommand::Reactivate {
        tenant_id: user.tenant_id,
    };
    Ok(Json(
        state
            .accept::<StaffMember>(staff_id, command, &user, &context)
            .await?,
    ))
}

//! `POST /customers`, `PATCH /customers/{id}`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{patch, post};
use axum::{Json, Router};
use platform::auth::Authenticated;
use platform::json::{ApiJson, ApiPath};
use platform::request::RequestContext;
use platform::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use super::{metadata, Accepted, CommandState};
use crate::customer::{Customer, CustomerCommand, CustomerProfile};

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/customers", post(register_customer))
        .route("/customers/{id}", patch(update_customer))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterCustomerRequest {
    name: String,
    /// International form (E.164), e.g. `+447700900123`; spaces and dashes are accepted.
    phone: Option<String>,
    email: Option<String>,
    notes: Option<String>,
}

/// Adds a customer to the business's book.
#[utoipa::path(post, path = "/api/v1/customers", request_body = RegisterCustomerRequest,
    tag = "customers", security(("bearer" = [])),
    responses((status = 201, body = Accepted), (status = 422, body = platform::problem::Problem)))]
pub async fn register_customer(
    State(state): State<CommandState>,
    user: Authenticated,
    context: RequestContext,
    ApiJson(body): ApiJson<RegisterCustomerRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let customer_id = Uuid::new_v4();
    let command = CustomerCommand::Register {
        customer_id,
        tenant_id: user.tenant_id,
        profile: CustomerProfile {
            name: body.name,
            phone: body.phone,
            email: body.email,
            notes: body.notes,
        },
    };
    let committed = state
        .store
        .execute::<Customer>(
            &customer_id.to_string(),
            command,
            &metadata(&user, &context),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Accepted {
            id: customer_id,
            position: committed.position,
        }),
    ))
}

/// A partial update: absent fields stay, `null` clears an optional field.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomerRequest {
    name: Option<String>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    notes: Option<Option<String>>,
}

/// Changes a customer's profile.
#[utoipa::path(patch, path = "/api/v1/customers/{id}", request_body = UpdateCustomerRequest,
    tag = "customers", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn update_customer(
    State(state): State<CommandState>,
    user: Authenticated,
    context: RequestContext,
    ApiPath(customer_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateCustomerRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let command = CustomerCommand::UpdateProfile {
        tenant_id: user.tenant_id,
        name: body.name,
        phone: body.phone,
        email: body.email,
        notes: body.notes,
    };
    let committed = state
        .store
        .execute::<Customer>(
            &customer_id.to_string(),
            command,
            &metadata(&user, &context),
        )
        .await?;
    Ok(Json(Accepted {
        id: customer_id,
        position: committed.position,
    }))
}

//! `POST /services`, `PATCH /services/{id}`, `PUT /services/{id}/price`,
//! `POST /services/{id}/retire`: the business's service catalog. Only an owner or a manager may
//! change it ([`Manager`]).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{patch, post, put};
use axum::{Json, Router};
use domain::service::{Service, ServiceCommand, ServiceDefinition};
use platform::json::{ApiJson, ApiPath};
use platform::request::RequestContext;
use platform::roles::{power, May};
use platform::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use super::{Accepted, CommandState};
use crate::booking;

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/services", post(create_service))
        .route("/services/{id}", patch(update_service))
        .route("/services/{id}/price", put(change_service_price))
        .route("/services/{id}/retire", post(retire_service))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateServiceRequest {
    name: String,
    /// Groups services on the booking page, e.g. "Hair", "Beard".
    category: Option<String>,
    /// 5 to 480, in steps of 5.
    duration_minutes: i64,
    /// Integer minor units of the business's currency (pence, cents); 0 for a free service.
    price_cents: i64,
    /// Clean-up time after the service: 0 (the default) to 120, in steps of 5.
    buffer_minutes: Option<i64>,
}

/// Adds a service to the business's catalog, priced in the business's currency.
#[utoipa::path(post, path = "/api/v1/services", request_body = CreateServiceRequest,
    tag = "services", security(("bearer" = ["change_catalog"])),
    responses((status = 201, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn create_service(
    State(state): State<CommandState>,
    May(user, _): May<power::ChangeCatalog>,
    context: RequestContext,
    ApiJson(body): ApiJson<CreateServiceRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let service_id = Uuid::new_v4();
    let request = booking::NewService {
        tenant_id: user.tenant_id,
        service_id,
        definition: ServiceDefinition {
            name: body.name,
            category: body.category,
            duration_minutes: body.duration_minutes,
            buffer_minutes: body.buffer_minutes.unwrap_or(0),
        },
        price_cents: body.price_cents,
    };
    let metadata = super::metadata(&user, &context);
    let committed = booking::add_service(&state.store, request, &metadata).await?;
    let accepted = Accepted {
        id: service_id,
        position: committed.position,
    };
    Ok((StatusCode::CREATED, Json(accepted)))
}

/// A partial update: absent fields stay, `category: null` removes the category.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateServiceRequest {
    name: Option<String>,
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    category: Option<Option<String>>,
    duration_minutes: Option<i64>,
    buffer_minutes: Option<i64>,
}

/// Changes a service's name, category, duration or buffer (its price has its own route).
#[utoipa::path(patch, path = "/api/v1/services/{id}", request_body = UpdateServiceRequest,
    tag = "services", security(("bearer" = ["change_catalog"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem),
        (status = 409, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn update_service(
    State(state): State<CommandState>,
    May(user, _): May<power::ChangeCatalog>,
    context: RequestContext,
    ApiPath(service_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<UpdateServiceRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let command = ServiceCommand::Update {
        tenant_id: user.tenant_id,
        name: body.name,
        category: body.category,
        duration_minutes: body.duration_minutes,
        buffer_minutes: body.buffer_minutes,
    };
    Ok(Json(
        state
            .accept::<Service>(service_id, command, &user, &context)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePriceRequest {
    /// Integer minor units of the service's currency; 0 for a free service.
    price_cents: i64,
}

/// Sets a service's price. Appointments already booked keep the price they were booked at.
#[utoipa::path(put, path = "/api/v1/services/{id}/price", request_body = ChangePriceRequest,
    tag = "services", security(("bearer" = ["change_prices"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem),
        (status = 409, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn change_service_price(
    State(state): State<CommandState>,
    May(user, _): May<power::ChangePrices>,
    context: RequestContext,
    ApiPath(service_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ChangePriceRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let command = ServiceCommand::ChangePrice {
        tenant_id: user.tenant_id,
        price_cents: body.price_cents,
    };
    Ok(Json(
        state
            .accept::<Service>(service_id, command, &user, &context)
            .await?,
    ))
}

/// Takes a service off the catalog for good; it stays readable. Retiring again changes nothing
/// (`position` is absent).
#[utoipa::path(post, path = "/api/v1/services/{id}/retire", tag = "services",
    security(("bearer" = ["change_catalog"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem)))]
pub async fn retire_service(
    State(state): State<CommandState>,
    May(user, _): May<power::ChangeCatalog>,
    context: RequestContext,
    ApiPath(service_id): ApiPath<Uuid>,
) -> Result<Json<Accepted>, ApiError> {
    let command = ServiceCommand::Retire {
        tenant_id: user.tenant_id,
    };
    Ok(Json(
        state
            .accept::<Service>(service_id, command, &user, &context)
            .await?,
    ))
}

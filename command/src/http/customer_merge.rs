//! `POST /customers/{id}/merge`: a duplicate found on the books is merged into this customer,
//! with its appointments and history ([`booking::merge_customers`]).

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use platform::json::{ApiJson, ApiPath};
use platform::request::RequestContext;
use platform::roles::{power, May};
use platform::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use super::{Accepted, CommandState};
use crate::booking::{self, MergeRequest};

pub fn routes() -> Router<CommandState> {
    Router::new().route("/customers/{id}/merge", post(merge_customer))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeCustomerRequest {
    /// The duplicate record, merged into this one: it hands over its appointments (past ones
    /// included) and leaves the list; its phone and email are given back.
    duplicate_id: Uuid,
}

/// Merges a duplicate into this customer, in one step: each record says so, every appointment
/// of the duplicate becomes this customer's. Merging again changes nothing. The duplicate then
/// answers 409 `customer_merged` (with `merged_into`) to changes and bookings.
#[utoipa::path(post, path = "/api/v1/customers/{id}/merge", request_body = MergeCustomerRequest,
    tag = "customers", security(("bearer" = ["keep_customers"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(customer_id = %customer_id))]
pub async fn merge_customer(
    State(state): State<CommandState>,
    May(user, _): May<power::KeepCustomers>,
    context: RequestContext,
    ApiPath(customer_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<MergeCustomerRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let request = MergeRequest {
        tenant_id: user.tenant_id,
        survivor: customer_id,
        duplicate: body.duplicate_id,
    };
    let metadata = super::metadata(&user, &context);
    let committed = booking::merge_customers(&state.store, request, &metadata).await?;
    Ok(Json(Accepted {
        id: customer_id,
        position: committed.position,
    }))
}

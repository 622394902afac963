//! `PATCH /business`, `PUT /business/booking-policy`: the caller's own business.

use axum::extract::State;
use axum::routing::{patch, put};
use axum::{Json, Router};
use events::business::BookingPolicy;
use platform::json::ApiJson;
use platform::request::RequestContext;
use platform::ApiError;
use serde::Deserialize;

use super::roles::Manager;
use super::{Accepted, CommandState};
use crate::business::{Business, BusinessCommand};

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/business", patch(change_settings))
        .route("/business/booking-policy", put(set_booking_policy))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeSettingsRequest {
    name: Option<String>,
    /// IANA name, e.g. `America/New_York`.
    timezone: Option<String>,
    /// ISO 4217, e.g. `USD`.
    currency: Option<String>,
}

/// Renames the business, or moves it to another timezone or currency.
#[utoipa::path(patch, path = "/api/v1/business", request_body = ChangeSettingsRequest,
    tag = "business", security(("bearer" = [])),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn change_settings(
    State(state): State<CommandState>,
    Manager(user): Manager,
    context: RequestContext,
    ApiJson(body): ApiJson<ChangeSettingsRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let command = BusinessCommand::ChangeSettings {
        tenant_id: user.tenant_id,
        name: body.name,
        timezone: body.timezone,
        currency: body.currency,
    };
    let accepted = state
        .accept::<Business>(user.tenant_id, command, &user, &context)
        .await?;
    Ok(Json(accepted))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingPolicyRequest {
    /// How long before its start an appointment may still be booked (0 to 10080).
    min_lead_minutes: u32,
    /// How far ahead one may book (1 to 730).
    max_advance_days: u32,
    /// Cancelling later than this before the start is a late cancellation (0 to 43200).
    cancellation_window_minutes: u32,
    /// Time kept free after an appointment whose service sets none (0 to 120, steps of 5).
    default_buffer_minutes: u32,
    /// Minutes before the start at which reminders go out (at most 5, each 5 to 10080).
    reminder_offsets_minutes: Vec<u32>,
}

/// Replaces the booking policy.
#[utoipa::path(put, path = "/api/v1/business/booking-policy", request_body = BookingPolicyRequest,
    tag = "business", security(("bearer" = [])),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn set_booking_policy(
    State(state): State<CommandState>,
    Manager(user): Manager,
    context: RequestContext,
    ApiJson(body): ApiJson<BookingPolicyRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let policy = BookingPolicy {
        min_lead_minutes: body.min_lead_minutes,
        max_advance_days: body.max_advance_days,
        cancellation_window_minutes: body.cancellation_window_minutes,
        default_buffer_minutes: body.default_buffer_minutes,
        reminder_offsets_minutes: body.reminder_offsets_minutes,
    };
    let command = BusinessCommand::SetBookingPolicy {
        tenant_id: user.tenant_id,
        policy,
    };
    let accepted = state
        .accept::<Business>(user.tenant_id, command, &user, &context)
        .await?;
    Ok(Json(accepted))
}

//! `PATCH /business`, `PUT /business/booking-policy`, `PUT /business/opening-hours`: the
//! caller's own business. Only an owner or a manager may change it ([`Manager`]).

use axum::extract::State;
use axum::routing::{patch, put};
use axum::{Json, Router};
use chrono::Utc;
use domain::business::{Business, BusinessCommand};
use domain::rota::WorkingDayInput;
use events::business::BookingPolicy;
use platform::json::ApiJson;
use platform::request::RequestContext;
use platform::roles::{power, May};
use platform::ApiError;
use serde::Deserialize;

use super::{Accepted, CommandState};
use crate::booking::{self, SettingsRequest};

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/business", patch(change_settings))
        .route("/business/booking-policy", put(set_booking_policy))
        .route("/business/opening-hours", put(set_opening_hours))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeSettingsRequest {
    name: Option<String>,
    /// IANA name, e.g. `America/New_York`.
    timezone: Option<String>,
    /// ISO 4217, e.g. `USD`.
    currency: Option<String>,
    /// ISO 3166-1 alpha-2, e.g. `GB`: phone numbers typed in national format (`07700 900123`)
    /// are read in its numbering plan. `null` removes it.
    #[serde(default, deserialize_with = "super::present")]
    #[schema(value_type = Option<String>)]
    country: Option<Option<String>>,
    /// With a new `currency`: the new price of each service (id → minor units of the new
    /// currency). Every service that can be booked and is not free needs one, or the answer is
    /// 409 `services_need_new_prices` listing them, and nothing changes.
    #[serde(default)]
    prices: std::collections::HashMap<uuid::Uuid, i64>,
}

/// Renames the business, or moves it to another timezone, currency or country.
#[utoipa::path(patch, path = "/api/v1/business", request_body = ChangeSettingsRequest,
    tag = "business", security(("bearer" = ["change_settings"])),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 409, body = platform::problem::Problem,
            description = "`timezone_has_bookings`: bookings or time off lie ahead"),
        (status = 422, body = platform::problem::Problem,
            description = "`invalid_timezone`, `invalid_currency`, `invalid_country`…")))]
pub async fn change_settings(
    State(state): State<CommandState>,
    May(user, _): May<power::ChangeSettings>,
    context: RequestContext,
    ApiJson(body): ApiJson<ChangeSettingsRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let request = SettingsRequest {
        tenant_id: user.tenant_id,
        name: body.name,
        timezone: body.timezone,
        currency: body.currency,
        country: body.country,
        prices: body.prices,
    };
    let metadata = super::metadata(&user, &context);
    let committed = booking::change_settings(&state.store, request, &metadata, Utc::now()).await?;
    Ok(Json(Accepted {
        id: user.tenant_id,
        position: committed.position,
    }))
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
    /// Whether one customer may hold overlapping appointments (a family booked under one
    /// name); default false: `409 customer_double_booked`.
    allow_customer_overlap: Option<bool>,
    /// How long before its start an appointment may be checked in, on its day (0 to 240,
    /// default 60).
    check_in_opens_minutes: Option<u32>,
}

/// Replaces the booking policy.
#[utoipa::path(put, path = "/api/v1/business/booking-policy", request_body = BookingPolicyRequest,
    tag = "business", security(("bearer" = ["change_settings"])),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn set_booking_policy(
    State(state): State<CommandState>,
    May(user, _): May<power::ChangeSettings>,
    context: RequestContext,
    ApiJson(body): ApiJson<BookingPolicyRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let policy = BookingPolicy {
        min_lead_minutes: body.min_lead_minutes,
        max_advance_days: body.max_advance_days,
        cancellation_window_minutes: body.cancellation_window_minutes,
        default_buffer_minutes: body.default_buffer_minutes,
        reminder_offsets_minutes: body.reminder_offsets_minutes,
        allow_customer_overlap: body.allow_customer_overlap.unwrap_or(false),
        check_in_opens_minutes: body.check_in_opens_minutes.unwrap_or(60),
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

/// The whole week of opening hours, in the business's local time; a weekday left out is closed.
/// A day's `start` and `end` are when it opens and closes, its breaks closures (e.g. lunch).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpeningHoursRequest {
    days: Vec<WorkingDayInput>,
}

/// Replaces the weekly opening hours. Bookings then fit both the barber's working hours and the
/// opening hours; until this is first set, only the barber's hours count.
#[utoipa::path(put, path = "/api/v1/business/opening-hours", request_body = OpeningHoursRequest,
    tag = "business", security(("bearer" = ["change_settings"])),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn set_opening_hours(
    State(state): State<CommandState>,
    May(user, _): May<power::ChangeSettings>,
    context: RequestContext,
    ApiJson(body): ApiJson<OpeningHoursRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let command = BusinessCommand::SetOpeningHours {
        tenant_id: user.tenant_id,
        days: body.days,
    };
    let accepted = state
        .accept::<Business>(user.tenant_id, command, &user, &context)
        .await?;
    Ok(Json(accepted))
}

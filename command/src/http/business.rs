//! `PATCH /business`, `PUT /business/booking-policy`, `PUT /business/opening-hours`: the
//! caller's own business. Only an owner or a manager may change it ([`Manager`]).

use axum::extract::State;
use axum::routing::{patch, put};
use axum::{Json, Router};
use chrono::Utc;
use domain::business::{Business, BusinessCommand, BusinessError};
use domain::rota::WorkingDayInput;
use domain::service::{Service, ServiceError};
use domain::staff::{StaffError, StaffMember};
use events::business::{BookingPolicy, OnlineBooking};
use platform::json::ApiJson;
use platform::request::RequestContext;
use platform::roles::{power, May};
use platform::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use super::{Accepted, CommandState, IntoProblem};
use crate::booking::{self, SettingsRequest};

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/business", patch(change_settings))
        .route("/business/booking-policy", put(set_booking_policy))
        .route("/business/opening-hours", put(set_opening_hours))
        .route("/business/online-booking", put(set_online_booking))
        .route("/business/profile", put(set_profile))
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
    /// How customers are told about their appointments: `email`, `sms` (each used when the
    /// customer has that contact); default both, `[]` for none.
    #[schema(value_type = Option<Vec<String>>)]
    notification_channels: Option<Vec<events::appointment::NotificationChannel>>,
    /// Whether customers get a "how was it?" message after a completed appointment, with a
    /// link to book again (default false).
    follow_up: Option<bool>,
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
        notification_channels: body
            .notification_channels
            .unwrap_or_else(|| events::appointment::NotificationChannel::ALL.to_vec()),
        follow_up: body.follow_up.unwrap_or(false),
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    /// The street address customers find the shop at (at most 500 characters); `null`: none.
    address: Option<String>,
    /// The logo's `https://` address; `null`: none.
    logo_url: Option<String>,
}

/// Replaces how the business presents itself on its public page: its address and logo.
#[utoipa::path(put, path = "/api/v1/business/profile", request_body = ProfileRequest,
    tag = "business", security(("bearer" = ["change_settings"])),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 422, description = "invalid_address, invalid_logo_url",
            body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn set_profile(
    State(state): State<CommandState>,
    May(user, _): May<power::ChangeSettings>,
    context: RequestContext,
    ApiJson(body): ApiJson<ProfileRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let command = BusinessCommand::SetProfile {
        tenant_id: user.tenant_id,
        address: body.address,
        logo_url: body.logo_url,
    };
    let accepted = state
        .accept::<Business>(user.tenant_id, command, &user, &context)
        .await?;
    Ok(Json(accepted))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnlineBookingSettings {
    /// Whether customers may book on the public page at all.
    enabled: bool,
    /// The services offered online; absent or `null`: every active service.
    service_ids: Option<Vec<Uuid>>,
    /// The barbers offered online; absent or `null`: every active barber.
    staff_ids: Option<Vec<Uuid>>,
}

/// Switches online booking on or off and chooses what it offers (at most 500 services and
/// 500 barbers listed; each must be the business's: 404 `service_not_found`, `staff_not_found`).
#[utoipa::path(put, path = "/api/v1/business/online-booking", request_body = OnlineBookingSettings,
    tag = "business", security(("bearer" = ["change_settings"])),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn set_online_booking(
    State(state): State<CommandState>,
    May(user, _): May<power::ChangeSettings>,
    context: RequestContext,
    ApiJson(body): ApiJson<OnlineBookingSettings>,
) -> Result<Json<Accepted>, ApiError> {
    let tenant = user.tenant_id;
    let too_many = |ids: &Option<Vec<Uuid>>| ids.as_ref().is_some_and(|ids| ids.len() > 1000);
    if too_many(&body.service_ids) || too_many(&body.staff_ids) {
        return Err(BusinessError::TooManyOnlineChoices.into_problem());
    }
    for id in body.service_ids.iter().flatten() {
        let service: Service = state.store.load(&id.to_string()).await?;
        if !service.belongs_to(tenant) {
            return Err(ServiceError::NotFound.into_problem());
        }
    }
    for id in body.staff_ids.iter().flatten() {
        let staff: StaffMember = state.store.load(&id.to_string()).await?;
        if !staff.belongs_to(tenant) {
            return Err(StaffError::NotFound.into_problem());
        }
    }
    let command = BusinessCommand::SetOnlineBooking {
        tenant_id: tenant,
        online_booking: OnlineBooking {
            enabled: body.enabled,
            service_ids: body.service_ids,
            staff_ids: body.staff_ids,
        },
    };
    let accepted = state
        .accept::<Business>(tenant, command, &user, &context)
        .await?;
    Ok(Json(accepted))
}

//! The public booking page's commands, with no login: `POST /public/{slug}/bookings`,
//! `POST /public/bookings/{token}/cancel|reschedule`. Every one is limited per client address
//! (`platform::rate_limit`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use platform::json::{ApiJson, ApiPath, OptionalJson};
use platform::request::RequestContext;
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Accepted, CommandState};
use crate::online::{self, manage, OnlineBooking};

/// What every public route's path starts with (after `/api/v1`).
pub const PUBLIC_PREFIX: &str = "/public/";
/// The route of online bookings, named once for the idempotency middleware too.
pub(super) const PUBLIC_BOOKINGS: &str = "/public/{slug}/bookings";

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route(PUBLIC_BOOKINGS, post(book_online))
        .route("/public/bookings/{token}/cancel", post(cancel_online))
        .route(
            "/public/bookings/{token}/reschedule",
            post(reschedule_online),
        )
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnlineBookingRequest {
    service_id: Uuid,
    /// A barber offered online; absent: any who is free then (the availability's `any`).
    staff_id: Option<Uuid>,
    /// RFC 3339, on the 5-minute grid: a start the public availability offers.
    starts_at: DateTime<Utc>,
    name: String,
    /// The customer's phone: international, or national in the business's country.
    phone: String,
    email: Option<String>,
    /// Whether the customer agrees to marketing messages (default: not asked).
    marketing_consent: Option<bool>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OnlineBooked {
    /// The appointment.
    id: Uuid,
    /// The barber it is with (the one chosen when any would do).
    staff_id: Uuid,
    starts_at: DateTime<Utc>,
    position: Option<i64>,
    /// The secret of the booking's manage page: `GET /public/bookings/{manage_token}`. Shown
    /// once; absent when a replayed request (same `Idempotency-Key`) answers again.
    manage_token: Option<String>,
    /// The web app's manage page.
    manage_url: Option<String>,
}

/// Books online: the customer with this phone or email in the business (registered when there
/// is none) takes a start the public availability offers, through the same booking step as
/// the front desk's (source `online`). The answer carries the secret manage link.
#[utoipa::path(post, path = "/api/v1/public/{slug}/bookings", tag = "public",
    request_body = OnlineBookingRequest,
    params(("slug" = String, Path, description = "the business's public address")),
    responses((status = 201, body = OnlineBooked),
        (status = 403, description = "online_booking_off", body = platform::problem::Problem),
        (status = 404, description = "business_not_found, service_not_found, staff_not_found",
            body = platform::problem::Problem),
        (status = 409, description = "slot_taken and the booking step's other refusals",
            body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem),
        (status = 429, description = "too_many_requests", body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(slug = %slug))]
pub async fn book_online(
    State(state): State<CommandState>,
    context: RequestContext,
    ApiPath(slug): ApiPath<String>,
    ApiJson(body): ApiJson<OnlineBookingRequest>,
) -> Result<(StatusCode, Json<OnlineBooked>), ApiError> {
    let request = OnlineBooking {
        slug,
        service_id: body.service_id,
        staff_id: body.staff_id,
        starts_at: body.starts_at,
        name: body.name,
        phone: body.phone,
        email: body.email,
        marketing_consent: body.marketing_consent,
    };
    let booked = online::book(&state.store, request, &context.correlation_id, Utc::now()).await?;
    Ok((
        StatusCode::CREATED,
        Json(OnlineBooked {
            id: booked.appointment_id,
            staff_id: booked.staff_id,
            starts_at: body.starts_at,
            position: booked.position,
            manage_url: Some(format!(
                "{}/book/manage#token={}",
                state.public_url, booked.manage_token
            )),
            manage_token: Some(booked.manage_token),
        }),
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnlineCancelRequest {
    /// Why, in the customer's words (at most 500 characters).
    reason: Option<String>,
}

/// Cancels a booking from its manage link; refused inside the business's cancellation window
/// (409 `cancellation_window_passed`: the shop changes it from then on).
#[utoipa::path(post, path = "/api/v1/public/bookings/{token}/cancel", tag = "public",
    request_body(content = OnlineCancelRequest, description = "optional"),
    params(("token" = String, Path, description = "the booking's manage token")),
    responses((status = 200, body = Accepted),
        (status = 404, description = "booking_not_found", body = platform::problem::Problem),
        (status = 409, description = "cancellation_window_passed", body = platform::problem::Problem),
        (status = 429, description = "too_many_requests", body = platform::problem::Problem)))]
pub async fn cancel_online(
    State(state): State<CommandState>,
    context: RequestContext,
    ApiPath(token): ApiPath<String>,
    OptionalJson(body): OptionalJson<OnlineCancelRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let reason = body.reason;
    let (appointment_id, committed) = manage::cancel(
        &state.store,
        &token,
        reason,
        &context.correlation_id,
        Utc::now(),
    )
    .await?;
    Ok(Json(Accepted {
        id: appointment_id,
        position: committed.position,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnlineRescheduleRequest {
    starts_at: DateTime<Utc>,
    /// Another barber offered online; the same one when absent.
    staff_id: Option<Uuid>,
}

/// Moves a booking from its manage link, by the front desk's rules (and not inside the
/// cancellation window).
#[utoipa::path(post, path = "/api/v1/public/bookings/{token}/reschedule", tag = "public",
    request_body = OnlineRescheduleRequest,
    params(("token" = String, Path, description = "the booking's manage token")),
    responses((status = 200, body = Accepted),
        (status = 404, description = "booking_not_found, staff_not_found",
            body = platform::problem::Problem),
        (status = 409, description = "cancellation_window_passed, slot_taken",
            body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem),
        (status = 429, description = "too_many_requests", body = platform::problem::Problem)))]
pub async fn reschedule_online(
    State(state): State<CommandState>,
    context: RequestContext,
    ApiPath(token): ApiPath<String>,
    ApiJson(body): ApiJson<OnlineRescheduleRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let (appointment_id, committed) = manage::reschedule(
        &state.store,
        &token,
        (body.starts_at, body.staff_id),
        &context.correlation_id,
        Utc::now(),
    )
    .await?;
    Ok(Json(Accepted {
        id: appointment_id,
        position: committed.position,
    }))
}

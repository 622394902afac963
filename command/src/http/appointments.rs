//! `POST /appointments` and the status workflow: `confirm`, `check-in`, `start`, `complete`,
//! `cancel`, `no-show`. Anyone on the staff may book and move an appointment along.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use events::appointment::{AppointmentSource, PaymentMethod};
use platform::auth::Authenticated;
use platform::json::{ApiJson, ApiPath, OptionalJson};
use platform::request::RequestContext;
use platform::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use super::{metadata, Accepted, CommandState};
use crate::appointment::{Appointment, AppointmentCommand};
use crate::booking::{self, BookingRequest};
use crate::business::Business;

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/appointments", post(book_appointment))
        .route(
            "/appointments/{id}/reschedule",
            post(reschedule_appointment),
        )
        .route("/appointments/{id}/{action}", post(move_along))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookAppointmentRequest {
    customer_id: Uuid,
    staff_id: Uuid,
    service_id: Uuid,
    /// RFC 3339, any offset, e.g. `2026-12-01T10:00:00+00:00`.
    starts_at: DateTime<Utc>,
    /// `phone`, `front_desk` (default), `online` or `walk_in` (starts checked in, now).
    #[schema(value_type = Option<String>)]
    source: Option<AppointmentSource>,
}

/// Books a customer with a barber for a service. A slot that overlaps another booking (buffers
/// included) answers 409 `slot_taken`; outside working hours, in a break or time off, 422.
#[utoipa::path(post, path = "/api/v1/appointments", request_body = BookAppointmentRequest,
    tag = "appointments", security(("bearer" = [])),
    responses((status = 201, body = Accepted),
        (status = 404, body = platform::problem::Problem),
        (status = 409, description = "slot_taken", body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn book_appointment(
    State(state): State<CommandState>,
    user: Authenticated,
    context: RequestContext,
    ApiJson(body): ApiJson<BookAppointmentRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let request = BookingRequest {
        tenant_id: user.tenant_id,
        customer_id: body.customer_id,
        staff_id: body.staff_id,
        service_id: body.service_id,
        starts_at: body.starts_at,
        source: body.source.unwrap_or(AppointmentSource::FrontDesk),
    };
    let (id, committed) = booking::book(
        &state.store,
        request,
        &metadata(&user, &context),
        Utc::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Accepted {
            id,
            position: committed.position,
        }),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequestBody {
    /// RFC 3339, any offset.
    starts_at: DateTime<Utc>,
    /// Another barber; the same one when absent.
    staff_id: Option<Uuid>,
}

/// Moves an appointment to another time and/or barber, keeping its status. The new slot follows
/// the same rules as a booking (409 `slot_taken`, 422 outside hours or the policy window); the
/// old slot is freed.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/reschedule",
    request_body = RescheduleRequestBody, tag = "appointments", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, description = "slot_taken", body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn reschedule_appointment(
    State(state): State<CommandState>,
    user: Authenticated,
    context: RequestContext,
    ApiPath(appointment_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<RescheduleRequestBody>,
) -> Result<Json<Accepted>, ApiError> {
    let request = booking::RescheduleRequest {
        tenant_id: user.tenant_id,
        appointment_id,
        starts_at: body.starts_at,
        staff_id: body.staff_id,
    };
    let committed = booking::reschedule(
        &state.store,
        request,
        &metadata(&user, &context),
        Utc::now(),
    )
    .await?;
    Ok(Json(Accepted {
        id: appointment_id,
        position: committed.position,
    }))
}

/// The body of a workflow step; only `complete` and `cancel` take fields.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepRequest {
    /// `complete`: what was paid, in minor units.
    amount_paid_cents: Option<i64>,
    /// `complete`: the tip, in minor units (default 0).
    tip_cents: Option<i64>,
    /// `complete`: `cash`, `card` or `other`.
    #[schema(value_type = Option<String>)]
    payment_method: Option<PaymentMethod>,
    /// `cancel`: why, for the records.
    reason: Option<String>,
}

/// Moves an appointment along its workflow: `confirm`, `check-in`, `start`, `complete`
/// (`{amount_paid_cents, tip_cents?, payment_method}`), `cancel` (`{reason?}`; late when inside
/// the cancellation window), `no-show` (only after the start). Cancelling or a no-show frees the
/// slot.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/{action}",
    request_body(content = StepRequest, description = "only for complete and cancel"),
    tag = "appointments", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("action" = String, Path,
        description = "confirm | check-in | start | complete | cancel | no-show")),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, description = "e.g. appointment_already_completed", body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn move_along(
    State(state): State<CommandState>,
    user: Authenticated,
    context: RequestContext,
    ApiPath((appointment_id, action)): ApiPath<(Uuid, String)>,
    OptionalJson(body): OptionalJson<StepRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let (tenant_id, now) = (user.tenant_id, Utc::now());
    let command = match action.as_str() {
        "confirm" => AppointmentCommand::Confirm { tenant_id },
        "check-in" => AppointmentCommand::CheckIn { tenant_id, now },
        "start" => AppointmentCommand::Start { tenant_id, now },
        "complete" => AppointmentCommand::Complete {
            tenant_id,
            now,
            amount_paid_cents: body.amount_paid_cents.ok_or_else(|| {
                ApiError::unprocessable("invalid_payment", "complete needs amount_paid_cents")
            })?,
            tip_cents: body.tip_cents.unwrap_or(0),
            payment_method: body.payment_method.ok_or_else(|| {
                ApiError::unprocessable("invalid_payment", "complete needs payment_method")
            })?,
        },
        "cancel" => {
            let business: Business = state.store.load(&tenant_id.to_string()).await?;
            AppointmentCommand::Cancel {
                tenant_id,
                now,
                by: user.user_id.to_string(),
                reason: body.reason,
                cancellation_window_minutes: business.policy().cancellation_window_minutes,
            }
        }
        "no-show" => AppointmentCommand::MarkNoShow { tenant_id, now },
        _ => {
            return Err(ApiError::not_found(
                "route_not_found",
                "no such appointment action",
            ))
        }
    };
    let metadata = metadata(&user, &context);
    let committed = state
        .store
        .execute::<Appointment>(&appointment_id.to_string(), command, &metadata)
        .await?;
    if matches!(action.as_str(), "cancel" | "no-show") {
        booking::free_slot(&state.store, appointment_id, tenant_id, &metadata).await?;
    }
    Ok(Json(Accepted {
        id: appointment_id,
        position: committed.position,
    }))
}

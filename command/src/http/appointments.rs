//! `POST /appointments`, `POST /appointments/{id}/reschedule` and the status workflow, one route
//! per step: `confirm`, `check-in`, `start`, `complete`, `cancel`, `no-show`. Anyone on the
//! staff may book and move an appointment along. Each handler parses, calls one `booking` step
//! and answers.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use events::appointment::{AppointmentSource, PaymentMethod};
use platform::auth::Authenticated;
use platform::json::{ApiJson, ApiPath, OptionalJson};
use platform::request::RequestContext;
use platform::roles::{power, May};
use platform::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use super::{metadata, Accepted, CommandState};
use crate::booking::{self, BookingRequest};

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/appointments", post(book_appointment))
        .route(
            "/appointments/{id}/reschedule",
            post(reschedule_appointment),
        )
        .route("/appointments/{id}/confirm", post(confirm_appointment))
        .route("/appointments/{id}/check-in", post(check_in_appointment))
        .route("/appointments/{id}/start", post(start_appointment))
        .route("/appointments/{id}/complete", post(complete_appointment))
        .route("/appointments/{id}/cancel", post(cancel_appointment))
        .route("/appointments/{id}/no-show", post(mark_no_show))
        .route("/appointments/{id}/notes", post(add_note))
        .route("/appointments/{id}/service", post(change_service))
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
    tag = "appointments", security(("bearer" = ["book"])),
    responses((status = 201, body = Accepted),
        (status = 404, body = platform::problem::Problem),
        (status = 409, description = "slot_taken", body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn book_appointment(
    State(state): State<CommandState>,
    May(user, _): May<power::Book>,
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
    request_body = RescheduleRequestBody, tag = "appointments", security(("bearer" = ["book"])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, description = "slot_taken", body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn reschedule_appointment(
    State(state): State<CommandState>,
    May(user, _): May<power::Book>,
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

/// Answers a workflow step with the appointment's id and where its events landed.
fn moved(appointment_id: Uuid, committed: crate::store::Committed) -> Json<Accepted> {
    Json(Accepted {
        id: appointment_id,
        position: committed.position,
    })
}

/// Records that the customer confirmed the appointment.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/confirm", tag = "appointments",
    security(("bearer" = ["work_appointments"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, description = "e.g. appointment_already_cancelled", body = platform::problem::Problem)))]
pub async fn confirm_appointment(
    State(state): State<CommandState>,
    May(user, _): May<power::WorkAppointments>,
    context: RequestContext,
    ApiPath(appointment_id): ApiPath<Uuid>,
) -> Result<Json<Accepted>, ApiError> {
    let metadata = metadata(&user, &context);
    let committed = booking::confirm(&state.store, scope(&user), appointment_id, &metadata).await?;
    Ok(moved(appointment_id, committed))
}

/// Records that the customer is in the shop.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/check-in", tag = "appointments",
    security(("bearer" = ["work_appointments"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, description = "e.g. appointment_already_cancelled", body = platform::problem::Problem)))]
pub async fn check_in_appointment(
    State(state): State<CommandState>,
    May(user, _): May<power::WorkAppointments>,
    context: RequestContext,
    ApiPath(appointment_id): ApiPath<Uuid>,
) -> Result<Json<Accepted>, ApiError> {
    let metadata = metadata(&user, &context);
    let committed = booking::check_in(
        &state.store,
        scope(&user),
        appointment_id,
        &metadata,
        Utc::now(),
    )
    .await?;
    Ok(moved(appointment_id, committed))
}

/// Records that the service started (after check-in).
#[utoipa::path(post, path = "/api/v1/appointments/{id}/start", tag = "appointments",
    security(("bearer" = ["work_appointments"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, description = "e.g. appointment_not_checked_in", body = platform::problem::Problem)))]
pub async fn start_appointment(
    State(state): State<CommandState>,
    May(user, _): May<power::WorkAppointments>,
    context: RequestContext,
    ApiPath(appointment_id): ApiPath<Uuid>,
) -> Result<Json<Accepted>, ApiError> {
    let metadata = metadata(&user, &context);
    let committed = booking::start(
        &state.store,
        scope(&user),
        appointment_id,
        &metadata,
        Utc::now(),
    )
    .await?;
    Ok(moved(appointment_id, committed))
}

/// What was paid at completion.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteRequest {
    /// What was paid, in minor units.
    amount_paid_cents: i64,
    /// The tip, in minor units (default 0).
    tip_cents: Option<i64>,
    /// `cash`, `card` or `other`.
    #[schema(value_type = String)]
    payment_method: PaymentMethod,
}

/// Records that the service is done and what was paid.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/complete", tag = "appointments",
    request_body = CompleteRequest, security(("bearer" = ["work_appointments"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, description = "e.g. appointment_not_in_service", body = platform::problem::Problem),
        (status = 422, description = "invalid_payment", body = platform::problem::Problem)))]
pub async fn complete_appointment(
    State(state): State<CommandState>,
    May(user, _): May<power::WorkAppointments>,
    context: RequestContext,
    ApiPath(appointment_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<CompleteRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let payment = booking::Payment {
        amount_paid_cents: body.amount_paid_cents,
        tip_cents: body.tip_cents.unwrap_or(0),
        method: body.payment_method,
    };
    let metadata = metadata(&user, &context);
    let committed = booking::complete(
        &state.store,
        scope(&user),
        appointment_id,
        payment,
        &metadata,
        Utc::now(),
    )
    .await?;
    Ok(moved(appointment_id, committed))
}

/// Why an appointment is cancelled; the body may be left out.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequestBody {
    /// Why, for the records (at most 500 characters).
    reason: Option<String>,
}

/// Cancels an appointment and frees its slot in the same step; late when inside the business's
/// cancellation window.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/cancel", tag = "appointments",
    request_body(content = CancelRequestBody, description = "optional"),
    security(("bearer" = ["book"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, description = "e.g. appointment_already_checked_in", body = platform::problem::Problem),
        (status = 422, description = "reason_too_long", body = platform::problem::Problem)))]
pub async fn cancel_appointment(
    State(state): State<CommandState>,
    May(user, _): May<power::Book>,
    context: RequestContext,
    ApiPath(appointment_id): ApiPath<Uuid>,
    OptionalJson(body): OptionalJson<CancelRequestBody>,
) -> Result<Json<Accepted>, ApiError> {
    let request = booking::CancelRequest {
        tenant_id: user.tenant_id,
        appointment_id,
        by: user.user_id.to_string(),
        reason: body.reason,
    };
    let metadata = metadata(&user, &context);
    let committed = booking::cancel(&state.store, request, &metadata, Utc::now()).await?;
    Ok(moved(appointment_id, committed))
}

/// Records that the customer did not come (only after the start time) and frees the slot in
/// the same step.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/no-show", tag = "appointments",
    security(("bearer" = ["work_appointments"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, description = "e.g. too_early_for_no_show", body = platform::problem::Problem)))]
pub async fn mark_no_show(
    State(state): State<CommandState>,
    May(user, _): May<power::WorkAppointments>,
    context: RequestContext,
    ApiPath(appointment_id): ApiPath<Uuid>,
) -> Result<Json<Accepted>, ApiError> {
    let metadata = metadata(&user, &context);
    let committed = booking::mark_no_show(
        &state.store,
        scope(&user),
        appointment_id,
        &metadata,
        Utc::now(),
    )
    .await?;
    Ok(moved(appointment_id, committed))
}

/// A note on an appointment.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    /// 1 to 2000 characters (trimmed); line breaks allowed.
    text: String,
}

/// Adds a note to an appointment (front desk or barber), whatever its status; the answer's `id`
/// is the note's.
#[utoipa::path(post, path = "/api/v1/appointments/{id}/notes", tag = "appointments",
    request_body = NoteRequest, security(("bearer" = ["work_appointments"])), params(("id" = Uuid, Path)),
    responses((status = 201, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 422, description = "invalid_note", body = platform::problem::Problem)))]
pub async fn add_note(
    State(state): State<CommandState>,
    May(user, _): May<power::WorkAppointments>,
    context: RequestContext,
    ApiPath(appointment_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<NoteRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let note_id = Uuid::new_v4();
    let metadata = metadata(&user, &context);
    let committed = booking::add_note(
        &state.store,
        scope(&user),
        appointment_id,
        (note_id, body.text),
        &metadata,
        Utc::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(Accepted {
            id: note_id,
            position: committed.position,
        }),
    ))
}

/// Another service for an appointment.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceChangeBody {
    service_id: Uuid,
    /// The price agreed, in minor units; the new service's price when absent.
    price_cents: Option<i64>,
}

/// Changes the service of an appointment that has not started: same start and barber, the new
/// service's length (it must still fit the chair) and price (unless set here).
#[utoipa::path(post, path = "/api/v1/appointments/{id}/service", tag = "appointments",
    request_body = ServiceChangeBody, security(("bearer" = ["book"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 404, body = platform::problem::Problem),
        (status = 409, description = "slot_taken, customer_double_booked, appointment_already_in_service",
            body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
pub async fn change_service(
    State(state): State<CommandState>,
    May(user, _): May<power::Book>,
    context: RequestContext,
    ApiPath(appointment_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ServiceChangeBody>,
) -> Result<Json<Accepted>, ApiError> {
    let request = booking::ServiceChangeRequest {
        tenant_id: user.tenant_id,
        appointment_id,
        service_id: body.service_id,
        price_cents: body.price_cents,
    };
    let metadata = metadata(&user, &context);
    let committed = booking::change_service(&state.store, request, &metadata).await?;
    Ok(moved(appointment_id, committed))
}

/// The appointments a caller's workflow steps may touch: a barber's, only their own chair's.
fn scope(user: &Authenticated) -> booking::Scope {
    booking::Scope {
        tenant_id: user.tenant_id,
        chair: user.own_chair(),
    }
}

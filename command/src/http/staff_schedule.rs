//! When a staff member works and what they offer: `PUT /staff/{id}/working-hours`,
//! `POST /staff/{id}/time-off`, `DELETE /staff/{id}/time-off/{time_off_id}`,
//! `PUT /staff/{id}/services`. Only an owner or a manager may change them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use domain::rota::WorkingDayInput;
use domain::service::Service;
use domain::staff::{check_service_count, StaffCommand, StaffMember};
use futures::{StreamExt, TryStreamExt};
use platform::json::{ApiJson, ApiPath};
use platform::request::RequestContext;
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Deserializer};
use uuid::Uuid;

use super::IntoProblem;
use super::{Accepted, CommandState};

/// How many services are looked up at once when checking an offered list.
const LOOKUPS_IN_FLIGHT: usize = 8;

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/staff/{id}/working-hours", put(set_working_hours))
        .route("/staff/{id}/time-off", post(add_time_off))
        .route(
            "/staff/{id}/time-off/{time_off_id}",
            delete(remove_time_off),
        )
        .route("/staff/{id}/services", put(offer_services))
        .route("/staff/{id}/daily-agenda", put(choose_daily_agenda))
}

/// The caller and the staff member `{id}` of the path, if the caller may make that staff
/// member's own choices: those who manage the staff, or a barber for their own chair (403
/// `forbidden` otherwise, before the body is read).
pub struct OwnChoice(platform::auth::Authenticated, Uuid);

impl<S> axum::extract::FromRequestParts<S> for OwnChoice
where
    S: Send + Sync,
    platform::auth::JwtKeys: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        use platform::roles::{Power, Powers};
        let user = platform::auth::Authenticated::from_request_parts(parts, state).await?;
        let ApiPath(staff_id) = ApiPath::<Uuid>::from_request_parts(parts, state).await?;
        if user.own_chair() != Some(staff_id) && !user.role.may(Power::ManageStaff) {
            return Err(Power::ManageStaff.refused());
        }
        Ok(Self(user, staff_id))
    }
}

/// Whether the staff member gets their next day's appointments by email each evening.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DailyAgendaRequest {
    wanted: bool,
}

/// An email each evening (18:00 in the business's timezone) with the staff member's next
/// day's appointments, or none. By those who manage the staff, or by a barber for their own
/// chair. 422 `agenda_needs_email` for a staff member without an email address.
#[utoipa::path(put, path = "/api/v1/staff/{id}/daily-agenda", request_body = DailyAgendaRequest,
    tag = "staff", security(("bearer" = ["manage_staff"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem),
        (status = 422, description = "agenda_needs_email", body = platform::problem::Problem)))]
pub async fn choose_daily_agenda(
    State(state): State<CommandState>,
    OwnChoice(user, staff_id): OwnChoice,
    context: RequestContext,
    ApiJson(body): ApiJson<DailyAgendaRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let command = StaffCommand::ChooseDailyAgenda {
        tenant_id: user.tenant_id,
        wanted: body.wanted,
    };
    Ok(Json(
        state
            .accept::<StaffMember>(staff_id, command, &user, &context)
            .await?,
    ))
}

/// The whole weekly rota; a weekday left out is a day off.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingHoursRequest {
    days: Vec<WorkingDayInput>,
}

/// Replaces a staff member's weekly working hours.
#[utoipa::path(put, path = "/api/v1/staff/{id}/working-hours", request_body = WorkingHoursRequest,
    tag = "staff", security(("bearer" = ["manage_staff"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem),
        (status = 409, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(staff_id = %staff_id))]
pub async fn set_working_hours(
    State(state): State<CommandState>,
    May(user, _): May<power::ManageStaff>,
    context: RequestContext,
    ApiPath(staff_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<WorkingHoursRequest>,
) -> Result<Json<Accepted>, ApiError> {
    let command = StaffCommand::SetWorkingHours {
        tenant_id: user.tenant_id,
        days: body.days,
    };
    Ok(Json(
        state
            .accept::<StaffMember>(staff_id, command, &user, &context)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeOffRequest {
    /// RFC 3339, any offset (stored as UTC).
    starts_at: DateTime<Utc>,
    /// After `starts_at`, at most 92 days later (longer absences: several time offs, or deactivate).
    ends_at: DateTime<Utc>,
    reason: Option<String>,
    /// What to do with appointments booked in the stretch; without it they are listed in a 409
    /// `bookings_in_the_way` and nothing is recorded.
    bookings: Option<BookingsChoice>,
}

/// What to do with the booked appointments in the way of a time off or a deactivation.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum BookingsChoice {
    /// Refuse with 409 `bookings_in_the_way` and the list (the default).
    Refuse,
    /// Move each to another barber free at the same time: `to_staff_id`, or else the first
    /// active barber who offers the service and is free; 409 `no_barber_free` (with the ones
    /// that could not be moved) changes nothing.
    Move { to_staff_id: Option<Uuid> },
    /// Cancel each; `reason` is recorded on the cancellations.
    Cancel { reason: Option<String> },
}

impl From<Option<BookingsChoice>> for crate::booking::Bookings {
    fn from(choice: Option<BookingsChoice>) -> Self {
        match choice {
            None | Some(BookingsChoice::Refuse) => Self::Refuse,
            Some(BookingsChoice::Move { to_staff_id }) => Self::Move { to: to_staff_id },
            Some(BookingsChoice::Cancel { reason }) => Self::Cancel { reason },
        }
    }
}

/// Records time off; the answer's `id` is the time off's, for removing it later. Appointments
/// booked in the stretch answer 409 `bookings_in_the_way` with their list (`appointments`:
/// id, times, barber, service, customer and name), unless `bookings` says to move or cancel
/// them, which then happens in the same step.
#[utoipa::path(post, path = "/api/v1/staff/{id}/time-off", request_body = TimeOffRequest,
    tag = "staff", security(("bearer" = ["manage_staff"])), params(("id" = Uuid, Path)),
    responses((status = 201, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem),
        (status = 409, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(staff_id = %staff_id))]
pub async fn add_time_off(
    State(state): State<CommandState>,
    May(user, _): May<power::ManageStaff>,
    context: RequestContext,
    ApiPath(staff_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<TimeOffRequest>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let time_off_id = Uuid::new_v4();
    let request = crate::booking::TimeOffRequest {
        tenant_id: user.tenant_id,
        staff_id,
        time_off_id,
        starts_at: body.starts_at,
        ends_at: body.ends_at,
        reason: body.reason,
        now: Utc::now(),
        bookings: body.bookings.into(),
    };
    let metadata = super::metadata(&user, &context);
    let committed = crate::booking::add_time_off(&state.store, request, &metadata).await?;
    Ok((
        StatusCode::CREATED,
        Json(Accepted {
            id: time_off_id,
            position: committed.position,
        }),
    ))
}

/// Withdraws a time off.
#[utoipa::path(delete, path = "/api/v1/staff/{id}/time-off/{time_off_id}", tag = "staff",
    security(("bearer" = ["manage_staff"])), params(("id" = Uuid, Path), ("time_off_id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem),
        (status = 409, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(staff_id = %staff_id, time_off_id = %time_off_id))]
pub async fn remove_time_off(
    State(state): State<CommandState>,
    May(user, _): May<power::ManageStaff>,
    context: RequestContext,
    ApiPath((staff_id, time_off_id)): ApiPath<(Uuid, Uuid)>,
) -> Result<Json<Accepted>, ApiError> {
    let metadata = super::metadata(&user, &context);
    let committed = crate::booking::remove_time_off(
        &state.store,
        user.tenant_id,
        staff_id,
        time_off_id,
        &metadata,
    )
    .await?;
    Ok(Json(Accepted {
        id: time_off_id,
        position: committed.position,
    }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicesRequest {
    /// Required: `null` offers every service of the business (the default), a list exactly
    /// those (at most 200, each an active service of the business).
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<Vec<Uuid>>)]
    service_ids: Option<Vec<Uuid>>,
}

/// A field that must be sent, possibly as `null`.
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Uuid>>, D::Error> {
    Option::<Vec<Uuid>>::deserialize(d)
}

/// Sets the services a staff member may be booked for.
#[utoipa::path(put, path = "/api/v1/staff/{id}/services", request_body = ServicesRequest,
    tag = "staff", security(("bearer" = ["manage_staff"])), params(("id" = Uuid, Path)),
    responses((status = 200, body = Accepted), (status = 403, body = platform::problem::Problem),
        (status = 404, body = platform::problem::Problem),
        (status = 409, body = platform::problem::Problem),
        (status = 422, body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(staff_id = %staff_id))]
pub async fn offer_services(
    State(state): State<CommandState>,
    May(user, _): May<power::ManageStaff>,
    context: RequestContext,
    ApiPath(staff_id): ApiPath<Uuid>,
    ApiJson(body): ApiJson<ServicesRequest>,
) -> Result<Json<Accepted>, ApiError> {
    if let Some(ids) = &body.service_ids {
        check_service_count(ids).map_err(IntoProblem::into_problem)?;
        check_services_exist(&state, user.tenant_id, ids).await?;
    }
    let command = StaffCommand::OfferServices {
        tenant_id: user.tenant_id,
        service_ids: body.service_ids,
    };
    Ok(Json(
        state
            .accept::<StaffMember>(staff_id, command, &user, &context)
            .await?,
    ))
}

/// Each id must be a service of the caller's business that can still be booked (422
/// `unknown_service` otherwise): the Service aggregate owns that fact, so it is read from the
/// event store before the command is built.
async fn check_services_exist(
    state: &CommandState,
    tenant_id: Uuid,
    ids: &[Uuid],
) -> Result<(), ApiError> {
    let unknown: Vec<Uuid> = futures::stream::iter(ids.iter().copied())
        .map(|id| async move {
            let service = state
                .store
                .load::<Service>(&id.to_string())
                .await
                .map_err(ApiError::internal)?;
            Ok::<_, ApiError>((!service.is_bookable_by(tenant_id)).then_some(id))
        })
        .buffer_unordered(LOOKUPS_IN_FLIGHT)
        .try_filter_map(|unknown| async move { Ok(unknown) })
        .try_collect()
        .await?;
    match unknown.first() {
        None => Ok(()),
        Some(id) => Err(ApiError::unprocessable(
            "unknown_service",
            format!("{id} is not an active service of this business"),
        )),
    }
}

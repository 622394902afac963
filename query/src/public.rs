//! The public booking page's reads, with no login: `GET /public/{slug}` (the shop),
//! `/public/{slug}/services`, `/public/{slug}/staff` (bookable barbers, no contact data),
//! `/public/{slug}/availability` (the staff's availability, with a customer's booking window
//! and only what the business offers online), and `GET /public/bookings/{token}` (a booking
//! from its manage link). Each is limited per client address (`platform::rate_limit`).
//!
//! The slug (or the link) names the business; every read after that is one of its tenant's,
//! through the row-level-secured reader like any other.

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use domain::bookable::Asker;
use events::business::OnlineBooking;
use events::staff::WorkingDay;
use platform::json::{ApiPath, ApiQuery};
use platform::{secret_token, ApiError};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::availability::{self, Asked, MAX_DAYS};
use crate::freshness::{APPOINTMENTS, BUSINESSES, RESERVATIONS, SERVICES, STAFF};
use crate::{answers, chairs, QueryState};

pub fn routes() -> Router<QueryState> {
    Router::new()
        .route("/public/{slug}", get(get_shop))
        .route("/public/{slug}/services", get(list_online_services))
        .route("/public/{slug}/staff", get(list_online_staff))
        .route("/public/{slug}/availability", get(get_online_availability))
        .route("/public/bookings/{token}", get(get_online_booking))
}

/// A business as its public page shows it.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Shop {
    name: String,
    slug: String,
    /// IANA timezone of every local time shown.
    timezone: String,
    currency: String,
    /// The week, Monday first, local times; a weekday absent is closed; `null`: not set.
    #[schema(value_type = Option<Vec<crate::staff::WorkingDayView>>)]
    opening_hours: Option<sqlx::types::Json<Vec<WorkingDay>>>,
    /// Whether it takes bookings here.
    online_booking: bool,
    /// The street address; `null`: none given.
    address: Option<String>,
    /// The logo's `https://` address; `null`: none.
    logo_url: Option<String>,
    #[serde(skip)]
    #[sqlx(json, rename = "online_booking_setting")]
    offered: OnlineBooking,
    #[serde(skip)]
    tenant_id: Uuid,
}

/// The business at `slug`, as the read models have it: 404 `business_not_found`.
async fn shop(state: &QueryState, slug: &str) -> Result<Shop, ApiError> {
    let not_found = || ApiError::not_found("business_not_found", "no business has this address");
    let tenant: Uuid = sqlx::query_scalar("select business_id from business_slugs where slug = $1")
        .bind(slug)
        .fetch_optional(&state.pool)
        .await?
        .ok_or_else(not_found)?;
    sqlx::query_as(
        "select name, slug, timezone, currency, opening_hours,
                (online_booking ->> 'enabled')::boolean as online_booking,
                online_booking as online_booking_setting, address, logo_url, tenant_id
           from businesses where tenant_id = $1",
    )
    .bind(tenant)
    .fetch_optional(&mut *crate::reader::read(&state.pool, tenant).await?)
    .await?
    .ok_or_else(not_found)
}

/// [`shop`], which must take bookings online: 403 `online_booking_off`.
async fn open_shop(state: &QueryState, slug: &str) -> Result<Shop, ApiError> {
    let shop = shop(state, slug).await?;
    if !shop.offered.enabled {
        return Err(
            ApiError::forbidden("this business does not take bookings online")
                .with_code("online_booking_off"),
        );
    }
    Ok(shop)
}

/// The business's public page.
#[utoipa::path(get, path = "/api/v1/public/{slug}", tag = "public",
    params(("slug" = String, Path, description = "the business's public address")),
    responses((status = 200, body = Shop),
        (status = 404, description = "business_not_found", body = platform::problem::Problem),
        (status = 429, description = "too_many_requests", body = platform::problem::Problem)))]
pub async fn get_shop(
    State(state): State<QueryState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Shop>, ApiError> {
    Ok(Json(shop(&state, &slug).await?))
}

/// A service as the public page lists it.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OnlineService {
    #[sqlx(rename = "service_id")]
    id: Uuid,
    name: String,
    category: Option<String>,
    duration_minutes: i32,
    price_cents: i64,
    currency: String,
}

/// The services bookable online, by category and name.
#[utoipa::path(get, path = "/api/v1/public/{slug}/services", tag = "public",
    params(("slug" = String, Path, description = "the business's public address")),
    responses((status = 200, body = Vec<OnlineService>),
        (status = 403, description = "online_booking_off", body = platform::problem::Problem),
        (status = 404, description = "business_not_found", body = platform::problem::Problem),
        (status = 429, description = "too_many_requests", body = platform::problem::Problem)))]
pub async fn list_online_services(
    State(state): State<QueryState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<OnlineService>>, ApiError> {
    let shop = open_shop(&state, &slug).await?;
    let services: Vec<OnlineService> = sqlx::query_as(
        "select service_id, name, category, duration_minutes, price_cents, currency
           from services
          where tenant_id = $1 and active and ($2::uuid[] is null or service_id = any($2))
          order by category is null, lower(category), lower(name), service_id",
    )
    .bind(shop.tenant_id)
    .bind(&shop.offered.service_ids)
    .fetch_all(&mut *crate::reader::read(&state.pool, shop.tenant_id).await?)
    .await?;
    Ok(Json(services))
}

/// A barber as the public page lists them: a name, no contact data.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OnlineBarber {
    #[sqlx(rename = "staff_id")]
    id: Uuid,
    name: String,
    /// The services they do; `null`: every one.
    service_ids: Option<Vec<Uuid>>,
}

/// The barbers bookable online, by name.
#[utoipa::path(get, path = "/api/v1/public/{slug}/staff", tag = "public",
    params(("slug" = String, Path, description = "the business's public address")),
    responses((status = 200, body = Vec<OnlineBarber>),
        (status = 403, description = "online_booking_off", body = platform::problem::Problem),
        (status = 404, description = "business_not_found", body = platform::problem::Problem),
        (status = 429, description = "too_many_requests", body = platform::problem::Problem)))]
pub async fn list_online_staff(
    State(state): State<QueryState>,
    ApiPath(slug): ApiPath<String>,
) -> Result<Json<Vec<OnlineBarber>>, ApiError> {
    let shop = open_shop(&state, &slug).await?;
    let barbers: Vec<OnlineBarber> = sqlx::query_as(
        "select staff_id, name, service_ids from staff_members
          where tenant_id = $1 and active and ($2::uuid[] is null or staff_id = any($2))
            and exists (select 1 from staff_working_hours h
                         where h.tenant_id = staff_members.tenant_id
                           and h.staff_id = staff_members.staff_id)
          order by lower(name), staff_id",
    )
    .bind(shop.tenant_id)
    .bind(&shop.offered.staff_ids)
    .fetch_all(&mut *crate::reader::read(&state.pool, shop.tenant_id).await?)
    .await?;
    Ok(Json(barbers))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetOnlineAvailability {
    /// A service offered online.
    service_id: Uuid,
    /// The first local date, `YYYY-MM-DD`.
    date: NaiveDate,
    /// How many days from `date`, 1–14 (default 1).
    days: Option<u32>,
    /// Only this barber; otherwise every barber offered online who does the service.
    staff_id: Option<Uuid>,
}

const READS: [platform::read_models::ReadModel; 4] = [BUSINESSES, SERVICES, STAFF, RESERVATIONS];

/// The free starts a customer may book online: the staff's availability answer, with a
/// customer's booking window (the policy's lead time) and only the services and barbers the
/// business offers online. Every start offered books with `POST /public/{slug}/bookings`.
#[utoipa::path(get, path = "/api/v1/public/{slug}/availability", tag = "public",
    params(("slug" = String, Path, description = "the business's public address"),
        GetOnlineAvailability),
    responses((status = 200, body = crate::availability::Availability),
        (status = 403, description = "online_booking_off", body = platform::problem::Problem),
        (status = 404, description = "business_not_found, service_not_found, staff_not_found",
            body = platform::problem::Problem),
        (status = 429, description = "too_many_requests", body = platform::problem::Problem)))]
pub async fn get_online_availability(
    State(state): State<QueryState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(params): ApiQuery<GetOnlineAvailability>,
) -> Result<Response, ApiError> {
    let dates = chairs::local_dates(params.date, params.days, MAX_DAYS)?;
    let shop = open_shop(&state, &slug).await?;
    if !shop.offered.offers_service(params.service_id) {
        return Err(ApiError::not_found(
            "service_not_found",
            "the business offers no such service online",
        ));
    }
    if params
        .staff_id
        .is_some_and(|staff_id| !shop.offered.offers_staff(staff_id))
    {
        return Err(ApiError::not_found(
            "staff_not_found",
            "the business offers no such barber online",
        ));
    }
    let consistency = state.freshness.wait_for_all(&READS, None).await?;
    let asked = Asked {
        service_id: params.service_id,
        dates,
        staff_id: params.staff_id,
        asker: Asker::Customer,
        only: shop.offered.staff_ids.clone(),
    };
    let body = availability::answer(&state, shop.tenant_id, &asked).await?;
    Ok(answers::json(consistency.headers(), body))
}

/// A booking as its manage page shows it.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct OnlineBookingView {
    #[sqlx(rename = "appointment_id")]
    id: Uuid,
    /// `booked`, `confirmed`, `checked_in`, `in_service`, `completed`, `cancelled`, `no_show`.
    status: String,
    service_id: Uuid,
    service_name: String,
    staff_id: Uuid,
    staff_name: Option<String>,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    price_cents: i64,
    currency: String,
    business_name: String,
    business_slug: String,
    /// IANA timezone of the business: show the times in it.
    timezone: String,
    /// Until when it may be cancelled or moved here (the business's cancellation window);
    /// after that, only by the shop.
    changeable_until: DateTime<Utc>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetOnlineBooking {
    /// Wait until the answer includes the write that answered this position (the booking's,
    /// or a move's or cancellation's).
    min_position: Option<i64>,
}

/// The booking a manage link names (404 `booking_not_found`), from the read models: pass the
/// `position` of the booking, move or cancellation as `min_position` to see it.
#[utoipa::path(get, path = "/api/v1/public/bookings/{token}", tag = "public",
    params(("token" = String, Path, description = "the booking's manage token"),
        GetOnlineBooking),
    responses((status = 200, body = OnlineBookingView),
        (status = 404, description = "booking_not_found", body = platform::problem::Problem),
        (status = 429, description = "too_many_requests", body = platform::problem::Problem)))]
pub async fn get_online_booking(
    State(state): State<QueryState>,
    ApiPath(token): ApiPath<String>,
    ApiQuery(params): ApiQuery<GetOnlineBooking>,
) -> Result<(axum::http::HeaderMap, Json<OnlineBookingView>), ApiError> {
    let not_found = || ApiError::not_found("booking_not_found", "no booking has this link");
    let (tenant, appointment_id): (Uuid, Uuid) = sqlx::query_as(
        "select business_id, appointment_id from booking_links where token_hash = $1",
    )
    .bind(secret_token::hash(&token))
    .fetch_optional(&state.pool)
    .await?
    .ok_or_else(not_found)?;
    let consistency = state
        .freshness
        .wait_for_all(&[APPOINTMENTS, BUSINESSES, STAFF], params.min_position)
        .await?;
    let view: OnlineBookingView = sqlx::query_as(
        "select a.appointment_id, a.status, a.service_id, a.service_name, a.staff_id,
                s.name as staff_name, a.starts_at, a.ends_at, a.price_cents, a.currency,
                b.name as business_name, b.slug as business_slug, b.timezone,
                a.starts_at - make_interval(mins =>
                    (b.policy ->> 'cancellation_window_minutes')::int) as changeable_until
           from appointments a
           join businesses b on b.tenant_id = a.tenant_id
           left join staff_members s on s.tenant_id = a.tenant_id and s.staff_id = a.staff_id
          where a.tenant_id = $1 and a.appointment_id = $2",
    )
    .bind(tenant)
    .bind(appointment_id)
    .fetch_optional(&mut *crate::reader::read(&state.pool, tenant).await?)
    .await?
    .ok_or_else(not_found)?;
    Ok((consistency.headers(), Json(view)))
}

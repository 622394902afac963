//! `GET /business`: the caller's own business, its settings, booking policy and opening hours.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use events::staff::WorkingDay;
use platform::json::ApiQuery;
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::freshness::BUSINESSES;
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new().route("/business", get(get_business))
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BusinessView {
    #[sqlx(rename = "tenant_id")]
    id: Uuid,
    name: String,
    /// The public booking address: `/public/{slug}`.
    slug: String,
    timezone: String,
    currency: String,
    /// ISO 3166-1 alpha-2 (e.g. `GB`), whose numbering plan phones typed in national format
    /// follow; `null` if the business gave none.
    country: Option<String>,
    #[sqlx(json)]
    booking_policy: BookingPolicyView,
    /// The week, Monday first, in the business's local time; a weekday absent is closed.
    /// `null` until set: then bookings are taken whenever the staff work.
    #[schema(value_type = Option<Vec<crate::staff::WorkingDayView>>)]
    opening_hours: Option<sqlx::types::Json<Vec<WorkingDay>>>,
    /// Whether customers may book on the public page, and what it offers.
    #[sqlx(json)]
    online_booking: OnlineBookingSettingsView,
    /// The street address on the public page; `null`: none.
    address: Option<String>,
    /// The logo's `https://` address; `null`: none.
    logo_url: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// The booking policy as the business set it (`PUT /business/booking-policy`).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BookingPolicyView {
    /// How long before its start an appointment may still be booked.
    min_lead_minutes: u32,
    /// How far ahead one may book.
    max_advance_days: u32,
    /// Cancelling later than this before the start is a late cancellation.
    cancellation_window_minutes: u32,
    /// Time kept free after an appointment whose service sets none.
    default_buffer_minutes: u32,
    /// When reminders go out, in minutes before the start.
    reminder_offsets_minutes: Vec<u32>,
    /// Whether one customer may hold overlapping appointments (policies recorded before it
    /// read as off).
    #[serde(default)]
    allow_customer_overlap: bool,
    /// How long before its start an appointment may be checked in, on its day (policies
    /// recorded before it read as 60).
    #[serde(default = "sixty")]
    check_in_opens_minutes: u32,
    /// How customers are told about their appointments: `email`, `sms` (policies recorded
    /// before it read as both).
    #[serde(default = "both_channels")]
    notification_channels: Vec<String>,
    /// Whether customers get a "how was it?" message after a completed appointment.
    #[serde(default)]
    follow_up: bool,
}

fn sixty() -> u32 {
    60
}

fn both_channels() -> Vec<String> {
    vec!["email".into(), "sms".into()]
}

/// Online booking as the business set it (`PUT /business/online-booking`).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OnlineBookingSettingsView {
    enabled: bool,
    /// The services offered online; `null`: every active service.
    service_ids: Option<Vec<Uuid>>,
    /// The barbers offered online; `null`: every active barber.
    staff_ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetBusiness {
    /// Wait until the answer includes the write that answered this position.
    min_position: Option<i64>,
}

/// The caller's business.
#[utoipa::path(get, path = "/api/v1/business", params(GetBusiness), tag = "business",
    security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = BusinessView), (status = 404, body = platform::problem::Problem)))]
pub async fn get_business(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiQuery(params): ApiQuery<GetBusiness>,
) -> Result<(HeaderMap, Json<BusinessView>), ApiError> {
    let consistency = state
        .freshness
        .wait_for(BUSINESSES, params.min_position)
        .await?;
    let business: Option<BusinessView> = sqlx::query_as(
        "select tenant_id, name, slug, timezone, currency, country, policy as booking_policy,
                opening_hours, online_booking, address, logo_url, created_at, updated_at
           from businesses where tenant_id = $1",
    )
    .bind(user.tenant_id)
    .fetch_optional(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
    .await?;
    let business = business.ok_or_else(|| {
        ApiError::not_found("business_not_found", "the business is not known yet")
    })?;
    Ok((consistency.headers(), Json(business)))
}

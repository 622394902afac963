//! The read side of barber: the query HTTP API over the read models the projections build.
//!
//! - [`freshness`]: `min_position`, read-your-writes: wait (bounded) until the read models a
//!   request reads have applied a position, or answer marked stale.
//! - [`business`]: `GET /business`.
//! - [`customers`]: `GET /customers`, `GET /customers/{id}` (with a visit summary).
//! - [`visits`]: `GET /customers/{id}/visits`, and the visit summary of a customer.
//! - [`services`]: `GET /services`, `GET /services/{id}`.
//! - [`staff`]: `GET /staff`, `GET /staff/{id}`.
//! - [`appointments`]: `GET /appointments` (by time, barber, customer, status),
//!   `GET /appointments/{id}`.
//! - [`dashboard`]: `GET /dashboard`, the shop today from pre-aggregated day stats.
//! - [`local_days`]: the business's today, week and month, and where its local days begin.
//! - [`reports`]: `GET /reports/revenue|utilization|retention|no-shows` (owners and managers),
//!   JSON or CSV.
//! - [`audit`]: the auditor's routes over the event store itself: one record's events, a
//!   record as it was at any moment (folded by the aggregates' own `apply`, from `domain`),
//!   the business's whole log in commit order, and its export as JSON lines.
//! - [`availability`]: `GET /availability`, free start times asked of the booking rules
//!   (`domain::bookable`) over the read models.
//! - [`calendar`]: `GET /calendar`, one column per barber: hours, breaks, time off, appointments.
//! - `chairs`: what they (and the utilization report) read about a shop's chairs over some
//!   dates, in one snapshot; the barbers' weekly hours.
//! - [`public`]: the public booking page's reads, with no login (`GET /public/…`).
//! - [`users`]: `GET /users`, the business's logins; `GET /me`, the caller's.
//! - [`reader`]: every read as the row-level-secured role `barber_reader`, for one tenant.
//! - [`cursor`]: opaque keyset-pagination cursors.
//!
//! Every query is scoped by the tenant of the caller's token; another tenant's id answers 404.
//! The read side never depends on `command`: what it shares with the write side is `domain`.

pub mod answers;
pub mod appointments;
pub mod audit;
pub mod availability;
pub mod business;
pub mod calendar;
mod chairs;
pub mod cursor;
pub mod customers;
pub mod dashboard;
pub mod feeds;
pub mod freshness;
mod kept;
pub mod local_days;
pub mod notifications;
pub mod public;
pub mod reader;
pub mod reports;
pub mod services;
pub mod staff;
pub mod users;
pub mod visits;

use axum::extract::FromRef;
use axum::Router;
use platform::auth::JwtKeys;
use sqlx::PgPool;
use utoipa::OpenApi;

pub use chairs::Kept;
pub use freshness::Freshness;

/// What the query handlers share.
#[derive(Clone)]
pub struct QueryState {
    pub pool: PgPool,
    pub keys: JwtKeys,
    pub freshness: Freshness,
    /// The shops' rotas and days this process has read (see `chairs::rota`, `chairs::days`).
    pub kept: chairs::Kept,
    /// The answers this process has kept (see `answers`).
    pub answers: answers::Answers,
}

impl FromRef<QueryState> for JwtKeys {
    fn from_ref(state: &QueryState) -> Self {
        state.keys.clone()
    }
}

/// The query routes, under `/api/v1`.
pub fn router(state: QueryState) -> Router {
    Router::new()
        .merge(business::routes())
        .merge(customers::routes())
        .merge(services::routes())
        .merge(staff::routes())
        .merge(appointments::routes())
        .merge(dashboard::routes())
        .merge(visits::routes())
        .merge(reports::routes())
        .merge(audit::routes())
        .merge(availability::routes())
        .merge(calendar::routes())
        .merge(users::routes())
        .merge(public::routes())
        .merge(notifications::routes())
        .merge(feeds::routes())
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(paths(
    business::get_business,
    customers::list_customers,
    customers::get_customer,
    visits::list_visits,
    services::list_services,
    services::get_service,
    staff::list_staff,
    staff::get_staff_member,
    appointments::list_appointments,
    appointments::get_appointment,
    dashboard::get_dashboard,
    reports::revenue::revenue_report,
    reports::utilization::utilization_report,
    reports::retention::retention_report,
    reports::no_shows::no_show_report,
    audit::stream::list_stream_events,
    audit::state::get_state_as_of,
    audit::log::list_events,
    availability::get_availability,
    calendar::get_calendar,
    users::list_users,
    users::get_me,
    public::get_shop,
    public::list_online_services,
    public::list_online_staff,
    public::get_online_availability,
    public::get_online_booking,
    notifications::list_notifications,
    feeds::list_feeds,
    feeds::get_feed,
))]
pub struct QueryApi;

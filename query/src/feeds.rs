//! Calendar feeds: `GET /feeds/{token}.ics`, a barber's appointments (or the whole shop's) as an
//! iCalendar feed that Google Calendar or Apple Calendar subscribes to, from 30 days back to a
//! year ahead; cancelled appointments drop out. Times are UTC (`…Z`), so they are right on
//! daylight-saving days in every app without a VTIMEZONE. `GET /feeds` lists the business's
//! feeds (made and revoked on the command side, `POST /feeds`, `DELETE /feeds/{id}`).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Duration, Utc};
use platform::icalendar::Lines;
use platform::json::ApiPath;
use platform::roles::{power, May};
use platform::{secret_token, ApiError};
use serde::Serialize;
use uuid::Uuid;

use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new()
        .route("/feeds", get(list_feeds))
        // `{id}` as the command side's `DELETE /feeds/{id}` names it: here the token and `.ics`
        .route("/feeds/{id}", get(get_feed))
}

#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct FeedView {
    #[sqlx(rename = "feed_id")]
    id: Uuid,
    /// The barber whose chair it shows; `null`: the whole shop.
    staff_id: Option<Uuid>,
    staff_name: Option<String>,
    created_at: DateTime<Utc>,
    /// When it was revoked (its address answers 404 since); `null`: live.
    revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedList {
    items: Vec<FeedView>,
}

/// The business's calendar feeds, newest first (a barber's login: those of its own chair). Their
/// addresses were shown once, when made.
#[utoipa::path(get, path = "/api/v1/feeds", tag = "feeds", security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = FeedList)))]
pub async fn list_feeds(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
) -> Result<Json<FeedList>, ApiError> {
    let items: Vec<FeedView> = sqlx::query_as(
        "select f.feed_id, f.staff_id, s.name as staff_name, f.created_at, f.revoked_at
           from calendar_feeds f
           left join staff_members s on s.tenant_id = f.tenant_id and s.staff_id = f.staff_id
          where f.tenant_id = $1 and ($2::uuid is null or f.staff_id = $2)
          order by f.created_at desc
          limit 200",
    )
    .bind(user.tenant_id)
    .bind(user.own_chair())
    .fetch_all(&mut *crate::reader::read(&state.pool, user.tenant_id).await?)
    .await?;
    Ok(Json(FeedList { items }))
}

/// One appointment of a feed.
#[derive(Debug, sqlx::FromRow)]
struct Entry {
    appointment_id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    service_name: String,
    status: String,
    customer_name: Option<String>,
    staff_name: Option<String>,
    version: i64,
    updated_at: DateTime<Utc>,
}

/// A feed's calendar, at its secret address (`{token}.ics`); 404 `feed_not_found` for an
/// unknown or revoked one.
#[utoipa::path(get, path = "/api/v1/feeds/{id}", tag = "feeds",
    params(("id" = String, Path, description = "the feed's secret token followed by `.ics` (not \
        the feed's id, which only revokes it)")),
    responses((status = 200, content_type = "text/calendar", body = String),
        (status = 404, description = "feed_not_found", body = platform::problem::Problem)))]
pub async fn get_feed(
    State(state): State<QueryState>,
    ApiPath(file): ApiPath<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::not_found("feed_not_found", "no calendar feed has this address");
    let token = file.strip_suffix(".ics").ok_or_else(not_found)?;
    let (tenant, staff_id): (Uuid, Option<Uuid>) = sqlx::query_as(
        "select tenant_id, staff_id from calendar_feeds
          where token_hash = $1 and revoked_at is null",
    )
    .bind(secret_token::hash(token))
    .fetch_optional(&state.pool)
    .await?
    .ok_or_else(not_found)?;
    let now = Utc::now();
    let mut read = crate::reader::read(&state.pool, tenant).await?;
    // the feed is live from the moment it is made, even before the read side shows the shop
    let (business, timezone, address): (String, String, Option<String>) =
        sqlx::query_as("select name, timezone, address from businesses where tenant_id = $1")
            .bind(tenant)
            .fetch_optional(&mut *read)
            .await?
            .unwrap_or_else(|| ("barber".to_owned(), "UTC".to_owned(), None));
    let barber: Option<String> = match staff_id {
        None => None,
        Some(id) => {
            sqlx::query_scalar(
                "select name from staff_members where tenant_id = $1 and staff_id = $2",
            )
            .bind(tenant)
            .bind(id)
            .fetch_optional(&mut *read)
            .await?
        }
    };
    let entries: Vec<Entry> = sqlx::query_as(
        "select a.appointment_id, a.starts_at, a.ends_at, a.service_name, a.status,
                c.name as customer_name, s.name as staff_name, a.version, a.updated_at
           from appointments a
           left join customers c on c.tenant_id = a.tenant_id and c.customer_id = a.customer_id
           left join staff_members s on s.tenant_id = a.tenant_id and s.staff_id = a.staff_id
          where a.tenant_id = $1 and ($2::uuid is null or a.staff_id = $2)
            and a.status <> 'cancelled'
            and a.starts_at >= $3 and a.starts_at < $4
          order by a.starts_at, a.appointment_id",
    )
    .bind(tenant)
    .bind(staff_id)
    .bind(now - Duration::days(30))
    .bind(now + Duration::days(366))
    .fetch_all(&mut *read)
    .await?;
    let name = match &barber {
        Some(barber) => format!("{business}: {barber}"),
        None => business.clone(),
    };
    let body = calendar(
        &name,
        &timezone,
        address.as_deref(),
        staff_id.is_none(),
        &entries,
        now,
    );
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=300"),
    );
    Ok((headers, body).into_response())
}

/// The feed's text: one VEVENT per appointment.
fn calendar(
    name: &str,
    timezone: &str,
    address: Option<&str>,
    whole_shop: bool,
    entries: &[Entry],
    now: DateTime<Utc>,
) -> String {
    let mut lines = Lines::new();
    lines.line("BEGIN", "VCALENDAR");
    lines.line("VERSION", "2.0");
    lines.line("PRODID", "-//barber//calendar feed//EN");
    lines.line("CALSCALE", "GREGORIAN");
    lines.line("METHOD", "PUBLISH");
    lines.text("X-WR-CALNAME", name);
    lines.text("X-WR-TIMEZONE", timezone);
    lines.line("REFRESH-INTERVAL;VALUE=DURATION", "PT15M");
    lines.line("X-PUBLISHED-TTL", "PT15M");
    for entry in entries {
        let customer = entry.customer_name.as_deref().filter(|n| !n.is_empty());
        let mut summary = format!(
            "{} – {}",
            entry.service_name,
            customer.unwrap_or("a customer")
        );
        if whole_shop {
            if let Some(barber) = &entry.staff_name {
                summary.push_str(&format!(" (with {barber})"));
            }
        }
        lines.line("BEGIN", "VEVENT");
        lines.line("UID", &format!("{}@barber", entry.appointment_id));
        lines.instant("DTSTAMP", now);
        lines.instant("LAST-MODIFIED", entry.updated_at);
        lines.line("SEQUENCE", &entry.version.to_string());
        lines.instant("DTSTART", entry.starts_at);
        lines.instant("DTEND", entry.ends_at);
        lines.text("SUMMARY", &summary);
        if let Some(address) = address {
            lines.text("LOCATION", address);
        }
        lines.text(
            "DESCRIPTION",
            &format!("Status: {}", entry.status.replace('_', " ")),
        );
        lines.line("STATUS", "CONFIRMED");
        lines.line("TRANSP", "OPAQUE");
        lines.line("END", "VEVENT");
    }
    lines.line("END", "VCALENDAR");
    lines.finish()
}

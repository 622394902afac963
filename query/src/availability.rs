//! `GET /availability`: the free start times of a service, per local day and barber, that a
//! booking by the shop would accept.
//!
//! It agrees with the command side by construction: every start is asked of
//! `domain::bookable::Search`, which asks the very rules a booking asks (the 5-minute grid, the
//! booking window, the shop's opening hours, and the barber's day: `schedule::fits`, the
//! Schedule aggregate's own check), over the same facts read from the read models (the barber's
//! hours, the shop's hours and policy, the service's length and buffer, and the live
//! reservations of each barber's day, time off included). A property test books what it offers
//! and looks for what it does not (`tests/tests/api/availability.rs`).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::bookable::{effective_buffer, Asker, Hours, Search};
use domain::schedule::Reservation;
use platform::json::ApiQuery;
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::answers::{self, Window};
use crate::chairs::{self, Chairs};
use crate::freshness::{BUSINESSES, RESERVATIONS, SERVICES, STAFF};
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new().route("/availability", get(get_availability))
}

/// The most days one search covers.
pub const MAX_DAYS: u32 = 14;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetAvailability {
    /// The service to book.
    service_id: Uuid,
    /// The first local date (the business's timezone), `YYYY-MM-DD`.
    date: NaiveDate,
    /// How many days from `date`, 1–14 (default 1).
    days: Option<u32>,
    /// Only this barber; otherwise every active barber who offers the service.
    staff_id: Option<Uuid>,
    /// Wait until the answer includes the write that answered this position.
    min_position: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Availability {
    service_id: Uuid,
    /// IANA timezone of the local dates and times.
    timezone: String,
    duration_minutes: i64,
    /// The clean-up after it (the service's own, or the business's default).
    buffer_minutes: i64,
    days: Vec<AvailableDay>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AvailableDay {
    date: NaiveDate,
    /// Each barber who offers the service, with their free starts (possibly none).
    barbers: Vec<AvailableBarber>,
    /// Every free start of the day with the barbers free then: for "any barber".
    any: Vec<AnyStart>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AvailableBarber {
    staff_id: Uuid,
    name: String,
    starts: Vec<Start>,
}

/// A start time, in UTC and in the business's local time.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Start {
    #[serde(serialize_with = "platform::rfc3339::serialize")]
    starts_at: DateTime<Utc>,
    /// The same instant with the business's offset (RFC 3339).
    #[schema(value_type = String)]
    #[serde(serialize_with = "platform::rfc3339::serialize")]
    starts_at_local: DateTime<chrono::FixedOffset>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AnyStart {
    #[serde(flatten)]
    start: Start,
    staff_ids: Vec<Uuid>,
}

const READS: [platform::read_models::ReadModel; 4] = [BUSINESSES, SERVICES, STAFF, RESERVATIONS];

/// Free start times for a service on one or more local days, per barber and for any barber.
/// Made from read models and the booking window alone, an answer is kept while neither moves
/// (`crate::answers`).
#[utoipa::path(get, path = "/api/v1/availability", params(GetAvailability), tag = "availability",
    security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = Availability),
        (status = 400, description = "invalid_query, range_too_long", body = platform::problem::Problem),
        (status = 404, description = "service_not_found, staff_not_found, business_not_found",
            body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(service_id = %params.service_id))]
pub async fn get_availability(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiQuery(params): ApiQuery<GetAvailability>,
) -> Result<Response, ApiError> {
    let dates = chairs::local_dates(params.date, params.days, MAX_DAYS)?;
    let consistency = state
        .freshness
        .wait_for_all(&READS, params.min_position)
        .await?;
    let asked = Asked {
        service_id: params.service_id,
        dates,
        staff_id: params.staff_id,
        asker: Asker::Shop,
        only: None,
    };
    let body = answer(&state, user.tenant_id, &asked).await?;
    Ok(answers::json(consistency.headers(), body))
}

/// What an availability search asks.
pub(crate) struct Asked {
    pub service_id: Uuid,
    pub dates: Vec<NaiveDate>,
    pub staff_id: Option<Uuid>,
    /// Whose booking window: the shop's, or a customer's online (with the lead time).
    pub asker: Asker,
    /// Only these barbers (those a business offers online); `None`: every one.
    pub only: Option<Vec<Uuid>>,
}

/// The answer to `asked` in business `tenant`, as JSON: kept, or made and kept.
pub(crate) async fn answer(
    state: &QueryState,
    tenant: Uuid,
    asked: &Asked,
) -> Result<Bytes, ApiError> {
    let now = Utc::now();
    let dates = &asked.dates;
    let versions = answers::versions(
        &state.pool,
        tenant,
        &[BUSINESSES, STAFF],
        &[SERVICES, RESERVATIONS],
    )
    .await?;
    let key = format!(
        "{tenant} {} {dates:?} {:?} {:?} {:?}",
        asked.service_id, asked.staff_id, asked.asker, asked.only
    );
    if let Some(body) = state
        .answers
        .kept("availability", &key, versions.as_deref(), now)
    {
        return Ok(body);
    }
    let service: Option<(i32, i32)> = sqlx::query_as(
        "select duration_minutes, buffer_minutes from services
          where tenant_id = $1 and service_id = $2 and active",
    )
    .bind(tenant)
    .bind(asked.service_id)
    .fetch_optional(&mut *crate::reader::read(&state.pool, tenant).await?)
    .await?;
    let (duration, buffer) = service.ok_or_else(|| {
        ApiError::not_found(
            "service_not_found",
            "no active service of the business has that id",
        )
    })?;
    let chairs = chairs::read(
        &state.pool,
        &state.kept,
        tenant,
        dates,
        asked.staff_id,
        chairs::Reservations::All,
    )
    .await?;
    let length = Duration::minutes(i64::from(duration));
    let policy = &chairs.rota.shop.policy;
    let buffer = effective_buffer(u32::try_from(buffer).unwrap_or(0), policy);
    let days = dates
        .iter()
        .map(|date| free_day(&chairs, asked, *date, (length, buffer), now))
        .collect();
    let availability = Availability {
        service_id: asked.service_id,
        timezone: chairs.rota.shop.timezone.name().to_owned(),
        duration_minutes: length.num_minutes(),
        buffer_minutes: buffer.num_minutes(),
        days,
    };
    let body = Bytes::from(serde_json::to_vec(&availability).map_err(ApiError::internal)?);
    if let Some(versions) = versions {
        let span = (dates[0], dates[dates.len() - 1]);
        let window = Window::at(policy, asked.asker, span, now);
        state
            .answers
            .keep(key, versions, body.clone(), Some(window));
    }
    Ok(body)
}

fn free_day(
    chairs: &Chairs,
    asked: &Asked,
    date: NaiveDate,
    (length, buffer): (Duration, Duration),
    now: DateTime<Utc>,
) -> AvailableDay {
    let tz = chairs.rota.shop.timezone;
    let local = |at: DateTime<Utc>| Start {
        starts_at: at,
        starts_at_local: at.with_timezone(&tz).fixed_offset(),
    };
    let mut barbers = Vec::new();
    let mut any: BTreeMap<DateTime<Utc>, Vec<Uuid>> = BTreeMap::new();
    let asked_for = |staff_id: &Uuid| {
        asked
            .only
            .as_ref()
            .is_none_or(|only| only.contains(staff_id))
    };
    for barber in chairs
        .rota
        .barbers
        .iter()
        .filter(|b| b.offers(asked.service_id) && asked_for(&b.staff_id))
    {
        let search = Search {
            policy: &chairs.rota.shop.policy,
            now,
            asker: asked.asker,
            length,
            buffer,
            hours: Hours {
                timezone: tz,
                working_hours: &barber.working_hours,
                opening_hours: chairs.rota.shop.opening_hours.as_deref(),
            },
        };
        let taken: Vec<Reservation> = chairs
            .held_on(barber.staff_id, date)
            .iter()
            .map(chairs::Held::reservation)
            .collect();
        let starts = search.free_starts(date, &taken);
        for at in &starts {
            any.entry(*at).or_default().push(barber.staff_id);
        }
        barbers.push(AvailableBarber {
            staff_id: barber.staff_id,
            name: barber.name.clone(),
            starts: starts.into_iter().map(local).collect(),
        });
    }
    let any = any
        .into_iter()
        .map(|(at, staff_ids)| AnyStart {
            start: local(at),
            staff_ids,
        })
        .collect();
    AvailableDay { date, barbers, any }
}

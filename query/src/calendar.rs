//! `GET /calendar`: the shop's days, one column per barber: their shifts and breaks, their time
//! off and each appointment (customer, service, status, times and clean-up buffer), in UTC and
//! in the business's local time, with the shop's own opening hours for shading.
//!
//! Shifts, breaks and opening hours are the rota's wall-clock times turned into instants for
//! each date by `domain::schedule::day` (right on daylight-saving days, as booking reads them).
//! Time off is what each barber's day holds (the reservations read model: one piece per day);
//! appointments come from the appointments read model, cancelled ones left out.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::schedule::day;
use events::staff::{Weekday, WorkingDay};
use platform::json::ApiQuery;
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::answers;
use crate::chairs::{self, Chairs};
use crate::freshness::{APPOINTMENTS, BUSINESSES, CUSTOMERS, RESERVATIONS, STAFF};
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new().route("/calendar", get(get_calendar))
}

/// The most days one calendar covers: a week.
pub const MAX_DAYS: u32 = 7;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetCalendar {
    /// The first local date (the business's timezone), `YYYY-MM-DD`.
    date: NaiveDate,
    /// How many days from `date`, 1–7 (default 1).
    days: Option<u32>,
    /// Only this barber's column.
    staff_id: Option<Uuid>,
    /// Wait until the calendar includes the write that answered this position.
    min_position: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Calendar {
    /// IANA timezone of the local dates and times.
    timezone: String,
    /// The shop's opening hours per date (empty on a closed day); absent when it set none.
    shop_hours: Option<Vec<DayStretches>>,
    /// One column per active barber (or the one asked for), by name.
    barbers: Vec<BarberColumn>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayStretches {
    date: NaiveDate,
    hours: Vec<Stretch>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BarberColumn {
    staff_id: Uuid,
    name: String,
    days: Vec<BarberDay>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BarberDay {
    date: NaiveDate,
    /// Their shifts (breaks not taken out).
    working_hours: Vec<Stretch>,
    breaks: Vec<Stretch>,
    time_off: Vec<TimeOffPiece>,
    appointments: Vec<CalendarAppointment>,
}

/// A stretch of time in UTC and in the business's local time (RFC 3339 with its offset).
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct Stretch {
    #[serde(serialize_with = "platform::rfc3339::serialize")]
    starts_at: DateTime<Utc>,
    #[serde(serialize_with = "platform::rfc3339::serialize")]
    ends_at: DateTime<Utc>,
    #[schema(value_type = String)]
    #[serde(serialize_with = "platform::rfc3339::serialize")]
    starts_at_local: DateTime<FixedOffset>,
    #[schema(value_type = String)]
    #[serde(serialize_with = "platform::rfc3339::serialize")]
    ends_at_local: DateTime<FixedOffset>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimeOffPiece {
    time_off_id: Option<Uuid>,
    #[serde(flatten)]
    stretch: Stretch,
    reason: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarAppointment {
    id: Uuid,
    customer_id: Uuid,
    /// `null` once the customer is erased.
    customer_name: Option<String>,
    service_id: Uuid,
    service_name: String,
    status: String,
    #[serde(flatten)]
    stretch: Stretch,
    /// When the chair is free again: the end plus the clean-up buffer.
    #[serde(serialize_with = "platform::rfc3339::serialize")]
    blocked_until: DateTime<Utc>,
    buffer_minutes: i64,
}

const READS: [platform::read_models::ReadModel; 5] =
    [BUSINESSES, STAFF, RESERVATIONS, APPOINTMENTS, CUSTOMERS];

/// An appointment as read, decoded by position: `(staff_id, schedule_date, appointment_id,
/// customer_id, customer_name, service_id, service_name, status, starts_at, ends_at,
/// blocked_until)`.
type AppointmentRow = (
    Uuid,
    NaiveDate,
    Uuid,
    Uuid,
    Option<String>,
    Uuid,
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    DateTime<Utc>,
);

/// The statement reading the [`AppointmentRow`]s of tenant `$1` starting in `[$2, $3)`,
/// cancelled ones left out: every barber's (the shop's day lies together in the start index,
/// read faster than probing it once per barber; columns of staff who are not on the rota are
/// never looked up), or only barber `$4`'s (a text of its own, so that its plan goes down the
/// barber's index).
fn appointments_statement(one_barber: bool) -> &'static str {
    macro_rules! appointments {
        ($filter:literal) => {
            concat!(
                "select a.staff_id, a.schedule_date, a.appointment_id, a.customer_id, c.name,
                        a.service_id, a.service_name, a.status, a.starts_at, a.ends_at,
                        a.blocked_until
                   from appointments a
                   left join customers c
                     on c.tenant_id = a.tenant_id and c.customer_id = a.customer_id
                  where a.tenant_id = $1 and a.starts_at >= $2 and a.starts_at < $3
                    and a.status <> 'cancelled' ",
                $filter,
                " order by a.starts_at, a.appointment_id"
            )
        };
    }
    if one_barber {
        appointments!("and a.staff_id = $4")
    } else {
        appointments!("")
    }
}

/// The calendar of one or more local days, one column per barber.
#[utoipa::path(get, path = "/api/v1/calendar", params(GetCalendar), tag = "calendar",
    security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = Calendar),
        (status = 400, description = "invalid_query, range_too_long", body = platform::problem::Problem),
        (status = 404, description = "staff_not_found, business_not_found",
            body = platform::problem::Problem)))]
#[tracing::instrument(skip_all, fields(date = %params.date))]
pub async fn get_calendar(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiQuery(params): ApiQuery<GetCalendar>,
) -> Result<Response, ApiError> {
    let dates = chairs::local_dates(params.date, params.days, MAX_DAYS)?;
    let consistency = state
        .freshness
        .wait_for_all(&READS, params.min_position)
        .await?;
    let tenant = user.tenant_id;
    // a barber's login sees their own chair only
    let staff_id = user.own_chair().or(params.staff_id);
    // made from read models alone: kept while none of them moves (`crate::answers`)
    let versions = answers::versions(
        &state.pool,
        tenant,
        &[BUSINESSES, STAFF],
        &[RESERVATIONS, APPOINTMENTS, CUSTOMERS],
    )
    .await?;
    let key = format!("{tenant} {dates:?} {staff_id:?}");
    if let Some(body) = state
        .answers
        .kept("calendar", &key, versions.as_deref(), Utc::now())
    {
        return Ok(answers::json(consistency.headers(), body));
    }
    let calendar = make(&state, tenant, &dates, staff_id).await?;
    let body = Bytes::from(serde_json::to_vec(&calendar).map_err(ApiError::internal)?);
    if let Some(versions) = versions {
        state.answers.keep(key, versions, body.clone(), None);
    }
    Ok(answers::json(consistency.headers(), body))
}

/// The calendar of `dates` as the read models hold it.
async fn make(
    state: &QueryState,
    tenant: Uuid,
    dates: &[NaiveDate],
    staff_id: Option<Uuid>,
) -> Result<Calendar, ApiError> {
    let chairs = chairs::read(
        &state.pool,
        &state.kept,
        tenant,
        dates,
        staff_id,
        chairs::Reservations::TimeOff,
    )
    .await?;
    let tz = chairs.rota.shop.timezone;
    let (first, last) = (dates[0], dates[dates.len() - 1]);
    let query = sqlx::query_as(appointments_statement(staff_id.is_some()))
        .bind(tenant)
        .bind(day::day_bounds(tz, first).start)
        .bind(day::day_bounds(tz, last).end);
    let appointments: Vec<AppointmentRow> = match staff_id {
        None => query,
        Some(staff_id) => query.bind(staff_id),
    }
    .fetch_all(&mut *crate::reader::read(&state.pool, tenant).await?)
    .await?;
    let mut booked: HashMap<(Uuid, NaiveDate), Vec<CalendarAppointment>> = HashMap::new();
    for (
        staff_id,
        date,
        id,
        customer_id,
        customer_name,
        service_id,
        service_name,
        status,
        starts_at,
        ends_at,
        blocked_until,
    ) in appointments
    {
        booked
            .entry((staff_id, date))
            .or_default()
            .push(CalendarAppointment {
                id,
                customer_id,
                customer_name,
                service_id,
                service_name,
                status,
                stretch: instants(tz, starts_at, ends_at),
                blocked_until,
                buffer_minutes: (blocked_until - ends_at).num_minutes(),
            });
    }
    let time_off_ids: Vec<Uuid> = chairs
        .all_held()
        .filter(|h| h.is_time_off)
        .filter_map(|h| h.holder)
        .collect();
    let reasons: Vec<(Uuid, Option<String>)> = sqlx::query_as(
        "select time_off_id, reason from staff_time_off
          where tenant_id = $1 and time_off_id = any($2)",
    )
    .bind(tenant)
    .bind(&time_off_ids)
    .fetch_all(&mut *crate::reader::read(&state.pool, tenant).await?)
    .await?;

    let shop_hours = chairs.rota.shop.opening_hours.as_ref().map(|week| {
        dates
            .iter()
            .map(|date| DayStretches {
                date: *date,
                hours: shifts_on(*date, week)
                    .filter_map(|s| stretch(tz, *date, s.start, s.end))
                    .collect(),
            })
            .collect()
    });
    let barbers = chairs
        .rota
        .barbers
        .iter()
        .map(|barber| BarberColumn {
            staff_id: barber.staff_id,
            name: barber.name.clone(),
            days: dates
                .iter()
                .map(|date| {
                    let appointments = booked.remove(&(barber.staff_id, *date));
                    barber_day(
                        &chairs,
                        barber,
                        *date,
                        appointments.unwrap_or_default(),
                        &reasons,
                    )
                })
                .collect(),
        })
        .collect();
    Ok(Calendar {
        timezone: tz.name().to_owned(),
        shop_hours,
        barbers,
    })
}

fn barber_day(
    chairs: &Chairs,
    barber: &chairs::Barber,
    date: NaiveDate,
    appointments: Vec<CalendarAppointment>,
    reasons: &[(Uuid, Option<String>)],
) -> BarberDay {
    let tz = chairs.rota.shop.timezone;
    let shifts: Vec<&WorkingDay> = shifts_on(date, &barber.working_hours).collect();
    BarberDay {
        date,
        working_hours: shifts
            .iter()
            .filter_map(|s| stretch(tz, date, s.start, s.end))
            .collect(),
        breaks: shifts
            .iter()
            .flat_map(|s| s.breaks.iter())
            .filter_map(|b| stretch(tz, date, b.start, b.end))
            .collect(),
        time_off: chairs
            .held_on(barber.staff_id, date)
            .iter()
            .filter(|h| h.is_time_off)
            .map(|h| TimeOffPiece {
                time_off_id: h.holder,
                stretch: instants(tz, h.starts_at, h.ends_at),
                reason: reasons
                    .iter()
                    .find(|(id, _)| Some(*id) == h.holder)
                    .and_then(|(_, reason)| reason.clone()),
            })
            .collect(),
        appointments,
    }
}

/// The shifts of a week that fall on `date`'s weekday.
fn shifts_on(date: NaiveDate, week: &[WorkingDay]) -> impl Iterator<Item = &WorkingDay> {
    let weekday = Weekday::from(date.weekday());
    week.iter().filter(move |d| d.weekday == weekday)
}

/// A rota's wall-clock span on `date`, as instants (none when it falls into a skipped hour).
fn stretch(
    tz: Tz,
    date: NaiveDate,
    start: events::staff::ClockTime,
    end: events::staff::ClockTime,
) -> Option<Stretch> {
    day::local_interval(tz, date, start, end).map(|i| instants(tz, i.start, i.end))
}

fn instants(tz: Tz, starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> Stretch {
    Stretch {
        starts_at,
        ends_at,
        starts_at_local: starts_at.with_timezone(&tz).fixed_offset(),
        ends_at_local: ends_at.with_timezone(&tz).fixed_offset(),
    }
}

//! `GET /dashboard`: the shop at a glance, for whoever opens the app in the morning.
//!
//! Every figure about appointments comes from `appointment_day_stats` (a few rows per local day)
//! and the two short lists from the appointments read model by index, so the answer costs the
//! same at a hundred or a hundred thousand appointments. "Today", "this week" (ISO, Monday
//! first) and "this month" are the business's local dates ([`Periods`]); appointments count on
//! the local day they start.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Days, NaiveDate, Utc};
use platform::json::ApiQuery;
use platform::roles::{power, May, Power, Powers};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::freshness::{APPOINTMENTS, APPOINTMENT_STATS, BUSINESSES, CUSTOMERS, SERVICES, STAFF};
use crate::local_days::{start_of, BusinessClock, Periods};
use crate::QueryState;

pub fn routes() -> Router<QueryState> {
    Router::new().route("/dashboard", get(get_dashboard))
}

/// How many of the next bookings today the dashboard lists.
const NEXT_BOOKINGS: i64 = 5;
/// How many of the most recently booked appointments it lists.
const RECENT: i64 = 10;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    /// The business's local date now.
    today: NaiveDate,
    /// IANA timezone in which today, this week and this month are counted.
    timezone: String,
    /// ISO 4217: the currency of every amount below (takings in another currency, from before
    /// a change of currency, are left out).
    currency: String,
    /// Customers on record, without merged duplicates and erased customers.
    customers: i64,
    active_staff: i64,
    active_services: i64,
    /// Today's appointments by their current status.
    appointments_today: StatusCounts,
    /// Appointments still to come today (booked, confirmed or checked in, not yet over),
    /// soonest first: at most five.
    next_bookings: Vec<DashboardAppointment>,
    /// Takings of completed appointments, by the local day they started; `null` for a caller
    /// whose role does not see the business's figures (front desk, barber).
    revenue: Option<Revenue>,
    /// This month's appointments marked no-show.
    no_shows_this_month: i64,
    /// This month's appointments cancelled inside the cancellation window.
    late_cancellations_this_month: i64,
    /// The ten most recently booked appointments, newest first.
    recently_booked: Vec<DashboardAppointment>,
}

/// Appointments by status.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct StatusCounts {
    booked: i64,
    confirmed: i64,
    checked_in: i64,
    in_service: i64,
    completed: i64,
    cancelled: i64,
    no_show: i64,
}

impl StatusCounts {
    fn add(&mut self, status: &str, n: i64) {
        let slot = match status {
            "booked" => &mut self.booked,
            "confirmed" => &mut self.confirmed,
            "checked_in" => &mut self.checked_in,
            "in_service" => &mut self.in_service,
            "completed" => &mut self.completed,
            "cancelled" => &mut self.cancelled,
            "no_show" => &mut self.no_show,
            other => {
                tracing::warn!(status = other, "unknown status in appointment_day_stats");
                return;
            }
        };
        *slot += n;
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Revenue {
    today: Takings,
    this_week: Takings,
    this_month: Takings,
}

/// What completed appointments brought in, integer minor units of the business's currency.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Takings {
    /// Completed appointments.
    visits: i64,
    /// Paid for the services, tips apart.
    amount_paid_cents: i64,
    /// The barbers' tips.
    tip_cents: i64,
}

/// An appointment as the dashboard lists it, with the names a glance needs.
#[derive(Debug, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct DashboardAppointment {
    id: Uuid,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    status: String,
    customer_id: Uuid,
    /// `null` once the customer is erased.
    customer_name: Option<String>,
    staff_id: Uuid,
    staff_name: Option<String>,
    service_id: Uuid,
    /// As it was when booked.
    service_name: String,
    booked_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetDashboard {
    /// Wait until the dashboard includes the write that answered this position.
    min_position: Option<i64>,
}

/// Every read model the dashboard reads, each waited for.
const READS: [platform::read_models::ReadModel; 6] = [
    BUSINESSES,
    CUSTOMERS,
    STAFF,
    SERVICES,
    APPOINTMENTS,
    APPOINTMENT_STATS,
];

/// The shop today: counts, takings, the next bookings and the latest ones.
#[utoipa::path(get, path = "/api/v1/dashboard", params(GetDashboard), tag = "dashboard",
    security(("bearer" = ["see_the_shop"])),
    responses((status = 200, body = Dashboard),
        (status = 400, description = "invalid_query", body = platform::problem::Problem),
        (status = 404, description = "business_not_found", body = platform::problem::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn get_dashboard(
    State(state): State<QueryState>,
    May(user, _): May<power::SeeTheShop>,
    ApiQuery(params): ApiQuery<GetDashboard>,
) -> Result<(HeaderMap, Json<Dashboard>), ApiError> {
    let consistency = state
        .freshness
        .wait_for_all(&READS, params.min_position)
        .await?;
    let tenant = user.tenant_id;
    // a barber's login lists their own chair's appointments only (the counts are the shop's)
    let chair = user.own_chair();
    let clock = BusinessClock::of(&state.pool, tenant).await?;
    let now = Utc::now();
    let periods = Periods::at(now, clock.timezone);
    let tomorrow = start_of(periods.today + Days::new(1), clock.timezone);

    // the parts are independent reads: asked at once, each on a connection of its own
    let counts = async {
        let counts: (i64, i64, i64) = sqlx::query_as(
            "select (select count(*) from customers
                      where tenant_id = $1 and merged_into is null and erased_at is null),
                    (select count(*) from staff_members where tenant_id = $1 and active),
                    (select count(*) from services where tenant_id = $1 and active)",
        )
        .bind(tenant)
        .fetch_one(&mut *crate::reader::read(&state.pool, tenant).await?)
        .await?;
        Ok::<_, ApiError>(counts)
    };
    let today = async {
        let by_status: Vec<(String, i64)> = sqlx::query_as(
            "select status, sum(appointments)::bigint from appointment_day_stats
              where tenant_id = $1 and local_date = $2
              group by status",
        )
        .bind(tenant)
        .bind(periods.today)
        .fetch_all(&mut *crate::reader::read(&state.pool, tenant).await?)
        .await?;
        let mut counts = StatusCounts::default();
        for (status, n) in by_status {
            counts.add(&status, n);
        }
        Ok::<_, ApiError>(counts)
    };
    let next = async {
        let next: Vec<DashboardAppointment> = sqlx::query_as(&format!(
            "{LISTED}
              where a.tenant_id = $1 and a.starts_at >= $2 and a.starts_at < $3
                and a.ends_at > $4 and a.status in ('booked', 'confirmed', 'checked_in')
                and ($6::uuid is null or a.staff_id = $6)
              order by a.starts_at, a.appointment_id
              limit $5"
        ))
        .bind(tenant)
        .bind(start_of(periods.today, clock.timezone))
        .bind(tomorrow)
        .bind(now)
        .bind(NEXT_BOOKINGS)
        .bind(chair)
        .fetch_all(&mut *crate::reader::read(&state.pool, tenant).await?)
        .await?;
        Ok::<_, ApiError>(next)
    };
    let recent = async {
        let recent: Vec<DashboardAppointment> = sqlx::query_as(&format!(
            "{LISTED}
              where a.tenant_id = $1 and ($3::uuid is null or a.staff_id = $3)
              order by a.booked_at desc, a.appointment_id
              limit $2"
        ))
        .bind(tenant)
        .bind(RECENT)
        .bind(chair)
        .fetch_all(&mut *crate::reader::read(&state.pool, tenant).await?)
        .await?;
        Ok::<_, ApiError>(recent)
    };
    let (
        (customers, active_staff, active_services),
        appointments_today,
        sums,
        next_bookings,
        recently_booked,
    ) = tokio::try_join!(
        counts,
        today,
        month_sums(&state, tenant, &periods, &clock.currency),
        next,
        recent
    )?;

    Ok((
        consistency.headers(),
        Json(Dashboard {
            today: periods.today,
            timezone: clock.timezone.name().to_owned(),
            currency: clock.currency,
            customers,
            active_staff,
            active_services,
            appointments_today,
            next_bookings,
            revenue: user.role.may(Power::SeeFigures).then_some(Revenue {
                today: Takings {
                    visits: sums.today_visits,
                    amount_paid_cents: sums.today_paid,
                    tip_cents: sums.today_tips,
                },
                this_week: Takings {
                    visits: sums.week_visits,
                    amount_paid_cents: sums.week_paid,
                    tip_cents: sums.week_tips,
                },
                this_month: Takings {
                    visits: sums.month_visits,
                    amount_paid_cents: sums.month_paid,
                    tip_cents: sums.month_tips,
                },
            }),
            no_shows_this_month: sums.month_no_shows,
            late_cancellations_this_month: sums.month_late_cancellations,
            recently_booked,
        }),
    ))
}

/// The sums of the day-stats rows of this week and this month.
#[derive(sqlx::FromRow)]
struct Sums {
    today_visits: i64,
    today_paid: i64,
    today_tips: i64,
    week_visits: i64,
    week_paid: i64,
    week_tips: i64,
    month_visits: i64,
    month_paid: i64,
    month_tips: i64,
    month_no_shows: i64,
    month_late_cancellations: i64,
}

/// Sums of this week's and this month's day stats, takings in `currency` only.
async fn month_sums(
    state: &QueryState,
    tenant: Uuid,
    periods: &Periods,
    currency: &str,
) -> Result<Sums, ApiError> {
    // the week may begin in the month before or end in the next: read both whole
    Ok(sqlx::query_as(
        "select coalesce(sum(appointments) filter (where paid and local_date = $2), 0)::bigint
                    as today_visits,
                coalesce(sum(amount_paid_cents) filter (where paid and local_date = $2), 0)::bigint
                    as today_paid,
                coalesce(sum(tip_cents) filter (where paid and local_date = $2), 0)::bigint
                    as today_tips,
                coalesce(sum(appointments) filter (where paid and week), 0)::bigint
                    as week_visits,
                coalesce(sum(amount_paid_cents) filter (where paid and week), 0)::bigint
                    as week_paid,
                coalesce(sum(tip_cents) filter (where paid and week), 0)::bigint as week_tips,
                coalesce(sum(appointments) filter (where paid and month), 0)::bigint
                    as month_visits,
                coalesce(sum(amount_paid_cents) filter (where paid and month), 0)::bigint
                    as month_paid,
                coalesce(sum(tip_cents) filter (where paid and month), 0)::bigint as month_tips,
                coalesce(sum(appointments) filter (where status = 'no_show' and month), 0)::bigint
                    as month_no_shows,
                coalesce(sum(late_cancellations) filter (where status = 'cancelled' and month),
                         0)::bigint as month_late_cancellations
           from (select *, status = 'completed' and currency = $7 as paid,
                        local_date between $3 and $4 as week,
                        local_date between $5 and $6 as month
                   from appointment_day_stats
                  where tenant_id = $1
                    and local_date between least($3, $5) and greatest($4, $6)) days",
    )
    .bind(tenant)
    .bind(periods.today)
    .bind(periods.week.0)
    .bind(periods.week.1)
    .bind(periods.month.0)
    .bind(periods.month.1)
    .bind(currency)
    .fetch_one(&mut *crate::reader::read(&state.pool, tenant).await?)
    .await?)
}

/// The select list and joins of an appointment as the dashboard lists it (`a` the appointment).
const LISTED: &str = "select a.appointment_id as id, a.starts_at, a.ends_at, a.status,
        a.customer_id, case when c.erased_at is null then c.name end as customer_name,
        a.staff_id, s.name as staff_name, a.service_id, a.service_name, a.booked_at
   from appointments a
   left join customers c on c.tenant_id = a.tenant_id and c.customer_id = a.customer_id
   left join staff_members s on s.tenant_id = a.tenant_id and s.staff_id = a.staff_id";

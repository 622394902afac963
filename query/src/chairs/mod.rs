//! What the calendar, availability and the utilization report read about a shop's chairs over some local dates:
//! the business's timezone, policy and opening hours, its barbers with their weekly hours, and
//! the live reservations of each barber's day (appointments and time off alike), from the
//! businesses, staff and reservations read models, in one read-only snapshot.

mod days;
mod rota;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use domain::schedule::Reservation;
use events::business::BookingPolicy;
use events::schedule::ReservationKind;
use events::staff::{Break, ClockTime, Weekday, WorkingDay};
use platform::read_models::RESERVATIONS;
use platform::ApiError;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub use days::{Days, HeldDays};
pub use rota::{Rota, Rotas};

/// What a query process keeps of the shops' chairs between requests.
#[derive(Clone, Default)]
pub struct Kept {
    pub rotas: Rotas,
    pub days: Days,
}

/// The shop's side of a day: its timezone, policy and opening hours.
pub struct Shop {
    pub timezone: Tz,
    pub policy: BookingPolicy,
    /// `None` when it never set opening hours (then only the barbers' hours count).
    pub opening_hours: Option<Vec<WorkingDay>>,
}

/// One barber as the calendar and availability list them.
pub struct Barber {
    pub staff_id: Uuid,
    pub name: String,
    /// One entry per shift.
    pub working_hours: Vec<WorkingDay>,
    /// The services they may be booked for; `None` = every service.
    pub service_ids: Option<Vec<Uuid>>,
}

impl Barber {
    pub fn offers(&self, service_id: Uuid) -> bool {
        self.service_ids
            .as_ref()
            .is_none_or(|ids| ids.contains(&service_id))
    }
}

/// A live reservation of a barber's day (the barber and the date are where it is kept).
#[derive(Debug, Clone)]
pub struct Held {
    pub reservation_id: Uuid,
    /// Whether the barber is away then (else it is an appointment's).
    pub is_time_off: bool,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub blocked_until: DateTime<Utc>,
    pub holder: Option<Uuid>,
}

impl Held {
    /// As the barber's day holds it.
    pub fn reservation(&self) -> Reservation {
        Reservation {
            id: self.reservation_id,
            kind: if self.is_time_off {
                ReservationKind::TimeOff
            } else {
                ReservationKind::Appointment
            },
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            blocked_until: self.blocked_until,
            holder: self.holder,
        }
    }
}

/// Which live reservations to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reservations {
    /// Appointments and time off alike (what a booking collides with).
    All,
    /// Time off only (the calendar reads its appointments from the appointments read model).
    TimeOff,
}

/// The chairs of a shop over some dates.
pub struct Chairs {
    /// The shop and its active barbers (or the one asked for), by name.
    pub rota: Arc<Rota>,
    /// Live reservations of the business's staff on those dates (or the one barber's), by
    /// barber and date, each by start: only the rota's barbers are looked up.
    held: Arc<HeldDays>,
}

impl Chairs {
    /// The reservations of one barber's day, by start.
    pub fn held_on(&self, staff_id: Uuid, date: NaiveDate) -> &[Held] {
        self.held.get(&(staff_id, date)).map_or(&[], Vec::as_slice)
    }

    /// Every reservation read.
    pub fn all_held(&self) -> impl Iterator<Item = &Held> {
        self.held.values().flatten()
    }
}

/// `days` local dates from `first` (default 1), at most `max`: 400 `invalid_query` for none,
/// `range_too_long` for more.
pub fn local_dates(
    first: NaiveDate,
    days: Option<u32>,
    max: u32,
) -> Result<Vec<NaiveDate>, ApiError> {
    let days = days.unwrap_or(1);
    if days == 0 {
        return Err(ApiError::bad_request(
            "invalid_query",
            "days must be at least 1",
        ));
    }
    if days > max {
        return Err(ApiError::bad_request(
            "range_too_long",
            format!("at most {max} days at once"),
        ));
    }
    Ok(first.iter_days().take(days as usize).collect())
}

/// Reads the chairs of `tenant_id` on `dates`: every active staff member, or only `staff_id`,
/// with the reservations `which` (the rota and the days kept in `kept` when the read models
/// have not moved since they were read). 404 `business_not_found` before the business is known,
/// `staff_not_found` for a `staff_id` that is not one of its active staff.
pub async fn read(
    pool: &PgPool,
    kept: &Kept,
    tenant_id: Uuid,
    dates: &[NaiveDate],
    staff_id: Option<Uuid>,
    which: Reservations,
) -> Result<Chairs, ApiError> {
    // one snapshot for every table (each projection writes its own in one transaction)
    let mut tx = crate::reader::snapshot(
        pool,
        tenant_id,
        &[
            "businesses",
            "staff_members",
            "staff_working_hours",
            "reservations",
        ],
    )
    .await?;
    let (rota_version, days_version): (Option<String>, Option<String>) =
        sqlx::query_as(&format!("select {}, {}", rota::VERSION, days::VERSION))
            .bind(rota::VERSIONED)
            .bind(tenant_id)
            .bind(RESERVATIONS.name)
            .fetch_one(&mut *tx)
            .await?;
    let rota = kept
        .rotas
        .get(&mut tx, tenant_id, staff_id, rota_version)
        .await?;
    let key = (tenant_id, dates.to_vec(), staff_id, which);
    let held = kept.days.0.get(&key, days_version.as_deref());
    crate::kept::count("query_day_reads_total", held.is_some());
    let held = match held {
        Some(held) => held,
        None => {
            let held = Arc::new(days::read(&mut tx, &key).await?);
            if let Some(version) = days_version {
                kept.days.0.put(key, version, held.clone(), 1);
            }
            held
        }
    };
    tx.commit().await?;
    Ok(Chairs { rota, held })
}

/// The rota as the read models hold it in the caller's snapshot: 404 `business_not_found`
/// before the business is known, `staff_not_found` for a `staff_id` that is not one of its
/// active staff.
async fn read_rota(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    staff_id: Option<Uuid>,
) -> Result<Rota, ApiError> {
    let shop = shop(&mut *conn, tenant_id).await?;
    let barbers = barbers(&mut *conn, tenant_id, staff_id).await?;
    if let Some(wanted) = staff_id {
        if !barbers.iter().any(|b| b.staff_id == wanted) {
            return Err(ApiError::not_found(
                "staff_not_found",
                "no active staff member of the business has that id",
            ));
        }
    }
    Ok(Rota { shop, barbers })
}

async fn shop(conn: &mut PgConnection, tenant_id: Uuid) -> Result<Shop, ApiError> {
    type Row = (
        String,
        sqlx::types::Json<BookingPolicy>,
        Option<sqlx::types::Json<Vec<WorkingDay>>>,
    );
    let row: Option<Row> = sqlx::query_as(
        "select timezone, policy, opening_hours from businesses where tenant_id = $1",
    )
    .bind(tenant_id)
    .fetch_optional(conn)
    .await?;
    let (timezone, policy, opening_hours) = row.ok_or_else(|| {
        ApiError::not_found("business_not_found", "the business is not known yet")
    })?;
    Ok(Shop {
        timezone: crate::local_days::stored_timezone(&timezone)?,
        policy: policy.0,
        opening_hours: opening_hours.map(|h| h.0),
    })
}

/// A working-hours row as read: `(staff_id, weekday 1–7, start and end in minutes since
/// midnight, breaks)`, decoded by position.
type ShiftRow = (Uuid, i16, i32, i32, sqlx::types::Json<Vec<Break>>);

async fn barbers(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    staff_id: Option<Uuid>,
) -> Result<Vec<Barber>, ApiError> {
    let members: Vec<(Uuid, String, Option<Vec<Uuid>>)> = sqlx::query_as(
        "select staff_id, name, service_ids from staff_members
          where tenant_id = $1 and active and ($2::uuid is null or staff_id = $2)
          order by lower(name), staff_id",
    )
    .bind(tenant_id)
    .bind(staff_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut weeks = weeks(&mut *conn, tenant_id, staff_id).await?;
    let mut barbers: Vec<Barber> = members
        .into_iter()
        .map(|(staff_id, name, service_ids)| Barber {
            staff_id,
            name,
            working_hours: Vec::new(),
            service_ids,
        })
        .collect();
    for barber in &mut barbers {
        barber.working_hours = weeks.remove(&barber.staff_id).unwrap_or_default();
    }
    Ok(barbers)
}

/// The weekly hours (one entry per shift) of every staff member of `tenant_id`, active or not,
/// or of `staff_id` only, as the staff read model holds them.
pub async fn weeks(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    staff_id: Option<Uuid>,
) -> Result<HashMap<Uuid, Vec<WorkingDay>>, ApiError> {
    let shifts: Vec<ShiftRow> = sqlx::query_as(
        "select staff_id, weekday, (extract(epoch from start_time) / 60)::int,
                (extract(epoch from end_time) / 60)::int, breaks
           from staff_working_hours
          where tenant_id = $1 and ($2::uuid is null or staff_id = $2)
          order by staff_id, weekday, start_time",
    )
    .bind(tenant_id)
    .bind(staff_id)
    .fetch_all(conn)
    .await?;
    let mut weeks: HashMap<Uuid, Vec<WorkingDay>> = HashMap::new();
    for row in shifts {
        weeks.entry(row.0).or_default().push(shift(row)?);
    }
    Ok(weeks)
}

fn shift((_, weekday, start, end, breaks): ShiftRow) -> Result<WorkingDay, ApiError> {
    let stored = |what: String| ApiError::internal(std::io::Error::other(what));
    let weekday = usize::try_from(weekday - 1)
        .ok()
        .and_then(|i| Weekday::ALL.get(i).copied())
        .ok_or_else(|| stored(format!("stored weekday {weekday} is not 1 to 7")))?;
    let time = |minutes: i32| {
        u32::try_from(minutes)
            .ok()
            .and_then(|m| ClockTime::new(m / 60, m % 60))
            .ok_or_else(|| {
                stored(format!(
                    "stored time of {minutes} minutes is not 00:00 to 24:00"
                ))
            })
    };
    Ok(WorkingDay {
        weekday,
        start: time(start)?,
        end: time(end)?,
        breaks: breaks.0,
    })
}

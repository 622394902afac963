//! The live reservations of a shop's days change only when something is booked, moved,
//! cancelled or taken off there, and are read by every availability search (a public booking
//! page asks for the same day again and again): at 200 barbers a day is 1 600 reservations,
//! about half a search's time in Postgres and in decoding. So each query process keeps the days
//! it read, per business, dates, barber asked for and kind, and uses them again while the
//! business's part of the reservations read model has not moved since.
//!
//! "Not moved" is the version of the business's row in `read_model_versions` (its `xmin`), read
//! in the same snapshot as everything else: every projection batch that may change a
//! business's reservations rewrites that row in its own transaction, and a rebuild rewrites
//! every row of its read model. A business without the row yet (nothing applied since the row
//! was introduced) is read every time. Kept days are also read afresh after
//! [`crate::kept::MAX_AGE`], and a process keeps at most [`MAX_ENTRIES`].

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Held, Reservations};
use crate::kept::ByVersion;

/// How many searches' days one process keeps (past it, all are dropped and read again).
pub const MAX_ENTRIES: usize = 256;

/// Live reservations by barber and date, each by start.
pub type HeldDays = HashMap<(Uuid, NaiveDate), Vec<Held>>;

/// The days this process has read, with the version they were read at.
#[derive(Clone)]
pub struct Days(pub(super) ByVersion<Key, Arc<HeldDays>>);

impl Default for Days {
    fn default() -> Self {
        Self(ByVersion::new(MAX_ENTRIES))
    }
}

/// A business, its dates, the one barber asked for if any, and which reservations.
pub(super) type Key = (Uuid, Vec<NaiveDate>, Option<Uuid>, Reservations);

/// The business's version of the reservations read model, as the caller's snapshot sees it
/// (`None` without a row): a SQL expression over `$2`, the business, and `$3`, the read
/// model's name.
pub(super) const VERSION: &str = "(select xmin::text from read_model_versions
   where tenant_id = $2 and read_model = $3)";

/// A barber's day as read: `(staff_id, schedule_date)` and its live reservations as parallel
/// arrays `(reservation_id, is_time_off, starts_at, ends_at, blocked_until, holder)`, decoded
/// by position. One row per barber-day, not one per reservation: decoding a row costs far more
/// than decoding an array element (a busy shop's day is 1 600 reservations over 200 chairs).
type DayRow = (
    Uuid,
    NaiveDate,
    Vec<Uuid>,
    Vec<bool>,
    Vec<DateTime<Utc>>,
    Vec<DateTime<Utc>>,
    Vec<DateTime<Utc>>,
    Vec<Option<Uuid>>,
);

/// The statement reading the [`DayRow`]s of tenant `$1` on the dates `$2` (and of barber `$3`
/// when one is asked for): one text per case, so that each plan takes its own path (down the
/// index to one barber; through the partial index of live time off).
fn days_statement(which: Reservations, one_barber: bool) -> &'static str {
    macro_rules! days {
        ($filter:literal) => {
            concat!(
                "select staff_id, schedule_date, array_agg(reservation_id),
                        array_agg(kind = 'time_off'), array_agg(starts_at), array_agg(ends_at),
                        array_agg(blocked_until), array_agg(holder)
                   from reservations
                  where tenant_id = $1 and schedule_date = any($2) and released_at is null ",
                $filter,
                " group by staff_id, schedule_date"
            )
        };
    }
    match (which, one_barber) {
        (Reservations::All, false) => days!(""),
        (Reservations::All, true) => days!("and staff_id = $3"),
        (Reservations::TimeOff, false) => days!("and kind = 'time_off'"),
        (Reservations::TimeOff, true) => days!("and kind = 'time_off' and staff_id = $3"),
    }
}

/// The days of `key` as the reservations read model holds them in the caller's snapshot.
pub(super) async fn read(conn: &mut PgConnection, key: &Key) -> Result<HeldDays, sqlx::Error> {
    let (tenant_id, dates, staff_id, which) = key;
    // every barber's day of the dates (or the one barber's): the shop's whole day is a few
    // heap pages, read faster than probing the index once per barber
    let query = sqlx::query_as(days_statement(*which, staff_id.is_some()))
        .bind(tenant_id)
        .bind(dates);
    let days: Vec<DayRow> = match staff_id {
        None => query,
        Some(staff_id) => query.bind(staff_id),
    }
    .fetch_all(conn)
    .await?;
    Ok(days
        .into_iter()
        .map(
            |(staff_id, date, ids, time_off, starts, ends, blocked, holders)| {
                let mut day: Vec<Held> = ids
                    .into_iter()
                    .zip(time_off)
                    .zip(starts.into_iter().zip(ends))
                    .zip(blocked.into_iter().zip(holders))
                    .map(
                        |(
                            ((reservation_id, is_time_off), (starts_at, ends_at)),
                            (blocked_until, holder),
                        )| {
                            Held {
                                reservation_id,
                                is_time_off,
                                starts_at,
                                ends_at,
                                blocked_until,
                                holder,
                            }
                        },
                    )
                    .collect();
                day.sort_unstable_by_key(|h| (h.starts_at, h.reservation_id));
                ((staff_id, date), day)
            },
        )
        .collect())
}

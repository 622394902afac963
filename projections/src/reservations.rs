//! The reservations read model: one row per live reservation of a barber's day, written from the
//! Schedule aggregate's own events, so that availability and the calendar see exactly the
//! stretches a booking would collide with (time off included: it is a reservation too).
//!
//! A reservation is inserted once (`on conflict do nothing`) and marked released when it is (a
//! released id is never reserved again, the aggregate's rule); the row stays, so a redelivered
//! reservation cannot bring it back. Replaying either event is a no-op and the order across
//! barbers' days does not matter.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use events::schedule::{ReservationKind, ScheduleEvent};
use events::RecordedEvent;
use serde::Deserialize;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::ApplyError;
use crate::projection::Projection;

/// The reservations of a batch, column by column.
#[derive(Default)]
struct Reserved {
    tenant_ids: Vec<Uuid>,
    reservation_ids: Vec<Uuid>,
    staff_ids: Vec<Uuid>,
    dates: Vec<NaiveDate>,
    kinds: Vec<&'static str>,
    starts: Vec<DateTime<Utc>>,
    ends: Vec<DateTime<Utc>>,
    blocked_until: Vec<DateTime<Utc>>,
    holders: Vec<Option<Uuid>>,
}

/// The releases of a batch, column by column, each reservation once.
#[derive(Default)]
struct Released {
    seen: HashSet<(Uuid, Uuid)>,
    tenant_ids: Vec<Uuid>,
    reservation_ids: Vec<Uuid>,
    at: Vec<DateTime<Utc>>,
}

/// Builds the `reservations` table from schedule events.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reservations;

impl Reservations {
    pub const NAME: &'static str = platform::read_models::RESERVATIONS.name;
    pub const AGGREGATE_TYPES: &'static [&'static str] =
        platform::read_models::RESERVATIONS.aggregate_types;
}

impl Projection for Reservations {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        Self::AGGREGATE_TYPES
    }

    #[tracing::instrument(
        name = "reservations.apply",
        skip_all,
        fields(schedule = %event.aggregate_id, sequence = event.sequence)
    )]
    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ApplyError> {
        self.apply_many(conn, &[event]).await
    }

    /// Every reservation of the batch in one insert, then every release in one update: a
    /// release follows its reservation in the barber's day, and neither depends on any other.
    #[tracing::instrument(name = "reservations.apply_many", skip_all, fields(events = events.len()))]
    async fn apply_many(
        &self,
        conn: &mut PgConnection,
        events: &[&RecordedEvent],
    ) -> Result<(), ApplyError> {
        let mut reserved = Reserved::default();
        let mut released = Released::default();
        for event in events {
            match ScheduleEvent::deserialize(&event.payload)? {
                ScheduleEvent::SlotReserved {
                    reservation_id,
                    staff_id,
                    date,
                    kind,
                    starts_at,
                    ends_at,
                    blocked_until,
                    holder,
                    ..
                } => {
                    reserved.tenant_ids.push(event.tenant_id);
                    reserved.reservation_ids.push(reservation_id);
                    reserved.staff_ids.push(staff_id);
                    reserved.dates.push(date);
                    reserved.kinds.push(match kind {
                        ReservationKind::Appointment => "appointment",
                        ReservationKind::TimeOff => "time_off",
                    });
                    reserved.starts.push(starts_at);
                    reserved.ends.push(ends_at);
                    reserved.blocked_until.push(blocked_until);
                    reserved.holders.push(holder);
                }
                // the first release of a reservation is the one kept
                ScheduleEvent::SlotReleased { reservation_id } => {
                    if released.seen.insert((event.tenant_id, reservation_id)) {
                        released.tenant_ids.push(event.tenant_id);
                        released.reservation_ids.push(reservation_id);
                        released.at.push(event.recorded_at);
                    }
                }
            }
        }
        if !reserved.reservation_ids.is_empty() {
            sqlx::query(
                "insert into reservations (tenant_id, reservation_id, staff_id, schedule_date,
                                           kind, starts_at, ends_at, blocked_until, holder)
                 select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::date[], $5::text[],
                                      $6::timestamptz[], $7::timestamptz[], $8::timestamptz[],
                                      $9::uuid[])
                 on conflict (tenant_id, reservation_id) do nothing",
            )
            .bind(&reserved.tenant_ids)
            .bind(&reserved.reservation_ids)
            .bind(&reserved.staff_ids)
            .bind(&reserved.dates)
            .bind(&reserved.kinds)
            .bind(&reserved.starts)
            .bind(&reserved.ends)
            .bind(&reserved.blocked_until)
            .bind(&reserved.holders)
            .execute(&mut *conn)
            .await?;
        }
        if !released.reservation_ids.is_empty() {
            sqlx::query(
                "update reservations r set released_at = u.at
                   from unnest($1::uuid[], $2::uuid[], $3::timestamptz[])
                        as u(tenant_id, reservation_id, at)
                  where r.tenant_id = u.tenant_id and r.reservation_id = u.reservation_id
                    and r.released_at is null",
            )
            .bind(&released.tenant_ids)
            .bind(&released.reservation_ids)
            .bind(&released.at)
            .execute(conn)
            .await?;
        }
        Ok(())
    }

    fn tables(&self) -> &'static [&'static str] {
        &["reservations"]
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use platform::testing::TestEnv;
    use serde_json::{json, Value};

    use super::*;

    fn at(hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 7, hour, 0, 0)
            .single()
            .expect("instant")
    }

    fn recorded(tenant: Uuid, day: &str, sequence: i64, e: &ScheduleEvent) -> RecordedEvent {
        RecordedEvent {
            global_position: sequence,
            transaction_id: 1,
            aggregate_type: events::schedule::AGGREGATE_TYPE.into(),
            aggregate_id: day.into(),
            sequence,
            event_type: String::new(),
            event_version: "1".into(),
            tenant_id: tenant,
            payload: serde_json::to_value(e).expect("serialises"),
            metadata: json!({}),
            recorded_at: at(8),
        }
    }

    async fn rows(conn: &mut PgConnection) -> Vec<Value> {
        sqlx::query_scalar(
            "select jsonb_build_object('id', reservation_id, 'kind', kind, 'from', starts_at,
                                       'until', blocked_until, 'holder', holder,
                                       'released', released_at is not null)
               from reservations order by starts_at",
        )
        .fetch_all(conn)
        .await
        .expect("rows")
    }

    #[tokio::test]
    async fn reservations_appear_and_go_and_replays_in_any_order_change_nothing() {
        let env = TestEnv::new().await;
        let mut conn = env.pool.acquire().await.expect("connection");
        let (tenant, barber, other) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let date = NaiveDate::from_ymd_opt(2026, 12, 7).expect("date");
        let reserve = |id: Uuid, staff_id: Uuid, kind, from, until| ScheduleEvent::SlotReserved {
            reservation_id: id,
            business_id: tenant,
            staff_id,
            date,
            kind,
            starts_at: at(from),
            ends_at: at(until),
            blocked_until: at(until),
            holder: Some(id),
        };
        let (cut, away, moved) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let day = format!("{barber}:2026-12-07");
        let other_day = format!("{other}:2026-12-07");
        let history = [
            recorded(
                tenant,
                &day,
                1,
                &reserve(cut, barber, ReservationKind::Appointment, 10, 11),
            ),
            recorded(
                tenant,
                &day,
                2,
                &reserve(away, barber, ReservationKind::TimeOff, 13, 15),
            ),
            recorded(
                tenant,
                &other_day,
                1,
                &reserve(moved, other, ReservationKind::Appointment, 9, 10),
            ),
            recorded(
                tenant,
                &other_day,
                2,
                &ScheduleEvent::SlotReleased {
                    reservation_id: moved,
                },
            ),
        ];
        for event in &history {
            Reservations.apply(&mut conn, event).await.expect("applied");
        }
        let built = rows(&mut conn).await;
        assert_eq!(built.len(), 3, "{built:?}");
        assert_eq!(built[0]["released"], true, "the moved one is released");
        assert_eq!(built[1]["kind"], "appointment");
        assert_eq!(built[2]["kind"], "time_off");

        // every event delivered again, in any order: same rows (a released one stays released)
        for event in history.iter().rev() {
            Reservations.apply(&mut conn, event).await.expect("applied");
        }
        assert_eq!(rows(&mut conn).await, built);

        // the whole history as one batch, twice over: the same rows, in two statements
        sqlx::query("delete from reservations")
            .execute(&mut *conn)
            .await
            .expect("reset");
        let batch: Vec<&RecordedEvent> = history.iter().chain(history.iter()).collect();
        Reservations
            .apply_many(&mut conn, &batch)
            .await
            .expect("applied");
        assert_eq!(rows(&mut conn).await, built);
    }
}

//! The staff read model: `staff_members` (one row per member, deactivated ones included),
//! `staff_working_hours` (their weekly rota, replaced wholesale when it is set) and
//! `staff_time_off`.
//!
//! Every event moves the member row's `version` to its sequence, guarded by
//! `where version < $sequence`, and touches the rota or time-off rows only when that guard let
//! it through: the three tables move together and a replay without reset changes nothing.

use events::staff::{StaffEvent, StaffProfile, WorkingDay};
use events::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::ApplyError;
use crate::projection::Projection;

/// Builds the staff tables from staff events.
#[derive(Debug, Clone, Copy, Default)]
pub struct Staff;

impl Staff {
    pub const NAME: &'static str = platform::read_models::STAFF.name;
    pub const AGGREGATE_TYPES: &'static [&'static str] =
        platform::read_models::STAFF.aggregate_types;
}

impl Projection for Staff {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        Self::AGGREGATE_TYPES
    }

    #[tracing::instrument(
        name = "staff.apply",
        skip_all,
        fields(staff_id = %event.aggregate_id, sequence = event.sequence)
    )]
    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ApplyError> {
        let payload = serde_json::from_value::<StaffEvent>(event.payload.clone())?;
        if let StaffEvent::StaffMemberAdded {
            staff_id, profile, ..
        } = &payload
        {
            return add(conn, event, *staff_id, profile).await;
        }
        let staff_id = Uuid::parse_str(&event.aggregate_id).map_err(|_| {
            ApplyError::Invalid(format!(
                "staff aggregate id {:?} is not a uuid",
                event.aggregate_id
            ))
        })?;
        let member = Member {
            tenant_id: event.tenant_id,
            staff_id,
        };
        if !member.advance(conn, event, &payload).await? {
            // the addition was dead-lettered, or this version is already reflected
            tracing::debug!(%staff_id, sequence = event.sequence, "staff event changed no row");
            return Ok(());
        }
        match payload {
            StaffEvent::WorkingHoursSet { days } => member.replace_hours(conn, &days).await,
            StaffEvent::TimeOffAdded {
                time_off_id,
                starts_at,
                ends_at,
                reason,
            } => {
                sqlx::query(
                    "insert into staff_time_off
                         (tenant_id, staff_id, time_off_id, starts_at, ends_at, reason)
                     values ($1, $2, $3, $4, $5, $6)
                     on conflict (tenant_id, time_off_id) do nothing",
                )
                .bind(member.tenant_id)
                .bind(member.staff_id)
                .bind(time_off_id)
                .bind(starts_at)
                .bind(ends_at)
                .bind(reason)
                .execute(conn)
                .await?;
                Ok(())
            }
            StaffEvent::TimeOffRemoved { time_off_id } => {
                sqlx::query(
                    "delete from staff_time_off
                      where tenant_id = $1 and staff_id = $2 and time_off_id = $3",
                )
                .bind(member.tenant_id)
                .bind(member.staff_id)
                .bind(time_off_id)
                .execute(conn)
                .await?;
                Ok(())
            }
            // the member row itself carried the change
            _ => Ok(()),
        }
    }

    fn tables(&self) -> &'static [&'static str] {
        &["staff_members", "staff_working_hours", "staff_time_off"]
    }
}

/// An addition never overwrites: a second addition of the same member is a no-op.
async fn add(
    conn: &mut PgConnection,
    event: &RecordedEvent,
    staff_id: Uuid,
    profile: &StaffProfile,
) -> Result<(), ApplyError> {
    sqlx::query(
        "insert into staff_members
             (tenant_id, staff_id, name, role, email, phone, active, service_ids,
              created_at, updated_at, version)
         values ($1, $2, $3, $4, $5, $6, true, null, $7, $7, $8)
         on conflict (tenant_id, staff_id) do nothing",
    )
    .bind(event.tenant_id)
    .bind(staff_id)
    .bind(&profile.name)
    .bind(profile.role.as_str())
    .bind(&profile.email)
    .bind(&profile.phone)
    .bind(event.recorded_at)
    .bind(event.sequence)
    .execute(conn)
    .await?;
    Ok(())
}

/// The member an event is about.
struct Member {
    tenant_id: Uuid,
    staff_id: Uuid,
}

impl Member {
    /// Moves the member row to the event's version, with the row's own columns the event
    /// changes. `false` when the guard held it back (nothing else may be written then).
    async fn advance(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
        payload: &StaffEvent,
    ) -> Result<bool, ApplyError> {
        let sql = match payload {
            StaffEvent::StaffMemberUpdated { .. } => {
                "update staff_members
                    set updated_at = $3, version = $4, name = $5, role = $6, email = $7, phone = $8
                  where tenant_id = $1 and staff_id = $2 and version < $4"
            }
            StaffEvent::ServicesOffered { .. } => {
                "update staff_members set updated_at = $3, version = $4, service_ids = $5
                  where tenant_id = $1 and staff_id = $2 and version < $4"
            }
            StaffEvent::StaffMemberDeactivated | StaffEvent::StaffMemberReactivated => {
                "update staff_members set updated_at = $3, version = $4, active = $5
                  where tenant_id = $1 and staff_id = $2 and version < $4"
            }
            StaffEvent::DailyAgendaChosen { .. } => {
                "update staff_members set updated_at = $3, version = $4, daily_agenda = $5
                  where tenant_id = $1 and staff_id = $2 and version < $4"
            }
            _ => {
                "update staff_members set updated_at = $3, version = $4
                  where tenant_id = $1 and staff_id = $2 and version < $4"
            }
        };
        let query = sqlx::query(sql)
            .bind(self.tenant_id)
            .bind(self.staff_id)
            .bind(event.recorded_at)
            .bind(event.sequence);
        let query = match payload {
            StaffEvent::StaffMemberUpdated { profile } => query
                .bind(&profile.name)
                .bind(profile.role.as_str())
                .bind(&profile.email)
                .bind(&profile.phone),
            StaffEvent::ServicesOffered { service_ids } => query.bind(service_ids),
            StaffEvent::StaffMemberDeactivated => query.bind(false),
            StaffEvent::StaffMemberReactivated => query.bind(true),
            StaffEvent::DailyAgendaChosen { wanted } => query.bind(*wanted),
            _ => query,
        };
        let updated = query.execute(conn).await?;
        Ok(updated.rows_affected() > 0)
    }

    /// The rota is replaced as a whole: the event carries the whole week.
    async fn replace_hours(
        &self,
        conn: &mut PgConnection,
        days: &[WorkingDay],
    ) -> Result<(), ApplyError> {
        sqlx::query("delete from staff_working_hours where tenant_id = $1 and staff_id = $2")
            .bind(self.tenant_id)
            .bind(self.staff_id)
            .execute(&mut *conn)
            .await?;
        let mut breaks = Vec::with_capacity(days.len());
        for day in days {
            breaks.push(serde_json::to_value(&day.breaks)?);
        }
        sqlx::query(
            "insert into staff_working_hours
                 (tenant_id, staff_id, weekday, start_time, end_time, breaks)
             select $1, $2, * from unnest($3::smallint[], $4::text[]::time[], $5::text[]::time[],
                                          $6::jsonb[])",
        )
        .bind(self.tenant_id)
        .bind(self.staff_id)
        .bind(
            days.iter()
                .map(|d| d.weekday.iso_number())
                .collect::<Vec<_>>(),
        )
        // as text: `24:00` is a Postgres time but no chrono one
        .bind(days.iter().map(|d| d.start.to_string()).collect::<Vec<_>>())
        .bind(days.iter().map(|d| d.end.to_string()).collect::<Vec<_>>())
        .bind(breaks)
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;

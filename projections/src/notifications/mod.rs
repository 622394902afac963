//! The notifications read model: what each customer is to be told about their appointments,
//! and when (the `notifications` table, which the notification worker sends from and the
//! shop's list of messages reads).
//!
//! - A booking makes a confirmation (now) and the reminders of its start on each of the
//!   business's channels; a walk-in, or a booking of a start already past, makes none.
//! - A move withdraws the reminders not yet sent and makes those of the new start, and a
//!   notice of the move.
//! - A cancellation withdraws everything not yet sent and makes a notice of it; a no-show or a
//!   completion withdraws what was not sent (a completion makes a "how was it?" when the
//!   business asks for one).
//! - `CustomerNotified` marks a message sent.
//!
//! Every message has an id made from what it is (`plan::notification_id`), so a redelivered
//! event or a rebuild makes no second message; a row is only ever inserted once, and withdrawn
//! or sent rows never come back. What the worker did (claims, attempts, errors) is its own
//! table, outside this read model; `taken` (the worker has a delivery of the message, so it is
//! no longer new work) is written by the worker's claim, and read from the worker's table when
//! a row is made, so a rebuilt row says the same.

pub mod plan;

use chrono::{DateTime, Utc};
use events::appointment::NotificationKind as Kind;
use events::appointment::{AppointmentEvent, AppointmentSource};
use events::business::BusinessEvent;
use events::{EventMetadata, RecordedEvent};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::ApplyError;
use crate::projection::Projection;
use plan::{Planned, Policy};

/// Builds the `notifications` tables from appointment events (and the business's policy as
/// the event store held it at each).
#[derive(Debug, Clone, Copy, Default)]
pub struct Notifications;

impl Notifications {
    pub const NAME: &'static str = platform::read_models::NOTIFICATIONS.name;
    pub const AGGREGATE_TYPES: &'static [&'static str] =
        platform::read_models::NOTIFICATIONS.aggregate_types;
}

impl Projection for Notifications {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        Self::AGGREGATE_TYPES
    }

    #[tracing::instrument(
        name = "notifications.apply",
        skip_all,
        fields(aggregate = %event.aggregate_id, sequence = event.sequence)
    )]
    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ApplyError> {
        let appointment_id: Uuid = event
            .aggregate_id
            .parse()
            .map_err(|_| ApplyError::Invalid(format!("{:?} is not an id", event.aggregate_id)))?;
        let change: AppointmentEvent = serde_json::from_value(event.payload.clone())?;
        Change {
            conn,
            event,
            appointment_id,
        }
        .apply(change)
        .await
    }

    fn tables(&self) -> &'static [&'static str] {
        &["notification_appointments", "notifications"]
    }
}

/// One appointment event being applied.
struct Change<'a> {
    conn: &'a mut PgConnection,
    event: &'a RecordedEvent,
    appointment_id: Uuid,
}

impl Change<'_> {
    async fn apply(mut self, change: AppointmentEvent) -> Result<(), ApplyError> {
        let now = self.event.recorded_at;
        match change {
            AppointmentEvent::AppointmentBooked {
                customer_id,
                starts_at,
                source,
                ..
            } => {
                sqlx::query(
                    "insert into notification_appointments
                            (appointment_id, tenant_id, customer_id, starts_at, status)
                     values ($1, $2, $3, $4, 'live') on conflict do nothing",
                )
                .bind(self.appointment_id)
                .bind(self.event.tenant_id)
                .bind(customer_id)
                .bind(starts_at)
                .execute(&mut *self.conn)
                .await?;
                // a walk-in is in the shop; a booking of a start already past is a record
                if source == AppointmentSource::WalkIn || starts_at <= now {
                    return Ok(());
                }
                let policy = self.policy().await?;
                let mut planned =
                    plan::notices(self.appointment_id, Kind::Confirmation, &policy, "", now);
                planned.extend(plan::reminders(
                    self.appointment_id,
                    starts_at,
                    &policy,
                    now,
                ));
                self.insert(customer_id, &planned, (starts_at, None)).await
            }
            AppointmentEvent::AppointmentRescheduled {
                starts_at,
                previous_starts_at,
                ..
            } => {
                self.withdraw(&["reminder"]).await?;
                let Some(customer_id) = self.moved_to(starts_at).await? else {
                    return Ok(());
                };
                if starts_at <= now {
                    return Ok(());
                }
                let policy = self.policy().await?;
                let about = self.event.sequence.to_string();
                let mut planned =
                    plan::notices(self.appointment_id, Kind::Rescheduled, &policy, &about, now);
                planned.extend(plan::reminders(
                    self.appointment_id,
                    starts_at,
                    &policy,
                    now,
                ));
                self.insert(customer_id, &planned, (starts_at, Some(previous_starts_at)))
                    .await
            }
            AppointmentEvent::AppointmentCancelled { .. } => {
                self.withdraw(&["confirmation", "reminder", "rescheduled"])
                    .await?;
                let Some((customer_id, starts_at)) = self.finish("cancelled").await? else {
                    return Ok(());
                };
                // a cancellation after the start (a late one recorded afterwards) tells nobody
                if starts_at <= now {
                    return Ok(());
                }
                let policy = self.policy().await?;
                let planned = plan::notices(self.appointment_id, Kind::Cancelled, &policy, "", now);
                self.insert(customer_id, &planned, (starts_at, None)).await
            }
            AppointmentEvent::AppointmentMarkedNoShow { .. } => {
                self.withdraw(&["confirmation", "reminder", "rescheduled"])
                    .await?;
                self.finish("no_show").await?;
                Ok(())
            }
            AppointmentEvent::AppointmentCompleted { at, .. } => {
                self.withdraw(&["confirmation", "reminder", "rescheduled"])
                    .await?;
                let Some((customer_id, starts_at)) = self.finish("completed").await? else {
                    return Ok(());
                };
                let policy = self.policy().await?;
                if !policy.follow_up {
                    return Ok(());
                }
                let planned = plan::notices(
                    self.appointment_id,
                    Kind::FollowUp,
                    &policy,
                    "",
                    at + plan::FOLLOW_UP_AFTER,
                );
                self.insert(customer_id, &planned, (starts_at, None)).await
            }
            AppointmentEvent::AppointmentCustomerChanged { customer_id, .. } => {
                for table in ["notification_appointments", "notifications"] {
                    sqlx::query(&format!(
                        "update {table} set customer_id = $2 where appointment_id = $1"
                    ))
                    .bind(self.appointment_id)
                    .bind(customer_id)
                    .execute(&mut *self.conn)
                    .await?;
                }
                Ok(())
            }
            AppointmentEvent::CustomerNotified {
                notification_id,
                provider_id,
                at,
                ..
            } => {
                sqlx::query(
                    "update notifications set status = 'sent', sent_at = $2, provider_id = $3
                      where notification_id = $1",
                )
                .bind(notification_id)
                .bind(at)
                .bind(provider_id)
                .execute(&mut *self.conn)
                .await?;
                Ok(())
            }
            AppointmentEvent::AppointmentConfirmed {}
            | AppointmentEvent::AppointmentCheckedIn { .. }
            | AppointmentEvent::AppointmentStarted { .. }
            | AppointmentEvent::AppointmentServiceChanged { .. }
            | AppointmentEvent::AppointmentNoteAdded { .. } => Ok(()),
        }
    }

    /// The business's policy as it stood when this event was recorded: its newest
    /// `BookingPolicyChanged` before the event in commit order, read from the event store (the
    /// defaults before any). Read from the store, not from a table of this projection, so the
    /// answer is the same whether the events are applied as they come or rebuilt aggregate by
    /// aggregate.
    async fn policy(&mut self) -> Result<Policy, ApplyError> {
        let payload: Option<serde_json::Value> = sqlx::query_scalar(
            "select payload from events
              where aggregate_type = $1 and aggregate_id = $2
                and event_type = 'BookingPolicyChanged'
                and (transaction_id, global_position) < ($3::text::xid8, $4)
              order by transaction_id desc, global_position desc
              limit 1",
        )
        .bind(events::business::AGGREGATE_TYPE)
        .bind(self.event.tenant_id.to_string())
        .bind(self.event.transaction_id.to_string())
        .bind(self.event.global_position)
        .fetch_optional(&mut *self.conn)
        .await?;
        let Some(payload) = payload else {
            return Ok(Policy::default());
        };
        let BusinessEvent::BookingPolicyChanged { policy } = serde_json::from_value(payload)?
        else {
            return Ok(Policy::default());
        };
        Ok(Policy {
            reminder_offsets_minutes: policy.reminder_offsets_minutes,
            channels: policy.notification_channels,
            follow_up: policy.follow_up,
        })
    }

    /// Marks this appointment's messages of `kinds` not yet sent as withdrawn.
    async fn withdraw(&mut self, kinds: &[&str]) -> Result<(), ApplyError> {
        sqlx::query(
            "update notifications set status = 'withdrawn'
              where appointment_id = $1 and status = 'pending' and kind = any($2)",
        )
        .bind(self.appointment_id)
        .bind(kinds)
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }

    /// Records the appointment's new start; answers its customer (none if the booking was
    /// never seen, which the runtime's sequence order rules out).
    async fn moved_to(&mut self, starts_at: DateTime<Utc>) -> Result<Option<Uuid>, ApplyError> {
        Ok(sqlx::query_scalar(
            "update notification_appointments set starts_at = $2
              where appointment_id = $1 returning customer_id",
        )
        .bind(self.appointment_id)
        .bind(starts_at)
        .fetch_optional(&mut *self.conn)
        .await?)
    }

    /// Records the appointment's end (`status`); answers its customer and start.
    async fn finish(&mut self, status: &str) -> Result<Option<(Uuid, DateTime<Utc>)>, ApplyError> {
        Ok(sqlx::query_as(
            "update notification_appointments set status = $2
              where appointment_id = $1 returning customer_id, starts_at",
        )
        .bind(self.appointment_id)
        .bind(status)
        .fetch_optional(&mut *self.conn)
        .await?)
    }

    /// Inserts the planned messages about the start `starts_at` (and the one before it).
    async fn insert(
        &mut self,
        customer_id: Uuid,
        planned: &[Planned],
        (starts_at, previous_starts_at): (DateTime<Utc>, Option<DateTime<Utc>>),
    ) -> Result<(), ApplyError> {
        if planned.is_empty() {
            return Ok(());
        }
        let ids: Vec<Uuid> = planned.iter().map(|p| p.notification_id).collect();
        let kinds: Vec<&str> = planned.iter().map(|p| p.kind.as_str()).collect();
        let channels: Vec<&str> = planned.iter().map(|p| p.channel.as_str()).collect();
        let offsets: Vec<Option<i32>> = planned
            .iter()
            .map(|p| p.offset_minutes.and_then(|o| i32::try_from(o).ok()))
            .collect();
        let due: Vec<DateTime<Utc>> = planned.iter().map(|p| p.due_at).collect();
        sqlx::query(
            "insert into notifications
                    (notification_id, tenant_id, appointment_id, customer_id, kind, channel,
                     offset_minutes, starts_at, previous_starts_at, due_at, status, position,
                     created_at, trace_parent, taken)
             select id, $2, $3, $4, kind, channel, offset_minutes, $5, $6, due_at, 'pending',
                    $7, $8, $13,
                    -- a worker took it before (the row is being rebuilt): not new work
                    exists (select 1 from notification_deliveries d where d.notification_id = p.id)
               from unnest($1::uuid[], $9::text[], $10::text[], $11::int[], $12::timestamptz[])
                    as p(id, kind, channel, offset_minutes, due_at)
             on conflict (notification_id) do nothing",
        )
        .bind(&ids)
        .bind(self.event.tenant_id)
        .bind(self.appointment_id)
        .bind(customer_id)
        .bind(starts_at)
        .bind(previous_starts_at)
        .bind(self.event.global_position)
        .bind(self.event.recorded_at)
        .bind(&kinds)
        .bind(&channels)
        .bind(&offsets)
        .bind(&due)
        .bind(EventMetadata::trace_parent(&self.event.metadata))
        .execute(&mut *self.conn)
        .await?;
        Ok(())
    }
}

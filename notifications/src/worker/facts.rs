//! What a message says, looked up when it is sent: the business, the customer's contact, the
//! service and barber, from the read models, once they have caught up with the event that made
//! the message.

use chrono::{DateTime, Utc};
use events::appointment::{NotificationChannel, NotificationKind};
use platform::read_models::{APPOINTMENTS, BUSINESSES, CUSTOMERS, STAFF};
use sqlx::PgPool;
use uuid::Uuid;

/// One message to send, as the read models have it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Message {
    pub notification_id: Uuid,
    pub tenant_id: Uuid,
    pub appointment_id: Uuid,
    #[sqlx(try_from = "String")]
    pub kind: KindColumn,
    #[sqlx(try_from = "String")]
    pub channel: ChannelColumn,
    pub offset_minutes: Option<i32>,
    pub starts_at: DateTime<Utc>,
    pub previous_starts_at: Option<DateTime<Utc>>,
    pub due_at: DateTime<Utc>,
    pub status: String,
    pub position: i64,
    /// The trace of the request that planned it, continued while it is sent.
    pub trace_parent: Option<String>,
}

/// A `kind` column, parsed once.
#[derive(Debug, Clone, Copy)]
pub struct KindColumn(pub NotificationKind);

impl TryFrom<String> for KindColumn {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        NotificationKind::ALL
            .into_iter()
            .find(|k| k.as_str() == value)
            .map(Self)
            .ok_or_else(|| format!("unknown notification kind {value:?}"))
    }
}

/// A `channel` column, parsed once.
#[derive(Debug, Clone, Copy)]
pub struct ChannelColumn(pub NotificationChannel);

impl TryFrom<String> for ChannelColumn {
    type Error = String;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        NotificationChannel::ALL
            .into_iter()
            .find(|c| c.as_str() == value)
            .map(Self)
            .ok_or_else(|| format!("unknown notification channel {value:?}"))
    }
}

/// The message `notification_id`.
pub async fn message(pool: &PgPool, notification_id: Uuid) -> Result<Option<Message>, sqlx::Error> {
    sqlx::query_as(
        "select notification_id, tenant_id, appointment_id, kind, channel, offset_minutes,
                starts_at, previous_starts_at, due_at, status, position, trace_parent
           from notifications where notification_id = $1",
    )
    .bind(notification_id)
    .fetch_optional(pool)
    .await
}

/// Who and what a message is about.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct About {
    pub business_name: String,
    pub timezone: String,
    pub slug: String,
    pub address: Option<String>,
    pub customer_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Whether the customer agreed to marketing: a "how was it?" with a link to book again is.
    pub marketing_consent: bool,
    /// Whether the customer wants reminders.
    pub reminders: bool,
    pub service_name: String,
    pub staff_name: Option<String>,
    pub ends_at: DateTime<Utc>,
    pub appointment_status: String,
    /// How many events the appointment has: the calendar invite's `SEQUENCE`.
    pub version: i64,
}

/// Whether every read model the message is worded from has applied the event that made it.
pub async fn caught_up(pool: &PgPool, message: &Message) -> Result<bool, sqlx::Error> {
    for model in [BUSINESSES, CUSTOMERS, APPOINTMENTS, STAFF] {
        if !platform::progress::has_reached(
            pool,
            model.name,
            model.aggregate_types,
            message.position,
        )
        .await?
        {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The business, customer, service and barber of `message`; `None` if a read model lacks one
/// (an erased customer keeps their row, with no name).
pub async fn about(pool: &PgPool, message: &Message) -> Result<Option<About>, sqlx::Error> {
    sqlx::query_as(
        "select b.name as business_name, b.timezone, b.slug, b.address,
                c.name as customer_name, c.phone, c.email, c.marketing_consent, c.reminders,
                a.service_name, s.name as staff_name, a.ends_at,
                a.status as appointment_status, a.version
           from appointments a
           join businesses b on b.tenant_id = a.tenant_id
           join customers c on c.tenant_id = a.tenant_id and c.customer_id = a.customer_id
           left join staff_members s on s.tenant_id = a.tenant_id and s.staff_id = a.staff_id
          where a.tenant_id = $1 and a.appointment_id = $2",
    )
    .bind(message.tenant_id)
    .bind(message.appointment_id)
    .fetch_optional(pool)
    .await
}

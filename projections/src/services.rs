//! The services read model: one row per service of a business's catalog, retired ones included
//! (`active = false`), since past appointments still name them.
//!
//! The row's `version` is the aggregate sequence it reflects; every update is guarded by it
//! (`where version < $sequence`), so the table stays right even if the runtime's own
//! per-aggregate guard were bypassed (a replay without reset, a hand-run fix).

use events::service::ServiceEvent;
use events::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::ApplyError;
use crate::projection::Projection;

/// Builds the `services` table from service events.
#[derive(Debug, Clone, Copy, Default)]
pub struct Services;

impl Services {
    pub const NAME: &'static str = platform::read_models::SERVICES.name;
    pub const AGGREGATE_TYPES: &'static [&'static str] =
        platform::read_models::SERVICES.aggregate_types;
}

impl Projection for Services {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        Self::AGGREGATE_TYPES
    }

    #[tracing::instrument(
        name = "services.apply",
        skip_all,
        fields(service_id = %event.aggregate_id, sequence = event.sequence)
    )]
    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ApplyError> {
        match serde_json::from_value::<ServiceEvent>(event.payload.clone())? {
            ServiceEvent::ServiceCreated {
                service_id,
                name,
                category,
                duration_minutes,
                price_cents,
                currency,
                buffer_minutes,
                ..
            } => {
                let definition = Definition {
                    name,
                    category,
                    duration_minutes: minutes(duration_minutes)?,
                    buffer_minutes: minutes(buffer_minutes)?,
                };
                create(conn, event, service_id, definition, price_cents, &currency).await
            }
            ServiceEvent::ServiceUpdated {
                name,
                category,
                duration_minutes,
                buffer_minutes,
            } => {
                let definition = Definition {
                    name,
                    category,
                    duration_minutes: minutes(duration_minutes)?,
                    buffer_minutes: minutes(buffer_minutes)?,
                };
                update(conn, event, definition).await
            }
            ServiceEvent::ServicePriceChanged {
                price_cents,
                currency,
            } => change_price(conn, event, price_cents, &currency).await,
            ServiceEvent::ServiceRetired {} => retire(conn, event).await,
        }
    }

    fn tables(&self) -> &'static [&'static str] {
        &["services"]
    }
}

struct Definition {
    name: String,
    category: Option<String>,
    duration_minutes: i32,
    buffer_minutes: i32,
}

/// A creation never overwrites: a second creation of the same service is a no-op.
async fn create(
    conn: &mut PgConnection,
    event: &RecordedEvent,
    service_id: Uuid,
    definition: Definition,
    price_cents: i64,
    currency: &str,
) -> Result<(), ApplyError> {
    sqlx::query(
        "insert into services
             (tenant_id, service_id, name, category, duration_minutes, price_cents, currency,
              buffer_minutes, active, created_at, updated_at, version)
         values ($1, $2, $3, $4, $5, $6, $7, $8, true, $9, $9, $10)
         on conflict (tenant_id, service_id) do nothing",
    )
    .bind(event.tenant_id)
    .bind(service_id)
    .bind(definition.name)
    .bind(definition.category)
    .bind(definition.duration_minutes)
    .bind(price_cents)
    .bind(currency)
    .bind(definition.buffer_minutes)
    .bind(event.recorded_at)
    .bind(event.sequence)
    .execute(conn)
    .await?;
    Ok(())
}

/// The event carries the whole new definition, so the row is overwritten, never merged.
async fn update(
    conn: &mut PgConnection,
    event: &RecordedEvent,
    definition: Definition,
) -> Result<(), ApplyError> {
    let updated = sqlx::query(
        "update services
            set name = $3, category = $4, duration_minutes = $5, buffer_minutes = $6,
                updated_at = $7, version = $8
          where tenant_id = $1 and service_id = $2 and version < $8",
    )
    .bind(event.tenant_id)
    .bind(service_id(event)?)
    .bind(definition.name)
    .bind(definition.category)
    .bind(definition.duration_minutes)
    .bind(definition.buffer_minutes)
    .bind(event.recorded_at)
    .bind(event.sequence)
    .execute(conn)
    .await?;
    log_no_change(event, updated.rows_affected());
    Ok(())
}

async fn change_price(
    conn: &mut PgConnection,
    event: &RecordedEvent,
    price_cents: i64,
    currency: &str,
) -> Result<(), ApplyError> {
    let updated = sqlx::query(
        "update services
            set price_cents = $3, currency = $4, updated_at = $5, version = $6
          where tenant_id = $1 and service_id = $2 and version < $6",
    )
    .bind(event.tenant_id)
    .bind(service_id(event)?)
    .bind(price_cents)
    .bind(currency)
    .bind(event.recorded_at)
    .bind(event.sequence)
    .execute(conn)
    .await?;
    log_no_change(event, updated.rows_affected());
    Ok(())
}

async fn retire(conn: &mut PgConnection, event: &RecordedEvent) -> Result<(), ApplyError> {
    let updated = sqlx::query(
        "update services
            set active = false, updated_at = $3, version = $4
          where tenant_id = $1 and service_id = $2 and version < $4",
    )
    .bind(event.tenant_id)
    .bind(service_id(event)?)
    .bind(event.recorded_at)
    .bind(event.sequence)
    .execute(conn)
    .await?;
    log_no_change(event, updated.rows_affected());
    Ok(())
}

fn log_no_change(event: &RecordedEvent, rows: u64) {
    if rows == 0 {
        // the creation was dead-lettered, or this version is already reflected
        tracing::debug!(service_id = %event.aggregate_id, sequence = event.sequence,
            "service event changed no row");
    }
}

fn service_id(event: &RecordedEvent) -> Result<Uuid, ApplyError> {
    Uuid::parse_str(&event.aggregate_id).map_err(|_| {
        ApplyError::Invalid(format!(
            "service aggregate id {:?} is not a uuid",
            event.aggregate_id
        ))
    })
}

/// Minutes as the table's `int`.
fn minutes(minutes: u32) -> Result<i32, ApplyError> {
    i32::try_from(minutes).map_err(|_| ApplyError::Invalid(format!("{minutes} minutes")))
}

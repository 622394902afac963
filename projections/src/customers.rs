//! The customers read model: one row per customer of a business, with the latest profile.
//!
//! The row's `version` is the aggregate sequence it reflects; every update is guarded by it
//! (`where version < $sequence`), so the table stays right even if the runtime's own
//! per-aggregate guard were bypassed (a replay without reset, a hand-run fix).

use events::customer::{CustomerEvent, CustomerPii, AGGREGATE_TYPE};
use events::RecordedEvent;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::error::ApplyError;
use crate::projection::Projection;

/// Builds the `customers` table from customer events.
#[derive(Debug, Clone, Copy, Default)]
pub struct Customers;

impl Customers {
    pub const NAME: &'static str = "customers";
    pub const AGGREGATE_TYPES: &'static [&'static str] = &[AGGREGATE_TYPE];
}

impl Projection for Customers {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        Self::AGGREGATE_TYPES
    }

    #[tracing::instrument(
        name = "customers.apply",
        skip_all,
        fields(customer_id = %event.aggregate_id, sequence = event.sequence)
    )]
    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ApplyError> {
        match serde_json::from_value::<CustomerEvent>(event.payload.clone())? {
            CustomerEvent::CustomerRegistered {
                customer_id, pii, ..
            } => register(conn, event, customer_id, &pii).await,
            CustomerEvent::CustomerProfileUpdated { pii } => {
                let customer_id = Uuid::parse_str(&event.aggregate_id).map_err(|_| {
                    ApplyError::Invalid(format!(
                        "customer aggregate id {:?} is not a uuid",
                        event.aggregate_id
                    ))
                })?;
                update_profile(conn, event, customer_id, &pii).await
            }
        }
    }

    async fn reset(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        sqlx::query("delete from customers").execute(conn).await?;
        Ok(())
    }
}

/// A registration never overwrites: a second registration of the same customer is a no-op.
async fn register(
    conn: &mut PgConnection,
    event: &RecordedEvent,
    customer_id: Uuid,
    pii: &CustomerPii,
) -> Result<(), ApplyError> {
    sqlx::query(
        "insert into customers
             (tenant_id, customer_id, name, phone, email, notes, created_at, updated_at, version)
         values ($1, $2, $3, $4, $5, $6, $7, $7, $8)
         on conflict (tenant_id, customer_id) do nothing",
    )
    .bind(event.tenant_id)
    .bind(customer_id)
    .bind(&pii.name)
    .bind(&pii.phone)
    .bind(&pii.email)
    .bind(&pii.notes)
    .bind(event.recorded_at)
    .bind(event.sequence)
    .execute(conn)
    .await?;
    Ok(())
}

/// The event carries the whole new profile, so the row is overwritten, never merged.
async fn update_profile(
    conn: &mut PgConnection,
    event: &RecordedEvent,
    customer_id: Uuid,
    pii: &CustomerPii,
) -> Result<(), ApplyError> {
    let updated = sqlx::query(
        "update customers
            set name = $3, phone = $4, email = $5, notes = $6, updated_at = $7, version = $8
          where tenant_id = $1 and customer_id = $2 and version < $8",
    )
    .bind(event.tenant_id)
    .bind(customer_id)
    .bind(&pii.name)
    .bind(&pii.phone)
    .bind(&pii.email)
    .bind(&pii.notes)
    .bind(event.recorded_at)
    .bind(event.sequence)
    .execute(conn)
    .await?;
    if updated.rows_affected() == 0 {
        // the registration was dead-lettered, or this version is already reflected
        tracing::debug!(%customer_id, sequence = event.sequence, "profile update changed no row");
    }
    Ok(())
}

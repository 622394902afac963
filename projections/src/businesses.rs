//! The businesses read model: one row per business with its settings (country included),
//! booking policy and opening hours (what the dashboard's settings page and, later, the public
//! booking page read; the customer search reads the country).

use events::business::{BookingPolicy, BusinessEvent};
use events::RecordedEvent;
use sqlx::PgConnection;

use crate::error::ApplyError;
use crate::projection::Projection;

/// Builds the `businesses` table from business events.
#[derive(Debug, Clone, Copy, Default)]
pub struct Businesses;

impl Businesses {
    pub const NAME: &'static str = platform::read_models::BUSINESSES.name;
    pub const AGGREGATE_TYPES: &'static [&'static str] =
        platform::read_models::BUSINESSES.aggregate_types;
}

impl Projection for Businesses {
    fn name(&self) -> &'static str {
        Self::NAME
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        Self::AGGREGATE_TYPES
    }

    #[tracing::instrument(
        name = "businesses.apply",
        skip_all,
        fields(business_id = %event.aggregate_id, sequence = event.sequence)
    )]
    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ApplyError> {
        let tenant = event.tenant_id;
        let (at, version) = (event.recorded_at, event.sequence);
        let query = match serde_json::from_value::<BusinessEvent>(event.payload.clone())? {
            BusinessEvent::BusinessOpened {
                name,
                slug,
                timezone,
                currency,
                country,
                ..
            } => sqlx::query(
                "insert into businesses (tenant_id, name, slug, timezone, currency, policy,
                                         created_at, updated_at, version, country)
                 values ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)
                 on conflict (tenant_id) do nothing",
            )
            .bind(tenant)
            .bind(name)
            .bind(slug)
            .bind(timezone)
            .bind(currency)
            .bind(sqlx::types::Json(BookingPolicy::default()))
            .bind(at)
            .bind(version)
            .bind(country),
            BusinessEvent::BusinessSettingsChanged {
                name,
                timezone,
                currency,
                country,
            } => sqlx::query(
                "update businesses set name = $2, timezone = $3, currency = $4, country = $7,
                        updated_at = $5, version = $6
                  where tenant_id = $1 and version < $6",
            )
            .bind(tenant)
            .bind(name)
            .bind(timezone)
            .bind(currency)
            .bind(at)
            .bind(version)
            .bind(country),
            BusinessEvent::BookingPolicyChanged { policy } => sqlx::query(
                "update businesses set policy = $2, updated_at = $3, version = $4
                  where tenant_id = $1 and version < $4",
            )
            .bind(tenant)
            .bind(sqlx::types::Json(policy))
            .bind(at)
            .bind(version),
            BusinessEvent::OpeningHoursSet { days } => sqlx::query(
                "update businesses set opening_hours = $2, updated_at = $3, version = $4
                  where tenant_id = $1 and version < $4",
            )
            .bind(tenant)
            .bind(sqlx::types::Json(days))
            .bind(at)
            .bind(version),
            BusinessEvent::BusinessProfileSet { address, logo_url } => sqlx::query(
                "update businesses set address = $2, logo_url = $3, updated_at = $4, version = $5
                  where tenant_id = $1 and version < $5",
            )
            .bind(tenant)
            .bind(address)
            .bind(logo_url)
            .bind(at)
            .bind(version),
            BusinessEvent::OnlineBookingSet { online_booking } => sqlx::query(
                "update businesses set online_booking = $2, updated_at = $3, version = $4
                  where tenant_id = $1 and version < $4",
            )
            .bind(tenant)
            .bind(sqlx::types::Json(online_booking))
            .bind(at)
            .bind(version),
        };
        query.execute(conn).await?;
        Ok(())
    }

    fn tables(&self) -> &'static [&'static str] {
        &["businesses"]
    }
}

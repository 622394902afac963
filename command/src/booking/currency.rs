//! A business changing its currency re-prices its catalog in the same step: a catalog is never
//! half in one currency and half in another. Every service that can still be booked takes its
//! new price from the request (`prices`); a free service stays free; a retired service keeps its
//! old price, as it is never booked again. If a priced service has no new price, nothing changes
//! and the answer lists what needs one (409 `services_need_new_prices`). Services are created
//! behind the business's currency fence, so none is created in the old currency meanwhile.

use std::collections::HashMap;

use domain::service::{Service, ServiceCommand};
use serde::Serialize;
use uuid::Uuid;

use super::BookingError;
use crate::store::{Decision, EventStore};

/// A service that needs a price in the new currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Unpriced {
    pub service_id: Uuid,
    pub name: String,
    /// Its price now, in minor units of `currency` (the old one).
    pub price_cents: i64,
    pub currency: String,
}

/// Decides into `decision` the re-pricing of every service of the business in `currency`, at
/// `prices`; read on `transaction`, where the caller holds the currency fence exclusively.
pub(super) async fn reprice(
    store: &EventStore,
    transaction: &mut sqlx::PgConnection,
    decision: &mut Decision<'_>,
    (tenant_id, currency): (Uuid, &str),
    prices: &HashMap<Uuid, i64>,
) -> Result<(), BookingError> {
    let ids: Vec<String> = sqlx::query_scalar(
        r#"select aggregate_id from events
            where tenant_id = $1 and aggregate_type = $2 and sequence = 1
            order by aggregate_id collate "C""#,
    )
    .bind(tenant_id)
    .bind(events::service::AGGREGATE_TYPE)
    .fetch_all(&mut *transaction)
    .await?;
    let mut reading = store.reading();
    let wanted: Vec<_> = ids.iter().map(|id| reading.want::<Service>(id)).collect();
    let newer = reading.read_on(&mut *transaction).await?;
    let mut unpriced = Vec::new();
    let mut priced = 0;
    for (id, wanted) in ids.iter().zip(wanted) {
        let service = newer.known(wanted)?;
        let Ok(service_id) = id.parse::<Uuid>() else {
            continue;
        };
        let (old_price, old_currency) = service.state.price();
        let new_price = match prices.get(&service_id) {
            Some(price) => {
                priced += 1;
                *price
            }
            None if service.state.is_retired() || old_price == 0 => old_price,
            None if old_currency == currency => continue,
            None => {
                unpriced.push(Unpriced {
                    service_id,
                    name: service.state.name().unwrap_or_default().to_owned(),
                    price_cents: old_price,
                    currency: old_currency.to_owned(),
                });
                continue;
            }
        };
        let command = ServiceCommand::Reprice {
            tenant_id,
            price_cents: new_price,
            currency: currency.to_owned(),
        };
        decision.decide::<Service>(id, service, command).await?;
    }
    if priced < prices.len() {
        // a price for a service the business does not have
        return Err(BookingError::ServiceNotFound);
    }
    if !unpriced.is_empty() {
        return Err(BookingError::ServicesNeedNewPrices(unpriced));
    }
    Ok(())
}

/// A service to add to the catalog.
#[derive(Debug, Clone)]
pub struct NewService {
    pub tenant_id: Uuid,
    pub service_id: Uuid,
    pub definition: domain::service::ServiceDefinition,
    /// Minor units of the business's currency.
    pub price_cents: i64,
}

/// Adds a service to the catalog in the business's currency, recorded only while the business
/// still has that currency (else it is decided again, in the new one).
#[tracing::instrument(skip(store, request, metadata), fields(service_id = %request.service_id))]
pub async fn add_service(
    store: &EventStore,
    request: NewService,
    metadata: &events::EventMetadata,
) -> Result<crate::store::Committed, BookingError> {
    super::retrying(|| async {
        let business = store
            .known::<domain::business::Business>(&request.tenant_id.to_string())
            .await?
            .state;
        if !business.is_open() {
            return Err(BookingError::BusinessNotFound);
        }
        let command = ServiceCommand::Create {
            service_id: request.service_id,
            tenant_id: request.tenant_id,
            currency: business.currency().to_owned(),
            definition: request.definition.clone(),
            price_cents: request.price_cents,
        };
        let mut decision = store.decision(metadata);
        decision
            .decide::<Service>(
                &request.service_id.to_string(),
                crate::store::Known::new_record(),
                command,
            )
            .await?;
        decision.fence_currency(crate::store::CurrencyFence {
            business_id: request.tenant_id,
            currency: business.currency().to_owned(),
        });
        Ok(decision.record().await?)
    })
    .await
}

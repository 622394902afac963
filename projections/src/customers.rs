//! The customers read model: one row per customer of a business, with the latest profile, tags,
//! preferences and marketing consent.
//!
//! The row's `version` is the aggregate sequence it reflects; every update is guarded by it
//! (`where version < $sequence`), so the table stays right even if the runtime's own
//! per-aggregate guard were bypassed (a replay without reset, a hand-run fix). Every event but
//! the registration carries the whole new value of what it changed, so the row is overwritten,
//! never merged.
//!
//! An erasure blanks every personal field of the row and keeps the row (appointments name the
//! customer's id), and blanks the text of the notes on the customer's appointments: the one
//! write of this projection outside its own table, since the notes' events belong to the
//! appointments, which never hear of the erasure. A rebuild of either table gets the same
//! result without it, as the customer's key is gone.

use events::customer::{CustomerEvent, CustomerPii};
use events::RecordedEvent;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::types::Json;
use sqlx::{PgConnection, Postgres};
use uuid::Uuid;

use crate::error::ApplyError;
use crate::projection::Projection;

/// Builds the `customers` table from customer events.
#[derive(Debug, Clone, Copy, Default)]
pub struct Customers;

impl Customers {
    pub const NAME: &'static str = platform::read_models::CUSTOMERS.name;
    pub const AGGREGATE_TYPES: &'static [&'static str] =
        platform::read_models::CUSTOMERS.aggregate_types;
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
        // each statement binds the change's own values first; `change` adds the row's key,
        // `updated_at` and `version` as the next four parameters
        let query = match serde_json::from_value::<CustomerEvent>(event.payload.clone())? {
            CustomerEvent::CustomerRegistered {
                customer_id, pii, ..
            } => return register(conn, event, customer_id, &pii).await,
            CustomerEvent::CustomerProfileUpdated { pii } => sqlx::query(
                "update customers
                    set name = $1, phone = $2, email = $3, notes = $4, updated_at = $7,
                        version = $8
                  where tenant_id = $5 and customer_id = $6 and version < $8",
            )
            .bind(pii.name)
            .bind(pii.phone)
            .bind(pii.email)
            .bind(pii.notes),
            CustomerEvent::CustomerTagsChanged { tags } => sqlx::query(
                "update customers set tags = $1, updated_at = $4, version = $5
                  where tenant_id = $2 and customer_id = $3 and version < $5",
            )
            .bind(tags),
            CustomerEvent::CustomerPreferencesChanged { pii } => sqlx::query(
                "update customers set preferences = $1, updated_at = $4, version = $5
                  where tenant_id = $2 and customer_id = $3 and version < $5",
            )
            .bind(Json(pii.preferences)),
            CustomerEvent::CustomerErased { at } => return erase(conn, event, at).await,
            CustomerEvent::MarketingConsentGiven { at } => consent(true, at),
            CustomerEvent::MarketingConsentWithdrawn { at } => consent(false, at),
            CustomerEvent::RemindersDeclined { .. } => reminders(false),
            CustomerEvent::RemindersWanted { .. } => reminders(true),
            CustomerEvent::CustomerMergedInto { into } => sqlx::query(
                "update customers set merged_into = $1, updated_at = $4, version = $5
                  where tenant_id = $2 and customer_id = $3 and version < $5",
            )
            .bind(into),
            // the survivor's own row is unchanged: its appointments say whose they are
            CustomerEvent::DuplicateMerged { .. } => sqlx::query(
                "update customers set updated_at = $3, version = $4
                  where tenant_id = $1 and customer_id = $2 and version < $4",
            ),
        };
        change(conn, event, query).await
    }

    fn tables(&self) -> &'static [&'static str] {
        &["customers"]
    }
}

type Change = Query<'static, Postgres, PgArguments>;

/// `marketing_consent_at` is the moment of the answer on record, given or withdrawn.
fn consent(given: bool, at: chrono::DateTime<chrono::Utc>) -> Change {
    sqlx::query(
        "update customers
            set marketing_consent = $1, marketing_consent_at = $2, updated_at = $5, version = $6
          where tenant_id = $3 and customer_id = $4 and version < $6",
    )
    .bind(given)
    .bind(at)
}

/// Whether the customer wants reminders of their appointments.
fn reminders(wanted: bool) -> Change {
    sqlx::query(
        "update customers set reminders = $1, updated_at = $4, version = $5
          where tenant_id = $2 and customer_id = $3 and version < $5",
    )
    .bind(wanted)
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

/// Blanks every personal field of the customer, in their row and in the notes on their
/// appointments.
async fn erase(
    conn: &mut PgConnection,
    event: &RecordedEvent,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApplyError> {
    let customer_id = customer_id(event)?;
    let blank = sqlx::query(
        "update customers
            set name = '', phone = null, email = null, notes = null, preferences = '{}',
                erased_at = $1, updated_at = $4, version = $5
          where tenant_id = $2 and customer_id = $3 and version < $5",
    )
    .bind(at);
    change(conn, event, blank).await?;
    sqlx::query(
        "update appointments
            set notes = (select coalesce(jsonb_agg(n || '{\"text\": null}' order by o), '[]')
                           from jsonb_array_elements(notes) with ordinality as x(n, o))
          where tenant_id = $1 and customer_id = $2 and notes <> '[]'",
    )
    .bind(event.tenant_id)
    .bind(customer_id)
    .execute(conn)
    .await?;
    Ok(())
}

fn customer_id(event: &RecordedEvent) -> Result<Uuid, ApplyError> {
    Uuid::parse_str(&event.aggregate_id).map_err(|_| {
        ApplyError::Invalid(format!(
            "customer aggregate id {:?} is not a uuid",
            event.aggregate_id
        ))
    })
}

/// Runs one guarded update of the customer's row.
async fn change(
    conn: &mut PgConnection,
    event: &RecordedEvent,
    query: Change,
) -> Result<(), ApplyError> {
    let customer_id = customer_id(event)?;
    let updated = query
        .bind(event.tenant_id)
        .bind(customer_id)
        .bind(event.recorded_at)
        .bind(event.sequence)
        .execute(conn)
        .await?;
    if updated.rows_affected() == 0 {
        // the registration was dead-lettered, or this version is already reflected
        tracing::debug!(%customer_id, sequence = event.sequence, "customer event changed no row");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use events::customer::PreferencesPii;
    use platform::testing::TestEnv;
    use serde_json::{json, Value};

    use super::*;

    fn recorded(tenant_id: Uuid, id: Uuid, sequence: i64, event: &CustomerEvent) -> RecordedEvent {
        let payload = serde_json::to_value(event).expect("serialises");
        RecordedEvent {
            global_position: sequence,
            transaction_id: 1,
            aggregate_type: events::customer::AGGREGATE_TYPE.into(),
            aggregate_id: id.to_string(),
            sequence,
            // the variant's name, as the store records it
            event_type: payload
                .as_object()
                .and_then(|o| o.keys().next().cloned())
                .unwrap_or_default(),
            event_version: "1".into(),
            tenant_id,
            payload,
            metadata: json!({}),
            recorded_at: Utc::now(),
        }
    }

    #[tokio::test]
    async fn the_new_facts_land_in_their_columns_and_an_old_one_replayed_changes_nothing() {
        let env = TestEnv::new().await;
        let mut conn = env.pool.acquire().await.expect("connection");
        let (tenant, id) = (Uuid::new_v4(), Uuid::new_v4());
        let at = Utc
            .with_ymd_and_hms(2026, 12, 1, 9, 0, 0)
            .single()
            .expect("instant");
        let tags = |tags: &[&str]| CustomerEvent::CustomerTagsChanged {
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        };
        let Value::Object(preferences) = json!({"drink": "tea"}) else {
            panic!("an object");
        };
        let history = [
            CustomerEvent::CustomerRegistered {
                customer_id: id,
                business_id: tenant,
                pii: CustomerPii {
                    name: "Ana".into(),
                    phone: None,
                    email: None,
                    notes: None,
                },
            },
            tags(&["beard", "vip"]),
            CustomerEvent::CustomerPreferencesChanged {
                pii: PreferencesPii { preferences },
            },
            CustomerEvent::MarketingConsentGiven { at },
        ];
        for (n, event) in (1..).zip(&history) {
            let event = recorded(tenant, id, n, event);
            Customers.apply(&mut conn, &event).await.expect("applies");
        }
        // a stale redelivery of an older tag change must not win
        let stale = recorded(tenant, id, 2, &tags(&["old"]));
        Customers.apply(&mut conn, &stale).await.expect("applies");

        let row: (Vec<String>, Value, bool, Option<chrono::DateTime<Utc>>, i64) = sqlx::query_as(
            "select tags, preferences, marketing_consent, marketing_consent_at, version
               from customers where tenant_id = $1 and customer_id = $2",
        )
        .bind(tenant)
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .expect("row");
        assert_eq!(
            row,
            (
                vec!["beard".to_owned(), "vip".to_owned()],
                json!({"drink": "tea"}),
                true,
                Some(at),
                4
            )
        );
    }
}

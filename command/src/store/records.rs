//! Which records a business has, by type: the ids of their streams, read from each stream's
//! first event (index `events_records`). For the few steps that must find records they were not
//! told about: the other barbers a booking can move to, the days of a barber with bookings.

use cqrs_es::Aggregate;
use uuid::Uuid;

use super::EventStore;

impl EventStore {
    /// The ids of business `tenant_id`'s records of type `A` whose id lies in `[from, to)`
    /// (byte order), or all of them without bounds; in that order.
    pub async fn records_of<A: Aggregate>(
        &self,
        tenant_id: Uuid,
        within: Option<(&str, &str)>,
    ) -> Result<Vec<String>, sqlx::Error> {
        let (from, to) = within.unzip();
        sqlx::query_scalar(
            r#"select aggregate_id from events
                where tenant_id = $1 and aggregate_type = $2 and sequence = 1
                  and ($3::text is null or aggregate_id collate "C" >= $3)
                  and ($4::text is null or aggregate_id collate "C" < $4)
                order by aggregate_id collate "C""#,
        )
        .bind(tenant_id)
        .bind(A::TYPE)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await
    }
}

//! Several aggregates read at once: one statement fetches, for all of them, the events newer
//! than their cached copies. How a command gathers the facts it is decided on (the business,
//! the service, the barber, the customer) in one round trip instead of four.

use std::collections::HashMap;

use cqrs_es::persist::PersistenceError;
use cqrs_es::Aggregate;
use serde_json::Value;
use uuid::Uuid;

use super::{sealing, EventStore};

/// The events newer than each wanted copy: one primary-key range scan per wanted stream,
/// whatever the statistics say. As a plain join, the plan cached while `events` was small (a
/// fresh database) hashed a sequential scan of the whole table, and kept doing so as it grew;
/// `offset 0` keeps the lateral subquery from being flattened back into that join.
const NEWER_EVENTS: &str = "
    select e.aggregate_type, e.aggregate_id, e.sequence, e.tenant_id, e.payload
               from unnest($1::text[], $2::text[], $3::bigint[]) as w(aggregate_type, aggregate_id, after)
              cross join lateral (
                    select * from events e
                     where e.aggregate_type = w.aggregate_type
                       and e.aggregate_id = w.aggregate_id
                       and e.sequence > w.after
                    offset 0) e
              order by e.aggregate_type, e.aggregate_id, e.sequence";

/// The aggregates wanted so far, each from its cached copy.
pub struct Reading<'a> {
    store: &'a EventStore,
    types: Vec<&'static str>,
    ids: Vec<String>,
    after: Vec<i64>,
}

/// One aggregate of a [`Reading`]: its cached state, to be caught up by [`Newer::fold`].
pub struct Wanted<A> {
    id: String,
    state: A,
    sequence: usize,
}

/// An aggregate as of a sequence, read moments ago: a command may be decided on it without
/// loading it again (if it is out of date by then, the append conflicts and the command is
/// re-decided on a fresh load).
#[derive(Debug, Clone)]
pub struct Known<A> {
    pub state: A,
    pub sequence: usize,
}

impl<A: Default> Known<A> {
    /// A record under an id just generated for it: nothing to read (should the id exist after
    /// all, the append conflicts).
    pub fn new_record() -> Self {
        Self {
            state: A::default(),
            sequence: 0,
        }
    }
}

impl<A> Wanted<A> {
    /// The copy this process had before the reading: possibly out of date, good for a guess
    /// (which barber-day a booking falls on) that the caller checks after the reading.
    pub fn cached(&self) -> &A {
        &self.state
    }
}

/// The events recorded after the cached copies, by aggregate.
pub struct Newer<'a> {
    store: &'a EventStore,
    events: HashMap<(String, String), Vec<(usize, Value)>>,
}

impl EventStore {
    /// Starts reading several aggregates at once.
    pub fn reading(&self) -> Reading<'_> {
        Reading {
            store: self,
            types: Vec::new(),
            ids: Vec::new(),
            after: Vec::new(),
        }
    }
}

impl<'a> Reading<'a> {
    /// Adds aggregate `id` to the reading.
    pub fn want<A>(&mut self, id: &str) -> Wanted<A>
    where
        A: Aggregate + Clone + 'static,
    {
        let (state, sequence) = self
            .store
            .cache
            .get::<A>(id)
            .unwrap_or_else(|| (A::default(), 0));
        let after = i64::try_from(sequence).unwrap_or(i64::MAX);
        // wanted twice: read once, from the older copy (each fold skips what it has)
        let already = (0..self.ids.len()).find(|&i| self.types[i] == A::TYPE && self.ids[i] == id);
        match already {
            Some(i) => self.after[i] = self.after[i].min(after),
            None => {
                self.types.push(A::TYPE);
                self.ids.push(id.to_owned());
                self.after.push(after);
            }
        }
        Wanted {
            id: id.to_owned(),
            state,
            sequence,
        }
    }

    /// Fetches what is newer than every wanted copy, in one statement.
    pub async fn read(self) -> Result<Newer<'a>, sqlx::Error> {
        let pool = self.store.pool.clone();
        self.read_on(&pool).await
    }

    /// [`Self::read`] on the caller's connection (inside its transaction).
    #[tracing::instrument(skip_all, fields(aggregates = self.ids.len()))]
    pub async fn read_on<'c>(
        self,
        executor: impl sqlx::PgExecutor<'c>,
    ) -> Result<Newer<'a>, sqlx::Error> {
        let mut rows: Vec<(String, String, i64, Uuid, Value)> = sqlx::query_as(NEWER_EVENTS)
            .bind(&self.types)
            .bind(&self.ids)
            .bind(&self.after)
            .fetch_all(executor)
            .await?;
        let payloads = rows
            .iter_mut()
            .map(|(_, _, _, tenant_id, payload)| (*tenant_id, payload))
            .collect();
        sealing::open(&self.store.pool, payloads)
            .await
            .map_err(|e| sqlx::Error::Protocol(format!("cannot open personal data: {e}")))?;
        let mut events: HashMap<(String, String), Vec<(usize, Value)>> = HashMap::new();
        for (aggregate_type, aggregate_id, sequence, _, payload) in rows {
            let sequence = usize::try_from(sequence)
                .map_err(|e| sqlx::Error::Protocol(format!("sequence out of range: {e}")))?;
            events
                .entry((aggregate_type, aggregate_id))
                .or_default()
                .push((sequence, payload));
        }
        Ok(Newer {
            store: self.store,
            events,
        })
    }
}

impl Newer<'_> {
    /// The wanted aggregate as it is now; a never-written id is `A::default()`.
    pub fn fold<A>(&self, wanted: Wanted<A>) -> Result<A, PersistenceError>
    where
        A: Aggregate + Clone + 'static,
    {
        Ok(self.known(wanted)?.state)
    }

    /// [`Self::fold`], with the sequence it is folded up to.
    pub fn known<A>(&self, wanted: Wanted<A>) -> Result<Known<A>, PersistenceError>
    where
        A: Aggregate + Clone + 'static,
    {
        let Wanted {
            id,
            mut state,
            mut sequence,
        } = wanted;
        let key = (A::TYPE.to_owned(), id);
        let Some(newer) = self.events.get(&key) else {
            return Ok(Known { state, sequence });
        };
        let folded_to = sequence;
        for (at, payload) in newer.iter().filter(|(at, _)| *at > folded_to) {
            let event = serde_json::from_value(payload.clone())?;
            state.apply(event);
            sequence = *at;
        }
        self.store.cache.put(&key.1, state.clone(), sequence);
        Ok(Known { state, sequence })
    }
}

#[cfg(test)]
mod tests {
    use platform::testing::TestEnv;

    use super::NEWER_EVENTS;

    /// The plan Postgres keeps for the catch-up read (a generic one, as a prepared statement
    /// soon gets) on a table that looks empty, as on a fresh database: an index range scan.
    #[tokio::test]
    async fn the_catch_up_read_is_an_index_scan_even_when_events_looks_empty() {
        let env = TestEnv::new().await;
        let mut conn = env.pool.acquire().await.expect("connection");
        sqlx::query("set plan_cache_mode = force_generic_plan")
            .execute(&mut *conn)
            .await
            .expect("set");
        sqlx::query(&format!(
            "prepare newer(text[], text[], bigint[]) as {NEWER_EVENTS}"
        ))
        .execute(&mut *conn)
        .await
        .expect("prepared");
        let plan: Vec<String> = sqlx::query_scalar(
            "explain execute newer(array['business'], array['x'], array[0]::bigint[])",
        )
        .fetch_all(&mut *conn)
        .await
        .expect("explained");
        let plan = plan.join("\n");
        assert!(plan.contains("Index Scan using events_pkey"), "{plan}");
        assert!(!plan.contains("Seq Scan on events"), "{plan}");
    }
}

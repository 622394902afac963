//! One attempt at one command, as cqrs-es sees the event store: load the aggregate, then commit
//! what `handle` decided.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use cqrs_es::persist::{
    EventStoreAggregateContext, PersistedEventRepository, PersistenceError, SerializedEvent,
};
use cqrs_es::{Aggregate, AggregateError, EventEnvelope};
use postgres_es::PostgresEventRepository;

use super::{append, sealing, EventStore, Known, Recording};

pub(super) struct Session<'a, A> {
    store: &'a EventStore,
    recording: Recording,
    /// The positions the append was given, read by the caller once cqrs-es is done.
    positions: Arc<Mutex<Vec<i64>>>,
    aggregate: PhantomData<fn() -> A>,
}

impl<'a, A> Session<'a, A>
where
    A: Aggregate + Clone + 'static,
{
    pub(super) fn new(store: &'a EventStore, recording: Recording) -> Self {
        Self {
            store,
            recording,
            positions: Arc::default(),
            aggregate: PhantomData,
        }
    }

    pub(super) fn positions(&self) -> Arc<Mutex<Vec<i64>>> {
        self.positions.clone()
    }
}

impl<A> cqrs_es::EventStore<A> for Session<'_, A>
where
    A: Aggregate + Clone + 'static,
{
    type AC = EventStoreAggregateContext<A>;

    async fn load_events(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        let repository = PostgresEventRepository::new(self.store.pool.clone());
        let mut events = repository.get_events::<A>(aggregate_id).await?;
        let mut payloads = Vec::with_capacity(events.len());
        for event in &mut events {
            let tenant_id = sealing::tenant_of(event)
                .map_err(|e| AggregateError::UnexpectedError(Box::new(e)))?;
            payloads.push((tenant_id, &mut event.payload));
        }
        sealing::open(&self.store.pool, payloads).await?;
        events
            .into_iter()
            .map(|e| EventEnvelope::try_from(e).map_err(AggregateError::from))
            .collect()
    }

    /// The cached state caught up with the events recorded since; nothing at all for a new
    /// record.
    async fn load_aggregate(
        &self,
        aggregate_id: &str,
    ) -> Result<Self::AC, AggregateError<A::Error>> {
        let Known { state, sequence } = if self.recording.new_record {
            Known {
                state: A::default(),
                sequence: 0,
            }
        } else {
            let mut reading = self.store.reading();
            let wanted = reading.want::<A>(aggregate_id);
            let newer = reading.read().await.map_err(append::persistence_error)?;
            newer.known(wanted)?
        };
        Ok(EventStoreAggregateContext {
            aggregate_id: aggregate_id.to_owned(),
            aggregate: state,
            current_sequence: sequence,
            current_snapshot: None,
        })
    }

    async fn commit(
        &self,
        events: Vec<A::Event>,
        context: Self::AC,
        metadata: HashMap<String, String>,
    ) -> Result<Vec<EventEnvelope<A>>, AggregateError<A::Error>> {
        let mut decided = Decided::new(context, events, &metadata)?;
        let new_keys = sealing::seal(&self.store.pool, &mut decided.serialized).await?;
        let positions = append::append(
            &self.store.pool,
            &decided.serialized,
            &new_keys,
            append::Fences::default(),
        )
        .await?;
        if let Ok(mut recorded) = self.positions.lock() {
            recorded.extend(positions);
        }
        Ok(decided.remember(self.store))
    }
}

/// What a command decided for one aggregate, ready to append.
pub(super) struct Decided<A: Aggregate> {
    aggregate_id: String,
    /// The state with the events applied.
    aggregate: A,
    envelopes: Vec<EventEnvelope<A>>,
    pub(super) serialized: Vec<SerializedEvent>,
}

impl<A> Decided<A>
where
    A: Aggregate + Clone + 'static,
{
    /// Numbers `events` after the context's sequence and serializes them.
    pub(super) fn new(
        context: EventStoreAggregateContext<A>,
        events: Vec<A::Event>,
        metadata: &HashMap<String, String>,
    ) -> Result<Self, PersistenceError> {
        let EventStoreAggregateContext {
            aggregate_id,
            aggregate,
            current_sequence,
            ..
        } = context;
        let envelopes: Vec<EventEnvelope<A>> = events
            .into_iter()
            .zip(current_sequence + 1..)
            .map(|(payload, sequence)| EventEnvelope {
                aggregate_id: aggregate_id.clone(),
                sequence,
                payload,
                metadata: metadata.clone(),
            })
            .collect();
        let serialized = envelopes
            .iter()
            .map(SerializedEvent::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            aggregate_id,
            aggregate,
            envelopes,
            serialized,
        })
    }

    /// Once appended: keeps the aggregate in the cache at its new sequence. `handle` has
    /// already applied its events to it (cqrs-es's `EventSink::write` applies as it records).
    pub(super) fn remember(self, store: &EventStore) -> Vec<EventEnvelope<A>> {
        let Self {
            aggregate_id,
            aggregate,
            envelopes,
            ..
        } = self;
        if let Some(last) = envelopes.last() {
            store.cache.put(&aggregate_id, aggregate, last.sequence);
        }
        envelopes
    }
}

//! Two commands on two aggregates, each decided by its own aggregate on its own state, recorded
//! in one statement: both or neither.
//!
//! Each aggregate still guards its own invariant with its own sequence numbers; the statement
//! inserts both sets of events, so if either aggregate was changed meanwhile the primary key
//! refuses the whole statement and both are re-decided on fresh state. A booking is exactly
//! this: the barber's day reserves the slot and the new appointment is booked, with no moment
//! in which one exists without the other.

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{EventStoreAggregateContext, PersistenceError};
use cqrs_es::{Aggregate, AggregateError};
use events::EventMetadata;

use super::session::{Decided, Session};
use super::{append, CommandError, Committed, EventStore, Known, Recording, CONFLICT_RETRIES};

/// One of the two commands, and the aggregate it goes to.
pub struct Part<'a, A: Aggregate> {
    pub id: &'a str,
    pub command: A::Command,
    /// The id was generated for this command: nothing to load (see [`Recording::new_record`]).
    pub new_record: bool,
    /// The aggregate as just read, to decide the first attempt on without loading it.
    pub known: Option<Known<A>>,
}

/// Why the two commands were not recorded.
#[derive(Debug, thiserror::Error)]
pub enum TogetherError<E1: std::error::Error, E2: std::error::Error> {
    /// The first aggregate refused.
    #[error(transparent)]
    First(E1),
    /// The second aggregate refused.
    #[error(transparent)]
    Second(E2),
    /// Others kept changing one of the aggregates; the client may retry.
    #[error("the records kept changing while the command ran")]
    Conflict,
    /// The outcome could not be recorded.
    #[error("event store failure: {0}")]
    Store(Box<dyn std::error::Error + Send + Sync>),
}

impl EventStore {
    /// Decides `first` and `second` and records their events in one statement, retrying both
    /// when either aggregate changed meanwhile.
    #[tracing::instrument(skip_all, fields(first = A::TYPE, second = B::TYPE))]
    pub async fn record_together<A, B>(
        &self,
        mut first: Part<'_, A>,
        mut second: Part<'_, B>,
        metadata: &EventMetadata,
    ) -> Result<Committed, TogetherError<A::Error, B::Error>>
    where
        A: Aggregate<Services = ()> + Clone + 'static,
        B: Aggregate<Services = ()> + Clone + 'static,
        A::Command: Clone,
        B::Command: Clone,
    {
        let metadata = metadata.to_map();
        for attempt in 0..=CONFLICT_RETRIES {
            let fresh = |new_record: bool| Recording {
                new_record: new_record && attempt == 0,
                pending: None,
            };
            let mut a = decide(
                Session::<A>::new(self, fresh(first.new_record)),
                first.id,
                first.known.take(),
                first.command.clone(),
                &metadata,
            )
            .await
            .map_err(|e| lift(e, TogetherError::First))?;
            let mut b = decide(
                Session::<B>::new(self, fresh(second.new_record)),
                second.id,
                second.known.take(),
                second.command.clone(),
                &metadata,
            )
            .await
            .map_err(|e| lift(e, TogetherError::Second))?;
            let mut events = std::mem::take(&mut a.serialized);
            events.append(&mut b.serialized);
            match append::append(&self.pool, &events, None).await {
                Ok(positions) => {
                    a.remember(self);
                    b.remember(self);
                    if !positions.is_empty() {
                        self.appended.notify_one();
                    }
                    return Ok(Committed {
                        position: positions.last().copied(),
                    });
                }
                Err(PersistenceError::OptimisticLockError) => {
                    tracing::debug!(attempt, "conflict on an aggregate, re-deciding both");
                }
                Err(err) => return Err(TogetherError::Store(Box::new(err))),
            }
        }
        Err(TogetherError::Conflict)
    }
}

/// Loads the aggregate (unless it is known) and lets it decide, without recording anything yet.
async fn decide<A>(
    session: Session<'_, A>,
    id: &str,
    known: Option<Known<A>>,
    command: A::Command,
    metadata: &std::collections::HashMap<String, String>,
) -> Result<Decided<A>, AggregateError<A::Error>>
where
    A: Aggregate<Services = ()> + Clone + 'static,
{
    use cqrs_es::EventStore as _;
    let mut context = match known {
        Some(Known { state, sequence }) => EventStoreAggregateContext {
            aggregate_id: id.to_owned(),
            aggregate: state,
            current_sequence: sequence,
            current_snapshot: None,
        },
        None => session.load_aggregate(id).await?,
    };
    let sink = EventSink::default();
    context
        .aggregate
        .handle(command, &(), &sink)
        .await
        .map_err(AggregateError::UserError)?;
    Ok(Decided::new(context, sink.collect().await, metadata)?)
}

fn lift<E, E1, E2>(
    err: AggregateError<E>,
    refused: impl FnOnce(E) -> TogetherError<E1, E2>,
) -> TogetherError<E1, E2>
where
    E: std::error::Error,
    E1: std::error::Error,
    E2: std::error::Error,
{
    match CommandError::from(err) {
        CommandError::Refused(e) => refused(e),
        CommandError::Conflict => TogetherError::Conflict,
        CommandError::Store(e) => TogetherError::Store(e),
    }
}

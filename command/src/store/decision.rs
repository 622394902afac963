//! One decision over several streams: each aggregate decides its own command on its own state
//! at its own expected sequence, and all their events are appended in one statement.
//!
//! If any stream moved since it was read, the primary key refuses the whole statement (nothing
//! is written on any stream) and the caller re-decides the whole step on fresh state. A step
//! that also depends on the business's timezone (which local day a booking falls on) carries a
//! [`TimezoneFence`]: the statement writes nothing unless the business still has that timezone,
//! and a timezone change waits for such statements in flight (see `booking::timezone`).
//!
//! This is how every step that takes, moves or frees a barber's chair is recorded: a booking
//! (the barber's day, the customer's day and the appointment), a cancellation (the appointment
//! and its days), a reschedule or a change of service (the appointment and one or two days of
//! each), a time off (the staff member and every day it covers). There is no moment in which
//! one stream has changed and another not.

use std::any::Any;
use std::collections::HashMap;

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::{EventStoreAggregateContext, PersistenceError};
use cqrs_es::{Aggregate, AggregateError};
use events::EventMetadata;
use uuid::Uuid;

use super::session::Decided;
use super::{append, sealing, CommandError, Committed, EventStore, Known};

/// The business must still have this timezone when the decision is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimezoneFence {
    pub business_id: Uuid,
    /// The IANA name the step was decided on.
    pub timezone: String,
}

/// The business must still have this currency when the decision is recorded: a service is
/// created in the business's currency, and a currency change re-prices every service at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyFence {
    pub business_id: Uuid,
    /// The ISO 4217 code the step was decided on.
    pub currency: String,
}

/// Barber `staff_id` must still be active when the decision is recorded: a step that puts a
/// booking on their day is held back by their deactivation (see `booking::absence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffFence {
    pub staff_id: Uuid,
}

/// Customer `customer_id` must still be on the books (not merged into another) when the
/// decision is recorded: a booking for them is held back by a merge (see `booking::merge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerFence {
    pub customer_id: Uuid,
}

/// Why a decision was not recorded (a refusal by an aggregate is reported by
/// [`Decision::decide`] instead).
#[derive(Debug, thiserror::Error)]
pub enum Unrecorded {
    /// A stream moved, or the timezone changed, since the step read them: decide again.
    #[error("a record changed while the step was decided")]
    Conflict,
    /// The outcome could not be recorded.
    #[error("event store failure: {0}")]
    Store(Box<dyn std::error::Error + Send + Sync>),
}

impl<E: std::error::Error> From<Unrecorded> for CommandError<E> {
    fn from(err: Unrecorded) -> Self {
        match err {
            Unrecorded::Conflict => Self::Conflict,
            Unrecorded::Store(e) => Self::Store(e),
        }
    }
}

/// Puts a decided aggregate's new state in the cache once its events are recorded.
type Remember = Box<dyn FnOnce(&EventStore) + Send + Sync>;

/// The events several aggregates decided, to be recorded together or not at all.
pub struct Decision<'s> {
    store: &'s EventStore,
    metadata: HashMap<String, String>,
    events: Vec<cqrs_es::persist::SerializedEvent>,
    /// Each stream decided on so far, as its commands left it (a `Known<A>`).
    streams: HashMap<(&'static str, String), Box<dyn Any + Send + Sync>>,
    remember: Vec<Remember>,
    fence: Option<TimezoneFence>,
    currency_fence: Option<CurrencyFence>,
    staff_fences: Vec<StaffFence>,
    customer_fences: Vec<CustomerFence>,
}

impl EventStore {
    /// Starts a decision whose events carry `metadata`.
    pub fn decision(&self, metadata: &EventMetadata) -> Decision<'_> {
        Decision {
            store: self,
            metadata: super::stored_metadata(metadata),
            events: Vec::new(),
            streams: HashMap::new(),
            remember: Vec::new(),
            fence: None,
            currency_fence: None,
            staff_fences: Vec::new(),
            customer_fences: Vec::new(),
        }
    }
}

impl<'s> Decision<'s> {
    /// Lets aggregate `id`, as `known` (read moments ago, at its sequence), decide `command`;
    /// its events join the decision. Returns the aggregate with them applied. A refusal is
    /// `CommandError::Refused`; nothing has been written then.
    ///
    /// A stream this decision has already decided on goes on from where its earlier commands
    /// left it (`known` is then not used): a barber's day that gives back an appointment's slot
    /// and then takes a time off over it, in one step, numbers its events one after another.
    pub async fn decide<A>(
        &mut self,
        id: &str,
        known: Known<A>,
        command: A::Command,
    ) -> Result<A, CommandError<A::Error>>
    where
        A: Aggregate<Services = ()> + Clone + Send + Sync + 'static,
    {
        let stream = (A::TYPE, id.to_owned());
        let Known {
            mut state,
            sequence,
        } = match self.streams.get(&stream) {
            Some(earlier) => earlier
                .downcast_ref::<Known<A>>()
                .map(|k| Known {
                    state: k.state.clone(),
                    sequence: k.sequence,
                })
                .ok_or_else(|| {
                    CommandError::Store(format!("{} {id}: two types", A::TYPE).into())
                })?,
            None => known,
        };
        let sink = EventSink::default();
        state
            .handle(command, &(), &sink)
            .await
            .map_err(CommandError::Refused)?;
        let context = EventStoreAggregateContext {
            aggregate_id: id.to_owned(),
            aggregate: state.clone(),
            current_sequence: sequence,
            current_snapshot: None,
        };
        let mut decided = Decided::new(context, sink.collect().await, &self.metadata)
            .map_err(|e| CommandError::from(AggregateError::<A::Error>::from(e)))?;
        let after = Known {
            state: state.clone(),
            sequence: sequence + decided.serialized.len(),
        };
        self.streams.insert(stream, Box::new(after));
        self.events.append(&mut decided.serialized);
        self.remember.push(Box::new(move |store: &EventStore| {
            decided.remember(store);
        }));
        Ok(state)
    }

    /// Records nothing unless the business still has `fence`'s timezone.
    pub fn fence(&mut self, fence: TimezoneFence) {
        self.fence = Some(fence);
    }

    /// Records nothing unless the business still has `fence`'s currency.
    pub fn fence_currency(&mut self, fence: CurrencyFence) {
        self.currency_fence = Some(fence);
    }

    /// Records nothing unless customer `fence.customer_id` is still on the books.
    pub fn fence_customer(&mut self, fence: CustomerFence) {
        if !self.customer_fences.contains(&fence) {
            self.customer_fences.push(fence);
        }
    }

    /// Records nothing unless barber `fence.staff_id` is still active.
    pub fn fence_staff(&mut self, fence: StaffFence) {
        if !self.staff_fences.contains(&fence) {
            self.staff_fences.push(fence);
        }
    }

    /// Whether any aggregate decided to record something.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Appends every event in one statement: all or nothing.
    #[tracing::instrument(skip_all, fields(events = self.events.len()))]
    pub async fn record(self) -> Result<Committed, Unrecorded> {
        let store = self.store;
        let fence = self.fence.clone();
        let currency_fence = self.currency_fence.clone();
        let appended = match store.pool.acquire().await {
            Ok(mut connection) => self.append_with(&mut connection).await,
            Err(err) => Err(Unrecorded::Store(Box::new(append::persistence_error(err)))),
        };
        let fenced_out = matches!(appended, Err(Unrecorded::Conflict));
        if let (true, Some(fence)) = (fenced_out, fence) {
            heal(store, &fence).await?;
        }
        if let (true, Some(fence)) = (fenced_out, currency_fence) {
            heal_currency(store, &fence).await?;
        }
        Ok(appended?.committed())
    }

    /// Appends every event in one statement within the caller's transaction; the aggregates
    /// are remembered only once the caller has committed it ([`Appended::committed`]).
    pub async fn append_within(
        self,
        transaction: &mut sqlx::PgConnection,
    ) -> Result<Appended<'s>, Unrecorded> {
        self.append_with(transaction).await
    }

    /// Seals the personal data and appends, both on `connection`.
    async fn append_with(
        self,
        connection: &mut sqlx::PgConnection,
    ) -> Result<Appended<'s>, Unrecorded> {
        let Self {
            store,
            mut events,
            remember,
            fence,
            currency_fence,
            staff_fences,
            customer_fences,
            ..
        } = self;
        if events.is_empty() {
            return Ok(Appended {
                store,
                remember: Vec::new(),
                position: None,
            });
        }
        let fences = append::Fences {
            timezone: fence.as_ref(),
            currency: currency_fence.as_ref(),
            staff: &staff_fences,
            customers: &customer_fences,
        };
        let new_keys = match sealing::seal(&mut *connection, &mut events).await {
            Ok(keys) => keys,
            Err(PersistenceError::OptimisticLockError) => return Err(Unrecorded::Conflict),
            Err(err) => return Err(Unrecorded::Store(Box::new(err))),
        };
        match append::append(&mut *connection, &events, &new_keys, fences).await {
            Ok(positions) if positions.len() == events.len() => Ok(Appended {
                store,
                remember,
                position: positions.last().copied(),
            }),
            // the business's timezone is no longer the one the step was decided on: the
            // statement inserted nothing
            Ok(_) => Err(Unrecorded::Conflict),
            Err(PersistenceError::OptimisticLockError) => Err(Unrecorded::Conflict),
            Err(err) => Err(Unrecorded::Store(Box::new(err))),
        }
    }
}

/// Events appended, not yet known to be committed.
#[must_use = "call `committed` once the transaction has committed"]
pub struct Appended<'s> {
    store: &'s EventStore,
    remember: Vec<Remember>,
    position: Option<i64>,
}

impl Appended<'_> {
    /// Once committed: the decided aggregates are remembered and the relay woken.
    pub fn committed(self) -> Committed {
        if self.position.is_some() {
            for remember in self.remember {
                remember(self.store);
            }
            self.store.appended.notify_one();
        }
        Committed {
            position: self.position,
        }
    }
}

/// A business opened before its fence row existed (or whose signup died half-way) gets one,
/// with the timezone the step was decided on: that is the business's zone as just read, since
/// a timezone change creates the row before anything else (and would make this insert wait).
async fn heal(store: &EventStore, fence: &TimezoneFence) -> Result<(), Unrecorded> {
    sqlx::query(
        "insert into business_timezones (business_id, timezone) values ($1, $2)
         on conflict (business_id) do nothing",
    )
    .bind(fence.business_id)
    .bind(&fence.timezone)
    .execute(&store.pool)
    .await
    .map_err(|e| Unrecorded::Store(Box::new(e)))?;
    Ok(())
}

/// A fence row without a currency (its business predates the currency fence and was never
/// filled in) gets the currency the step was decided on, as just read.
async fn heal_currency(store: &EventStore, fence: &CurrencyFence) -> Result<(), Unrecorded> {
    sqlx::query(
        "update business_timezones set currency = $2 where business_id = $1 and currency is null",
    )
    .bind(fence.business_id)
    .bind(&fence.currency)
    .execute(&store.pool)
    .await
    .map_err(|e| Unrecorded::Store(Box::new(e)))?;
    Ok(())
}

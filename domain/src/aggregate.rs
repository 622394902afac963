//! The one shape every aggregate has: a pure `decide` and an `apply`.
//!
//! cqrs-es asks each aggregate for an async `handle` that writes events into a sink as it goes.
//! Deciding there mixes the rules with the writing, and only a test through the whole
//! framework can ask what a command would record. So each aggregate implements [`Decide`]: a
//! synchronous function of its state and a command (no I/O, no clock: "now" arrives in the
//! command) that returns every event the command records, in order, or why it is refused. Its
//! `handle` is [`handle_by_deciding`] and nothing else, so what is recorded is exactly what
//! `decide` returned, and a refusal records nothing.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;

/// An aggregate whose rules are one pure function: what a command records on the current
/// state. Tests, property checks and multi-stream steps can ask it without an event store.
pub trait Decide: Aggregate {
    /// The events `command` records, in order (none when it would change nothing), or why the
    /// aggregate refuses it. Nothing is applied: the state stays as it was.
    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, Self::Error>;
}

/// The body of every aggregate's cqrs-es `handle`: writes what [`Decide::decide`] returned.
/// The sink applies each event as it is written, which leaves the aggregate in the state the
/// event store will fold it to.
pub async fn handle_by_deciding<A: Decide>(
    aggregate: &mut A,
    command: A::Command,
    sink: &EventSink<A>,
) -> Result<(), A::Error> {
    for event in aggregate.decide(command)? {
        sink.write(event, aggregate).await;
    }
    Ok(())
}

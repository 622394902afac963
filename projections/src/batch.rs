//! One batch of JetStream messages, applied in one Postgres transaction and then acknowledged.
//!
//! Nothing is acknowledged before the commit: a crash in between redelivers the batch, and the
//! per-aggregate sequence guard makes the redelivery a no-op. A message whose event can never
//! apply is dead-lettered in the same transaction and terminated (`AckKind::Term`) after it.
//! Before the checkpoint moves to the batch's newest position, every event before it that is
//! not applied yet (held by another worker, or by one that died) is applied from the store, so
//! the checkpoint never claims an event that is not in the read model.

use async_nats::jetstream::{AckKind, Message};
use events::RecordedEvent;
use sqlx::PgPool;
use uuid::Uuid;

use std::collections::{BTreeSet, HashSet};

use crate::bookkeeping::{self, Fate, Origin, Rows, Tally};
use crate::projection::Projection;
use crate::store::Position;

/// What to answer JetStream for one message once the transaction committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disposition {
    Ack,
    /// Never redeliver: it was dead-lettered.
    Terminate,
}

/// A committed batch.
#[derive(Debug)]
pub(crate) struct Committed {
    /// One per message, in the batch's order.
    pub dispositions: Vec<Disposition>,
    pub tally: Tally,
}

/// Applies `messages` in one transaction. An `Err` means nothing was committed (the database
/// is unavailable, or a deadlock): the caller naks the batch and retries after a back-off.
///
/// Each event that is the next of its aggregate is applied directly; should one fail for good,
/// the transaction is rolled back and the batch redone with a savepoint around every event, so
/// that the failing one alone is undone and dead-lettered.
#[tracing::instrument(skip_all, fields(projection = projection.name(), messages = messages.len()))]
pub(crate) async fn apply<P: Projection>(
    pool: &PgPool,
    projection: &P,
    messages: &[Message],
) -> Result<Committed, sqlx::Error> {
    if let Some(committed) = attempt(pool, projection, messages, false).await? {
        return Ok(committed);
    }
    tracing::info!("an event failed for good; redoing the batch one savepoint per event");
    match attempt(pool, projection, messages, true).await? {
        Some(committed) => Ok(committed),
        None => Err(sqlx::Error::Protocol(
            "the careful path cannot ask for more care".into(),
        )),
    }
}

/// One try at the batch; `None` when a quick try met an event that failed for good (nothing
/// committed).
///
/// The quick try claims, in one statement, every aggregate whose events in the batch follow the
/// one last applied, opens their personal data in one read of the keys, and applies them: one
/// round trip per event. The other events (duplicates, gaps) and every event of a careful try
/// go through [`bookkeeping::handle_event`]. Events of one aggregate keep their order either way.
async fn attempt<P: Projection>(
    pool: &PgPool,
    projection: &P,
    messages: &[Message],
    careful: bool,
) -> Result<Option<Committed>, sqlx::Error> {
    let name = projection.name();
    let mut tx = pool.begin().await?;
    let checkpoint = bookkeeping::lock_checkpoint(&mut tx, name).await?;
    let mut tally = Tally::default();
    let mut dispositions = vec![Disposition::Ack; messages.len()];
    let mut newest: Option<(Position, Option<u64>)> = None;
    // the batch's events of this projection's types: (message index, event, stream sequence)
    let mut mine = Vec::with_capacity(messages.len());
    for (at, message) in messages.iter().enumerate() {
        let stream_sequence = message.info().ok().map(|info| info.stream_sequence);
        let event: RecordedEvent = match serde_json::from_slice(&message.payload) {
            Ok(event) => event,
            Err(err) => {
                let error = format!(
                    "cannot read the event envelope on {}: {err}",
                    message.subject
                );
                let body = String::from_utf8_lossy(&message.payload);
                bookkeeping::dead_letter(&mut tx, name, None, stream_sequence, &error, &body)
                    .await?;
                tally.dead_lettered += 1;
                dispositions[at] = Disposition::Terminate;
                continue;
            }
        };
        let position = Position::of(&event);
        if newest.is_none_or(|(p, _)| p < position) {
            newest = Some((position, stream_sequence));
        }
        // a projection over several types reads the whole stream: another type's event is
        // acknowledged, still a step forward in commit order
        if projection
            .aggregate_types()
            .contains(&event.aggregate_type.as_str())
        {
            mine.push((at, event, stream_sequence));
        }
    }

    let claimed = if careful {
        HashSet::new()
    } else {
        let events: Vec<&RecordedEvent> = mine.iter().map(|(_, e, _)| e).collect();
        bookkeeping::claim_runs(&mut tx, projection, &events).await?
    };
    let is_claimed =
        |e: &RecordedEvent| claimed.contains(&(e.aggregate_type.clone(), e.aggregate_id.clone()));
    let quick: Vec<&RecordedEvent> = mine
        .iter()
        .map(|(_, e, _)| e)
        .filter(|e| is_claimed(e))
        .collect();
    if !quick.is_empty()
        && !bookkeeping::apply_claimed(&mut tx, projection, &quick, Rows::MayExist, &mut tally)
            .await?
    {
        tx.rollback().await?;
        return Ok(None);
    }
    for (at, event, stream_sequence) in mine.iter().filter(|(_, e, _)| !is_claimed(e)) {
        let body = String::from_utf8_lossy(&messages[*at].payload);
        let origin = Origin::Message {
            stream_sequence: *stream_sequence,
            body: &body,
        };
        let fate =
            bookkeeping::handle_event(&mut tx, projection, event, origin, &mut tally).await?;
        if fate == Fate::DeadLettered {
            dispositions[*at] = Disposition::Terminate;
        }
    }

    // every business whose rows this batch may change (those of duplicates too: a version
    // moved for nothing only costs a reader one read)
    let mut tenants: BTreeSet<Uuid> = mine.iter().map(|(_, e, _)| e.tenant_id).collect();
    if let Some((position, stream_sequence)) = newest.filter(|(p, _)| *p > checkpoint) {
        bookkeeping::fill_behind(
            &mut tx,
            projection,
            checkpoint,
            position,
            &mut tally,
            &mut tenants,
        )
        .await?;
        bookkeeping::advance_checkpoint(&mut tx, name, position, stream_sequence).await?;
    }
    bookkeeping::finish_batch(&mut tx, name, &tenants).await?;
    tx.commit().await?;
    Ok(Some(Committed {
        dispositions,
        tally,
    }))
}

/// Acknowledges a committed batch. A lost plain ack only costs a redelivery (a no-op); a
/// termination is confirmed by the server, since a redelivered poison message would be
/// dead-lettered twice.
pub(crate) async fn acknowledge(messages: &[Message], dispositions: &[Disposition]) {
    for (message, disposition) in messages.iter().zip(dispositions) {
        let result = match disposition {
            Disposition::Ack => message.ack().await,
            Disposition::Terminate => message.double_ack_with(AckKind::Term).await,
        };
        if let Err(err) = result {
            tracing::warn!(%err, subject = %message.subject, "cannot acknowledge; it will be redelivered");
        }
    }
}

/// Hands a failed batch straight back. Redeliveries come before new messages, so the next
/// fetch (after the caller's back-off) sees the batch again in the same order.
pub(crate) async fn reject(messages: &[Message]) {
    for message in messages {
        if let Err(err) = message.ack_with(AckKind::Nak(None)).await {
            tracing::debug!(%err, "cannot nak; it will be redelivered after ack_wait");
        }
    }
}

//! The quick path for a whole batch: claim in one statement the sequences of every aggregate
//! whose events follow on from what is applied, then apply those events in one
//! `Projection::apply_many`. Anything else takes the careful path (`super::handle_event`).

use std::collections::{HashMap, HashSet};

use events::RecordedEvent;
use platform::personal_data::{self, PersonalDataError};
use sqlx::PgConnection;

use super::{Fate, Tally};
use crate::error::ApplyError;
use crate::projection::Projection;

/// An aggregate as `(aggregate_type, aggregate_id)`.
type AggregateKey<'a> = (&'a str, &'a str);
/// The first and last sequence of an aggregate's consecutive events in a batch.
type Run = (i64, i64);

/// The quick path for a whole batch: for each aggregate whose events in `events` are
/// consecutive sequences (in the order given) that follow the one last applied (or start at
/// 1), claims the run in one statement for all of them. Returns the claimed aggregates, whose
/// events the caller then applies with [`apply_claimed`]; any other event takes the careful
/// path ([`handle_event`]). Nothing is claimed for an aggregate with a duplicate or a gap.
pub(crate) async fn claim_runs<P: Projection>(
    conn: &mut PgConnection,
    projection: &P,
    events: &[&RecordedEvent],
) -> Result<HashSet<(String, String)>, sqlx::Error> {
    // per aggregate, in order of first appearance: (first, last) or None when not consecutive
    let mut runs: Vec<(AggregateKey<'_>, Option<Run>)> = Vec::new();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    for event in events {
        let key = (event.aggregate_type.as_str(), event.aggregate_id.as_str());
        match index.get(&key) {
            None => {
                index.insert(key, runs.len());
                runs.push((key, Some((event.sequence, event.sequence))));
            }
            Some(&at) => {
                let run = &mut runs[at].1;
                *run = run
                    .filter(|(_, last)| *last + 1 == event.sequence)
                    .map(|(first, _)| (first, event.sequence));
            }
        }
    }
    let mut types = Vec::new();
    let mut ids = Vec::new();
    let mut firsts = Vec::new();
    let mut lasts = Vec::new();
    for ((aggregate_type, aggregate_id), run) in &runs {
        if let Some((first, last)) = run {
            types.push(*aggregate_type);
            ids.push(*aggregate_id);
            firsts.push(*first);
            lasts.push(*last);
        }
    }
    if types.is_empty() {
        return Ok(HashSet::new());
    }
    let claimed: Vec<(String, String)> = sqlx::query_as(
        "with runs as (
             select * from unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[])
                 as r(aggregate_type, aggregate_id, first_sequence, last_sequence)),
         moved as (
             update projection_aggregate_sequences s
                set last_sequence = r.last_sequence
               from runs r
              where s.projection = $1 and s.aggregate_type = r.aggregate_type
                and s.aggregate_id = r.aggregate_id and s.last_sequence = r.first_sequence - 1
             returning s.aggregate_type, s.aggregate_id),
         created as (
             insert into projection_aggregate_sequences
                 (projection, aggregate_type, aggregate_id, last_sequence)
             select $1, aggregate_type, aggregate_id, last_sequence from runs
              where first_sequence = 1
             on conflict (projection, aggregate_type, aggregate_id) do nothing
             returning aggregate_type, aggregate_id)
         select aggregate_type, aggregate_id from moved
         union all select aggregate_type, aggregate_id from created",
    )
    .bind(projection.name())
    .bind(&types)
    .bind(&ids)
    .bind(&firsts)
    .bind(&lasts)
    .fetch_all(&mut *conn)
    .await?;
    Ok(claimed.into_iter().collect())
}

/// What the tables hold of the aggregates of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    /// Anything: the events are claimed runs ([`Projection::apply_many`]).
    MayExist,
    /// Nothing: each aggregate comes whole from its first event, into empty tables (a
    /// rebuild's bulk: [`Projection::apply_new`]).
    New,
}

/// Applies events whose sequences [`claim_runs`] claimed (or whole new aggregates, `rows`),
/// in the order given and in one [`Projection::apply_many`] (set-based where the projection
/// does it so), their personal data opened in one read of the keys. `Ok(false)` when one failed for good (the transaction
/// may be aborted: the caller rolls back and redoes the batch on the careful path, which
/// dead-letters the failing event alone); an `Err` is transient.
pub(crate) async fn apply_claimed<P: Projection>(
    conn: &mut PgConnection,
    projection: &P,
    events: &[&RecordedEvent],
    rows: Rows,
    tally: &mut Tally,
) -> Result<bool, sqlx::Error> {
    let mut opened: Vec<RecordedEvent> = Vec::new();
    let mut sealed_at = Vec::with_capacity(events.len());
    for event in events {
        if personal_data::has_sealed_pii(&event.payload) {
            sealed_at.push(Some(opened.len()));
            opened.push((*event).clone());
        } else {
            sealed_at.push(None);
        }
    }
    if !opened.is_empty() {
        let payloads = opened
            .iter_mut()
            .map(|e| (e.tenant_id, &mut e.payload))
            .collect();
        match personal_data::open(&mut *conn, payloads).await {
            Ok(()) => {}
            Err(PersonalDataError::Database(err)) => return Err(err),
            Err(_) => return Ok(false),
        }
    }
    let events: Vec<&RecordedEvent> = events
        .iter()
        .zip(sealed_at)
        .map(|(event, sealed)| sealed.map_or(*event, |at| &opened[at]))
        .collect();
    let applied = match rows {
        Rows::MayExist => projection.apply_many(conn, &events).await,
        Rows::New => projection.apply_new(conn, &events).await,
    };
    match applied {
        Ok(()) => {}
        Err(ApplyError::Transient(err)) => return Err(err),
        Err(_) => return Ok(false),
    }
    for event in events {
        tally.count(Fate::Applied, event);
    }
    Ok(true)
}

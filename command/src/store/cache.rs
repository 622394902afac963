//! Aggregates as they were at a known sequence, kept in memory so that a command reads only the
//! events recorded since (usually none) instead of the whole stream.
//!
//! An entry is always the fold of events `1..=sequence` of its aggregate, and events are never
//! changed or removed, so an entry can be old but never wrong: a load catches up with
//! `sequence > n`, and an append at `n + 1` conflicts if another writer (another replica
//! included) got there first. Nothing has to be invalidated; the cache only saves work.

use std::any::Any;
use std::sync::Arc;

use cqrs_es::Aggregate;

/// How many aggregates are kept: enough for every barber-day and record a busy shop touches in
/// a day, a few megabytes.
const CAPACITY: usize = 20_000;

type Key = (&'static str, String);

pub(super) struct AggregateCache {
    entries: quick_cache::sync::Cache<Key, Arc<dyn Any + Send + Sync>>,
}

/// An aggregate folded up to `sequence`.
struct Entry<A> {
    sequence: usize,
    state: A,
}

impl AggregateCache {
    pub(super) fn new() -> Self {
        Self {
            entries: quick_cache::sync::Cache::new(CAPACITY),
        }
    }

    /// The cached state of aggregate `id` and the sequence it is folded up to.
    pub(super) fn get<A>(&self, id: &str) -> Option<(A, usize)>
    where
        A: Aggregate + Clone + 'static,
    {
        let entry = self.entries.get(&(A::TYPE, id.to_owned()))?;
        let entry = entry.downcast_ref::<Entry<A>>()?;
        Some((entry.state.clone(), entry.sequence))
    }

    /// Keeps `state` as aggregate `id` at `sequence`, unless a later one is already kept.
    pub(super) fn put<A>(&self, id: &str, state: A, sequence: usize)
    where
        A: Aggregate + 'static,
    {
        let key = (A::TYPE, id.to_owned());
        let newer_kept = self
            .entries
            .get(&key)
            .and_then(|e| e.downcast_ref::<Entry<A>>().map(|e| e.sequence >= sequence))
            .unwrap_or(false);
        if !newer_kept {
            self.entries
                .insert(key, Arc::new(Entry { sequence, state }));
        }
    }
}

//! What a query process keeps between requests (a shop's rota, its days of reservations, whole
//! answers), each value with the version of the read models it was made from: given again
//! while the caller's snapshot shows the same version and the value is younger than
//! [`MAX_AGE`] (so a change made outside the projections, a data fix under a running process,
//! is seen soon). Past its budget a store drops everything and fills again.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a value is given at most before it is made again.
pub const MAX_AGE: Duration = Duration::from_secs(30);

/// Values by key, each with the version it was made at.
pub struct ByVersion<K, V> {
    entries: Arc<Mutex<Entries<K, V>>>,
    /// The most weight kept (what a value weighs is the caller's: one, or its bytes).
    budget: usize,
}

impl<K, V> Clone for ByVersion<K, V> {
    fn clone(&self) -> Self {
        Self {
            entries: self.entries.clone(),
            budget: self.budget,
        }
    }
}

struct Entries<K, V> {
    values: HashMap<K, Entry<V>>,
    weight: usize,
}

struct Entry<V> {
    version: String,
    made_at: Instant,
    weight: usize,
    value: V,
}

impl<K: Hash + Eq, V: Clone> ByVersion<K, V> {
    pub fn new(budget: usize) -> Self {
        Self {
            entries: Arc::new(Mutex::new(Entries {
                values: HashMap::new(),
                weight: 0,
            })),
            budget,
        }
    }

    /// The value kept under `key` if it was made at `version` (never when there is no version
    /// to compare) and not too long ago.
    pub fn get(&self, key: &K, version: Option<&str>) -> Option<V> {
        let version = version?;
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        entries
            .values
            .get(key)
            .filter(|e| e.version == version && e.made_at.elapsed() < MAX_AGE)
            .map(|e| e.value.clone())
    }

    /// Keeps `value` (weighing `weight`) under `key`, made at `version`.
    pub fn put(&self, key: K, version: String, value: V, weight: usize) {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if entries.weight + weight > self.budget && !entries.values.contains_key(&key) {
            entries.values.clear();
            entries.weight = 0;
        }
        entries.weight += weight;
        let entry = Entry {
            version,
            made_at: Instant::now(),
            weight,
            value,
        };
        if let Some(replaced) = entries.values.insert(key, entry) {
            entries.weight -= replaced.weight;
        }
    }
}

/// Counts a read of what `metric` names: given from what was kept, or made afresh.
pub fn count(metric: &'static str, kept: bool) {
    metrics::counter!(metric, "kept" => if kept { "true" } else { "false" }).increment(1);
}

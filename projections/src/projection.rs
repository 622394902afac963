//! What a projection is, and the list of the ones that exist.
//!
//! A projection reads the events of some aggregate types and keeps its own tables. It never
//! touches the bookkeeping (checkpoints, per-aggregate sequences, dead letters): the runtime
//! and rebuild do that around it, in the same transaction. Adding a projection is a module
//! with a type implementing [`Projection`], plus a variant of [`Registered`].

use std::future::Future;

use events::RecordedEvent;
use sqlx::PgConnection;

use crate::appointment_stats::AppointmentStats;
use crate::appointments::Appointments;
use crate::businesses::Businesses;
use crate::customers::Customers;
use crate::error::{ApplyError, ProjectionError};
use crate::notifications::Notifications;
use crate::reservations::Reservations;
use crate::services::Services;
use crate::staff::Staff;

/// One read model built from events.
pub trait Projection: Send + Sync {
    /// Names its checkpoint row, its durable JetStream consumer and its metrics.
    fn name(&self) -> &'static str;

    /// The aggregate types whose events it applies.
    fn aggregate_types(&self) -> &'static [&'static str];

    /// Applies one event inside the caller's transaction. Events of one aggregate arrive once
    /// each, in sequence order; the caller guarantees that, so `apply` need not.
    fn apply(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
    ) -> impl Future<Output = Result<(), ApplyError>> + Send;

    /// Applies a batch of events inside the caller's transaction, in the order given (each
    /// aggregate's in sequence order). One [`Projection::apply`] each unless the projection
    /// does it set-based; either way, the same rows as applying them one by one.
    fn apply_many(
        &self,
        conn: &mut PgConnection,
        events: &[&RecordedEvent],
    ) -> impl Future<Output = Result<(), ApplyError>> + Send {
        async move {
            for event in events {
                self.apply(&mut *conn, event).await?;
            }
            Ok(())
        }
    }

    /// Applies a batch of whole aggregates that its tables hold nothing of yet (each from its
    /// first event, in sequence order): a rebuild's bulk into empty tables. The same rows as
    /// [`Projection::apply_many`]; a projection may skip reading rows that cannot exist, and
    /// write without looking for conflicts. Should a row exist after all, the write fails and
    /// the caller applies the events again the careful way.
    fn apply_new(
        &self,
        conn: &mut PgConnection,
        events: &[&RecordedEvent],
    ) -> impl Future<Output = Result<(), ApplyError>> + Send {
        self.apply_many(conn, events)
    }

    /// The tables it owns, parents before the tables whose foreign keys point at them: a
    /// rebuild fills a fresh copy of each and swaps the copies in.
    fn tables(&self) -> &'static [&'static str];
}

/// Every projection of barber, as one value the runtime and rebuild can hold.
#[derive(Debug, Clone, Copy)]
pub enum Registered {
    Appointments(Appointments),
    AppointmentStats(AppointmentStats),
    Businesses(Businesses),
    Customers(Customers),
    Notifications(Notifications),
    Reservations(Reservations),
    Services(Services),
    Staff(Staff),
}

/// Every projection, in the order the runtime starts them.
pub fn all() -> Vec<Registered> {
    vec![
        Registered::Businesses(Businesses),
        Registered::Customers(Customers),
        Registered::Services(Services),
        Registered::Staff(Staff),
        Registered::Appointments(Appointments),
        Registered::Reservations(Reservations),
        Registered::AppointmentStats(AppointmentStats),
        Registered::Notifications(Notifications),
    ]
}

/// The names of every projection (for `barber rebuild <name>` and its help).
pub fn names() -> Vec<&'static str> {
    all().iter().map(Projection::name).collect()
}

/// The projection called `name`, or an error listing the known names.
pub fn find(name: &str) -> Result<Registered, ProjectionError> {
    all()
        .into_iter()
        .find(|p| p.name() == name)
        .ok_or_else(|| ProjectionError::UnknownProjection {
            name: name.to_owned(),
            known: names().join(", "),
        })
}

impl Projection for Registered {
    fn name(&self) -> &'static str {
        match self {
            Self::Appointments(p) => p.name(),
            Self::AppointmentStats(p) => p.name(),
            Self::Businesses(p) => p.name(),
            Self::Customers(p) => p.name(),
            Self::Notifications(p) => p.name(),
            Self::Reservations(p) => p.name(),
            Self::Services(p) => p.name(),
            Self::Staff(p) => p.name(),
        }
    }

    fn aggregate_types(&self) -> &'static [&'static str] {
        match self {
            Self::Appointments(p) => p.aggregate_types(),
            Self::AppointmentStats(p) => p.aggregate_types(),
            Self::Businesses(p) => p.aggregate_types(),
            Self::Customers(p) => p.aggregate_types(),
            Self::Notifications(p) => p.aggregate_types(),
            Self::Reservations(p) => p.aggregate_types(),
            Self::Services(p) => p.aggregate_types(),
            Self::Staff(p) => p.aggregate_types(),
        }
    }

    fn tables(&self) -> &'static [&'static str] {
        match self {
            Self::Appointments(p) => p.tables(),
            Self::AppointmentStats(p) => p.tables(),
            Self::Businesses(p) => p.tables(),
            Self::Customers(p) => p.tables(),
            Self::Notifications(p) => p.tables(),
            Self::Reservations(p) => p.tables(),
            Self::Services(p) => p.tables(),
            Self::Staff(p) => p.tables(),
        }
    }

    async fn apply(
        &self,
        conn: &mut PgConnection,
        event: &RecordedEvent,
    ) -> Result<(), ApplyError> {
        match self {
            Self::Appointments(p) => p.apply(conn, event).await,
            Self::AppointmentStats(p) => p.apply(conn, event).await,
            Self::Businesses(p) => p.apply(conn, event).await,
            Self::Customers(p) => p.apply(conn, event).await,
            Self::Notifications(p) => p.apply(conn, event).await,
            Self::Reservations(p) => p.apply(conn, event).await,
            Self::Services(p) => p.apply(conn, event).await,
            Self::Staff(p) => p.apply(conn, event).await,
        }
    }

    async fn apply_many(
        &self,
        conn: &mut PgConnection,
        events: &[&RecordedEvent],
    ) -> Result<(), ApplyError> {
        match self {
            Self::Appointments(p) => p.apply_many(conn, events).await,
            Self::AppointmentStats(p) => p.apply_many(conn, events).await,
            Self::Businesses(p) => p.apply_many(conn, events).await,
            Self::Customers(p) => p.apply_many(conn, events).await,
            Self::Notifications(p) => p.apply_many(conn, events).await,
            Self::Reservations(p) => p.apply_many(conn, events).await,
            Self::Services(p) => p.apply_many(conn, events).await,
            Self::Staff(p) => p.apply_many(conn, events).await,
        }
    }

    async fn apply_new(
        &self,
        conn: &mut PgConnection,
        events: &[&RecordedEvent],
    ) -> Result<(), ApplyError> {
        match self {
            Self::Appointments(p) => p.apply_new(conn, events).await,
            Self::AppointmentStats(p) => p.apply_new(conn, events).await,
            Self::Businesses(p) => p.apply_new(conn, events).await,
            Self::Customers(p) => p.apply_new(conn, events).await,
            Self::Notifications(p) => p.apply_new(conn, events).await,
            Self::Reservations(p) => p.apply_new(conn, events).await,
            Self::Services(p) => p.apply_new(conn, events).await,
            Self::Staff(p) => p.apply_new(conn, events).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found() {
        let names = names();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        for name in names {
            assert_eq!(find(name).map(|p| p.name()).ok(), Some(name));
        }
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones() {
        let err = find("nope").expect_err("unknown");
        assert!(err.to_string().contains("customers"), "{err}");
    }
}

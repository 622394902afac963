//! Projection workers: they build barber's read models from its events, and rebuild them from
//! the event store.
//!
//! Each projection is a durable JetStream pull consumer. A batch of messages is applied in one
//! Postgres transaction together with the bookkeeping that makes delivery exactly-once in
//! effect: a per-aggregate sequence guard (a redelivery is a no-op, a gap is filled from the
//! store, never skipped), the checkpoint in commit order, and dead letters for events that can
//! never apply. Only after the commit are the messages acknowledged.
//!
//! Layout:
//! - [`projection`]: the [`Projection`] trait and the list of projections ([`names`]).
//! - [`customers`], [`services`], [`staff`]: the customers, services and staff read models
//!   (one module per projection).
//! - [`appointments`]: the appointments read model (status, times, payment).
//! - [`reservations`]: every live reservation of every barber's day, from the Schedule's events.
//! - [`appointment_stats`]: per business per local day counts, minutes and takings of
//!   appointments (the dashboard's and the reports' figures).
//! - [`notifications`]: what each customer is to be told about their appointments, and when
//!   (the notification worker sends from it).
//! - [`runtime`]: [`run`], the consumers and their loop; `batch`: one batch, one transaction.
//! - `bookkeeping`: checkpoints, sequence guard, gap fills, savepoints, dead letters.
//! - `store`: reading events back from the event store.
//! - [`rebuild`](mod@rebuild): [`rebuild()`] from the event store in batches into shadow tables,
//!   swapped in at the end; also the backfill of a projection that is new.
//! - [`progress`]: [`has_reached`], read-your-writes for the query service.
//! - `lag`: the lag gauges and the retry back-off.
//! - [`error`]: [`ProjectionError`] for callers, [`ApplyError`] for projections.

pub mod appointment_stats;
pub mod appointments;
mod batch;
mod bookkeeping;
pub mod businesses;
mod copy;
pub mod customers;
pub mod error;
mod lag;
pub mod notifications;
pub mod progress;
pub mod projection;
pub mod rebuild;
pub mod reservations;
pub mod runtime;
pub mod services;
pub mod staff;
mod store;

pub use error::{ApplyError, ProjectionError};
pub use progress::has_reached;
pub use projection::{names, Projection};
pub use rebuild::{rebuild, rebuild_with_progress, RebuildProgress, RebuildReport};
pub use runtime::run;

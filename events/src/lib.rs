//! The event vocabulary of barber: the facts each aggregate records, their metadata, and the wire
//! envelope the relay publishes to NATS. Facts only: no behaviour, no I/O, no other crate of ours.
//!
//! - [`clock_time`]: a time of day on a weekly rota, `00:00` to `24:00`.
//! - [`metadata`]: who caused an event and on whose behalf (tenant, actor, correlation, causation).
//! - [`account`]: a business's logins: invitations, roles, chairs, disabling, passwords.
//! - [`business`], [`customer`], [`service`], [`staff`]: one event enum per aggregate.
//! - [`schedule`]: one barber's reservations on one local day (the no-double-booking unit).
//! - [`customer_day`]: one customer's appointments on one local day (no two chairs at once).
//! - [`appointment`]: a booking's way through the shop, from booked to completed or cancelled.
//! - [`recorded`]: an event as stored and published, with its commit-order position.
//! - [`subjects`]: NATS subject naming.

pub mod account;
pub mod appointment;
pub mod business;
pub mod clock_time;
pub mod customer;
pub mod customer_day;
pub mod metadata;
pub mod recorded;
pub mod schedule;
pub mod service;
pub mod staff;
pub mod subjects;

pub use metadata::EventMetadata;
pub use recorded::RecordedEvent;

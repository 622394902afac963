//! The write side of barber: aggregates decide, the event store records, the relay publishes.
//!
//! - [`business`], [`customer`], [`service`], [`staff`]: one module per aggregate (state,
//!   commands, errors, `handle`, `apply`, given/when/then tests). Pure: no I/O.
//! - [`contact`]: phone (E.164) and email rules shared by aggregates.
//! - [`store`]: runs a command against the Postgres event store and reports the committed position.
//! - [`accounts`]: signup and login (users and slugs live beside the events, see the module).
//! - [`http`]: the command HTTP API.
//! - [`relay`]: publishes the event store to NATS JetStream in commit order.

pub mod accounts;
pub mod business;
pub mod contact;
pub mod customer;
pub mod http;
pub mod relay;
pub mod service;
pub mod staff;
pub mod store;

//! The write side of barber: aggregates decide, the event store records (the `relay` crate then
//! publishes what it recorded).
//!
//! - [`aggregate`]: the one shape of every aggregate, a pure `decide` that `handle` only records.
//! - [`business`], [`customer`], [`service`], [`staff`]: one module per aggregate (state,
//!   commands, errors, `decide`, `apply`, given/when/then tests). Pure: no I/O.
//! - [`appointment`]: the Appointment aggregate, a booking's status workflow (same shape).
//! - [`schedule`]: one barber's one local day, owner of "no double booking", and the local-time
//!   maths that turns working hours into UTC across daylight-saving changes (same shape).
//! - [`customer_day`]: one customer's one local day, owner of "no two chairs at once" (same
//!   shape).
//! - [`booking`]: every step that takes, moves or frees a chair (book, cancel, reschedule, time
//!   off, a timezone change), each one decision over every stream it touches.
//! - [`customer_book`]: registering and changing a customer, with duplicate detection on the
//!   phone and email (`customer_contacts`, written with the events).
//! - [`contact`]: phone (E.164) and email rules shared by aggregates.
//! - [`rota`]: the weekly rota's rules, shared by a barber's working hours and the shop's
//!   opening hours.
//! - [`store`]: runs a command, or one decision over several streams, against the Postgres event
//!   store and reports the committed position.
//! - [`accounts`]: signup and login (users and slugs live beside the events, see the module).
//! - [`http`]: the command HTTP API.

pub mod accounts;
pub mod aggregate;
pub mod appointment;
pub mod booking;
pub mod business;
pub mod contact;
pub mod customer;
pub mod customer_book;
pub mod customer_day;
pub mod http;
pub mod rota;
pub mod schedule;
pub mod service;
pub mod staff;
pub mod store;

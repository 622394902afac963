//! The write side of barber: the aggregates decide, the event store records (the `relay` crate
//! then publishes what it recorded). The aggregates themselves (state, commands, refusals,
//! `decide`, `apply`) and the rules of when a barber can be booked are pure and live in the
//! `domain` crate, shared with the read side; this crate runs them against the event store and
//! serves them over HTTP.
//!
//! - [`booking`]: every step that takes, moves or frees a chair (book, cancel, reschedule, time
//!   off, a timezone change), each one decision over every stream it touches.
//! - [`customer_book`]: registering and changing a customer, with duplicate detection on the
//!   phone and email (`customer_contacts`, written with the events).
//! - [`online`]: online booking by customers, with no login: book, view, move, cancel.
//! - [`store`]: runs a command, or one decision over several streams, against the Postgres event
//!   store and reports the committed position.
//! - [`accounts`]: signup, login and every change to a login (the Account aggregate, with the
//!   credentials beside the events, see the module).
//! - [`sessions`], [`login_limits`]: access and refresh tokens; limits on guessing passwords.
//! - [`feeds`]: calendar feeds' secret addresses, made and revoked.
//! - [`http`]: the command HTTP API.

pub mod accounts;
pub mod booking;
pub mod customer_book;
pub mod feeds;
pub mod http;
pub mod login_limits;
pub mod online;
pub mod sessions;
pub mod store;

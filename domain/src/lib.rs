//! The aggregates of barber, pure: their state, commands, refusals, `decide` and `apply`, and the
//! rules that say when a barber can be booked. No I/O, no clock, no database: the write side
//! (`command`) records what they decide, and the read side (`query`) folds the same events with
//! the same `apply` to show a record as it was at any moment, and asks the same rules where a
//! booking would be accepted. `query` never depends on `command`; both depend on this crate.
//!
//! - [`account`]: a business's logins: invitations, roles, chairs, who may change whom.
//! - [`aggregate`]: the one shape of every aggregate, a pure `decide` that `handle` only records.
//! - [`business`], [`customer`], [`service`], [`staff`]: one module per aggregate (state,
//!   commands, errors, `decide`, `apply`, given/when/then tests).
//! - [`appointment`]: the Appointment aggregate, a booking's status workflow (same shape).
//! - [`schedule`]: one barber's one local day, owner of "no double booking", and the local-time
//!   maths that turns working hours into UTC across daylight-saving changes (same shape).
//! - [`customer_day`]: one customer's one local day, owner of "no two chairs at once" (same
//!   shape).
//! - [`bookable`]: when a start time can be booked, as a booking decides it: the 5-minute grid,
//!   the policy's booking window, the barber's hours within the shop's, an appointment's stretch.
//! - [`contact`]: phone (E.164) and email rules shared by aggregates.
//! - [`phone`]: phone numbers in E.164 and ISO country codes, read alike by every service.
//! - [`rota`]: the weekly rota's rules, shared by a barber's working hours and the shop's
//!   opening hours.
//! - [`replay`]: a record as it was, its stored events folded by its aggregate's `apply` (the
//!   auditor's `as_of` view).
//!
//! Feature `testing`: each refusal enum's discriminant list, for tests elsewhere that walk every
//! refusal (the error catalogue).

pub mod account;
pub mod aggregate;
pub mod appointment;
pub mod bookable;
pub mod business;
pub mod contact;
pub mod customer;
pub mod customer_day;
pub mod phone;
pub mod replay;
pub mod rota;
pub mod schedule;
pub mod service;
pub mod staff;

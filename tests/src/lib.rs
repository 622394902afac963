//! End-to-end tests live in `tests/`. This library holds what more than one test crate uses:
//! [`chairs`], the independent check that no chair is double-booked or leaked.

pub mod chairs;

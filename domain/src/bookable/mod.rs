//! When a start time can be booked, decided the one way: the booking steps of the write side
//! ask these rules before they reserve anything, and a search of the read side for free slots
//! asks the same ones, so what it offers is what a booking accepts.
//!
//! - [`grid`]: starts and ends lie on the 5-minute grid.
//! - [`window`]: the business's booking window (not in the past, the lead time, the horizon).
//! - [`hours`]: when a barber can be booked on a local date, their hours within the shop's.
//! - [`stretch`]: where an appointment sits on its day, the service then the clean-up buffer.
//! - [`free`]: the free start times of a barber's day for a service, asked of all of the above
//!   and of the barber's day (`schedule::fits`), as availability offers them.
//!
//! What is left to the barber's day ([`crate::schedule::Schedule`]) is whether the stretch is
//! free: no other reservation, no time off.

pub mod free;
pub mod grid;
pub mod hours;
pub mod stretch;
pub mod window;

pub use free::{effective_buffer, Search};
pub use hours::Hours;
pub use stretch::Stretch;
#[cfg(any(test, feature = "testing"))]
pub use window::OutsideWindowDiscriminants;
pub use window::{check_window, open_marks, Asker, OutsideWindow};

//! Logins: opening a business with its owner's, logging in, and every change to one (the
//! Account aggregate, recorded with the credential tables in one transaction: [`record`]).
//!
//! - [`signup`]: a business and its owner's login, in one step.
//! - [`login`]: a password for a session, within the guessing limits.
//! - [`manage`]: an owner or manager inviting, changing, disabling and enabling logins, and
//!   issuing password resets.
//! - [`own`]: a user's own login: accepting an invitation, changing or resetting a password.
//! - [`links`]: the one-time links of invitations and resets.
//! - [`passwords`]: password rules, argon2id hashing and checking.

mod links;
mod login;
pub mod manage;
pub mod own;
mod passwords;
mod record;
mod signup;

pub use links::{Link, Purpose};
pub use login::log_in;
pub use record::Changed;
pub use signup::{sign_up, SignUp, SignedUp};

/// `on_duplicate` for an insert a unique index refused (a slug or email taken, race or not),
/// else the database error.
fn duplicate_or(err: sqlx::Error, on_duplicate: platform::ApiError) -> platform::ApiError {
    let duplicate = err
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "23505");
    if duplicate {
        on_duplicate
    } else {
        platform::ApiError::from(err)
    }
}

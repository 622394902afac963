//! What a user does to their own login: accept an invitation, change their password, set a new
//! one from a reset link. Each ends every earlier session and opens a new one.

use domain::account::AccountCommand;
use events::EventMetadata;
use platform::auth::{Authenticated, JwtKeys};
use platform::ApiError;

use super::links::{self, Purpose};
use super::record::{self, Change};
use super::{login, passwords};
use crate::sessions::Session;
use crate::store::EventStore;

/// Sets a password from a one-time link: the first from an invitation, a new one from a
/// reset. The user is logged in.
pub async fn set_password_with_link(
    store: &EventStore,
    keys: &JwtKeys,
    (token, purpose): (&str, Purpose),
    password: String,
    correlation_id: &str,
) -> Result<Session, ApiError> {
    let (user_id, business_id) = {
        let mut conn = store.pool().acquire().await?;
        links::peek(&mut conn, token, purpose).await?
    };
    let password_hash = passwords::hash_new(password).await?;
    let command = match purpose {
        Purpose::Invitation => AccountCommand::AcceptInvitation {
            tenant_id: business_id,
        },
        Purpose::PasswordReset => AccountCommand::ResetPassword {
            tenant_id: business_id,
        },
    };
    // the user acts on their own login
    let metadata = EventMetadata::for_command(business_id, user_id.to_string(), correlation_id);
    let change = Change {
        user_id,
        commands: vec![command],
        password_hash: Some(password_hash),
        link: Some((token.to_owned(), purpose)),
    };
    record::record(store, &metadata, change).await?;
    login::open_session(store.pool(), keys, user_id).await
}

/// Changes the caller's password, given the current one (401 `invalid_credentials` when it is
/// wrong); every session ends and a new one is opened.
pub async fn change_password(
    store: &EventStore,
    keys: &JwtKeys,
    metadata: &EventMetadata,
    user: &Authenticated,
    current: String,
    new: String,
) -> Result<Session, ApiError> {
    let hash: Option<Option<String>> =
        sqlx::query_scalar("select password_hash from users where user_id = $1")
            .bind(user.user_id)
            .fetch_optional(store.pool())
            .await?;
    if !passwords::verify(current, hash.flatten()).await? {
        return Err(ApiError::unauthorized("the current password is wrong")
            .with_code("invalid_credentials"));
    }
    let password_hash = passwords::hash_new(new).await?;
    let change = Change {
        user_id: user.user_id,
        commands: vec![AccountCommand::ChangePassword {
            tenant_id: user.tenant_id,
        }],
        password_hash: Some(password_hash),
        link: None,
    };
    record::record(store, metadata, change).await?;
    login::open_session(store.pool(), keys, user.user_id).await
}

//! How every account change is recorded: the Account aggregate decides it, and in the same
//! transaction as its events the credential tables (`users`, `account_tokens`,
//! `refresh_tokens`) are made to agree with them ([`mirror`]). Either both happen or neither:
//! the history and who can log in never disagree. A conflict (the account changed meanwhile)
//! re-decides, a few times.

use domain::account::{Account, AccountCommand, AccountError};
use domain::aggregate::Decide;
use events::account::AccountEvent;
use events::EventMetadata;
use platform::ApiError;
use sqlx::PgConnection;
use uuid::Uuid;

use super::links::{self, Link, Purpose};
use crate::http::IntoProblem;
use crate::sessions;
use crate::store::{CommandError, EventStore, Unrecorded};

const CONFLICT_RETRIES: usize = 3;

/// A change to one account: its commands, decided in order and recorded together or not at all.
pub(super) struct Change {
    pub user_id: Uuid,
    pub commands: Vec<AccountCommand>,
    /// The new password's hash, where the change sets one.
    pub password_hash: Option<String>,
    /// A link the change is made with, used up in the same transaction.
    pub link: Option<(String, Purpose)>,
}

/// What a change recorded.
pub struct Changed {
    pub user_id: Uuid,
    /// The position of its last event; `None` when it changed nothing.
    pub position: Option<i64>,
    /// The link it issued (an invitation, a reset), if any.
    pub link: Option<Link>,
}

/// Records `change` with `metadata`.
pub(super) async fn record(
    store: &EventStore,
    metadata: &EventMetadata,
    change: Change,
) -> Result<Changed, ApiError> {
    let id = change.user_id.to_string();
    let mut attempt = 0;
    loop {
        let known = store.known::<Account>(&id).await?;
        // what the commands record, each decided on the state the ones before it left
        let mut state = known.state.clone();
        let mut decided = Vec::new();
        for command in &change.commands {
            let events = state
                .decide(command.clone())
                .map_err(IntoProblem::into_problem)?;
            for event in &events {
                cqrs_es::Aggregate::apply(&mut state, event.clone());
            }
            decided.extend(events);
        }
        let mut decision = store.decision(metadata);
        let mut known = Some(known);
        for command in &change.commands {
            // the first command decides on what was read; the decision carries the stream on
            let from = known.take().unwrap_or_else(crate::store::Known::new_record);
            decision
                .decide::<Account>(&id, from, command.clone())
                .await?;
        }
        let mut tx = store.pool().begin().await?;
        if let Some((text, purpose)) = &change.link {
            links::redeem(&mut tx, text, *purpose, change.user_id).await?;
        }
        let mut link = None;
        for event in &decided {
            let who = (change.user_id, metadata.tenant_id);
            if let Some(issued) =
                mirror(&mut tx, who, event, change.password_hash.as_deref()).await?
            {
                link = Some(issued);
            }
        }
        match decision.append_within(&mut tx).await {
            Ok(appended) => {
                tx.commit().await?;
                return Ok(Changed {
                    user_id: change.user_id,
                    position: appended.committed().position,
                    link,
                });
            }
            Err(Unrecorded::Conflict) if attempt < CONFLICT_RETRIES => attempt += 1,
            Err(err) => return Err(CommandError::<AccountError>::from(err).into()),
        }
    }
}

/// Makes the credential tables agree with one account event; answers the link it issued.
pub(super) async fn mirror(
    conn: &mut PgConnection,
    (user_id, business_id): (Uuid, Uuid),
    event: &AccountEvent,
    password_hash: Option<&str>,
) -> Result<Option<Link>, ApiError> {
    let set = |sql: &'static str| sqlx::query(sql).bind(user_id);
    match event {
        AccountEvent::AccountOpened {
            email,
            name,
            role,
            staff_id,
            ..
        }
        | AccountEvent::UserInvited {
            email,
            name,
            role,
            staff_id,
            ..
        } => {
            let inserted = sqlx::query(
                "insert into users (user_id, business_id, email, name, role, staff_id,
                                    password_hash)
                 values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(user_id)
            .bind(business_id)
            .bind(email)
            .bind(name)
            .bind(role.name())
            .bind(staff_id)
            .bind(password_hash)
            .execute(&mut *conn)
            .await;
            if let Err(err) = inserted {
                return Err(email_taken_or(err));
            }
            if matches!(event, AccountEvent::UserInvited { .. }) {
                let link = links::issue(conn, (user_id, business_id), Purpose::Invitation).await?;
                return Ok(Some(link));
            }
        }
        AccountEvent::InvitationRenewed {} => {
            let link = links::issue(conn, (user_id, business_id), Purpose::Invitation).await?;
            return Ok(Some(link));
        }
        AccountEvent::PasswordResetIssued {} => {
            let link = links::issue(conn, (user_id, business_id), Purpose::PasswordReset).await?;
            return Ok(Some(link));
        }
        AccountEvent::InvitationAccepted {}
        | AccountEvent::PasswordChanged {}
        | AccountEvent::PasswordReset {} => {
            let Some(hash) = password_hash else {
                return Err(ApiError::internal(std::io::Error::other(
                    "a password change without its hash",
                )));
            };
            sqlx::query("update users set password_hash = $2 where user_id = $1")
                .bind(user_id)
                .bind(hash)
                .execute(&mut *conn)
                .await?;
            // every session opened with the old password ends, and no older link still works
            sessions::revoke_user(conn, user_id).await?;
            links::void(conn, user_id, None).await?;
        }
        AccountEvent::RoleChanged { role, .. } => {
            sqlx::query("update users set role = $2 where user_id = $1")
                .bind(user_id)
                .bind(role.name())
                .execute(&mut *conn)
                .await?;
        }
        AccountEvent::StaffLinkChanged { staff_id } => {
            sqlx::query("update users set staff_id = $2 where user_id = $1")
                .bind(user_id)
                .bind(staff_id)
                .execute(&mut *conn)
                .await?;
        }
        AccountEvent::AccountDisabled {} => {
            set("update users set disabled_at = now() where user_id = $1")
                .execute(&mut *conn)
                .await?;
            sessions::revoke_user(conn, user_id).await?;
            links::void(conn, user_id, None).await?;
        }
        AccountEvent::AccountEnabled {} => {
            set("update users set disabled_at = null where user_id = $1")
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(None)
}

fn email_taken_or(err: sqlx::Error) -> ApiError {
    super::duplicate_or(
        err,
        ApiError::conflict(
            "email_taken",
            "a login with this email exists (in this business or another)",
        ),
    )
}

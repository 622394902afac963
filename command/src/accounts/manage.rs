//! An owner or manager managing the business's logins: invite someone with a role (and a
//! chair), renew an invitation, change a role or chair, disable and enable, issue a password
//! reset. Who may change whom is the Account aggregate's rule; that the caller may manage logins
//! at all is the route's power (`manage_staff`).

use domain::account::{AccountCommand, Actor, NewLogin};
use domain::staff::StaffMember;
use events::account::Role;
use events::EventMetadata;
use platform::auth::Authenticated;
use platform::ApiError;
use uuid::Uuid;

use super::record::{self, Change, Changed};
use crate::store::EventStore;

/// Someone to invite.
#[derive(Debug, Clone)]
pub struct Invitation {
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Their chair, a staff member of the business.
    pub staff_id: Option<Uuid>,
}

/// What to change of a login; `None` leaves it.
#[derive(Debug, Clone, Default)]
pub struct LoginChange {
    pub role: Option<Role>,
    /// `Some(None)` unlinks the login from its chair.
    pub staff_id: Option<Option<Uuid>>,
}

/// Something an owner or manager does to one login.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    RenewInvitation,
    Disable,
    Enable,
    IssuePasswordReset,
}

fn actor(by: &Authenticated) -> Actor {
    Actor {
        user_id: by.user_id,
        role: by.role,
    }
}

/// Invites someone: their login exists from now on, without a password, and the answer carries
/// the one-time link to set one.
pub async fn invite(
    store: &EventStore,
    metadata: &EventMetadata,
    by: &Authenticated,
    invitation: Invitation,
) -> Result<Changed, ApiError> {
    if let Some(staff_id) = invitation.staff_id {
        check_chair(store, by.tenant_id, staff_id).await?;
    }
    let user_id = Uuid::new_v4();
    let command = AccountCommand::Invite {
        tenant_id: by.tenant_id,
        login: NewLogin {
            user_id,
            email: invitation.email,
            name: invitation.name,
            staff_id: invitation.staff_id,
        },
        role: invitation.role,
        by: actor(by),
    };
    record::record(store, metadata, change(user_id, command)).await
}

/// Changes a login's role and chair, as one decision.
pub async fn change_login(
    store: &EventStore,
    metadata: &EventMetadata,
    by: &Authenticated,
    user_id: Uuid,
    wanted: LoginChange,
) -> Result<Changed, ApiError> {
    let (tenant_id, by) = (by.tenant_id, actor(by));
    let mut commands = Vec::new();
    if let Some(staff_id) = wanted.staff_id {
        if let Some(staff_id) = staff_id {
            check_chair(store, tenant_id, staff_id).await?;
        }
        commands.push(AccountCommand::LinkStaff {
            tenant_id,
            staff_id,
            by,
        });
    }
    if let Some(role) = wanted.role {
        commands.push(AccountCommand::ChangeRole {
            tenant_id,
            role,
            by,
        });
    }
    // both or neither: a refused role leaves the chair as it was
    let change = Change {
        user_id,
        commands,
        password_hash: None,
        link: None,
    };
    record::record(store, metadata, change).await
}

/// One of the [`Step`]s on login `user_id`.
pub async fn step(
    store: &EventStore,
    metadata: &EventMetadata,
    by: &Authenticated,
    user_id: Uuid,
    step: Step,
) -> Result<Changed, ApiError> {
    let (tenant_id, by) = (by.tenant_id, actor(by));
    let command = match step {
        Step::RenewInvitation => AccountCommand::RenewInvitation { tenant_id, by },
        Step::Disable => AccountCommand::Disable { tenant_id, by },
        Step::Enable => AccountCommand::Enable { tenant_id, by },
        Step::IssuePasswordReset => AccountCommand::IssuePasswordReset { tenant_id, by },
    };
    record::record(store, metadata, change(user_id, command)).await
}

fn change(user_id: Uuid, command: AccountCommand) -> Change {
    Change {
        user_id,
        commands: vec![command],
        password_hash: None,
        link: None,
    }
}

/// 404 `staff_not_found` unless `staff_id` is a staff member of the business.
async fn check_chair(store: &EventStore, tenant_id: Uuid, staff_id: Uuid) -> Result<(), ApiError> {
    let staff = store.load::<StaffMember>(&staff_id.to_string()).await?;
    if staff.belongs_to(tenant_id) {
        Ok(())
    } else {
        Err(ApiError::not_found(
            "staff_not_found",
            format!("{staff_id} is not a staff member of this business"),
        ))
    }
}

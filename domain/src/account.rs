//! The Account aggregate: one login of a business (its id is the user id), from the owner's at
//! signup or an invitation to its role, its chair, and whether it may log in.
//!
//! Credentials are not here: the password hash lives in the `users` table the command side
//! writes in the same transaction as these events (a hash must never enter the history). The
//! rules are who may change whom: only an owner gives the owner role or touches an owner's
//! login (a manager manages everyone else), and nobody changes their own role or disables
//! themselves, so a business always keeps an owner who can log in.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use events::account::{AccountEvent, Role};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::{handle_by_deciding, Decide};
use crate::contact::normalise_email;

const MAX_NAME: usize = 200;

/// Who asks for a change: their user id and role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Uuid,
    pub role: Role,
}

/// A new login's details, as typed.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLogin {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    pub staff_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum AccountCommand {
    /// The owner's login at signup.
    Open {
        tenant_id: Uuid,
        login: NewLogin,
    },
    Invite {
        tenant_id: Uuid,
        login: NewLogin,
        role: Role,
        by: Actor,
    },
    /// A new invitation link for someone who has not accepted yet.
    RenewInvitation {
        tenant_id: Uuid,
        by: Actor,
    },
    AcceptInvitation {
        tenant_id: Uuid,
    },
    ChangeRole {
        tenant_id: Uuid,
        role: Role,
        by: Actor,
    },
    /// Links the login to a chair (a staff member the caller has checked is the business's),
    /// or to none.
    LinkStaff {
        tenant_id: Uuid,
        staff_id: Option<Uuid>,
        by: Actor,
    },
    Disable {
        tenant_id: Uuid,
        by: Actor,
    },
    Enable {
        tenant_id: Uuid,
        by: Actor,
    },
    /// The user changes their own password (the caller has checked the current one).
    ChangePassword {
        tenant_id: Uuid,
    },
    IssuePasswordReset {
        tenant_id: Uuid,
        by: Actor,
    },
    /// The user sets a new password from a reset link.
    ResetPassword {
        tenant_id: Uuid,
    },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[cfg_attr(
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum AccountError {
    #[error("the user does not exist")]
    NotFound,
    #[error("the user already exists")]
    AlreadyExists,
    #[error("a user needs a name (at most {MAX_NAME} characters)")]
    InvalidName,
    #[error("{0:?} is not an email address")]
    InvalidEmail(String),
    #[error("only an owner may give the owner role or change an owner's login")]
    OwnersOnly,
    #[error("nobody changes their own role or disables their own login; ask another owner")]
    OwnLogin,
    #[error("the invitation was accepted already: the user logs in with their password")]
    AlreadyJoined,
    #[error("the user has not accepted their invitation yet; renew the invitation instead")]
    NotJoined,
    #[error("the login is disabled; enable it first")]
    Disabled,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Account {
    user_id: Option<Uuid>,
    business_id: Option<Uuid>,
    email: String,
    name: String,
    role: Option<Role>,
    staff_id: Option<Uuid>,
    /// Whether the user has a password (opened at signup, or accepted their invitation).
    joined: bool,
    disabled: bool,
}

impl Aggregate for Account {
    const TYPE: &'static str = events::account::AGGREGATE_TYPE;
    type Command = AccountCommand;
    type Event = AccountEvent;
    type Error = AccountError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        handle_by_deciding(self, command, sink).await
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            AccountEvent::AccountOpened {
                user_id,
                business_id,
                email,
                name,
                role,
                staff_id,
            } => {
                *self = Self::with((user_id, business_id), email, name, role, staff_id);
                self.joined = true;
            }
            AccountEvent::UserInvited {
                user_id,
                business_id,
                email,
                name,
                role,
                staff_id,
            } => *self = Self::with((user_id, business_id), email, name, role, staff_id),
            AccountEvent::InvitationAccepted {} => self.joined = true,
            AccountEvent::RoleChanged { role, .. } => self.role = Some(role),
            AccountEvent::StaffLinkChanged { staff_id } => self.staff_id = staff_id,
            AccountEvent::AccountDisabled {} => self.disabled = true,
            AccountEvent::AccountEnabled {} => self.disabled = false,
            AccountEvent::InvitationRenewed {}
            | AccountEvent::PasswordChanged {}
            | AccountEvent::PasswordResetIssued {}
            | AccountEvent::PasswordReset {} => {}
        }
    }
}

impl Decide for Account {
    /// Each command records at most one event: none when it repeats what is on record.
    fn decide(&self, command: AccountCommand) -> Result<Vec<AccountEvent>, AccountError> {
        let event = match command {
            AccountCommand::Open { tenant_id, login } => {
                self.is_new()?;
                let (email, name) = valid(&login)?;
                AccountEvent::AccountOpened {
                    user_id: login.user_id,
                    business_id: tenant_id,
                    email,
                    name,
                    role: Role::Owner,
                    staff_id: login.staff_id,
                }
            }
            AccountCommand::Invite {
                tenant_id,
                login,
                role,
                by,
            } => {
                self.is_new()?;
                if role == Role::Owner && by.role != Role::Owner {
                    return Err(AccountError::OwnersOnly);
                }
                let (email, name) = valid(&login)?;
                AccountEvent::UserInvited {
                    user_id: login.user_id,
                    business_id: tenant_id,
                    email,
                    name,
                    role,
                    staff_id: login.staff_id,
                }
            }
            AccountCommand::RenewInvitation { tenant_id, by } => {
                self.managed_by(tenant_id, by)?;
                self.usable()?;
                if self.joined {
                    return Err(AccountError::AlreadyJoined);
                }
                AccountEvent::InvitationRenewed {}
            }
            AccountCommand::AcceptInvitation { tenant_id } => {
                self.owned(tenant_id)?;
                self.usable()?;
                if self.joined {
                    return Err(AccountError::AlreadyJoined);
                }
                AccountEvent::InvitationAccepted {}
            }
            AccountCommand::ChangeRole {
                tenant_id,
                role,
                by,
            } => {
                let previous_role = self.managed_by(tenant_id, by)?;
                self.not_self(by)?;
                if role == Role::Owner && by.role != Role::Owner {
                    return Err(AccountError::OwnersOnly);
                }
                if role == previous_role {
                    return Ok(Vec::new());
                }
                AccountEvent::RoleChanged {
                    role,
                    previous_role,
                }
            }
            AccountCommand::LinkStaff {
                tenant_id,
                staff_id,
                by,
            } => {
                self.managed_by(tenant_id, by)?;
                if staff_id == self.staff_id {
                    return Ok(Vec::new());
                }
                AccountEvent::StaffLinkChanged { staff_id }
            }
            AccountCommand::Disable { tenant_id, by } => {
                self.managed_by(tenant_id, by)?;
                self.not_self(by)?;
                if self.disabled {
                    return Ok(Vec::new());
                }
                AccountEvent::AccountDisabled {}
            }
            AccountCommand::Enable { tenant_id, by } => {
                self.managed_by(tenant_id, by)?;
                if !self.disabled {
                    return Ok(Vec::new());
                }
                AccountEvent::AccountEnabled {}
            }
            AccountCommand::ChangePassword { tenant_id } => {
                self.owned(tenant_id)?;
                self.can_log_in()?;
                AccountEvent::PasswordChanged {}
            }
            AccountCommand::IssuePasswordReset { tenant_id, by } => {
                self.managed_by(tenant_id, by)?;
                self.can_log_in()?;
                AccountEvent::PasswordResetIssued {}
            }
            AccountCommand::ResetPassword { tenant_id } => {
                self.owned(tenant_id)?;
                self.can_log_in()?;
                AccountEvent::PasswordReset {}
            }
        };
        Ok(vec![event])
    }
}

impl Account {
    fn with(
        (user_id, business_id): (Uuid, Uuid),
        email: String,
        name: String,
        role: Role,
        staff_id: Option<Uuid>,
    ) -> Self {
        Self {
            user_id: Some(user_id),
            business_id: Some(business_id),
            email,
            name,
            role: Some(role),
            staff_id,
            joined: false,
            disabled: false,
        }
    }

    /// The role, if the account exists in `tenant_id`'s business.
    pub fn role_in(&self, tenant_id: Uuid) -> Option<Role> {
        self.owned(tenant_id).ok()
    }

    /// The chair the login belongs to.
    pub fn staff_id(&self) -> Option<Uuid> {
        self.staff_id
    }

    /// Whether the login may be used: accepted and not disabled.
    pub fn is_usable(&self) -> bool {
        self.can_log_in().is_ok()
    }

    fn is_new(&self) -> Result<(), AccountError> {
        match self.business_id {
            Some(_) => Err(AccountError::AlreadyExists),
            None => Ok(()),
        }
    }

    /// Another business's login does not exist for the caller.
    fn owned(&self, tenant_id: Uuid) -> Result<Role, AccountError> {
        match (self.business_id, self.role) {
            (Some(owner), Some(role)) if owner == tenant_id => Ok(role),
            _ => Err(AccountError::NotFound),
        }
    }

    /// The role, if `by` may change this login: an owner's only by an owner.
    fn managed_by(&self, tenant_id: Uuid, by: Actor) -> Result<Role, AccountError> {
        let role = self.owned(tenant_id)?;
        if role == Role::Owner && by.role != Role::Owner {
            return Err(AccountError::OwnersOnly);
        }
        Ok(role)
    }

    fn not_self(&self, by: Actor) -> Result<(), AccountError> {
        if self.user_id == Some(by.user_id) {
            return Err(AccountError::OwnLogin);
        }
        Ok(())
    }

    fn usable(&self) -> Result<(), AccountError> {
        if self.disabled {
            return Err(AccountError::Disabled);
        }
        Ok(())
    }

    fn can_log_in(&self) -> Result<(), AccountError> {
        self.usable()?;
        if !self.joined {
            return Err(AccountError::NotJoined);
        }
        Ok(())
    }
}

/// The trimmed name and normalised email of a new login.
fn valid(login: &NewLogin) -> Result<(String, String), AccountError> {
    let name = login.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(AccountError::InvalidName);
    }
    let email = normalise_email(&login.email)
        .ok_or_else(|| AccountError::InvalidEmail(login.email.clone()))?;
    Ok((email, name))
}

#[cfg(test)]
mod tests;

//! Facts about the logins of a business: who was given an account, with which role and which
//! chair, and every change to it since. The actor in each event's metadata says who did it, so
//! the history shows who gave whom which role. Passwords are never in an event: only that one
//! was set, changed or reset.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The aggregate type name under which account events are stored (the id is the user id).
pub const AGGREGATE_TYPE: &str = "account";

/// A role a user holds in one business: what their login may do (`platform::roles` has the
/// table of powers each gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the business: everything.
    Owner,
    /// Runs the shop for the owner: all but what only an owner decides.
    Manager,
    /// Takes customers and bookings at the desk: no figures, no setup.
    FrontDesk,
    /// Cuts hair: sees the shop and their own chair, works their own appointments.
    Barber,
    /// Reads everything, the history included; changes nothing.
    Auditor,
}

impl Role {
    /// Every role, from the most powerful.
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Manager,
        Role::FrontDesk,
        Role::Barber,
        Role::Auditor,
    ];

    /// The name tokens, the API and the docs use.
    pub fn name(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Manager => "manager",
            Role::FrontDesk => "front_desk",
            Role::Barber => "barber",
            Role::Auditor => "auditor",
        }
    }

    /// The role called `name`.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|role| role.name() == name)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccountEvent {
    /// The business's first login, its owner's, opened at signup with a password.
    AccountOpened {
        user_id: Uuid,
        business_id: Uuid,
        email: String,
        name: String,
        role: Role,
        /// The staff member (chair) the login belongs to, if any.
        staff_id: Option<Uuid>,
    },
    /// Someone was invited to log in with a role; they cannot until they accept.
    UserInvited {
        user_id: Uuid,
        business_id: Uuid,
        email: String,
        name: String,
        role: Role,
        staff_id: Option<Uuid>,
    },
    /// A new invitation link replaced the earlier ones (which no longer work).
    InvitationRenewed {},
    /// The invitee set their password from the invitation link: the login works from now on.
    InvitationAccepted {},
    /// The user's role changed.
    RoleChanged { role: Role, previous_role: Role },
    /// The login now belongs to another chair (`None`: to none).
    StaffLinkChanged { staff_id: Option<Uuid> },
    /// The login stops working: no login, no refresh, no command.
    AccountDisabled {},
    /// A disabled login works again.
    AccountEnabled {},
    /// The user changed their password, knowing the old one.
    PasswordChanged {},
    /// An owner or manager issued a one-time link to set a new password.
    PasswordResetIssued {},
    /// The user set a new password from a reset link.
    PasswordReset {},
}

impl DomainEvent for AccountEvent {
    fn event_type(&self) -> String {
        match self {
            Self::AccountOpened { .. } => "AccountOpened",
            Self::UserInvited { .. } => "UserInvited",
            Self::InvitationRenewed {} => "InvitationRenewed",
            Self::InvitationAccepted {} => "InvitationAccepted",
            Self::RoleChanged { .. } => "RoleChanged",
            Self::StaffLinkChanged { .. } => "StaffLinkChanged",
            Self::AccountDisabled {} => "AccountDisabled",
            Self::AccountEnabled {} => "AccountEnabled",
            Self::PasswordChanged {} => "PasswordChanged",
            Self::PasswordResetIssued {} => "PasswordResetIssued",
            Self::PasswordReset {} => "PasswordReset",
        }
        .into()
    }

    fn event_version(&self) -> String {
        "1".into()
    }
}

//! Given/when/then for every command of the Account aggregate and every refusal.

use cqrs_es::test::TestFramework;

use super::*;

type AccountTest = TestFramework<Account>;

const SHOP: Uuid = Uuid::from_u128(10);
const OTHER_SHOP: Uuid = Uuid::from_u128(11);
const ANA: Uuid = Uuid::from_u128(1);
const OWNER: Actor = Actor {
    user_id: Uuid::from_u128(2),
    role: Role::Owner,
};
const MANAGER: Actor = Actor {
    user_id: Uuid::from_u128(3),
    role: Role::Manager,
};

fn login() -> NewLogin {
    NewLogin {
        user_id: ANA,
        email: " ana@Shop.TEST ".into(),
        name: " Ana ".into(),
        staff_id: None,
    }
}

fn invited(role: Role) -> AccountEvent {
    AccountEvent::UserInvited {
        user_id: ANA,
        business_id: SHOP,
        email: "ana@shop.test".into(),
        name: "Ana".into(),
        role,
        staff_id: None,
    }
}

fn invite(role: Role, by: Actor) -> AccountCommand {
    AccountCommand::Invite {
        tenant_id: SHOP,
        login: login(),
        role,
        by,
    }
}

fn joined(role: Role) -> Vec<AccountEvent> {
    vec![invited(role), AccountEvent::InvitationAccepted {}]
}

#[test]
fn opening_records_the_owner_with_a_password() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(AccountCommand::Open {
            tenant_id: SHOP,
            login: login(),
        })
        .then_expect_events(vec![AccountEvent::AccountOpened {
            user_id: ANA,
            business_id: SHOP,
            email: "ana@shop.test".into(),
            name: "Ana".into(),
            role: Role::Owner,
            staff_id: None,
        }]);
}

#[test]
fn inviting_records_the_normalised_login_and_its_role() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(invite(Role::Barber, MANAGER))
        .then_expect_events(vec![invited(Role::Barber)]);
}

#[test]
fn only_an_owner_invites_an_owner() {
    AccountTest::with(())
        .given_no_previous_events()
        .when(invite(Role::Owner, MANAGER))
        .then_expect_error(AccountError::OwnersOnly);
    AccountTest::with(())
        .given_no_previous_events()
        .when(invite(Role::Owner, OWNER))
        .then_expect_events(vec![invited(Role::Owner)]);
}

#[test]
fn an_invitation_needs_a_name_and_an_email() {
    let mut nameless = login();
    nameless.name = "  ".into();
    AccountTest::with(())
        .given_no_previous_events()
        .when(AccountCommand::Invite {
            tenant_id: SHOP,
            login: nameless,
            role: Role::Barber,
            by: OWNER,
        })
        .then_expect_error(AccountError::InvalidName);
    let mut broken = login();
    broken.email = "ana-at-shop".into();
    AccountTest::with(())
        .given_no_previous_events()
        .when(AccountCommand::Invite {
            tenant_id: SHOP,
            login: broken,
            role: Role::Barber,
            by: OWNER,
        })
        .then_expect_error(AccountError::InvalidEmail("ana-at-shop".into()));
}

#[test]
fn an_existing_login_is_not_invited_again() {
    AccountTest::with(())
        .given(vec![invited(Role::Barber)])
        .when(invite(Role::Barber, OWNER))
        .then_expect_error(AccountError::AlreadyExists);
}

#[test]
fn an_invitation_is_accepted_once_and_renewed_only_before() {
    AccountTest::with(())
        .given(vec![invited(Role::Barber)])
        .when(AccountCommand::AcceptInvitation { tenant_id: SHOP })
        .then_expect_events(vec![AccountEvent::InvitationAccepted {}]);
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::AcceptInvitation { tenant_id: SHOP })
        .then_expect_error(AccountError::AlreadyJoined);
    AccountTest::with(())
        .given(vec![invited(Role::Barber)])
        .when(AccountCommand::RenewInvitation {
            tenant_id: SHOP,
            by: MANAGER,
        })
        .then_expect_events(vec![AccountEvent::InvitationRenewed {}]);
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::RenewInvitation {
            tenant_id: SHOP,
            by: MANAGER,
        })
        .then_expect_error(AccountError::AlreadyJoined);
}

#[test]
fn a_disabled_invitation_cannot_be_accepted() {
    AccountTest::with(())
        .given(vec![
            invited(Role::Barber),
            AccountEvent::AccountDisabled {},
        ])
        .when(AccountCommand::AcceptInvitation { tenant_id: SHOP })
        .then_expect_error(AccountError::Disabled);
}

#[test]
fn another_business_s_login_does_not_exist() {
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::Disable {
            tenant_id: OTHER_SHOP,
            by: OWNER,
        })
        .then_expect_error(AccountError::NotFound);
    AccountTest::with(())
        .given_no_previous_events()
        .when(AccountCommand::AcceptInvitation { tenant_id: SHOP })
        .then_expect_error(AccountError::NotFound);
}

#[test]
fn a_role_change_records_both_roles_and_the_same_role_records_nothing() {
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::ChangeRole {
            tenant_id: SHOP,
            role: Role::FrontDesk,
            by: MANAGER,
        })
        .then_expect_events(vec![AccountEvent::RoleChanged {
            role: Role::FrontDesk,
            previous_role: Role::Barber,
        }]);
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::ChangeRole {
            tenant_id: SHOP,
            role: Role::Barber,
            by: MANAGER,
        })
        .then_expect_events(vec![]);
}

#[test]
fn a_manager_neither_makes_nor_changes_an_owner() {
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::ChangeRole {
            tenant_id: SHOP,
            role: Role::Owner,
            by: MANAGER,
        })
        .then_expect_error(AccountError::OwnersOnly);
    for command in [
        AccountCommand::Disable {
            tenant_id: SHOP,
            by: MANAGER,
        },
        AccountCommand::ChangeRole {
            tenant_id: SHOP,
            role: Role::Barber,
            by: MANAGER,
        },
        AccountCommand::IssuePasswordReset {
            tenant_id: SHOP,
            by: MANAGER,
        },
        AccountCommand::LinkStaff {
            tenant_id: SHOP,
            staff_id: Some(Uuid::from_u128(9)),
            by: MANAGER,
        },
    ] {
        AccountTest::with(())
            .given(joined(Role::Owner))
            .when(command)
            .then_expect_error(AccountError::OwnersOnly);
    }
}

#[test]
fn nobody_demotes_or_disables_themselves() {
    let me = Actor {
        user_id: ANA,
        role: Role::Owner,
    };
    AccountTest::with(())
        .given(joined(Role::Owner))
        .when(AccountCommand::ChangeRole {
            tenant_id: SHOP,
            role: Role::Manager,
            by: me,
        })
        .then_expect_error(AccountError::OwnLogin);
    AccountTest::with(())
        .given(joined(Role::Owner))
        .when(AccountCommand::Disable {
            tenant_id: SHOP,
            by: me,
        })
        .then_expect_error(AccountError::OwnLogin);
}

#[test]
fn disabling_and_enabling_record_only_a_change() {
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::Disable {
            tenant_id: SHOP,
            by: OWNER,
        })
        .then_expect_events(vec![AccountEvent::AccountDisabled {}]);
    let mut disabled = joined(Role::Barber);
    disabled.push(AccountEvent::AccountDisabled {});
    AccountTest::with(())
        .given(disabled.clone())
        .when(AccountCommand::Disable {
            tenant_id: SHOP,
            by: OWNER,
        })
        .then_expect_events(vec![]);
    AccountTest::with(())
        .given(disabled)
        .when(AccountCommand::Enable {
            tenant_id: SHOP,
            by: OWNER,
        })
        .then_expect_events(vec![AccountEvent::AccountEnabled {}]);
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::Enable {
            tenant_id: SHOP,
            by: OWNER,
        })
        .then_expect_events(vec![]);
}

#[test]
fn a_chair_is_linked_and_unlinked() {
    let chair = Some(Uuid::from_u128(9));
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::LinkStaff {
            tenant_id: SHOP,
            staff_id: chair,
            by: MANAGER,
        })
        .then_expect_events(vec![AccountEvent::StaffLinkChanged { staff_id: chair }]);
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::LinkStaff {
            tenant_id: SHOP,
            staff_id: None,
            by: MANAGER,
        })
        .then_expect_events(vec![]);
}

#[test]
fn passwords_change_only_on_a_login_that_works() {
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::ChangePassword { tenant_id: SHOP })
        .then_expect_events(vec![AccountEvent::PasswordChanged {}]);
    AccountTest::with(())
        .given(vec![invited(Role::Barber)])
        .when(AccountCommand::IssuePasswordReset {
            tenant_id: SHOP,
            by: OWNER,
        })
        .then_expect_error(AccountError::NotJoined);
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::IssuePasswordReset {
            tenant_id: SHOP,
            by: MANAGER,
        })
        .then_expect_events(vec![AccountEvent::PasswordResetIssued {}]);
    let mut disabled = joined(Role::Barber);
    disabled.push(AccountEvent::AccountDisabled {});
    AccountTest::with(())
        .given(disabled)
        .when(AccountCommand::ResetPassword { tenant_id: SHOP })
        .then_expect_error(AccountError::Disabled);
    AccountTest::with(())
        .given(joined(Role::Barber))
        .when(AccountCommand::ResetPassword { tenant_id: SHOP })
        .then_expect_events(vec![AccountEvent::PasswordReset {}]);
}

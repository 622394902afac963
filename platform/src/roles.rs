//! Who may do what: the roles a user of a business holds, and the one table of the powers each
//! role gives ([`POWERS`]). Every route but the open ones (signup, login, refresh, logout) asks
//! for one power with the [`May`] extractor before it reads its body, so a refused caller gets
//! 403 `forbidden` naming the roles that would do, never an answer about the body.
//! `docs/permissions.md` is rendered from this table and the routes' powers, and a test calls
//! every route with every role.

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use crate::auth::{Authenticated, JwtKeys};
use crate::problem::ApiError;

pub use events::account::Role;

/// What a role may do, by the table [`POWERS`].
pub trait Powers {
    /// Whether this role gives `power`.
    fn may(self, power: Power) -> bool;
}

impl Powers for Role {
    fn may(self, power: Power) -> bool {
        power.holders().contains(&self)
    }
}

/// Declares the powers: the enum, each one's name, and a type per power ([`power`]) for
/// [`May`].
macro_rules! powers {
    ($($power:ident => $name:literal),* $(,)?) => {
        /// What a route asks of its caller.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Power {
            $($power,)*
        }

        impl Power {
            /// Its name: the OpenAPI document's scope of the routes that ask for it
            /// (`security`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Power::$power => $name,)*
                }
            }
        }

        /// The powers as types, one per row of [`POWERS`].
        pub mod power {
            $(
                #[doc = concat!("[`super::Power::", stringify!($power), "`]")]
                pub struct $power;
                impl super::Needed for $power {
                    const POWER: super::Power = super::Power::$power;
                }
            )*
        }
    };
}

powers!(
    SeeTheShop => "see_the_shop",
    SeeFigures => "see_figures",
    ChangeSettings => "change_settings",
    ChangeCatalog => "change_catalog",
    ChangePrices => "change_prices",
    ManageStaff => "manage_staff",
    KeepCustomers => "keep_customers",
    EraseCustomers => "erase_customers",
    Book => "book",
    WorkAppointments => "work_appointments",
    ReadHistory => "read_history",
    OwnAccount => "own_account",
);

use Role::{Auditor, Barber, FrontDesk, Manager, Owner};

/// The one table: each power, what it allows, and the roles that hold it.
pub const POWERS: [(Power, &str, &[Role]); 12] = [
    (
        Power::SeeTheShop,
        "see the shop: its details, services, staff, customers and their visits, appointments, \
         the calendar, availability and the dashboard's counts",
        &[Owner, Manager, FrontDesk, Barber, Auditor],
    ),
    (
        Power::SeeFigures,
        "see the business's figures: the reports and the dashboard's takings",
        &[Owner, Manager, Auditor],
    ),
    (
        Power::ChangeSettings,
        "change the business's details, booking policy and opening hours",
        &[Owner, Manager],
    ),
    (
        Power::ChangeCatalog,
        "add, change and retire services",
        &[Owner, Manager],
    ),
    (
        Power::ChangePrices,
        "change a service's price",
        &[Owner, Manager],
    ),
    (
        Power::ManageStaff,
        "add and change staff, their hours, services and time off, and the business's logins: \
         invite, change a role or chair, disable, issue a password reset (an owner's login and \
         the owner role only by an owner)",
        &[Owner, Manager],
    ),
    (
        Power::KeepCustomers,
        "register, change and merge customers",
        &[Owner, Manager, FrontDesk],
    ),
    (
        Power::EraseCustomers,
        "erase a customer's personal data (it cannot be undone)",
        &[Owner],
    ),
    (
        Power::Book,
        "book, move, cancel and change appointments",
        &[Owner, Manager, FrontDesk],
    ),
    (
        Power::WorkAppointments,
        "take appointments through the day: confirm, check in, start, complete, no-show, notes",
        &[Owner, Manager, FrontDesk, Barber],
    ),
    (
        Power::ReadHistory,
        "read the business's history (the audit)",
        &[Owner, Manager, Auditor],
    ),
    (
        Power::OwnAccount,
        "see one's own login and change its password",
        &[Owner, Manager, FrontDesk, Barber, Auditor],
    ),
];

/// The roles whose logins see and work only their own chair (the staff member their login is
/// linked to): their calendar, their appointments and their appointments' workflow. A login of
/// such a role linked to no chair has none.
pub const OWN_CHAIR_ONLY: [Role; 1] = [Barber];

impl Authenticated {
    /// The one chair the caller may see and work, when their role limits them to their own
    /// ([`OWN_CHAIR_ONLY`]); `Some(Uuid::nil())`, a chair nobody has, for such a login linked to
    /// none. `None`: every chair of the business.
    pub fn own_chair(&self) -> Option<uuid::Uuid> {
        OWN_CHAIR_ONLY
            .contains(&self.role)
            .then(|| self.staff_id.unwrap_or(uuid::Uuid::nil()))
    }
}

impl Power {
    /// Every power, in the table's order.
    pub fn all() -> impl Iterator<Item = Power> {
        POWERS.iter().map(|(power, _, _)| *power)
    }

    /// The power called `name`.
    pub fn parse(name: &str) -> Option<Power> {
        Power::all().find(|power| power.name() == name)
    }

    fn row(self) -> &'static (Power, &'static str, &'static [Role]) {
        POWERS
            .iter()
            .find(|(power, _, _)| *power == self)
            .unwrap_or_else(|| unreachable!("every power has a row: {self:?}"))
    }

    /// What it allows, in words.
    pub fn describe(self) -> &'static str {
        self.row().1
    }

    /// The roles that hold it.
    pub fn holders(self) -> &'static [Role] {
        self.row().2
    }

    /// 403 `forbidden` for a caller without it, naming the roles that would do.
    pub fn refused(self) -> ApiError {
        let holders: Vec<&str> = self.holders().iter().map(|role| role.name()).collect();
        ApiError::forbidden(format!(
            "only {} may {}",
            holders.join(", "),
            self.describe()
        ))
        .with_member("needed_roles", holders)
    }
}

/// A power a route asks for, as a type ([`May`]'s parameter).
pub trait Needed: Send + Sync + 'static {
    const POWER: Power;
}

/// The authenticated caller, if their role holds the power `P`: 401 without a valid token,
/// 403 `forbidden` (naming the roles that would do) with one whose role does not.
pub struct May<P: Needed>(pub Authenticated, pub PhantomData<P>);

impl<S, P> FromRequestParts<S> for May<P>
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
    P: Needed,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let user = Authenticated::from_request_parts(parts, state).await?;
        if user.role.may(P::POWER) {
            Ok(Self(user, PhantomData))
        } else {
            Err(P::POWER.refused())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_power_has_one_row_and_the_owner_holds_them_all() {
        for (power, _, holders) in POWERS {
            assert_eq!(
                POWERS.iter().filter(|(p, _, _)| *p == power).count(),
                1,
                "{power:?}"
            );
            assert!(holders.contains(&Role::Owner), "{power:?}");
        }
    }

    #[test]
    fn an_auditor_changes_nothing_and_reads_the_history() {
        let reads = [
            Power::SeeTheShop,
            Power::SeeFigures,
            Power::ReadHistory,
            Power::OwnAccount,
        ];
        for (power, _, _) in POWERS {
            assert_eq!(
                Role::Auditor.may(power),
                reads.contains(&power),
                "{power:?}"
            );
        }
    }

    #[test]
    fn a_role_and_a_power_are_read_back_from_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.name()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        for power in Power::all() {
            assert_eq!(Power::parse(power.name()), Some(power));
        }
        assert_eq!(Power::parse("everything"), None);
    }
}

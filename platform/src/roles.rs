//! Who may do what: the roles a user of a business holds, and the one table of the powers each
//! role gives ([`POWERS`]). Every route but the open ones (signup, login, refresh, logout) asks
//! for one power with the [`May`] extractor before it reads its body, so a refused caller gets
//! 403 `forbidden` naming the roles that would do, never an answer about the body.
//! `docs/permissions.md` is rendered from this table and the routes' powers, and a test calls
//! every route with every role.

use std::fmt;
use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

use crate::auth::{Authenticated, JwtKeys};
use crate::problem::ApiError;

/// A role a user holds in one business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the business: everything.
    Owner,
    /// Runs the shop for the owner: all but what only an owner decides.
    Manager,
    /// Takes customers and bookings at the desk: no figures, no setup.
    FrontDesk,
    /// Cuts hair: sees the shop, works the appointments.
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

    /// Whether this role gives `power`.
    pub fn may(self, power: Power) -> bool {
        power.holders().contains(&self)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
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
);

use Role::{Auditor, Barber, FrontDesk, Manager, Owner};

/// The one table: each power, what it allows, and the roles that hold it.
pub const POWERS: [(Power, &str, &[Role]); 11] = [
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
        "add and change staff, their hours, services and time off",
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
];

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
        let reads = [Power::SeeTheShop, Power::SeeFigures, Power::ReadHistory];
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

//! A staff member's profile as it is typed, checked and normalised into a [`StaffProfile`].

use events::staff::{StaffProfile, StaffRole};

use super::StaffError;
use crate::contact::{normalise_email, normalise_phone};

const MAX_NAME: usize = 200;

/// A profile as the owner types it, before normalisation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StaffProfileInput {
    pub name: String,
    /// `owner`, `manager`, `barber` or `front_desk`.
    pub role: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

pub(super) fn validate_profile(input: StaffProfileInput) -> Result<StaffProfile, StaffError> {
    let name = input.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(StaffError::InvalidName);
    }
    let role = parse_role(&input.role)?;
    let email = match non_blank(input.email) {
        None => None,
        Some(raw) => Some(normalise_email(&raw).ok_or(StaffError::InvalidEmail(raw))?),
    };
    let phone = match non_blank(input.phone) {
        None => None,
        Some(raw) => Some(normalise_phone(&raw).ok_or(StaffError::InvalidPhone(raw))?),
    };
    Ok(StaffProfile {
        name,
        role,
        email,
        phone,
    })
}

/// The role's wire name, exactly (`front_desk`, not `Front Desk`): it is a code, not prose.
fn parse_role(input: &str) -> Result<StaffRole, StaffError> {
    StaffRole::ALL
        .into_iter()
        .find(|role| role.as_str() == input.trim())
        .ok_or_else(|| StaffError::InvalidRole(input.to_owned()))
}

pub(super) fn non_blank(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, role: &str) -> StaffProfileInput {
        StaffProfileInput {
            name: name.into(),
            role: role.into(),
            ..Default::default()
        }
    }

    #[test]
    fn every_role_is_accepted_by_its_wire_name() {
        for role in StaffRole::ALL {
            let profile = validate_profile(input("Jo", role.as_str())).expect("valid");
            assert_eq!(profile.role, role);
        }
    }

    #[test]
    fn bad_profiles_are_refused_with_the_reason() {
        let cases = [
            (input(" ", "barber"), StaffError::InvalidName),
            (
                input(&"x".repeat(MAX_NAME + 1), "barber"),
                StaffError::InvalidName,
            ),
            (
                input("Jo", "stylist"),
                StaffError::InvalidRole("stylist".into()),
            ),
            (
                input("Jo", "Front Desk"),
                StaffError::InvalidRole("Front Desk".into()),
            ),
            (
                StaffProfileInput {
                    email: Some("jo@".into()),
                    ..input("Jo", "barber")
                },
                StaffError::InvalidEmail("jo@".into()),
            ),
            (
                StaffProfileInput {
                    phone: Some("07700 900123".into()),
                    ..input("Jo", "barber")
                },
                StaffError::InvalidPhone("07700 900123".into()),
            ),
        ];
        for (profile, error) in cases {
            assert_eq!(validate_profile(profile), Err(error));
        }
    }
}

//! The rules of what a customer's record holds: contact details, tags and preferences, checked
//! and normalised before they become facts.

use events::customer::CustomerPii;
use serde_json::{Map, Value};

use super::{CustomerError, CustomerProfile};
use crate::contact::normalise_email;

pub const MAX_NAME: usize = 200;
pub const MAX_NOTES: usize = 5000;
/// Enough to segment a shop's customers; more is a sign tags are being used as notes.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;
/// Preferences are a handful of settings ("barber", "drink"), not a document store.
pub const MAX_PREFERENCES_BYTES: usize = 8 * 1024;

/// Why tags or preferences were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum DetailsError {
    #[error("{0:?} is not a tag: 1 to {MAX_TAG_CHARS} of a-z, 0-9, space and dash")]
    InvalidTag(String),
    #[error("a customer can have at most {MAX_TAGS} tags")]
    TooManyTags,
    #[error("preferences must be a JSON object, e.g. {{\"drink\": \"espresso\"}}")]
    PreferencesNotAnObject,
    #[error("preferences are limited to {MAX_PREFERENCES_BYTES} bytes of JSON")]
    PreferencesTooLarge,
}

/// The profile as it is recorded: trimmed, the phone in E.164 (read in `country`'s numbering
/// plan when typed in national format), the email's domain lower-cased.
pub(super) fn validate_contact(
    profile: CustomerProfile,
    country: Option<&str>,
) -> Result<CustomerPii, CustomerError> {
    let name = profile.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(CustomerError::InvalidName);
    }
    let phone = match non_blank(profile.phone) {
        None => None,
        Some(raw) => {
            Some(crate::phone::to_e164(&raw, country).ok_or(CustomerError::InvalidPhone(raw))?)
        }
    };
    let email = match non_blank(profile.email) {
        None => None,
        Some(raw) => Some(normalise_email(&raw).ok_or(CustomerError::InvalidEmail(raw))?),
    };
    let notes = non_blank(profile.notes);
    if notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTES)
    {
        return Err(CustomerError::NotesTooLong);
    }
    Ok(CustomerPii {
        name,
        phone,
        email,
        notes,
    })
}

fn non_blank(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// Tags as they are stored: trimmed, runs of spaces collapsed, lower-cased, distinct and
/// sorted, so that `" VIP"` and `"vip"` are one tag and a filter finds both.
pub fn normalise_tags(raw: Vec<String>) -> Result<Vec<String>, DetailsError> {
    let mut tags = std::collections::BTreeSet::new();
    for input in raw {
        let tag = input
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        let valid = (1..=MAX_TAG_CHARS).contains(&tag.chars().count())
            && tag
                .chars()
                .all(|c| matches!(c, 'a'..='z' | '0'..='9' | ' ' | '-'));
        if !valid {
            return Err(DetailsError::InvalidTag(input));
        }
        tags.insert(tag);
    }
    if tags.len() > MAX_TAGS {
        return Err(DetailsError::TooManyTags);
    }
    Ok(tags.into_iter().collect())
}

/// Preferences are a JSON object of at most [`MAX_PREFERENCES_BYTES`] written compactly.
pub fn validate_preferences(value: Value) -> Result<Map<String, Value>, DetailsError> {
    let Value::Object(preferences) = value else {
        return Err(DetailsError::PreferencesNotAnObject);
    };
    let size = serde_json::to_vec(&preferences).map_or(usize::MAX, |json| json.len());
    if size > MAX_PREFERENCES_BYTES {
        return Err(DetailsError::PreferencesTooLarge);
    }
    Ok(preferences)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn tags(raw: &[&str]) -> Result<Vec<String>, DetailsError> {
        normalise_tags(raw.iter().map(|t| (*t).to_owned()).collect())
    }

    #[test]
    fn tags_are_trimmed_lower_cased_distinct_and_sorted() {
        assert_eq!(
            tags(&[" VIP ", "skin  Fade", "vip", "beard-trim", "2 weekly"]),
            Ok(vec![
                "2 weekly".to_owned(),
                "beard-trim".into(),
                "skin fade".into(),
                "vip".into()
            ])
        );
        assert_eq!(tags(&[]), Ok(vec![]));
        assert_eq!(tags(&[&"x".repeat(MAX_TAG_CHARS)]).map(|t| t.len()), Ok(1));
    }

    #[test]
    fn a_tag_outside_the_alphabet_or_the_length_is_refused_as_typed() {
        for bad in [
            "",
            "   ",
            "vip!",
            "café",
            "a_b",
            "tag,other",
            &"x".repeat(41),
        ] {
            assert_eq!(
                tags(&["ok", bad]),
                Err(DetailsError::InvalidTag(bad.to_owned())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_tag_limit_counts_distinct_tags() {
        let many: Vec<String> = (0..=MAX_TAGS).map(|n| format!("tag {n}")).collect();
        assert_eq!(normalise_tags(many.clone()), Err(DetailsError::TooManyTags));
        let mut repeated = many[..MAX_TAGS].to_vec();
        repeated.push("TAG 0".into());
        assert_eq!(normalise_tags(repeated).map(|t| t.len()), Ok(MAX_TAGS));
    }

    #[test]
    fn preferences_are_an_object_of_at_most_8_kib() {
        for bad in [
            json!([1]),
            json!("espresso"),
            json!(3),
            json!(null),
            json!(true),
        ] {
            assert_eq!(
                validate_preferences(bad.clone()),
                Err(DetailsError::PreferencesNotAnObject),
                "{bad}"
            );
        }
        // `{"n":"…"}` is 8 bytes of JSON around the string
        let fits = json!({"n": "x".repeat(MAX_PREFERENCES_BYTES - 8)});
        assert_eq!(
            serde_json::to_vec(&fits).map(|j| j.len()).ok(),
            Some(MAX_PREFERENCES_BYTES)
        );
        assert!(validate_preferences(fits).is_ok());
        let over = json!({"n": "x".repeat(MAX_PREFERENCES_BYTES - 7)});
        assert_eq!(
            validate_preferences(over),
            Err(DetailsError::PreferencesTooLarge)
        );
        assert_eq!(validate_preferences(json!({})), Ok(Map::new()));
    }
}

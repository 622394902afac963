//! The Business aggregate: the tenant, with its name, public slug, timezone and currency.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use events::business::BusinessEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

const MAX_NAME: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub enum BusinessCommand {
    Open {
        business_id: Uuid,
        name: String,
        slug: String,
        timezone: String,
        currency: String,
        owner_user_id: Uuid,
        owner_name: String,
    },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BusinessError {
    #[error("the business is already open")]
    AlreadyOpen,
    #[error("a business needs a name (at most {MAX_NAME} characters)")]
    InvalidName,
    #[error("{0:?} is not a valid slug: 3 to 63 lower-case letters, digits and single dashes")]
    InvalidSlug(String),
    #[error("{0:?} is not an IANA timezone, e.g. Europe/London")]
    UnknownTimezone(String),
    #[error("{0:?} is not an ISO 4217 currency code, e.g. GBP")]
    InvalidCurrency(String),
    #[error("the owner needs a name (at most {MAX_NAME} characters)")]
    InvalidOwnerName,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Business {
    business_id: Option<Uuid>,
    name: String,
    slug: String,
    timezone: String,
    currency: String,
}

impl Aggregate for Business {
    const TYPE: &'static str = events::business::AGGREGATE_TYPE;
    type Command = BusinessCommand;
    type Event = BusinessEvent;
    type Error = BusinessError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        match command {
            BusinessCommand::Open {
                business_id,
                name,
                slug,
                timezone,
                currency,
                owner_user_id,
                owner_name,
            } => {
                if self.business_id.is_some() {
                    return Err(BusinessError::AlreadyOpen);
                }
                let event = BusinessEvent::BusinessOpened {
                    business_id,
                    name: valid_name(&name).ok_or(BusinessError::InvalidName)?,
                    slug: valid_slug(&slug).ok_or(BusinessError::InvalidSlug(slug))?,
                    timezone: valid_timezone(&timezone)
                        .ok_or(BusinessError::UnknownTimezone(timezone))?,
                    currency: valid_currency(&currency)
                        .ok_or(BusinessError::InvalidCurrency(currency))?,
                    owner_user_id,
                    owner_name: valid_name(&owner_name).ok_or(BusinessError::InvalidOwnerName)?,
                };
                sink.write(event, self).await;
                Ok(())
            }
        }
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            BusinessEvent::BusinessOpened {
                business_id,
                name,
                slug,
                timezone,
                currency,
                ..
            } => {
                self.business_id = Some(business_id);
                self.name = name;
                self.slug = slug;
                self.timezone = timezone;
                self.currency = currency;
            }
        }
    }
}

impl Business {
    /// Whether the business exists (a `BusinessOpened` was recorded).
    pub fn is_open(&self) -> bool {
        self.business_id.is_some()
    }

    /// The IANA timezone in which its days and working hours are reckoned.
    pub fn timezone(&self) -> &str {
        &self.timezone
    }

    /// The ISO 4217 currency of its prices.
    pub fn currency(&self) -> &str {
        &self.currency
    }
}

fn valid_name(name: &str) -> Option<String> {
    let name = name.trim();
    (!name.is_empty() && name.chars().count() <= MAX_NAME).then(|| name.to_owned())
}

/// The slug is the business's public booking address, so it is kept URL-safe and readable.
pub fn valid_slug(slug: &str) -> Option<String> {
    let ok = (3..=63).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    ok.then(|| slug.to_owned())
}

fn valid_timezone(timezone: &str) -> Option<String> {
    timezone
        .parse::<chrono_tz::Tz>()
        .ok()
        .map(|tz| tz.name().to_owned())
}

fn valid_currency(currency: &str) -> Option<String> {
    let ok = currency.len() == 3 && currency.chars().all(|c| c.is_ascii_uppercase());
    ok.then(|| currency.to_owned())
}

#[cfg(test)]
mod tests {
    use cqrs_es::test::TestFramework;

    use super::*;

    fn open() -> BusinessCommand {
        BusinessCommand::Open {
            business_id: Uuid::nil(),
            name: " Fade Street ".into(),
            slug: "fade-street".into(),
            timezone: "Europe/London".into(),
            currency: "GBP".into(),
            owner_user_id: Uuid::nil(),
            owner_name: "Sam".into(),
        }
    }

    fn opened() -> BusinessEvent {
        BusinessEvent::BusinessOpened {
            business_id: Uuid::nil(),
            name: "Fade Street".into(),
            slug: "fade-street".into(),
            timezone: "Europe/London".into(),
            currency: "GBP".into(),
            owner_user_id: Uuid::nil(),
            owner_name: "Sam".into(),
        }
    }

    #[test]
    fn opening_a_business_records_it() {
        TestFramework::<Business>::with(())
            .given_no_previous_events()
            .when(open())
            .then_expect_events(vec![opened()]);
    }

    #[test]
    fn opening_twice_is_refused() {
        TestFramework::<Business>::with(())
            .given(vec![opened()])
            .when(open())
            .then_expect_error(BusinessError::AlreadyOpen);
    }

    #[test]
    fn bad_settings_are_refused() {
        let BusinessCommand::Open {
            business_id,
            owner_user_id,
            ..
        } = open();
        let with = |name: &str, slug: &str, timezone: &str, currency: &str, owner: &str| {
            BusinessCommand::Open {
                business_id,
                name: name.into(),
                slug: slug.into(),
                timezone: timezone.into(),
                currency: currency.into(),
                owner_user_id,
                owner_name: owner.into(),
            }
        };
        let cases = [
            (
                with(" ", "ok-slug", "UTC", "EUR", "Sam"),
                BusinessError::InvalidName,
            ),
            (
                with("A", "Bad_Slug", "UTC", "EUR", "Sam"),
                BusinessError::InvalidSlug("Bad_Slug".into()),
            ),
            (
                with("A", "-dash", "UTC", "EUR", "Sam"),
                BusinessError::InvalidSlug("-dash".into()),
            ),
            (
                with("A", "ok-slug", "Mars/Olympus", "EUR", "Sam"),
                BusinessError::UnknownTimezone("Mars/Olympus".into()),
            ),
            (
                with("A", "ok-slug", "UTC", "euro", "Sam"),
                BusinessError::InvalidCurrency("euro".into()),
            ),
            (
                with("A", "ok-slug", "UTC", "EUR", ""),
                BusinessError::InvalidOwnerName,
            ),
        ];
        for (command, error) in cases {
            TestFramework::<Business>::with(())
                .given_no_previous_events()
                .when(command)
                .then_expect_error(error);
        }
    }

    #[test]
    fn a_half_hour_timezone_is_accepted() {
        let BusinessCommand::Open { .. } = open();
        assert_eq!(
            valid_timezone("Asia/Kolkata").as_deref(),
            Some("Asia/Kolkata")
        );
    }
}

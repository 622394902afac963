//! The Business aggregate: the tenant, with its name, public slug, timezone, currency, booking
//! policy and weekly opening hours. The field rules are in `rules`; the opening hours follow the
//! weekly rota's ([`crate::rota`]), as a barber's working hours do.

mod rules;
#[cfg(test)]
mod tests;

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use events::business::{BookingPolicy, BusinessEvent, OnlineBooking};
use events::staff::WorkingDay;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::aggregate::{handle_by_deciding, Decide};
use crate::rota::{self, RotaError, WorkingDayInput};
#[cfg(any(test, feature = "testing"))]
pub use rules::PolicyErrorDiscriminants;
use rules::{valid_country, valid_currency, valid_name, valid_timezone};
pub use rules::{valid_slug, valid_timezone as canonical_timezone, PolicyError};

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
        /// ISO 3166-1 alpha-2, any case; `None` for a business that gives none.
        country: Option<String>,
    },
    /// Fields left `None` stay as they are; `country: Some(None)` removes the country.
    ChangeSettings {
        tenant_id: Uuid,
        name: Option<String>,
        timezone: Option<String>,
        currency: Option<String>,
        country: Option<Option<String>>,
    },
    SetBookingPolicy {
        tenant_id: Uuid,
        policy: BookingPolicy,
    },
    /// Replaces the whole week of opening hours; a weekday left out is closed.
    SetOpeningHours {
        tenant_id: Uuid,
        days: Vec<WorkingDayInput>,
    },
    /// Replaces the online booking setting (the caller has checked that the ids are the
    /// business's services and staff).
    SetOnlineBooking {
        tenant_id: Uuid,
        online_booking: OnlineBooking,
    },
    /// Replaces the public profile: the street address and the logo's address (`https://`).
    SetProfile {
        tenant_id: Uuid,
        address: Option<String>,
        logo_url: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[cfg_attr(
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum BusinessError {
    #[error("the business is already open")]
    AlreadyOpen,
    #[error("a business needs a name (at most {MAX_NAME} characters)")]
    InvalidName,
    #[error(
        "{0:?} is not a valid slug: 3 to 63 lower-case letters, digits and single dashes, not `manage`"
    )]
    InvalidSlug(String),
    #[error("{0:?} is not an IANA timezone, e.g. Europe/London")]
    UnknownTimezone(String),
    #[error("{0:?} is not an ISO 4217 currency code, e.g. GBP")]
    InvalidCurrency(String),
    #[error("{0:?} is not an ISO 3166-1 alpha-2 country code, e.g. GB")]
    InvalidCountry(String),
    #[error("the owner needs a name (at most {MAX_NAME} characters)")]
    InvalidOwnerName,
    #[error("the business does not exist")]
    NotFound,
    #[error(transparent)]
    InvalidPolicy(#[from] PolicyError),
    #[error(transparent)]
    InvalidOpeningHours(#[from] RotaError),
    #[error("an address is at most 500 characters")]
    InvalidAddress,
    #[error("a logo is an https:// address of at most 2000 characters")]
    InvalidLogoUrl,
    #[error(
        "online booking offers at most {} services and {} barbers",
        rules::MAX_ONLINE,
        rules::MAX_ONLINE
    )]
    TooManyOnlineChoices,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Business {
    business_id: Option<Uuid>,
    name: String,
    slug: String,
    timezone: String,
    currency: String,
    /// ISO 3166-1 alpha-2; `None` when the business gave none.
    #[serde(default)]
    country: Option<String>,
    policy: BookingPolicy,
    /// `None` until opening hours are first set: no restriction beyond the staff's hours.
    #[serde(default)]
    opening_hours: Option<Vec<WorkingDay>>,
    #[serde(default)]
    online_booking: OnlineBooking,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    logo_url: Option<String>,
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
        handle_by_deciding(self, command, sink).await
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            BusinessEvent::BusinessOpened {
                business_id,
                name,
                slug,
                timezone,
                currency,
                country,
                ..
            } => {
                self.business_id = Some(business_id);
                self.name = name;
                self.slug = slug;
                self.timezone = timezone;
                self.currency = currency;
                self.country = country;
                self.policy = BookingPolicy::default();
            }
            BusinessEvent::BusinessSettingsChanged {
                name,
                timezone,
                currency,
                country,
            } => {
                self.name = name;
                self.timezone = timezone;
                self.currency = currency;
                self.country = country;
            }
            BusinessEvent::BookingPolicyChanged { policy } => self.policy = policy,
            BusinessEvent::OpeningHoursSet { days } => self.opening_hours = Some(days),
            BusinessEvent::OnlineBookingSet { online_booking } => {
                self.online_booking = online_booking;
            }
            BusinessEvent::BusinessProfileSet { address, logo_url } => {
                self.address = address;
                self.logo_url = logo_url;
            }
        }
    }
}

impl Decide for Business {
    /// Each command records at most one event: none when it repeats what is on record.
    fn decide(&self, command: BusinessCommand) -> Result<Vec<BusinessEvent>, BusinessError> {
        let event = match command {
            BusinessCommand::Open {
                business_id,
                name,
                slug,
                timezone,
                currency,
                owner_user_id,
                owner_name,
                country,
            } => {
                if self.business_id.is_some() {
                    return Err(BusinessError::AlreadyOpen);
                }
                BusinessEvent::BusinessOpened {
                    business_id,
                    name: valid_name(&name).ok_or(BusinessError::InvalidName)?,
                    slug: valid_slug(&slug).ok_or(BusinessError::InvalidSlug(slug))?,
                    timezone: valid_timezone(&timezone)
                        .ok_or(BusinessError::UnknownTimezone(timezone))?,
                    currency: valid_currency(&currency)
                        .ok_or(BusinessError::InvalidCurrency(currency))?,
                    owner_user_id,
                    owner_name: valid_name(&owner_name).ok_or(BusinessError::InvalidOwnerName)?,
                    country: country.map(valid_country).transpose()?,
                }
            }
            BusinessCommand::ChangeSettings {
                tenant_id,
                name,
                timezone,
                currency,
                country,
            } => {
                self.owned_by(tenant_id)?;
                let name = match name {
                    Some(name) => valid_name(&name).ok_or(BusinessError::InvalidName)?,
                    None => self.name.clone(),
                };
                let timezone = match timezone {
                    Some(tz) => valid_timezone(&tz).ok_or(BusinessError::UnknownTimezone(tz))?,
                    None => self.timezone.clone(),
                };
                let currency = match currency {
                    Some(c) => valid_currency(&c).ok_or(BusinessError::InvalidCurrency(c))?,
                    None => self.currency.clone(),
                };
                let country = match country {
                    Some(c) => c.map(valid_country).transpose()?,
                    None => self.country.clone(),
                };
                let now = (&name, &timezone, &currency, &country);
                if now == (&self.name, &self.timezone, &self.currency, &self.country) {
                    return Ok(Vec::new());
                }
                BusinessEvent::BusinessSettingsChanged {
                    name,
                    timezone,
                    currency,
                    country,
                }
            }
            BusinessCommand::SetBookingPolicy { tenant_id, policy } => {
                self.owned_by(tenant_id)?;
                let policy = rules::valid_policy(policy)?;
                if policy == self.policy {
                    return Ok(Vec::new());
                }
                BusinessEvent::BookingPolicyChanged { policy }
            }
            BusinessCommand::SetOpeningHours { tenant_id, days } => {
                self.owned_by(tenant_id)?;
                let days = rota::validate_week(days)?;
                if self.opening_hours.as_ref() == Some(&days) {
                    return Ok(Vec::new());
                }
                BusinessEvent::OpeningHoursSet { days }
            }
            BusinessCommand::SetOnlineBooking {
                tenant_id,
                online_booking,
            } => {
                self.owned_by(tenant_id)?;
                let online_booking = rules::valid_online_booking(online_booking)?;
                if online_booking == self.online_booking {
                    return Ok(Vec::new());
                }
                BusinessEvent::OnlineBookingSet { online_booking }
            }
            BusinessCommand::SetProfile {
                tenant_id,
                address,
                logo_url,
            } => {
                self.owned_by(tenant_id)?;
                let (address, logo_url) = rules::valid_profile(address, logo_url)?;
                if (&address, &logo_url) == (&self.address, &self.logo_url) {
                    return Ok(Vec::new());
                }
                BusinessEvent::BusinessProfileSet { address, logo_url }
            }
        };
        Ok(vec![event])
    }
}

impl Business {
    /// Another business does not exist for the caller.
    fn owned_by(&self, tenant_id: Uuid) -> Result<(), BusinessError> {
        match self.business_id {
            Some(id) if id == tenant_id => Ok(()),
            _ => Err(BusinessError::NotFound),
        }
    }

    /// The rules bookings follow.
    pub fn policy(&self) -> &BookingPolicy {
        &self.policy
    }

    /// Whether the business exists (a `BusinessOpened` was recorded).
    pub fn is_open(&self) -> bool {
        self.business_id.is_some()
    }

    /// The IANA timezone in which its days and working hours are reckoned.
    pub fn timezone(&self) -> &str {
        &self.timezone
    }

    /// The timezone as a `chrono_tz` zone; `None` before the business is open.
    pub fn tz(&self) -> Option<chrono_tz::Tz> {
        self.timezone.parse().ok()
    }

    /// The weekly opening hours, Monday first (a weekday absent is closed); `None` if never
    /// set, when the business takes bookings whenever its staff work.
    pub fn opening_hours(&self) -> Option<&[WorkingDay]> {
        self.opening_hours.as_deref()
    }

    /// The ISO 3166-1 alpha-2 country whose numbering plan a phone typed in national format
    /// follows; `None` if the business gave none.
    pub fn country(&self) -> Option<&str> {
        self.country.as_deref()
    }

    /// What customers may book online.
    pub fn online_booking(&self) -> &OnlineBooking {
        &self.online_booking
    }

    /// The ISO 4217 currency of its prices.
    pub fn currency(&self) -> &str {
        &self.currency
    }
}

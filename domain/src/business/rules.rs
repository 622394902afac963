//! The rules a business's fields follow.

use events::business::BookingPolicy;

use super::MAX_NAME;

pub(super) fn valid_name(name: &str) -> Option<String> {
    let name = name.trim();
    (!name.is_empty() && name.chars().count() <= MAX_NAME).then(|| name.to_owned())
}

/// Slugs a shop cannot take: the web app's own pages beside `/book/{slug}` (a customer's
/// manage page is `/book/manage`).
const RESERVED_SLUGS: &[&str] = &["manage"];

/// The slug is the business's public booking address, so it is kept URL-safe and readable.
pub fn valid_slug(slug: &str) -> Option<String> {
    let ok = (3..=63).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
        && !RESERVED_SLUGS.contains(&slug);
    ok.then(|| slug.to_owned())
}

/// The IANA name the aggregate records for `timezone`, if it is one.
pub fn valid_timezone(timezone: &str) -> Option<String> {
    timezone
        .parse::<chrono_tz::Tz>()
        .ok()
        .map(|tz| tz.name().to_owned())
}

/// The ISO 4217 codes of the currencies in use (not the fund, precious-metal or test codes): three
/// capital letters are not enough, a shop priced in `XYZ` could never be paid.
const CURRENCIES: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP",
    "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF",
    "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD",
    "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP",
    "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR",
    "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB",
    "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD",
    "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP",
    "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD",
    "UYU", "UZS", "VED", "VES", "VND", "VUV", "WST", "XAF", "XCD", "XCG", "XOF", "XPF", "YER",
    "ZAR", "ZMW", "ZWG", "ZWL",
];

pub(super) fn valid_currency(currency: &str) -> Option<String> {
    CURRENCIES
        .binary_search(&currency)
        .is_ok()
        .then(|| currency.to_owned())
}

/// The country as the aggregate records it (`GB`), if `country` names one.
pub(super) fn valid_country(country: String) -> Result<String, super::BusinessError> {
    crate::phone::country_code(&country).ok_or(super::BusinessError::InvalidCountry(country))
}

/// A booking-policy value out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(
    any(test, feature = "testing"),
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum PolicyError {
    #[error("the minimum lead time is at most 7 days (10080 minutes)")]
    LeadTime,
    #[error("bookings may be opened 1 to 730 days ahead")]
    Horizon,
    #[error("the cancellation window is at most 30 days (43200 minutes)")]
    CancellationWindow,
    #[error("the default buffer is 0 to 120 minutes, in steps of 5")]
    Buffer,
    #[error("at most 5 distinct reminder offsets, each 5 minutes to 7 days before the start")]
    ReminderOffsets,
    #[error("check-in opens 0 to 240 minutes before the start")]
    CheckInWindow,
}

const WEEK_MINUTES: u32 = 7 * 24 * 60;

/// The address and logo trimmed (blank is none), or why not: an address is at most 500
/// characters, a logo an `https://` address of at most 2000 without spaces.
pub(super) fn valid_profile(
    address: Option<String>,
    logo_url: Option<String>,
) -> Result<(Option<String>, Option<String>), super::BusinessError> {
    let trimmed =
        |text: Option<String>| text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    let (address, logo_url) = (trimmed(address), trimmed(logo_url));
    if address.as_ref().is_some_and(|a| a.chars().count() > 500) {
        return Err(super::BusinessError::InvalidAddress);
    }
    let bad_logo = |url: &String| {
        !url.starts_with("https://")
            || url.len() > 2000
            || url.len() <= "https://".len()
            || url.chars().any(char::is_whitespace)
    };
    if logo_url.as_ref().is_some_and(bad_logo) {
        return Err(super::BusinessError::InvalidLogoUrl);
    }
    Ok((address, logo_url))
}

/// The most services, and the most barbers, online booking may list.
pub const MAX_ONLINE: usize = 500;

/// The setting with its lists sorted and without repeats.
pub(super) fn valid_online_booking(
    mut online: events::business::OnlineBooking,
) -> Result<events::business::OnlineBooking, super::BusinessError> {
    for ids in [&mut online.service_ids, &mut online.staff_ids]
        .into_iter()
        .flatten()
    {
        ids.sort_unstable();
        ids.dedup();
        if ids.len() > MAX_ONLINE {
            return Err(super::BusinessError::TooManyOnlineChoices);
        }
    }
    Ok(online)
}

/// Checks every field; reminder offsets come back sorted, latest reminder last.
pub(super) fn valid_policy(mut policy: BookingPolicy) -> Result<BookingPolicy, PolicyError> {
    if policy.min_lead_minutes > WEEK_MINUTES {
        return Err(PolicyError::LeadTime);
    }
    if !(1..=730).contains(&policy.max_advance_days) {
        return Err(PolicyError::Horizon);
    }
    if policy.cancellation_window_minutes > 30 * 24 * 60 {
        return Err(PolicyError::CancellationWindow);
    }
    if policy.default_buffer_minutes > 120 || !policy.default_buffer_minutes.is_multiple_of(5) {
        return Err(PolicyError::Buffer);
    }
    if policy.check_in_opens_minutes > 240 {
        return Err(PolicyError::CheckInWindow);
    }
    let offsets = &mut policy.reminder_offsets_minutes;
    offsets.sort_unstable_by(|a, b| b.cmp(a));
    let distinct = offsets.windows(2).all(|w| w[0] != w[1]);
    let in_range = offsets.iter().all(|o| (5..=WEEK_MINUTES).contains(o));
    if offsets.len() > 5 || !distinct || !in_range {
        return Err(PolicyError::ReminderOffsets);
    }
    policy.notification_channels.sort_unstable();
    policy.notification_channels.dedup();
    Ok(policy)
}

#[cfg(test)]
mod currency_list {
    use super::*;

    #[test]
    fn the_currency_list_is_sorted_and_distinct_so_it_can_be_searched() {
        assert!(CURRENCIES.windows(2).all(|pair| pair[0] < pair[1]));
        for code in ["GBP", "EUR", "USD", "JPY", "AED", "ZWL"] {
            assert_eq!(valid_currency(code).as_deref(), Some(code));
        }
    }
}

//! Phone numbers and countries as a front desk types them, read the one way the whole system
//! stores them: E.164 (`+447700900123`).
//!
//! Shared because two services must agree on it: the command side stores a customer's number
//! in E.164, and the search of the query side reads a number typed in the business's national
//! format (`07700 900123` in a UK shop) into the same form to find it. The numbering plans are
//! libphonenumber's, through the `phonenumber` crate.

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, PhoneNumber};

/// Every ISO 3166-1 alpha-2 country code (the 249 officially assigned ones).
const ISO_3166_ALPHA_2: &str = "\
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA \
RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Longer than any phone number with its separators: not worth parsing.
const MAX_PHONE_INPUT: usize = 40;

/// The ISO 3166-1 alpha-2 code `input` names (any case, e.g. `gb` → `GB`), if it is one.
pub fn country_code(input: &str) -> Option<String> {
    let code = input.trim().to_ascii_uppercase();
    let known = code.len() == 2 && ISO_3166_ALPHA_2.split(' ').any(|c| c == code);
    known.then_some(code)
}

/// A phone number in E.164, from what was typed: international (`+44 7700 900123`,
/// `+1 (212) 555-0100`) whatever the country, or national (`07700 900123`) when `country` (an
/// ISO 3166-1 alpha-2 code) says which plan it follows. Spaces, dashes, dots and parentheses
/// are allowed. A number read in a plan must have a shape the plan allows (its length and
/// leading digits: the ranges reserved for drama, `07700 900xxx` or `555-01xx`, are as good as
/// any, since a front desk cannot know which ranges are assigned today); one no plan reads is
/// still taken in international form with 8 to 15 digits, as it always was. `None` when it
/// cannot be read as a number.
pub fn to_e164(input: &str, country: Option<&str>) -> Option<String> {
    let typed = input.trim();
    let phone_like = typed
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'));
    if typed.is_empty() || typed.len() > MAX_PHONE_INPUT || !phone_like {
        return None;
    }
    // `+44 (0)7700…`: the 0 is dialled at home only
    let typed = &if typed.starts_with('+') {
        typed.replacen("(0)", "", 1)
    } else {
        typed.to_owned()
    };
    let region = country.and_then(|c| c.parse::<Id>().ok());
    match phonenumber::parse(region, typed) {
        Ok(number) if fits_its_plan(&number) => Some(number.format().mode(Mode::E164).to_string()),
        _ => international_as_typed(typed),
    }
}

/// Whether the number is valid in its country code's plan, or at least has the length and
/// leading digits the plan's general pattern allows.
fn fits_its_plan(number: &PhoneNumber) -> bool {
    if phonenumber::is_valid(number) {
        return true;
    }
    let national = number.national().to_string();
    DATABASE
        .by_code(&number.code().value())
        .unwrap_or_default()
        .iter()
        .any(|plan| {
            plan.descriptors()
                .general()
                .national_number()
                .find(&national)
                .is_some_and(|m| m.start() == 0 && m.end() == national.len())
        })
}

/// `+` and 8 to 15 digits, no leading zero, once the separators are dropped.
fn international_as_typed(typed: &str) -> Option<String> {
    let rest = typed.strip_prefix('+')?;
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    let valid = !rest.contains('+') && (8..=15).contains(&digits.len()) && !digits.starts_with('0');
    valid.then(|| format!("+{digits}"))
}

/// The digits a national number of `country` starts with when dialled at home (the trunk
/// prefix: `0` in the UK, `1` in the US), if its plan has one.
pub fn national_prefix(country: &str) -> Option<String> {
    DATABASE
        .by_id(country)
        .and_then(|metadata| metadata.national_prefix())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each `(typed, country, expected)` reads as expected.
    fn assert_reads(cases: &[(&str, Option<&str>, Option<&str>)]) {
        for &(input, country, expected) in cases {
            assert_eq!(
                to_e164(input, country).as_deref(),
                expected,
                "{input} in {country:?}"
            );
        }
    }

    #[test]
    fn international_numbers_are_read_whatever_the_country() {
        let cases = [
            ("+44 7700 900123", None, Some("+447700900123")),
            ("+44 7700 900123", Some("US"), Some("+447700900123")),
            ("+44 (0) 7700 900123", None, Some("+447700900123")),
            ("+1 (212) 555-0100", None, Some("+12125550100")),
            ("+91-98765-43210", Some("GB"), Some("+919876543210")),
            // no plan knows it, but it has the shape of one: taken as typed, as always
            ("+999 1234 5678", None, Some("+99912345678")),
            ("+0 123 456 789", None, None),
            ("+1234567", None, None),
            ("+1234567890123456", None, None),
            ("+44 77OO 900123", None, None),
            ("+44 7700 900123 ext 4", None, None),
            ("", None, None),
        ];
        assert_reads(&cases);
    }

    #[test]
    fn national_numbers_need_the_country_whose_plan_they_follow() {
        let cases = [
            ("07700 900123", Some("GB"), Some("+447700900123")),
            ("07700-900-123", Some("GB"), Some("+447700900123")),
            ("00 44 7700 900123", Some("GB"), Some("+447700900123")),
            ("(212) 555-0100", Some("US"), Some("+12125550100")),
            ("212.555.0100", Some("US"), Some("+12125550100")),
            ("06 12 34 56 78", Some("FR"), Some("+33612345678")),
            ("07700 900123", None, None),
            ("07700 900123", Some("US"), None),
            ("0770", Some("GB"), None),
            ("12345", Some("GB"), None),
        ];
        assert_reads(&cases);
    }

    #[test]
    fn countries_are_iso_3166_alpha_2_codes_in_any_case() {
        assert_eq!(ISO_3166_ALPHA_2.split(' ').count(), 249);
        assert_eq!(country_code("gb").as_deref(), Some("GB"));
        assert_eq!(country_code(" US ").as_deref(), Some("US"));
        assert_eq!(country_code("AQ").as_deref(), Some("AQ"));
        for bad in ["UK", "XK", "GBR", "G", "", "g b", "ÉS"] {
            assert_eq!(country_code(bad), None, "{bad}");
        }
    }

    #[test]
    fn trunk_prefixes_come_from_the_numbering_plans() {
        assert_eq!(national_prefix("GB").as_deref(), Some("0"));
        assert_eq!(national_prefix("US").as_deref(), Some("1"));
        assert_eq!(national_prefix("ZZ"), None);
    }
}

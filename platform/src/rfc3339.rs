//! Instants written into JSON answers fast. chrono's own `Serialize` writes an instant through
//! `collect_str`, and serde_json escapes what a `Display` writes one piece at a time (chrono
//! writes digit by digit): at a calendar's thousands of instants that was the biggest share of
//! its answer's time. This formats the same text (`to_rfc3339_opts(AutoSi, true)`, which is
//! what chrono's `Serialize` writes) once, then writes it as one string.
//!
//! Use on a field: `#[serde(serialize_with = "platform::rfc3339::serialize")]`.

use chrono::{DateTime, SecondsFormat, TimeZone};
use serde::Serializer;

/// Writes `at` as chrono's `Serialize` would (`2026-12-04T09:00:00Z`, `…+01:00`).
pub fn serialize<Tz, S>(at: &DateTime<Tz>, serializer: S) -> Result<S::Ok, S::Error>
where
    Tz: TimeZone,
    Tz::Offset: std::fmt::Display,
    S: Serializer,
{
    serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, Utc};

    use super::*;

    #[derive(serde::Serialize)]
    struct Fast<Tz: TimeZone>(#[serde(serialize_with = "serialize")] DateTime<Tz>)
    where
        Tz::Offset: std::fmt::Display;

    #[test]
    fn writes_what_chrono_writes() {
        let utc: DateTime<Utc> = "2026-12-04T09:00:00Z".parse().expect("instant");
        let fine: DateTime<Utc> = "2026-12-04T09:00:00.123456Z".parse().expect("instant");
        let east = utc.with_timezone(&FixedOffset::east_opt(5 * 3600 + 1800).expect("offset"));
        let zero = utc.with_timezone(&FixedOffset::east_opt(0).expect("offset"));
        for (fast, chrono) in [
            (
                serde_json::to_string(&Fast(utc)),
                serde_json::to_string(&utc),
            ),
            (
                serde_json::to_string(&Fast(fine)),
                serde_json::to_string(&fine),
            ),
            (
                serde_json::to_string(&Fast(east)),
                serde_json::to_string(&east),
            ),
            (
                serde_json::to_string(&Fast(zero)),
                serde_json::to_string(&zero),
            ),
        ] {
            assert_eq!(fast.expect("written"), chrono.expect("written"));
        }
    }
}

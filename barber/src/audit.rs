//! `barber audit export --business <id> [--since RFC3339]`: a business's history as JSON lines
//! on standard output, one event a line in commit order (the items of `GET /audit/events`),
//! streamed a batch at a time, for an accountant or an auditor to keep outside the system.

use std::io::Write;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub const USAGE: &str = "usage: barber audit export --business <id> [--since RFC3339]";

/// What `barber audit …` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub business_id: Uuid,
    /// Only events recorded at or after it.
    pub since: Option<DateTime<Utc>>,
}

impl Export {
    /// Reads the arguments after `audit`.
    pub fn from_args(args: &[String]) -> Result<Self, String> {
        let (mut business_id, mut since) = (None, None);
        for (option, value) in crate::cli::options(args, "audit", "export", USAGE)? {
            match option {
                "--business" => business_id = Some(crate::cli::business(value)?),
                "--since" => {
                    let at = DateTime::parse_from_rfc3339(value)
                        .map_err(|e| format!("--since {value:?} is not RFC 3339: {e}"))?;
                    since = Some(at.with_timezone(&Utc));
                }
                other => return Err(format!("unknown option {other:?}\n{USAGE}")),
            }
        }
        Ok(Self {
            business_id: business_id.ok_or_else(|| format!("--business is required\n{USAGE}"))?,
            since,
        })
    }

    /// Writes the history to `out`; returns how many events it wrote.
    pub async fn run(&self, pool: &sqlx::PgPool, out: &mut impl Write) -> Result<u64, String> {
        query::audit::log::export(pool, self.business_id, self.since, out)
            .await
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn the_export_reads_its_business_and_since() {
        let id = Uuid::from_u128(7);
        assert_eq!(
            Export::from_args(&args(&format!("export --business {id}"))),
            Ok(Export {
                business_id: id,
                since: None
            })
        );
        let since = Export::from_args(&args(&format!(
            "export --since 2026-12-01T10:00:00+01:00 --business {id}"
        )))
        .expect("read")
        .since;
        assert_eq!(
            since.map(|s| s.to_rfc3339()).as_deref(),
            Some("2026-12-01T09:00:00+00:00")
        );
    }

    #[test]
    fn bad_arguments_are_refused_with_the_usage() {
        for line in [
            "",
            "import --business 1",
            "export",
            "export --business",
            "export --business shop",
            "export --business 00000000-0000-0000-0000-000000000007 --since yesterday",
            "export --business 00000000-0000-0000-0000-000000000007 --format csv",
        ] {
            assert!(Export::from_args(&args(line)).is_err(), "{line:?}");
        }
    }
}

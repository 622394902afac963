//! `barber tenant move --business <id> --to <database url> --home <url>`: moves one business to
//! another deployment (its own Postgres, relay and stream), never split across the two, so every
//! invariant stays inside one database (DESIGN.md §8). Run with this deployment's configuration
//! (`DATABASE_URL`, the source), reaching the target's database directly.
//!
//! 1. **Drain.** The business is listed `draining` in this deployment's `tenant_homes`: the
//!    workers take none of its messages, agendas or webhook deliveries; the move waits for every
//!    claim made before the listing to commit, then until those they hold are done (a worker
//!    that died is waited out by its claim).
//! 2. **Freeze.** Listed `moving`: Postgres refuses every change of its data
//!    (`tenant_homes` migration; answered 503 `tenant_moving` with `Retry-After`). The move
//!    then waits for every transaction that was running when the listing committed, so none
//!    that looked before it can still write.
//! 3. **Copy** ([`copy`]): its own rows of every table that is not a read model, then its events
//!    in commit order, a page per transaction, each under its own key (`on conflict do
//!    nothing`: a move that stopped is run again and goes on). The target's relay publishes the
//!    events like any new ones and its projections build the read models; the messages and
//!    webhook deliveries already dealt with here are copied first, so none goes out twice.
//! 4. **Verify and hand over.** Every table and the history must hold as many of the business's
//!    rows there as here; then it is listed `moved` with its new home, where it is served from
//!    then on ([`crate::directory`] forwards its requests). Its data stays here, frozen.

mod copy;

use std::time::{Duration, Instant};

use sqlx::PgPool;
use uuid::Uuid;

pub const USAGE: &str =
    "usage: barber tenant move --business <id> --to <target DATABASE_URL> --home <target base URL>";

/// How long the move waits for the workers to finish the business's messages they hold (a
/// claim runs out after `NOTIFY_CLAIM_MS`, two minutes unless set).
const DRAIN_WAIT: Duration = Duration::from_secs(600);

/// What `barber tenant move` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    pub business_id: Uuid,
    /// The target deployment's database.
    pub to: String,
    /// The base URL of the deployment that serves the business from now on.
    pub home: String,
}

/// What a move copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moved {
    pub events: u64,
    /// Rows copied per table, in the order copied.
    pub rows: Vec<(&'static str, u64)>,
}

impl Moved {
    /// The rows copied, table by table (`12 users, 3 booking_links, …`).
    pub fn rows_listed(&self) -> String {
        self.rows
            .iter()
            .map(|(table, n)| format!("{n} {table}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Move {
    /// Reads the arguments after `tenant`.
    pub fn from_args(args: &[String]) -> Result<Self, String> {
        let (mut business_id, mut to, mut home) = (None, None, None);
        for (option, value) in crate::cli::options(args, "tenant", "move", USAGE)? {
            match option {
                "--business" => business_id = Some(crate::cli::business(value)?),
                "--to" => to = Some(value.to_owned()),
                "--home" => {
                    if !(value.starts_with("https://") || value.starts_with("http://")) {
                        return Err(format!("--home {value:?} is not an http(s) URL"));
                    }
                    home = Some(value.trim_end_matches('/').to_owned());
                }
                other => return Err(format!("unknown option {other:?}\n{USAGE}")),
            }
        }
        let required = |name: &str| format!("{name} is required\n{USAGE}");
        Ok(Self {
            business_id: business_id.ok_or_else(|| required("--business"))?,
            to: to.ok_or_else(|| required("--to"))?,
            home: home.ok_or_else(|| required("--home"))?,
        })
    }

    /// Moves the business out of `source` (see the module documentation), telling `progress`
    /// what it is doing.
    pub async fn run(
        &self,
        source: &PgPool,
        target: &PgPool,
        mut progress: impl FnMut(&str),
    ) -> Result<Moved, String> {
        let business = self.business_id;
        self.check(source, target).await?;
        list(source, business, "draining", &self.home).await?;
        progress("draining: the workers take none of its messages");
        // a claim made before the listing may not have committed yet: waited for, then seen
        wait_for_older_transactions(source).await?;
        drain(source, business).await?;
        list(source, business, "moving", &self.home).await?;
        progress("frozen: no change of its data is taken here");
        wait_for_older_transactions(source).await?;
        let moved = copy::copy(source, target, business, &mut progress).await?;
        list(source, business, "moved", &self.home).await?;
        progress(&format!("moved: served by {} from now on", self.home));
        Ok(moved)
    }

    /// Refuses a business this deployment does not hold, one already moved, one moving
    /// elsewhere, and a target that lists it as moved away from it (it keeps a frozen copy there).
    async fn check(&self, source: &PgPool, target: &PgPool) -> Result<(), String> {
        let business = self.business_id;
        let held: bool =
            sqlx::query_scalar("select exists (select 1 from events where tenant_id = $1)")
                .bind(business)
                .fetch_one(source)
                .await
                .map_err(|e| e.to_string())?;
        if !held {
            return Err(format!("business {business} has no history here"));
        }
        if let Some((state, home)) = listed(source, business).await? {
            if state == "moved" {
                return Err(format!("business {business} has moved to {home} already"));
            }
            if home != self.home {
                return Err(format!(
                    "business {business} is moving to {home}: finish that move first"
                ));
            }
        }
        if let Some((_, home)) = listed(target, business).await? {
            return Err(format!(
                "the target lists business {business} as moved away (to {home}): a business \
                 is not moved back to a deployment that keeps its frozen copy"
            ));
        }
        Ok(())
    }
}

/// The business's listing in a deployment's directory: `(state, home)`.
async fn listed(pool: &PgPool, business: Uuid) -> Result<Option<(String, String)>, String> {
    sqlx::query_as("select state, home from tenant_homes where tenant_id = $1")
        .bind(business)
        .fetch_optional(pool)
        .await
        .map_err(|e| e.to_string())
}

/// Lists the business in `state`.
async fn list(pool: &PgPool, business: Uuid, state: &str, home: &str) -> Result<(), String> {
    sqlx::query(
        "insert into tenant_homes (tenant_id, state, home) values ($1, $2, $3)
         on conflict (tenant_id) do update set state = excluded.state, since = now()
          -- a move run again never thaws a business it had frozen
          where not (tenant_homes.state = 'moving' and excluded.state = 'draining')",
    )
    .bind(business)
    .bind(state)
    .bind(home)
    .execute(pool)
    .await
    .map_err(|e| e.to_string())?;
    Ok(())
}

/// Waits until no worker holds a message, agenda or webhook delivery of the business.
async fn drain(pool: &PgPool, business: Uuid) -> Result<(), String> {
    let started = Instant::now();
    loop {
        let held: i64 = sqlx::query_scalar(
            "select (select count(*) from notification_deliveries
                      where tenant_id = $1 and state = 'sending' and claimed_until > now())
                  + (select count(*) from agenda_deliveries
                      where tenant_id = $1 and state = 'sending' and claimed_until > now())
                  + (select count(*) from webhook_deliveries
                      where tenant_id = $1 and state = 'sending' and claimed_until > now())",
        )
        .bind(business)
        .fetch_one(pool)
        .await
        .map_err(|e| e.to_string())?;
        if held == 0 {
            return Ok(());
        }
        if started.elapsed() > DRAIN_WAIT {
            return Err(format!(
                "the workers still hold {held} of its messages after {} s; run the move again",
                DRAIN_WAIT.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits until every transaction running now has ended: each that looked at the directory
/// before the business was frozen (holding its transaction id: the refusal is an AFTER
/// trigger) either committed, and is in the copy, or never will.
async fn wait_for_older_transactions(pool: &PgPool) -> Result<(), String> {
    let horizon: String =
        sqlx::query_scalar("select pg_snapshot_xmax(pg_current_snapshot())::text")
            .fetch_one(pool)
            .await
            .map_err(|e| e.to_string())?;
    loop {
        let passed: bool =
            sqlx::query_scalar("select pg_snapshot_xmin(pg_current_snapshot()) >= $1::text::xid8")
                .bind(&horizon)
                .fetch_one(pool)
                .await
                .map_err(|e| e.to_string())?;
        if passed {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn a_move_needs_a_business_a_target_and_a_home() {
        let id = "5b0f7c1e-8a3e-4c53-9d5e-1f2a3b4c5d6e";
        let parsed = Move::from_args(&args(&format!(
            "move --business {id} --to postgres://b/barber --home https://b.example/"
        )))
        .expect("parsed");
        assert_eq!(parsed.home, "https://b.example");
        assert_eq!(parsed.to, "postgres://b/barber");
        for bad in [
            "",
            "copy --business x",
            "move --business nope --to x --home https://b",
            &format!("move --business {id} --home https://b"),
            &format!("move --business {id} --to x --home ftp://b"),
            &format!("move --business {id} --to x --home https://b --force yes"),
            &format!("move --business {id} --to"),
        ] {
            assert!(Move::from_args(&args(bad)).is_err(), "{bad:?}");
        }
    }
}

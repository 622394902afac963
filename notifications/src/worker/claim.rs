//! Taking due messages to send, so that each is sent by one worker however many run: the due
//! rows are locked with `FOR UPDATE SKIP LOCKED` (workers pass over each other's), and the
//! claim itself is an upsert of the delivery that only wins where no live claim holds it (its
//! condition is checked against the newest committed row, so two workers racing for one
//! message cannot both win).
//!
//! New work is looked for among the messages no worker has taken yet (`notifications.taken`,
//! set by the claim), and work taken before among the open deliveries: neither look passes
//! over the messages already dealt with, however many pile up (a business without an SMS
//! provider skips every text message, for good).

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// A message this worker now holds until `claimed_until`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub notification_id: Uuid,
    /// `sending`: to send; `sent`: the provider took it but it is not recorded on the
    /// appointment yet (a worker stopped in between): to record, not to send again.
    pub state: String,
    /// Sends tried, this one included.
    pub attempts: i32,
}

/// The claim: `$1` now, `$2` the claim's end, `$3` how many at most. Public so that a test can
/// read its plan.
pub const DUE: &str = "with fresh as (
         -- new work: never taken, so none of the messages a worker has dealt with (sent,
         -- skipped, given up) is passed over again
         select n.notification_id, n.tenant_id, n.due_at
           from notifications n
          where n.status = 'pending' and not n.taken and n.due_at <= $1
            -- a business moving away: its messages are its new home's to send
            and not exists (select 1 from tenant_homes h where h.tenant_id = n.tenant_id)
          order by n.due_at
          limit $3
            for update of n skip locked),
     again as (
         -- taken before: retrying, a claim that ran out, or sent but not recorded (a
         -- worker stopped in between), the last even if the appointment moved on since:
         -- the history must show what was said
         select n.notification_id, n.tenant_id, n.due_at
           from notification_deliveries d
           join notifications n on n.notification_id = d.notification_id
          where (d.state in ('retrying', 'sending')
                 or (d.state = 'sent' and d.recorded_at is null))
            and ((n.status = 'pending'
                  and ((d.state = 'retrying' and d.next_attempt_at <= $1)
                       or (d.state = 'sending' and d.claimed_until <= $1)))
                 or (n.status <> 'sent' and d.state = 'sent' and d.recorded_at is null
                     and d.claimed_until <= $1))
            and not exists (select 1 from tenant_homes h where h.tenant_id = n.tenant_id)
          order by n.due_at
          limit $3
            for update of n skip locked),
     due as (
         select * from fresh union all select * from again
          order by due_at
          limit $3),
     taking as (
         update notifications n set taken = true
           from due
          where n.notification_id = due.notification_id and not n.taken)
     insert into notification_deliveries as d
            (notification_id, tenant_id, state, attempts, claimed_until, updated_at)
     select notification_id, tenant_id, 'sending', 1, $2, $1 from due
     on conflict (notification_id) do update
        set state = case when d.state = 'sent' then 'sent' else 'sending' end,
            attempts = d.attempts + case when d.state = 'sent' then 0 else 1 end,
            claimed_until = excluded.claimed_until,
            updated_at = excluded.updated_at
      where (d.state = 'retrying' and d.next_attempt_at <= $1)
         or (d.state = 'sending' and d.claimed_until <= $1)
         or (d.state = 'sent' and d.recorded_at is null and d.claimed_until <= $1)
     returning d.notification_id, d.state, d.attempts";

/// Claims up to `limit` messages due at `now`, each until `claimed_until`.
pub async fn due(
    pool: &PgPool,
    now: DateTime<Utc>,
    claimed_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as(DUE)
        .bind(now)
        .bind(claimed_until)
        .bind(limit)
        .fetch_all(pool)
        .await
}

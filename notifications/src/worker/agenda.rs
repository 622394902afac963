//! Daily agendas: at 18:00 on the business's clock, each staff member who asked for it
//! (`daily_agenda`) and has an email address gets their next day's appointments. One agenda per
//! staff member and day (`agenda_deliveries`, keyed by both), claimed with `FOR UPDATE SKIP
//! LOCKED` like every message, so replicas send each once; tried again on failure.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::deliver::{backoff, MAX_ATTEMPTS};
use super::Worker;
use crate::channels::Email;
use crate::message::{render_agenda, Agenda, AgendaItem};

/// The local hour from which the next day's agenda goes out.
pub const AGENDA_HOUR: i32 = 18;

/// One appointment of an agenda, as read.
#[derive(Debug, sqlx::FromRow)]
struct Row {
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    service_name: String,
    customer_name: Option<String>,
}

#[derive(Debug, sqlx::FromRow)]
struct Claimed {
    tenant_id: Uuid,
    staff_id: Uuid,
    day: NaiveDate,
    attempts: i32,
}

impl Worker {
    /// Makes today's agendas due (businesses past [`AGENDA_HOUR`]), then claims and sends them.
    pub(super) async fn agendas(&self) -> Result<(), sqlx::Error> {
        let now = self.clock.now();
        schedule(&self.pool, now).await?;
        let claimed: Vec<Claimed> = sqlx::query_as(
            "with due as (
                 select staff_id, day from agenda_deliveries
                  where ((state in ('pending', 'retrying') and next_attempt_at <= $1)
                     or (state = 'sending' and claimed_until <= $1))
                    and not exists (select 1 from tenant_homes h
                                     where h.tenant_id = agenda_deliveries.tenant_id)
                  order by next_attempt_at limit 20
                    for update skip locked)
             update agenda_deliveries a
                set state = 'sending', claimed_until = $2, attempts = a.attempts + 1
               from due
              where a.staff_id = due.staff_id and a.day = due.day
          returning a.tenant_id, a.staff_id, a.day, a.attempts",
        )
        .bind(now)
        .bind(now + self.claim)
        .fetch_all(&self.pool)
        .await?;
        for agenda in claimed {
            self.send_agenda(agenda).await?;
        }
        Ok(())
    }

    async fn send_agenda(&self, claimed: Claimed) -> Result<(), sqlx::Error> {
        let now = self.clock.now();
        let outcome = match self.agenda_email(&claimed).await? {
            None => Err((true, "the staff member has no email address".to_owned())),
            Some(_) if self.mailer.is_none() => {
                Err((true, "email is not set up (SMTP_URL)".to_owned()))
            }
            Some(email) => match self.mailer.as_ref().map(|m| m.send(&email)) {
                Some(sending) => sending
                    .await
                    .map(|_| ())
                    .map_err(|err| (err.is_permanent(), err.to_string())),
                None => Ok(()),
            },
        };
        let (state, error, next): (&str, Option<String>, Option<DateTime<Utc>>) = match outcome {
            Ok(()) => ("sent", None, None),
            Err((true, error)) => ("skipped", Some(error), None),
            Err((false, error)) if claimed.attempts >= MAX_ATTEMPTS => {
                ("failed", Some(error), None)
            }
            Err((false, error)) => (
                "retrying",
                Some(error),
                Some(now + backoff(claimed.attempts)),
            ),
        };
        sqlx::query(
            "update agenda_deliveries
                set state = $3, last_error = $4, claimed_until = null,
                    next_attempt_at = coalesce($5, next_attempt_at),
                    sent_at = case when $3 = 'sent' then $6 else sent_at end
              where staff_id = $1 and day = $2",
        )
        .bind(claimed.staff_id)
        .bind(claimed.day)
        .bind(state)
        .bind(error)
        .bind(next)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The agenda's email, from the read models; `None` without an address to send it to.
    async fn agenda_email(&self, claimed: &Claimed) -> Result<Option<Email>, sqlx::Error> {
        let who: Option<(String, Option<String>, String, String)> = sqlx::query_as(
            "select s.name, s.email, b.name, b.timezone
               from staff_members s join businesses b on b.tenant_id = s.tenant_id
              where s.tenant_id = $1 and s.staff_id = $2",
        )
        .bind(claimed.tenant_id)
        .bind(claimed.staff_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some((barber, Some(address), business, timezone)) = who else {
            return Ok(None);
        };
        let Ok(tz) = timezone.parse::<chrono_tz::Tz>() else {
            return Ok(None);
        };
        let items: Vec<Row> = sqlx::query_as(
            "select a.starts_at, a.ends_at, a.service_name, c.name as customer_name
               from appointments a
               left join customers c on c.tenant_id = a.tenant_id and c.customer_id = a.customer_id
              where a.tenant_id = $1 and a.staff_id = $2 and a.schedule_date = $3
                and a.status in ('booked', 'confirmed')
              order by a.starts_at",
        )
        .bind(claimed.tenant_id)
        .bind(claimed.staff_id)
        .bind(claimed.day)
        .fetch_all(&self.pool)
        .await?;
        let agenda = Agenda {
            business_name: business,
            business_timezone: tz,
            barber_name: barber.clone(),
            day: claimed.day,
            items: items
                .into_iter()
                .map(|row| AgendaItem {
                    starts_at: row.starts_at,
                    ends_at: row.ends_at,
                    service_name: row.service_name,
                    customer_name: row
                        .customer_name
                        .filter(|n| !n.is_empty())
                        .unwrap_or_else(|| "a customer".into()),
                })
                .collect(),
        };
        let Ok((subject, text, html)) = render_agenda(&agenda) else {
            return Ok(None);
        };
        Ok(Some(Email {
            to: address,
            to_name: Some(barber),
            subject,
            text,
            html,
            calendar: None,
            idempotency_key: Uuid::new_v5(
                &claimed.staff_id,
                format!("agenda/{}", claimed.day).as_bytes(),
            ),
        }))
    }
}

/// Makes the next day's agenda due for every staff member who wants one, in every business whose
/// local time is past [`AGENDA_HOUR`] (once per staff member and day).
async fn schedule(pool: &PgPool, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "insert into agenda_deliveries
                (tenant_id, staff_id, day, state, next_attempt_at, created_at)
         select s.tenant_id, s.staff_id, (($1 at time zone b.timezone)::date + 1), 'pending', $1, $1
           from staff_members s join businesses b on b.tenant_id = s.tenant_id
          where s.daily_agenda and s.active and s.email is not null
            and extract(hour from ($1 at time zone b.timezone)) >= $2
            -- a business moving away: its agendas are its new home's to send
            and not exists (select 1 from tenant_homes h where h.tenant_id = s.tenant_id)
         on conflict (staff_id, day) do nothing",
    )
    .bind(now)
    .bind(AGENDA_HOUR)
    .execute(pool)
    .await?;
    Ok(())
}

/// The agendas are checked this often (they are due once a day; a staff member who asks for
/// one after 18:00 gets tomorrow's within this).
pub const AGENDA_EVERY: Duration = Duration::seconds(10);

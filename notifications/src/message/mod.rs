//! What a customer is told: one template set per kind of notification (subject, plain text,
//! HTML, SMS), filled with the facts of one appointment, times on the shop's clock.
//!
//! The templates live in `notifications/templates/` and are built into the binary:
//! `subjects.txt` (every subject line, one per kind), `<kind>.txt`, `<kind>.html` (extending
//! `layout.html`, with the appointment card `details.html`) and `<kind>.sms`. HTML templates
//! escape everything they are given; the others do not.
//!
//! - `when`: times as the customer reads them.
//! - `ics`: the calendar invite ([`calendar`]).

mod agenda;
mod ics;
mod when;

use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use minijinja::{context, Environment, UndefinedBehavior, Value};
use uuid::Uuid;

pub use agenda::{render_agenda, Agenda, AgendaItem};
pub use ics::calendar;

/// The kinds of message a customer gets about an appointment: the event vocabulary's own.
pub use events::appointment::NotificationKind as Kind;

/// Whether a message of `kind` carries a calendar invite by email: when the appointment
/// appears, moves or goes away in the customer's calendar. Reminders and follow-ups change
/// nothing there.
pub fn carries_invite(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Confirmation | Kind::Rescheduled | Kind::Cancelled
    )
}

/// Everything a message may say about one appointment, looked up before rendering.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub business_name: String,
    /// The shop's IANA timezone: every time is shown on the shop's clock.
    pub business_timezone: chrono_tz::Tz,
    /// The shop's address, shown in the email and as the invite's location.
    pub business_address: Option<String>,
    pub customer_name: String,
    pub service_name: String,
    /// Who cuts, when the customer chose (or was given) a barber.
    pub barber_name: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// For a reschedule: when the appointment was before it moved.
    pub previous_starts_at: Option<DateTime<Utc>>,
    /// The customer's own link to see, move or cancel the appointment.
    pub manage_url: Option<String>,
    /// The shop's public booking page, to book again (follow-ups, cancellations).
    pub rebook_url: Option<String>,
    pub appointment_id: Uuid,
    /// How many times the appointment has changed since it was booked (each reschedule and the
    /// cancellation add one): the invite's `SEQUENCE`, so calendars keep the newest version.
    pub sequence: u32,
}

/// One notification, written out for every channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Short enough for two SMS segments.
    pub sms: String,
}

/// A template could not be filled: a bug in a template, never the customer's doing.
#[derive(Debug, thiserror::Error)]
#[error("the {kind} message could not be written: {source:#}")]
pub struct RenderError {
    kind: &'static str,
    #[source]
    source: minijinja::Error,
}

/// Writes the notification of `kind` about the appointment in `facts`.
pub fn render(kind: Kind, facts: &Facts) -> Result<Rendered, RenderError> {
    let fail = |source| RenderError {
        kind: kind.as_str(),
        source,
    };
    let env = environment();
    let ctx = values(facts);
    let one = |suffix: &str, ctx: Value| {
        env.get_template(&format!("{}.{suffix}", kind.as_str()))
            .and_then(|template| template.render(ctx))
            .map_err(fail)
    };
    let subject = one("subject", ctx.clone())?.trim().to_owned();
    let text = one("txt", ctx.clone())?.trim().to_owned() + "\n";
    let html = one(
        "html",
        context! { subject => subject.clone(), ..ctx.clone() },
    )?;
    let sms = one("sms", ctx)?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Rendered {
        subject,
        text,
        html,
        sms,
    })
}

/// What the templates see.
fn values(facts: &Facts) -> Value {
    let tz = facts.business_timezone;
    context! {
        business => facts.business_name.clone(),
        address => facts.business_address.clone(),
        customer => facts.customer_name.clone(),
        service => facts.service_name.clone(),
        barber => facts.barber_name.clone(),
        when => when::long(facts.starts_at, tz),
        when_short => when::short(facts.starts_at, tz),
        ends => when::clock(facts.ends_at, tz),
        previous_when => facts.previous_starts_at.map(|at| when::long(at, tz)),
        previous_when_short => facts.previous_starts_at.map(|at| when::short(at, tz)),
        manage_url => facts.manage_url.clone(),
        rebook_url => facts.rebook_url.clone(),
    }
}

/// The templates, each kind's four files and the shared layout, compiled once.
fn environment() -> &'static Environment<'static> {
    static ENVIRONMENT: OnceLock<Environment<'static>> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_syntax(
            minijinja::syntax::SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .build()
                .unwrap_or_default(),
        );
        for (name, source) in TEMPLATES {
            // a template that does not compile fails every render of its kind, which the
            // tests of this module catch; here it is only left out
            if let Err(error) = env.add_template(name, source) {
                tracing::error!(%error, template = name, "a notification template does not compile");
            }
        }
        for (kind, subject) in SUBJECTS.lines().filter_map(subject_line) {
            if let Err(error) = env.add_template_owned(format!("{kind}.subject"), subject) {
                tracing::error!(%error, kind, "a subject line does not compile");
            }
        }
        env
    })
}

/// `kind = template` from `subjects.txt`, skipping blank lines and `#` comments.
fn subject_line(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    line.split_once('=')
        .map(|(kind, subject)| (kind.trim(), subject.trim()))
}

const SUBJECTS: &str = include_str!("../../templates/subjects.txt");

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates![
    "layout.html",
    "details.html",
    "confirmation.txt",
    "confirmation.html",
    "confirmation.sms",
    "reminder.txt",
    "reminder.html",
    "reminder.sms",
    "rescheduled.txt",
    "rescheduled.html",
    "rescheduled.sms",
    "cancelled.txt",
    "cancelled.html",
    "cancelled.sms",
    "follow_up.txt",
    "follow_up.html",
    "follow_up.sms",
    "agenda.txt",
    "agenda.html",
];

#[cfg(test)]
mod tests;

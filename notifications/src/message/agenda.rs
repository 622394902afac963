//! A staff member's daily agenda: their next day's appointments, in the business's time.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use minijinja::{context, Value};

use super::{environment, when, RenderError};

/// One day of one staff member.
#[derive(Debug, Clone, PartialEq)]
pub struct Agenda {
    pub business_name: String,
    pub business_timezone: Tz,
    pub barber_name: String,
    pub day: NaiveDate,
    pub items: Vec<AgendaItem>,
}

/// One appointment of the day.
#[derive(Debug, Clone, PartialEq)]
pub struct AgendaItem {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub service_name: String,
    pub customer_name: String,
}

/// The agenda's email: (subject, text, html).
pub fn render_agenda(agenda: &Agenda) -> Result<(String, String, String), RenderError> {
    let fail = |source| RenderError {
        kind: "agenda",
        source,
    };
    let tz = agenda.business_timezone;
    let items: Vec<Value> = agenda
        .items
        .iter()
        .map(|item| {
            context! {
                start => when::clock(item.starts_at, tz),
                end => when::clock(item.ends_at, tz),
                service => item.service_name.clone(),
                customer => item.customer_name.clone(),
            }
        })
        .collect();
    let ctx = context! {
        business => agenda.business_name.clone(),
        barber => agenda.barber_name.clone(),
        day => agenda.day.format("%A %-d %B").to_string(),
        timezone => tz.name(),
        items => Value::from(items),
    };
    let env = environment();
    let one = |name: &str, ctx| {
        env.get_template(name)
            .and_then(|template| template.render(ctx))
            .map_err(fail)
    };
    let subject = one("agenda.subject", ctx.clone())?.trim().to_owned();
    let text = one("agenda.txt", ctx.clone())?.trim().to_owned() + "\n";
    let html = one(
        "agenda.html",
        context! { subject => subject.clone(), ..ctx },
    )?;
    Ok((subject, text, html))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_agenda_lists_the_day_on_the_shops_clock() {
        let tz: Tz = "Europe/London".parse().expect("tz");
        // the day the clocks go forward: 10:00 BST is 09:00 UTC
        let at = |h, m| {
            Utc.with_ymd_and_hms(2027, 3, 28, h, m, 0)
                .single()
                .expect("instant")
        };
        let agenda = Agenda {
            business_name: "Fade <Street>".into(),
            business_timezone: tz,
            barber_name: "Rui".into(),
            day: NaiveDate::from_ymd_opt(2027, 3, 28).expect("date"),
            items: vec![AgendaItem {
                starts_at: at(9, 0),
                ends_at: at(9, 30),
                service_name: "Skin fade".into(),
                customer_name: "Ana".into(),
            }],
        };
        let (subject, text, html) = render_agenda(&agenda).expect("renders");
        assert_eq!(subject, "Your day at Fade <Street>: Sunday 28 March");
        assert!(text.contains("10:00–10:30  Skin fade, Ana"), "{text}");
        assert!(html.contains("Fade &lt;Street&gt;"), "{html}");
        let empty = Agenda {
            items: vec![],
            ..agenda
        };
        let (_, text, _) = render_agenda(&empty).expect("renders");
        assert!(text.contains("Nothing is booked for you"), "{text}");
    }
}

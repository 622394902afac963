//! The calendar invite attached to emails (RFC 5545), so the appointment lands in the customer's
//! calendar, moves when it is rescheduled and disappears when it is cancelled.
//!
//! Written with `platform::icalendar` (escaping and line folding; the `icalendar` crate would
//! bring a date parser and a random `UID` we do not want).

use chrono::{DateTime, Utc};

use platform::icalendar::Lines;

use super::{Facts, Kind};

/// The invite for `kind` of notification about the appointment in `facts`: one `VEVENT` whose
/// `UID` (`{appointment_id}@barber`) stays the same for the appointment's whole life and whose
/// `SEQUENCE` is [`Facts::sequence`], so a calendar replaces the old version with the new one.
/// A cancellation is `METHOD:CANCEL` with `STATUS:CANCELLED`; everything else `METHOD:PUBLISH`.
pub fn calendar(facts: &Facts, kind: Kind) -> String {
    calendar_stamped(facts, kind, Utc::now())
}

fn calendar_stamped(facts: &Facts, kind: Kind, stamp: DateTime<Utc>) -> String {
    let cancelled = kind == Kind::Cancelled;
    let mut lines = Lines::new();
    lines.line("BEGIN", "VCALENDAR");
    lines.line("VERSION", "2.0");
    lines.line("PRODID", "-//barber//notifications//EN");
    lines.line("CALSCALE", "GREGORIAN");
    lines.line("METHOD", if cancelled { "CANCEL" } else { "PUBLISH" });
    lines.line("BEGIN", "VEVENT");
    lines.line("UID", &format!("{}@barber", facts.appointment_id));
    lines.instant("DTSTAMP", stamp);
    lines.line("SEQUENCE", &facts.sequence.to_string());
    lines.instant("DTSTART", facts.starts_at);
    lines.instant("DTEND", facts.ends_at);
    lines.text(
        "SUMMARY",
        &format!("{} at {}", facts.service_name, facts.business_name),
    );
    if let Some(address) = &facts.business_address {
        lines.text("LOCATION", address);
    }
    lines.text("DESCRIPTION", &description(facts));
    if let Some(url) = &facts.manage_url {
        lines.line("URL", url);
    }
    lines.line("STATUS", if cancelled { "CANCELLED" } else { "CONFIRMED" });
    lines.line("TRANSP", "OPAQUE");
    lines.line("END", "VEVENT");
    lines.line("END", "VCALENDAR");
    lines.finish()
}

/// What the customer reads when they open the event.
fn description(facts: &Facts) -> String {
    let mut description = facts.service_name.clone();
    if let Some(barber) = &facts.barber_name {
        description.push_str(&format!(" with {barber}"));
    }
    description.push_str(&format!(" at {}.", facts.business_name));
    if let Some(url) = &facts.manage_url {
        description.push_str(&format!("\nSee, move or cancel: {url}"));
    }
    description
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::tests::facts;

    fn parse(ics: &str) -> ical::parser::ical::component::IcalCalendar {
        let mut parser = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
        let calendar = parser
            .next()
            .expect("one calendar")
            .expect("the calendar parses");
        assert!(parser.next().is_none(), "only one calendar");
        calendar
    }

    fn property(properties: &[ical::property::Property], name: &str) -> Option<String> {
        properties
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.clone())
    }

    #[test]
    fn a_confirmation_is_a_published_event_at_the_appointment_time() {
        let facts = facts();
        let ics = calendar(&facts, Kind::Confirmation);
        let parsed = parse(&ics);
        assert_eq!(
            property(&parsed.properties, "METHOD").as_deref(),
            Some("PUBLISH")
        );
        assert_eq!(parsed.events.len(), 1);
        let event = &parsed.events[0].properties;
        assert_eq!(
            property(event, "DTSTART").as_deref(),
            Some("20261201T100000Z")
        );
        assert_eq!(
            property(event, "DTEND").as_deref(),
            Some("20261201T103000Z")
        );
        assert_eq!(
            property(event, "UID"),
            Some(format!("{}@barber", facts.appointment_id))
        );
        assert_eq!(property(event, "STATUS").as_deref(), Some("CONFIRMED"));
        assert_eq!(property(event, "SEQUENCE").as_deref(), Some("0"));
        assert!(property(event, "DTSTAMP").is_some_and(|s| s.ends_with('Z')));
    }

    #[test]
    fn a_cancellation_cancels_the_same_event_with_a_higher_sequence() {
        let mut facts = facts();
        facts.sequence = 2;
        let parsed = parse(&calendar(&facts, Kind::Cancelled));
        assert_eq!(
            property(&parsed.properties, "METHOD").as_deref(),
            Some("CANCEL")
        );
        let event = &parsed.events[0].properties;
        assert_eq!(property(event, "STATUS").as_deref(), Some("CANCELLED"));
        assert_eq!(property(event, "SEQUENCE").as_deref(), Some("2"));
    }

    #[test]
    fn every_line_ends_in_crlf_and_fits_75_octets() {
        let mut facts = facts();
        let address = "Rua das Flores, 12; 2º andar — Lisboa ✂ ".repeat(6);
        facts.business_address = Some(address.trim_end().to_owned());
        let ics = calendar(&facts, Kind::Confirmation);
        assert!(ics.ends_with("\r\n"));
        for line in ics.split("\r\n") {
            assert!(!line.contains('\n'), "a bare LF in {line:?}");
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        let parsed = parse(&ics);
        let location = property(&parsed.events[0].properties, "LOCATION").expect("a location");
        assert_eq!(
            location,
            platform::icalendar::text(&facts.business_address.expect("set above"))
        );
    }

    #[test]
    fn text_is_escaped() {
        let ics = calendar_stamped(&facts(), Kind::Reminder, facts().starts_at);
        assert!(
            ics.contains("SUMMARY:Skin fade at Sharp\\, Clean & Co\r\n"),
            "{ics}"
        );
        assert!(ics.contains("DTSTAMP:20261201T100000Z\r\n"));
    }

    #[test]
    fn the_description_carries_the_manage_link() {
        let parsed = parse(&calendar(&facts(), Kind::Confirmation));
        let description = property(&parsed.events[0].properties, "DESCRIPTION").expect("set");
        assert!(
            description.contains("https://barber.example/a/xyz"),
            "{description}"
        );
        assert!(description.contains("\\n"), "the link is on its own line");
    }
}

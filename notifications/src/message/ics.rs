//! The calendar invite attached to emails (RFC 5545), so the appointment lands in the customer's
//! calendar, moves when it is rescheduled and disappears when it is cancelled.
//!
//! Written by hand: one event with a dozen properties needs only escaping and line folding,
//! while the `icalendar` crate would bring a date parser and a random `UID` we do not want.

use chrono::{DateTime, Utc};

use super::{Facts, Kind};

/// Content lines are folded to at most this many octets (RFC 5545 §3.1).
const LINE_LIMIT: usize = 75;

/// The invite for `kind` of notification about the appointment in `facts`: one `VEVENT` whose
/// `UID` (`{appointment_id}@barber`) stays the same for the appointment's whole life and whose
/// `SEQUENCE` is [`Facts::sequence`], so a calendar replaces the old version with the new one.
/// A cancellation is `METHOD:CANCEL` with `STATUS:CANCELLED`; everything else `METHOD:PUBLISH`.
pub fn calendar(facts: &Facts, kind: Kind) -> String {
    calendar_stamped(facts, kind, Utc::now())
}

fn calendar_stamped(facts: &Facts, kind: Kind, stamp: DateTime<Utc>) -> String {
    let cancelled = kind == Kind::Cancelled;
    let mut out = String::new();
    let mut line = |name: &str, value: &str| fold_into(&mut out, &format!("{name}:{value}"));

    line("BEGIN", "VCALENDAR");
    line("VERSION", "2.0");
    line("PRODID", "-//barber//notifications//EN");
    line("CALSCALE", "GREGORIAN");
    line("METHOD", if cancelled { "CANCEL" } else { "PUBLISH" });
    line("BEGIN", "VEVENT");
    line("UID", &format!("{}@barber", facts.appointment_id));
    line("DTSTAMP", &utc(stamp));
    line("SEQUENCE", &facts.sequence.to_string());
    line("DTSTART", &utc(facts.starts_at));
    line("DTEND", &utc(facts.ends_at));
    line(
        "SUMMARY",
        &text(&format!(
            "{} at {}",
            facts.service_name, facts.business_name
        )),
    );
    if let Some(address) = &facts.business_address {
        line("LOCATION", &text(address));
    }
    line("DESCRIPTION", &text(&description(facts)));
    if let Some(url) = &facts.manage_url {
        line("URL", url);
    }
    line("STATUS", if cancelled { "CANCELLED" } else { "CONFIRMED" });
    line("TRANSP", "OPAQUE");
    line("END", "VEVENT");
    line("END", "VCALENDAR");
    out
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

/// A UTC date-time, `20261201T100000Z`.
fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A TEXT value (§3.3.11): backslash, semicolon and comma escaped, line breaks as `\n`.
fn text(value: &str) -> String {
    let mut escaped = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '\\' => escaped.push_str("\\\\"),
            ';' => escaped.push_str("\\;"),
            ',' => escaped.push_str("\\,"),
            '\n' => escaped.push_str("\\n"),
            '\r' => {}
            other => escaped.push(other),
        }
    }
    escaped
}

/// Appends one content line, folded so no line is longer than 75 octets (the leading space of a
/// continuation counts), never inside a UTF-8 character, and ended by CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut segment = String::new();
    let mut limit = LINE_LIMIT;
    for ch in line.chars() {
        if segment.len() + ch.len_utf8() > limit {
            let carry = segment.split_off(fold_point(&segment, ch));
            out.push_str(&segment);
            out.push_str("\r\n ");
            segment = carry;
            limit = LINE_LIMIT - 1;
        }
        segment.push(ch);
    }
    out.push_str(&segment);
    out.push_str("\r\n");
}

/// Where to fold a full line: between two non-blank characters near its end when there is
/// one, because some readers trim the blanks on either side of a fold; else at the end.
fn fold_point(segment: &str, next: char) -> usize {
    let mut after = next;
    for (index, before) in segment.char_indices().rev().take(16) {
        if !before.is_whitespace() && !after.is_whitespace() {
            return index + before.len_utf8();
        }
        after = before;
    }
    segment.len()
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
            assert!(line.len() <= LINE_LIMIT, "{} octets: {line:?}", line.len());
        }
        let parsed = parse(&ics);
        let location = property(&parsed.events[0].properties, "LOCATION").expect("a location");
        assert_eq!(location, text(&facts.business_address.expect("set above")));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(text("a,b;c\\d\r\ne"), "a\\,b\\;c\\\\d\\ne");
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

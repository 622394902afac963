//! Every kind renders, says the right things on the shop's clock, and escapes what it is given.

use chrono::{DateTime, TimeZone, Utc};

use super::*;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("a valid UTC time")
}

/// A winter appointment at a London shop, with every optional fact filled.
pub(crate) fn facts() -> Facts {
    Facts {
        business_name: "Sharp, Clean & Co".into(),
        business_timezone: chrono_tz::Europe::London,
        business_address: Some("12 High Street, London".into()),
        customer_name: "Ana".into(),
        service_name: "Skin fade".into(),
        barber_name: Some("Sam".into()),
        starts_at: utc(2026, 12, 1, 10, 0),
        ends_at: utc(2026, 12, 1, 10, 30),
        previous_starts_at: None,
        manage_url: Some("https://barber.example/a/xyz".into()),
        rebook_url: Some("https://barber.example/b/sharp".into()),
        appointment_id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001),
        sequence: 0,
    }
}

fn bare(mut facts: Facts) -> Facts {
    facts.business_address = None;
    facts.barber_name = None;
    facts.manage_url = None;
    facts.rebook_url = None;
    facts
}

#[test]
fn every_kind_renders_with_all_facts_and_with_none_of_the_optional_ones() {
    for kind in Kind::ALL {
        for facts in [facts(), bare(facts())] {
            let rendered = render(kind, &facts).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert!(!rendered.subject.is_empty(), "{kind:?}");
            assert!(
                !rendered.subject.contains('\n'),
                "{kind:?}: {}",
                rendered.subject
            );
            assert!(rendered.text.contains("Ana"), "{kind:?}: {}", rendered.text);
            assert!(rendered.html.starts_with("<!DOCTYPE html>"), "{kind:?}");
            assert!(rendered.sms.contains("Sharp, Clean & Co"), "{kind:?}");
            assert!(
                rendered.sms.chars().count() <= 300,
                "{kind:?}: {}",
                rendered.sms
            );
            assert!(!rendered.sms.contains('\n'), "{kind:?}: {}", rendered.sms);
        }
    }
}

#[test]
fn a_confirmation_shows_the_winter_time_in_london() {
    let rendered = render(Kind::Confirmation, &facts()).expect("renders");
    assert_eq!(
        rendered.subject,
        "You're booked: Skin fade at Sharp, Clean & Co, Tue 1 Dec, 10:00"
    );
    assert!(rendered
        .text
        .contains("Tuesday 1 December 2026 at 10:00 (Europe/London), until 10:30"));
    assert!(rendered.text.contains("https://barber.example/a/xyz"));
    assert!(
        rendered
            .text
            .contains("  Skin fade with Sam\n\n  Tuesday 1 December"),
        "{}",
        rendered.text
    );
    assert!(rendered
        .html
        .contains("Tuesday 1 December 2026 at 10:00 (Europe&#x2f;London)"));
    assert_eq!(
        rendered.sms,
        "Sharp, Clean & Co: you're booked for Skin fade with Sam on Tue 1 Dec, 10:00. \
         Manage: https://barber.example/a/xyz"
    );
}

#[test]
fn a_reminder_on_the_spring_forward_day_shows_summer_time() {
    let mut facts = facts();
    // 2026-03-29 09:00 UTC is 10:00 in London: the clocks went forward at 01:00 UTC
    facts.starts_at = utc(2026, 3, 29, 9, 0);
    facts.ends_at = utc(2026, 3, 29, 9, 45);
    let rendered = render(Kind::Reminder, &facts).expect("renders");
    assert!(
        rendered
            .text
            .contains("Sunday 29 March 2026 at 10:00 (Europe/London), until 10:45"),
        "{}",
        rendered.text
    );
    assert!(
        rendered.sms.contains("Sun 29 Mar, 10:00"),
        "{}",
        rendered.sms
    );
}

#[test]
fn a_reschedule_says_when_it_was_and_when_it_is() {
    let mut facts = facts();
    facts.previous_starts_at = Some(utc(2026, 7, 14, 9, 30));
    let rendered = render(Kind::Rescheduled, &facts).expect("renders");
    assert!(rendered
        .text
        .contains("It was: Tuesday 14 July 2026 at 10:30 (Europe/London)"));
    assert!(rendered
        .text
        .contains("Tuesday 1 December 2026 at 10:00 (Europe/London)"));
    assert!(rendered
        .sms
        .contains("on Tue 14 Jul, 10:30 has moved to Tue 1 Dec, 10:00"));
}

#[test]
fn a_cancellation_and_a_follow_up_offer_the_booking_page() {
    for kind in [Kind::Cancelled, Kind::FollowUp] {
        let rendered = render(kind, &facts()).expect("renders");
        assert!(
            rendered.text.contains("https://barber.example/b/sharp"),
            "{kind:?}"
        );
        // the HTML escape writes `/` as `&#x2f;`, which every HTML reader decodes in an href
        let href = "href=\"https:&#x2f;&#x2f;barber.example&#x2f;b&#x2f;sharp\"";
        assert!(rendered.html.contains(href), "{kind:?}: {}", rendered.html);
        assert!(
            rendered.sms.contains("https://barber.example/b/sharp"),
            "{kind:?}"
        );
    }
}

#[test]
fn names_are_escaped_in_html_and_left_alone_in_text() {
    let mut facts = facts();
    facts.customer_name = "<b>Ana</b> & co".into();
    facts.service_name = "Cut \"deluxe\"".into();
    for kind in Kind::ALL {
        let rendered = render(kind, &facts).expect("renders");
        assert!(
            rendered
                .html
                .contains("&lt;b&gt;Ana&lt;&#x2f;b&gt; &amp; co")
                || rendered.html.contains("&lt;b&gt;Ana&lt;/b&gt; &amp; co"),
            "{kind:?}: {}",
            rendered.html
        );
        assert!(!rendered.html.contains("<b>Ana"), "{kind:?}");
        assert!(!rendered.html.contains("\"deluxe\""), "{kind:?}");
        assert!(rendered.text.contains("<b>Ana</b> & co"), "{kind:?}");
    }
}

#[test]
fn the_business_name_is_escaped_in_the_html_title_and_header() {
    let rendered = render(Kind::Confirmation, &facts()).expect("renders");
    assert!(!rendered.html.contains("Clean & Co"));
    assert!(rendered.html.contains("Clean &amp; Co"));
}

#[test]
fn kinds_are_stored_by_their_snake_case_names() {
    for kind in Kind::ALL {
        let json = serde_json::to_string(&kind).expect("serialises");
        assert_eq!(json, format!("\"{}\"", kind.as_str()));
    }
    assert_eq!(Kind::FollowUp.as_str(), "follow_up");
}

//! Given/when/then for tags, preferences and marketing consent.

use serde_json::json;

use super::*;
use crate::customer::profile::{MAX_PREFERENCES_BYTES, MAX_TAGS};

#[test]
fn tags_are_replaced_normalised_and_cleared() {
    CustomerTest::with(())
        .given(vec![registered(), tags_changed(&["vip"])])
        .when(set_tags(&[" Skin  Fade", "VIP"]))
        .then_expect_events(vec![tags_changed(&["skin fade", "vip"])]);
    CustomerTest::with(())
        .given(vec![registered(), tags_changed(&["vip"])])
        .when(set_tags(&[]))
        .then_expect_events(vec![tags_changed(&[])]);
}

#[test]
fn the_same_tags_again_record_nothing() {
    CustomerTest::with(())
        .given(vec![registered(), tags_changed(&["beard", "vip"])])
        .when(set_tags(&["vip", "Beard"]))
        .then_expect_events(vec![]);
}

#[test]
fn bad_tags_are_refused() {
    let too_many: Vec<String> = (0..=MAX_TAGS).map(|n| format!("t{n}")).collect();
    let cases = [
        (
            set_tags(&["ok", "vip!"]),
            DetailsError::InvalidTag("vip!".into()),
        ),
        (set_tags(&[""]), DetailsError::InvalidTag(String::new())),
        (
            set_tags(&[&"x".repeat(41)]),
            DetailsError::InvalidTag("x".repeat(41)),
        ),
        (
            update_details(CustomerDetails {
                tags: Some(too_many),
                ..Default::default()
            }),
            DetailsError::TooManyTags,
        ),
    ];
    for (command, error) in cases {
        CustomerTest::with(())
            .given(vec![registered()])
            .when(command)
            .then_expect_error(refused(error));
    }
}

#[test]
fn preferences_are_replaced_and_cleared() {
    CustomerTest::with(())
        .given(vec![
            registered(),
            preferences_changed(json!({"drink": "tea"})),
        ])
        .when(set_preferences(json!({"barber": "Jo"})))
        .then_expect_events(vec![preferences_changed(json!({"barber": "Jo"}))]);
    CustomerTest::with(())
        .given(vec![
            registered(),
            preferences_changed(json!({"drink": "tea"})),
        ])
        .when(set_preferences(json!({})))
        .then_expect_events(vec![preferences_changed(json!({}))]);
}

#[test]
fn the_same_preferences_again_record_nothing() {
    CustomerTest::with(())
        .given(vec![
            registered(),
            preferences_changed(json!({"a": 1, "b": [true]})),
        ])
        .when(set_preferences(json!({"b": [true], "a": 1})))
        .then_expect_events(vec![]);
}

#[test]
fn bad_preferences_are_refused() {
    let cases = [
        (json!(["espresso"]), DetailsError::PreferencesNotAnObject),
        (json!("espresso"), DetailsError::PreferencesNotAnObject),
        (
            json!({"n": "x".repeat(MAX_PREFERENCES_BYTES)}),
            DetailsError::PreferencesTooLarge,
        ),
    ];
    for (preferences, error) in cases {
        CustomerTest::with(())
            .given(vec![registered()])
            .when(set_preferences(preferences))
            .then_expect_error(refused(error));
    }
}

#[test]
fn consent_is_given_and_withdrawn_with_its_moment() {
    CustomerTest::with(())
        .given(vec![registered()])
        .when(consent(true, 9))
        .then_expect_events(vec![CustomerEvent::MarketingConsentGiven { at: at(9) }]);
    CustomerTest::with(())
        .given(vec![
            registered(),
            CustomerEvent::MarketingConsentGiven { at: at(9) },
        ])
        .when(consent(false, 11))
        .then_expect_events(vec![CustomerEvent::MarketingConsentWithdrawn {
            at: at(11),
        }]);
}

#[test]
fn the_same_consent_answer_again_records_nothing() {
    CustomerTest::with(())
        .given(vec![
            registered(),
            CustomerEvent::MarketingConsentGiven { at: at(9) },
        ])
        .when(consent(true, 12))
        .then_expect_events(vec![]);
    CustomerTest::with(())
        .given(vec![registered()])
        .when(consent(false, 12))
        .then_expect_events(vec![]);
    CustomerTest::with(())
        .given(vec![
            registered(),
            CustomerEvent::MarketingConsentGiven { at: at(9) },
            CustomerEvent::MarketingConsentWithdrawn { at: at(10) },
        ])
        .when(consent(false, 12))
        .then_expect_events(vec![]);
}

fn reminders(wanted: bool, hour: u32) -> CustomerCommand {
    update_details(CustomerDetails {
        reminders: answer(wanted, hour),
        ..Default::default()
    })
}

#[test]
fn reminders_are_declined_and_wanted_again_and_the_same_answer_records_nothing() {
    // everyone wants reminders until they say otherwise
    CustomerTest::with(())
        .given(vec![registered()])
        .when(reminders(true, 9))
        .then_expect_events(vec![]);
    CustomerTest::with(())
        .given(vec![registered()])
        .when(reminders(false, 9))
        .then_expect_events(vec![CustomerEvent::RemindersDeclined { at: at(9) }]);
    CustomerTest::with(())
        .given(vec![
            registered(),
            CustomerEvent::RemindersDeclined { at: at(9) },
        ])
        .when(reminders(false, 10))
        .then_expect_events(vec![]);
    CustomerTest::with(())
        .given(vec![
            registered(),
            CustomerEvent::RemindersDeclined { at: at(9) },
        ])
        .when(reminders(true, 11))
        .then_expect_events(vec![CustomerEvent::RemindersWanted { at: at(11) }]);
}

//! Given/when/then for commands of several parts (what one `POST` or `PATCH /customers`
//! sends): every change is recorded together, in order; a refusal of any part records nothing;
//! a part that changes nothing records nothing.

use serde_json::json;

use super::*;

fn everything(hour: u32) -> CustomerDetails {
    CustomerDetails {
        tags: tags(&["VIP", " beard ", "vip"]),
        preferences: Some(json!({"barber": "Jo", "drink": "espresso"})),
        marketing_consent: answer(true, hour),
        reminders: None,
    }
}

#[test]
fn registering_with_tags_preferences_and_consent_records_each_fact() {
    CustomerTest::with(())
        .given_no_previous_events()
        .when(register_with(ana_typed(), everything(9)))
        .then_expect_events(vec![
            registered(),
            tags_changed(&["beard", "vip"]),
            preferences_changed(json!({"barber": "Jo", "drink": "espresso"})),
            CustomerEvent::MarketingConsentGiven { at: at(9) },
        ]);
}

#[test]
fn registering_with_empty_details_records_only_the_registration() {
    let details = CustomerDetails {
        tags: tags(&[]),
        preferences: Some(json!({})),
        marketing_consent: answer(false, 9),
        reminders: None,
    };
    CustomerTest::with(())
        .given_no_previous_events()
        .when(register_with(ana_typed(), details))
        .then_expect_events(vec![registered()]);
}

#[test]
fn a_refused_detail_records_not_even_the_registration() {
    let details = CustomerDetails {
        preferences: Some(json!(["espresso"])),
        ..everything(9)
    };
    CustomerTest::with(())
        .given_no_previous_events()
        .when(register_with(ana_typed(), details))
        .then_expect_error(refused(DetailsError::PreferencesNotAnObject));
}

#[test]
fn an_update_of_every_part_records_each_change_in_order() {
    let command = update_with(
        changes(Some("Ana Costa"), None, None, None),
        CustomerDetails {
            tags: tags(&["regular"]),
            preferences: Some(json!({"drink": "tea"})),
            marketing_consent: answer(false, 10),
            reminders: None,
        },
    );
    CustomerTest::with(())
        .given(vec![
            registered(),
            CustomerEvent::MarketingConsentGiven { at: at(9) },
        ])
        .when(command)
        .then_expect_events(vec![
            CustomerEvent::CustomerProfileUpdated {
                pii: CustomerPii {
                    name: "Ana Costa".into(),
                    ..ana()
                },
            },
            tags_changed(&["regular"]),
            preferences_changed(json!({"drink": "tea"})),
            CustomerEvent::MarketingConsentWithdrawn { at: at(10) },
        ]);
}

#[test]
fn one_refused_part_of_an_update_records_nothing_of_it() {
    let command = update_with(
        changes(Some("Ana Costa"), None, None, None),
        CustomerDetails {
            tags: tags(&["vip", "no!"]),
            marketing_consent: answer(true, 9),
            ..Default::default()
        },
    );
    CustomerTest::with(())
        .given(vec![registered()])
        .when(command)
        .then_expect_error(refused(DetailsError::InvalidTag("no!".into())));
}

#[test]
fn a_refused_profile_refuses_the_details_sent_with_it() {
    let command = update_with(
        changes(None, None, Some(Some("nope".into())), None),
        everything(9),
    );
    CustomerTest::with(())
        .given(vec![registered()])
        .when(command)
        .then_expect_error(refused(CustomerError::InvalidEmail("nope".into())));
}

#[test]
fn an_update_records_only_the_parts_that_change() {
    let command = update_with(
        changes(None, None, None, Some(Some("skin fade".into()))),
        CustomerDetails {
            tags: tags(&["beard", "regular"]),
            preferences: Some(json!({"drink": "tea"})),
            marketing_consent: answer(false, 10),
            reminders: None,
        },
    );
    CustomerTest::with(())
        .given(vec![
            registered(),
            tags_changed(&["vip"]),
            preferences_changed(json!({"drink": "tea"})),
            CustomerEvent::MarketingConsentGiven { at: at(9) },
        ])
        .when(command)
        .then_expect_events(vec![
            CustomerEvent::CustomerProfileUpdated {
                pii: CustomerPii {
                    notes: Some("skin fade".into()),
                    ..ana()
                },
            },
            tags_changed(&["beard", "regular"]),
            CustomerEvent::MarketingConsentWithdrawn { at: at(10) },
        ]);
}

#[test]
fn an_update_that_repeats_every_part_records_nothing() {
    let command = update_with(
        changes(
            Some(" Ana Silva "),
            None,
            Some(Some("ana@EXAMPLE.com".into())),
            None,
        ),
        everything(12),
    );
    CustomerTest::with(())
        .given(vec![
            registered(),
            tags_changed(&["beard", "vip"]),
            preferences_changed(json!({"drink": "espresso", "barber": "Jo"})),
            CustomerEvent::MarketingConsentGiven { at: at(9) },
        ])
        .when(command)
        .then_expect_events(vec![]);
}

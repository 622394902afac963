//! Given/when/then for every command of the Customer aggregate and every refusal: registering,
//! updating, batches and tenancy here, tags, preferences and consent in [`details`]. The detailed
//! rules of tags and preferences are tested beside them in `profile`.

use chrono::TimeZone;
use cqrs_es::test::TestFramework;
use serde_json::json;

use super::profile::MAX_NOTES;
use super::*;

mod details;

pub(super) type CustomerTest = TestFramework<Customer>;

pub(super) const TENANT: Uuid = Uuid::nil();
const OTHER_TENANT: Uuid = Uuid::from_u128(1);

fn ana() -> CustomerPii {
    CustomerPii {
        name: "Ana Silva".into(),
        phone: Some("+447700900123".into()),
        email: Some("ana@example.com".into()),
        notes: None,
    }
}

pub(super) fn registered() -> CustomerEvent {
    CustomerEvent::CustomerRegistered {
        customer_id: Uuid::nil(),
        business_id: TENANT,
        pii: ana(),
    }
}

pub(super) fn at(hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, hour, 0, 0)
        .single()
        .expect("instant")
}

fn register(profile: CustomerProfile) -> CustomerCommand {
    CustomerCommand::Register {
        customer_id: Uuid::nil(),
        tenant_id: TENANT,
        profile,
    }
}

type Field = Option<Option<String>>;

fn update(name: Option<&str>, phone: Field, email: Field, notes: Field) -> CustomerCommand {
    CustomerCommand::UpdateProfile {
        tenant_id: TENANT,
        name: name.map(Into::into),
        phone,
        email,
        notes,
    }
}

pub(super) fn set_tags(tags: &[&str]) -> CustomerCommand {
    CustomerCommand::SetTags {
        tenant_id: TENANT,
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

pub(super) fn tags_changed(tags: &[&str]) -> CustomerEvent {
    CustomerEvent::CustomerTagsChanged {
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

pub(super) fn set_preferences(preferences: Value) -> CustomerCommand {
    CustomerCommand::SetPreferences {
        tenant_id: TENANT,
        preferences,
    }
}

pub(super) fn preferences_changed(preferences: Value) -> CustomerEvent {
    let Value::Object(preferences) = preferences else {
        panic!("preferences in tests are objects");
    };
    CustomerEvent::CustomerPreferencesChanged {
        pii: PreferencesPii { preferences },
    }
}

pub(super) fn consent(consent: bool, hour: u32) -> CustomerCommand {
    CustomerCommand::SetMarketingConsent {
        tenant_id: TENANT,
        consent,
        at: at(hour),
    }
}

pub(super) fn refused(error: impl Into<CustomerRefusal>) -> CustomerRefusal {
    error.into()
}

#[test]
fn registering_normalises_the_contact_details() {
    CustomerTest::with(())
        .given_no_previous_events()
        .when(register(CustomerProfile {
            name: "  Ana Silva ".into(),
            phone: Some("+44 7700 900123".into()),
            email: Some("ana@EXAMPLE.com".into()),
            notes: Some("  ".into()),
        }))
        .then_expect_events(vec![registered()]);
}

#[test]
fn registering_twice_is_refused() {
    CustomerTest::with(())
        .given(vec![registered()])
        .when(register(CustomerProfile {
            name: "Ana".into(),
            ..Default::default()
        }))
        .then_expect_error(refused(CustomerError::AlreadyRegistered));
}

#[test]
fn bad_details_are_refused() {
    let named = |f: fn(&mut CustomerProfile)| {
        let mut profile = CustomerProfile {
            name: "Bo".into(),
            ..Default::default()
        };
        f(&mut profile);
        profile
    };
    let cases = [
        (CustomerProfile::default(), CustomerError::InvalidName),
        (
            named(|p| p.phone = Some("0770".into())),
            CustomerError::InvalidPhone("0770".into()),
        ),
        (
            named(|p| p.email = Some("bo@".into())),
            CustomerError::InvalidEmail("bo@".into()),
        ),
        (
            named(|p| p.notes = Some("x".repeat(MAX_NOTES + 1))),
            CustomerError::NotesTooLong,
        ),
    ];
    for (profile, error) in cases {
        CustomerTest::with(())
            .given_no_previous_events()
            .when(register(profile))
            .then_expect_error(refused(error));
    }
}

#[test]
fn registering_with_tags_preferences_and_consent_records_each_fact() {
    let command = CustomerCommand::Batch(vec![
        register(CustomerProfile {
            name: "Ana Silva".into(),
            phone: Some("+447700900123".into()),
            email: Some("ana@example.com".into()),
            notes: None,
        }),
        set_tags(&["VIP", " beard ", "vip"]),
        set_preferences(json!({"barber": "Jo", "drink": "espresso"})),
        consent(true, 9),
    ]);
    CustomerTest::with(())
        .given_no_previous_events()
        .when(command)
        .then_expect_events(vec![
            registered(),
            tags_changed(&["beard", "vip"]),
            preferences_changed(json!({"barber": "Jo", "drink": "espresso"})),
            CustomerEvent::MarketingConsentGiven { at: at(9) },
        ]);
}

#[test]
fn registering_with_empty_details_records_only_the_registration() {
    let command = CustomerCommand::Batch(vec![
        register(CustomerProfile {
            name: "Ana Silva".into(),
            phone: Some("+447700900123".into()),
            email: Some("ana@example.com".into()),
            notes: None,
        }),
        set_tags(&[]),
        set_preferences(json!({})),
        consent(false, 9),
    ]);
    CustomerTest::with(())
        .given_no_previous_events()
        .when(command)
        .then_expect_events(vec![registered()]);
}

#[test]
fn one_refusal_in_a_batch_records_nothing_of_it() {
    let command = CustomerCommand::Batch(vec![
        update(Some("Ana Costa"), None, None, None),
        consent(true, 9),
        set_tags(&["vip", "no!"]),
    ]);
    CustomerTest::with(())
        .given(vec![registered()])
        .when(command)
        .then_expect_error(refused(DetailsError::InvalidTag("no!".into())));
}

#[test]
fn a_batch_update_records_only_what_changed() {
    let command = CustomerCommand::Batch(vec![
        update(None, None, None, Some(Some("skin fade".into()))),
        set_tags(&["beard", "regular"]),
        set_preferences(json!({"drink": "tea"})),
        consent(false, 10),
    ]);
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
fn updating_changes_only_the_given_fields() {
    let command = update(
        None,
        Some(None),
        None,
        Some(Some("likes a skin fade".into())),
    );
    CustomerTest::with(())
        .given(vec![registered()])
        .when(command)
        .then_expect_events(vec![CustomerEvent::CustomerProfileUpdated {
            pii: CustomerPii {
                phone: None,
                notes: Some("likes a skin fade".into()),
                ..ana()
            },
        }]);
}

#[test]
fn an_update_that_changes_nothing_records_nothing() {
    CustomerTest::with(())
        .given(vec![registered()])
        .when(update(Some("Ana Silva"), None, None, None))
        .then_expect_events(vec![]);
}

#[test]
fn an_update_to_an_invalid_email_is_refused() {
    CustomerTest::with(())
        .given(vec![registered()])
        .when(update(None, None, Some(Some("nope".into())), None))
        .then_expect_error(refused(CustomerError::InvalidEmail("nope".into())));
}

#[test]
fn every_change_to_an_unknown_customer_is_refused() {
    for command in [
        update(Some("Ana"), None, None, None),
        set_tags(&["vip"]),
        set_preferences(json!({})),
        consent(true, 9),
        CustomerCommand::Batch(vec![set_tags(&["vip"])]),
    ] {
        CustomerTest::with(())
            .given_no_previous_events()
            .when(command)
            .then_expect_error(refused(CustomerError::NotFound));
    }
}

#[test]
fn another_business_cannot_change_a_customer() {
    for command in [
        CustomerCommand::UpdateProfile {
            tenant_id: OTHER_TENANT,
            name: Some("Stolen".into()),
            phone: None,
            email: None,
            notes: None,
        },
        CustomerCommand::SetTags {
            tenant_id: OTHER_TENANT,
            tags: vec!["vip".into()],
        },
        CustomerCommand::SetPreferences {
            tenant_id: OTHER_TENANT,
            preferences: json!({"drink": "tea"}),
        },
        CustomerCommand::SetMarketingConsent {
            tenant_id: OTHER_TENANT,
            consent: true,
            at: at(9),
        },
    ] {
        CustomerTest::with(())
            .given(vec![registered()])
            .when(command)
            .then_expect_error(refused(CustomerError::NotFound));
    }
}

#[test]
fn the_state_answers_what_bookings_and_marketing_ask() {
    let mut customer = Customer::default();
    for event in [
        registered(),
        CustomerEvent::MarketingConsentGiven { at: at(9) },
    ] {
        customer.apply(event);
    }
    assert!(customer.belongs_to(TENANT) && !customer.belongs_to(OTHER_TENANT));
    assert!(customer.has_marketing_consent());
    customer.apply(CustomerEvent::MarketingConsentWithdrawn { at: at(10) });
    assert!(!customer.has_marketing_consent());
}

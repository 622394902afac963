//! Given/when/then for every command of the Customer aggregate and every refusal: registering,
//! updating the profile and tenancy here, tags, preferences and consent in [`details`], several
//! parts in one command in [`together`], erasure in [`erasure`]. The detailed rules of tags and
//! preferences are tested beside them in `profile`.

use chrono::TimeZone;
use cqrs_es::test::TestFramework;
use events::customer::PreferencesPii;
use serde_json::json;

use super::profile::MAX_NOTES;
use super::*;

mod details;
mod erasure;
mod merge;
mod phone;
mod together;

pub(super) type CustomerTest = TestFramework<Customer>;

pub(super) const TENANT: Uuid = Uuid::nil();
pub(super) const OTHER_TENANT: Uuid = Uuid::from_u128(1);

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

pub(super) fn ana_typed() -> CustomerProfile {
    CustomerProfile {
        name: "Ana Silva".into(),
        phone: Some("+447700900123".into()),
        email: Some("ana@example.com".into()),
        notes: None,
    }
}

pub(super) fn register(profile: CustomerProfile) -> CustomerCommand {
    register_with(profile, CustomerDetails::default())
}

pub(super) fn register_with(profile: CustomerProfile, details: CustomerDetails) -> CustomerCommand {
    CustomerCommand::Register {
        customer_id: Uuid::nil(),
        tenant_id: TENANT,
        country: None,
        profile,
        details,
    }
}

pub(super) type Field = Option<Option<String>>;

pub(super) fn changes(
    name: Option<&str>,
    phone: Field,
    email: Field,
    notes: Field,
) -> ProfileChanges {
    ProfileChanges {
        name: name.map(Into::into),
        phone,
        email,
        notes,
    }
}

pub(super) fn update(
    name: Option<&str>,
    phone: Field,
    email: Field,
    notes: Field,
) -> CustomerCommand {
    update_with(
        changes(name, phone, email, notes),
        CustomerDetails::default(),
    )
}

pub(super) fn update_with(profile: ProfileChanges, details: CustomerDetails) -> CustomerCommand {
    CustomerCommand::Update {
        tenant_id: TENANT,
        country: None,
        profile,
        details,
    }
}

/// An update of one detail only.
pub(super) fn update_details(details: CustomerDetails) -> CustomerCommand {
    update_with(ProfileChanges::default(), details)
}

pub(super) fn tags(tags: &[&str]) -> Option<Vec<String>> {
    Some(tags.iter().map(|t| (*t).to_owned()).collect())
}

pub(super) fn set_tags(names: &[&str]) -> CustomerCommand {
    update_details(CustomerDetails {
        tags: tags(names),
        ..Default::default()
    })
}

pub(super) fn tags_changed(tags: &[&str]) -> CustomerEvent {
    CustomerEvent::CustomerTagsChanged {
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

pub(super) fn set_preferences(preferences: Value) -> CustomerCommand {
    update_details(CustomerDetails {
        preferences: Some(preferences),
        ..Default::default()
    })
}

pub(super) fn preferences_changed(preferences: Value) -> CustomerEvent {
    let Value::Object(preferences) = preferences else {
        panic!("preferences in tests are objects");
    };
    CustomerEvent::CustomerPreferencesChanged {
        pii: PreferencesPii { preferences },
    }
}

pub(super) fn answer(given: bool, hour: u32) -> Option<MarketingConsent> {
    Some(MarketingConsent {
        given,
        at: at(hour),
    })
}

pub(super) fn consent(given: bool, hour: u32) -> CustomerCommand {
    update_details(CustomerDetails {
        marketing_consent: answer(given, hour),
        ..Default::default()
    })
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
        update(None, None, None, None),
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
        update(Some("Stolen"), None, None, None),
        set_tags(&["vip"]),
        set_preferences(json!({"drink": "tea"})),
        consent(true, 9),
        update(None, None, None, None),
    ] {
        let CustomerCommand::Update {
            profile, details, ..
        } = command
        else {
            panic!("every command here is an update");
        };
        let command = CustomerCommand::Update {
            tenant_id: OTHER_TENANT,
            country: None,
            profile,
            details,
        };
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

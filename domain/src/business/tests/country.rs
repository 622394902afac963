//! Given/when/then for the business's country: given at opening, changed, removed, refused when
//! it names none.

use super::*;

fn open_in(country: Option<&str>) -> BusinessCommand {
    let mut command = open();
    if let BusinessCommand::Open { country: c, .. } = &mut command {
        *c = country.map(Into::into);
    }
    command
}

fn opened_in(country: &str) -> BusinessEvent {
    let mut event = opened();
    if let BusinessEvent::BusinessOpened { country: c, .. } = &mut event {
        *c = Some(country.into());
    }
    event
}

fn change_country(country: Option<&str>) -> BusinessCommand {
    BusinessCommand::ChangeSettings {
        tenant_id: Uuid::nil(),
        name: None,
        timezone: None,
        currency: None,
        country: Some(country.map(Into::into)),
    }
}

fn settings(country: Option<&str>) -> BusinessEvent {
    BusinessEvent::BusinessSettingsChanged {
        name: "Fade Street".into(),
        timezone: "Europe/London".into(),
        currency: "GBP".into(),
        country: country.map(Into::into),
    }
}

#[test]
fn a_business_opens_with_its_country_in_capitals() {
    TestFramework::<Business>::with(())
        .given_no_previous_events()
        .when(open_in(Some("gb")))
        .then_expect_events(vec![opened_in("GB")]);
}

#[test]
fn a_code_that_names_no_country_is_refused() {
    for bad in ["UK", "GBR", "", "XK"] {
        TestFramework::<Business>::with(())
            .given_no_previous_events()
            .when(open_in(Some(bad)))
            .then_expect_error(BusinessError::InvalidCountry(bad.into()));
        TestFramework::<Business>::with(())
            .given(vec![opened()])
            .when(change_country(Some(bad)))
            .then_expect_error(BusinessError::InvalidCountry(bad.into()));
    }
}

#[test]
fn the_country_is_set_changed_and_removed_with_the_other_settings() {
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(change_country(Some("us")))
        .then_expect_events(vec![settings(Some("US"))]);
    TestFramework::<Business>::with(())
        .given(vec![opened_in("GB")])
        .when(change_country(None))
        .then_expect_events(vec![settings(None)]);
    TestFramework::<Business>::with(())
        .given(vec![opened_in("GB")])
        .when(change_country(Some("GB")))
        .then_expect_events(vec![]);
}

#[test]
fn other_settings_keep_the_country() {
    TestFramework::<Business>::with(())
        .given(vec![opened_in("GB")])
        .when(change(Some("Fade Street Two"), None, None))
        .then_expect_events(vec![BusinessEvent::BusinessSettingsChanged {
            name: "Fade Street Two".into(),
            timezone: "Europe/London".into(),
            currency: "GBP".into(),
            country: Some("GB".into()),
        }]);
}

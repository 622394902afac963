//! Given/when/then for what the business shows on its public page: its profile (address and
//! logo) and its online booking setting.

use events::business::OnlineBooking;

use super::*;

fn profile(address: Option<&str>, logo_url: Option<&str>) -> BusinessCommand {
    BusinessCommand::SetProfile {
        tenant_id: Uuid::nil(),
        address: address.map(Into::into),
        logo_url: logo_url.map(Into::into),
    }
}

#[test]
fn a_profile_is_recorded_trimmed_and_the_same_again_records_nothing() {
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(profile(
            Some(" 1 High St, Leeds "),
            Some("https://fade.example/logo.png"),
        ))
        .then_expect_events(vec![BusinessEvent::BusinessProfileSet {
            address: Some("1 High St, Leeds".into()),
            logo_url: Some("https://fade.example/logo.png".into()),
        }]);
    TestFramework::<Business>::with(())
        .given(vec![
            opened(),
            BusinessEvent::BusinessProfileSet {
                address: Some("1 High St, Leeds".into()),
                logo_url: None,
            },
        ])
        .when(profile(Some("1 High St, Leeds"), Some("  ")))
        .then_expect_events(vec![]);
}

#[test]
fn a_logo_must_be_an_https_address_and_an_address_not_too_long() {
    for logo in [
        "http://fade.example/logo.png",
        "https://",
        "https://a b",
        "ftp://x",
    ] {
        TestFramework::<Business>::with(())
            .given(vec![opened()])
            .when(profile(None, Some(logo)))
            .then_expect_error(BusinessError::InvalidLogoUrl);
    }
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(profile(Some(&"x".repeat(501)), None))
        .then_expect_error(BusinessError::InvalidAddress);
}

#[test]
fn online_booking_lists_are_kept_sorted_without_repeats() {
    let (a, b) = (Uuid::from_u128(7), Uuid::from_u128(3));
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(BusinessCommand::SetOnlineBooking {
            tenant_id: Uuid::nil(),
            online_booking: OnlineBooking {
                enabled: true,
                service_ids: Some(vec![a, b, a]),
                staff_ids: None,
            },
        })
        .then_expect_events(vec![BusinessEvent::OnlineBookingSet {
            online_booking: OnlineBooking {
                enabled: true,
                service_ids: Some(vec![b, a]),
                staff_ids: None,
            },
        }]);
    // the default again changes nothing
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(BusinessCommand::SetOnlineBooking {
            tenant_id: Uuid::nil(),
            online_booking: OnlineBooking::default(),
        })
        .then_expect_events(vec![]);
}

//! Given/when/then for the Business aggregate; opening hours in [`opening_hours`].

use cqrs_es::test::TestFramework;

use super::rules::valid_timezone;
use super::*;

mod country;
mod opening_hours;
mod public_page;

fn open() -> BusinessCommand {
    BusinessCommand::Open {
        business_id: Uuid::nil(),
        name: " Fade Street ".into(),
        slug: "fade-street".into(),
        timezone: "Europe/London".into(),
        currency: "GBP".into(),
        owner_user_id: Uuid::nil(),
        owner_name: "Sam".into(),
        country: None,
    }
}

fn opened() -> BusinessEvent {
    BusinessEvent::BusinessOpened {
        business_id: Uuid::nil(),
        name: "Fade Street".into(),
        slug: "fade-street".into(),
        timezone: "Europe/London".into(),
        currency: "GBP".into(),
        owner_user_id: Uuid::nil(),
        owner_name: "Sam".into(),
        country: None,
    }
}

#[test]
fn opening_a_business_records_it() {
    TestFramework::<Business>::with(())
        .given_no_previous_events()
        .when(open())
        .then_expect_events(vec![opened()]);
}

#[test]
fn opening_twice_is_refused() {
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(open())
        .then_expect_error(BusinessError::AlreadyOpen);
}

#[test]
fn bad_settings_are_refused() {
    let (business_id, owner_user_id) = (Uuid::nil(), Uuid::nil());
    let with = |name: &str, slug: &str, timezone: &str, currency: &str, owner: &str| {
        BusinessCommand::Open {
            business_id,
            name: name.into(),
            slug: slug.into(),
            timezone: timezone.into(),
            currency: currency.into(),
            owner_user_id,
            owner_name: owner.into(),
            country: None,
        }
    };
    let cases = [
        (
            with(" ", "ok-slug", "UTC", "EUR", "Sam"),
            BusinessError::InvalidName,
        ),
        (
            with("A", "Bad_Slug", "UTC", "EUR", "Sam"),
            BusinessError::InvalidSlug("Bad_Slug".into()),
        ),
        (
            with("A", "-dash", "UTC", "EUR", "Sam"),
            BusinessError::InvalidSlug("-dash".into()),
        ),
        (
            with("A", "manage", "UTC", "EUR", "Sam"),
            BusinessError::InvalidSlug("manage".into()),
        ),
        (
            with("A", "ok-slug", "Mars/Olympus", "EUR", "Sam"),
            BusinessError::UnknownTimezone("Mars/Olympus".into()),
        ),
        (
            with("A", "ok-slug", "UTC", "euro", "Sam"),
            BusinessError::InvalidCurrency("euro".into()),
        ),
        (
            with("A", "ok-slug", "UTC", "EUR", ""),
            BusinessError::InvalidOwnerName,
        ),
    ];
    for (command, error) in cases {
        TestFramework::<Business>::with(())
            .given_no_previous_events()
            .when(command)
            .then_expect_error(error);
    }
}

#[test]
fn a_half_hour_timezone_is_accepted() {
    assert_eq!(
        valid_timezone("Asia/Kolkata").as_deref(),
        Some("Asia/Kolkata")
    );
}

fn change(name: Option<&str>, timezone: Option<&str>, currency: Option<&str>) -> BusinessCommand {
    BusinessCommand::ChangeSettings {
        tenant_id: Uuid::nil(),
        name: name.map(Into::into),
        timezone: timezone.map(Into::into),
        currency: currency.map(Into::into),
        country: None,
    }
}

#[test]
fn changing_settings_records_all_three_as_they_now_are() {
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(change(None, Some("America/New_York"), None))
        .then_expect_events(vec![BusinessEvent::BusinessSettingsChanged {
            name: "Fade Street".into(),
            timezone: "America/New_York".into(),
            currency: "GBP".into(),
            country: None,
        }]);
}

#[test]
fn settings_that_change_nothing_record_nothing() {
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(change(Some("Fade Street"), None, Some("GBP")))
        .then_expect_events(vec![]);
}

#[test]
fn bad_settings_changes_are_refused() {
    let cases = [
        (change(Some(""), None, None), BusinessError::InvalidName),
        (
            change(None, Some("Europe/Nowhere"), None),
            BusinessError::UnknownTimezone("Europe/Nowhere".into()),
        ),
        (
            change(None, None, Some("gbp")),
            BusinessError::InvalidCurrency("gbp".into()),
        ),
        // three capitals, but no currency
        (
            change(None, None, Some("XYZ")),
            BusinessError::InvalidCurrency("XYZ".into()),
        ),
        // ISO 4217's code for "no currency"
        (
            change(None, None, Some("XXX")),
            BusinessError::InvalidCurrency("XXX".into()),
        ),
    ];
    for (command, error) in cases {
        TestFramework::<Business>::with(())
            .given(vec![opened()])
            .when(command)
            .then_expect_error(error);
    }
}

#[test]
fn another_business_cannot_change_the_settings() {
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(BusinessCommand::ChangeSettings {
            tenant_id: Uuid::from_u128(7),
            name: Some("Mine now".into()),
            timezone: None,
            currency: None,
            country: None,
        })
        .then_expect_error(BusinessError::NotFound);
}

fn set_policy(policy: BookingPolicy) -> BusinessCommand {
    BusinessCommand::SetBookingPolicy {
        tenant_id: Uuid::nil(),
        policy,
    }
}

#[test]
fn a_booking_policy_is_recorded_with_its_reminders_latest_last() {
    let policy = BookingPolicy {
        min_lead_minutes: 30,
        max_advance_days: 90,
        cancellation_window_minutes: 12 * 60,
        default_buffer_minutes: 10,
        reminder_offsets_minutes: vec![60, 2880],
        allow_customer_overlap: false,
        notification_channels: vec![],
        follow_up: false,
        check_in_opens_minutes: 30,
    };
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(set_policy(policy.clone()))
        .then_expect_events(vec![BusinessEvent::BookingPolicyChanged {
            policy: BookingPolicy {
                reminder_offsets_minutes: vec![2880, 60],
                ..policy
            },
        }]);
}

#[test]
fn the_default_policy_changes_nothing() {
    TestFramework::<Business>::with(())
        .given(vec![opened()])
        .when(set_policy(BookingPolicy::default()))
        .then_expect_events(vec![]);
}

#[test]
fn out_of_range_policies_are_refused() {
    let with = |change: fn(&mut BookingPolicy)| {
        let mut policy = BookingPolicy::default();
        change(&mut policy);
        policy
    };
    let cases = [
        (with(|p| p.min_lead_minutes = 10081), PolicyError::LeadTime),
        (with(|p| p.max_advance_days = 0), PolicyError::Horizon),
        (with(|p| p.max_advance_days = 731), PolicyError::Horizon),
        (
            with(|p| p.cancellation_window_minutes = 43201),
            PolicyError::CancellationWindow,
        ),
        (with(|p| p.default_buffer_minutes = 7), PolicyError::Buffer),
        (
            with(|p| p.check_in_opens_minutes = 241),
            PolicyError::CheckInWindow,
        ),
        (
            with(|p| p.default_buffer_minutes = 125),
            PolicyError::Buffer,
        ),
        (
            with(|p| p.reminder_offsets_minutes = vec![60, 60]),
            PolicyError::ReminderOffsets,
        ),
        (
            with(|p| p.reminder_offsets_minutes = vec![1]),
            PolicyError::ReminderOffsets,
        ),
        (
            with(|p| p.reminder_offsets_minutes = vec![5, 10, 15, 20, 25, 30]),
            PolicyError::ReminderOffsets,
        ),
    ];
    for (policy, error) in cases {
        TestFramework::<Business>::with(())
            .given(vec![opened()])
            .when(set_policy(policy))
            .then_expect_error(BusinessError::InvalidPolicy(error));
    }
}

//! Given/when/then for every command of the Service aggregate and every refusal.

use cqrs_es::test::TestFramework;

use super::*;

type ServiceTest = TestFramework<Service>;

const MINE: Uuid = Uuid::nil();
const THEIRS: Uuid = Uuid::from_u128(1);

fn fade() -> ServiceDefinition {
    ServiceDefinition {
        name: "Skin fade".into(),
        category: Some("Hair".into()),
        duration_minutes: 30,
        buffer_minutes: 5,
    }
}

fn create(definition: ServiceDefinition, price_cents: i64) -> ServiceCommand {
    ServiceCommand::Create {
        service_id: Uuid::nil(),
        tenant_id: MINE,
        currency: "GBP".into(),
        definition,
        price_cents,
    }
}

fn created() -> ServiceEvent {
    ServiceEvent::ServiceCreated {
        service_id: Uuid::nil(),
        business_id: MINE,
        name: "Skin fade".into(),
        category: Some("Hair".into()),
        duration_minutes: 30,
        price_cents: 2500,
        currency: "GBP".into(),
        buffer_minutes: 5,
    }
}

fn with_update(
    name: Option<&str>,
    category: Option<Option<&str>>,
    duration: Option<i64>,
    buffer: Option<i64>,
) -> ServiceCommand {
    ServiceCommand::Update {
        tenant_id: MINE,
        name: name.map(Into::into),
        category: category.map(|c| c.map(Into::into)),
        duration_minutes: duration,
        buffer_minutes: buffer,
    }
}

fn reprice(price_cents: i64) -> ServiceCommand {
    ServiceCommand::ChangePrice {
        tenant_id: MINE,
        price_cents,
    }
}

const RETIRE: ServiceCommand = ServiceCommand::Retire { tenant_id: MINE };

#[test]
fn creating_records_the_trimmed_definition_in_the_businesss_currency() {
    ServiceTest::with(())
        .given_no_previous_events()
        .when(create(
            ServiceDefinition {
                name: "  Skin fade ".into(),
                category: Some(" Hair ".into()),
                ..fade()
            },
            2500,
        ))
        .then_expect_events(vec![created()]);
}

#[test]
fn a_free_service_without_category_or_buffer_is_allowed() {
    let definition = ServiceDefinition {
        name: "Consultation".into(),
        category: Some("  ".into()),
        duration_minutes: 5,
        buffer_minutes: 0,
    };
    ServiceTest::with(())
        .given_no_previous_events()
        .when(create(definition, 0))
        .then_expect_events(vec![ServiceEvent::ServiceCreated {
            service_id: Uuid::nil(),
            business_id: MINE,
            name: "Consultation".into(),
            category: None,
            duration_minutes: 5,
            price_cents: 0,
            currency: "GBP".into(),
            buffer_minutes: 0,
        }]);
}

#[test]
fn creating_twice_is_refused() {
    ServiceTest::with(())
        .given(vec![created()])
        .when(create(fade(), 2500))
        .then_expect_error(ServiceError::AlreadyCreated);
}

/// One change to a valid definition.
type Change = fn(&mut ServiceDefinition);

#[test]
fn bad_definitions_and_prices_are_refused() {
    let definitions: [(Change, ServiceError); 10] = [
        (|d| d.name = " ".into(), ServiceError::InvalidName),
        (|d| d.name = "x".repeat(201), ServiceError::InvalidName),
        (
            |d| d.category = Some("x".repeat(101)),
            ServiceError::InvalidCategory,
        ),
        (|d| d.duration_minutes = 0, ServiceError::InvalidDuration(0)),
        (
            |d| d.duration_minutes = -30,
            ServiceError::InvalidDuration(-30),
        ),
        (
            |d| d.duration_minutes = 32,
            ServiceError::InvalidDuration(32),
        ),
        (
            |d| d.duration_minutes = 485,
            ServiceError::InvalidDuration(485),
        ),
        (|d| d.buffer_minutes = -5, ServiceError::InvalidBuffer(-5)),
        (|d| d.buffer_minutes = 7, ServiceError::InvalidBuffer(7)),
        (|d| d.buffer_minutes = 125, ServiceError::InvalidBuffer(125)),
    ];
    for (change, error) in definitions {
        let mut definition = fade();
        change(&mut definition);
        ServiceTest::with(())
            .given_no_previous_events()
            .when(create(definition, 2500))
            .then_expect_error(error);
    }
    for price in [-1, MAX_PRICE + 1] {
        ServiceTest::with(())
            .given_no_previous_events()
            .when(create(fade(), price))
            .then_expect_error(ServiceError::InvalidPrice(price));
    }
}

#[test]
fn the_longest_duration_and_buffer_are_allowed() {
    let definition = ServiceDefinition {
        duration_minutes: 480,
        buffer_minutes: 120,
        ..fade()
    };
    let events = ServiceTest::with(())
        .given_no_previous_events()
        .when(create(definition, 2500))
        .inspect_result();
    assert!(events.is_ok_and(|events| events.len() == 1));
}

#[test]
fn updating_changes_only_the_given_fields() {
    ServiceTest::with(())
        .given(vec![created()])
        .when(with_update(None, Some(None), Some(45), None))
        .then_expect_events(vec![ServiceEvent::ServiceUpdated {
            name: "Skin fade".into(),
            category: None,
            duration_minutes: 45,
            buffer_minutes: 5,
        }]);
}

#[test]
fn an_update_that_changes_nothing_records_nothing() {
    ServiceTest::with(())
        .given(vec![created()])
        .when(with_update(
            Some(" Skin fade "),
            Some(Some("Hair")),
            Some(30),
            Some(5),
        ))
        .then_expect_events(vec![]);
}

#[test]
fn an_invalid_update_is_refused() {
    let cases = [
        (
            with_update(Some(""), None, None, None),
            ServiceError::InvalidName,
        ),
        (
            with_update(None, None, Some(7), None),
            ServiceError::InvalidDuration(7),
        ),
        (
            with_update(None, None, None, Some(130)),
            ServiceError::InvalidBuffer(130),
        ),
    ];
    for (command, error) in cases {
        ServiceTest::with(())
            .given(vec![created()])
            .when(command)
            .then_expect_error(error);
    }
}

#[test]
fn changing_the_price_records_it_in_the_services_currency() {
    ServiceTest::with(())
        .given(vec![created()])
        .when(reprice(2800))
        .then_expect_events(vec![ServiceEvent::ServicePriceChanged {
            price_cents: 2800,
            currency: "GBP".into(),
        }]);
}

#[test]
fn the_same_price_records_nothing_and_a_negative_one_is_refused() {
    ServiceTest::with(())
        .given(vec![created()])
        .when(reprice(2500))
        .then_expect_events(vec![]);
    ServiceTest::with(())
        .given(vec![created()])
        .when(reprice(-100))
        .then_expect_error(ServiceError::InvalidPrice(-100));
}

fn in_euros(price_cents: i64) -> ServiceCommand {
    ServiceCommand::Reprice {
        tenant_id: MINE,
        price_cents,
        currency: "EUR".into(),
    }
}

#[test]
fn a_new_currency_records_the_new_price_in_it() {
    ServiceTest::with(())
        .given(vec![created()])
        .when(in_euros(2900))
        .then_expect_events(vec![ServiceEvent::ServicePriceChanged {
            price_cents: 2900,
            currency: "EUR".into(),
        }]);
    // the same number in another currency is a change too
    ServiceTest::with(())
        .given(vec![created()])
        .when(in_euros(2500))
        .then_expect_events(vec![ServiceEvent::ServicePriceChanged {
            price_cents: 2500,
            currency: "EUR".into(),
        }]);
}

#[test]
fn a_retired_or_already_repriced_service_records_nothing_and_a_bad_price_is_refused() {
    ServiceTest::with(())
        .given(vec![created(), ServiceEvent::ServiceRetired {}])
        .when(in_euros(2900))
        .then_expect_events(vec![]);
    ServiceTest::with(())
        .given(vec![
            created(),
            ServiceEvent::ServicePriceChanged {
                price_cents: 2900,
                currency: "EUR".into(),
            },
        ])
        .when(in_euros(2900))
        .then_expect_events(vec![]);
    ServiceTest::with(())
        .given(vec![created()])
        .when(in_euros(-1))
        .then_expect_error(ServiceError::InvalidPrice(-1));
    ServiceTest::with(())
        .given_no_previous_events()
        .when(in_euros(100))
        .then_expect_error(ServiceError::NotFound);
}

#[test]
fn retiring_is_recorded_once() {
    ServiceTest::with(())
        .given(vec![created()])
        .when(RETIRE)
        .then_expect_events(vec![ServiceEvent::ServiceRetired {}]);
    ServiceTest::with(())
        .given(vec![created(), ServiceEvent::ServiceRetired {}])
        .when(RETIRE)
        .then_expect_events(vec![]);
}

#[test]
fn a_retired_service_cannot_be_changed() {
    for command in [
        with_update(None, None, None, None),
        with_update(Some("New"), None, None, None),
        reprice(3000),
    ] {
        ServiceTest::with(())
            .given(vec![created(), ServiceEvent::ServiceRetired {}])
            .when(command)
            .then_expect_error(ServiceError::Retired);
    }
}

#[test]
fn an_unknown_service_is_not_found() {
    for command in [with_update(None, None, None, None), reprice(3000), RETIRE] {
        ServiceTest::with(())
            .given_no_previous_events()
            .when(command)
            .then_expect_error(ServiceError::NotFound);
    }
}

#[test]
fn another_business_cannot_change_or_retire_a_service() {
    let commands = [
        ServiceCommand::Update {
            tenant_id: THEIRS,
            name: Some("Stolen".into()),
            category: None,
            duration_minutes: None,
            buffer_minutes: None,
        },
        ServiceCommand::ChangePrice {
            tenant_id: THEIRS,
            price_cents: 1,
        },
        ServiceCommand::Retire { tenant_id: THEIRS },
    ];
    for command in commands {
        ServiceTest::with(())
            .given(vec![created()])
            .when(command)
            .then_expect_error(ServiceError::NotFound);
    }
}

#[test]
fn the_state_answers_what_a_booking_needs() {
    let mut service = Service::default();
    assert!(!service.is_bookable_by(MINE));
    service.apply(created());
    service.apply(ServiceEvent::ServicePriceChanged {
        price_cents: 2800,
        currency: "GBP".into(),
    });
    assert_eq!(service.minutes(), Some((30, 5)));
    assert_eq!(service.price(), (2800, "GBP"));
    assert!(service.is_bookable_by(MINE) && !service.is_bookable_by(THEIRS));
    service.apply(ServiceEvent::ServiceRetired {});
    assert!(!service.is_bookable_by(MINE));
}

//! Given/when/then for phones typed in national format: read in the business's country, which
//! the command carries.

use super::*;

fn in_country(command: CustomerCommand, code: &str) -> CustomerCommand {
    match command {
        CustomerCommand::Register {
            customer_id,
            tenant_id,
            profile,
            details,
            ..
        } => CustomerCommand::Register {
            customer_id,
            tenant_id,
            country: Some(code.into()),
            profile,
            details,
        },
        CustomerCommand::Update {
            tenant_id,
            profile,
            details,
            ..
        } => CustomerCommand::Update {
            tenant_id,
            country: Some(code.into()),
            profile,
            details,
        },
        other => other,
    }
}

fn typed_as(phone: &str) -> CustomerProfile {
    CustomerProfile {
        phone: Some(phone.into()),
        ..ana_typed()
    }
}

#[test]
fn a_national_number_is_recorded_in_e164_in_the_business_country() {
    CustomerTest::with(())
        .given_no_previous_events()
        .when(in_country(register(typed_as("07700 900123")), "GB"))
        .then_expect_events(vec![registered()]);
}

#[test]
fn a_national_number_without_a_country_or_outside_its_plan_is_refused() {
    for (command, typed) in [
        (register(typed_as("07700 900123")), "07700 900123"),
        (
            in_country(register(typed_as("07700 900123")), "US"),
            "07700 900123",
        ),
    ] {
        CustomerTest::with(())
            .given_no_previous_events()
            .when(command)
            .then_expect_error(refused(CustomerError::InvalidPhone(typed.into())));
    }
}

#[test]
fn an_update_reads_a_national_number_in_the_country_and_an_equal_one_changes_nothing() {
    let update = |phone: &str| {
        update_with(
            ProfileChanges {
                phone: Some(Some(phone.into())),
                ..Default::default()
            },
            CustomerDetails::default(),
        )
    };
    CustomerTest::with(())
        .given(vec![registered()])
        .when(in_country(update("(212) 555-0100"), "US"))
        .then_expect_events(vec![CustomerEvent::CustomerProfileUpdated {
            pii: CustomerPii {
                phone: Some("+12125550100".into()),
                ..ana()
            },
        }]);
    CustomerTest::with(())
        .given(vec![registered()])
        .when(in_country(update("07700 900 123"), "GB"))
        .then_expect_events(vec![]);
}

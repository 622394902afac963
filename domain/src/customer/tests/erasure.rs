//! Given/when/then for erasing a customer's personal data, and what the record refuses after.

use super::*;

fn erase() -> CustomerCommand {
    CustomerCommand::Erase {
        tenant_id: TENANT,
        at: at(12),
    }
}

fn erased() -> CustomerEvent {
    CustomerEvent::CustomerErased { at: at(12) }
}

#[test]
fn erasing_a_customer_records_the_erasure() {
    CustomerTest::with(())
        .given(vec![
            registered(),
            preferences_changed(json!({"drink": "tea"})),
        ])
        .when(erase())
        .then_expect_events(vec![erased()]);
}

#[test]
fn erasing_again_records_nothing() {
    CustomerTest::with(())
        .given(vec![registered(), erased()])
        .when(erase())
        .then_expect_events(vec![]);
}

#[test]
fn a_customer_never_registered_or_of_another_business_is_not_found() {
    CustomerTest::with(())
        .given_no_previous_events()
        .when(erase())
        .then_expect_error(CustomerError::NotFound.into());
    CustomerTest::with(())
        .given(vec![registered()])
        .when(CustomerCommand::Erase {
            tenant_id: OTHER_TENANT,
            at: at(12),
        })
        .then_expect_error(CustomerError::NotFound.into());
    // nor is another business's erased customer
    CustomerTest::with(())
        .given(vec![registered(), erased()])
        .when(CustomerCommand::Erase {
            tenant_id: OTHER_TENANT,
            at: at(12),
        })
        .then_expect_error(CustomerError::NotFound.into());
}

#[test]
fn an_erased_customer_refuses_every_change() {
    let changes = [
        update(Some("Ana"), None, None, None),
        set_tags(&["vip"]),
        set_preferences(json!({"drink": "tea"})),
        update_details(CustomerDetails {
            marketing_consent: answer(true, 13),
            ..Default::default()
        }),
        // even an empty update: the record is there, but closed
        update(None, None, None, None),
    ];
    for change in changes {
        CustomerTest::with(())
            .given(vec![registered(), erased()])
            .when(change)
            .then_expect_error(CustomerError::Erased.into());
    }
    CustomerTest::with(())
        .given(vec![registered(), erased()])
        .when(register(ana_typed()))
        .then_expect_error(CustomerError::AlreadyRegistered.into());
}

#[test]
fn an_erased_customer_holds_no_personal_data_and_cannot_be_booked() {
    let mut customer = Customer::default();
    for event in [
        registered(),
        preferences_changed(json!({"drink": "tea"})),
        erased(),
    ] {
        customer.apply(event);
    }
    assert_eq!(
        (customer.name(), customer.phone(), customer.email()),
        (None, None, None)
    );
    assert!(customer.preferences.is_empty());
    assert!(!customer.belongs_to(TENANT));
    assert!(customer.is_erased_from(TENANT) && !customer.is_erased_from(OTHER_TENANT));
}

/// Events read back after the key is gone hold empty personal fields: the record still folds.
#[test]
fn a_history_read_after_erasure_still_folds() {
    let mut customer = Customer::default();
    for event in [
        CustomerEvent::CustomerRegistered {
            customer_id: Uuid::nil(),
            business_id: TENANT,
            pii: CustomerPii::default(),
        },
        preferences_changed(json!({})),
        erased(),
    ] {
        customer.apply(event);
    }
    assert!(customer.is_erased_from(TENANT));
}

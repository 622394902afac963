//! Given/when/then for merging a duplicate: each record says so, and a merged duplicate can no
//! longer change.

use super::*;

const SURVIVOR: Uuid = Uuid::from_u128(7);

fn into_survivor(tenant_id: Uuid) -> CustomerCommand {
    CustomerCommand::MergeInto {
        tenant_id,
        into: SURVIVOR,
    }
}

fn merged() -> CustomerEvent {
    CustomerEvent::CustomerMergedInto { into: SURVIVOR }
}

#[test]
fn a_duplicate_is_merged_into_the_survivor_once() {
    CustomerTest::with(())
        .given(vec![registered()])
        .when(into_survivor(TENANT))
        .then_expect_events(vec![merged()]);
    CustomerTest::with(())
        .given(vec![registered(), merged()])
        .when(into_survivor(TENANT))
        .then_expect_events(vec![]);
}

#[test]
fn the_survivor_records_that_it_took_the_duplicate_over() {
    CustomerTest::with(())
        .given(vec![registered()])
        .when(CustomerCommand::TakeOver {
            tenant_id: TENANT,
            duplicate_id: SURVIVOR,
        })
        .then_expect_events(vec![CustomerEvent::DuplicateMerged {
            duplicate_id: SURVIVOR,
        }]);
}

#[test]
fn a_customer_is_not_merged_into_itself_nor_across_businesses_nor_twice_elsewhere() {
    // the registered customer's id is nil
    CustomerTest::with(())
        .given(vec![registered()])
        .when(CustomerCommand::MergeInto {
            tenant_id: TENANT,
            into: Uuid::nil(),
        })
        .then_expect_error(CustomerError::MergedIntoItself.into());
    CustomerTest::with(())
        .given(vec![registered()])
        .when(into_survivor(OTHER_TENANT))
        .then_expect_error(CustomerError::NotFound.into());
    CustomerTest::with(())
        .given(vec![registered(), merged()])
        .when(CustomerCommand::MergeInto {
            tenant_id: TENANT,
            into: Uuid::from_u128(8),
        })
        .then_expect_error(CustomerError::Merged(SURVIVOR).into());
}

#[test]
fn a_merged_duplicate_can_no_longer_change_nor_take_another_over() {
    CustomerTest::with(())
        .given(vec![registered(), merged()])
        .when(CustomerCommand::Update {
            tenant_id: TENANT,
            country: None,
            profile: ProfileChanges {
                name: Some("Ana".into()),
                ..Default::default()
            },
            details: CustomerDetails::default(),
        })
        .then_expect_error(CustomerError::Merged(SURVIVOR).into());
    CustomerTest::with(())
        .given(vec![registered(), merged()])
        .when(CustomerCommand::TakeOver {
            tenant_id: TENANT,
            duplicate_id: Uuid::from_u128(8),
        })
        .then_expect_error(CustomerError::Merged(SURVIVOR).into());
}

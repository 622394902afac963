//! Merging a duplicate into the customer it duplicates: each of the two records says so, the
//! duplicate `CustomerMergedInto` the survivor (after which it can no longer be booked or
//! changed) and the survivor `DuplicateMerged`, so either record's history shows the merge.
//! The appointments move in the same step (`command::booking::merge`).

use events::customer::CustomerEvent;
use uuid::Uuid;

use super::{Customer, CustomerError};

impl Customer {
    /// The duplicate's side: merged into `into` (again into the same one records nothing).
    pub(super) fn merge_into(
        &self,
        tenant_id: Uuid,
        into: Uuid,
    ) -> Result<Option<CustomerEvent>, CustomerError> {
        if self.merged_into == Some(into) && self.tenant_id == Some(tenant_id) {
            return Ok(None);
        }
        self.pii_of(tenant_id)?;
        if self.customer_id == Some(into) {
            return Err(CustomerError::MergedIntoItself);
        }
        Ok(Some(CustomerEvent::CustomerMergedInto { into }))
    }

    /// The survivor's side: it takes over `duplicate_id`.
    pub(super) fn take_over(
        &self,
        tenant_id: Uuid,
        duplicate_id: Uuid,
    ) -> Result<Option<CustomerEvent>, CustomerError> {
        self.pii_of(tenant_id)?;
        if self.customer_id == Some(duplicate_id) {
            return Err(CustomerError::MergedIntoItself);
        }
        Ok(Some(CustomerEvent::DuplicateMerged { duplicate_id }))
    }
}

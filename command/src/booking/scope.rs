//! Whose appointments a workflow step may touch.

use domain::appointment::AppointmentCommand;
use uuid::Uuid;

/// The caller's business, and for a login limited to its own chair (a barber's), that chair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub tenant_id: Uuid,
    /// `Some`: only appointments in this barber's chair.
    pub chair: Option<Uuid>,
}

impl Scope {
    /// Every appointment of the business.
    pub fn business(tenant_id: Uuid) -> Self {
        Self {
            tenant_id,
            chair: None,
        }
    }

    /// `command`, limited to the scope's chair: the appointment refuses it in any other
    /// (decided with the step, so a move to another chair racing it cannot slip through).
    pub(super) fn limit(self, command: AppointmentCommand) -> AppointmentCommand {
        match self.chair {
            None => command,
            Some(staff_id) => AppointmentCommand::InChair {
                tenant_id: self.tenant_id,
                staff_id,
                step: Box::new(command),
            },
        }
    }
}

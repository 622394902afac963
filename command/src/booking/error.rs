//! Why a booking step was not taken. The aggregates' own refusals are carried as they are; the
//! rest are facts the step looked up (the service exists, the barber works then…).

use domain::appointment::AppointmentError;
use domain::bookable::OutsideWindow;
use domain::business::BusinessError;
use domain::customer_day::CustomerDayError;
use domain::schedule::ScheduleError;
use domain::service::ServiceError;
use domain::staff::StaffError;

use crate::store::{CommandError, Unrecorded};

/// Why a booking step was not taken.
#[derive(Debug, thiserror::Error)]
#[cfg_attr(
    test,
    derive(strum::EnumDiscriminants),
    strum_discriminants(derive(strum::EnumIter))
)]
pub enum BookingError {
    #[error("the business does not exist")]
    BusinessNotFound,
    #[error("the service does not exist or is retired")]
    ServiceNotFound,
    #[error("the staff member does not exist")]
    StaffNotFound,
    #[error("the staff member is not active")]
    StaffInactive,
    #[error("the staff member does not offer this service")]
    ServiceNotOffered,
    #[error("the customer does not exist")]
    CustomerNotFound,
    #[error("the customer's personal data was erased; they can no longer be booked")]
    CustomerErased,
    #[error("times lie on the 5-minute grid, with no seconds (e.g. 10:05:00)")]
    OffGrid,
    #[error(transparent)]
    Window(#[from] OutsideWindow),
    #[error("the business is closed then: the slot lies outside its opening hours")]
    OutsideOpeningHours,
    #[error("bookings or time off lie ahead in the current timezone; move or cancel them first")]
    TimezoneHasBookings,
    #[error("{} booked appointment(s) stand in the way; move or cancel them in the same request (`bookings`)", .0.len())]
    BookingsInTheWay(Vec<super::Displaced>),
    #[error("{} service(s) need a price in the new currency (`prices`); nothing was changed", .0.len())]
    ServicesNeedNewPrices(Vec<super::Unpriced>),
    #[error("prices are given only with a new currency")]
    PricesWithoutNewCurrency,
    #[error(transparent)]
    Service(ServiceError),
    #[error(transparent)]
    Customer(domain::customer::CustomerRefusal),
    #[error("no barber is free to take {} of the appointments at their time; nothing was changed", .0.len())]
    NoBarberFree(Vec<super::Displaced>),
    #[error(transparent)]
    Schedule(ScheduleError),
    #[error(transparent)]
    Appointment(AppointmentError),
    #[error(transparent)]
    Staff(StaffError),
    #[error(transparent)]
    Business(BusinessError),
    #[error(transparent)]
    CustomerDay(CustomerDayError),
    #[error("the records kept changing while the step was decided; retry")]
    Conflict,
    #[error("the step could not be recorded: {0}")]
    Store(Box<dyn std::error::Error + Send + Sync>),
}

impl From<sqlx::Error> for BookingError {
    fn from(err: sqlx::Error) -> Self {
        Self::Store(Box::new(err))
    }
}

impl From<cqrs_es::persist::PersistenceError> for BookingError {
    fn from(err: cqrs_es::persist::PersistenceError) -> Self {
        Self::Store(Box::new(err))
    }
}

impl From<Unrecorded> for BookingError {
    fn from(err: Unrecorded) -> Self {
        match err {
            Unrecorded::Conflict => Self::Conflict,
            Unrecorded::Store(e) => Self::Store(e),
        }
    }
}

/// An aggregate's refusal, a conflict, or a store failure, as a booking error.
macro_rules! from_command_error {
    ($error:ty, $variant:ident) => {
        impl From<CommandError<$error>> for BookingError {
            fn from(err: CommandError<$error>) -> Self {
                match err {
                    CommandError::Refused(e) => Self::$variant(e),
                    CommandError::Conflict => Self::Conflict,
                    CommandError::Store(e) => Self::Store(e),
                }
            }
        }
    };
}

from_command_error!(ScheduleError, Schedule);
from_command_error!(AppointmentError, Appointment);
from_command_error!(StaffError, Staff);
from_command_error!(BusinessError, Business);
from_command_error!(CustomerDayError, CustomerDay);
from_command_error!(ServiceError, Service);

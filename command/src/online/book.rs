//! `POST /public/{slug}/bookings`: a customer books online.

use chrono::{DateTime, Utc};
use domain::customer::{CustomerDetails, CustomerProfile, MarketingConsent};
use domain::service::Service;
use domain::staff::StaffMember;
use events::appointment::AppointmentSource;
use events::business::OnlineBooking as Offered;
use events::EventMetadata;
use platform::ApiError;
use uuid::Uuid;

use super::{links, shop, PUBLIC};
use crate::booking::{self, BookingRequest};
use crate::customer_book::{self, CustomerBookError, NewCustomer};
use crate::store::EventStore;

/// A booking as the public page sends it.
#[derive(Debug, Clone)]
pub struct OnlineBooking {
    pub slug: String,
    pub service_id: Uuid,
    /// `None`: any barber offered online who is free then.
    pub staff_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
    pub marketing_consent: Option<bool>,
}

/// What was booked, with the secret that manages it.
#[derive(Debug, Clone)]
pub struct OnlineBooked {
    pub appointment_id: Uuid,
    pub staff_id: Uuid,
    pub position: Option<i64>,
    /// Shown once: the booking's manage link's token.
    pub manage_token: String,
}

/// Books `request` for the customer with its phone or email in the business (registered
/// first when there is none), with source `online`, through the front desk's booking step.
#[tracing::instrument(skip_all, fields(slug = %request.slug))]
pub async fn book(
    store: &EventStore,
    request: OnlineBooking,
    correlation_id: &str,
    now: DateTime<Utc>,
) -> Result<OnlineBooked, ApiError> {
    let (tenant_id, business) = shop(store, &request.slug).await?;
    let offered = business.online_booking();
    let service: Service = store.load(&request.service_id.to_string()).await?;
    if !service.is_bookable_by(tenant_id) || !offered.offers_service(request.service_id) {
        return Err(ApiError::not_found(
            "service_not_found",
            "the business offers no such service online",
        ));
    }
    let barbers = match request.staff_id {
        Some(staff_id) => {
            if !bookable(store, tenant_id, staff_id, &request, offered).await? {
                return Err(ApiError::not_found(
                    "staff_not_found",
                    "the business offers no such barber online for this service",
                ));
            }
            vec![staff_id]
        }
        None => barbers(store, tenant_id, &request, offered).await?,
    };
    // the first barber who could take it, asked before anything is written: a booking refused
    // for its time registers no customer
    let mut refused = None;
    let mut free = Vec::new();
    for staff_id in barbers {
        let probe = BookingRequest {
            tenant_id,
            customer_id: Uuid::nil(),
            staff_id,
            service_id: request.service_id,
            starts_at: request.starts_at,
            source: AppointmentSource::Online,
        };
        match booking::would_book(store, &probe, now).await {
            Ok(()) => free.push(staff_id),
            Err(err) => {
                let err = ApiError::from(err);
                if !err.status().is_client_error() {
                    return Err(err);
                }
                refused.get_or_insert(err);
            }
        }
    }
    if free.is_empty() {
        return Err(refused.unwrap_or_else(|| {
            ApiError::conflict(
                "no_barber_available",
                "no barber offered online does this service",
            )
        }));
    }
    let metadata = EventMetadata::for_command(tenant_id, PUBLIC, correlation_id);
    let customer_id = customer(store, tenant_id, &request, &metadata, now).await?;
    let appointment_id = Uuid::new_v4();
    let manage_token = links::issue(store.pool(), tenant_id, appointment_id).await?;
    let mut refused = None;
    for staff_id in free {
        let booking = BookingRequest {
            tenant_id,
            customer_id,
            staff_id,
            service_id: request.service_id,
            starts_at: request.starts_at,
            source: AppointmentSource::Online,
        };
        match booking::book_as(store, appointment_id, booking, &metadata, now).await {
            Ok((_, committed)) => {
                return Ok(OnlineBooked {
                    appointment_id,
                    staff_id,
                    position: committed.position,
                    manage_token,
                })
            }
            Err(err) => {
                let err = ApiError::from(err);
                if !err.status().is_client_error() {
                    return Err(err);
                }
                // this barber cannot take it: the next one may
                refused = Some(err);
            }
        }
    }
    Err(refused.unwrap_or_else(|| {
        ApiError::conflict(
            "no_barber_available",
            "no barber offered online does this service",
        )
    }))
}

/// Whether barber `staff_id` of the business is offered online and does the service.
async fn bookable(
    store: &EventStore,
    tenant_id: Uuid,
    staff_id: Uuid,
    request: &OnlineBooking,
    offered: &Offered,
) -> Result<bool, ApiError> {
    let staff: StaffMember = store.load(&staff_id.to_string()).await?;
    Ok(staff.belongs_to(tenant_id)
        && staff.is_active()
        && staff.offers(request.service_id)
        && offered.offers_staff(staff_id))
}

/// Every barber of the business who could take the booking, in a fixed order.
async fn barbers(
    store: &EventStore,
    tenant_id: Uuid,
    request: &OnlineBooking,
    offered: &Offered,
) -> Result<Vec<Uuid>, ApiError> {
    // each staff member's first event (the `events_records` index)
    let ids: Vec<String> = sqlx::query_scalar(
        r#"select aggregate_id from events
            where tenant_id = $1 and aggregate_type = $2 and sequence = 1
            order by aggregate_id collate "C""#,
    )
    .bind(tenant_id)
    .bind(events::staff::AGGREGATE_TYPE)
    .fetch_all(store.pool())
    .await?;
    let mut barbers = Vec::new();
    for id in ids.iter().filter_map(|id| id.parse::<Uuid>().ok()) {
        if bookable(store, tenant_id, id, request, offered).await? {
            barbers.push(id);
        }
    }
    Ok(barbers)
}

/// The customer of the business with the request's phone or email, registered when there is
/// none. A customer already on the books keeps their details: a public caller changes nothing
/// of them.
async fn customer(
    store: &EventStore,
    tenant_id: Uuid,
    request: &OnlineBooking,
    metadata: &EventMetadata,
    now: DateTime<Utc>,
) -> Result<Uuid, ApiError> {
    let new = NewCustomer {
        customer_id: Uuid::new_v4(),
        tenant_id,
        profile: CustomerProfile {
            name: request.name.clone(),
            phone: Some(request.phone.clone()),
            email: request.email.clone(),
            notes: None,
        },
        details: CustomerDetails {
            tags: None,
            preferences: None,
            marketing_consent: request
                .marketing_consent
                .map(|given| MarketingConsent { given, at: now }),
            reminders: None,
        },
        allow_duplicate: false,
    };
    match customer_book::register(store, new.clone(), metadata).await {
        Ok(_) => Ok(new.customer_id),
        Err(CustomerBookError::PossibleDuplicate {
            existing_customer_id,
            ..
        }) => Ok(existing_customer_id),
        Err(err) => Err(err.into()),
    }
}

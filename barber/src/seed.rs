//! The demo business that `make run` logs in to. Seeding twice is harmless.

use command::accounts::{self, SignUp};
use command::customer_book::{self, NewCustomer};
use command::store::EventStore;
use domain::business::{Business, BusinessCommand};
use domain::customer::{CustomerDetails, CustomerProfile};
use domain::service::{Service, ServiceCommand, ServiceDefinition};
use domain::staff::{BreakInput, StaffCommand, StaffMember, StaffProfileInput, WorkingDayInput};
use events::EventMetadata;
use platform::{ApiError, Config};
use uuid::Uuid;

pub const DEMO_EMAIL: &str = "owner@demo.barber";
pub const DEMO_PASSWORD: &str = "demo-barber-2026";
pub const DEMO_SLUG: &str = "demo";

/// What was seeded (or found already there).
#[derive(Debug)]
pub struct Seeded {
    pub business_id: Option<Uuid>,
    pub created: bool,
}

/// Opens the demo business with a few customers, unless it exists.
pub async fn seed(config: &Config, store: &EventStore) -> Result<Seeded, ApiError> {
    let pool = store.pool();
    let existing: Option<Uuid> =
        sqlx::query_scalar("select business_id from business_slugs where slug = $1")
            .bind(DEMO_SLUG)
            .fetch_optional(pool)
            .await?;
    if let Some(business_id) = existing {
        return Ok(Seeded {
            business_id: Some(business_id),
            created: false,
        });
    }
    // the same keys as every serving process on this database
    let keys = platform::signing::jwt_keys(pool, config)
        .await
        .map_err(ApiError::internal)?;
    let signed_up = accounts::sign_up(
        store,
        &keys,
        SignUp {
            business_name: "Demo Barbers".into(),
            slug: DEMO_SLUG.into(),
            timezone: "Europe/London".into(),
            currency: "GBP".into(),
            country: Some("GB".into()),
            owner_name: "Demo Owner".into(),
            email: DEMO_EMAIL.into(),
            password: DEMO_PASSWORD.into(),
            owner_is_barber: false,
        },
        "seed",
    )
    .await?;
    let customers = [
        ("Ana Silva", Some("+447700900123"), Some("ana@example.com")),
        ("Ben Okafor", Some("+447700900456"), None),
        ("Chloe Martin", None, Some("chloe@example.com")),
    ];
    for (name, phone, email) in customers {
        let customer_id = Uuid::new_v4();
        let metadata = EventMetadata::for_command(
            signed_up.business_id,
            signed_up.user_id.to_string(),
            "seed",
        );
        let request = NewCustomer {
            customer_id,
            tenant_id: signed_up.business_id,
            profile: CustomerProfile {
                name: name.into(),
                phone: phone.map(Into::into),
                email: email.map(Into::into),
                notes: None,
            },
            details: CustomerDetails::default(),
            allow_duplicate: false,
        };
        customer_book::register(store, request, &metadata)
            .await
            .map_err(ApiError::from)?;
    }
    seed_shop(store, signed_up.business_id, &signed_up.user_id.to_string()).await?;
    Ok(Seeded {
        business_id: Some(signed_up.business_id),
        created: true,
    })
}

/// Two services, and two barbers working Monday to Saturday within the shop's opening hours
/// (the same days, 09:00–18:00), so the demo can take bookings.
async fn seed_shop(store: &EventStore, tenant_id: Uuid, actor: &str) -> Result<(), ApiError> {
    let metadata = || EventMetadata::for_command(tenant_id, actor, "seed");
    let services = [
        ("Skin fade", "Hair", 30, 5, 2500),
        ("Beard trim", "Beard", 15, 0, 1200),
    ];
    for (name, category, duration_minutes, buffer_minutes, price_cents) in services {
        let service_id = Uuid::new_v4();
        let command = ServiceCommand::Create {
            service_id,
            tenant_id,
            currency: "GBP".into(),
            definition: ServiceDefinition {
                name: name.into(),
                category: Some(category.into()),
                duration_minutes,
                buffer_minutes,
            },
            price_cents,
        };
        store
            .execute::<Service>(&service_id.to_string(), command, &metadata())
            .await
            .map_err(ApiError::from)?;
    }
    let days: Vec<WorkingDayInput> = ["mon", "tue", "wed", "thu", "fri", "sat"]
        .iter()
        .map(|weekday| WorkingDayInput {
            weekday: (*weekday).into(),
            start: "09:00".into(),
            end: "18:00".into(),
            breaks: vec![BreakInput {
                start: "13:00".into(),
                end: "13:30".into(),
            }],
        })
        .collect();
    let opening_hours = days
        .iter()
        .map(|day| WorkingDayInput {
            breaks: vec![],
            ..day.clone()
        })
        .collect();
    let set_opening_hours = BusinessCommand::SetOpeningHours {
        tenant_id,
        days: opening_hours,
    };
    store
        .execute::<Business>(&tenant_id.to_string(), set_opening_hours, &metadata())
        .await
        .map_err(ApiError::from)?;
    for name in ["Rui Costa", "Sam Patel"] {
        let staff_id = Uuid::new_v4();
        let id = staff_id.to_string();
        let profile = StaffProfileInput {
            name: name.into(),
            role: "barber".into(),
            email: None,
            phone: None,
        };
        let add = StaffCommand::Add {
            staff_id,
            tenant_id,
            profile,
        };
        store
            .execute::<StaffMember>(&id, add, &metadata())
            .await
            .map_err(ApiError::from)?;
        let hours = StaffCommand::SetWorkingHours {
            tenant_id,
            days: days.clone(),
        };
        store
            .execute::<StaffMember>(&id, hours, &metadata())
            .await
            .map_err(ApiError::from)?;
    }
    Ok(())
}

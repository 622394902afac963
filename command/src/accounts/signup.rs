//! `POST /signup`: a business opened with its owner's login (and chair, when they cut hair).
//!
//! The slug directory (`business_slugs`) and the owner's credentials (`users`) are tables
//! beside the event store, written in the transaction that records the business's, the
//! account's and the chair's events: a refused signup writes nothing, and a taken slug or email
//! is refused by a unique index, race or not.

use domain::account::{Account, AccountCommand, NewLogin};
use domain::aggregate::Decide;
use domain::business::{Business, BusinessCommand, BusinessError};
use domain::contact::normalise_email;
use domain::staff::{StaffCommand, StaffMember, StaffProfileInput};
use events::account::Role;
use events::EventMetadata;
use platform::auth::JwtKeys;
use platform::ApiError;
use uuid::Uuid;

use super::{passwords, record};
use crate::http::IntoProblem;
use crate::sessions::{self, Login, Session};
use crate::store::{CommandError, EventStore, Known};

/// A new business and its owner.
#[derive(Debug, Clone)]
pub struct SignUp {
    pub business_name: String,
    pub slug: String,
    pub timezone: String,
    pub currency: String,
    /// ISO 3166-1 alpha-2, if the business gives one.
    pub country: Option<String>,
    pub owner_name: String,
    pub email: String,
    /// Whether the owner cuts hair: then they are a bookable staff member too.
    pub owner_is_barber: bool,
    pub password: String,
}

#[derive(Debug, Clone)]
pub struct SignedUp {
    pub business_id: Uuid,
    /// The owner's staff member, when they cut hair.
    pub staff_id: Option<Uuid>,
    pub user_id: Uuid,
    pub session: Session,
    pub position: Option<i64>,
}

/// Opens a business with its owner as first user, and logs the owner in.
#[tracing::instrument(skip(store, keys, request), fields(slug = %request.slug))]
pub async fn sign_up(
    store: &EventStore,
    keys: &JwtKeys,
    request: SignUp,
    correlation_id: &str,
) -> Result<SignedUp, ApiError> {
    let email = normalise_email(&request.email).ok_or_else(|| {
        ApiError::unprocessable(
            "invalid_email",
            format!("{:?} is not an email address", request.email),
        )
    })?;
    let password_hash = passwords::hash_new(request.password).await?;
    let business_id = Uuid::new_v4();
    let user_id = Uuid::new_v4();
    let owner_name = request.owner_name.trim().to_owned();

    let mut tx = store.pool().begin().await?;
    insert_or(
        sqlx::query("insert into business_slugs (slug, business_id) values ($1, $2)")
            .bind(&request.slug)
            .bind(business_id)
            .execute(&mut *tx)
            .await,
        ApiError::conflict(
            "slug_taken",
            format!("the address {:?} is taken", request.slug),
        ),
    )?;
    // the timezone and currency fences every booking step and new service is recorded behind
    // (`store::TimezoneFence`, `store::CurrencyFence`), committed with the account; the
    // aggregate refuses an unknown zone or currency below
    sqlx::query(
        "insert into business_timezones (business_id, timezone, currency) values ($1, $2, $3)",
    )
    .bind(business_id)
    .bind(domain::business::canonical_timezone(&request.timezone).unwrap_or_default())
    .bind(&request.currency)
    .execute(&mut *tx)
    .await?;
    let command = BusinessCommand::Open {
        business_id,
        name: request.business_name,
        slug: request.slug,
        timezone: request.timezone,
        currency: request.currency,
        owner_user_id: user_id,
        owner_name: owner_name.clone(),
        country: request.country,
    };
    let metadata = EventMetadata::for_command(business_id, user_id.to_string(), correlation_id);
    let mut decision = store.decision(&metadata);
    decision
        .decide::<Business>(&business_id.to_string(), Known::new_record(), command)
        .await?;
    // the owner who cuts hair is a staff member too, and their login is linked to that chair
    let staff_id = request.owner_is_barber.then(Uuid::new_v4);
    let open = AccountCommand::Open {
        tenant_id: business_id,
        login: NewLogin {
            user_id,
            email: email.clone(),
            name: owner_name.clone(),
            staff_id,
        },
    };
    let opened =
        Decide::decide(&Account::default(), open.clone()).map_err(IntoProblem::into_problem)?;
    decision
        .decide::<Account>(&user_id.to_string(), Known::new_record(), open)
        .await?;
    // the owner's credentials, as the account's event has them
    for event in &opened {
        record::mirror(&mut tx, (user_id, business_id), event, Some(&password_hash)).await?;
    }
    if let Some(staff_id) = staff_id {
        let add = StaffCommand::Add {
            staff_id,
            tenant_id: business_id,
            profile: StaffProfileInput {
                name: owner_name,
                role: Role::Owner.name().to_owned(),
                email: Some(email),
                phone: None,
            },
        };
        decision
            .decide::<StaffMember>(&staff_id.to_string(), Known::new_record(), add)
            .await?;
    }
    // the events, the account, the slug and the fences commit together: all or nothing
    let appended = decision
        .append_within(&mut tx)
        .await
        .map_err(CommandError::<BusinessError>::from)?;
    tx.commit().await?;
    let committed = appended.committed();
    let login = Login {
        user_id,
        business_id,
        role: Role::Owner.name().to_owned(),
        staff_id,
    };
    let session = sessions::open(store.pool(), keys, &login).await?;
    Ok(SignedUp {
        business_id,
        staff_id,
        user_id,
        session,
        position: committed.position,
    })
}

fn insert_or<T>(result: Result<T, sqlx::Error>, on_duplicate: ApiError) -> Result<T, ApiError> {
    result.map_err(|err| super::duplicate_or(err, on_duplicate))
}

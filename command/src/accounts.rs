//! Signup and login.
//!
//! Credentials (`users`) and the slug directory (`business_slugs`) are tables beside the event
//! store, written by the command service: login and slug uniqueness must be strongly consistent,
//! so they cannot wait for a projection. Signup inserts them in a transaction that stays open
//! while the `BusinessOpened` event is recorded, and commits only if the event was: a refused
//! signup writes nothing, and a taken slug or email is refused by a unique index, race or not.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use domain::business::{Business, BusinessCommand, BusinessError};
use domain::contact::normalise_email;
use domain::staff::{StaffCommand, StaffMember, StaffProfileInput};
use events::EventMetadata;
use platform::auth::JwtKeys;
use platform::ApiError;
use sqlx::PgPool;
use uuid::Uuid;

use std::net::IpAddr;

use crate::login_limits;
use crate::sessions::{self, Session};
use crate::store::{CommandError, EventStore, Known};

const OWNER: &str = "owner";

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
    check_password(&request.password)?;
    let password_hash = hash_password(request.password).await?;
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
    insert_or(
        sqlx::query(
            "insert into users (user_id, business_id, email, name, role, password_hash) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user_id)
        .bind(business_id)
        .bind(&email)
        .bind(&owner_name)
        .bind(OWNER)
        .bind(&password_hash)
        .execute(&mut *tx)
        .await,
        ApiError::conflict(
            "email_taken",
            "an account with this email exists; log in instead",
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
    let staff_id = if request.owner_is_barber {
        let staff_id = Uuid::new_v4();
        let add = StaffCommand::Add {
            staff_id,
            tenant_id: business_id,
            profile: StaffProfileInput {
                name: owner_name,
                role: OWNER.to_owned(),
                email: Some(email),
                phone: None,
            },
        };
        decision
            .decide::<StaffMember>(&staff_id.to_string(), Known::new_record(), add)
            .await?;
        sqlx::query("update users set staff_id = $1 where user_id = $2")
            .bind(staff_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        Some(staff_id)
    } else {
        None
    };
    // the events, the account, the slug and the fences commit together: all or nothing
    let appended = decision
        .append_within(&mut tx)
        .await
        .map_err(CommandError::<BusinessError>::from)?;
    tx.commit().await?;
    let committed = appended.committed();
    let session = sessions::open(store.pool(), keys, user_id, business_id, OWNER).await?;
    Ok(SignedUp {
        business_id,
        staff_id,
        user_id,
        session,
        position: committed.position,
    })
}

/// Checks a user's password and opens a session.
#[tracing::instrument(skip(pool, keys, password))]
pub async fn log_in(
    pool: &PgPool,
    keys: &JwtKeys,
    email: &str,
    password: String,
    address: IpAddr,
) -> Result<Session, ApiError> {
    // counted before anything is checked: past the limits, nothing is (`login_limits`)
    let attempt = login_limits::Attempt::new(keys, email, address);
    attempt.reserve(pool).await?;
    let user: Option<(Uuid, Uuid, String, String)> = sqlx::query_as(
        "select user_id, business_id, role, password_hash from users where lower(email) = lower($1)",
    )
    .bind(email.trim())
    .fetch_optional(pool)
    .await?;
    // an unknown email costs as much as a wrong password, so timing does not reveal accounts
    let (stored_hash, found) = match &user {
        Some((_, _, _, hash)) => (hash.clone(), true),
        None => (dummy_hash().to_owned(), false),
    };
    let verified = verify_password(password, stored_hash).await?;
    match user {
        Some((user_id, business_id, role, _)) if verified && found => {
            attempt.succeeded(pool).await?;
            sessions::open(pool, keys, user_id, business_id, &role).await
        }
        _ => Err(ApiError::unauthorized("the email or password is wrong")
            .with_code("invalid_credentials")),
    }
}

fn check_password(password: &str) -> Result<(), ApiError> {
    let length = password.chars().count();
    if !(10..=1024).contains(&length) {
        return Err(ApiError::unprocessable(
            "weak_password",
            "a password needs at least 10 characters (and at most 1024)",
        ));
    }
    Ok(())
}

fn insert_or<T>(result: Result<T, sqlx::Error>, on_duplicate: ApiError) -> Result<T, ApiError> {
    result.map_err(|err| {
        let duplicate = err
            .as_database_error()
            .and_then(|e| e.code())
            .is_some_and(|code| code == "23505");
        if duplicate {
            on_duplicate
        } else {
            ApiError::from(err)
        }
    })
}

/// argon2id with the crate's defaults (OWASP's recommended parameters), off the async threads.
async fn hash_password(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| ApiError::internal(std::io::Error::other(e.to_string())))
    })
    .await
    .map_err(ApiError::internal)?
}

async fn verify_password(password: String, hash: String) -> Result<bool, ApiError> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash)
            .map_err(|e| ApiError::internal(std::io::Error::other(e.to_string())))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(ApiError::internal)?
}

fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpM"
}

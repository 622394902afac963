//! A booking's manage link: a secret token given once to the customer who booked online,
//! kept as its SHA-256 (`booking_links`). It is written before the booking it names is
//! recorded, so a recorded online booking always has its link (a failed booking leaves a link
//! to nothing, which finds nothing).

use platform::{secret_token, ApiError};
use sqlx::PgPool;
use uuid::Uuid;

/// Keeps a new link to appointment `appointment_id` (not booked yet) of business
/// `business_id`; answers the token's text.
pub async fn issue(
    pool: &PgPool,
    business_id: Uuid,
    appointment_id: Uuid,
) -> Result<String, ApiError> {
    let token = secret_token::draw();
    sqlx::query(
        "insert into booking_links (token_hash, appointment_id, business_id) values ($1, $2, $3)",
    )
    .bind(&token.hash)
    .bind(appointment_id)
    .bind(business_id)
    .execute(pool)
    .await?;
    Ok(token.text)
}

/// The (business, appointment) a link names; 404 `booking_not_found` for an unknown one.
pub async fn find(pool: &PgPool, token: &str) -> Result<(Uuid, Uuid), ApiError> {
    sqlx::query_as("select business_id, appointment_id from booking_links where token_hash = $1")
        .bind(secret_token::hash(token))
        .fetch_optional(pool)
        .await?
        .ok_or_else(not_found)
}

pub(crate) fn not_found() -> ApiError {
    ApiError::not_found("booking_not_found", "no booking has this link")
}

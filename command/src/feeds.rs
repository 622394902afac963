//! Calendar feeds: a secret address per barber (or for the whole shop) that calendar apps
//! subscribe to. The token is shown once, when the feed is made, and kept as its SHA-256
//! (`calendar_feeds`); revoking a feed kills its address for good. The feed itself is read by
//! the query service (`GET /feeds/{token}.ics`).

use chrono::{DateTime, Utc};
use domain::staff::StaffMember;
use platform::auth::Authenticated;
use platform::roles::{Power, Powers};
use platform::{secret_token, ApiError};
use sqlx::PgPool;
use uuid::Uuid;

use crate::store::EventStore;

/// A feed just made, with its secret token.
#[derive(Debug)]
pub struct NewFeed {
    pub feed_id: Uuid,
    pub staff_id: Option<Uuid>,
    pub token: String,
}

/// Makes a feed of barber `staff_id`'s chair (`None`: the whole shop) for `user`. A login that
/// sees only its own chair may make a feed of that chair only (403 `not_your_chair`).
pub async fn make(
    pool: &PgPool,
    store: &EventStore,
    user: &Authenticated,
    staff_id: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<NewFeed, ApiError> {
    if let Some(chair) = user.own_chair() {
        if staff_id != Some(chair) {
            return Err(ApiError::client(
                axum::http::StatusCode::FORBIDDEN,
                "not_your_chair",
                "a barber's login may make a feed of its own chair only",
            ));
        }
    }
    if let Some(staff_id) = staff_id {
        let staff: StaffMember = store.load(&staff_id.to_string()).await?;
        if !staff.belongs_to(user.tenant_id) {
            return Err(ApiError::not_found(
                "staff_not_found",
                domain::staff::StaffError::NotFound.to_string(),
            ));
        }
    }
    let token = secret_token::draw();
    let feed_id = Uuid::now_v7();
    sqlx::query(
        "insert into calendar_feeds
                (feed_id, tenant_id, staff_id, token_hash, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(feed_id)
    .bind(user.tenant_id)
    .bind(staff_id)
    .bind(&token.hash)
    .bind(user.user_id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(NewFeed {
        feed_id,
        staff_id,
        token: token.text,
    })
}

/// Revokes feed `feed_id`: by the login that made it, or by one that manages the staff. 404
/// `feed_not_found` for a feed of another business, or one the caller may not revoke; revoking
/// twice is the same as once.
pub async fn revoke(
    pool: &PgPool,
    user: &Authenticated,
    feed_id: Uuid,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let manager = user.role.may(Power::ManageStaff);
    let found = sqlx::query(
        "update calendar_feeds set revoked_at = coalesce(revoked_at, $4)
          where feed_id = $1 and tenant_id = $2 and (created_by = $3 or $5)",
    )
    .bind(feed_id)
    .bind(user.tenant_id)
    .bind(user.user_id)
    .bind(now)
    .bind(manager)
    .execute(pool)
    .await?;
    if found.rows_affected() == 0 {
        return Err(ApiError::not_found(
            "feed_not_found",
            "no calendar feed of yours has this id",
        ));
    }
    Ok(())
}

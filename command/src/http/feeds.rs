//! `POST /feeds` (a calendar feed of a barber's chair or of the whole shop, its secret address
//! shown once) and `DELETE /feeds/{id}` (revoked for good). The feeds are read at
//! `GET /feeds/{token}.ics` (query service).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use chrono::Utc;
use platform::json::{ApiPath, OptionalJson};
use platform::roles::{power, May};
use platform::ApiError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::CommandState;
use crate::feeds;

pub fn routes() -> Router<CommandState> {
    Router::new()
        .route("/feeds", post(make_feed))
        .route("/feeds/{id}", delete(revoke_feed))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedRequest {
    /// The barber whose appointments it shows; absent: every barber's (a barber's login: its
    /// own chair only).
    staff_id: Option<Uuid>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FeedMade {
    id: Uuid,
    staff_id: Option<Uuid>,
    /// The secret address to subscribe to (`webcal://` works too), shown this once: anyone
    /// with it sees the appointments, until the feed is revoked.
    url: String,
}

/// Makes a calendar feed: the appointments of one barber (or all), subscribed to from a
/// calendar app at a secret address.
#[utoipa::path(post, path = "/api/v1/feeds", tag = "feeds", request_body = FeedRequest,
    security(("bearer" = ["see_the_shop"])),
    responses((status = 201, body = FeedMade),
        (status = 403, description = "not_your_chair", body = platform::problem::Problem),
        (status = 404, description = "staff_not_found", body = platform::problem::Problem)))]
pub async fn make_feed(
    State(state): State<CommandState>,
    May(user, _): May<power::SeeTheShop>,
    OptionalJson(body): OptionalJson<FeedRequest>,
) -> Result<(StatusCode, Json<FeedMade>), ApiError> {
    let made = feeds::make(
        state.store.pool(),
        &state.store,
        &user,
        body.staff_id,
        Utc::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(FeedMade {
            id: made.feed_id,
            staff_id: made.staff_id,
            url: format!("{}/api/v1/feeds/{}.ics", state.public_url, made.token),
        }),
    ))
}

/// Revokes a calendar feed (its maker, or an owner or manager): its address answers 404 from
/// now on.
#[utoipa::path(delete, path = "/api/v1/feeds/{id}", tag = "feeds", params(("id" = Uuid, Path)),
    security(("bearer" = ["see_the_shop"])),
    responses((status = 204),
        (status = 404, description = "feed_not_found", body = platform::problem::Problem)))]
pub async fn revoke_feed(
    State(state): State<CommandState>,
    May(user, _): May<power::SeeTheShop>,
    ApiPath(id): ApiPath<Uuid>,
) -> Result<StatusCode, ApiError> {
    feeds::revoke(state.store.pool(), &user, id, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

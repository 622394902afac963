//! The read side of barber: the query HTTP API over the read models the projections build.
//!
//! - [`freshness`]: `min_position`, read-your-writes: wait (bounded) until the read models a
//!   request reads have applied a position, or answer marked stale.
//! - [`customers`]: `GET /customers`, `GET /customers/{id}`.
//! - [`cursor`]: opaque keyset-pagination cursors.
//!
//! Every query is scoped by the tenant of the caller's token; another tenant's id answers 404.

pub mod cursor;
pub mod customers;
pub mod freshness;

use axum::extract::FromRef;
use axum::Router;
use platform::auth::JwtKeys;
use sqlx::PgPool;
use utoipa::OpenApi;

pub use freshness::Freshness;

/// What the query handlers share.
#[derive(Clone)]
pub struct QueryState {
    pub pool: PgPool,
    pub keys: JwtKeys,
    pub freshness: Freshness,
}

impl FromRef<QueryState> for JwtKeys {
    fn from_ref(state: &QueryState) -> Self {
        state.keys.clone()
    }
}

/// The query routes, under `/api/v1`.
pub fn router(state: QueryState) -> Router {
    Router::new().merge(customers::routes()).with_state(state)
}

#[derive(OpenApi)]
#[openapi(paths(customers::list_customers, customers::get_customer))]
pub struct QueryApi;

//! The tenant directory at the door: a request for a business that has moved to another
//! deployment (`tenant_homes`, state `moved`: see [`crate::tenant`]) is forwarded there and its
//! answer given back, so that its people, its booking pages and its integrations keep using the
//! address they know. Deployments that forward to each other share the token signing secret
//! (`JWT_SECRET`), so a token one issued is taken by the other.
//!
//! Whose a request is: the business its bearer token names (even expired: a renewal follows);
//! the address in a public booking page's path; the email address a login is for; the business
//! of a secret token (a refresh token, a booking link, an invitation or a password reset link,
//! a calendar subscription). With no business moved away (the usual case) a request costs one look at a cached,
//! empty list.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderName, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use command::http::routes;
use platform::auth::{bearer_token, JwtKeys};
use platform::ApiError;
use serde_json::Value;
use sqlx::PgPool;
use tokio::sync::Mutex;
use uuid::Uuid;

/// How long the list of businesses moved away is kept before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(2);

/// The largest request body forwarded (the command routes' own limit).
const MAX_BODY: usize = 2 * 1024 * 1024;

/// The `POST` routes whose JSON body names whose the request is: `(path under /api/v1, field,
/// kind)`.
const BODY_ROUTES: [(&str, &str, Named); 5] = [
    (routes::LOG_IN, "email", Named::Email),
    (routes::REFRESH, "refresh_token", Named::Token),
    (routes::LOG_OUT, "refresh_token", Named::Token),
    (routes::ACCEPT_INVITATION, "token", Named::Token),
    (routes::RESET_PASSWORD, "token", Named::Token),
];

#[derive(Debug, Clone, Copy)]
enum Named {
    Email,
    Token,
}

/// The businesses this deployment has handed over, as read at one moment.
#[derive(Default)]
struct Moved {
    /// Business → the base URL of its home.
    homes: HashMap<Uuid, String>,
    /// Booking page address → business.
    slugs: HashMap<String, Uuid>,
}

/// A reading of the businesses moved away, and when it was made.
type Reading = (Instant, Arc<Moved>);

/// What the forwarding needs.
#[derive(Clone)]
pub struct Directory {
    pool: PgPool,
    keys: JwtKeys,
    client: reqwest::Client,
    /// The last reading and when it was made.
    moved: Arc<Mutex<Option<Reading>>>,
}

impl Directory {
    pub fn new(pool: PgPool, keys: JwtKeys) -> Self {
        let client = reqwest::Client::builder()
            // an answer is given back as it is, redirects included
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self {
            pool,
            keys,
            client,
            moved: Arc::default(),
        }
    }

    /// The businesses moved away, read again when the last reading is stale.
    async fn moved(&self) -> Result<Arc<Moved>, sqlx::Error> {
        let mut last = self.moved.lock().await;
        if let Some((at, moved)) = last.as_ref() {
            if at.elapsed() <= FRESH_FOR {
                return Ok(moved.clone());
            }
        }
        let rows: Vec<(Uuid, String, Option<String>)> = sqlx::query_as(
            "select h.tenant_id, h.home, s.slug from tenant_homes h
               left join business_slugs s on s.business_id = h.tenant_id
              where h.state = 'moved'",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut moved = Moved::default();
        for (tenant, home, slug) in rows {
            moved.homes.insert(tenant, home);
            if let Some(slug) = slug {
                moved.slugs.insert(slug, tenant);
            }
        }
        let moved = Arc::new(moved);
        *last = Some((Instant::now(), moved.clone()));
        Ok(moved)
    }

    /// The business a one-time token or a login's email address belongs to.
    async fn owner_of(&self, named: Named, value: &str) -> Result<Option<Uuid>, sqlx::Error> {
        match named {
            Named::Email => {
                sqlx::query_scalar("select business_id from users where lower(email) = lower($1)")
                    .bind(value)
                    .fetch_optional(&self.pool)
                    .await
            }
            Named::Token => {
                sqlx::query_scalar(
                    "select business_id from refresh_tokens where token_hash = $1
                     union all select business_id from account_tokens where token_hash = $1
                     union all select business_id from booking_links where token_hash = $1
                     union all select tenant_id from calendar_feeds where token_hash = $1
                     limit 1",
                )
                .bind(platform::secret_token::hash(value))
                .fetch_optional(&self.pool)
                .await
            }
        }
    }
}

/// Forwards a request of a business moved away to its home (see the module documentation).
pub async fn forward(State(directory): State<Directory>, request: Request, next: Next) -> Response {
    if !request.uri().path().starts_with("/api/v1/") {
        return next.run(request).await;
    }
    let moved = match directory.moved().await {
        Ok(moved) if !moved.homes.is_empty() => moved,
        Ok(_) => return next.run(request).await,
        Err(err) => {
            // served here: with its database unreachable, nothing is served anywhere else
            tracing::warn!(%err, "the list of businesses moved away cannot be read");
            return next.run(request).await;
        }
    };
    let (parts, body) = request.into_parts();
    let body = match to_bytes(body, MAX_BODY).await {
        Ok(body) => body,
        Err(_) => {
            return ApiError::client(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the request body is too large",
            )
            .into_response()
        }
    };
    let business = match whose(&directory, &parts, &body, &moved.slugs).await {
        Ok(business) => business,
        Err(err) => return ApiError::from(err).into_response(),
    };
    match business.and_then(|b| moved.homes.get(&b)) {
        Some(home) => relay(&directory.client, home, parts, body).await,
        None => next.run(Request::from_parts(parts, Body::from(body))).await,
    }
}

/// Whose a request is, when it says.
async fn whose(
    directory: &Directory,
    parts: &Parts,
    body: &Bytes,
    slugs: &HashMap<String, Uuid>,
) -> Result<Option<Uuid>, sqlx::Error> {
    if let Some(tenant) = bearer_token(&parts.headers).and_then(|t| directory.keys.tenant_of(t)) {
        return Ok(Some(tenant));
    }
    let path = parts.uri.path().strip_prefix("/api/v1").unwrap_or_default();
    if let Some(rest) = path.strip_prefix(routes::PUBLIC_PREFIX) {
        let mut segments = rest.split('/');
        return match (segments.next(), segments.next()) {
            (Some("bookings"), Some(token)) => directory.owner_of(Named::Token, token).await,
            (Some(slug), _) => Ok(slugs.get(slug).copied()),
            _ => Ok(None),
        };
    }
    // a calendar subscription: `/feeds/{token}.ics`
    if let Some(token) = path
        .strip_prefix("/feeds/")
        .and_then(|rest| rest.strip_suffix(".ics"))
    {
        return directory.owner_of(Named::Token, token).await;
    }
    if parts.method != Method::POST {
        return Ok(None);
    }
    let Some((_, field, named)) = BODY_ROUTES.iter().find(|(route, ..)| *route == path) else {
        return Ok(None);
    };
    let value = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get(*field).and_then(Value::as_str).map(str::to_owned));
    match value {
        Some(value) => directory.owner_of(*named, &value).await,
        None => Ok(None),
    }
}

/// Headers that belong to one connection, not to the request or answer they travel with.
const HOP_BY_HOP: [HeaderName; 5] = [
    header::CONNECTION,
    header::HOST,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
    header::UPGRADE,
];

/// Sends the request to `home` and gives back its answer (502 when it cannot be reached).
async fn relay(client: &reqwest::Client, home: &str, parts: Parts, body: Bytes) -> Response {
    let path = parts
        .uri
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let mut request = client.request(parts.method.clone(), format!("{home}{path}"));
    let forwarded_for = HeaderName::from_static("x-forwarded-for");
    for (name, value) in &parts.headers {
        if !HOP_BY_HOP.contains(name) && *name != forwarded_for {
            request = request.header(name, value);
        }
    }
    // like any proxy, the address it was reached from is appended: the home counts one more
    // trusted hop (`FORWARDED_HOPS`) to see each visitor's own (the public pages' quota)
    let mut chain: Vec<String> = parts
        .headers
        .get_all(&forwarded_for)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        chain.push(peer.ip().to_string());
    }
    if !chain.is_empty() {
        request = request.header(&forwarded_for, chain.join(", "));
    }
    let answer = match request.body(body).send().await {
        Ok(answer) => answer,
        Err(err) => {
            tracing::warn!(%err, home, "a moved business's home did not answer");
            return ApiError::client(
                axum::http::StatusCode::BAD_GATEWAY,
                "home_unreachable",
                "this business is served by another deployment, which did not answer; try again",
            )
            .into_response();
        }
    };
    let mut response = Response::builder().status(answer.status());
    for (name, value) in answer.headers() {
        if !HOP_BY_HOP.contains(name) {
            response = response.header(name, value);
        }
    }
    let body = answer.bytes().await.unwrap_or_default();
    response
        .body(Body::from(body))
        .unwrap_or_else(|err| ApiError::internal(err).into_response())
}

//! External identity: tokens of an identity provider the deployment trusts (an OpenID Connect
//! provider, or Supabase Auth's shared secret), accepted beside barber's own and mapped to a
//! login of barber by their `email` claim. The provider proves who someone is; barber's
//! `users` say what they may do: a token whose email has no login here, or a disabled one, is
//! refused (401), and the role and chair are the login's, read afresh on every request.
//!
//! A token is checked for its signature (a key from the provider's JWKS, found by `kid`, or the
//! shared secret), issuer, audience and expiry (5 seconds of leeway). A JWKS provider's tokens
//! must be signed with a public-key algorithm, so a token cannot pass the provider's public key
//! off as an HMAC secret. The JWKS is fetched when first needed and again when a token names a
//! key it lacks (a provider rotating its keys), at most every [`REFETCH_AFTER`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sqlx::PgPool;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::auth::Authenticated;
use crate::config::ExternalIdentity as Settings;
use crate::problem::ApiError;
use crate::roles::Role;

/// The shortest time between two fetches of the JWKS.
pub const REFETCH_AFTER: Duration = Duration::from_secs(30);

/// Verifies a provider's tokens and finds their login.
#[derive(Clone)]
pub struct ExternalIdentity {
    inner: Arc<Inner>,
}

struct Inner {
    verifier: Verifier,
    pool: PgPool,
}

enum Verifier {
    Jwks {
        issuer: String,
        audience: String,
        url: String,
        client: reqwest::Client,
        keys: Mutex<Fetched>,
    },
    Shared {
        key: DecodingKey,
        audience: String,
        issuer: Option<String>,
    },
}

#[derive(Default)]
struct Fetched {
    set: Option<JwkSet>,
    at: Option<Instant>,
}

/// The claims barber reads of a provider's token.
#[derive(Debug, Deserialize)]
struct ProviderClaims {
    email: Option<String>,
    /// Providers that say so: an address not verified is not proof of a login.
    email_verified: Option<bool>,
}

impl ExternalIdentity {
    pub fn new(settings: &Settings, pool: PgPool) -> Self {
        let verifier = match settings {
            Settings::Oidc {
                issuer,
                jwks_url,
                audience,
            } => Verifier::Jwks {
                issuer: issuer.clone(),
                audience: audience.clone(),
                url: jwks_url.clone(),
                client: reqwest::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .unwrap_or_default(),
                keys: Mutex::new(Fetched::default()),
            },
            Settings::SharedSecret {
                secret,
                audience,
                issuer,
            } => Verifier::Shared {
                key: DecodingKey::from_secret(secret.expose().as_bytes()),
                audience: audience.clone(),
                issuer: issuer.clone(),
            },
        };
        Self {
            inner: Arc::new(Inner { verifier, pool }),
        }
    }

    /// The login a provider's `token` names; 401 for a token that does not verify, or names no
    /// login here that may be used.
    pub async fn authenticate(&self, token: &str) -> Result<Authenticated, ApiError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
        let (key, validation) = match &self.inner.verifier {
            Verifier::Jwks {
                issuer, audience, ..
            } => {
                if !asymmetric(header.alg) {
                    return Err(invalid());
                }
                let key = self.key(header.kid.as_deref()).await?;
                (key, validation(header.alg, audience, Some(issuer)))
            }
            Verifier::Shared {
                key,
                audience,
                issuer,
            } => (
                key.clone(),
                validation(Algorithm::HS256, audience, issuer.as_ref()),
            ),
        };
        let claims = jsonwebtoken::decode::<ProviderClaims>(token, &key, &validation)
            .map_err(|_| invalid())?
            .claims;
        let email = claims
            .email
            .filter(|_| claims.email_verified != Some(false))
            .ok_or_else(|| {
                ApiError::unauthorized("the provider's token names no verified email")
            })?;
        self.login(&email).await
    }

    /// The usable login with `email`.
    async fn login(&self, email: &str) -> Result<Authenticated, ApiError> {
        let found: Option<(Uuid, Uuid, String, Option<Uuid>)> = sqlx::query_as(
            "select user_id, business_id, role, staff_id from users
              where lower(email) = lower($1) and disabled_at is null",
        )
        .bind(email.trim())
        .fetch_optional(&self.inner.pool)
        .await?;
        let (user_id, tenant_id, role, staff_id) = found.ok_or_else(|| {
            ApiError::unauthorized("no usable login of barber has the provider's email")
                .with_code("unknown_user")
        })?;
        let role = Role::parse(&role)
            .ok_or_else(|| ApiError::unauthorized("the login's role is unknown"))?;
        Ok(Authenticated {
            user_id,
            tenant_id,
            role,
            staff_id,
        })
    }

    /// The provider's key `kid`, fetching the JWKS when it is not known yet.
    async fn key(&self, kid: Option<&str>) -> Result<DecodingKey, ApiError> {
        let Verifier::Jwks {
            url, client, keys, ..
        } = &self.inner.verifier
        else {
            return Err(invalid());
        };
        let mut fetched = keys.lock().await;
        if let Some(key) = fetched.set.as_ref().and_then(|set| pick(set, kid)) {
            return Ok(key);
        }
        if fetched.at.is_some_and(|at| at.elapsed() < REFETCH_AFTER) {
            return Err(invalid());
        }
        fetched.at = Some(Instant::now());
        let set: JwkSet = client
            .get(url)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|err| unavailable(&err))?
            .json()
            .await
            .map_err(|err| unavailable(&err))?;
        let key = pick(&set, kid);
        fetched.set = Some(set);
        key.ok_or_else(invalid)
    }
}

/// The key named `kid`, or the only key of a set when the token names none.
fn pick(set: &JwkSet, kid: Option<&str>) -> Option<DecodingKey> {
    let jwk = match kid {
        Some(kid) => set.find(kid)?,
        None if set.keys.len() == 1 => set.keys.first()?,
        None => return None,
    };
    DecodingKey::from_jwk(jwk).ok()
}

fn asymmetric(alg: Algorithm) -> bool {
    !matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512)
}

fn validation(alg: Algorithm, audience: &str, issuer: Option<&String>) -> Validation {
    let mut validation = Validation::new(alg);
    validation.leeway = 5;
    validation.set_audience(&[audience]);
    let mut required = vec!["exp", "aud"];
    if let Some(issuer) = issuer {
        validation.set_issuer(&[issuer]);
        required.push("iss");
    }
    validation.set_required_spec_claims(&required);
    validation
}

fn invalid() -> ApiError {
    ApiError::unauthorized("the bearer token is invalid or expired")
}

/// The provider's keys cannot be had: the caller may try again.
fn unavailable(err: &reqwest::Error) -> ApiError {
    tracing::warn!(%err, "the identity provider's JWKS cannot be fetched");
    ApiError::client(
        axum::http::StatusCode::SERVICE_UNAVAILABLE,
        "identity_provider_unavailable",
        "the identity provider's signing keys cannot be fetched; try again shortly",
    )
}

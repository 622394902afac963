//! Tokens: short-lived HS256 JWTs naming the user, their business (the tenant), their role and
//! chair; and, when the deployment trusts an identity provider, the provider's tokens
//! (`crate::identity`). The tenant of every request comes from here, never from a request body.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::{header, request::Parts, HeaderMap};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::identity::ExternalIdentity;
use crate::problem::ApiError;
use crate::roles::Role;

/// What a token says about its bearer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: Uuid,
    /// The business (tenant) id.
    pub tid: Uuid,
    pub role: String,
    /// The staff member (chair) the login belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff: Option<Uuid>,
    pub iat: i64,
    pub exp: i64,
}

/// Signs and verifies tokens.
#[derive(Clone)]
pub struct JwtKeys {
    inner: Arc<Keys>,
}

#[derive(Clone)]
struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The secret signed with before a rotation: its tokens are still taken until they run out.
    previous: Option<DecodingKey>,
    ttl: Duration,
    /// HMAC-SHA256 keyed for request fingerprints (see [`JwtKeys::fingerprint`]).
    fingerprints: Hmac<Sha256>,
    /// The identity provider whose tokens are accepted too, if any.
    external: Option<ExternalIdentity>,
}

/// What the fingerprint key is derived for: the signing secret itself never keys anything but
/// tokens, so a fingerprint can never be mistaken for, or help forge, a signature.
const FINGERPRINT_PURPOSE: &[u8] = b"barber request fingerprint v1";

/// The HMAC keyed for fingerprints alone: its key is SHA-256 of the purpose and the secret,
/// zero-padded to the block as HMAC pads any short key, so keying cannot fail.
fn fingerprint_mac(secret: &[u8]) -> Hmac<Sha256> {
    let derived = Sha256::new()
        .chain_update(FINGERPRINT_PURPOSE)
        .chain_update(secret)
        .finalize();
    let mut key = hmac::digest::Key::<Hmac<Sha256>>::default();
    key[..derived.len()].copy_from_slice(&derived);
    <Hmac<Sha256> as KeyInit>::new(&key)
}

impl JwtKeys {
    pub fn new(secret: impl AsRef<[u8]>, ttl: Duration) -> Self {
        let secret = secret.as_ref();
        Self {
            inner: Arc::new(Keys {
                encoding: EncodingKey::from_secret(secret),
                decoding: DecodingKey::from_secret(secret),
                previous: None,
                ttl,
                fingerprints: fingerprint_mac(secret),
                external: None,
            }),
        }
    }

    /// These keys, accepting `external`'s tokens too.
    pub fn with_external(self, external: ExternalIdentity) -> Self {
        let mut keys = Arc::unwrap_or_clone(self.inner);
        keys.external = Some(external);
        Self {
            inner: Arc::new(keys),
        }
    }

    /// These keys, still taking the tokens signed with `previous` (`JWT_PREVIOUS_SECRET`, during
    /// a rotation: docs/operations.md). Only new tokens are signed, and fingerprints keyed,
    /// with the current secret.
    pub fn accepting_previous(self, previous: impl AsRef<[u8]>) -> Self {
        let mut keys = Arc::unwrap_or_clone(self.inner);
        keys.previous = Some(DecodingKey::from_secret(previous.as_ref()));
        Self {
            inner: Arc::new(keys),
        }
    }

    /// How long a token it issues is good for.
    pub fn ttl(&self) -> Duration {
        self.inner.ttl
    }

    /// A token for a user of a business, with their role and chair.
    pub fn issue(
        &self,
        user_id: Uuid,
        tenant_id: Uuid,
        role: &str,
        staff: Option<Uuid>,
    ) -> Result<String, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            tid: tenant_id,
            role: role.to_owned(),
            staff,
            iat: now,
            exp: now + i64::try_from(self.inner.ttl.as_secs()).unwrap_or(i64::MAX / 2),
        };
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.inner.encoding,
        )
        .map_err(ApiError::internal)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        std::iter::once(&self.inner.decoding)
            .chain(&self.inner.previous)
            .find_map(|key| jsonwebtoken::decode::<Claims>(token, key, &validation).ok())
            .map(|data| data.claims)
            .ok_or_else(|| ApiError::unauthorized("the bearer token is invalid or expired"))
    }

    /// The business one of our tokens names, even an expired one: where its request is to be
    /// served (the deployment that serves it checks the token in full).
    pub fn tenant_of(&self, token: &str) -> Option<Uuid> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        std::iter::once(&self.inner.decoding)
            .chain(&self.inner.previous)
            .find_map(|key| jsonwebtoken::decode::<Claims>(token, key, &validation).ok())
            .map(|data| data.claims.tid)
    }

    /// A keyed fingerprint (HMAC-SHA256) of `message`, for what must be recognised again but not
    /// read back: an idempotent request's body holds a password at signup. Every process of a
    /// deployment shares the secret, so they agree; without the secret a stored fingerprint
    /// cannot be tested against guessed bodies.
    pub fn fingerprint(&self, message: &[u8]) -> Vec<u8> {
        let mut mac = self.inner.fingerprints.clone();
        mac.update(message);
        mac.finalize().into_bytes().to_vec()
    }

    /// Who sent a request, from its `Authorization` header: one of barber's own tokens, or the
    /// identity provider's. The extractor and every middleware that needs the caller (known
    /// users, idempotency keys) authenticate here, so they cannot disagree.
    pub async fn authenticate(&self, headers: &HeaderMap) -> Result<Authenticated, ApiError> {
        let own = self.authenticate_own(headers);
        match (&own, &self.inner.external, bearer_token(headers)) {
            (Err(_), Some(external), Some(token)) => external.authenticate(token).await,
            _ => own,
        }
    }

    /// Who sent a request, by one of barber's own tokens.
    fn authenticate_own(&self, headers: &HeaderMap) -> Result<Authenticated, ApiError> {
        let token = bearer_token(headers)
            .ok_or_else(|| ApiError::unauthorized("send Authorization: Bearer <token>"))?;
        let claims = self.verify(token)?;
        let role = Role::parse(&claims.role)
            .ok_or_else(|| ApiError::unauthorized("the bearer token's role is unknown"))?;
        Ok(Authenticated {
            user_id: claims.sub,
            tenant_id: claims.tid,
            role,
            staff_id: claims.staff,
        })
    }
}

/// The bearer token of a request, if it sends one. The scheme is compared without regard to
/// case and may be followed by several spaces (RFC 9110 §11.1: `Bearer`, `bearer` and
/// `BEARER` are one scheme).
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim_start_matches(' ');
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The authenticated user of a request; rejects with 401 when the token is missing or bad.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub user_id: Uuid,
    pub tenant_id: Uuid,
    pub role: Role,
    /// The chair the login belongs to: a barber sees and works only this one.
    pub staff_id: Option<Uuid>,
}

impl<S> FromRequestParts<S> for Authenticated
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        JwtKeys::from_ref(state).authenticate(&parts.headers).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_verifies_with_its_own_secret_only() {
        let keys = JwtKeys::new("one", Duration::from_secs(60));
        let (user, tenant) = (Uuid::new_v4(), Uuid::new_v4());
        let token = keys.issue(user, tenant, "owner", None).expect("issued");
        let claims = keys.verify(&token).expect("valid");
        assert_eq!((claims.sub, claims.tid), (user, tenant));
        let other = JwtKeys::new("two", Duration::from_secs(60));
        assert!(other.verify(&token).is_err());
    }

    #[test]
    fn a_fingerprint_depends_on_the_secret_and_the_message() {
        let keys = JwtKeys::new("one", Duration::from_secs(60));
        let print = keys.fingerprint(b"POST /signup");
        assert_eq!(print.len(), 32);
        assert_eq!(print, keys.fingerprint(b"POST /signup"));
        assert_ne!(print, keys.fingerprint(b"POST /login"));
        let other = JwtKeys::new("two", Duration::from_secs(60));
        assert_ne!(print, other.fingerprint(b"POST /signup"));
    }

    fn authorization(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, value.parse().expect("header value"));
        headers
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for value in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR   abc"] {
            assert_eq!(bearer_token(&authorization(value)), Some("abc"), "{value}");
        }
        for value in ["Basic abc", "Bearer", "Bearer ", "Bearerabc", "abc"] {
            assert_eq!(bearer_token(&authorization(value)), None, "{value}");
        }
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }
}

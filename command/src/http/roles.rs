//! Who may do what. The setup of the shop (its settings, service catalog and staff) is the
//! business's decision: owners and managers make it. Erasing a customer's personal data cannot
//! be undone: only an owner may.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use platform::auth::{Authenticated, JwtKeys};
use platform::ApiError;

const MANAGING_ROLES: &[&str] = &["owner", "manager"];

/// An authenticated owner or manager. Checked before the body is read, so a barber is told 403,
/// not what was wrong with the body; without a token the answer stays 401.
pub struct Manager(pub Authenticated);

impl<S> FromRequestParts<S> for Manager
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let refusal = "only an owner or a manager may change the shop's setup";
        with_role(parts, state, MANAGING_ROLES, refusal)
            .await
            .map(Self)
    }
}

/// An authenticated owner of the business, checked like [`Manager`].
pub struct Owner(pub Authenticated);

impl<S> FromRequestParts<S> for Owner
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let refusal = "only an owner may erase a customer's personal data";
        with_role(parts, state, &["owner"], refusal).await.map(Self)
    }
}

/// The authenticated user, if their role is one of `roles`; 403 `forbidden` with `refusal`
/// otherwise.
async fn with_role<S>(
    parts: &mut Parts,
    state: &S,
    roles: &[&str],
    refusal: &'static str,
) -> Result<Authenticated, ApiError>
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
{
    Authenticated::from_request_parts(parts, state)
        .await?
        .with_role_in(roles, refusal)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::http::{header, Request, StatusCode};
    use uuid::Uuid;

    use super::*;

    async fn as_role(role: &str) -> Result<Manager, ApiError> {
        let keys = JwtKeys::new("test", Duration::from_secs(60));
        let token = keys
            .issue(Uuid::new_v4(), Uuid::new_v4(), role)
            .expect("issued");
        let (mut parts, ()) = Request::builder()
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(())
            .expect("request")
            .into_parts();
        Manager::from_request_parts(&mut parts, &keys).await
    }

    #[tokio::test]
    async fn owners_and_managers_may_change_the_setup() {
        for role in ["owner", "manager"] {
            let manager = as_role(role).await.expect("allowed");
            assert_eq!(manager.0.role, role);
        }
    }

    #[tokio::test]
    async fn other_roles_are_forbidden() {
        for role in ["barber", "front_desk", "", "Owner"] {
            let err = as_role(role).await.err().expect("refused");
            assert_eq!(
                (err.status(), err.code()),
                (StatusCode::FORBIDDEN, "forbidden")
            );
        }
    }

    #[tokio::test]
    async fn only_owners_may_erase() {
        let keys = JwtKeys::new("test", Duration::from_secs(60));
        for (role, allowed) in [
            ("owner", true),
            ("manager", false),
            ("front_desk", false),
            ("barber", false),
        ] {
            let token = keys
                .issue(Uuid::new_v4(), Uuid::new_v4(), role)
                .expect("issued");
            let (mut parts, ()) = Request::builder()
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(())
                .expect("request")
                .into_parts();
            let owner = Owner::from_request_parts(&mut parts, &keys).await;
            assert_eq!(owner.is_ok(), allowed, "{role}");
        }
    }

    #[tokio::test]
    async fn without_a_token_the_answer_is_401_not_403() {
        let keys = JwtKeys::new("test", Duration::from_secs(60));
        let (mut parts, ()) = Request::builder().body(()).expect("request").into_parts();
        let err = Manager::from_request_parts(&mut parts, &keys)
            .await
            .err()
            .expect("refused");
        assert_eq!(err.status(), StatusCode::UNAUTHORIZED);
    }
}

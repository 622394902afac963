//! Who may do what. The setup of the shop (its settings, service catalog and staff) is the
//! business's decision: owners and managers make it.

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
        let user = Authenticated::from_request_parts(parts, state).await?;
        if MANAGING_ROLES.contains(&user.role.as_str()) {
            Ok(Self(user))
        } else {
            Err(ApiError::forbidden(
                "only an owner or a manager may change the shop's setup",
            ))
        }
    }
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

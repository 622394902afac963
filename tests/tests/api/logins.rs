//! The business's logins over HTTP: an invitation accepted and used, a role changed, a login
//! disabled and enabled, passwords changed and reset, who may do which, and the history that
//! shows who did it.

use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_problem, spawn_app, Owner, TestApp};

const PASSWORD: &str = "a long barber password";

impl TestApp {
    /// Invites `email` with `role` (and chair); answers the invitation's (user id, token).
    pub async fn invite(
        &self,
        by: &str,
        email: &str,
        role: &str,
        staff_id: Option<Uuid>,
    ) -> (Uuid, String) {
        let response = self
            .post_json(
                "/api/v1/users",
                Some(by),
                &json!({"email": email, "name": "Joe Barber", "role": role, "staff_id": staff_id}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("json");
        let link = &body["link"];
        let token = link["token"].as_str().expect("token").to_owned();
        let url = link["url"].as_str().expect("url");
        assert!(
            url.ends_with(&format!("/accept-invitation#token={token}")),
            "{url}"
        );
        (
            body["id"].as_str().expect("id").parse().expect("uuid"),
            token,
        )
    }

    /// Accepts an invitation; answers the session.
    pub async fn accept(&self, token: &str) -> Value {
        let response = self
            .post_json(
                "/api/v1/invitations/accept",
                None,
                &json!({"token": token, "password": PASSWORD}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.expect("json")
    }

    /// A user invited with `role` who has accepted: (user id, session).
    pub async fn staff_login(
        &self,
        owner: &Owner,
        email: &str,
        role: &str,
        staff_id: Option<Uuid>,
    ) -> (Uuid, Value) {
        let (user_id, token) = self.invite(&owner.token, email, role, staff_id).await;
        (user_id, self.accept(&token).await)
    }
}

fn token(session: &Value) -> &str {
    session["token"].as_str().expect("token")
}

async fn login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    app.post_json(
        "/api/v1/login",
        None,
        &json!({"email": email, "password": password}),
    )
    .await
}

async fn refresh(app: &TestApp, session: &Value) -> reqwest::Response {
    app.post_json(
        "/api/v1/token/refresh",
        None,
        &json!({"refresh_token": session["refresh_token"]}),
    )
    .await
}

#[tokio::test]
async fn an_invited_barber_sets_a_password_logs_in_and_has_a_barber_s_powers() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (user_id, link) = app
        .invite(&owner.token, "joe@fade.example", "barber", None)
        .await;
    // before accepting, the login has no password: nothing logs in
    assert_problem(
        login(&app, "joe@fade.example", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
    )
    .await;
    let session = app.accept(&link).await;
    // the link is used up
    let again = app
        .post_json(
            "/api/v1/invitations/accept",
            None,
            &json!({"token": link, "password": "another password!"}),
        )
        .await;
    assert_problem(again, StatusCode::UNPROCESSABLE_ENTITY, "invalid_link").await;
    let logged_in = login(&app, "JOE@fade.example", PASSWORD).await;
    assert_eq!(logged_in.status(), StatusCode::OK);
    let me = app.read("/api/v1/me", token(&session)).await;
    assert_eq!(me["id"], user_id.to_string());
    assert_eq!(
        (me["role"].as_str(), me["status"].as_str()),
        (Some("barber"), Some("active"))
    );
    // a barber does not add services
    let refused = app
        .post_json(
            "/api/v1/services",
            Some(token(&session)),
            &json!({"name": "Fade", "duration_minutes": 30, "price_cents": 2000}),
        )
        .await;
    assert_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
    let users = app.read("/api/v1/users", &owner.token).await;
    let statuses: Vec<(&str, &str)> = users["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| {
            (
                u["email"].as_str().unwrap_or(""),
                u["status"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            ("joe@fade.example", "active"),
            ("owner@fade-street.example", "active")
        ]
    );
}

#[tokio::test]
async fn one_invitation_accepted_twice_at_once_is_accepted_once() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (_, link) = app
        .invite(&owner.token, "joe@fade.example", "barber", None)
        .await;
    let body = json!({"token": link, "password": PASSWORD});
    let (one, two) = tokio::join!(
        app.post_json("/api/v1/invitations/accept", None, &body),
        app.post_json("/api/v1/invitations/accept", None, &body),
    );
    let mut statuses = [one.status(), two.status()];
    statuses.sort();
    // the second finds the link used (422 invalid_link) or, having read the account before the
    // first committed, the invitation accepted (409 invitation_accepted)
    assert_eq!(statuses[0], StatusCode::OK);
    assert!(
        [StatusCode::CONFLICT, StatusCode::UNPROCESSABLE_ENTITY].contains(&statuses[1]),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_disabled_login_can_neither_log_in_nor_refresh_nor_command_and_comes_back_enabled() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (user_id, session) = app
        .staff_login(&owner, "desk@fade.example", "front_desk", None)
        .await;
    let disabled = app
        .post_json(
            &format!("/api/v1/users/{user_id}/disable"),
            Some(&owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_problem(
        refresh(&app, &session).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    let command = app
        .post_json(
            "/api/v1/customers",
            Some(token(&session)),
            &json!({"name": "Ann"}),
        )
        .await;
    assert_problem(command, StatusCode::UNAUTHORIZED, "account_disabled").await;
    assert_problem(
        login(&app, "desk@fade.example", PASSWORD).await,
        StatusCode::FORBIDDEN,
        "account_disabled",
    )
    .await;
    let enabled = app
        .post_json(
            &format!("/api/v1/users/{user_id}/enable"),
            Some(&owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(enabled.status(), StatusCode::OK);
    let back = login(&app, "desk@fade.example", PASSWORD).await;
    assert_eq!(back.status(), StatusCode::OK);
    let back: Value = back.json().await.expect("json");
    let command = app
        .post_json(
            "/api/v1/customers",
            Some(token(&back)),
            &json!({"name": "Ann"}),
        )
        .await;
    assert_eq!(command.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_changed_role_retires_old_tokens_and_the_next_refresh_carries_it() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (user_id, session) = app
        .staff_login(&owner, "desk@fade.example", "front_desk", None)
        .await;
    let changed = app
        .patch_json(
            &format!("/api/v1/users/{user_id}"),
            Some(&owner.token),
            &json!({"role": "manager"}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let old = app
        .post_json(
            "/api/v1/customers",
            Some(token(&session)),
            &json!({"name": "Ann"}),
        )
        .await;
    assert_problem(old, StatusCode::UNAUTHORIZED, "token_outdated").await;
    let renewed = refresh(&app, &session).await;
    assert_eq!(renewed.status(), StatusCode::OK);
    let renewed: Value = renewed.json().await.expect("json");
    // a manager adds services
    let service = app
        .post_json(
            "/api/v1/services",
            Some(token(&renewed)),
            &json!({"name": "Fade", "duration_minutes": 30, "price_cents": 2000}),
        )
        .await;
    assert_eq!(service.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn only_an_owner_makes_or_touches_an_owner_and_nobody_demotes_themselves() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (_, manager) = app
        .staff_login(&owner, "boss@fade.example", "manager", None)
        .await;
    let as_owner = app
        .post_json(
            "/api/v1/users",
            Some(token(&manager)),
            &json!({"email": "co@fade.example", "name": "Co Owner", "role": "owner"}),
        )
        .await;
    assert_eq!(as_owner.status(), StatusCode::FORBIDDEN);
    let problem: Value = as_owner.json().await.expect("json");
    assert_eq!(problem["needed_roles"], json!(["owner"]));
    let me = app.read("/api/v1/me", &owner.token).await;
    let owner_id = me["id"].as_str().expect("id");
    let disable_owner = app
        .post_json(
            &format!("/api/v1/users/{owner_id}/disable"),
            Some(token(&manager)),
            &json!({}),
        )
        .await;
    assert_problem(disable_owner, StatusCode::FORBIDDEN, "forbidden").await;
    let disable_self = app
        .post_json(
            &format!("/api/v1/users/{owner_id}/disable"),
            Some(&owner.token),
            &json!({}),
        )
        .await;
    assert_problem(disable_self, StatusCode::UNPROCESSABLE_ENTITY, "own_login").await;
    let bad_role = app
        .post_json(
            "/api/v1/users",
            Some(&owner.token),
            &json!({"email": "x@fade.example", "name": "X", "role": "boss"}),
        )
        .await;
    assert_problem(bad_role, StatusCode::UNPROCESSABLE_ENTITY, "invalid_role").await;
    let taken = app
        .post_json(
            "/api/v1/users",
            Some(&owner.token),
            &json!({"email": "BOSS@fade.example", "name": "X", "role": "barber"}),
        )
        .await;
    assert_problem(taken, StatusCode::CONFLICT, "email_taken").await;
}

#[tokio::test]
async fn a_password_change_ends_every_session_and_a_reset_link_sets_a_new_one() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (user_id, session) = app
        .staff_login(&owner, "joe@fade.example", "barber", None)
        .await;
    let wrong = app
        .put_json(
            "/api/v1/me/password",
            Some(token(&session)),
            &json!({"current_password": "not my password", "new_password": "a brand new password"}),
        )
        .await;
    assert_problem(wrong, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let changed = app
        .put_json(
            "/api/v1/me/password",
            Some(token(&session)),
            &json!({"current_password": PASSWORD, "new_password": "a brand new password"}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.expect("json");
    assert_problem(
        refresh(&app, &session).await,
        StatusCode::UNAUTHORIZED,
        "invalid_refresh_token",
    )
    .await;
    assert_eq!(refresh(&app, &changed).await.status(), StatusCode::OK);
    assert_eq!(
        login(&app, "joe@fade.example", PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // forgotten: the owner issues a reset link
    let issued = app
        .post_json(
            &format!("/api/v1/users/{user_id}/password-reset"),
            Some(&owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(issued.status(), StatusCode::OK);
    let issued: Value = issued.json().await.expect("json");
    let link = issued["link"]["token"].as_str().expect("token");
    let weak = app
        .post_json(
            "/api/v1/password/reset",
            None,
            &json!({"token": link, "password": "short"}),
        )
        .await;
    assert_problem(weak, StatusCode::UNPROCESSABLE_ENTITY, "weak_password").await;
    let reset = app
        .post_json(
            "/api/v1/password/reset",
            None,
            &json!({"token": link, "password": "the third password"}),
        )
        .await;
    assert_eq!(reset.status(), StatusCode::OK);
    assert_eq!(
        login(&app, "joe@fade.example", "the third password")
            .await
            .status(),
        StatusCode::OK
    );
    // an invitation's token does not reset, nor does a reset token accept
    let reused = app
        .post_json(
            "/api/v1/password/reset",
            None,
            &json!({"token": link, "password": "the fourth password"}),
        )
        .await;
    assert_problem(reused, StatusCode::UNPROCESSABLE_ENTITY, "invalid_link").await;
}

#[tokio::test]
async fn the_history_shows_who_gave_whom_which_role() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let owner_id = app.read("/api/v1/me", &owner.token).await["id"].clone();
    let (user_id, _) = app
        .staff_login(&owner, "joe@fade.example", "barber", None)
        .await;
    let changed = app
        .patch_json(
            &format!("/api/v1/users/{user_id}"),
            Some(&owner.token),
            &json!({"role": "front_desk"}),
        )
        .await;
    assert_eq!(changed.status(), StatusCode::OK);
    // the audit reads the event store itself: no waiting
    let history = app
        .read(
            &format!("/api/v1/audit/streams/account/{user_id}"),
            &owner.token,
        )
        .await;
    let events: Vec<(&str, &str)> = history["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["event_type"].as_str().unwrap_or(""),
                e["actor"].as_str().unwrap_or(""),
            )
        })
        .collect();
    let (owner_id, user) = (owner_id.as_str().expect("id"), user_id.to_string());
    assert_eq!(
        events,
        [
            ("UserInvited", owner_id),
            ("InvitationAccepted", user.as_str()),
            ("RoleChanged", owner_id)
        ],
        "{history}"
    );
    let state = app
        .read(
            &format!("/api/v1/audit/streams/account/{user_id}/state"),
            &owner.token,
        )
        .await;
    assert_eq!(state["state"]["role"], "front_desk", "{state}");
}

#[tokio::test]
async fn a_role_and_chair_change_is_one_step_refused_whole() {
    let app = spawn_app().await;
    let shop = crate::booking::shop_named(&app, "fade-street", "UTC", 0).await;
    let (_, manager) = app
        .staff_login(&shop.owner, "boss@fade.example", "manager", None)
        .await;
    let (user_id, _) = app
        .staff_login(&shop.owner, "joe@fade.example", "barber", None)
        .await;
    let before = app.event_count().await;
    // the chair alone would be allowed; the owner role is not a manager's to give
    let refused = app
        .patch_json(
            &format!("/api/v1/users/{user_id}"),
            Some(token(&manager)),
            &json!({"staff_id": shop.staff_id, "role": "owner"}),
        )
        .await;
    assert_problem(refused, StatusCode::FORBIDDEN, "forbidden").await;
    assert_eq!(app.event_count().await, before);
    let users = app.read("/api/v1/users", &shop.owner.token).await;
    let joe = users["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|u| u["id"] == user_id.to_string())
        .cloned()
        .expect("joe");
    assert_eq!(
        (&joe["staff_id"], &joe["role"]),
        (&Value::Null, &json!("barber"))
    );
}

//! The business's logins (invite, change, renew, disable, enable, reset) and a user's own
//! (accept an invitation, reset or change a password).

use reqwest::Method;
use serde_json::json;

use super::{run, with, Fixture, Ids, Route};

pub fn routes(own: &Ids, _foreign: &Ids) -> Vec<Route> {
    let invite = json!({"email": "new@fade-street.example", "name": "Jo", "role": "barber",
        "staff_id": own.staff});
    let but = |field: &str, value: serde_json::Value| with(&invite, field, value);
    let link = json!({"token": "0".repeat(64), "password": "a long new password"});
    let step = |template: &'static str| Route::new(Method::POST, template, own);
    vec![
        Route::new(Method::POST, "/api/v1/users", own)
            .body(invite.clone())
            .refuses(but("role", json!("boss")), 422, "invalid_role")
            .refuses(but("role", json!(null)), 422, "invalid_body")
            .refuses(but("email", json!("jo@")), 422, "invalid_email")
            .refuses(but("name", json!("  ")), 422, "invalid_name")
            .refuses(but("name", json!("x".repeat(201))), 422, "invalid_name")
            .refuses(
                but("email", json!("barber@fade-street.example")),
                409,
                "email_taken",
            )
            .refuses(
                but("email", json!("owner@fade-street.example")),
                409,
                "email_taken",
            ),
        Route::new(Method::PATCH, "/api/v1/users/{id}", own)
            .body(json!({"role": "front_desk", "staff_id": own.staff}))
            .refuses(json!({"role": "root"}), 422, "invalid_role")
            .refuses(json!({"staff_id": 7}), 422, "invalid_body"),
        step("/api/v1/users/{id}/invitation"),
        step("/api/v1/users/{id}/disable"),
        step("/api/v1/users/{id}/enable"),
        // not accepted yet: nothing to reset
        step("/api/v1/users/{id}/password-reset").refuses_bare(
            "an invitation not yet accepted",
            409,
            "invitation_pending",
        ),
        Route::new(Method::POST, "/api/v1/invitations/accept", own)
            .public()
            .body(link.clone())
            .refuses(link.clone(), 422, "invalid_link")
            .refuses(with(&link, "token", json!("")), 422, "invalid_link")
            .refuses(json!({"token": "x"}), 422, "invalid_body"),
        Route::new(Method::POST, "/api/v1/password/reset", own)
            .public()
            .body(link.clone())
            .refuses(link.clone(), 422, "invalid_link")
            .refuses(
                json!({"password": "a long new password"}),
                422,
                "invalid_body",
            ),
        Route::new(Method::PUT, "/api/v1/me/password", own)
            .body(json!({"current_password": "correct horse battery",
                "new_password": "a long new password"}))
            .refuses(
                json!({"current_password": "not the password", "new_password": "a long new one"}),
                401,
                "invalid_credentials",
            )
            .refuses(
                json!({"current_password": "correct horse battery", "new_password": "short"}),
                422,
                "weak_password",
            ),
    ]
}

#[tokio::test]
async fn the_login_routes_refuse_bad_input_and_write_nothing() {
    let f = Fixture::prepare().await;
    run(&f, routes(&f.own, &f.foreign)).await;
}

//! The permission table against the running API, exhaustively: every route of the OpenAPI
//! document it serves asks for a power (its `bearer` scope, read by
//! `barber::permissions::route_powers`), and a token of every role is refused (403
//! `forbidden`, naming the roles that would do) on exactly the routes whose power the role does
//! not hold (`platform::roles::POWERS`). A new route is covered without a new test.

use platform::roles::{Power, Powers, Role};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_role_is_refused_on_exactly_the_routes_whose_power_it_does_not_hold() {
    let app = spawn_app().await;
    let owner = app.owner("perm-shop").await;
    let mut tokens = Vec::new();
    for role in Role::ALL {
        tokens.push((role, app.token_with_role(&owner, role.name()).await));
    }
    let mut asked = 0;
    for (method, route, power) in barber::permissions::route_powers(&app.openapi().await) {
        let method: Method = method.parse().expect("method");
        let Some(power) = power else {
            assert!(
                barber::permissions::is_open(method.as_str(), &route),
                "{method} {route} asks for no power"
            );
            continue;
        };
        let path = route
            .replace("{id}", &uuid::Uuid::new_v4().to_string())
            .replace("{time_off_id}", &uuid::Uuid::new_v4().to_string())
            .replace("{aggregate_type}", "customer");
        for (role, token) in &tokens {
            let request = app
                .client
                .request(method.clone(), app.url(&path))
                .bearer_auth(token);
            let request = if method == Method::GET || method == Method::DELETE {
                request
            } else {
                request.json(&json!({}))
            };
            let answer = request.send().await.expect("answer");
            let status = answer.status();
            let body: Value = answer.json().await.unwrap_or(Value::Null);
            asked += 1;
            if role.may(power) {
                // a barber's login holds its powers over its own chair only: a refusal for
                // another chair (or for the whole shop) is `not_your_chair`, never `forbidden`
                if status == StatusCode::FORBIDDEN {
                    assert_eq!(
                        body["code"], "not_your_chair",
                        "{role} {method} {route}: {body}"
                    );
                }
                assert!(status.as_u16() < 500, "{role} {method} {route}: {body}");
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{role} {method} {route}: {body}"
                );
                assert_eq!(body["code"], "forbidden");
                let needed: Vec<&str> = power.holders().iter().map(|r| r.name()).collect();
                assert_eq!(body["needed_roles"], json!(needed), "{method} {route}");
            }
        }
    }
    assert!(asked > 200, "every route with every role: {asked}");
}

#[tokio::test]
async fn a_token_with_a_role_that_does_not_exist_is_not_a_token() {
    let app = spawn_app().await;
    let owner = app.owner("perm-unknown").await;
    let root = app.token_for(uuid::Uuid::new_v4(), owner.business_id, "root");
    let answer = app.get("/api/v1/business", Some(&root)).await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_dashboard_gives_its_takings_only_to_roles_that_see_the_figures() {
    let app = spawn_app().await;
    let owner = app.owner("perm-dashboard").await;
    let url = format!(
        "/api/v1/dashboard?min_position={}",
        app.newest_position().await
    );
    for role in Role::ALL {
        let token = app.token_with_role(&owner, role.name()).await;
        let dashboard = app.read(&url, &token).await;
        assert_eq!(
            dashboard["revenue"].is_object(),
            role.may(Power::SeeFigures),
            "{role}: {dashboard}"
        );
        assert!(
            dashboard["customers"].is_i64(),
            "{role}: the counts are everyone's"
        );
    }
}

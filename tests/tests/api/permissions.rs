//! `docs/permissions.md` against the running API: every route of the OpenAPI document is in the
//! table, and a `barber` token is refused (403) on exactly the routes the table reserves for
//! owners and managers (a `manager` token too on those it reserves for owners).

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::spawn_app;

/// The table's rows: method, route, who.
fn documented() -> Vec<(String, String, String)> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/permissions.md"
    ))
    .expect("docs/permissions.md");
    doc.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .trim_matches('|')
                .split('|')
                .map(str::trim)
                .collect();
            let [method, route, who] = cells.as_slice() else {
                return None;
            };
            let route = route.strip_prefix('`')?.strip_suffix('`')?;
            Some(((*method).to_owned(), route.to_owned(), (*who).to_owned()))
        })
        .collect()
}

#[tokio::test]
async fn every_route_is_listed_and_refused_to_a_barber_exactly_when_the_table_says() {
    let app = spawn_app().await;
    let owner = app.owner("perm-shop").await;
    let barber = app.token_with_role(&owner, "barber").await;
    let manager = app.token_with_role(&owner, "manager").await;
    let rows = documented();
    let listed: BTreeSet<(String, String)> = rows
        .iter()
        .map(|(m, r, _)| (m.clone(), r.clone()))
        .collect();

    let openapi = app.openapi().await;
    let public = ["/api/v1/signup", "/api/v1/login"];
    for (route, methods) in openapi["paths"].as_object().expect("paths") {
        if public.contains(&route.as_str()) {
            continue;
        }
        for method in methods.as_object().expect("methods").keys() {
            let key = (method.to_uppercase(), route.clone());
            assert!(
                listed.contains(&key),
                "{key:?} is not in docs/permissions.md"
            );
        }
    }

    for (method, route, who) in rows {
        let path = route
            .replace("{id}", &uuid::Uuid::new_v4().to_string())
            .replace("{time_off_id}", &uuid::Uuid::new_v4().to_string());
        let method: Method = method.parse().expect("method");
        let status = |token: &str| {
            let request = app
                .client
                .request(method.clone(), app.url(&path))
                .bearer_auth(token);
            let request = if method == Method::GET || method == Method::DELETE {
                request
            } else {
                request.json(&json!({}))
            };
            async move { request.send().await.expect("answer").status() }
        };
        let as_barber = status(&barber).await;
        match who.as_str() {
            "owner, manager" => assert_eq!(as_barber, StatusCode::FORBIDDEN, "{method} {route}"),
            "owner" => {
                assert_eq!(as_barber, StatusCode::FORBIDDEN, "{method} {route}");
                let as_manager = status(&manager).await;
                assert_eq!(as_manager, StatusCode::FORBIDDEN, "{method} {route}");
            }
            "any staff" => assert_ne!(as_barber, StatusCode::FORBIDDEN, "{method} {route}"),
            other => panic!("unknown role list {other:?} for {method} {route}"),
        }
    }
}

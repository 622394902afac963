//! Tenant isolation of the read routes, generated from the OpenAPI document: every GET is asked
//! by one business's owner with the other business's ids in each of its parameters that names a
//! record (in the path and in the query string). The answer is 404 or 403, or a list the id
//! filters to nothing, and it never holds the other business's records: none of their ids
//! appears in it. A new read route is covered without a new test; a parameter this suite does
//! not know how to fill fails it. Commands get the same from the bad-input suite
//! (`bad_input::generic`: each id of the path and of the body replaced by another business's
//! answers 404, and the store is unchanged).

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::Value;

use crate::bad_input::{Fixture, Ids};

/// `template` with its placeholders filled with `ids`: the resource's `{id}`, a time off's
/// `{time_off_id}`, and the audit's `{aggregate_type}`/`{id}` as a customer's stream.
fn fill_path(template: &str, ids: &Ids) -> String {
    if template.contains("{aggregate_type}") {
        return template
            .replace("{aggregate_type}", "customer")
            .replace("{id}", &ids.customer.to_string());
    }
    ids.fill(template)
}

/// The value of query parameter `name` (of the schema `format`): another business's id for an
/// id, a date or an instant for the dates of a range; `None` for what names no record and may
/// be left out.
fn fill_query(name: &str, format: &str, required: bool, ids: &Ids) -> Option<String> {
    let day = |days: i64| {
        let at = Utc::now() + Duration::days(days);
        match format {
            "date-time" => at.format("%Y-%m-%dT00:00:00Z").to_string(),
            _ => at.date_naive().to_string(),
        }
    };
    let value = match name {
        "service_id" => ids.service.to_string(),
        "staff_id" => ids.staff.to_string(),
        "customer_id" => ids.customer.to_string(),
        "appointment_id" => ids.appointment.to_string(),
        "date" | "from" => day(3),
        "to" => day(9),
        other if other.ends_with("_id") => panic!("a query id this suite cannot fill: {other}"),
        other if required => panic!("a required query parameter this suite cannot fill: {other}"),
        _ => return None,
    };
    Some(value)
}

#[tokio::test]
async fn no_read_route_answers_with_another_business_records() {
    let f = Fixture::prepare().await;
    let theirs = [
        f.foreign.customer,
        f.foreign.service,
        f.foreign.staff,
        f.foreign.appointment,
        f.foreign.time_off,
    ]
    .map(|id| id.to_string());
    let openapi = f.app.openapi().await;
    let mut naming_theirs = 0;
    for (template, operations) in openapi["paths"].as_object().expect("paths") {
        let Some(get) = operations.get("get") else {
            continue;
        };
        let path = fill_path(template, &f.foreign);
        let mut named = path != *template;
        let mut query = Vec::new();
        for parameter in get["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] != "query" {
                continue;
            }
            let name = parameter["name"].as_str().expect("name");
            let required = parameter["required"].as_bool().unwrap_or(false);
            let format = parameter["schema"]["format"].as_str().unwrap_or_default();
            if let Some(value) = fill_query(name, format, required, &f.foreign) {
                named |= name.ends_with("_id");
                query.push(format!("{name}={value}"));
            }
        }
        let url = if query.is_empty() {
            path.clone()
        } else {
            format!("{path}?{}", query.join("&"))
        };
        let answer = f.app.get(&url, Some(&f.token)).await;
        let status = answer.status();
        let body = answer.text().await.expect("body");
        // the ids asked with may come back as asked (a filter echoed): no others of theirs
        let leaked: Vec<&String> = theirs
            .iter()
            .filter(|id| body.contains(id.as_str()) && !url.contains(id.as_str()))
            .collect();
        assert!(
            leaked.is_empty(),
            "GET {url} answered their {leaked:?}: {body}"
        );
        if !named {
            continue;
        }
        naming_theirs += 1;
        if status.is_success() {
            // a list filtered by their id: none of their records in it (their ids asked with
            // may only be echoed)
            let json: Value = serde_json::from_str(&body).expect("json");
            for id in &theirs {
                assert!(
                    !is_record(&json, id),
                    "GET {url} answered a record of theirs: {body}"
                );
            }
        } else {
            assert!(
                [StatusCode::NOT_FOUND, StatusCode::FORBIDDEN].contains(&status),
                "GET {url}: {status} {body}"
            );
        }
    }
    assert!(
        naming_theirs >= 10,
        "read routes asked with their ids: {naming_theirs}"
    );
}

/// Whether `json` holds a record whose `id` is `id`.
fn is_record(json: &Value, id: &str) -> bool {
    match json {
        Value::Array(items) => items.iter().any(|item| is_record(item, id)),
        Value::Object(members) => members
            .iter()
            .any(|(name, value)| (name == "id" && value == id) || is_record(value, id)),
        _ => false,
    }
}

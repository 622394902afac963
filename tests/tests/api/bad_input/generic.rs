//! The bad inputs every route gets, derived from its row: nothing here names a route, so a new
//! route is tested for all of them as soon as it has a row.

use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use super::fixture::Kind;
use super::paths::{leaves, objects, pointer, replace, show};
use super::{shorten, Body, Case, Fixture, Route};

/// Control characters: NUL (which Postgres refuses in text), BEL, ESC, DEL and two of the C1
/// range (NEL, CSI). Line breaks and tabs are text.
const CONTROLS: [char; 6] = ['\u{0}', '\u{7}', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}'];

/// The routes of a session (they answer one, or end one): not commands, they read no
/// `Idempotency-Key`.
const SESSION_ROUTES: [&str; 6] = [
    "/api/v1/login",
    "/api/v1/token/refresh",
    "/api/v1/logout",
    "/api/v1/invitations/accept",
    "/api/v1/password/reset",
    "/api/v1/me/password",
];

/// Bigger than the 2 MiB any command body may be.
const OVERSIZED: usize = 3 << 20;

pub fn cases(route: &Route, f: &Fixture) -> Vec<Case> {
    let mut cases = wrong_methods(route, f);
    cases.extend(bad_keys(route));
    cases.extend(path_ids(route, f));
    if let Some(valid) = route.body.valid() {
        cases.extend(not_json(route, valid));
        cases.extend(malformed(route));
        cases.extend(wrong_shapes(route, valid));
        cases.extend(control_characters(route, valid));
        cases.extend(numbers(route, valid));
        cases.extend(body_ids(route, valid, f));
    }
    cases
}

/// Every method the path does not serve: 405 with `Allow`.
fn wrong_methods(route: &Route, f: &Fixture) -> Vec<Case> {
    let served = f.served(route.template);
    [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ]
    .into_iter()
    .filter(|method| !served.contains(method.as_str()))
    .map(|method| {
        route
            .request(format!("{method}, which the route does not serve"))
            .method(method)
            .json(route.body.valid().cloned().unwrap_or(json!({})))
            .expect(405, "method_not_allowed")
    })
    .collect()
}

/// An `Idempotency-Key` that is not 1 to 255 visible ASCII characters: 400, before anything runs.
fn bad_keys(route: &Route) -> Vec<Case> {
    if SESSION_ROUTES.contains(&route.template) {
        // a session's route is not a command: it reads no Idempotency-Key
        return Vec::new();
    }
    ["has space", &"k".repeat(256)]
        .into_iter()
        .map(|key| {
            let case = route
                .request(format!("the Idempotency-Key {:?}", shorten(key)))
                .header("idempotency-key", key);
            match route.body.valid() {
                Some(body) => case.json(body.clone()),
                None => case,
            }
            .expect(400, "invalid_idempotency_key")
        })
        .collect()
}

/// Each id of the path in turn: nobody's, another business's, not a UUID, a NUL.
fn path_ids(route: &Route, f: &Fixture) -> Vec<Case> {
    let mut cases = Vec::new();
    for (placeholder, kind) in Kind::placeholders(route.template) {
        let wrong = [
            (
                "nobody's",
                Uuid::new_v4().to_string(),
                404,
                kind.not_found(),
            ),
            (
                "another business's",
                f.foreign.get(kind).to_string(),
                404,
                kind.not_found(),
            ),
            ("not a UUID", "not-a-uuid".to_owned(), 404, "not_found"),
            ("a NUL", "%00".to_owned(), 404, "not_found"),
        ];
        for (whose, id, status, code) in wrong {
            let path = f.own.fill(&route.template.replace(placeholder, &id));
            let case = route.request(format!("{placeholder} {whose}")).path(path);
            let case = match route.body.valid() {
                Some(body) => case.json(body.clone()),
                None => case,
            };
            cases.push(case.expect(status, code));
        }
    }
    cases
}

/// The valid body not declared as JSON: 415.
fn not_json(route: &Route, valid: &Value) -> Vec<Case> {
    let bytes = valid.to_string().into_bytes();
    [Some("text/plain"), Some("application/xml"), None]
        .into_iter()
        .map(|content_type| {
            route
                .request(format!("the body sent as {content_type:?}"))
                .raw(bytes.clone(), content_type)
                .expect(415, "unsupported_media_type")
        })
        .collect()
}

/// Bodies that are not JSON: 400; and a body over the limit: 413.
fn malformed(route: &Route) -> Vec<Case> {
    let json = Some("application/json");
    let deep = format!("{{\"a\": {}{}}}", "[".repeat(300), "]".repeat(300));
    let mut bodies: Vec<(&str, Vec<u8>)> = vec![
        ("a cut-off body", br#"{"name": "#.to_vec()),
        ("single quotes", br"{'name': 'Ana'}".to_vec()),
        ("trailing garbage", br#"{} {"#.to_vec()),
        ("a lone surrogate", br#"{"name": "\ud800"}"#.to_vec()),
        ("invalid UTF-8", b"{\"name\": \"\xff\xfe\"}".to_vec()),
        ("nesting beyond any need", deep.into_bytes()),
    ];
    if matches!(route.body, Body::Required(_)) {
        bodies.push(("no body", Vec::new()));
        bodies.push(("only whitespace", b"  \n".to_vec()));
    }
    let mut cases: Vec<Case> = bodies
        .into_iter()
        .map(|(what, bytes)| {
            route
                .request(what)
                .raw(bytes, json)
                .expect(400, "malformed_json")
        })
        .collect();
    let padding = "x".repeat(OVERSIZED);
    cases.push(
        route
            .request("a body over 2 MiB")
            .json(json!({ "padding": padding }))
            .expect(413, "body_too_large"),
    );
    if SESSION_ROUTES.contains(&route.template) {
        // a session's route is not a command: it reads no Idempotency-Key
        return cases;
    }
    cases.push(
        route
            .request("a body over 1 MiB with an Idempotency-Key")
            .json(json!({ "padding": &padding[..(3 << 19)] }))
            .header("idempotency-key", "oversized")
            .expect(413, "body_too_large"),
    );
    cases
}

/// JSON of the wrong shape: another type than an object, an unknown field, a field of the
/// wrong type.
fn wrong_shapes(route: &Route, valid: &Value) -> Vec<Case> {
    let mut cases: Vec<Case> = [
        json!([]),
        json!("text"),
        json!(42),
        json!(true),
        json!(null),
    ]
    .into_iter()
    .map(|body| {
        route
            .request(format!("a body of {body}"))
            .json(body)
            .expect(422, "invalid_body")
    })
    .collect();
    let mut unknown = valid.clone();
    unknown["zz_unknown"] = json!(1);
    cases.push(
        route
            .request("an unknown field")
            .json(unknown)
            .expect(422, "invalid_body"),
    );
    for (name, value) in valid.as_object().into_iter().flatten() {
        let other = match value {
            Value::String(_) => json!(42),
            Value::Number(_) => json!("30"),
            Value::Bool(_) => json!("true"),
            Value::Array(_) => json!({"a": 1}),
            Value::Object(_) => json!([1]),
            Value::Null => json!(42),
        };
        let mut body = valid.clone();
        body[name] = other.clone();
        cases.push(
            route
                .request(format!("{name} as {other}"))
                .json(body)
                .expect(422, "invalid_body"),
        );
    }
    cases
}

/// A control character in every string and in a key of every object, nested ones included.
fn control_characters(route: &Route, valid: &Value) -> Vec<Case> {
    let mut cases = Vec::new();
    for (at, leaf) in leaves(valid) {
        let Value::String(text) = leaf else { continue };
        let middle = text
            .char_indices()
            .nth(text.chars().count() / 2)
            .map_or(text.len(), |(at, _)| at);
        let (head, tail) = text.split_at(middle);
        for c in CONTROLS {
            let spoilt = json!(format!("{head}{c}{tail}"));
            cases.push(
                route
                    .request(format!("U+{:04X} in {}", u32::from(c), show(&at)))
                    .json(replace(valid, &at, spoilt))
                    .expect(422, "invalid_text"),
            );
        }
    }
    for at in objects(valid) {
        for c in ['\u{0}', '\u{1b}'] {
            let mut body = valid.clone();
            if let Some(object) = pointer(&mut body, &at).and_then(Value::as_object_mut) {
                object.insert(format!("no{c}te"), json!("x"));
            }
            cases.push(
                route
                    .request(format!("U+{:04X} in a key of {}", u32::from(c), show(&at)))
                    .json(body)
                    .expect(422, "invalid_text"),
            );
        }
    }
    cases
}

/// Every number replaced by ones no field takes (fractions, beyond i64, strings: 422
/// `invalid_body`) and by ones out of every range (negative, the least and the largest i64:
/// some 4xx).
fn numbers(route: &Route, valid: &Value) -> Vec<Case> {
    let mut cases = Vec::new();
    for (at, leaf) in leaves(valid) {
        if !leaf.is_number() {
            continue;
        }
        let no_field_takes = [
            json!(1.5),
            json!(30.0),
            json!(1e300),
            json!(9_223_372_036_854_775_808_u64),
            json!(u64::MAX),
            json!("30"),
        ];
        for number in no_field_takes {
            cases.push(
                route
                    .request(format!("{} as {number}", show(&at)))
                    .json(replace(valid, &at, number))
                    .expect(422, "invalid_body"),
            );
        }
        for number in [json!(-1), json!(i64::MIN), json!(i64::MAX)] {
            cases.push(
                route
                    .request(format!("{} as {number}", show(&at)))
                    .json(replace(valid, &at, number)),
            );
        }
    }
    cases
}

/// Every id in the body replaced by nobody's (404), another business's (404), and a string
/// that is not a UUID (422).
fn body_ids(route: &Route, valid: &Value, f: &Fixture) -> Vec<Case> {
    let mut cases = Vec::new();
    for (at, leaf) in leaves(valid) {
        let Some(kind) = leaf.as_str().and_then(|id| f.own.kind_of(id)) else {
            continue;
        };
        let wrong = [
            ("nobody's", json!(Uuid::new_v4()), 404, kind.not_found()),
            (
                "another business's",
                json!(f.foreign.get(kind)),
                404,
                kind.not_found(),
            ),
            ("not a UUID", json!("not-a-uuid"), 422, "invalid_body"),
        ];
        for (whose, id, status, code) in wrong {
            cases.push(
                route
                    .request(format!("{} {whose}", show(&at)))
                    .json(replace(valid, &at, id))
                    .expect(status, code),
            );
        }
    }
    cases
}

//! The bad-input suite: every command route (every POST, PUT, PATCH and DELETE the OpenAPI
//! document names, signup and login included) against every class of bad input that applies to
//! it. Each answer must be a 4xx `application/problem+json` with the RFC 9457 members and a
//! `code` that `docs/errors.md` lists (exactly the expected one where it is known), and the
//! write side must be what it was before ([`crate::helpers::TestApp::store_checksum`]).
//!
//! A route is one row ([`Route`]): its method and path, a valid body, and the bad inputs only
//! it has. [`generic`] derives from the row what every route gets: unserved methods, bodies not
//! sent as JSON, malformed, empty, oversized and wrongly typed bodies, unknown fields, control
//! characters in every string and key, numbers out of every range, and ids that are not UUIDs,
//! belong to nobody or to another business. A route the OpenAPI document names without a row
//! fails [`every_command_route_has_a_row`]. The rows are kept by area, one file each.

mod accounts;
mod appointments;
mod business;
mod customers;
mod feeds;
mod fixture;
mod generic;
mod notifications;
mod paths;
mod public;
mod services;
mod staff;
mod users;
mod webhooks;

use std::collections::BTreeSet;

use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use crate::helpers::spawn_app;
pub use fixture::{Fixture, Ids};

/// A command route and what it takes: the row its bad inputs hang from.
pub struct Route {
    pub method: Method,
    /// As the OpenAPI document names it, e.g. `/api/v1/customers/{id}`.
    pub template: &'static str,
    /// The template filled with the prepared shop's own ids.
    pub path: String,
    pub body: Body,
    /// Signup and login: sent without a token.
    pub public: bool,
    /// The bad inputs only this route has.
    pub cases: Vec<Case>,
}

/// What a route reads from its body. The valid body is what [`generic`] spoils, one way at a
/// time; it is never sent as it is.
pub enum Body {
    None,
    Optional(Value),
    Required(Value),
}

impl Body {
    pub fn valid(&self) -> Option<&Value> {
        match self {
            Self::None => None,
            Self::Optional(body) | Self::Required(body) => Some(body),
        }
    }
}

/// One bad request and the answer it must get.
pub struct Case {
    /// What is wrong with it, for the failure message.
    pub what: String,
    pub method: Method,
    pub path: String,
    pub payload: Payload,
    pub headers: Vec<(&'static str, String)>,
    pub public: bool,
    pub expect: Expect,
}

pub enum Payload {
    None,
    Json(Value),
    /// Bytes as they are, with this content type (none when `None`).
    Raw(Vec<u8>, Option<&'static str>),
}

pub enum Expect {
    /// Exactly this status and code.
    Problem(StatusCode, &'static str),
    /// Some 4xx, its code documented: the right code depends on more than the input (e.g. a
    /// negative amount on an appointment not yet in service answers `appointment_not_in_service`).
    ClientError,
}

impl Route {
    pub fn new(method: Method, template: &'static str, own: &Ids) -> Self {
        Self {
            method,
            template,
            path: own.fill(template),
            body: Body::None,
            public: false,
            cases: Vec::new(),
        }
    }

    /// A body is required; `valid` is one that would be accepted.
    pub fn body(mut self, valid: Value) -> Self {
        self.body = Body::Required(valid);
        self
    }

    /// The body may be left out; `valid` is one that would be accepted.
    pub fn optional_body(mut self, valid: Value) -> Self {
        self.body = Body::Optional(valid);
        self
    }

    /// Signup and login need no token.
    pub fn public(mut self) -> Self {
        self.public = true;
        self
    }

    /// A request to this route, to be spoilt.
    pub fn request(&self, what: impl Into<String>) -> Case {
        Case {
            what: what.into(),
            method: self.method.clone(),
            path: self.path.clone(),
            payload: Payload::None,
            headers: Vec::new(),
            public: self.public,
            expect: Expect::ClientError,
        }
    }

    /// This route refuses `body` with `status` and `code`.
    pub fn refuses(self, body: Value, status: u16, code: &'static str) -> Self {
        let case = self
            .request(shorten(&body.to_string()))
            .json(body)
            .expect(status, code);
        self.with(case)
    }

    /// This route, sent without a body, refuses with `status` and `code` for the reason `what`.
    pub fn refuses_bare(self, what: &str, status: u16, code: &'static str) -> Self {
        let case = self.request(what).expect(status, code);
        self.with(case)
    }

    /// This route refuses `case` as the case says.
    pub fn with(mut self, case: Case) -> Self {
        self.cases.push(case);
        self
    }
}

impl Case {
    pub fn json(mut self, body: Value) -> Self {
        self.payload = Payload::Json(body);
        self
    }

    pub fn raw(mut self, bytes: impl Into<Vec<u8>>, content_type: Option<&'static str>) -> Self {
        self.payload = Payload::Raw(bytes.into(), content_type);
        self
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn path(mut self, path: String) -> Self {
        self.path = path;
        self
    }

    pub fn method(mut self, method: Method) -> Self {
        self.method = method;
        self
    }

    pub fn expect(mut self, status: u16, code: &'static str) -> Self {
        let status = StatusCode::from_u16(status).expect("a status");
        self.expect = Expect::Problem(status, code);
        self
    }
}

/// A long body cut down to something a failure message can show.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(120) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// Every row of every area.
fn every_route(own: &Ids, foreign: &Ids) -> Vec<Route> {
    [
        accounts::routes(own, foreign),
        business::routes(own, foreign),
        services::routes(own, foreign),
        staff::routes(own, foreign),
        customers::routes(own, foreign),
        appointments::routes(own, foreign),
        users::routes(own, foreign),
        public::routes(own, foreign),
        notifications::routes(own, foreign),
        feeds::routes(own, foreign),
        webhooks::routes(own, foreign),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Sends every case of `routes`, the route's own and those every route gets, and fails with the
/// list of those answered wrongly or that changed what the write side records.
pub async fn run(f: &Fixture, routes: Vec<Route>) {
    let documented = documented_codes();
    let mut failures = Vec::new();
    let mut sent = 0;
    let mut checksum = f.app.store_checksum().await;
    for route in &routes {
        for case in generic::cases(route, f).iter().chain(&route.cases) {
            sent += 1;
            let answer = f.send(case).await;
            if let Err(wrong) = check(answer, &case.expect, &documented).await {
                failures.push(format!(
                    "{} {}: {}: {wrong}",
                    case.method, case.path, case.what
                ));
            }
            let now = f.app.store_checksum().await;
            if now != checksum {
                failures.push(format!(
                    "{} {}: {}: the write side changed",
                    case.method, case.path, case.what
                ));
                checksum = now;
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {sent} bad inputs were answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Whether `response` is the problem `expect` asks for.
async fn check(response: Response, expect: &Expect, documented: &str) -> Result<(), String> {
    let status = response.status();
    let content_type = header(&response, "content-type");
    let allow = header(&response, "allow");
    let text = response.text().await.unwrap_or_default();
    if !status.is_client_error() {
        return Err(format!("answered {status}: {}", shorten(&text)));
    }
    if content_type != "application/problem+json" {
        return Err(format!("{status} as {content_type:?}: {}", shorten(&text)));
    }
    if status == StatusCode::METHOD_NOT_ALLOWED && allow.is_empty() {
        return Err("405 without an Allow header".to_owned());
    }
    let problem: Value = serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))?;
    let text_member = |name: &str| problem[name].as_str().map(str::to_owned);
    let (Some(kind), Some(_title), Some(_detail), Some(code)) = (
        text_member("type"),
        text_member("title"),
        text_member("detail"),
        text_member("code"),
    ) else {
        return Err(format!("not an RFC 9457 problem with a code: {text}"));
    };
    if kind.is_empty() || code.is_empty() || problem["status"] != status.as_u16() {
        return Err(format!("an incomplete problem: {text}"));
    }
    if !documented.contains(&format!("`{code}`")) {
        return Err(format!(
            "{status} {code}, a code docs/errors.md does not list"
        ));
    }
    match expect {
        Expect::Problem(want, want_code) if (*want, *want_code) != (status, code.as_str()) => {
            Err(format!(
                "answered {status} {code}, not {want} {want_code}: {}",
                shorten(&text)
            ))
        }
        _ => Ok(()),
    }
}

fn header(response: &Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// `docs/errors.md`, where every code a client can get is listed.
fn documented_codes() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/errors.md"))
        .expect("docs/errors.md")
}

#[tokio::test]
async fn every_command_route_has_a_row() {
    let app = spawn_app().await;
    let openapi = app.openapi().await;
    let mut commands = BTreeSet::new();
    for (path, methods) in openapi["paths"].as_object().expect("paths") {
        for method in methods.as_object().expect("methods").keys() {
            if method != "get" {
                commands.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    let rows: BTreeSet<(String, String)> = every_route(&Ids::made_up(), &Ids::made_up())
        .iter()
        .map(|route| (route.method.to_string(), route.template.to_owned()))
        .collect();
    let missing: Vec<_> = commands.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "command routes without bad-input cases (add a row in tests/tests/api/bad_input/): \
         {missing:?}"
    );
    let unknown: Vec<_> = rows.difference(&commands).collect();
    assert!(unknown.is_empty(), "rows for no route: {unknown:?}");
}

/// `days` from today at `time` UTC, e.g. `on_day(3, "10:03:00Z")`: instants on or off the grid.
pub fn on_day(days: i64, time: &str) -> String {
    let midnight = crate::booking::utc_day_at(days, 0, 0);
    format!("{}{time}", &midnight[..11])
}

/// `body` with `field` set to `value`.
pub fn with(body: &Value, field: &str, value: Value) -> Value {
    let mut body = body.clone();
    body[field] = value;
    body
}

use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_problem, spawn_app, TestApp};

fn jo() -> Value {
    json!({"name": "Jo Fade", "role": "barber", "email": "jo@example.com",
           "phone": "+44 7700 900123"})
}

fn monday_with_lunch() -> Value {
    json!({"days": [
        {"weekday": "mon", "start": "09:00", "end": "17:00",
         "breaks": [{"start": "12:00", "end": "12:30"}]},
        {"weekday": "sat", "start": "10:00", "end": "14:00"},
    ]})
}

fn off(starts_at: &str, ends_at: &str) -> Value {
    json!({"starts_at": starts_at, "ends_at": ends_at})
}

/// A week of one working day.
fn day(weekday: &str, start: &str, end: &str, breaks: Value) -> Value {
    json!({"days": [{"weekday": weekday, "start": start, "end": end, "breaks": breaks}]})
}

/// One user's view of the API, for short tables of requests.
struct Api<'a> {
    app: &'a TestApp,
    token: &'a str,
}

impl<'a> Api<'a> {
    fn of(app: &'a TestApp, token: &'a str) -> Self {
        Self { app, token }
    }

    async fn send(&self, method: &str, path: &str, body: &Value) -> Response {
        let (app, token) = (self.app, Some(self.token));
        match method {
            "POST" => app.post_json(path, token, body).await,
            "PATCH" => app.patch_json(path, token, body).await,
            "PUT" => app.put_json(path, token, body).await,
            "DELETE" => app.delete(path, token).await,
            _ => panic!("no such method {method}"),
        }
    }

    /// Sends a command that must answer `status`; returns the answer and its position.
    async fn expect(&self, status: StatusCode, request: (&str, &str, &Value)) -> (Value, i64) {
        let (method, path, body) = request;
        let response = self.send(method, path, body).await;
        assert_eq!(response.status(), status, "{method} {path}");
        let answer: Value = response.json().await.expect("json");
        let position = answer["position"].as_i64().expect("position");
        (answer, position)
    }

    /// Reads `path`, which must be fresh (not marked stale).
    async fn read(&self, path: &str) -> Value {
        let response = self.app.get(path, Some(self.token)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(response.headers().get("barber-stale").is_none(), "{path}");
        response.json().await.expect("json")
    }
}

const OK: StatusCode = StatusCode::OK;
const CREATED: StatusCode = StatusCode::CREATED;

#[tokio::test]
async fn a_staff_member_reads_back_with_hours_time_off_and_services() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let api = Api::of(&app, &owner.token);
    let (id, _) = app.add_staff(api.token, &jo()).await;
    let fade = json!({"name": "Fade", "duration_minutes": 30, "price_cents": 2500});
    let (service, _) = app.create_service(api.token, &fade).await;
    let base = format!("/api/v1/staff/{id}");
    let christmas = json!({"starts_at": "2026-12-24T00:00:00Z",
                           "ends_at": "2026-12-27T00:00:00+01:00", "reason": " Christmas "});
    let services = json!({"service_ids": [service, service]});
    let hours = format!("{base}/working-hours");
    api.expect(OK, ("PUT", &hours, &monday_with_lunch())).await;
    let time_off = format!("{base}/time-off");
    let (off, _) = api.expect(CREATED, ("POST", &time_off, &christmas)).await;
    let path = format!("{base}/services");
    let (_, position) = api.expect(OK, ("PUT", &path, &services)).await;

    let member = api.read(&format!("{base}?min_position={position}")).await;
    assert_eq!(member["name"], "Jo Fade");
    assert_eq!(member["role"], "barber");
    assert_eq!(member["phone"], "+447700900123");
    assert_eq!(member["active"], true);
    assert_eq!(member["service_ids"], json!([service]));
    assert_eq!(
        member["working_hours"],
        json!([
            {"weekday": "mon", "start": "09:00", "end": "17:00",
             "breaks": [{"start": "12:00", "end": "12:30"}]},
            {"weekday": "sat", "start": "10:00", "end": "14:00", "breaks": []},
        ])
    );
    assert_eq!(
        member["time_off"],
        json!([{"id": off["id"], "starts_at": "2026-12-24T00:00:00Z",
                "ends_at": "2026-12-26T23:00:00Z", "reason": "Christmas"}])
    );
    let list = api.read("/api/v1/staff").await;
    assert_eq!(list["items"][0]["id"], id.to_string());
    assert_eq!(list["items"][0]["service_ids"], json!([service]));
    assert!(list["items"][0].get("working_hours").is_none());
}

#[tokio::test]
async fn working_hours_are_replaced_whole_and_time_off_removed() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let api = Api::of(&app, &owner.token);
    let (id, _) = app.add_staff(api.token, &jo()).await;
    let base = format!("/api/v1/staff/{id}");
    let (hours, time_off) = (format!("{base}/working-hours"), format!("{base}/time-off"));
    let wednesday = json!({"days": [{"weekday": "wed", "start": "08:00", "end": "12:00"}]});
    api.expect(OK, ("PUT", &hours, &monday_with_lunch())).await;
    api.expect(OK, ("PUT", &hours, &wednesday)).await;
    let day_off = off("2026-12-01T09:00:00Z", "2026-12-01T17:00:00Z");
    let (day_off, _) = api.expect(CREATED, ("POST", &time_off, &day_off)).await;
    let path = format!("{time_off}/{}", day_off["id"].as_str().expect("id"));
    let (_, position) = api.expect(OK, ("DELETE", &path, &Value::Null)).await;

    let member = api.read(&format!("{base}?min_position={position}")).await;
    assert_eq!(
        member["working_hours"],
        json!([{"weekday": "wed", "start": "08:00", "end": "12:00", "breaks": []}])
    );
    assert_eq!(member["time_off"], json!([]));
    let again = api.send("DELETE", &path, &Value::Null).await;
    assert_problem(again, StatusCode::NOT_FOUND, "time_off_not_found").await;
}

#[tokio::test]
async fn a_deactivated_member_is_hidden_and_frozen_until_reactivated() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let api = Api::of(&app, &owner.token);
    let (id, _) = app.add_staff(api.token, &jo()).await;
    let base = format!("/api/v1/staff/{id}");
    let (deactivate, empty) = (format!("{base}/deactivate"), json!({}));
    let (_, position) = api.expect(OK, ("POST", &deactivate, &empty)).await;

    let list = api
        .read(&format!("/api/v1/staff?min_position={position}"))
        .await;
    assert_eq!(list["items"], json!([]));
    let all = api.read("/api/v1/staff?include_inactive=true").await;
    assert_eq!(all["items"][0]["active"], false);
    let before = app.event_count().await;
    let hours = format!("{base}/working-hours");
    let change = api.send("PUT", &hours, &monday_with_lunch()).await;
    assert_problem(change, StatusCode::CONFLICT, "staff_inactive").await;
    let again = api.send("POST", &deactivate, &empty).await;
    assert_eq!(again.status(), OK, "deactivating twice changes nothing");
    assert_eq!(app.event_count().await, before);

    let reactivate = format!("{base}/reactivate");
    api.expect(OK, ("POST", &reactivate, &empty)).await;
    let patch = json!({"role": "manager", "phone": null});
    let (_, position) = api.expect(OK, ("PATCH", &base, &patch)).await;
    let member = api.read(&format!("{base}?min_position={position}")).await;
    assert_eq!(member["active"], true);
    assert_eq!(member["role"], "manager");
    assert_eq!(member["phone"], Value::Null);
}

#[tokio::test]
async fn only_owners_and_managers_manage_staff() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (id, _) = app.add_staff(&owner.token, &jo()).await;
    let hours = format!("/api/v1/staff/{id}/working-hours");
    let before = app.event_count().await;
    for role in ["barber", "front_desk"] {
        let token = app.token_with_role(&owner, role).await;
        let api = Api::of(&app, &token);
        // refused before the body is read: a bad body is still 403
        let add = api
            .send("POST", "/api/v1/staff", &json!({"role": "x"}))
            .await;
        assert_problem(add, StatusCode::FORBIDDEN, "forbidden").await;
        let change = api.send("PUT", &hours, &monday_with_lunch()).await;
        assert_problem(change, StatusCode::FORBIDDEN, "forbidden").await;
    }
    assert_eq!(app.event_count().await, before);
    let manager = app.token_with_role(&owner, "manager").await;
    app.add_staff(&manager, &json!({"name": "Max", "role": "front_desk"}))
        .await;
}

#[tokio::test]
async fn another_business_cannot_see_or_change_a_staff_member() {
    let app = spawn_app().await;
    let (mine, theirs) = (app.owner("fade-street").await, app.owner("other").await);
    let (id, _) = app.add_staff(&mine.token, &jo()).await;
    let base = format!("/api/v1/staff/{id}");
    let time_off = format!("{base}/time-off");
    let day_off = off("2026-12-01T09:00:00Z", "2026-12-02T09:00:00Z");
    let api = Api::of(&app, &mine.token);
    let (day_off, position) = api.expect(CREATED, ("POST", &time_off, &day_off)).await;
    let off_id = day_off["id"].as_str().expect("id");

    let api = Api::of(&app, &theirs.token);
    let seen = app
        .get(&format!("{base}?min_position={position}"), Some(api.token))
        .await;
    assert_problem(seen, StatusCode::NOT_FOUND, "staff_not_found").await;
    let list = api.read("/api/v1/staff?include_inactive=true").await;
    assert_eq!(list["items"], json!([]));

    let before = app.event_count().await;
    #[rustfmt::skip]
    let changes = [
        ("PATCH", base.clone(), json!({"name": "Stolen"})),
        ("PUT", format!("{base}/working-hours"), monday_with_lunch()),
        ("POST", time_off.clone(), off("2026-12-03T09:00:00Z", "2026-12-04T09:00:00Z")),
        ("DELETE", format!("{time_off}/{off_id}"), Value::Null),
        ("PUT", format!("{base}/services"), json!({"service_ids": null})),
        ("POST", format!("{base}/deactivate"), json!({})),
        ("POST", format!("{base}/reactivate"), json!({})),
    ];
    for (method, path, body) in changes {
        let response = api.send(method, &path, &body).await;
        assert_problem(response, StatusCode::NOT_FOUND, "staff_not_found").await;
    }
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn bad_staff_requests_are_refused_with_a_code_and_write_nothing() {
    let app = spawn_app().await;
    let (owner, other) = (app.owner("fade-street").await, app.owner("other").await);
    let fade = json!({"name": "Fade", "duration_minutes": 30, "price_cents": 2500});
    let (theirs, _) = app.create_service(&other.token, &fade).await;
    let api = Api::of(&app, &owner.token);
    let (id, _) = app.add_staff(api.token, &jo()).await;
    let base = format!("/api/v1/staff/{id}");
    let before = app.event_count().await;

    let (staff, hours) = ("/api/v1/staff", &format!("{base}/working-hours"));
    let (time_off, services) = (&format!("{base}/time-off"), &format!("{base}/services"));
    let lunch = |start: &str, end: &str| json!([{"start": start, "end": end}]);
    let (late, backwards) = (lunch("16:30", "17:30"), lunch("13:00", "12:00"));
    let two = json!([{"start": "12:00", "end": "13:00"}, {"start": "12:30", "end": "13:30"}]);
    let twice = json!({"days": [{"weekday": "tue", "start": "09:00", "end": "12:00"},
                                {"weekday": "tue", "start": "11:00", "end": "17:00"}]});
    let extra = json!({"days": [{"weekday": "mon", "start": "09:00", "end": "17:00", "x": 1}]});
    let t0 = "2026-12-01T09:00:00Z";
    let (t1, t2) = ("2026-12-02T09:00:00Z", "2027-12-03T09:00:00Z");
    // every one answers 422 with the code
    #[rustfmt::skip]
    let cases = [
        ("POST", staff, json!({"name": "A", "role": "stylist"}), "invalid_role"),
        ("POST", staff, json!({"name": " ", "role": "barber"}), "invalid_name"),
        ("POST", staff, json!({"name": "A", "role": "barber", "phone": "0770"}), "invalid_phone"),
        ("POST", staff, json!({"name": "A", "role": "barber", "email": "a@b"}), "invalid_email"),
        ("POST", staff, json!({"name": "A", "role": "barber", "active": true}), "invalid_body"),
        ("POST", staff, json!({"name": "A"}), "invalid_body"),
        ("PATCH", &base, json!({"role": "boss"}), "invalid_role"),
        ("PATCH", &base, json!({"tenant_id": other.business_id}), "invalid_body"),
        ("PUT", hours, day("mon", "17:00", "09:00", json!([])), "invalid_hours"),
        ("PUT", hours, day("mon", "09:00", "17:00", two), "overlapping_breaks"),
        ("PUT", hours, day("mon", "09:00", "17:00", late), "break_outside_hours"),
        ("PUT", hours, day("mon", "09:00", "17:00", backwards), "invalid_break"),
        ("PUT", hours, twice, "overlapping_shifts"),
        ("PUT", hours, day("funday", "09:00", "17:00", json!([])), "invalid_weekday"),
        ("PUT", hours, day("mon", "09:00", "25:00", json!([])), "invalid_time"),
        ("PUT", hours, day("mon", "09:07", "17:00", json!([])), "invalid_time"),
        ("PUT", hours, extra, "invalid_body"),
        ("POST", time_off, off(t1, t0), "invalid_time_off"),
        ("POST", time_off, off(t0, t2), "invalid_time_off"),
        ("POST", time_off, off("tomorrow", t1), "invalid_body"),
        ("PUT", services, json!({"service_ids": [Uuid::new_v4()]}), "unknown_service"),
        ("PUT", services, json!({"service_ids": [theirs]}), "unknown_service"),
        ("PUT", services, json!({}), "invalid_body"),
    ];
    for (method, path, body, code) in cases {
        let response = api.send(method, path, &body).await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, code).await;
    }
    let name = json!({"name": "B"});
    let unknown = format!("/api/v1/staff/{}", Uuid::new_v4());
    let response = api.send("PATCH", &unknown, &name).await;
    assert_problem(response, StatusCode::NOT_FOUND, "staff_not_found").await;
    let response = api.send("PATCH", "/api/v1/staff/x", &name).await;
    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    for query in ["limit=0", "cursor=bad", "include_inactive=maybe", "q=jo"] {
        let response = app
            .get(&format!("/api/v1/staff?{query}"), Some(api.token))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
    }
    assert_eq!(app.event_count().await, before);
}

#[tokio::test]
async fn the_list_is_paged_by_name_with_a_cursor() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let api = Api::of(&app, &owner.token);
    let mut last = 0;
    for name in ["Eve", "bob", "Dan", "alice", "Carl"] {
        let member = json!({"name": name, "role": "barber"});
        last = app.add_staff(api.token, &member).await.1;
    }
    let mut names = Vec::new();
    let mut path = format!("/api/v1/staff?limit=2&min_position={last}");
    loop {
        let page = api.read(&path).await;
        for item in page["items"].as_array().expect("items") {
            names.push(item["name"].as_str().expect("name").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/staff?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(names, ["alice", "bob", "Carl", "Dan", "Eve"]);
}

#[tokio::test]
async fn the_openapi_document_lists_the_staff_routes() {
    let app = spawn_app().await;
    let doc: Value = app
        .get("/api/openapi.json", None)
        .await
        .json()
        .await
        .expect("json");
    #[rustfmt::skip]
    let routes = [
        ("post", "/api/v1/staff"), ("get", "/api/v1/staff"),
        ("patch", "/api/v1/staff/{id}"), ("get", "/api/v1/staff/{id}"),
        ("put", "/api/v1/staff/{id}/working-hours"), ("post", "/api/v1/staff/{id}/time-off"),
        ("delete", "/api/v1/staff/{id}/time-off/{time_off_id}"),
        ("put", "/api/v1/staff/{id}/services"),
        ("post", "/api/v1/staff/{id}/deactivate"), ("post", "/api/v1/staff/{id}/reactivate"),
    ];
    for (method, path) in routes {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
}

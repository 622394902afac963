use barber::{Application, Role};
use platform::shutdown::ShutdownTrigger;
use platform::testing::TestEnv;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub env: TestEnv,
    stopper: ShutdownTrigger,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.stopper.trigger();
    }
}

/// A logged-in owner of a fresh business.
pub struct Owner {
    pub token: String,
    pub business_id: Uuid,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// [`spawn_app`] with a configuration changed by `change` (a shorter wait, a setting under test).
pub async fn spawn_app_with(change: impl FnOnce(&mut platform::Config)) -> TestApp {
    spawn_app_with_clock(change, platform::clock::system()).await
}

/// [`spawn_app_with`] whose notification worker reads the time from `clock`.
pub async fn spawn_app_with_clock(
    change: impl FnOnce(&mut platform::Config),
    clock: std::sync::Arc<dyn platform::clock::Clock>,
) -> TestApp {
    let mut env = TestEnv::new().await;
    change(&mut env.config);
    let app = Application::build_with_clock(env.config.clone(), Role::All, clock)
        .await
        .expect("application starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    let stopper = app.stopper();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        env,
        stopper,
    }
}

pub fn signup_body(slug: &str, email: &str) -> Value {
    json!({
        "business_name": "Fade Street",
        "slug": slug,
        "timezone": "Europe/London",
        "owner_name": "Sam Owner",
        "email": email,
        "password": "correct horse battery",
    })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn post_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(self.client.post(self.url(path)).json(body), token)
            .await
    }

    pub async fn patch_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(self.client.patch(self.url(path)).json(body), token)
            .await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.send(self.client.get(self.url(path)), token).await
    }

    async fn send(&self, request: RequestBuilder, token: Option<&str>) -> Response {
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        request.send().await.expect("request sent")
    }

    pub async fn signup(&self, body: &Value) -> Response {
        self.post_json("/api/v1/signup", None, body).await
    }

    /// Signs up a new business and returns its owner's token.
    pub async fn owner(&self, slug: &str) -> Owner {
        self.owner_signed_up(&signup_body(slug, &format!("owner@{slug}.example")))
            .await
    }

    /// Signs up a new business in `country` (ISO 3166-1 alpha-2) and returns its owner.
    pub async fn owner_in(&self, slug: &str, country: &str) -> Owner {
        let mut body = signup_body(slug, &format!("owner@{slug}.example"));
        body["country"] = json!(country);
        self.owner_signed_up(&body).await
    }

    async fn owner_signed_up(&self, body: &Value) -> Owner {
        let response = self.signup(body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("json");
        Owner {
            token: body["token"].as_str().expect("token").to_owned(),
            business_id: body["business_id"]
                .as_str()
                .expect("id")
                .parse()
                .expect("uuid"),
        }
    }

    /// Registers a customer and returns (id, position).
    pub async fn register_customer(&self, token: &str, body: &Value) -> (Uuid, i64) {
        let response = self.post_json("/api/v1/customers", Some(token), body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("json");
        (
            body["id"].as_str().expect("id").parse().expect("uuid"),
            body["position"].as_i64().expect("position"),
        )
    }

    /// The OpenAPI document the app serves.
    pub async fn openapi(&self) -> Value {
        self.get("/api/openapi.json", None)
            .await
            .json()
            .await
            .expect("the OpenAPI document")
    }

    /// A digest of everything the write side records: every row of the event store and of the
    /// tables beside it (accounts, slugs, timezones, customer contacts). Equal before and after
    /// a request, the request wrote nothing.
    pub async fn store_checksum(&self) -> String {
        sqlx::query_scalar(
            "select concat_ws(' ',
                 (select md5(coalesce(string_agg(e::text, ',' order by e.global_position), ''))
                    from events e),
                 (select md5(coalesce(string_agg(u::text, ',' order by u::text), '')) from users u),
                 (select md5(coalesce(string_agg(s::text, ',' order by s::text), ''))
                    from business_slugs s),
                 (select md5(coalesce(string_agg(t::text, ',' order by t::text), ''))
                    from business_timezones t),
                 (select md5(coalesce(string_agg(c::text, ',' order by c::text), ''))
                    from customer_contacts c))",
        )
        .fetch_one(&self.env.pool)
        .await
        .expect("checksum of the store")
    }

    /// The JSON answer to `GET path`.
    pub async fn read(&self, path: &str, token: &str) -> Value {
        self.get(path, Some(token))
            .await
            .json()
            .await
            .expect("json")
    }

    /// The position of the newest event: what a read waits for to see everything written.
    pub async fn newest_position(&self) -> i64 {
        sqlx::query_scalar("select max(global_position) from events")
            .fetch_one(&self.env.pool)
            .await
            .expect("newest")
    }

    pub async fn event_count(&self) -> i64 {
        sqlx::query_scalar("select count(*) from events")
            .fetch_one(&self.env.pool)
            .await
            .expect("count events")
    }
}

/// The `name` of every item of a page of a list, in order.
pub fn page_names(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| item["name"].as_str().expect("name").to_owned())
        .collect()
}

/// Asserts a problem+json answer with `status` and `code`.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) {
    assert_eq!(response.status(), status, "status for {code}");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = response.json().await.expect("problem body");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16());
}

impl TestApp {
    pub async fn put_json(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send(self.client.put(self.url(path)).json(body), token)
            .await
    }

    /// Creates a service and returns (id, position).
    pub async fn create_service(&self, token: &str, body: &Value) -> (Uuid, i64) {
        let response = self.post_json("/api/v1/services", Some(token), body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("json");
        (
            body["id"].as_str().expect("id").parse().expect("uuid"),
            body["position"].as_i64().expect("position"),
        )
    }

    /// A token for another user of `owner`'s business with `role`, recorded as a user of it
    /// (written to `users` directly, its token issued with the app's own key: the tests of
    /// what a role may do need not go through an invitation each; `accounts` tests that).
    pub async fn token_with_role(&self, owner: &Owner, role: &str) -> String {
        self.token_with_chair(owner, role, None).await
    }

    /// [`Self::token_with_role`] for a login linked to staff member `staff_id`'s chair.
    pub async fn token_with_chair(
        &self,
        owner: &Owner,
        role: &str,
        staff_id: Option<Uuid>,
    ) -> String {
        let user_id = Uuid::new_v4();
        sqlx::query(
            "insert into users (user_id, business_id, email, name, role, staff_id, password_hash)
             values ($1, $2, $3, 'Staff', $4, $5, '')",
        )
        .bind(user_id)
        .bind(owner.business_id)
        .bind(format!("{user_id}@staff.test"))
        .bind(role)
        .bind(staff_id)
        .execute(&self.env.pool)
        .await
        .expect("user recorded");
        self.token_for_chair(user_id, owner.business_id, role, staff_id)
    }

    /// A token signed with the app's own key for any user and business, known or not.
    pub fn token_for(&self, user_id: Uuid, business_id: Uuid, role: &str) -> String {
        self.token_for_chair(user_id, business_id, role, None)
    }

    /// [`Self::token_for`] with a chair.
    pub fn token_for_chair(
        &self,
        user_id: Uuid,
        business_id: Uuid,
        role: &str,
        staff_id: Option<Uuid>,
    ) -> String {
        let secret = self
            .env
            .config
            .jwt_secret
            .as_ref()
            .expect("tests set a secret");
        platform::auth::JwtKeys::new(secret.expose(), self.env.config.jwt_ttl)
            .issue(user_id, business_id, role, staff_id)
            .expect("token issued")
    }
}

impl TestApp {
    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.send(self.client.delete(self.url(path)), token).await
    }

    /// Adds a staff member and returns (id, position).
    pub async fn add_staff(&self, token: &str, body: &Value) -> (Uuid, i64) {
        let response = self.post_json("/api/v1/staff", Some(token), body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.expect("json");
        (
            body["id"].as_str().expect("id").parse().expect("uuid"),
            body["position"].as_i64().expect("position"),
        )
    }
}

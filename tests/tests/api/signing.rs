//! Without `JWT_SECRET`, tokens are signed with a secret drawn once per database: every process
//! on the database accepts every other's tokens, and no secret written in the source does.

use std::time::Duration;

use barber::{Application, Role};
use platform::shutdown::ShutdownTrigger;
use platform::testing::TestEnv;
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{assert_problem, signup_body};

/// The development secret earlier versions signed with when `JWT_SECRET` was unset.
const OLD_PUBLIC_SECRET: &str = "barber-development-secret-change-me";

/// A process on a test's database, stopped when dropped.
struct Process {
    address: String,
    stopper: ShutdownTrigger,
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stopper.trigger();
    }
}

impl Process {
    async fn start(env: &TestEnv, role: Role) -> Self {
        Self::start_with(env.config.clone(), role).await
    }

    async fn start_with(config: platform::Config, role: Role) -> Self {
        let app = Application::build(config, role)
            .await
            .expect("application starts");
        let address = format!("http://127.0.0.1:{}", app.port());
        let stopper = app.stopper();
        tokio::spawn(app.run_until_stopped());
        Self { address, stopper }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Logs the owner of [`Process::sign_up`]'s business in through this process: a new token.
    async fn log_in(&self, client: &reqwest::Client) -> String {
        let logged_in: Value = client
            .post(self.url("/api/v1/login"))
            .json(&json!({"email": "sam@fade.example", "password": "correct horse battery"}))
            .send()
            .await
            .expect("sent")
            .json()
            .await
            .expect("json");
        logged_in["token"].as_str().expect("token").to_owned()
    }

    /// Opens a business through this process and returns the answer.
    async fn sign_up(&self, client: &reqwest::Client) -> Value {
        let response = client
            .post(self.url("/api/v1/signup"))
            .json(&signup_body("fade-street", "sam@fade.example"))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.expect("json")
    }
}

/// A test database whose processes are given no `JWT_SECRET`.
async fn env_without_secret() -> TestEnv {
    let mut env = TestEnv::new().await;
    env.config.jwt_secret = None;
    env
}

#[tokio::test]
async fn processes_without_a_configured_secret_accept_each_others_tokens() {
    let env = env_without_secret().await;
    let (first, second) = tokio::join!(
        Process::start(&env, Role::All),
        Process::start(&env, Role::Command)
    );
    let client = reqwest::Client::new();
    let signed_up = first.sign_up(&client).await;
    let token = signed_up["token"].as_str().expect("token");
    let registered = client
        .post(second.url("/api/v1/customers"))
        .bearer_auth(token)
        .json(&json!({"name": "Ana"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(registered.status(), StatusCode::CREATED);
    let position = registered.json::<Value>().await.expect("json")["position"].clone();

    let token = &second.log_in(&client).await;
    let customers = client
        .get(first.url(&format!("/api/v1/customers?min_position={position}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent");
    assert_eq!(customers.status(), StatusCode::OK);
    let customers: Value = customers.json().await.expect("json");
    assert_eq!(customers["items"][0]["name"], "Ana");
}

#[tokio::test]
async fn a_token_signed_with_the_old_public_secret_is_refused() {
    let env = env_without_secret().await;
    let app = Process::start(&env, Role::All).await;
    let client = reqwest::Client::new();
    let signed_up = app.sign_up(&client).await;
    let id = |field: &str| -> Uuid {
        signed_up[field]
            .as_str()
            .expect(field)
            .parse()
            .expect("uuid")
    };
    let (business_id, user_id) = (id("business_id"), id("user_id"));
    let forged = platform::auth::JwtKeys::new(OLD_PUBLIC_SECRET, Duration::from_secs(600))
        .issue(user_id, business_id, "owner", None)
        .expect("token");
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/customers"),
        (reqwest::Method::POST, "/api/v1/customers"),
    ] {
        let response = client
            .request(method, app.url(path))
            .bearer_auth(&forged)
            .json(&json!({"name": "Mallory"}))
            .send()
            .await
            .expect("sent");
        assert_problem(response, StatusCode::UNAUTHORIZED, "unauthorized").await;
    }
}

/// The processes of a rotation, on one database: each with its own secrets.
async fn with_secrets(env: &TestEnv, secret: &str, previous: Option<&str>) -> Process {
    let mut config = env.config.clone();
    config.jwt_secret = Some(platform::config::Secret::new(secret));
    config.jwt_previous_secret = previous.map(platform::config::Secret::new);
    Process::start_with(config, Role::All).await
}

async fn me(client: &reqwest::Client, process: &Process, token: &str) -> StatusCode {
    client
        .get(process.url("/api/v1/me"))
        .bearer_auth(token)
        .send()
        .await
        .expect("sent")
        .status()
}

#[tokio::test]
async fn during_a_rotation_the_previous_secrets_tokens_are_still_taken_and_after_it_not() {
    let env = TestEnv::new().await;
    let client = reqwest::Client::new();
    let before = with_secrets(&env, "the first secret", None).await;
    let signed_up = before.sign_up(&client).await;
    let old_token = signed_up["token"].as_str().expect("token").to_owned();

    // the rotation: the new secret signs, the first one is still taken
    let during = with_secrets(&env, "the second secret", Some("the first secret")).await;
    assert_eq!(me(&client, &during, &old_token).await, StatusCode::OK);
    let new_token = during.log_in(&client).await;
    assert_eq!(me(&client, &during, &new_token).await, StatusCode::OK);
    // a process not yet told of the new secret does not take its tokens
    assert_eq!(
        me(&client, &before, &new_token).await,
        StatusCode::UNAUTHORIZED
    );

    // once the first secret's tokens have run out it is dropped, and its tokens refused
    let after = with_secrets(&env, "the second secret", None).await;
    assert_eq!(me(&client, &after, &new_token).await, StatusCode::OK);
    assert_problem(
        client
            .get(after.url("/api/v1/me"))
            .bearer_auth(&old_token)
            .send()
            .await
            .expect("sent"),
        StatusCode::UNAUTHORIZED,
        "unauthorized",
    )
    .await;
}

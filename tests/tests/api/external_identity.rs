//! Tokens of an identity provider: an OpenID Connect provider whose keys the test serves as a
//! JWKS on a local port, and Supabase Auth's shared secret. A valid token maps to the login
//! with its email; a wrong issuer, audience, signature or an expired token is 401.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use platform::config::{ExternalIdentity, Secret};
use reqwest::StatusCode;
use ring::rand::SystemRandom;
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app_with, TestApp};

const ISSUER: &str = "https://id.fade.example";
const AUDIENCE: &str = "barber-web";
const OWNER_EMAIL: &str = "owner@fade-street.example";

/// A provider's signing key: its private half, and its public half as a JWK.
struct ProviderKey {
    kid: String,
    private: EncodingKey,
    jwk: Value,
}

fn provider_key(kid: &str) -> ProviderKey {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("key");
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .expect("pair");
    // an uncompressed point: 0x04, then x and y
    let point = pair.public_key().as_ref();
    let (x, y) = point[1..].split_at(32);
    ProviderKey {
        kid: kid.to_owned(),
        private: EncodingKey::from_ec_der(pkcs8.as_ref()),
        jwk: json!({"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
            "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)}),
    }
}

/// Serves `keys` as a JWKS on a local port; answers its URL.
async fn serve_jwks(keys: &[&ProviderKey]) -> String {
    let set = json!({"keys": keys.iter().map(|k| k.jwk.clone()).collect::<Vec<_>>()});
    let app = axum::Router::new().route(
        "/.well-known/jwks.json",
        axum::routing::get(move || {
            let set = set.clone();
            async move { axum::Json(set) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bound");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}/.well-known/jwks.json")
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(issuer: &str, audience: &str, email: &str, expires_in: i64) -> Value {
    json!({"iss": issuer, "aud": audience, "sub": "provider-user-1", "email": email,
        "email_verified": true, "iat": now() - 10, "exp": now() + expires_in})
}

fn es256(key: &ProviderKey, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &key.private).expect("signed")
}

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.get("/api/v1/me", Some(token)).await
}

#[tokio::test]
async fn an_oidc_provider_s_token_maps_to_the_login_with_its_email() {
    let key = provider_key("key-1");
    let jwks_url = serve_jwks(&[&key]).await;
    let app = spawn_app_with(|config| {
        config.external_identity = Some(ExternalIdentity::Oidc {
            issuer: ISSUER.into(),
            jwks_url,
            audience: AUDIENCE.into(),
        });
    })
    .await;
    let owner = app.owner("fade-street").await;
    let own = app.read("/api/v1/me", &owner.token).await;

    let token = es256(
        &key,
        &claims(ISSUER, AUDIENCE, "Owner@Fade-Street.example", 300),
    );
    let answer = me(&app, &token).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let answer: Value = answer.json().await.expect("json");
    assert_eq!(
        (&answer["id"], &answer["role"]),
        (&own["id"], &json!("owner"))
    );
    // commands too, with an idempotency key like any other caller's
    let registered = app
        .client
        .post(app.url("/api/v1/customers"))
        .bearer_auth(&token)
        .header("idempotency-key", "first")
        .json(&json!({"name": "Ann"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(registered.status(), StatusCode::CREATED);

    let stranger = provider_key("key-1");
    let mut unverified = claims(ISSUER, AUDIENCE, OWNER_EMAIL, 300);
    unverified["email_verified"] = json!(false);
    let refused = [
        (
            "a wrong issuer",
            es256(
                &key,
                &claims("https://evil.example", AUDIENCE, OWNER_EMAIL, 300),
            ),
        ),
        (
            "a wrong audience",
            es256(&key, &claims(ISSUER, "another-app", OWNER_EMAIL, 300)),
        ),
        (
            "another key's signature",
            es256(&stranger, &claims(ISSUER, AUDIENCE, OWNER_EMAIL, 300)),
        ),
        (
            "an expired token",
            es256(&key, &claims(ISSUER, AUDIENCE, OWNER_EMAIL, -60)),
        ),
        (
            "an unknown key",
            es256(
                &provider_key("key-2"),
                &claims(ISSUER, AUDIENCE, OWNER_EMAIL, 300),
            ),
        ),
        ("an unverified email", es256(&key, &unverified)),
        (
            "an HMAC over the public key",
            jsonwebtoken::encode(
                &Header::new(Algorithm::HS256),
                &claims(ISSUER, AUDIENCE, OWNER_EMAIL, 300),
                &EncodingKey::from_secret(key.jwk.to_string().as_bytes()),
            )
            .expect("signed"),
        ),
    ];
    for (what, token) in refused {
        assert_eq!(
            me(&app, &token).await.status(),
            StatusCode::UNAUTHORIZED,
            "{what}"
        );
    }
    let nobody = es256(&key, &claims(ISSUER, AUDIENCE, "nobody@fade.example", 300));
    assert_problem(
        me(&app, &nobody).await,
        StatusCode::UNAUTHORIZED,
        "unknown_user",
    )
    .await;
}

#[tokio::test]
async fn a_supabase_token_maps_to_its_login_until_the_login_is_disabled() {
    const SECRET: &str = "the project's jwt secret, at least 32 bytes long";
    let app = spawn_app_with(|config| {
        config.external_identity = Some(ExternalIdentity::SharedSecret {
            secret: Secret::new(SECRET),
            audience: "authenticated".into(),
            issuer: None,
        });
    })
    .await;
    let owner = app.owner("fade-street").await;
    let (user_id, _) = app
        .staff_login(&owner, "desk@fade.example", "front_desk", None)
        .await;
    let hs256 = |secret: &str, claims: &Value| {
        jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .expect("signed")
    };
    let claims = |audience: &str, expires_in: i64| {
        json!({"aud": audience, "sub": "supabase-user", "email": "desk@fade.example",
            "role": "authenticated", "exp": now() + expires_in})
    };
    let token = hs256(SECRET, &claims("authenticated", 300));
    let answer = me(&app, &token).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let answer: Value = answer.json().await.expect("json");
    assert_eq!(answer["id"], user_id.to_string());
    assert_eq!(answer["role"], "front_desk");
    for (what, token) in [
        (
            "a wrong secret",
            hs256(
                "another secret entirely, also long",
                &claims("authenticated", 300),
            ),
        ),
        ("a wrong audience", hs256(SECRET, &claims("anon", 300))),
        (
            "an expired token",
            hs256(SECRET, &claims("authenticated", -60)),
        ),
    ] {
        assert_eq!(
            me(&app, &token).await.status(),
            StatusCode::UNAUTHORIZED,
            "{what}"
        );
    }
    // barber's own tokens still work beside the provider's
    assert_eq!(me(&app, &owner.token).await.status(), StatusCode::OK);
    let disabled = app
        .post_json(
            &format!("/api/v1/users/{user_id}/disable"),
            Some(&owner.token),
            &json!({}),
        )
        .await;
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_problem(
        me(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "unknown_user",
    )
    .await;
}

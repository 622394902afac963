use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn health_probes_answer() {
    let app = spawn_app().await;
    for path in ["/healthz", "/livez", "/readyz"] {
        assert_eq!(app.get(path, None).await.status(), StatusCode::OK, "{path}");
    }
    let ready: Value = app.get("/readyz", None).await.json().await.expect("json");
    assert_eq!(ready["checks"]["postgres"], true);
    assert_eq!(ready["checks"]["nats"], true);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app().await;
    app.get("/api/v1/customers", None).await;
    let text = app.get("/metrics", None).await.text().await.expect("text");
    assert!(text.contains("http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/v1/customers\""), "{text}");
    assert!(text.contains("status=\"401\""), "{text}");
}

#[tokio::test]
async fn the_openapi_document_lists_the_routes_and_the_docs_page_is_served() {
    let app = spawn_app().await;
    let doc: Value = app
        .get("/api/openapi.json", None)
        .await
        .json()
        .await
        .expect("json");
    for path in [
        "/api/v1/signup",
        "/api/v1/login",
        "/api/v1/customers",
        "/api/v1/customers/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let docs = app.get("/api/docs/", None).await;
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.expect("html").contains("swagger"));
}

#[tokio::test]
async fn an_unknown_route_is_a_problem_not_a_blank_page() {
    let app = spawn_app().await;
    let response = app.get("/api/v1/nothing-here", None).await;
    crate::helpers::assert_problem(response, StatusCode::NOT_FOUND, "route_not_found").await;
}

#[tokio::test]
async fn metrics_report_relay_and_projection_progress() {
    let app = spawn_app().await;
    let owner = app.owner("fade-street").await;
    let (id, position) = app
        .register_customer(&owner.token, &serde_json::json!({"name": "Ana"}))
        .await;
    let read = app
        .get(
            &format!("/api/v1/customers/{id}?min_position={position}"),
            Some(&owner.token),
        )
        .await;
    assert_eq!(read.status(), StatusCode::OK);
    let text = app.get("/metrics", None).await.text().await.expect("text");
    for name in [
        "relay_events_published_total",
        "relay_lag_events",
        "relay_lag_seconds",
        "projection_events_applied_total{projection=\"customers\"}",
        "projection_dead_letters_total{projection=\"customers\"}",
        "projection_lag_events{projection=\"customers\"}",
        "http_request_duration_seconds_bucket",
    ] {
        assert!(text.contains(name), "{name} missing from\n{text}");
    }
}

#[tokio::test]
async fn the_demo_business_can_be_logged_into_and_has_a_shop_to_book() {
    let app = spawn_app().await;
    let (stop, shutdown) = platform::shutdown::channel();
    let store = command::store::EventStore::start(app.env.pool.clone(), shutdown);
    let seeded = barber::seed::seed(&app.env.config, &store)
        .await
        .expect("seeded");
    assert!(seeded.created);
    let again = barber::seed::seed(&app.env.config, &store)
        .await
        .expect("seeded");
    assert!(!again.created, "seeding twice is harmless");
    stop.trigger();
    let login: Value = app
        .post_json(
            "/api/v1/login",
            None,
            &serde_json::json!({"email": barber::seed::DEMO_EMAIL, "password": barber::seed::DEMO_PASSWORD}),
        )
        .await
        .json()
        .await
        .expect("json");
    let token = login["token"].as_str().expect("token");
    let position: i64 = sqlx::query_scalar("select max(global_position) from events")
        .fetch_one(&app.env.pool)
        .await
        .expect("position");
    for (path, count) in [
        ("/api/v1/services", 2),
        ("/api/v1/staff", 2),
        ("/api/v1/customers", 3),
    ] {
        let page: Value = app
            .get(&format!("{path}?min_position={position}"), Some(token))
            .await
            .json()
            .await
            .expect("json");
        assert_eq!(
            page["items"].as_array().map(Vec::len),
            Some(count),
            "{path}: {page}"
        );
    }
}

/// With `MIGRATE_ON_START=false` a process does not touch the schema: on a database never
/// migrated it refuses to start, and once `barber migrate` has run it starts.
#[tokio::test]
async fn a_process_told_not_to_migrate_waits_for_the_migration() {
    let env = platform::testing::TestEnv::new().await;
    let empty = format!("{}_unmigrated", env.database);
    sqlx::query(&format!("create database \"{empty}\""))
        .execute(&env.pool)
        .await
        .expect("created");
    let mut config = env.config.clone();
    config.database_url = config.database_url.replace(&env.database, &empty);
    config.migrate_on_start = false;
    let refused = barber::Application::build(config.clone(), barber::Role::Query).await;
    assert!(
        matches!(refused, Err(barber::app::StartError::SchemaBehind)),
        "started on a schema that is behind"
    );
    let pool = platform::db::connect(&config.database_url, 2)
        .await
        .expect("pool");
    assert!(!platform::db::schema_is_current(&pool)
        .await
        .expect("checked"));
    platform::db::migrate(&pool).await.expect("migrated");
    assert!(platform::db::schema_is_current(&pool)
        .await
        .expect("checked"));
    pool.close().await;
    let started = barber::Application::build(config, barber::Role::Query)
        .await
        .expect("starts once migrated");
    started.stopper().trigger();
    drop(started);
    sqlx::query(&format!("drop database \"{empty}\" with (force)"))
        .execute(&env.pool)
        .await
        .expect("dropped");
}

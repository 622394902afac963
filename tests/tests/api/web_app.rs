//! The web app is served by the same process at every path outside `/api`: its files, and its
//! `index.html` for the paths the app routes in the browser.

use reqwest::StatusCode;

use crate::helpers::{assert_problem, spawn_app_with};

/// A build directory of the web app's shape: `index.html` and a hashed asset.
fn built_web_app() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("barber-web-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("assets")).expect("dir");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><title>barber</title>",
    )
    .expect("index");
    std::fs::write(dir.join("assets/app-1a2b3c.js"), "console.log('barber')").expect("asset");
    dir
}

#[tokio::test]
async fn the_web_app_answers_every_path_outside_the_api_and_caches_only_its_hashed_assets() {
    let dir = built_web_app();
    let app = spawn_app_with(|config| config.web_dir = dir.clone()).await;

    for path in ["/", "/calendar", "/book/fade-street", "/customers/123"] {
        let page = app.get(path, None).await;
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        assert_eq!(page.headers()["cache-control"], "no-cache", "{path}");
        assert!(page
            .text()
            .await
            .expect("html")
            .contains("<title>barber</title>"));
    }
    let asset = app.get("/assets/app-1a2b3c.js", None).await;
    assert_eq!(asset.status(), StatusCode::OK);
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(asset.headers()["content-type"]
        .to_str()
        .expect("type")
        .contains("javascript"));

    // the API's unknown routes stay problems, never the app's page
    for path in ["/api/v1/nothing-here", "/api", "/api/v2/customers"] {
        assert_problem(
            app.get(path, None).await,
            StatusCode::NOT_FOUND,
            "route_not_found",
        )
        .await;
    }
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn without_a_build_the_pages_say_how_to_make_one() {
    let app = spawn_app_with(|config| config.web_dir = "/nonexistent/barber-web".into()).await;
    assert_problem(
        app.get("/", None).await,
        StatusCode::NOT_FOUND,
        "web_app_not_built",
    )
    .await;
    assert_problem(
        app.get("/api/v1/nothing-here", None).await,
        StatusCode::NOT_FOUND,
        "route_not_found",
    )
    .await;
}

/// The web app in Debian's Chromium (`web/e2e/run.mjs`, driven by playwright-core): a shop signs
/// up, books from its calendar, drags the booking, completes it with payment, finds it in the
/// customer's history, the dashboard and the takings; two desks race for one slot; every page
/// passes axe-core and fits a phone. Needs `make web` (the build and `node_modules`) and
/// `/usr/bin/chromium` (`make browser`), both part of `make test`.
#[tokio::test]
async fn a_shop_runs_its_day_in_the_browser() {
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
    assert!(
        web.join("dist/index.html").is_file() && web.join("node_modules/playwright-core").is_dir(),
        "the web app is not built: run `make web`"
    );
    let dist = web.join("dist");
    let app = spawn_app_with(|config| config.web_dir = dist).await;
    let address = app.address.clone();
    let run = tokio::task::spawn_blocking(move || {
        std::process::Command::new("node")
            .arg("e2e/run.mjs")
            .arg(address)
            .current_dir(web)
            .output()
    });
    let output = run.await.expect("joined").expect("node runs");
    assert!(
        output.status.success(),
        "the browser run failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

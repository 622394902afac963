//! The web app is served by the same process at every path outside `/api`: its files, and its
//! `index.html` for the paths the app routes in the browser.

use reqwest::StatusCode;

use crate::helpers::{assert_problem, spawn_app_with};

/// "console.log('barber')", gzipped (as `web/scripts/precompress.mjs` writes it beside the file).
fn gzipped_asset() -> Vec<u8> {
    vec![
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xff, 0x4b, 0xce, 0xcf, 0x2b, 0xce,
        0xcf, 0x49, 0xd5, 0xcb, 0xc9, 0x4f, 0xd7, 0x50, 0x4f, 0x4a, 0x2c, 0x4a, 0x4a, 0x2d, 0x52,
        0xd7, 0x04, 0x00, 0x06, 0xc0, 0x62, 0x5e, 0x15, 0x00, 0x00, 0x00,
    ]
}

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
    std::fs::write(dir.join("assets/app-1a2b3c.js.gz"), gzipped_asset()).expect("gzip copy");
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
    assert!(asset.headers().get("content-encoding").is_none());

    // a browser that takes gzip is sent the build's gzip copy, of the same type
    let zipped = app
        .client
        .get(app.url("/assets/app-1a2b3c.js"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .expect("sent");
    assert_eq!(zipped.status(), StatusCode::OK);
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["vary"], "accept-encoding");
    assert!(zipped.headers()["content-type"]
        .to_str()
        .expect("type")
        .contains("javascript"));
    assert_eq!(
        zipped.bytes().await.expect("body").to_vec(),
        gzipped_asset()
    );

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

/// Rotating `JWT_SECRET` logs no one out (docs/operations.md): barber restarts with a new
/// secret on the same address under a desk signed in in Chromium (`web/e2e/rotation.mjs`); the
/// desk's next request is refused, the app renews its session with its refresh token (kept in
/// the database, not signed) and sends the request again, and the desk stays on its page.
#[tokio::test]
async fn rotating_the_signing_secret_keeps_the_browser_signed_in() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};

    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web");
    assert!(
        web.join("dist/index.html").is_file() && web.join("node_modules/playwright-core").is_dir(),
        "the web app is not built: run `make web`"
    );
    let env = platform::testing::TestEnv::new().await;
    let mut config = env.config.clone();
    config.web_dir = web.join("dist");
    config.jwt_secret = Some(platform::config::Secret::new("the secret before"));
    let before = barber::Application::build(config.clone(), barber::Role::All)
        .await
        .expect("barber starts");
    let port = before.port();
    let stopper = before.stopper();
    let running = tokio::spawn(before.run_until_stopped());

    let mut desk = Command::new("node")
        .arg("e2e/rotation.mjs")
        .arg(format!("http://127.0.0.1:{port}"))
        .current_dir(&web)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    let stdout = desk.stdout.take().expect("stdout");
    let (rotate, asked) = tokio::sync::oneshot::channel();
    let told = tokio::task::spawn_blocking(move || {
        let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
        if lines.by_ref().any(|l| l == "ROTATE") {
            let _ = rotate.send(());
        }
        lines.collect::<Vec<_>>()
    });
    // the desk says ROTATE once it is signed in
    let asked = tokio::time::timeout(std::time::Duration::from_secs(120), asked).await;
    if !matches!(asked, Ok(Ok(()))) {
        let _ = desk.kill();
        let output = desk.wait_with_output().expect("node ends");
        panic!(
            "the desk never signed in:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    stopper.trigger();
    running.await.expect("stopped");
    config.bind = format!("127.0.0.1:{port}").parse().expect("address");
    config.jwt_secret = Some(platform::config::Secret::new("the secret after"));
    let after = barber::Application::build(config, barber::Role::All)
        .await
        .expect("barber starts again with the new secret");
    let stopper = after.stopper();
    tokio::spawn(after.run_until_stopped());
    desk.stdin
        .as_mut()
        .expect("stdin")
        .write_all(b"rotated\n")
        .expect("told");

    let output = tokio::task::spawn_blocking(move || desk.wait_with_output())
        .await
        .expect("joined")
        .expect("node ends");
    let rest = told.await.expect("joined");
    stopper.trigger();
    assert!(
        output.status.success(),
        "the rotation run failed:\n{}\n{}",
        rest.join("\n"),
        String::from_utf8_lossy(&output.stderr)
    );
}

//! The web app (`web/`, built into `WEB_DIR`): every path outside `/api` is one of its files, or
//! its `index.html` (the app routes in the browser: `/calendar`, `/book/{slug}`, …). Its hashed
//! assets are cached for good; `index.html` is asked again each time, so a new build is picked
//! up at once. Paths under `/api` that no route serves stay a problem+json 404. The build holds a
//! brotli and a gzip copy of each text file (`web/scripts/precompress.mjs`), sent to browsers
//! that accept them, so nothing is compressed per request.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, CACHE_CONTROL, VARY};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// The fallback of the whole router: the web app, or 404 under `/api`.
pub struct WebApp;

impl WebApp {
    /// Serves the build in `dir` (read on every request, so it may be built after start).
    #[allow(clippy::new_ret_no_self)]
    pub fn new(dir: &Path) -> Router {
        Router::new()
            .fallback(serve)
            .with_state(Arc::new(dir.to_path_buf()))
    }
}

async fn serve(State(dir): State<Arc<PathBuf>>, request: Request) -> Response {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return platform::ApiError::not_found("route_not_found", "no such route").into_response();
    }
    let index = dir.join("index.html");
    if !index.is_file() {
        return platform::ApiError::not_found(
            "web_app_not_built",
            format!(
                "the web app is not built in {}: run `make web` (or set WEB_DIR)",
                dir.display()
            ),
        )
        .into_response();
    }
    let cache = if path.starts_with("/assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let page = ServeFile::new(index)
        .precompressed_br()
        .precompressed_gzip();
    let files = ServeDir::new(dir.as_path())
        .precompressed_br()
        .precompressed_gzip()
        .fallback(page);
    let mut response = match files.oneshot(request).await {
        Ok(response) => response.map(axum::body::Body::new),
        Err(never) => match never {},
    };
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    // a cache in between keeps one copy per encoding
    headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    response
}

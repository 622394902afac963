//! Middleware and routes every service mounts: request ids, request tracing, Prometheus metrics,
//! and the health probes.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sqlx::PgPool;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::request::REQUEST_ID_HEADER;

/// The process-wide Prometheus recorder (installed on first use).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("_seconds".into()),
                    &[
                        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                    ],
                )
                .unwrap_or_else(|_| PrometheusBuilder::new());
            let recorder = builder.build_recorder();
            let handle = recorder.handle();
            // a recorder installed earlier (another app in this process) keeps recording
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// Wraps a router with request ids (made when absent, echoed back), tracing and metrics.
///
/// The trace layer counts only 5xx as failures (`new_for_http` classifies with
/// `ServerErrorsAsFailures`; every answer is logged at DEBUG): a 4xx is the client's mistake,
/// logged once at INFO with its code by [`crate::problem::ApiError`], never as an ERROR.
pub fn with_common_layers(router: Router) -> Router {
    let header = axum::http::HeaderName::from_static(REQUEST_ID_HEADER);
    router
        .layer(middleware::from_fn(track_metrics))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let request_id = req
                .headers()
                .get(REQUEST_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let span = tracing::info_span!(
                "request",
                method = %req.method(),
                uri = %req.uri(),
                request_id
            );
            // a caller that traces (a gateway, another service) continues its own trace
            if let Some(parent) = req
                .headers()
                .get(crate::telemetry::TRACE_PARENT)
                .and_then(|v| v.to_str().ok())
            {
                crate::telemetry::follow(&span, parent);
            }
            span
        }))
        .layer(PropagateRequestIdLayer::new(header.clone()))
        .layer(SetRequestIdLayer::new(header, MakeRequestUuid))
}

async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(start.elapsed().as_secs_f64());
    response
}

/// What `/readyz` checks.
#[derive(Clone)]
pub struct Probes {
    pub pool: PgPool,
    /// The replica the query routes read from, if any: it must answer too.
    pub replica: Option<PgPool>,
    pub nats: async_nats::Client,
}

/// `/healthz`, `/livez`, `/readyz` and `/metrics`.
pub fn health_routes(probes: Probes) -> Router {
    Router::new()
        .route("/healthz", get(live))
        .route("/livez", get(live))
        .route("/readyz", get(ready))
        .route("/metrics", get(render_metrics))
        .with_state(probes)
}

async fn live() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "ok" }))
}

async fn ready(State(probes): State<Probes>) -> Response {
    let postgres = answers(&probes.pool).await;
    let replica = match &probes.replica {
        Some(replica) => Some(answers(replica).await),
        None => None,
    };
    let nats = probes.nats.connection_state() == async_nats::connection::State::Connected;
    let status = if postgres && nats && replica != Some(false) {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let mut checks = serde_json::json!({ "postgres": postgres, "nats": nats });
    if let Some(replica) = replica {
        checks["postgres_replica"] = replica.into();
    }
    let body = serde_json::json!({
        "status": if status == StatusCode::OK { "ready" } else { "not_ready" },
        "checks": checks,
    });
    (status, Json(body)).into_response()
}

/// Whether the database behind `pool` answers within two seconds.
async fn answers(pool: &PgPool) -> bool {
    tokio::time::timeout(
        Duration::from_secs(2),
        sqlx::query("select 1").execute(pool),
    )
    .await
    .map(|r| r.is_ok())
    .unwrap_or(false)
}

async fn render_metrics() -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        metrics_handle().render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use tower::ServiceExt;
    use tracing::Level;
    use tracing_subscriber::fmt::MakeWriter;

    use super::*;
    use crate::ApiError;

    /// The log lines written while it is the default subscriber's writer.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("log buffer").extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Self;

        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    /// What a request to `path` logs through the common layers, at every level.
    async fn logged(path: &str) -> String {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(captured.clone())
            .with_ansi(false)
            .with_max_level(Level::TRACE)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = with_common_layers(
            Router::new()
                .route(
                    "/refused",
                    get(|| async { ApiError::conflict("slot_taken", "the slot is taken") }),
                )
                .route(
                    "/failed",
                    get(|| async { ApiError::internal(std::io::Error::other("disk on fire")) }),
                ),
        );
        let request = Request::builder()
            .uri(path)
            .body(Body::empty())
            .expect("request");
        app.oneshot(request).await.expect("answered");
        let bytes = captured.0.lock().expect("log buffer").clone();
        String::from_utf8(bytes).expect("utf-8 logs")
    }

    #[tokio::test]
    async fn a_refusal_is_logged_at_info_with_its_code_and_never_as_an_error() {
        let logs = logged("/refused").await;
        assert!(
            logs.lines()
                .any(|l| l.contains(" INFO ") && l.contains("code=\"slot_taken\"")),
            "{logs}"
        );
        assert!(!logs.contains("ERROR"), "{logs}");
    }

    #[tokio::test]
    async fn a_failure_of_ours_is_logged_as_an_error_with_its_cause() {
        let logs = logged("/failed").await;
        assert!(
            logs.lines()
                .any(|l| l.contains("ERROR") && l.contains("disk on fire")),
            "{logs}"
        );
    }
}

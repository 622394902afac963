//! Traces over OTLP/HTTP: a real `barber all` sends its spans to a collector the test starts
//! (a local server decoding the OTLP protobuf), and one booking, made by a caller that traces,
//! is one trace from its HTTP request through the relay (the context rides in the event's
//! metadata and the NATS message's headers) to the projections and the confirmation email.

mod support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use notifications::testing::SmtpSink;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use platform::testing::TestEnv;
use prost::Message as _;
use serde_json::{json, Value};
use support::{book_some_start, open_shop, post as post_json, Server};
use uuid::Uuid;

/// A span as the collector received it.
#[derive(Debug, Clone)]
struct Received {
    service: String,
    name: String,
    trace_id: Vec<u8>,
    span_id: Vec<u8>,
    parent_span_id: Vec<u8>,
}

/// An OTLP/HTTP collector on a local port: every span of every export it is sent.
struct Collector {
    endpoint: String,
    spans: Arc<Mutex<Vec<Received>>>,
}

impl Collector {
    async fn start() -> Self {
        let spans = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/v1/traces", post(export))
            .with_state(spans.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { endpoint, spans }
    }

    fn spans_of(&self, trace_id: &[u8]) -> Vec<Received> {
        self.spans
            .lock()
            .expect("spans")
            .iter()
            .filter(|s| s.trace_id == trace_id)
            .cloned()
            .collect()
    }
}

/// `POST /v1/traces`: an `ExportTraceServiceRequest` in protobuf, answered with an empty
/// `ExportTraceServiceResponse` (also protobuf: zero bytes).
async fn export(State(spans): State<Arc<Mutex<Vec<Received>>>>, body: Bytes) -> Vec<u8> {
    let request = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf export");
    let mut spans = spans.lock().expect("spans");
    for resource in request.resource_spans {
        let service = resource
            .resource
            .iter()
            .flat_map(|r| &r.attributes)
            .find(|a| a.key == "service.name")
            .and_then(|a| a.value.as_ref())
            .and_then(|v| match &v.value {
                Some(opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue(s)) => {
                    Some(s.clone())
                }
                _ => None,
            })
            .unwrap_or_default();
        for scope in resource.scope_spans {
            for span in scope.spans {
                spans.push(Received {
                    service: service.clone(),
                    name: span.name,
                    trace_id: span.trace_id,
                    span_id: span.span_id,
                    parent_span_id: span.parent_span_id,
                });
            }
        }
    }
    Vec::new()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn one_booking_is_one_trace_from_its_request_to_the_projections_and_its_confirmation() {
    let env = TestEnv::new().await;
    let collector = Collector::start().await;
    let sink = SmtpSink::start().await;
    let server = Server::start_with(
        &env,
        "all",
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint.as_str()),
            // export every 200 ms rather than every 5 s
            ("OTEL_BSP_SCHEDULE_DELAY", "200"),
            ("SMTP_URL", sink.url().as_str()),
            ("NOTIFY_POLL_MS", "100"),
            // what is exported does not depend on what is logged
            ("RUST_LOG", "error"),
        ],
    )
    .await;
    let shop = open_shop(&server.base).await;
    let client = reqwest::Client::new();
    let customer: Value = post_json(
        &client,
        format!("{}/api/v1/customers", server.base),
        Some(&shop.token),
        json!({"name": "Ana Trace", "email": "ana@trace.test"}),
    )
    .await;

    // the caller traces: its span is the booking's parent
    let trace_id = Uuid::new_v4().as_bytes().to_vec();
    let caller_span = Uuid::new_v4().as_bytes()[..8].to_vec();
    let traceparent = format!("00-{}-{}-01", hex(&trace_id), hex(&caller_span));
    let appointment = book_some_start(
        &server.base,
        &shop,
        &customer["id"],
        &[("traceparent", &traceparent)],
    )
    .await;

    // the context is kept with the event
    let pool = sqlx::PgPool::connect(&env.config.database_url)
        .await
        .expect("pool");
    let kept: Option<String> = sqlx::query_scalar(
        "select metadata->>'traceparent' from events
          where aggregate_type = 'appointment' and aggregate_id = $1 and sequence = 1",
    )
    .bind(appointment.to_string())
    .fetch_one(&pool)
    .await
    .expect("the booking's event");
    let kept = kept.expect("the event carries its trace");
    assert!(kept.contains(&hex(&trace_id)), "{kept}");
    // and the auditor is told where to look
    let history: Value = client
        .get(format!(
            "{}/api/v1/audit/streams/appointment/{appointment}",
            server.base
        ))
        .bearer_auth(&shop.token)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(history["items"][0]["trace_id"], json!(hex(&trace_id)));

    let wanted = [
        "request",
        "relay.publish",
        "project appointments",
        "project notifications",
        "notify confirmation by email",
    ];
    let deadline = Instant::now() + Duration::from_secs(30);
    let spans = loop {
        let spans = collector.spans_of(&trace_id);
        let names: HashSet<&str> = spans.iter().map(|s| s.name.as_str()).collect();
        if wanted.iter().all(|w| names.contains(w)) {
            break spans;
        }
        assert!(
            Instant::now() < deadline,
            "the trace has {names:?}, not all of {wanted:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        sink.messages()
            .iter()
            .filter(|m| m.to.iter().any(|to| to == "ana@trace.test"))
            .count(),
        1,
        "the confirmation went out once"
    );

    // one tree: every span's parent is the caller's or another span of the trace
    let ids: HashSet<&[u8]> = spans.iter().map(|s| s.span_id.as_slice()).collect();
    for span in &spans {
        assert!(
            span.parent_span_id == caller_span || ids.contains(span.parent_span_id.as_slice()),
            "{} hangs from a span outside the trace",
            span.name
        );
        assert_eq!(span.service, "barber-all");
    }
    // the request is the caller's child, and the relay's hop the parent of the projections'
    let request = spans.iter().find(|s| s.name == "request").expect("request");
    assert_eq!(request.parent_span_id, caller_span);
    let hops: HashSet<Vec<u8>> = spans
        .iter()
        .filter(|s| s.name == "relay.publish")
        .map(|s| s.span_id.clone())
        .collect();
    let projected = spans
        .iter()
        .find(|s| s.name == "project appointments")
        .expect("projected");
    assert!(hops.contains(&projected.parent_span_id));
}

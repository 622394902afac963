//! Tracing set-up: human-readable text by default, JSON lines when `LOG_FORMAT=json`; and, when
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set, the spans
//! exported over OTLP/HTTP (protobuf) to a collector.
//!
//! One booking is one trace across processes: the request's span context (W3C `traceparent`,
//! taken from the caller's header when it sends one) is kept in each event's metadata, the relay
//! carries it in the NATS message's headers, and each projection, the webhook fan-out and the
//! notification worker continue it ([`follow`]). Without an exporter no span has a context, so
//! nothing is added anywhere.

use std::collections::HashMap;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{TraceContextExt, TracerProvider as _};
use opentelemetry_otlp::WithHttpConfig;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::LogFormat;

/// The W3C header (and metadata key) carrying a span context.
pub const TRACE_PARENT: &str = "traceparent";

/// The exporter of this process's spans, if any: flush it before the process ends.
#[must_use = "shut it down before exiting, or the last spans are lost"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still buffered and stops the exporter.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider {
            if let Err(err) = provider.shutdown() {
                eprintln!("barber: traces not all exported: {err}");
            }
        }
    }
}

/// Installs the global subscriber. `RUST_LOG` overrides the default `info` filter. `service` is
/// the traces' `service.name` unless `OTEL_SERVICE_NAME` says otherwise.
pub fn init(format: LogFormat, service: &str) -> Telemetry {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,async_nats=warn"));
    // logs go to stderr, so a role's own output (`barber bench`) stays machine-readable
    let logs = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    let logs = match format {
        LogFormat::Json => logs.json().flatten_event(true).with_filter(filter).boxed(),
        LogFormat::Text => logs.with_filter(filter).boxed(),
    };
    let provider = exporting().then(|| provider(service)).flatten();
    // the spans exported do not depend on how much is logged
    let traces = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("barber"))
            .with_filter(EnvFilter::new("info,sqlx=warn,async_nats=warn"))
    });
    let result = tracing_subscriber::registry()
        .with(logs)
        .with(traces)
        .try_init();
    // a second init (tests start several apps in one process) keeps the first subscriber
    let _ = result;
    Telemetry { provider }
}

/// Whether the environment names a collector.
fn exporting() -> bool {
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var(name).is_ok_and(|v| !v.trim().is_empty()))
}

/// A batching exporter to the collector the `OTEL_EXPORTER_OTLP_*` variables name; `None`
/// (said on stderr) when they are unusable, so a bad setting never stops the service.
fn provider(service: &str) -> Option<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(exporter::Client::new())
        .build();
    let exporter = match exporter {
        Ok(exporter) => exporter,
        Err(err) => {
            eprintln!("barber: traces are not exported: {err}");
            return None;
        }
    };
    let mut resource = opentelemetry_sdk::Resource::builder();
    if std::env::var("OTEL_SERVICE_NAME").is_err() {
        resource = resource.with_service_name(service.to_owned());
    }
    Some(
        SdkTracerProvider::builder()
            .with_resource(resource.build())
            .with_batch_exporter(exporter)
            .build(),
    )
}

/// The W3C `traceparent` of `span`; `None` when spans are not exported.
pub fn trace_parent(span: &Span) -> Option<String> {
    let context = span.context();
    if !context.span().span_context().is_valid() {
        return None;
    }
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove(TRACE_PARENT)
}

/// Makes `span` a child of the span `trace_parent` names (from another process, or from the
/// metadata of the event being handled). A malformed value is ignored.
pub fn follow(span: &Span, trace_parent: &str) {
    let carrier = HashMap::from([(TRACE_PARENT.to_owned(), trace_parent.to_owned())]);
    let parent = TraceContextPropagator::new().extract(&carrier);
    if parent.span().span_context().is_valid() {
        let _ = span.set_parent(parent);
    }
}

/// The exporter's HTTP client: our own reqwest, blocking, since the batch exporter sends from a
/// thread of its own (outside any async runtime).
mod exporter {
    use std::sync::OnceLock;
    use std::time::Duration;

    use bytes::Bytes;
    use opentelemetry_http::{HttpClient, HttpError, Request, Response};

    /// Made on first use, on the exporter's thread: a blocking client may not be made or
    /// dropped inside the async runtime.
    #[derive(Debug, Default)]
    pub struct Client(OnceLock<reqwest::blocking::Client>);

    impl Client {
        pub fn new() -> Self {
            Self::default()
        }

        fn get(&self) -> &reqwest::blocking::Client {
            self.0.get_or_init(|| {
                reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap_or_default()
            })
        }
    }

    #[async_trait::async_trait]
    impl HttpClient for Client {
        async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
            let (parts, body) = request.into_parts();
            let answer = self
                .get()
                .request(parts.method, parts.uri.to_string())
                .headers(parts.headers)
                .body(body.to_vec())
                .send()?;
            let mut response = Response::builder().status(answer.status());
            for (name, value) in answer.headers() {
                response = response.header(name, value);
            }
            Ok(response.body(answer.bytes()?)?)
        }
    }
}

/// A span for each of `messages` that carries a trace (the relay's `traceparent` header),
/// continuing it and named by `name` (`project customers`, `webhooks fan-out`), which is made
/// only when a message is traced. Each ends when dropped: hold them until the messages' work is
/// committed. Empty when nothing is traced.
pub fn consuming(
    name: impl FnOnce() -> String,
    messages: &[async_nats::jetstream::Message],
) -> Vec<Span> {
    let parent_of = |message: &async_nats::jetstream::Message| {
        message
            .headers
            .as_ref()
            .and_then(|h| h.get(TRACE_PARENT))
            .map(|v| v.as_str().to_owned())
    };
    let parents: Vec<String> = messages.iter().filter_map(parent_of).collect();
    if parents.is_empty() {
        return Vec::new();
    }
    let name = name();
    parents
        .iter()
        .map(|parent| {
            let span = tracing::info_span!("consume", otel.name = name.as_str());
            follow(&span, parent);
            span
        })
        .collect()
}

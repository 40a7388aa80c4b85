//! The hub's HTTP server: it assembles the transports (TAXII 2.1 from
//! `kyoyu-taxii`, REST from `kyoyu-rest`) with the operations endpoints,
//! applies the request limits and the metrics middleware, and serves until
//! shutdown, then waits for the audit queue.
//!
//! Operations endpoints: `/healthz` and `/readyz` answer without a token
//! (load balancers); `/metrics` needs a hub-admin token, because its
//! figures (request counts, stored versions) describe the whole hub.

mod listen;
mod metrics;

pub use listen::Limits;
pub use metrics::Metrics;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kyoyu_core::{Backend, ErrorKind, Hub};
use kyoyu_http::{Answer, Auth, Failure};
use kyoyu_trust::policy::may_see_metrics;
use std::sync::Arc;
use std::time::Instant;

/// The operations endpoints: method, path, summary (the router is built
/// from this table, and the OpenAPI document lists it).
pub const OPERATIONS: &[(&str, &str, &str)] = &[
    (
        "get",
        "/healthz",
        "Liveness: the process answers (no token)",
    ),
    ("get", "/readyz", "Readiness: the store answers (no token)"),
    (
        "get",
        "/metrics",
        "Prometheus metrics (hub-admin tokens only)",
    ),
];

/// The routes served outside the REST table, for the OpenAPI document:
/// TAXII and operations.
const DOCUMENTED: &[&[(&str, &str, &str)]] = &[kyoyu_taxii::ROUTES, OPERATIONS];

/// The handler of one row of [`OPERATIONS`].
fn operation<S: Backend>(
    method: &str,
    path: &str,
) -> Option<axum::routing::MethodRouter<Arc<Hub<S>>>> {
    Some(match (method, path) {
        ("get", "/healthz") => get(|| async { "ok" }),
        ("get", "/readyz") => get(ready::<S>),
        ("get", "/metrics") => get(metrics_text::<S>),
        _ => return None,
    })
}

/// The whole hub as one router: TAXII, REST and operations.
pub fn app<S: Backend>(hub: Arc<Hub<S>>, limits: &Limits) -> Router {
    let limit = hub.config().max_content_length;
    let metrics = Arc::new(Metrics::default());
    let bodies = Bodies {
        turns: (hub.config().bodies_in_flight > 0)
            .then(|| Arc::new(tokio::sync::Semaphore::new(hub.config().bodies_in_flight))),
        max: limit,
        timeout: limits.body_timeout,
    };
    let mut router = Router::new()
        .merge(kyoyu_taxii::routes::<S>())
        .merge(kyoyu_rest::routes::<S>(DOCUMENTED))
        .merge(kyoyu_console_http::routes::<S>());
    for (method, path, _) in OPERATIONS {
        if let Some(h) = operation::<S>(method, path) {
            router = router.route(path, h);
        }
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(hub.clone())
        .layer(axum::extract::DefaultBodyLimit::max(
            limit.saturating_add(1),
        ))
        .layer(middleware::from_fn_with_state(
            (bodies, hub.clone()),
            read_bodies::<S>,
        ))
        .layer(middleware::from_fn(refuse_control_characters))
        .layer(middleware::from_fn_with_state(metrics.clone(), observe))
        .layer(axum::Extension(metrics))
}

/// Serves `hub` on `listener` until `shutdown` completes, under `limits`;
/// requests already being handled finish first, then queued audit entries
/// are written.
pub async fn serve<S: Backend>(
    listener: tokio::net::TcpListener,
    hub: Arc<Hub<S>>,
    limits: &Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = app(hub.clone(), limits);
    // Clients behind a trusted proxy share its address: the per-address
    // cap would lock them all out together.
    let exempt = hub.config().trusted_proxies.clone();
    // The URL is completed before routing (TAXII paths end in `/`).
    let rewrite = kyoyu_taxii::with_trailing_slash;
    listen::serve_router(listener, router, rewrite, limits, exempt, shutdown).await?;
    hub.flush_audit().await;
    Ok(())
}

async fn observe(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    metrics.record_request(status, started.elapsed().as_secs_f64());
    tracing::debug!(%method, %path, status, micros = started.elapsed().as_micros() as u64, "request");
    response
}

/// How request bodies are read.
#[derive(Debug, Clone)]
struct Bodies {
    /// Turns for requests with bodies (`None`: unbounded).
    turns: Option<Arc<tokio::sync::Semaphore>>,
    /// `max_content_length`.
    max: usize,
    /// Time to receive a whole body.
    timeout: std::time::Duration,
}

/// Requests with a body wait for a turn before it is read: at most
/// `bodies_in_flight` bodies are buffered and handled at once, whatever
/// the number of connections; the others stay unread in their sockets.
/// The body is then read here, once, for every endpoint: over
/// `max_content_length` is a 413 and slower than `body_timeout` a 408,
/// both with a JSON error body, so a client that stalls gives its turn back.
async fn read_bodies<S: Backend>(
    State((b, hub)): State<(Bodies, Arc<Hub<S>>)>,
    req: Request,
    next: Next,
) -> Response {
    use axum::extract::FromRequestParts;
    use http_body_util::BodyExt;
    let has_body = matches!(req.method().as_str(), "POST" | "PUT" | "PATCH");
    if !has_body {
        return next.run(req).await;
    }
    // Every API endpoint that takes a body needs a token: check it before
    // the body takes a turn, so clients without one cannot hold the turns
    // by sending slowly. Handlers reuse the result. The console's forms
    // carry a session cookie (or are the sign-in form) and are checked by
    // its handlers; their bodies are bounded like any other.
    let (mut parts, body) = req.into_parts();
    if !kyoyu_console_http::is_console_path(parts.uri.path()) {
        match Auth::from_request_parts(&mut parts, &hub).await {
            Ok(who) => {
                parts.extensions.insert(who);
            }
            Err(failure) => return failure.into_response(),
        }
    }
    let req = Request::from_parts(parts, body);
    let _turn = match &b.turns {
        None => None,
        Some(sem) => match sem.clone().acquire_owned().await {
            Ok(t) => Some(t),
            Err(_) => {
                return Failure::new(
                    ErrorKind::Unavailable,
                    "the hub is shutting down; retry shortly",
                )
                .into_response();
            }
        },
    };
    let too_large = || {
        Failure::new(
            ErrorKind::TooLarge,
            format!(
                "the body is larger than this hub's max_content_length of {} bytes: split it into smaller requests",
                b.max
            ),
        )
        .into_response()
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > b.max as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    let limited = http_body_util::Limited::new(body, b.max);
    let bytes = match tokio::time::timeout(b.timeout, limited.collect()).await {
        Err(_) => {
            return Failure::new(
                ErrorKind::RequestTimeout,
                format!(
                    "the body did not arrive within {} s; send it at once, or in smaller requests",
                    b.timeout.as_secs()
                ),
            )
            .into_response();
        }
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => return too_large(),
        Ok(Err(e)) => {
            return Failure::new(
                ErrorKind::BadRequest,
                format!("the body could not be read: {e}"),
            )
            .into_response();
        }
        Ok(Ok(collected)) => collected.to_bytes(),
    };
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// 400 for control characters (a NUL, say) in the path or query: no id,
/// filter or name has them, and some databases refuse them outright.
async fn refuse_control_characters(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let raw = format!("{}?{}", uri.path(), uri.query().unwrap_or_default());
    let decoded = percent_encoding::percent_decode_str(&raw).decode_utf8_lossy();
    if decoded.chars().any(char::is_control) {
        return Failure::new(
            ErrorKind::BadRequest,
            "the URL holds control characters; ids, filters and names never do",
        )
        .into_response();
    }
    next.run(req).await
}

async fn not_found() -> Response {
    Failure::new(
        ErrorKind::NotFound,
        "no such endpoint: TAXII URLs start at /taxii2/, the REST API at /api/ (see /api/openapi.json), the web console at /console",
    )
    .into_response()
}

async fn method_not_allowed() -> Response {
    Failure::new(
        ErrorKind::MethodNotAllowed,
        "this endpoint does not support that HTTP method (see TAXII 2.1 section 5, or /api/openapi.json)",
    )
    .into_response()
}

async fn ready<S: Backend>(State(hub): State<Arc<Hub<S>>>) -> Response {
    if hub.ready().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").into_response()
    }
}

/// Prometheus figures, for hub admins' tokens only.
async fn metrics_text<S: Backend>(
    Auth(who): Auth,
    State(hub): State<Arc<Hub<S>>>,
    axum::Extension(metrics): axum::Extension<Arc<Metrics>>,
) -> Answer {
    if !may_see_metrics(&who.principal) {
        return Err(Failure::new(
            ErrorKind::Forbidden,
            "the hub's metrics are for hub-admin tokens (use a read-only one for the scraper)",
        ));
    }
    let stored = hub.stored_versions(&who).await?.unwrap_or(0);
    let mut r = metrics
        .render(hub.ingest_counts().get(), stored)
        .into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    Ok(r)
}

//! Request metrics for Prometheus, by route pattern (never by URL, which could hold ids).

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;
use tracing::instrument::WithSubscriber;

/// The process-wide recorder. Tests build many apps in one process; they share it.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets(&[
                    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ])
                .map(PrometheusBuilder::build_recorder)
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
            let handle = recorder.handle();
            // Fails only if another recorder was installed first; then metrics go there.
            let _ = metrics::set_global_recorder(recorder);
            // Histogram samples wait in the recorder until upkeep folds them into buckets.
            // Without it they pile up between scrapes, or for ever if no one scrapes: the
            // assurance load check saw memory grow by about 17 bytes a request.
            let upkeep = handle.clone();
            let _ = std::thread::Builder::new()
                .name("metrics-upkeep".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(std::time::Duration::from_secs(5));
                        upkeep.run_upkeep();
                    }
                });
            handle
        })
        .clone()
}

/// Route patterns that must leave no trace: the anonymous Speak Up pages. Even a count per
/// route, scraped every few seconds, would date a submission to within seconds. Their
/// failures are only counted, and the count is logged once an hour
/// ([`crate::AppState::take_anonymous_failures`]).
#[derive(Clone, Default)]
pub struct Untraced {
    pub routes: Arc<HashSet<&'static str>>,
    pub failures: Arc<AtomicU64>,
}

/// Logs and counts each request by route pattern, method, status and duration. Never the
/// full URL, the client's address or its browser; nothing at all for untraced routes or
/// for static files (which anonymous pages load, so their times would date a visit).
pub async fn observe(State(untraced): State<Untraced>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/assets/") {
        return next.run(request).await;
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    // A path that matches no route could be a reporter's mistyped address (a trailing
    // slash, say): its time alone would date their visit, and the path is never logged
    // anyway, so it is treated like the anonymous pages.
    if route == "unmatched" || untraced.routes.contains(route.as_str()) {
        // Nothing the handler (or the database driver under it) would log gets out: an
        // error line carries a precise time and often the cause's detail.
        let response = next
            .run(request)
            .with_subscriber(tracing::subscriber::NoSubscriber::default())
            .await;
        if response.status().is_server_error() {
            untraced.failures.fetch_add(1, Ordering::Relaxed);
        }
        return response;
    }
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed();
    tracing::info!(%method, %route, status = response.status().as_u16(), ms = elapsed.as_millis() as u64, "served");
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("dignity_http_requests_total", &labels).increment(1);
    metrics::histogram!("dignity_http_request_duration_seconds", &labels[..2])
        .record(elapsed.as_secs_f64());
    response
}

//! Endpoints for the people and machines that run Dignity.

use crate::access::Access;
use crate::routes::Routes;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/healthz", Access::Public, liveness)
        .get("/readyz", Access::Public, readiness)
        .get("/metrics", Access::Public, metrics)
}

/// The process is up and answering.
async fn liveness() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

/// The process can do useful work: the database answers.
async fn readiness(State(state): State<AppState>) -> Response {
    match state.app.database_answers().await {
        Ok(()) => Json(json!({"status": "ready"})).into_response(),
        Err(e) => {
            tracing::warn!(cause = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "database unavailable"})),
            )
                .into_response()
        }
    }
}

/// Prometheus text format. Counts and timings by route pattern only.
async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    )
        .into_response()
}

//! Static files: the NHS design system from npm, and our own small script and styles,
//! which are compiled into the binary so they can never be missing.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use std::path::{Path, PathBuf};
use tower_http::services::ServeDir;

pub fn nhsuk_dir(web_dir: &Path) -> PathBuf {
    web_dir.join("node_modules/nhsuk-frontend/dist/nhsuk")
}

const INIT_JS: &str = include_str!("../static/init.js");
const APP_CSS: &str = include_str!("../static/app.css");

pub fn router<S: Clone + Send + Sync + 'static>(web_dir: &Path) -> Router<S> {
    Router::new()
        .nest_service("/assets/nhsuk", ServeDir::new(nhsuk_dir(web_dir)))
        .route(
            "/assets/app/init.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    INIT_JS,
                )
                    .into_response()
            }),
        )
        .route(
            "/assets/app/app.css",
            get(|| async {
                ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], APP_CSS).into_response()
            }),
        )
}

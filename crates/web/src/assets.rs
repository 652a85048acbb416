//! Static files: the NHS design system from npm, and our own small script and styles,
//! which are compiled into the binary so they can never be missing.

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use std::path::Path;
use tower_http::services::ServeDir;

const INIT_JS: &str = include_str!("../static/init.js");
const APP_CSS: &str = include_str!("../static/app.css");
const NHSUK_CSS: &str = "nhsuk-frontend.min.css";

pub fn router<S: Clone + Send + Sync + 'static>(web_dir: &Path) -> Router<S> {
    let nhsuk_dir = web_dir.join("node_modules/nhsuk-frontend/dist/nhsuk");
    let mut router = Router::new()
        .nest_service("/assets/nhsuk", ServeDir::new(&nhsuk_dir))
        .route(
            "/assets/app/init.js",
            get(|| async { text("text/javascript", INIT_JS) }),
        )
        .route(
            "/assets/app/app.css",
            get(|| async { text("text/css", APP_CSS) }),
        );
    if let Ok(css) = std::fs::read_to_string(nhsuk_dir.join(NHSUK_CSS)) {
        let css: &'static str = Box::leak(without_remote_fonts(&css).into_boxed_str());
        router = router.route(
            "/assets/nhsuk/nhsuk-frontend.min.css",
            get(move || async move { text("text/css", css) }),
        );
    }
    router
}

fn text(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            format!("{content_type}; charset=utf-8"),
        )],
        body,
    )
}

/// The design system loads the Frutiger font from assets.nhs.uk. Fetching it would tell a
/// third party who opened a page, including the anonymous Speak Up pages, so we drop those
/// `@font-face` rules and the design system's own fallback (Arial) is used instead.
fn without_remote_fonts(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("@font-face{") {
        out.push_str(&rest[..start]);
        let block = &rest[start..];
        let end = block.find('}').map_or(block.len(), |i| i + 1);
        if !block[..end].contains("url(http") {
            out.push_str(&block[..end]);
        }
        rest = &block[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn remote_fonts_are_dropped_and_the_rest_kept() {
        let css = "a{b:c}@font-face{font-family:F;src:url(https://assets.nhs.uk/f.woff2)}\
                   @font-face{font-family:L;src:url(/local.woff2)}d{e:f}";
        assert_eq!(
            super::without_remote_fonts(css),
            "a{b:c}@font-face{font-family:L;src:url(/local.woff2)}d{e:f}"
        );
    }
}

//! Security headers on every response.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// No inline script or style anywhere, so the policy can forbid them: an injected
/// `<script>` does nothing. Images may be data: URLs for the second-step QR code.
const CSP_START: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; form-action 'self'";
const CSP_END: &str = "; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

/// The policy, with each identity provider's origin allowed as a place forms lead: the
/// sign-in and sign-out buttons are forms whose answer is a redirect to the provider,
/// and browsers hold a redirect after a form to `form-action` too.
pub fn content_security_policy(
    single_sign_on: &dignity_app::identity::provider::SingleSignOn,
) -> HeaderValue {
    let mut policy = CSP_START.to_owned();
    let mut origins: Vec<String> = single_sign_on
        .providers
        .iter()
        .filter_map(|p| url::Url::parse(&p.issuer).ok())
        .map(|issuer| issuer.origin().ascii_serialization())
        .filter(|origin| origin != "null")
        .collect();
    origins.sort();
    origins.dedup();
    for origin in origins {
        policy.push(' ');
        policy.push_str(&origin);
    }
    policy.push_str(CSP_END);
    HeaderValue::from_str(&policy)
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let is_asset = request.uri().path().starts_with("/assets/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, state.csp.clone());
    let mut set = |name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(header::REFERRER_POLICY, "no-referrer");
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    set(
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    set(
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    );
    if state.settings.uses_https() {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    if is_asset {
        set(header::CACHE_CONTROL, "public, max-age=3600");
    } else {
        // Pages can hold personal or case information: never keep them in a shared cache
        // or the browser's back-forward history on a shared computer.
        set(header::CACHE_CONTROL, "no-store");
    }
    response
}

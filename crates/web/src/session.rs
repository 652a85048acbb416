//! Session and client identification: the cookie that carries a session token, and the
//! address a sign-in attempt came from.

use crate::state::Settings;
use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use std::net::SocketAddr;

/// Secure cookies get the `__Host-` prefix, which stops a sibling site setting them.
pub fn session_cookie_name(settings: &Settings) -> &'static str {
    if settings.uses_https() {
        "__Host-dignity_session"
    } else {
        "dignity_session"
    }
}

pub fn session_token(headers: &HeaderMap, settings: &Settings) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(session_cookie_name(settings))
        .map(|c| c.value().to_owned())
}

/// The session cookie: not readable by scripts, sent only to us, only over HTTPS when the
/// service is on HTTPS. It has no expiry of its own: the server decides when a session ends.
pub fn session_cookie(settings: &Settings, token: String) -> Cookie<'static> {
    Cookie::build((session_cookie_name(settings), token))
        .path("/")
        .http_only(true)
        .secure(settings.uses_https())
        .same_site(SameSite::Lax)
        .build()
}

pub fn clear_session_cookie(settings: &Settings) -> Cookie<'static> {
    let mut cookie = session_cookie(settings, String::new());
    cookie.make_removal();
    cookie
}

/// The address a request came from, for throttling sign-ins (`dignity_app::identity`
/// keeps it only as a keyed digest). Behind a trusted proxy the last `X-Forwarded-For`
/// entry is used: it is the one our proxy added, while earlier entries can be typed by
/// anyone.
pub fn client_address(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    settings: &Settings,
) -> String {
    let forwarded = settings
        .trust_forwarded_for
        .then(|| headers.get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .map(|v| v.trim().to_owned());
    forwarded
        .or_else(|| peer.map(|p| p.ip().to_string()))
        .unwrap_or_else(|| "unknown".into())
}

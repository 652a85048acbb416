//! Protection against cross-site request forgery for every form.
//!
//! A random token lives in a cookie and is repeated in each form (or, for scripts, in an
//! `x-csrf-token` header). A request that changes anything must carry both, and they must
//! match: another site can make a browser send our cookie, but cannot read it to copy it
//! into a form. The cookie is SameSite=Lax and, on HTTPS, `__Host-` prefixed, so it
//! cannot be planted by a sibling site. It holds nothing about the person.

use crate::error::AppError;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// The token for the current request, for forms to include.
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

pub const FIELD: &str = "csrf_token";
const HEADER: &str = "x-csrf-token";

pub(crate) fn cookie_name(state: &AppState) -> &'static str {
    if state.settings.uses_https() {
        "__Host-dignity_csrf"
    } else {
        "dignity_csrf"
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub async fn protect(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let existing = cookie_token(&state, request.headers());
    let is_api = request.uri().path().starts_with("/api/");
    let mut request = request;

    if !is_safe(request.method()) {
        let Some(expected) = existing.as_deref() else {
            return refuse(is_api);
        };
        let (parts, body) = request.into_parts();
        let sent_in_header = parts
            .headers
            .get(HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // A form that uploads files cannot carry the token in its body where this layer
        // can read it cheaply, so such forms put it in the address instead.
        let is_multipart = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let sent_in_query = is_multipart
            .then(|| parts.uri.query())
            .flatten()
            .and_then(|q| {
                form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == FIELD)
                    .map(|(_, v)| v.into_owned())
            });
        let sent_in_header = sent_in_header.or(sent_in_query);
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let (sent, body) = if is_form {
            // The body has already been capped by the body-size limit layer.
            let limit = if parts.uri.path().starts_with("/speak-up/") {
                state.settings.max_upload_bytes
            } else {
                state.settings.max_body_bytes
            };
            let bytes = match to_bytes(body, limit).await {
                Ok(bytes) => bytes,
                Err(_) => return too_large(is_api),
            };
            let sent = form_urlencoded::parse(&bytes)
                .find(|(k, _)| k == FIELD)
                .map(|(_, v)| v.into_owned())
                .or(sent_in_header);
            (sent, Body::from(bytes))
        } else {
            (sent_in_header, body)
        };
        if !sent.is_some_and(|s| dignity_crypto::token::same_secret(&s, expected)) {
            return refuse(is_api);
        }
        request = Request::from_parts(parts, body);
    }

    let (token, fresh) = match existing {
        Some(token) => (token, false),
        None => (dignity_crypto::token::random_token(), true),
    };
    request.extensions_mut().insert(CsrfToken(token.clone()));
    let mut response = next.run(request).await;
    if fresh {
        set_cookie(&state, &mut response, &token);
    }
    // For an error page drawn again outside this layer, with the sign-out form.
    response.extensions_mut().insert(CsrfToken(token));
    response
}

/// The token in the request's cookie, if it has a well-formed one.
pub(crate) fn cookie_token(state: &AppState, headers: &header::HeaderMap) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(cookie_name(state))
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 43)
}

/// Gives the browser a token cookie.
pub(crate) fn set_cookie(state: &AppState, response: &mut Response, token: &str) {
    let cookie = Cookie::build((cookie_name(state), token.to_owned()))
        .path("/")
        .http_only(true)
        .secure(state.settings.uses_https())
        .same_site(SameSite::Lax)
        .build();
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn refuse(is_api: bool) -> Response {
    if is_api {
        AppError::FormExpired.into_json()
    } else {
        AppError::FormExpired.into_response()
    }
}

fn too_large(is_api: bool) -> Response {
    if is_api {
        AppError::TooLarge.into_json()
    } else {
        AppError::TooLarge.into_response()
    }
}

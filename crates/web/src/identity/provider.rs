//! Signing in with an organisation's identity provider: the button that sends people
//! there, and the address the provider sends them back to.

use crate::access::{Access, CurrentUser, safe_next};
use crate::error::AppError;
use crate::forms::{FormData, QueryData};
use crate::pages::{Chrome, render};
use crate::routes::Routes;
use crate::session::{client_address, session_cookie, session_token};
use crate::state::{AppState, Settings};
use askama::Template;
use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use dignity_app::identity::provider::{self, Callback, ProviderRefused};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes(routes: Routes) -> Routes {
    routes.post("/sign-in/provider", Access::Public, start).get(
        "/sign-in/callback",
        Access::Public,
        callback,
    )
}

/// The cookie that ties the provider's answer to the browser that asked. `Lax`, as the
/// answer arrives by a link from the provider's site; only sent to the callback.
pub fn request_cookie_name(settings: &Settings) -> &'static str {
    if settings.uses_https() {
        "__Secure-dignity_sign_in"
    } else {
        "dignity_sign_in"
    }
}

fn request_cookie(settings: &Settings, handle: String) -> Cookie<'static> {
    Cookie::build((request_cookie_name(settings), handle))
        .path("/sign-in/callback")
        .http_only(true)
        .secure(settings.uses_https())
        .same_site(SameSite::Lax)
        .build()
}

fn clear_request_cookie(settings: &Settings) -> Cookie<'static> {
    let mut cookie = request_cookie(settings, String::new());
    cookie.make_removal();
    cookie
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StartForm {
    organisation: String,
    next: String,
    /// "yes" from the home page: join the signed-in account to the work account.
    join: String,
}

async fn start(
    State(state): State<AppState>,
    chrome: Chrome,
    jar: CookieJar,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    user: Option<Extension<CurrentUser>>,
    FormData(form): FormData<StartForm>,
) -> Result<Response, AppError> {
    let next = safe_next(Some(&form.next));
    let client = client_address(
        &headers,
        peer.map(|Extension(ConnectInfo(p))| p),
        &state.settings,
    );
    // Joining is for someone fully signed in (their passphrase and any second step).
    let joining = user
        .as_ref()
        .map(|Extension(u)| u)
        .filter(|u| form.join == "yes" && u.fully_signed_in());
    if form.join == "yes" && joining.is_none() {
        return refused_page(chrome, &ProviderRefused::StartAgain);
    }
    let start = provider::Start {
        ods: &form.organisation,
        next: &next,
        client: &client,
        joining,
    };
    match provider::begin(&state.app, &start).await? {
        Ok(begun) => Ok((
            jar.add(request_cookie(&state.settings, begun.handle.to_string())),
            Redirect::to(&begun.url),
        )
            .into_response()),
        Err(refused) => refused_page(chrome, &refused),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    chrome: Chrome,
    jar: CookieJar,
    headers: HeaderMap,
    QueryData(query): QueryData<CallbackQuery>,
) -> Result<Response, AppError> {
    let settings = &state.settings;
    let handle = jar
        .get(request_cookie_name(settings))
        .map(|c| c.value().to_owned());
    let previous_token = session_token(&headers, settings);
    let answer = provider::finish(
        &state.app,
        &Callback {
            handle: handle.as_deref(),
            state: query.state.as_deref(),
            code: query.code.as_deref(),
            error: query.error.as_deref(),
            previous_token: previous_token.as_deref(),
        },
    )
    .await?;
    let jar = jar.add(clear_request_cookie(settings));
    let done = match answer {
        Ok(done) => done,
        Err(refused) => return Ok((jar, refused_page(chrome, &refused)?).into_response()),
    };
    let next = safe_next(Some(&done.next));
    let signed_in = done.signed_in;
    let destination = if signed_in.needs_second_factor() && !signed_in.session.second_factor_done {
        let step = if signed_in.has_second_factor() {
            "/sign-in/two-factor"
        } else {
            "/sign-in/two-factor/set-up"
        };
        format!(
            "{step}?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        )
    } else {
        next
    };
    Ok((
        jar.add(session_cookie(settings, signed_in.token.to_string())),
        Redirect::to(&destination),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "account/provider_refused.html")]
struct RefusedPage {
    chrome: Chrome,
    message: String,
}

fn refused_page(chrome: Chrome, refused: &ProviderRefused) -> Result<Response, AppError> {
    let status = match refused {
        ProviderRefused::NotConfigured => StatusCode::NOT_FOUND,
        ProviderRefused::Unreachable | ProviderRefused::Busy => StatusCode::SERVICE_UNAVAILABLE,
        ProviderRefused::AccountTurnedOff | ProviderRefused::EmailNotAllowed => {
            StatusCode::FORBIDDEN
        }
        ProviderRefused::LinkedElsewhere | ProviderRefused::JoinWhileSignedIn => {
            StatusCode::CONFLICT
        }
        ProviderRefused::TooManyStarts(_) => StatusCode::TOO_MANY_REQUESTS,
        ProviderRefused::StartAgain
        | ProviderRefused::ProviderSaidNo
        | ProviderRefused::TokenRefused(_) => StatusCode::BAD_REQUEST,
    };
    let page = RefusedPage {
        chrome: chrome.titled("You are not signed in"),
        message: refused.to_string(),
    };
    Ok((status, render(&page)?).into_response())
}

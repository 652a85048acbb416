//! Signing in with a passphrase and a second step, and signing out.

use crate::access::{Access, CurrentUser, safe_next};
use crate::error::AppError;
use crate::forms::{FormData, QueryData};
use crate::pages::{Chrome, FieldError, render};
use crate::routes::Routes;
use crate::session::{clear_session_cookie, client_address, session_cookie};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use dignity_app::identity::{self, SignIn, SignInOutcome};
use dignity_domain::identity::{Email, MAX_PASSPHRASE_CHARS};
use serde::Deserialize;
use std::net::SocketAddr;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/sign-in", Access::Public, sign_in_page)
        .post("/sign-in", Access::Public, sign_in)
        .get(
            "/sign-in/two-factor",
            Access::PassphraseChecked,
            second_step_page,
        )
        .post(
            "/sign-in/two-factor",
            Access::PassphraseChecked,
            second_step,
        )
        .get(
            "/sign-in/two-factor/set-up",
            Access::PassphraseChecked,
            set_up_page,
        )
        .post(
            "/sign-in/two-factor/set-up",
            Access::PassphraseChecked,
            set_up,
        )
        .post("/sign-out", Access::PassphraseChecked, sign_out)
}

#[derive(Template)]
#[template(path = "account/sign_in.html")]
pub(super) struct SignInPage {
    pub(super) chrome: Chrome,
    pub(super) email: String,
    pub(super) next: String,
    /// Organisations' own sign-in services: ODS code and what to call it.
    pub(super) providers: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

async fn sign_in_page(
    State(state): State<AppState>,
    chrome: Chrome,
    QueryData(query): QueryData<NextQuery>,
) -> Result<Response, AppError> {
    if chrome.user_name.is_some() {
        return Ok(Redirect::to(&safe_next(query.next.as_deref())).into_response());
    }
    let next = safe_next(query.next.as_deref());
    Ok(render(&SignInPage {
        chrome: chrome.titled("Sign in"),
        email: String::new(),
        next,
        providers: identity::provider::choices(&state.app),
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignInForm {
    email: String,
    passphrase: String,
    next: String,
}

/// Said for every failed sign-in, so that it does not reveal whether an account exists.
const WRONG_DETAILS: &str =
    "The email address or passphrase is not right. Check them and try again";

fn too_many_attempts(minutes: i64) -> String {
    format!("You have tried to sign in too many times. Wait {minutes} minutes, then try again")
}

async fn sign_in(
    State(state): State<AppState>,
    chrome: Chrome,
    jar: CookieJar,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    FormData(form): FormData<SignInForm>,
) -> Result<Response, AppError> {
    let next = safe_next(Some(&form.next));
    let again = |chrome: Chrome,
                 status: StatusCode,
                 errors: Vec<FieldError>,
                 email: &str|
     -> Result<Response, AppError> {
        let page = SignInPage {
            chrome: chrome.titled("Sign in").with_errors(errors),
            email: email.to_owned(),
            next: next.clone(),
            providers: identity::provider::choices(&state.app),
        };
        Ok((status, render(&page)?).into_response())
    };

    let mut errors = Vec::new();
    let email = match Email::parse(&form.email) {
        Ok(email) => Some(email),
        Err(e) => {
            errors.push(FieldError {
                field: "email".into(),
                message: e.to_string(),
            });
            None
        }
    };
    if form.passphrase.is_empty() {
        errors.push(FieldError {
            field: "passphrase".into(),
            message: "Enter your passphrase".into(),
        });
    } else if form.passphrase.chars().count() > MAX_PASSPHRASE_CHARS {
        errors.push(FieldError {
            field: "passphrase".into(),
            message: WRONG_DETAILS.into(),
        });
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return again(
            chrome,
            StatusCode::UNPROCESSABLE_ENTITY,
            errors,
            &form.email,
        );
    };

    let settings = &state.settings;
    let client = client_address(&headers, peer.map(|Extension(ConnectInfo(p))| p), settings);
    let previous_token = crate::session::session_token(&headers, settings);
    let attempt = SignIn {
        email: &email,
        passphrase: &form.passphrase,
        client: &client,
        previous_token: previous_token.as_deref(),
    };
    let signed_in = match identity::sign_in(&state.app, &attempt).await? {
        SignInOutcome::SignedIn(signed_in) => signed_in,
        SignInOutcome::Throttled { minutes } => {
            let error = FieldError {
                field: "email".into(),
                message: too_many_attempts(minutes),
            };
            return again(
                chrome,
                StatusCode::TOO_MANY_REQUESTS,
                vec![error],
                email.as_str(),
            );
        }
        SignInOutcome::UseProvider => {
            let error = FieldError {
                field: "email".into(),
                message: "Sign in with your organisation's service instead: use the button at the top of this page. Your passphrase only opens cases".into(),
            };
            return again(
                chrome,
                StatusCode::UNAUTHORIZED,
                vec![error],
                email.as_str(),
            );
        }
        SignInOutcome::WrongDetails => {
            let error = FieldError {
                field: "email".into(),
                message: WRONG_DETAILS.into(),
            };
            return again(
                chrome,
                StatusCode::UNAUTHORIZED,
                vec![error],
                email.as_str(),
            );
        }
    };
    let destination = if signed_in.needs_second_factor() {
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
        next.clone()
    };
    let token = signed_in.token.to_string();
    Ok((
        jar.add(session_cookie(settings, token)),
        Redirect::to(&destination),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "account/two_factor.html")]
struct SecondStepPage {
    chrome: Chrome,
    next: String,
}

fn already_done(user: &CurrentUser) -> bool {
    user.second_factor_done || !user.needs_second_factor()
}

async fn second_step_page(
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<NextQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(query.next.as_deref());
    if already_done(&user) {
        return Ok(Redirect::to(&next).into_response());
    }
    if user.person.totp_secret.is_none() {
        return Ok(Redirect::to("/sign-in/two-factor/set-up").into_response());
    }
    Ok(render(&SecondStepPage {
        chrome: chrome.titled("Enter your security code"),
        next,
    })?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CodeForm {
    code: String,
    next: String,
    secret: String,
}

async fn second_step(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(form): FormData<CodeForm>,
) -> Result<Response, AppError> {
    let next = safe_next(Some(&form.next));
    if already_done(&user) {
        return Ok(Redirect::to(&next).into_response());
    }
    let Some(secret) = user.person.totp_secret.clone() else {
        return Ok(Redirect::to("/sign-in/two-factor/set-up").into_response());
    };
    match identity::pass_second_step(&state.app, &user, &secret, &form.code).await? {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(refused) => {
            let page = SecondStepPage {
                chrome: chrome
                    .titled("Enter your security code")
                    .with_errors(vec![FieldError {
                        field: "code".into(),
                        message: refused.to_string(),
                    }]),
                next,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "account/set_up.html")]
struct SetUpPage {
    chrome: Chrome,
    secret: String,
    qr_svg: String,
    next: String,
}

fn set_up_page_for(
    chrome: Chrome,
    user: &CurrentUser,
    secret: String,
    next: String,
) -> Result<SetUpPage, AppError> {
    let uri = dignity_crypto::totp::provisioning_uri(&secret, "Dignity", &user.person.email);
    let qr_svg = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| AppError::Internal(e.to_string()))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    Ok(SetUpPage {
        chrome: chrome.titled("Set up your security code"),
        secret,
        qr_svg,
        next,
    })
}

async fn set_up_page(
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    QueryData(query): QueryData<NextQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(query.next.as_deref());
    if already_done(&user) {
        return Ok(Redirect::to(&next).into_response());
    }
    if user.person.totp_secret.is_some() {
        return Ok(Redirect::to("/sign-in/two-factor").into_response());
    }
    let secret = identity::new_second_step_secret();
    Ok(render(&set_up_page_for(chrome, &user, secret, next)?)?.into_response())
}

async fn set_up(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    FormData(form): FormData<CodeForm>,
) -> Result<Response, AppError> {
    let next = safe_next(Some(&form.next));
    if already_done(&user) {
        return Ok(Redirect::to(&next).into_response());
    }
    if user.person.totp_secret.is_some() {
        return Ok(Redirect::to("/sign-in/two-factor").into_response());
    }
    // The secret comes back from the page it was shown on; the app refuses one it could
    // not have made.
    let secret = form.secret.trim().to_owned();
    match identity::set_up_second_step(&state.app, &user, &secret, &form.code).await? {
        Ok(()) => Ok(Redirect::to(&next).into_response()),
        Err(refused) => {
            let page = set_up_page_for(chrome, &user, secret, next)?;
            let page = SetUpPage {
                chrome: page.chrome.with_errors(vec![FieldError {
                    field: "code".into(),
                    message: refused.to_string(),
                }]),
                ..page
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
    }
}

async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    Extension(user): Extension<CurrentUser>,
) -> Result<Response, AppError> {
    // Asked before the session ends: the session says which provider it came through.
    let provider_end =
        identity::provider::end_session_url(&state.app, &user.session_digest).await?;
    identity::sign_out(&state.app, &user).await?;
    Ok((
        jar.add(clear_session_cookie(&state.settings)),
        Redirect::to(provider_end.as_deref().unwrap_or("/signed-out")),
    )
        .into_response())
}

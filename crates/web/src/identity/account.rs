//! Signing in with a passphrase and a second step, and signing out.

use crate::access::{Access, CurrentUser, safe_next};
use crate::error::AppError;
use crate::forms::FormData;
use crate::pages::{Chrome, FieldError, render};
use crate::routes::Routes;
use crate::session::{
    account_throttle_key, clear_session_cookie, client_throttle_key, session_cookie,
};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use dignity_domain::identity::{Email, MAX_PASSPHRASE_CHARS};
use dignity_store::audit::{self, NewEntry};
use dignity_store::identity::{self, Person};
use dignity_store::{sessions, throttle};
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
struct SignInPage {
    chrome: Chrome,
    email: String,
    next: String,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

async fn sign_in_page(
    chrome: Chrome,
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    if chrome.user_name.is_some() {
        return Ok(Redirect::to(&safe_next(query.next.as_deref())).into_response());
    }
    let next = safe_next(query.next.as_deref());
    Ok(render(&SignInPage {
        chrome: chrome.titled("Sign in"),
        email: String::new(),
        next,
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
    let now = state.app.clock.now();
    let window = settings.throttle_window_seconds;
    let account_key = account_throttle_key(email.as_str(), settings);
    let client_key =
        client_throttle_key(&headers, peer.map(|Extension(ConnectInfo(p))| p), settings);
    if throttle::recent_failures(&state.db, &account_key, now, window).await?
        >= settings.max_failures_per_account
        || throttle::recent_failures(&state.db, &client_key, now, window).await?
            >= settings.max_failures_per_client
    {
        let message = too_many_attempts(settings.throttle_window_seconds / 60);
        return again(
            chrome,
            StatusCode::TOO_MANY_REQUESTS,
            vec![FieldError {
                field: "email".into(),
                message,
            }],
            email.as_str(),
        );
    }

    let person = identity::find_person_by_email(&state.db, &email).await?;
    let stored = person
        .as_ref()
        .map(|p| p.passphrase_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.clone());
    let matches = state
        .passphrase_matches(form.passphrase.clone(), stored)
        .await?;
    let person = match person {
        Some(person) if matches && !person.disabled => person,
        _ => {
            throttle::record_failure(&state.db, &[&account_key, &client_key], now, window).await?;
            if throttle::recent_failures(&state.db, &account_key, now, window).await?
                == settings.max_failures_per_account
            {
                let detail = format!(
                    "Sign-in paused for {email} after {} wrong passphrases",
                    settings.max_failures_per_account
                );
                let entry = NewEntry {
                    actor: email.as_str(),
                    organisation: None,
                    action: "session.locked_out",
                    detail: &detail,
                };
                audit::record(&state.db, now, &entry).await?;
            }
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
    throttle::clear(&state.db, &account_key).await?;

    // A new token at every sign-in, so a token planted before sign-in is worthless.
    if let Some(old) = crate::session::session_token(&headers, settings) {
        sessions::delete(&state.db, &dignity_crypto::token::token_digest(&old)).await?;
    }
    let token = dignity_crypto::token::random_token();
    let digest = dignity_crypto::token::token_digest(&token);
    sessions::create(
        &state.db,
        &digest,
        person.id,
        now,
        now + settings.session_max_seconds,
    )
    .await?;
    audit::record(
        &state.db,
        now,
        &NewEntry {
            actor: &person.email,
            organisation: None,
            action: "session.sign_in",
            detail: "Signed in with a passphrase",
        },
    )
    .await?;

    let memberships = identity::memberships(&state.db, person.id).await?;
    crate::speakup::keys::unlock_for_session(
        &state,
        &person,
        &memberships,
        &form.passphrase,
        &digest,
        now + settings.session_max_seconds,
    )
    .await?;
    let destination = if memberships.iter().any(|m| m.role.needs_second_factor()) {
        let step = if person.totp_secret.is_some() {
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
    Query(query): Query<NextQuery>,
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

/// Checks a typed code, counting wrong codes like wrong passphrases so six digits cannot
/// be guessed by trying them all.
async fn check_code(
    state: &AppState,
    person: &Person,
    secret: &str,
    code: &str,
) -> Result<Result<i64, String>, AppError> {
    let now = state.app.clock.now();
    let key = account_throttle_key(&person.email, &state.settings);
    if throttle::recent_failures(&state.db, &key, now, state.settings.throttle_window_seconds)
        .await?
        >= state.settings.max_failures_per_account
    {
        return Ok(Err(too_many_attempts(
            state.settings.throttle_window_seconds / 60,
        )));
    }
    let trimmed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if trimmed.is_empty() {
        return Ok(Err(
            "Enter the 6-digit code from your authenticator app".into()
        ));
    }
    if trimmed.len() != 6 || !trimmed.chars().all(|c| c.is_ascii_digit()) {
        return Ok(Err("The code must be 6 numbers, like 123456".into()));
    }
    let step = dignity_crypto::totp::verify(secret, &trimmed, now as u64, person.totp_last_step)?;
    match step {
        Some(step) => Ok(Ok(step)),
        None => {
            throttle::record_failure(
                &state.db,
                &[&key],
                now,
                state.settings.throttle_window_seconds,
            )
            .await?;
            Ok(Err(
                "That code is not right or has been used. Wait for a new code and try again".into(),
            ))
        }
    }
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
    let outcome = check_code(&state, &user.person, &secret, &form.code).await?;
    let step = match outcome {
        Ok(step) if identity::use_totp_step(&state.db, user.person.id, step).await? => step,
        Ok(_) => {
            return Err(AppError::Conflict(
                "That code has just been used. Wait for a new code and try again".into(),
            ));
        }
        Err(message) => {
            let page = SecondStepPage {
                chrome: chrome
                    .titled("Enter your security code")
                    .with_errors(vec![FieldError {
                        field: "code".into(),
                        message,
                    }]),
                next,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response());
        }
    };
    tracing::debug!(step, "second step passed");
    sessions::mark_second_factor_done(&state.db, &user.session_digest).await?;
    audit::record(
        &state.db,
        state.app.clock.now(),
        &NewEntry {
            actor: &user.person.email,
            organisation: None,
            action: "session.second_factor",
            detail: "Passed the second sign-in step",
        },
    )
    .await?;
    Ok(Redirect::to(&next).into_response())
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
    Query(query): Query<NextQuery>,
) -> Result<Response, AppError> {
    let next = safe_next(query.next.as_deref());
    if already_done(&user) {
        return Ok(Redirect::to(&next).into_response());
    }
    if user.person.totp_secret.is_some() {
        return Ok(Redirect::to("/sign-in/two-factor").into_response());
    }
    let secret = dignity_crypto::totp::new_secret();
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
    // The secret comes back from the page it was shown on. It must look like one we made.
    let secret = form.secret.trim().to_owned();
    if secret.len() != 32
        || !secret
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
    {
        return Err(AppError::BadRequest(
            "The set-up page was changed. Go back and start again.".into(),
        ));
    }
    match check_code(&state, &user.person, &secret, &form.code).await? {
        Ok(step) => {
            identity::set_totp(
                &state.db,
                &user.person.email,
                state.app.clock.now(),
                &user.person,
                Some(&secret),
                Some(step),
            )
            .await?;
            sessions::mark_second_factor_done(&state.db, &user.session_digest).await?;
            Ok(Redirect::to(&next).into_response())
        }
        Err(message) => {
            let page = set_up_page_for(chrome, &user, secret, next)?;
            let page = SetUpPage {
                chrome: page.chrome.with_errors(vec![FieldError {
                    field: "code".into(),
                    message,
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
    sessions::delete(&state.db, &user.session_digest).await?;
    state.keys.remove(&user.session_digest);
    audit::record(
        &state.db,
        state.app.clock.now(),
        &NewEntry {
            actor: &user.person.email,
            organisation: None,
            action: "session.sign_out",
            detail: "Signed out",
        },
    )
    .await?;
    Ok((
        jar.add(clear_session_cookie(&state.settings)),
        Redirect::to("/signed-out"),
    )
        .into_response())
}

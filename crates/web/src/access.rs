//! Authorisation in one place. Every route declares an [`Access`]; the guard below is the
//! only code that decides whether a request may reach a handler.

use crate::error::AppError;
use crate::session::session_token;
use crate::state::AppState;
use axum::RequestExt;
use axum::extract::{RawPathParams, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_domain::identity::Role;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// The pages people use to speak up without an account. Anyone may use them, and they
    /// never look at who is asking: no session is read, nothing is logged or counted.
    Anonymous,
    /// Someone who has given their passphrase but may still owe the second step: only the
    /// second-step pages and signing out.
    PassphraseChecked,
    /// Anyone fully signed in.
    SignedIn,
    /// Someone holding one of these roles in the organisation named by the route's `{ods}`.
    InOrganisation(&'static [Role]),
    /// Someone holding one of these installation-wide roles.
    Platform(&'static [Role]),
    /// Someone holding one of these roles in any organisation or installation-wide (such
    /// as the library's curators: any org admin or platform admin).
    Anywhere(&'static [Role]),
    /// A machine with a bearer token from the settings (an identity provider's
    /// provisioning): the handler checks the token; no session or form token is read.
    Bearer,
}

/// The signed-in person, put into the request by the guard.
pub type CurrentUser = dignity_app::identity::CurrentSession;

/// The person behind a session token, if it is live.
pub(crate) async fn load_user(
    state: &AppState,
    token: Option<String>,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = token else {
        return Ok(None);
    };
    Ok(dignity_app::identity::current_session(&state.app, &token).await?)
}

/// What the guard decided.
enum Decision {
    Allow,
    SignIn,
    SecondStep,
    Refuse,
}

fn decide(access: Access, user: Option<&CurrentUser>, ods: Option<&str>) -> Decision {
    let Some(user) = user else {
        return if matches!(access, Access::Public | Access::Anonymous | Access::Bearer) {
            Decision::Allow
        } else {
            Decision::SignIn
        };
    };
    match access {
        Access::Public | Access::Anonymous | Access::PassphraseChecked | Access::Bearer => {
            return Decision::Allow;
        }
        _ if !user.fully_signed_in() => return Decision::SecondStep,
        _ => {}
    }
    let allowed = match access {
        Access::Public
        | Access::Anonymous
        | Access::PassphraseChecked
        | Access::SignedIn
        | Access::Bearer => true,
        Access::InOrganisation(roles) => ods.is_some_and(|ods| user.has_org_role(ods, roles)),
        Access::Platform(roles) => user.has_platform_role(roles),
        Access::Anywhere(roles) => user.memberships.iter().any(|m| roles.contains(&m.role)),
    };
    if allowed {
        Decision::Allow
    } else {
        Decision::Refuse
    }
}

/// The route layer every route gets, with its declared access.
pub async fn guard(
    State((state, access)): State<(AppState, Access)>,
    mut request: Request,
    next: Next,
) -> Response {
    // The anonymous pages never look at who is asking, not even at a session cookie.
    if matches!(access, Access::Anonymous | Access::Bearer) {
        return next.run(request).await;
    }
    let is_api = request.uri().path().starts_with("/api/");
    let fail = |e: AppError| {
        if is_api {
            e.into_json()
        } else {
            e.into_response()
        }
    };
    let token = session_token(request.headers(), &state.settings);
    let user = match load_user(&state, token).await {
        Ok(user) => user,
        Err(e) => return fail(e),
    };
    let ods = match request.extract_parts::<RawPathParams>().await {
        Ok(params) => params
            .iter()
            .find(|(k, _)| *k == "ods")
            .map(|(_, v)| v.to_owned()),
        Err(_) => None,
    };
    match decide(access, user.as_ref(), ods.as_deref()) {
        Decision::Allow => {
            if let Some(user) = user {
                request.extensions_mut().insert(user);
            }
            next.run(request).await
        }
        Decision::SignIn if is_api => fail(AppError::SignInNeeded),
        Decision::SignIn => {
            let path = request.uri().path();
            if request.method() == axum::http::Method::GET {
                Redirect::to(&format!("/sign-in?next={}", encode_path(path))).into_response()
            } else {
                fail(AppError::SignInNeeded)
            }
        }
        Decision::SecondStep if is_api => fail(AppError::SignInNeeded),
        Decision::SecondStep => Redirect::to("/sign-in/two-factor").into_response(),
        Decision::Refuse => fail(AppError::Forbidden),
    }
}

/// Percent-encodes a path for the `next` parameter.
fn encode_path(path: &str) -> String {
    form_urlencoded::byte_serialize(path.as_bytes()).collect()
}

/// Where to go after signing in: only a local path, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        // Only visible ASCII: anything else could break the Location header it goes into.
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && p.chars().all(|c| c.is_ascii_graphic()) =>
        {
            p.to_owned()
        }
        _ => "/home".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_kept_on_this_site() {
        assert_eq!(safe_next(Some("/orgs/RJ1/audit")), "/orgs/RJ1/audit");
        assert_eq!(safe_next(Some("//evil.example")), "/home");
        assert_eq!(safe_next(Some("https://evil.example")), "/home");
        assert_eq!(safe_next(Some("/\\evil.example")), "/home");
        assert_eq!(safe_next(None), "/home");
    }
}

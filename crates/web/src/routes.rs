//! The whole application: every module's routes, each with its declared access, and the
//! layers every request passes through.

use crate::access::{Access, guard};
use crate::error::AppError;
use crate::state::AppState;
use crate::{
    api, assets, csrf, er_cases, events, headers, identity, justculture, library, news, ops, plans,
    speakup, survey, telemetry, workforce,
};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::handler::Handler;
use axum::http::{Method, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use tower_http::catch_panic::CatchPanicLayer;

/// One route and who may use it. The route x role test walks this list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

/// Collects routes together with their access rule, so a route cannot exist without one.
pub struct Routes {
    state: AppState,
    router: Router<AppState>,
    table: Vec<RouteSpec>,
}

impl Routes {
    fn new(state: AppState) -> Routes {
        Routes {
            state,
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub fn get<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::GET, path, access, get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add(Method::POST, path, access, post(handler))
    }

    /// A route of any method for machines with a bearer token ([`Access::Bearer`]).
    pub fn bearer(
        self,
        method: Method,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Routes {
        self.add(method, path, Access::Bearer, route)
    }

    /// A POST route whose form uploads files: it may send up to `max_upload_bytes`.
    pub fn post_upload<H, T>(self, path: &'static str, access: Access, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let limit = self.state.settings.max_upload_bytes;
        self.add(
            Method::POST,
            path,
            access,
            post(handler).layer(DefaultBodyLimit::max(limit)),
        )
    }

    fn add(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        route: MethodRouter<AppState>,
    ) -> Routes {
        // Both checks run only once a route and method match, so a method no route has
        // gets 405 Method Not Allowed rather than a refusal of its (missing) form token.
        // A bearer token is never sent by a browser on its own, so it needs no form token.
        let guarded = route.route_layer(from_fn_with_state((self.state.clone(), access), guard));
        let guarded = if access == Access::Bearer {
            guarded
        } else {
            guarded.route_layer(from_fn_with_state(self.state.clone(), csrf::protect))
        };
        self.router = self.router.route(path, guarded);
        self.table.push(RouteSpec {
            method,
            path,
            access,
        });
        self
    }
}

/// Builds the application and returns it with its route table.
pub fn build_app(state: AppState) -> (Router, Vec<RouteSpec>) {
    let routes = Routes::new(state.clone());
    let routes = identity::home::routes(routes);
    let routes = identity::account::routes(routes);
    let routes = identity::provider::routes(routes);
    let routes = crate::scim::routes(routes);
    let routes = identity::privacy::routes(routes);
    let routes = identity::orgs::routes(routes);
    let routes = identity::people::routes(routes);
    let routes = ops::routes(routes);
    let routes = api::routes(routes);
    let routes = speakup::routes(routes);
    let routes = survey::routes(routes);
    let routes = plans::routes(routes);
    let routes = library::routes(routes);
    let routes = news::routes(routes);
    let routes = events::routes(routes);
    let routes = workforce::routes(routes);
    let routes = justculture::routes(routes);
    let routes = crate::diagnostics::routes(routes);
    let routes = er_cases::routes(routes);
    let routes = crate::leadership::routes(routes);
    let routes = crate::voice::routes(routes);
    let routes = crate::board::routes(routes);
    let routes = crate::board_pack::routes(routes);
    let Routes { router, table, .. } = routes;
    // Pages for signed-in people that still leave no trace: answering an open-link survey.
    // A logged time beside the person's own sign-in would say who answered when.
    const UNTRACED_SIGNED_IN: &[&str] = &["/orgs/{ods}/surveys/{campaign}/answer"];
    let untraced = telemetry::Untraced {
        routes: std::sync::Arc::new(
            table
                .iter()
                .filter(|r| r.access == Access::Anonymous || UNTRACED_SIGNED_IN.contains(&r.path))
                .map(|r| r.path)
                .collect(),
        ),
        failures: state.anonymous_failures.clone(),
    };

    // Error pages show who is signed in, except where the page must never look.
    let untouched: std::collections::HashSet<&'static str> =
        untraced.routes.iter().copied().collect();
    let mut untouched_prefixes: Vec<String> = table
        .iter()
        .filter(|r| r.access == Access::Anonymous)
        .filter_map(|r| r.path.split('/').nth(1))
        .map(|first| format!("/{first}"))
        .collect();
    untouched_prefixes.sort();
    untouched_prefixes.dedup();
    let error_chrome = crate::pages::ErrorChrome {
        state: state.clone(),
        untouched: std::sync::Arc::new(untouched),
        untouched_prefixes: std::sync::Arc::new(untouched_prefixes),
    };

    let max_body = state.settings.max_body_bytes;
    let router = router
        .merge(assets::router(&state.settings.web_dir))
        .fallback(not_found)
        .method_not_allowed_fallback(wrong_method)
        .layer(from_fn_with_state(error_chrome, crate::pages::error_chrome))
        .layer(axum::middleware::from_fn(crate::pages::form_status))
        .layer(axum::Extension(crate::pages::EmailSetUp(
            state.settings.mail.is_some(),
        )))
        .layer(from_fn_with_state(untraced, telemetry::observe))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(from_fn_with_state(
            (max_body, state.settings.max_upload_bytes),
            refuse_large_bodies,
        ))
        .layer(from_fn_with_state(state.clone(), headers::security_headers))
        .layer(CatchPanicLayer::custom(
            |_panic: Box<dyn std::any::Any + Send>| {
                AppError::Internal("a request handler panicked".into()).into_response()
            },
        ))
        .with_state(state);
    (router, table)
}

/// A form's address opened as a link, say: an NHS page that says so, not an empty answer.
async fn wrong_method(request: Request) -> Response {
    if request.uri().path().starts_with("/api/") {
        AppError::WrongMethod.into_json()
    } else {
        AppError::WrongMethod.into_response()
    }
}

async fn not_found(request: Request) -> Response {
    let error = AppError::NotFound(
        "If you typed the web address, check it is correct. If you pasted it, check you copied all of it."
            .into(),
    );
    if request.uri().path().starts_with("/api/") {
        error.into_json()
    } else {
        error.into_response()
    }
}

/// Refuses a body whose declared length is over the limit before reading any of it.
async fn refuse_large_bodies(
    State((max, max_upload)): State<(usize, usize)>,
    request: Request,
    next: Next,
) -> Response {
    // Upload forms get the larger limit; each route's own limit still applies when read.
    let path = request.uri().path();
    let max = if path.starts_with("/speak-up/") || path.ends_with("/invitations") {
        max_upload
    } else {
        max
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        let error = AppError::TooLarge;
        return if request.uri().path().starts_with("/api/") {
            error.into_json()
        } else {
            error.into_response()
        };
    }
    next.run(request).await
}

//! What every page shares: the NHS header and footer, the signed-in person, the CSRF
//! token for forms, and the error summary.

use crate::access::{CurrentUser, load_user};
use crate::csrf::{self, CsrfToken};
use crate::error::{AppError, ErrorText};
use crate::session::session_token;
use crate::state::AppState;
use askama::Template;
use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{Html, Response};
use dignity_domain::identity::Role;
use std::collections::HashSet;
use std::sync::Arc;

/// A problem with one form field, shown in the error summary and beside the field.
#[derive(Debug, Clone)]
pub struct FieldError {
    /// The id of the input, so the summary can link to it.
    pub field: std::borrow::Cow<'static, str>,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: String,
    pub text: &'static str,
    pub current: bool,
}

/// One step in the breadcrumbs: a page above this one.
#[derive(Debug, Clone)]
pub struct Crumb {
    pub href: String,
    /// The section's words ("Action plans"), or the page's own name once the handler
    /// knows it ([`Chrome::naming`]).
    pub text: std::borrow::Cow<'static, str>,
}

/// The parts of the layout that change per request.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub title: String,
    pub csrf: String,
    /// The signed-in person's name, shown in the header with a sign-out button. Set as soon
    /// as the passphrase is accepted.
    pub user_name: Option<String>,
    pub nav: Vec<NavLink>,
    /// The pages above this one, from the home page down; shown when there is more than
    /// the home page (pages below the first level).
    pub breadcrumbs: Vec<Crumb>,
    pub errors: Vec<FieldError>,
    /// Told when the page shows problems with what was sent, so [`form_status`] can answer
    /// 422 instead of 200.
    pub problems: FormProblems,
    /// Whether this installation can send email (a relay is set up). When it cannot, a
    /// form that would send email says so before anyone fills it in.
    pub email_on: bool,
    /// The Atom feed that follows this page (its address and title), advertised in the
    /// page's head so feed readers find it.
    pub feed: Option<(String, String)>,
}

/// Whether a mail relay is set up, put on every request so [`Chrome`] can tell pages.
#[derive(Debug, Clone, Copy)]
pub struct EmailSetUp(pub bool);

/// Whether a request's page shows problems with what was sent. One per request, shared by
/// every copy of its [`Chrome`].
#[derive(Debug, Clone, Default)]
pub struct FormProblems(std::sync::Arc<std::sync::atomic::AtomicBool>);

/// A form sent back with its problems is a 422, not a 200: browsers show it the same,
/// but scripts, tests and monitoring see that the request was refused. Decided here once,
/// from `Chrome::with_errors`, rather than in every handler.
pub async fn form_status(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let problems = FormProblems::default();
    request.extensions_mut().insert(problems.clone());
    let posted = request.method() == axum::http::Method::POST;
    let mut response = next.run(request).await;
    if posted
        && response.status() == axum::http::StatusCode::OK
        && problems.0.load(std::sync::atomic::Ordering::Relaxed)
    {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

impl Chrome {
    /// For pages built without a request, such as error pages from middleware.
    pub fn bare(title: &str) -> Chrome {
        Chrome {
            title: title.to_owned(),
            ..Chrome::default()
        }
    }

    pub fn titled(mut self, title: impl Into<String>) -> Chrome {
        self.title = title.into();
        self
    }

    /// Advertises the Atom feed at `href` that follows this page.
    pub fn with_feed(mut self, href: impl Into<String>, title: impl Into<String>) -> Chrome {
        self.feed = Some((href.into(), title.into()));
        self
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Chrome {
        if !errors.is_empty() {
            self.problems
                .0
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        self.errors = errors;
        self
    }

    /// The message for one field, if it has a problem.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// The browser tab title. "Error: " first when the form has problems, so screen
    /// reader users hear it at once.
    pub fn full_title(&self) -> String {
        let prefix = if self.errors.is_empty() {
            ""
        } else {
            "Error: "
        };
        format!("{prefix}{} - Dignity - NHS", self.title)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Chrome {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .map(|t| t.0.clone())
            .unwrap_or_default();
        let user = parts.extensions.get::<CurrentUser>();
        let mut chrome = Chrome::for_person(csrf, user, parts.uri.path());
        if let Some(route) = parts.extensions.get::<MatchedPath>() {
            chrome.breadcrumbs =
                breadcrumbs(route.as_str(), parts.uri.path(), !chrome.nav.is_empty());
        }
        chrome.problems = parts
            .extensions
            .get::<FormProblems>()
            .cloned()
            .unwrap_or_default();
        chrome.email_on = parts.extensions.get::<EmailSetUp>().is_some_and(|e| e.0);
        Ok(chrome)
    }
}

impl Chrome {
    /// The header for this person (if fully signed in) on the page at `path`.
    fn for_person(csrf: String, user: Option<&CurrentUser>, path: &str) -> Chrome {
        let user = user.filter(|u| u.fully_signed_in());
        Chrome {
            csrf,
            user_name: user.map(|u| u.person.display_name.clone()),
            nav: user.map(|u| nav_for(u, path)).unwrap_or_default(),
            ..Chrome::default()
        }
    }

    /// The way back up, for a page with a back link instead of breadcrumbs: the nearest
    /// page above this one.
    pub fn up(&self) -> Option<&Crumb> {
        self.breadcrumbs.last()
    }

    /// Calls the page above this one that the breadcrumbs know only as `section` (such as
    /// "Survey" or "Case") by its own name ("Staff survey 2026", "Concern 12"), so people
    /// see which one they are in.
    pub fn naming(mut self, section: &str, name: impl Into<String>) -> Chrome {
        if let Some(crumb) = self.breadcrumbs.iter_mut().find(|c| c.text == section) {
            crumb.text = name.into().into();
        }
        self
    }

    /// Adds a page above this one that its address does not say, such as the
    /// organisation an administration page belongs to, by that page's own name.
    pub fn under(mut self, href: impl Into<String>, name: impl Into<String>) -> Chrome {
        self.breadcrumbs.push(Crumb {
            href: href.into(),
            text: name.into().into(),
        });
        self
    }

    /// Whether the breadcrumbs are worth showing: there is more above than the home page.
    pub fn shows_breadcrumbs(&self) -> bool {
        self.breadcrumbs.len() > 1
    }
}

/// The sections of the site a person's roles let them use, for the header. The home page
/// lists everything; the header keeps to the places people go most.
fn sections(user: &CurrentUser) -> Vec<(String, &'static str)> {
    let mut links: Vec<(String, &'static str)> = vec![("/home".into(), "Your home")];
    // Someone who works on an organisation's plans reaches its published plan from there:
    // their header has one way to the plans, not "Plans" and "Our plan" both.
    let edits_plans = |ods: &str| user.has_org_role(ods, dignity_app::plans::EDITORS);
    for m in &user.memberships {
        let ods = m.organisation.as_ref().map(|o| o.ods_code.to_string());
        let add: Vec<(String, &'static str)> = match (ods, m.role) {
            (Some(o), Role::Guardian) => vec![
                (format!("/orgs/{o}/speak-up"), "Cases"),
                (format!("/orgs/{o}/speak-up/return"), "Quarterly return"),
            ],
            (Some(o), Role::ErLead) => vec![
                (format!("/orgs/{o}/er-cases"), "ER cases"),
                (format!("/orgs/{o}/speak-up"), "Speak Up cases"),
            ],
            (Some(o), Role::Executive | Role::UnionPartner) => vec![
                (format!("/orgs/{o}/surveys"), "Survey results"),
                (format!("/orgs/{o}/plans"), "Plans"),
                (format!("/orgs/{o}/speak-up/trends"), "Speak Up trends"),
            ],
            (Some(o), Role::OrgAdmin) => vec![
                (format!("/orgs/{o}/surveys"), "Survey results"),
                (format!("/orgs/{o}/plans"), "Plans"),
                (format!("/orgs/{o}/people"), "People"),
                (format!("/orgs/{o}/audit"), "Audit log"),
            ],
            (Some(o), Role::Staff) => {
                let mut staff = vec![(format!("/speak-up/{o}"), "Speak up")];
                if !edits_plans(&o) {
                    staff.push((format!("/plans/{o}"), "Our plan"));
                }
                staff.push(("/library".into(), "Library"));
                staff.push(("/voice".into(), "Staff voice"));
                staff
            }
            (None, Role::NationalAnalyst) => vec![
                ("/national/speak-up".into(), "Speak Up figures"),
                ("/national/surveys".into(), "Survey oversight"),
                ("/national/workforce".into(), "Workforce equality"),
                ("/national/self-assessments".into(), "Self-assessments"),
                ("/national/boards".into(), "Board members"),
            ],
            (Some(o), Role::SystemLead) => vec![(
                format!("/orgs/{o}/system/self-assessments"),
                "Self-assessments across the area",
            )],
            (Some(_), Role::Moderator) => vec![("/voice/moderation".into(), "Moderation")],
            (Some(o), Role::Chair | Role::CompanySecretary | Role::SeniorIndependentDirector) => {
                vec![(format!("/orgs/{o}/board"), "Board members")]
            }
            (None, Role::PlatformAdmin) => vec![
                ("/admin/people".into(), "People"),
                ("/library/manage".into(), "Library"),
            ],
            (None, Role::RegionalDirector) => m
                .region
                .map(|r| vec![(format!("/regions/{}/boards", r.code()), "Board returns")])
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        for (href, text) in add {
            // One link per place and per name: the first organisation's, for someone in
            // several (their home page lists every one).
            if !links.iter().any(|(h, t)| *h == href || *t == text) {
                links.push((href, text));
            }
        }
    }
    links
}

/// The header's sections for a signed-in person, the one holding this page marked.
fn nav_for(user: &CurrentUser, path: &str) -> Vec<NavLink> {
    let links = sections(user);
    // The section is the longest link the address starts with.
    let current = links
        .iter()
        .filter(|(href, _)| {
            path == href
                || (href != "/home"
                    && path
                        .strip_prefix(href.as_str())
                        .is_some_and(|rest| rest.starts_with('/')))
        })
        .max_by_key(|(href, _)| href.len())
        .map(|(href, _)| href.clone());
    links
        .into_iter()
        .map(|(href, text)| NavLink {
            current: current.as_deref() == Some(href.as_str()),
            href,
            text,
        })
        .collect()
}

/// Pages that others sit below, by route pattern, with the words for their breadcrumb.
const CRUMBS: &[(&str, &str)] = &[
    ("/orgs/{ods}/surveys", "Survey results"),
    ("/orgs/{ods}/surveys/{campaign}", "Survey"),
    ("/orgs/{ods}/plans", "Action plans"),
    ("/orgs/{ods}/plans/{plan}", "Plan"),
    ("/orgs/{ods}/plans/{plan}/actions/{action}", "Action"),
    ("/orgs/{ods}/plan-comments", "Staff comments"),
    ("/orgs/{ods}/speak-up", "Cases"),
    ("/orgs/{ods}/speak-up/{id}", "Case"),
    ("/orgs/{ods}/speak-up/return", "Quarterly return"),
    ("/orgs/{ods}/library", "Our library items"),
    ("/plans", "Organisations' plans"),
    ("/library", "Library"),
    ("/library/manage", "Look after the library"),
    ("/news", "News"),
    ("/events", "Events"),
    ("/speak-up", "Speak up"),
    ("/voice", "Staff voice"),
];

/// The breadcrumbs for a page: the home page, then each page above this one that the
/// site has (by its route pattern), with the real address.
fn breadcrumbs(route: &str, path: &str, signed_in: bool) -> Vec<Crumb> {
    let home = Crumb {
        href: if signed_in { "/home" } else { "/" }.into(),
        text: "Home".into(),
    };
    let mut crumbs = vec![home];
    let pattern: Vec<&str> = route.split('/').collect();
    let actual: Vec<&str> = path.split('/').collect();
    if pattern.len() != actual.len() {
        return crumbs;
    }
    for depth in 2..pattern.len() {
        let above = pattern.get(..depth).unwrap_or_default().join("/");
        if let Some((_, text)) = CRUMBS.iter().find(|(p, _)| *p == above) {
            crumbs.push(Crumb {
                href: actual.get(..depth).unwrap_or_default().join("/"),
                text: (*text).into(),
            });
        }
    }
    crumbs
}

/// Which error pages may look at who is asking, to show the signed-in header on them.
#[derive(Clone)]
pub struct ErrorChrome {
    pub state: AppState,
    /// Route patterns that never look at who is asking: the anonymous pages.
    pub untouched: Arc<HashSet<&'static str>>,
    /// Where those routes' addresses start (such as `/speak-up`): a mistyped address
    /// under them is left alone too, as it may be a reporter's.
    pub untouched_prefixes: Arc<Vec<String>>,
}

impl ErrorChrome {
    fn may_look(&self, route: Option<&str>, path: &str) -> bool {
        match route {
            Some(route) => !self.untouched.contains(route),
            None => !self.untouched_prefixes.iter().any(|prefix| {
                path.strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            }),
        }
    }
}

/// Draws an error page again with the signed-in header, the sections and sign-out, when
/// the person asking is signed in. Errors are made where no request is at hand (see
/// [`AppError`]), so this is done once here for every route and for unknown addresses.
pub async fn error_chrome(State(ec): State<ErrorChrome>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let path = request.uri().path().to_owned();
    let looks = ec.may_look(route.as_deref(), &path);
    let session = looks
        .then(|| session_token(request.headers(), &ec.state.settings))
        .flatten();
    let cookie_csrf = csrf::cookie_token(&ec.state, request.headers());
    let response = next.run(request).await;
    let (Some(token), Some(text)) = (session, response.extensions().get::<ErrorText>()) else {
        return response;
    };
    let text = text.clone();
    let user = match load_user(&ec.state, Some(token)).await {
        Ok(Some(user)) if user.fully_signed_in() => user,
        _ => return response,
    };
    let sent_csrf = response
        .extensions()
        .get::<CsrfToken>()
        .map(|t| t.0.clone());
    let (csrf, fresh) = match sent_csrf.or(cookie_csrf) {
        Some(token) => (token, false),
        None => (dignity_crypto::token::random_token(), true),
    };
    let chrome = Chrome::for_person(csrf.clone(), Some(&user), &path).titled(&text.title);
    let Ok(html) = render(&ErrorPage::new(chrome, &text)) else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut response = Response::from_parts(parts, Body::from(html.0));
    if fresh {
        csrf::set_cookie(&ec.state, &mut response, &csrf);
    }
    response
}

pub fn render<T: Template>(page: &T) -> Result<Html<String>, AppError> {
    Ok(Html(page.render()?))
}

/// A form page shown again: 409 when it is shown because someone else saved first (what
/// the reader typed is on it), 200 otherwise.
pub fn form_again<T: Template>(page: &T, someone_else_saved: bool) -> Result<Response, AppError> {
    use axum::response::IntoResponse;
    let html = render(page)?;
    Ok(if someone_else_saved {
        (axum::http::StatusCode::CONFLICT, html).into_response()
    } else {
        html.into_response()
    })
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub chrome: Chrome,
    pub text: &'a ErrorText,
}

impl<'a> ErrorPage<'a> {
    pub fn new(chrome: Chrome, text: &'a ErrorText) -> ErrorPage<'a> {
        ErrorPage { chrome, text }
    }
}

#[cfg(test)]
mod raw_html_policy {
    /// Askama escapes everything a template shows, except values marked `|safe`. Each of
    /// those is listed here with why it cannot carry markup from a person; a new one fails
    /// this test until it is added with its reason.
    const ALLOWED: [(&str, &str, &str); 15] = [
        (
            "voice/challenge.html",
            "description",
            "Markdown cleaned by ammonia",
        ),
        ("voice/idea.html", "body", "Markdown cleaned by ammonia"),
        ("voice/update.html", "body", "Markdown cleaned by ammonia"),
        (
            "voice/comment.html",
            "self.comment_html(c)",
            "Markdown cleaned by ammonia",
        ),
        (
            "speakup/figure.html",
            "figure.svg",
            "charts.rs escapes every label",
        ),
        (
            "library/search.html",
            "r.hit.title_html",
            "tantivy escapes snippets",
        ),
        (
            "library/search.html",
            "r.hit.summary_html",
            "tantivy escapes snippets",
        ),
        ("account/set_up.html", "qr_svg", "QR modules only, no text"),
        (
            "events/event.html",
            "view.html",
            "Markdown cleaned by ammonia",
        ),
        ("news/post.html", "view.html", "Markdown cleaned by ammonia"),
        (
            "home/org_privacy.html",
            "html",
            "Markdown cleaned by ammonia",
        ),
        (
            "workforce/overview.html",
            "s.svg",
            "charts.rs escapes every label",
        ),
        (
            "diagnostics/round.html",
            "chart",
            "charts.rs escapes every label",
        ),
        (
            "diagnostics/system.html",
            "chart",
            "charts.rs escapes every label",
        ),
        (
            "board/_pair.html",
            "p.svg",
            "charts.rs escapes every label; the points are numbers",
        ),
    ];

    fn templates(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                templates(&path, out);
            } else {
                out.push(path);
            }
        }
    }

    #[test]
    fn only_known_values_skip_escaping() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut files = Vec::new();
        templates(&root, &mut files);
        let mut found = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let name = file
                .strip_prefix(&root)
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            for piece in text.split("{{").skip(1) {
                let expression: String = piece
                    .split("}}")
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                if let Some((value, _)) = expression.split_once("|safe") {
                    found.push((name.clone(), value.to_owned()));
                }
            }
        }
        found.sort();
        let mut allowed: Vec<(String, String)> = ALLOWED
            .iter()
            .map(|(file, value, _)| (file.to_string(), value.to_string()))
            .collect();
        allowed.sort();
        assert_eq!(found, allowed);
    }
}

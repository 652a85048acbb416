//! What every page shares: the NHS header and footer, the signed-in person, the CSRF
//! token for forms, and the error summary.

use crate::access::CurrentUser;
use crate::csrf::CsrfToken;
use crate::error::AppError;
use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::Html;

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

/// The parts of the layout that change per request.
#[derive(Debug, Clone, Default)]
pub struct Chrome {
    pub title: String,
    pub csrf: String,
    /// The signed-in person's name, shown in the header with a sign-out button. Set as soon
    /// as the passphrase is accepted.
    pub user_name: Option<String>,
    pub nav: Vec<NavLink>,
    pub errors: Vec<FieldError>,
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

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Chrome {
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
        let user = parts
            .extensions
            .get::<CurrentUser>()
            .filter(|u| u.fully_signed_in());
        let path = parts.uri.path();
        let nav = match user {
            Some(_) => vec![NavLink {
                href: "/home".into(),
                text: "Your home",
                current: path == "/home",
            }],
            None => Vec::new(),
        };
        Ok(Chrome {
            title: String::new(),
            csrf,
            user_name: user.map(|u| u.person.display_name.clone()),
            nav,
            errors: Vec::new(),
        })
    }
}

pub fn render<T: Template>(page: &T) -> Result<Html<String>, AppError> {
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub chrome: Chrome,
    pub title: &'a str,
    pub message: String,
    pub sign_in: bool,
}

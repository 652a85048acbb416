//! Every failure a person can meet, mapped to a status and a helpful message in one place.
//! Pages get an NHS-styled error page; the JSON API gets `{"error": {...}}`. The cause is
//! logged; the person never sees internals.

use crate::pages::{Chrome, ErrorPage, render};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dignity_app::StoreError;
use dignity_app::error::Service;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("sign in needed")]
    SignInNeeded,
    #[error("not allowed")]
    Forbidden,
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Conflict(String),
    /// An organisation that has not set up what was asked for, such as Speak Up.
    #[error("{organisation} has not set up {service:?}")]
    NotSetUp {
        organisation: String,
        service: Service,
    },
    #[error("{0}")]
    TooManyRequests(String),
    #[error("form expired")]
    FormExpired,
    #[error("request too large")]
    TooLarge,
    /// A page asked for in a way it is not used, such as a form's address opened as a link.
    #[error("method not allowed")]
    WrongMethod,
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Every place for expensive work is taken: try again in a moment.
    #[error("busy")]
    Busy,
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(m) => AppError::NotFound(m),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Invalid(v) => AppError::BadRequest(v.to_string()),
            e if e.is_unavailable() => AppError::Unavailable(e.to_string()),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<dignity_app::Error> for AppError {
    fn from(e: dignity_app::Error) -> Self {
        match e {
            dignity_app::Error::Store(e) => e.into(),
            dignity_app::Error::Crypto(e) => e.into(),
            dignity_app::Error::Work(e) => e.into(),
            dignity_app::Error::Forbidden => AppError::Forbidden,
            dignity_app::Error::Invalid(v) => AppError::BadRequest(v.to_string()),
            dignity_app::Error::NotFound(m) => AppError::NotFound(m),
            dignity_app::Error::Conflict(m) => AppError::Conflict(m),
            dignity_app::Error::NotSetUp {
                organisation,
                service,
            } => AppError::NotSetUp {
                organisation,
                service,
            },
            dignity_app::Error::Internal(m) => AppError::Internal(m),
        }
    }
}

impl From<dignity_crypto::CryptoError> for AppError {
    fn from(e: dignity_crypto::CryptoError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<dignity_app::work::WorkError> for AppError {
    fn from(e: dignity_app::work::WorkError) -> Self {
        match e {
            dignity_app::work::WorkError::Busy => AppError::Busy,
            dignity_app::work::WorkError::Failed(cause) => AppError::Internal(cause),
        }
    }
}

/// Seconds a browser is asked to wait when the service is busy.
pub const RETRY_AFTER_SECONDS: &str = "5";

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

/// What an error page says: its heading, its paragraphs and where to go instead.
#[derive(Debug, Clone)]
pub struct ErrorText {
    pub title: String,
    pub paragraphs: Vec<String>,
    /// Places to go instead, as (address, words), after the paragraphs.
    pub links: Vec<(String, String)>,
    /// Offer the sign-in link.
    pub sign_in: bool,
}

impl ErrorText {
    fn new(title: &str, message: impl Into<String>) -> ErrorText {
        ErrorText {
            title: title.to_owned(),
            paragraphs: vec![message.into()],
            links: Vec::new(),
            sign_in: false,
        }
    }

    /// The words alone, for a page that could not be drawn and for the JSON API.
    fn message(&self) -> String {
        self.paragraphs.join(" ")
    }
}

impl AppError {
    /// Status and the words a person reads.
    fn describe(&self) -> (StatusCode, ErrorText) {
        let plain = |status, title: &str, message: String| (status, ErrorText::new(title, message));
        match self {
            AppError::NotFound(m) => plain(StatusCode::NOT_FOUND, "Page not found", m.clone()),
            AppError::NotSetUp {
                organisation,
                service,
            } => (StatusCode::NOT_FOUND, not_set_up(organisation, *service)),
            AppError::SignInNeeded => (
                StatusCode::UNAUTHORIZED,
                ErrorText {
                    sign_in: true,
                    ..ErrorText::new("You need to sign in", "Sign in to see this page.")
                },
            ),
            AppError::Forbidden => plain(
                StatusCode::FORBIDDEN,
                "You cannot see this page",
                "Your account does not have access to this page. If you think it should, \
                 ask your organisation's administrator."
                    .into(),
            ),
            AppError::BadRequest(m) => {
                plain(StatusCode::BAD_REQUEST, "There is a problem", m.clone())
            }
            AppError::Conflict(m) => plain(StatusCode::CONFLICT, "There is a problem", m.clone()),
            AppError::TooManyRequests(m) => {
                plain(StatusCode::TOO_MANY_REQUESTS, "Too many attempts", m.clone())
            }
            AppError::FormExpired => plain(
                StatusCode::FORBIDDEN,
                "This form has expired",
                "For your security, forms stop working after a while or in a new browser window. \
                 Go back, refresh the page and try again. Nothing was saved."
                    .into(),
            ),
            AppError::TooLarge => plain(
                StatusCode::PAYLOAD_TOO_LARGE,
                "What you sent is too large",
                "Go back and send less. Nothing was saved.".into(),
            ),
            AppError::WrongMethod => plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "There is a problem",
                "This page cannot be opened that way. Go back and use the page's own links and buttons. Nothing was saved."
                    .into(),
            ),
            AppError::Unavailable(_) => plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, the service is unavailable",
                "We cannot reach our database just now. Nothing was saved. Try again in a few minutes."
                    .into(),
            ),
            AppError::Busy => plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, the service is very busy",
                "Too many people are using this service at the same time. Nothing was saved. \
                 Wait a moment, then go back and try again."
                    .into(),
            ),
            AppError::Internal(_) => plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service",
                "Something went wrong on our side. Nothing was saved. Try again later.".into(),
            ),
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(cause) => tracing::error!(%cause, "request failed"),
            AppError::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            _ => {}
        }
    }

    /// The JSON form, for `/api/` routes.
    pub fn into_json(self) -> Response {
        self.log();
        let (status, text) = self.describe();
        (
            status,
            Json(ErrorJson {
                error: ErrorDetail {
                    status: status.as_u16(),
                    message: text.message(),
                    title: text.title,
                },
            }),
        )
            .into_response()
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let (status, text) = self.describe();
        // Drawn here without knowing who is asking; `pages::error_chrome` draws it again
        // with the signed-in header when the route allows looking.
        let mut response = match render(&ErrorPage::new(Chrome::bare(&text.title), &text)) {
            Ok(html) => (status, html).into_response(),
            Err(_) => (status, text.message()).into_response(),
        };
        response.extensions_mut().insert(text);
        if matches!(self, AppError::Busy) {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(RETRY_AFTER_SECONDS),
            );
        }
        response
    }
}

/// What to say when an organisation has not set something up, and where to go instead.
fn not_set_up(organisation: &str, service: Service) -> ErrorText {
    match service {
        Service::SpeakUp => ErrorText {
            title: format!("{organisation} has not set up Speak Up here"),
            paragraphs: vec![
                "You cannot raise a concern with this organisation through this website yet."
                    .into(),
                "You can still speak up. Talk to your organisation's Freedom to Speak Up \
                 Guardian, your manager or your trade union representative. Your organisation's \
                 intranet or switchboard can tell you how to reach the guardian."
                    .into(),
            ],
            links: vec![
                (
                    "/speak-up".into(),
                    "Choose another organisation that takes concerns here".into(),
                ),
                (
                    "https://nationalguardian.org.uk/speaking-up/".into(),
                    "Find out about speaking up from the National Guardian's Office".into(),
                ),
            ],
            sign_in: false,
        },
        Service::PublishedPlan => ErrorText {
            title: format!("{organisation} has not published a plan yet"),
            paragraphs: vec![
                "A plan to tackle bullying appears here once the employer and the trade unions \
                 have both signed it."
                    .into(),
            ],
            links: vec![("/plans".into(), "Read other organisations' plans".into())],
            sign_in: false,
        },
    }
}

/// How the JSON API sends any failure.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorJson {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status, repeated for programs that only keep the body.
    pub status: u16,
    /// A short heading, such as "Page not found".
    pub title: String,
    /// What went wrong and what to do, in plain words.
    pub message: String,
}

/// A JSON API result: errors become JSON too.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_json()
    }
}

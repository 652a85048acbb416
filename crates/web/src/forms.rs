//! Reading submitted forms. A malformed body is a clear 400 page, never a bare text error.

use crate::error::AppError;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

/// Like `axum::Form`, with our error page when the body cannot be read. Form structs use
/// `#[serde(default)]` so that a missing field becomes a message next to that field, not
/// a failed request.
pub struct FormData<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for FormData<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let request = if request.method() == axum::http::Method::POST {
            without_control_characters(request, state).await?
        } else {
            request
        };
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(FormData(value)),
            Err(rejection) if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(AppError::TooLarge)
            }
            Err(_) => Err(AppError::BadRequest(
                "We could not read what you sent. Go back and try again.".into(),
            )),
        }
    }
}

/// Removes the control characters people cannot type (NUL and the like) from text that
/// came from outside. PostgreSQL refuses NUL in text, and none of them means anything in
/// a form or a file; tabs and line breaks are kept.
pub fn clean_text(text: &str) -> std::borrow::Cow<'_, str> {
    let unwanted = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if text.contains(unwanted) {
        std::borrow::Cow::Owned(text.chars().filter(|c| !unwanted(*c)).collect())
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A posted form with `clean_text` applied to every name and value, so no handler ever
/// sees a NUL byte, however the form was written.
async fn without_control_characters<S: Send + Sync>(
    request: Request,
    state: &S,
) -> Result<Request, AppError> {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::Bytes::from_request(Request::from_parts(parts.clone(), body), state)
        .await
        .map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest(
                    "We could not read what you sent. Go back and try again.".into(),
                )
            }
        })?;
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&bytes)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let dirty = pairs.iter().any(|(k, v)| {
        matches!(clean_text(k), std::borrow::Cow::Owned(_))
            || matches!(clean_text(v), std::borrow::Cow::Owned(_))
    });
    let body = if dirty {
        let mut cleaned = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            cleaned.append_pair(&clean_text(k), &clean_text(v));
        }
        axum::body::Body::from(cleaned.finish())
    } else {
        axum::body::Body::from(bytes)
    };
    Ok(Request::from_parts(parts, body))
}

/// Like `axum::extract::Path`, with our "page not found" page when a part of the address
/// cannot be read (a survey number that is not a number, say).
pub struct PathData<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for PathData<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(PathData(value)),
            Err(_) => Err(AppError::NotFound(
                "If you typed the web address, check it is correct. If you pasted it, check you copied all of it.".into(),
            )),
        }
    }
}

/// Like `axum::extract::Query`, with our "there is a problem with the address" page when
/// the query cannot be read (a repeated field, a year that is not a number), not axum's
/// plain-text answer.
pub struct QueryData<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for QueryData<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(QueryData(value)),
            Err(_) => Err(AppError::BadRequest(
                "We could not read the web address. If you typed it, check it. If you followed a link, go back and choose again.".into(),
            )),
        }
    }
}

/// A file uploaded as text in a multipart form: the named field's contents. `None` when
/// the form has no such field; `Some(Err(()))` when the file is not UTF-8 text. A body
/// that is not a readable form, or too large, is refused with our error page.
pub async fn uploaded_text<S: Send + Sync>(
    request: Request,
    state: &S,
    field: &str,
) -> Result<Option<Result<String, ()>>, AppError> {
    use axum::extract::Multipart;
    let unreadable =
        || AppError::BadRequest("We could not read what you sent. Go back and try again.".into());
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|_| unreadable())?;
    let mut text = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(part)) => {
                if part.name() == Some(field) {
                    let bytes = part.bytes().await.map_err(|e| {
                        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                            AppError::TooLarge
                        } else {
                            unreadable()
                        }
                    })?;
                    text = Some(
                        String::from_utf8(bytes.to_vec())
                            .map(|t| clean_text(&t).into_owned())
                            .map_err(|_| ()),
                    );
                }
            }
            Ok(None) => return Ok(text),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(AppError::TooLarge);
            }
            Err(_) => return Err(unreadable()),
        }
    }
}

/// A posted form's fields by name, for forms read field by field. A form with a field
/// sent twice is refused: which one counts would be a guess (outside attack, 2026-12-06:
/// `good_character=yes&good_character=no` was kept as yes).
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn new(pairs: Vec<(String, String)>) -> Result<Fields, AppError> {
        let mut names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w.first() == w.get(1)) {
            return Err(AppError::BadRequest(
                "A field was sent more than once. Go back and send the form again".into(),
            ));
        }
        Ok(Fields(pairs))
    }

    /// The field's value, or nothing when it was not sent.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// Every field whose name starts with `prefix`, as sent.
    pub fn starting_with(&self, prefix: &str) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter(|(k, _)| k.starts_with(prefix))
            .cloned()
            .collect()
    }

    /// Whether a checkbox was ticked (sent as `yes`).
    pub fn ticked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == "yes")
    }

    /// A date typed in three boxes: `{id}-day`, `{id}-month` and `{id}-year`.
    pub fn date(&self, id: &str) -> crate::date_input::Typed {
        crate::date_input::Typed::new(
            &self.get(&format!("{id}-day")),
            &self.get(&format!("{id}-month")),
            &self.get(&format!("{id}-year")),
        )
    }

    /// The record's version the form was made from; -1 (never a version) when missing.
    pub fn version(&self) -> i64 {
        self.get("version").trim().parse().unwrap_or(-1)
    }
}

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
                    text = Some(String::from_utf8(bytes.to_vec()).map_err(|_| ()));
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

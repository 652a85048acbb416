//! The reference exchange's forms on a record's page: writing the reference when a member
//! has left, asking another board for theirs, and releasing ours to a board that asked.

use super::{Typed, answered, record_id, same};
use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::{Fields, FormData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError};
use crate::routes::Routes;
use crate::state::AppState;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;
use dignity_app::leadership::references::{self, ReferenceForm};
use dignity_app::leadership::{self, KEEPERS, READERS};

pub fn routes(routes: Routes) -> Routes {
    routes
        .post(
            "/orgs/{ods}/board/members/{id}/reference",
            Access::InOrganisation(KEEPERS),
            write,
        )
        .post(
            "/orgs/{ods}/board/members/{id}/reference-requests",
            Access::InOrganisation(KEEPERS),
            request,
        )
        .post(
            "/orgs/{ods}/board/members/{id}/reference-requests/{request}/release",
            Access::InOrganisation(READERS),
            release,
        )
}

async fn write(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    let form = ReferenceForm {
        concerns: sent.get("concerns"),
        concerns_detail: sent.get("concerns_detail"),
        investigations: sent.get("investigations"),
        investigations_detail: sent.get("investigations_detail"),
        misconduct: sent.get("misconduct"),
        misconduct_detail: sent.get("misconduct_detail"),
        other: sent.get("other"),
    };
    let result = references::write(&state.app, &user, &organisation, &record, &form).await;
    let typed = Typed {
        reference: form,
        ..Typed::default()
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        Vec::new(),
        typed,
        "reference",
        same,
    )
    .await
}

async fn request(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    let sent = Fields::new(pairs)?;
    // The form names the board with a hidden field: without it, say what to do.
    let (result, errors) = match sent.get("from").trim().parse::<i64>() {
        Ok(from) => (
            references::request(&state.app, &user, &organisation, &record, from).await,
            Vec::new(),
        ),
        Err(_) => (
            Ok(()),
            vec![FieldError {
                field: "references".into(),
                message: "Choose the board to ask for its reference".into(),
            }],
        ),
    };
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        errors,
        Typed::default(),
        "reference-asked",
        |_| "references".to_owned(),
    )
    .await
}

async fn release(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id, request)): Path<(String, String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let record = leadership::record_for(&state.app, &user, &organisation, record_id(&id)?).await?;
    Fields::new(pairs)?;
    let request = request
        .parse::<i64>()
        .map_err(|_| AppError::NotFound("There is no such request for this reference".into()))?;
    let result = references::release(&state.app, &user, &organisation, &record, request).await;
    answered(
        &state,
        chrome,
        &user,
        organisation,
        record,
        result,
        Vec::new(),
        Typed::default(),
        "reference-released",
        |_| "references".to_owned(),
    )
    .await
}

//! The guardians' pages: the case list and a case, with messages, notes, referrals,
//! status, what the case is about, closure and the detriment check.

use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::FormData;
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::{Member, Organisation};
use dignity_app::speakup::casework::{
    self as cases, Listed, Reading, case_for, guardians, organisation,
};
use dignity_app::speakup::report::Report;
use dignity_app::speakup::{Case, CaseChange, colleagues_waiting, reseal_for_colleagues};
use dignity_domain::speakup::{CaseStatus, Day, Element, EntryKind, GrievanceStage};
use serde::Deserialize;

/// A case as a row of the list.
type Row = Listed;

#[derive(Template)]
#[template(path = "speakup/cases.html")]
struct CasesPage {
    chrome: Chrome,
    organisation: Organisation,
    set_up: bool,
    unlocked: bool,
    /// Colleagues who cannot read past cases this guardian could re-seal to them.
    colleagues_waiting: usize,
    open: Vec<Row>,
    closed: Vec<Row>,
    detriment_due: Vec<Row>,
}

pub async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, &ods).await?;
    let set_up = cases::is_set_up(&state.app, &organisation).await?;
    let waiting = colleagues_waiting(&state.app, &user, organisation.id)
        .await?
        .len();
    let (mut open, mut closed, mut detriment_due) = (Vec::new(), Vec::new(), Vec::new());
    for row in cases::list(&state.app, &user, &organisation).await? {
        if row.detriment_due {
            detriment_due.push(row.clone());
        }
        if row.case.status == CaseStatus::Closed {
            closed.push(row)
        } else {
            open.push(row)
        }
    }
    let unlocked = cases::is_unlocked(&state.app, &user);
    let chrome = chrome.titled(format!("Speak Up cases: {}", organisation.name));
    Ok(render(&CasesPage {
        chrome,
        organisation,
        set_up,
        unlocked,
        colleagues_waiting: waiting,
        open,
        closed,
        detriment_due,
    })?
    .into_response())
}

/// A guardian gives colleagues who cannot read past cases access to them: a decision,
/// taken with a button and audited, never a side effect of opening the list.
pub async fn share_past_cases(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, &ods).await?;
    let list = format!("/orgs/{}/speak-up", organisation.ods_code);
    match reseal_for_colleagues(&state.app, &user, organisation.id, &organisation.ods_code).await? {
        Some(_) => Ok(Redirect::to(&list).into_response()),
        None => Ok(Redirect::to(&format!("/account/unlock?next={list}")).into_response()),
    }
}

/// An entry as a guardian sees it.
struct ShownEntry {
    id: i64,
    kind: EntryKind,
    author: String,
    on: String,
    text: String,
    tampered: bool,
}

#[derive(Template)]
#[template(path = "speakup/case.html")]
struct CasePage {
    chrome: Chrome,
    organisation: Organisation,
    case: Case,
    today: Day,
    place: Option<String>,
    report: Option<Report>,
    entries: Vec<ShownEntry>,
    guardians: Vec<Member>,
    next_statuses: Vec<CaseStatus>,
    next_stages: Vec<GrievanceStage>,
    elements: &'static [Element],
    groups: Vec<String>,
    reason: Option<&'static str>,
}

impl CasePage {
    fn has_element(&self, element: &Element) -> bool {
        self.case.elements.contains(element)
    }

    fn is_group(&self, group: &str) -> bool {
        self.case.professional_group.as_deref() == Some(group)
    }

    fn long(&self, day: &Day) -> String {
        day.long_with_weekday()
    }
}

async fn case_page(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    case_id: i64,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let case = case_for(&state.app, user, &organisation, case_id).await?;
    let path = format!("/orgs/{}/speak-up/{}", organisation.ods_code, case.id);
    let (report, entries, reason) = match cases::read(&state.app, user, &organisation, &case)
        .await?
    {
        Reading::Read { report, entries } => {
            let entries = entries
                .into_iter()
                .map(|entry| ShownEntry {
                    id: entry.id,
                    kind: entry.kind,
                    author: entry
                        .author
                        .unwrap_or_else(|| "The person who spoke up".into()),
                    on: entry.written_on.long_with_weekday(),
                    tampered: entry.text.is_none(),
                    text: entry.text.unwrap_or_default(),
                })
                .collect();
            (*report, entries, None)
        }
        Reading::Locked => {
            return Ok(Redirect::to(&format!(
                "/account/unlock?next={}",
                form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
            ))
            .into_response());
        }
        Reading::NotSealed => (
            None,
            Vec::new(),
            Some(
                "You cannot read this case yet. Another guardian gives you access when they next open the case list, or an administrator can use the recovery key.",
            ),
        ),
    };
    let place = cases::place_of(&state.app, &organisation, &case).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CasePage {
        chrome: chrome
            .titled(format!("{} {}", case.case_type.label(), case.id))
            .with_errors(errors),
        guardians: guardians(&state.app, &organisation).await?,
        organisation,
        next_stages: case.stage.map(|s| s.next_choices()).unwrap_or_default(),
        next_statuses: case
            .status
            .next_choices()
            .into_iter()
            .filter(|s| *s != CaseStatus::Closed)
            .collect(),
        today: Day::from_unix_seconds(state.app.clock.now()),
        case: case.into_case(),
        place,
        report,
        entries,
        elements: Element::ALL,
        groups: state.app.professional_groups.to_vec(),
        reason,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, case_id)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, &ods).await?;
    case_page(&state, chrome, &user, organisation, case_id, Vec::new()).await
}

fn back_to_case(org: &Organisation, case_id: i64) -> Response {
    Redirect::to(&format!("/orgs/{}/speak-up/{case_id}", org.ods_code)).into_response()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TextForm {
    text: String,
    to_whom: String,
}

/// Adds an encrypted entry written by a guardian (message, note, referral or outcome).
async fn write_entry(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    (ods, case_id): (String, i64),
    kind: EntryKind,
    text: String,
    missing: &'static str,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, &ods).await?;
    let case = case_for(&state.app, user, &organisation, case_id).await?;
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 10_000 {
        let message = if trimmed.is_empty() {
            missing.to_owned()
        } else {
            "Write 10,000 characters or fewer".to_owned()
        };
        return case_page(
            state,
            chrome,
            user,
            organisation,
            case_id,
            vec![FieldError {
                field: field_for(kind).into(),
                message,
            }],
        )
        .await;
    }
    cases::write(&state.app, user, &organisation, &case, kind, trimmed).await?;
    Ok(back_to_case(&organisation, case.id))
}

fn field_for(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::ToReporter => "message",
        EntryKind::Note => "note",
        EntryKind::Referral => "referral",
        EntryKind::Closure => "outcome",
        _ => "detriment_note",
    }
}

/// A handler that writes one kind of entry from the case page's text box.
macro_rules! entry_handler {
    ($name:ident, $kind:expr, $missing:literal) => {
        pub async fn $name(
            State(state): State<AppState>,
            chrome: Chrome,
            Extension(user): Extension<CurrentUser>,
            Path(path): Path<(String, i64)>,
            FormData(form): FormData<TextForm>,
        ) -> Result<Response, AppError> {
            write_entry(&state, chrome, &user, path, $kind, form.text, $missing).await
        }
    };
}

entry_handler!(message, EntryKind::ToReporter, "Write a message");
entry_handler!(note, EntryKind::Note, "Write a note");
entry_handler!(
    close,
    EntryKind::Closure,
    "Write a short summary of the outcome"
);

pub async fn referral(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<TextForm>,
) -> Result<Response, AppError> {
    let text = if form.to_whom.trim().is_empty() || form.text.trim().is_empty() {
        String::new()
    } else {
        format!("Referred to: {}\n{}", form.to_whom.trim(), form.text.trim())
    };
    write_entry(
        &state,
        chrome,
        &user,
        (ods, id),
        EntryKind::Referral,
        text,
        "Say who you referred the case to and what happened",
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    status: String,
}

async fn apply(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    ods: &str,
    case_id: i64,
    change: Result<CaseChange, FieldError>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, ods).await?;
    let case = case_for(&state.app, user, &organisation, case_id).await?;
    let change = match change {
        Ok(change) => change,
        Err(error) => {
            return case_page(state, chrome, user, organisation, case_id, vec![error]).await;
        }
    };
    let field = if matches!(change, CaseChange::Stage(_)) {
        "stage"
    } else {
        "status"
    };
    match cases::change(&state.app, user, &organisation, &case, &change).await {
        Ok(()) => Ok(back_to_case(&organisation, case_id)),
        Err(dignity_app::Error::Invalid(e)) => {
            case_page(
                state,
                chrome,
                user,
                organisation,
                case_id,
                vec![FieldError {
                    field: field.into(),
                    message: e.to_string(),
                }],
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn status(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<StatusForm>,
) -> Result<Response, AppError> {
    let change = form
        .status
        .parse::<CaseStatus>()
        .ok()
        .filter(|s| *s != CaseStatus::Closed)
        .map(CaseChange::Status)
        .ok_or(FieldError {
            field: "status".into(),
            message: "Choose a new status".into(),
        });
    apply(&state, chrome, &user, &ods, id, change).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AssignForm {
    guardian: String,
}

pub async fn assign(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<AssignForm>,
) -> Result<Response, AppError> {
    let org = organisation(&state.app, &ods).await?;
    let names = guardians(&state.app, &org).await?;
    let change = match form.guardian.trim() {
        "" => Ok(CaseChange::Assign(None)),
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|id| names.iter().any(|m| m.person_id == *id))
            .map(|id| CaseChange::Assign(Some(id)))
            .ok_or(FieldError {
                field: "guardian".into(),
                message: "Choose a guardian from the list".into(),
            }),
    };
    apply(&state, chrome, &user, &ods, id, change).await
}

/// Elements are checkboxes, so the same name can come several times: read the raw form.
pub async fn record(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    RawForm(body): RawForm,
) -> Result<Response, AppError> {
    let mut elements = Vec::new();
    let mut group = None;
    let mut problem = None;
    for (key, value) in form_urlencoded::parse(&body) {
        match key.as_ref() {
            "elements" => match value.parse::<Element>() {
                Ok(element) => elements.push(element),
                Err(_) => {
                    problem = Some(FieldError {
                        field: "elements".into(),
                        message: "Choose from the list of elements".into(),
                    })
                }
            },
            "group" if value.is_empty() => group = None,
            "group" => match state.app.professional_groups.iter().find(|g| **g == value) {
                Some(g) => group = Some((*g).to_owned()),
                None => {
                    problem = Some(FieldError {
                        field: "group".into(),
                        message: "Choose a professional group from the list".into(),
                    })
                }
            },
            _ => {}
        }
    }
    let change = match problem {
        Some(error) => Err(error),
        None => Ok(CaseChange::Record {
            elements,
            professional_group: group,
        }),
    };
    apply(&state, chrome, &user, &ods, id, change).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetrimentForm {
    found: String,
    text: String,
}

pub async fn detriment(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<DetrimentForm>,
) -> Result<Response, AppError> {
    let found = match form.found.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return apply(
                &state,
                chrome,
                &user,
                &ods,
                id,
                Err(FieldError {
                    field: "found".into(),
                    message: "Say whether the person has suffered detriment".into(),
                }),
            )
            .await;
        }
    };
    if form.text.trim().chars().count() > 10_000 {
        let error = FieldError {
            field: "detriment_note".into(),
            message: "Write 10,000 characters or fewer".into(),
        };
        return apply(&state, chrome, &user, &ods, id, Err(error)).await;
    }
    let org = organisation(&state.app, &ods).await?;
    let case = case_for(&state.app, &user, &org, id).await?;
    cases::note_detriment_check(&state.app, &user, &org, &case, form.text.trim()).await?;
    apply(
        &state,
        chrome,
        &user,
        &ods,
        id,
        Ok(CaseChange::DetrimentChecked { found }),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StageForm {
    stage: String,
}

pub async fn stage(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<StageForm>,
) -> Result<Response, AppError> {
    let change = form
        .stage
        .parse::<GrievanceStage>()
        .map(CaseChange::Stage)
        .map_err(|_| FieldError {
            field: "stage".into(),
            message: "Choose the next stage".into(),
        });
    apply(&state, chrome, &user, &ods, id, change).await
}

pub async fn attachment(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((ods, case_id, entry_id)): Path<(String, i64, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state.app, &ods).await?;
    let case = case_for(&state.app, &user, &organisation, case_id).await?;
    let file = cases::attachment(&state.app, &user, &organisation, &case, entry_id).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, file.content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file.name),
            ),
        ],
        file.bytes.to_vec(),
    )
        .into_response())
}

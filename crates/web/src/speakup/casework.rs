//! The guardians' pages: the case list and a case, with messages, notes, referrals,
//! status, what the case is about, closure and the detriment check.

use super::keys::{Opened, colleagues_waiting, open_case, reseal_for_colleagues};
use super::report::Report;
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
use dignity_crypto::speakup::{ConcernKey, encrypt_to};
use dignity_domain::identity::{OdsCode, Role};
use dignity_domain::speakup::{CaseStatus, CaseType, Day, Element, EntryKind, GrievanceStage};
use dignity_store::identity::{self, Member, Organisation};
use dignity_store::speakup::{self, Case, CaseChange};
use serde::Deserialize;

async fn organisation(state: &AppState, ods: &str) -> Result<Organisation, AppError> {
    let code = OdsCode::parse(ods).map_err(|e| AppError::NotFound(e.to_string()))?;
    Ok(identity::get_organisation(&state.db, &code).await?)
}

async fn guardians(state: &AppState, org: &Organisation) -> Result<Vec<Member>, AppError> {
    Ok(identity::list_members(&state.db, org.id)
        .await?
        .into_iter()
        .filter(|m| m.roles.contains(&Role::Guardian))
        .collect())
}

/// Whether this person may read cases of this kind here (`CaseType::readers`).
fn reads(user: &CurrentUser, org: &Organisation, case_type: CaseType) -> bool {
    user.has_org_role(&org.ods_code, case_type.readers())
}

/// Loads a case this person may handle, or refuses.
async fn case_for(
    state: &AppState,
    user: &CurrentUser,
    org: &Organisation,
    case_id: i64,
) -> Result<Case, AppError> {
    let case = speakup::case_in_organisation(&state.db, org.id, case_id).await?;
    if !reads(user, org, case.case_type) {
        return Err(AppError::Forbidden);
    }
    Ok(case)
}

/// A case as a row of the list.
struct Row {
    case: Case,
    overdue: bool,
    assigned: Option<String>,
}

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
    let organisation = organisation(&state, &ods).await?;
    let set_up = speakup::settings(&state.db, organisation.id)
        .await?
        .is_some();
    let waiting = colleagues_waiting(&state, &user, organisation.id)
        .await?
        .len();
    let today = Day::from_unix_seconds(state.app.clock.now());
    let names = guardians(&state, &organisation).await?;
    let (mut open, mut closed, mut detriment_due) = (Vec::new(), Vec::new(), Vec::new());
    let concerns_too = reads(&user, &organisation, CaseType::Concern);
    for case in speakup::list_cases(&state.db, organisation.id).await? {
        if case.case_type == CaseType::Concern && !concerns_too {
            continue;
        }
        let assigned = case
            .assigned_to
            .and_then(|id| names.iter().find(|m| m.person_id == id))
            .map(|m| m.display_name.clone());
        let stage_overdue = case.stage.is_some_and(|s| s != GrievanceStage::Outcome)
            && case.stage_due.is_some_and(|due| today > due);
        let overdue =
            (case.status == CaseStatus::New && today > case.acknowledge_by) || stage_overdue;
        let due_check = case.status == CaseStatus::Closed
            && case.detriment_checked_on.is_none()
            && case.detriment_check_due.is_some_and(|d| d <= today);
        let row = Row {
            case,
            overdue,
            assigned,
        };
        if due_check {
            detriment_due.push(Row {
                case: row.case.clone(),
                overdue: false,
                assigned: row.assigned.clone(),
            });
        }
        if row.case.status == CaseStatus::Closed {
            closed.push(row)
        } else {
            open.push(row)
        }
    }
    let unlocked = state
        .keys
        .get(&user.session_digest, state.app.clock.now())
        .is_some();
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
    let organisation = organisation(&state, &ods).await?;
    let list = format!("/orgs/{}/speak-up", organisation.ods_code);
    match reseal_for_colleagues(&state, &user, organisation.id, &organisation.ods_code).await? {
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
    let case = case_for(state, user, &organisation, case_id).await?;
    let path = format!("/orgs/{}/speak-up/{}", organisation.ods_code, case.id);
    let (key, reason) = match open_case(&state.keys, state, user, &case).await? {
        Opened::Key(key) => (Some(key), None),
        Opened::Locked => {
            return Ok(Redirect::to(&format!(
                "/account/unlock?next={}",
                form_urlencoded::byte_serialize(path.as_bytes()).collect::<String>()
            ))
            .into_response());
        }
        Opened::NotSealed => (
            None,
            Some(
                "You cannot read this case yet. Another guardian gives you access when they next open the case list, or an administrator can use the recovery key.",
            ),
        ),
    };
    let (report, entries) = match &key {
        Some(key) => {
            speakup::record_read(
                &state.db,
                &user.person.email,
                state.app.clock.now(),
                &organisation,
                case.id,
            )
            .await?;
            decrypt_all(state, key, case.id).await?
        }
        None => (None, Vec::new()),
    };
    if entries.iter().any(|e| e.tampered) || (key.is_some() && report.is_none()) {
        // Someone changed stored ciphertext: that is a security event, not just an error.
        let detail = format!(
            "Case {} holds encrypted data that failed its integrity check",
            case.id
        );
        let entry = dignity_store::audit::NewEntry {
            actor: &user.person.email,
            organisation: Some(&organisation.ods_code),
            action: "speakup.tampered",
            detail: &detail,
        };
        dignity_store::audit::record(&state.db, state.app.clock.now(), &entry).await?;
    }
    let place = match case.org_unit_id {
        Some(id) => identity::list_org_units(&state.db, organisation.id)
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .map(|u| u.name),
        None => None,
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CasePage {
        chrome: chrome
            .titled(format!("Case {}", case.id))
            .with_errors(errors),
        guardians: guardians(state, &organisation).await?,
        organisation,
        next_stages: case.stage.map(|s| s.next_choices()).unwrap_or_default(),
        next_statuses: case
            .status
            .next_choices()
            .into_iter()
            .filter(|s| *s != CaseStatus::Closed)
            .collect(),
        today: Day::from_unix_seconds(state.app.clock.now()),
        case,
        place,
        report,
        entries,
        elements: Element::ALL,
        groups: state.settings.professional_groups.clone(),
        reason,
    };
    Ok((status, render(&page)?).into_response())
}

async fn decrypt_all(
    state: &AppState,
    key: &ConcernKey,
    case_id: i64,
) -> Result<(Option<Report>, Vec<ShownEntry>), AppError> {
    let mut report = None;
    let mut shown = Vec::new();
    for entry in speakup::entries(&state.db, case_id).await? {
        let plain = key.decrypt(&entry.ciphertext);
        if let Err(e) = &plain {
            tracing::error!(case = case_id, entry = entry.id, cause = %e, "a case entry failed its integrity check");
        }
        if entry.kind == EntryKind::Report {
            report = plain
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok());
            continue;
        }
        let plain = match (entry.kind, plain) {
            // For a file, show its name; the file itself is downloaded separately.
            (EntryKind::Attachment, Ok(bytes)) => match super::attachments::unpack(&bytes) {
                Some((name, _, _)) => Ok(zeroize::Zeroizing::new(name.into_bytes())),
                None => Err(dignity_crypto::CryptoError::Tampered(
                    "attachment header".into(),
                )),
            },
            (_, plain) => plain,
        };
        shown.push(ShownEntry {
            id: entry.id,
            kind: entry.kind,
            author: entry
                .author_name
                .unwrap_or_else(|| "The person who spoke up".into()),
            on: entry.written_on.long_with_weekday(),
            tampered: plain.is_err(),
            text: plain
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default(),
        });
    }
    Ok((report, shown))
}

pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, case_id)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
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
    let organisation = organisation(state, &ods).await?;
    let case = case_for(state, user, &organisation, case_id).await?;
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
    if kind == EntryKind::Closure && !case.status.can_move_to(CaseStatus::Closed) {
        return Err(AppError::Conflict("This case is already closed.".into()));
    }
    let ciphertext = encrypt_to(&case.public_key, trimmed.as_bytes())?;
    speakup::add_entry(
        &state.db,
        case.id,
        kind,
        Some(user.person.id),
        Day::from_unix_seconds(state.app.clock.now()),
        &ciphertext,
    )
    .await?;
    if kind == EntryKind::Closure {
        speakup::change_case(
            &state.db,
            &user.person.email,
            state.app.clock.now(),
            &organisation,
            case.id,
            &CaseChange::Status(CaseStatus::Closed),
        )
        .await?;
    }
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

pub async fn message(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<TextForm>,
) -> Result<Response, AppError> {
    write_entry(
        &state,
        chrome,
        &user,
        (ods, id),
        EntryKind::ToReporter,
        form.text,
        "Write a message",
    )
    .await
}

pub async fn note(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<TextForm>,
) -> Result<Response, AppError> {
    write_entry(
        &state,
        chrome,
        &user,
        (ods, id),
        EntryKind::Note,
        form.text,
        "Write a note",
    )
    .await
}

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

pub async fn close(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, i64)>,
    FormData(form): FormData<TextForm>,
) -> Result<Response, AppError> {
    write_entry(
        &state,
        chrome,
        &user,
        (ods, id),
        EntryKind::Closure,
        form.text,
        "Write a short summary of the outcome",
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
    let organisation = organisation(state, ods).await?;
    case_for(state, user, &organisation, case_id).await?;
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
    match speakup::change_case(
        &state.db,
        &user.person.email,
        state.app.clock.now(),
        &organisation,
        case_id,
        &change,
    )
    .await
    {
        Ok(()) => Ok(back_to_case(&organisation, case_id)),
        Err(dignity_store::StoreError::Invalid(e)) => {
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
    let org = organisation(&state, &ods).await?;
    let names = guardians(&state, &org).await?;
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
            "group" => match state
                .settings
                .professional_groups
                .iter()
                .find(|g| **g == value)
            {
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
    let org = organisation(&state, &ods).await?;
    let case = case_for(&state, &user, &org, id).await?;
    if case.status != CaseStatus::Closed {
        return Err(AppError::Conflict(
            "The detriment check is made after a case is closed.".into(),
        ));
    }
    if !form.text.trim().is_empty() {
        let ciphertext = encrypt_to(&case.public_key, form.text.trim().as_bytes())?;
        speakup::add_entry(
            &state.db,
            case.id,
            EntryKind::DetrimentCheck,
            Some(user.person.id),
            Day::from_unix_seconds(state.app.clock.now()),
            &ciphertext,
        )
        .await?;
    }
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
    let organisation = organisation(&state, &ods).await?;
    let case = case_for(&state, &user, &organisation, case_id).await?;
    let Opened::Key(key) = open_case(&state.keys, &state, &user, &case).await? else {
        return Err(AppError::Forbidden);
    };
    let entry = speakup::entries(&state.db, case.id)
        .await?
        .into_iter()
        .find(|e| e.id == entry_id && e.kind == EntryKind::Attachment)
        .ok_or_else(|| AppError::NotFound("There is no such file on this case.".into()))?;
    let plain = key.decrypt(&entry.ciphertext)?;
    let (name, content_type, bytes) = super::attachments::unpack(&plain)
        .ok_or_else(|| AppError::Internal(format!("attachment {entry_id} has no header")))?;
    let detail = format!("Downloaded {name} from case {}", case.id);
    let audit = dignity_store::audit::NewEntry {
        actor: &user.person.email,
        organisation: Some(&organisation.ods_code),
        action: "speakup.attachment_read",
        detail: &detail,
    };
    dignity_store::audit::record(&state.db, state.app.clock.now(), &audit).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes.to_vec(),
    )
        .into_response())
}

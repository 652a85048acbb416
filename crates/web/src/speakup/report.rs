//! The pages for people speaking up. No account, no session, no log line, no precise time:
//! see docs/threat-model.md.

use super::attachments;
use crate::error::AppError;
use crate::forms::FormData;
use crate::pages::{Chrome, FieldError, render};
use crate::pow::{Challenge, Redeemed, bits_for_load};
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use dignity_crypto::speakup::{ConcernKey, ReceiptCode, encrypt_to, new_salt, public_key};
use dignity_domain::identity::OdsCode;
use dignity_domain::speakup::GrievanceStage;
use dignity_domain::speakup::{
    CaseStatus, CaseType, Day, EntryKind, Feedback, IdentityLevel, PatientSafety, parse_month,
};
use dignity_store::identity::{self, OrgUnit, Organisation};
use dignity_store::speakup::{self, Case, NewCase, RECEIPT_HOLDER, RECOVERY_HOLDER, person_holder};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// What the person wrote, encrypted as one JSON document.
#[derive(Serialize, Deserialize, Default)]
pub struct Report {
    pub identity_level: String,
    pub name: Option<String>,
    pub contact: Option<String>,
    pub what_happened: String,
    pub place: Option<String>,
    pub when: Option<String>,
    pub who_affected: String,
    pub patient_safety: String,
    pub desired_outcome: String,
}

const MAX_TEXT: usize = 10_000;

#[derive(Template)]
#[template(path = "speakup/index.html")]
struct IndexPage {
    chrome: Chrome,
    organisations: Vec<Organisation>,
}

pub async fn index(State(state): State<AppState>, chrome: Chrome) -> Result<Response, AppError> {
    let mut organisations = Vec::new();
    for org in identity::list_organisations(&state.db).await? {
        if speakup::settings(&state.db, org.id).await?.is_some() {
            organisations.push(org);
        }
    }
    Ok(render(&IndexPage {
        chrome: chrome.titled("Speak up"),
        organisations,
    })?
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReportForm {
    kind: String,
    identity: String,
    name: String,
    contact: String,
    what_happened: String,
    org_unit: String,
    when_month: String,
    when_year: String,
    who_affected: String,
    patient_safety: String,
    desired_outcome: String,
    /// A solved proof of work, when the page asked for one (see `crate::pow`).
    pow_challenge: String,
    pow_solution: String,
}

#[derive(Template)]
#[template(path = "speakup/start.html")]
struct StartPage {
    chrome: Chrome,
    organisation: Organisation,
    units: Vec<OrgUnit>,
    levels: &'static [IdentityLevel],
    safety: &'static [PatientSafety],
    form: ReportForm,
    /// Why the form came back although nothing in it was wrong.
    notice: Option<&'static str>,
    /// A proof of work for the browser to solve before sending.
    pow: Option<Challenge>,
}

/// The form comes back with what the person wrote, because the service is busy.
const VERY_BUSY: &str = "A very large number of concerns has been sent in the last hour. Nothing was sent yet, and what you wrote is kept below. Press Send my concern again. Your browser may take up to a minute to check first. If it does not work, try again in a few minutes, or contact a Freedom to Speak Up Guardian directly.";
const BUSY_NOW: &str = "The service is very busy just now. Nothing was sent yet, and what you wrote is kept below. Wait a moment, then press Send my concern again.";

async fn organisation_taking_concerns(
    state: &AppState,
    ods: &str,
) -> Result<(Organisation, speakup::Settings), AppError> {
    let not_here = || {
        AppError::NotFound("We could not find a Speak Up page for that organisation. Check the web address, or choose your organisation from the list.".into())
    };
    let code = OdsCode::parse(ods).map_err(|_| not_here())?;
    let org = identity::find_organisation(&state.db, &code)
        .await?
        .ok_or_else(not_here)?;
    let settings = speakup::settings(&state.db, org.id)
        .await?
        .ok_or_else(not_here)?;
    Ok((org, settings))
}

pub async fn start(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let (organisation, _) = organisation_taking_concerns(&state, &ods).await?;
    let units = identity::list_org_units(&state.db, organisation.id).await?;
    // Already flooded: ask for the proof of work now, so a browser solves it at once.
    let pow = challenge_for_load(&state, &organisation, state.app.clock.now());
    form_again(
        chrome,
        organisation,
        units,
        ReportForm::default(),
        FormAgain {
            pow,
            ..FormAgain::default()
        },
    )
}

/// What comes back with the form besides what the person wrote.
#[derive(Default)]
struct FormAgain {
    status: Option<StatusCode>,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
    pow: Option<Challenge>,
}

fn form_again(
    chrome: Chrome,
    organisation: Organisation,
    units: Vec<OrgUnit>,
    mut form: ReportForm,
    again: FormAgain,
) -> Result<Response, AppError> {
    let chrome = chrome
        .titled(format!("Speak up to {}", organisation.name))
        .with_errors(again.errors);
    form.pow_challenge.clear();
    form.pow_solution.clear();
    let busy = again.status == Some(StatusCode::SERVICE_UNAVAILABLE);
    let page = StartPage {
        chrome,
        organisation,
        units,
        levels: IdentityLevel::ALL,
        safety: PatientSafety::ALL,
        form,
        notice: again.notice,
        pow: again.pow,
    };
    let mut response = (again.status.unwrap_or(StatusCode::OK), render(&page)?).into_response();
    if busy {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            axum::http::HeaderValue::from_static(crate::error::RETRY_AFTER_SECONDS),
        );
    }
    Ok(response)
}

/// Signs proof-of-work challenges under a key a database thief does not have, for one
/// organisation's form: a challenge solved for one trust does not open another's.
fn pow_signer<'a>(state: &'a AppState, ods: &'a str) -> impl Fn(&str) -> String + 'a {
    move |body: &str| {
        state
            .settings
            .secret
            .keyed_digest("speakup-pow", format!("{ods}:{body}").as_bytes())
    }
}

/// A challenge if this organisation's form is flooded now, as hard as the load asks.
fn challenge_for_load(
    state: &AppState,
    organisation: &Organisation,
    now: i64,
) -> Option<Challenge> {
    let limits = &state.limits;
    let load = limits
        .submissions
        .count(organisation.ods_code.as_str(), now);
    bits_for_load(load, limits.max_submissions_per_hour)
        .map(|bits| Redeemed::issue(pow_signer(state, &organisation.ods_code), bits, now))
}

struct Checked {
    case_type: CaseType,
    level: IdentityLevel,
    safety: PatientSafety,
    unit: Option<OrgUnit>,
    report: Report,
}

fn check(form: &ReportForm, units: &[OrgUnit]) -> Result<Checked, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut error = |field: &'static str, message: &str| {
        errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        })
    };
    // A concern unless the person asks for a grievance: most people come to speak up.
    let case_type = match form.kind.as_str() {
        "grievance" => CaseType::Grievance,
        _ => CaseType::Concern,
    };
    let level = form.identity.parse::<IdentityLevel>().ok();
    if level.is_none() {
        error("identity", "Choose how you want to be known");
    }
    if case_type == CaseType::Grievance && level == Some(IdentityLevel::Anonymous) {
        error(
            "identity",
            "A grievance needs your name, so choose open or confidential",
        );
    }
    let name = form.name.trim();
    if matches!(
        level,
        Some(IdentityLevel::Open | IdentityLevel::Confidential)
    ) && name.is_empty()
    {
        error("name", "Enter your name, or choose to stay anonymous");
    }
    let what = form.what_happened.trim();
    if what.is_empty() {
        error("what_happened", "Tell us what happened");
    } else if what.chars().count() > MAX_TEXT {
        error(
            "what_happened",
            "What happened must be 10,000 characters or fewer",
        );
    }
    for (field, text, label) in [
        ("who_affected", &form.who_affected, "Who was affected"),
        (
            "desired_outcome",
            &form.desired_outcome,
            "What you would like to happen",
        ),
        ("name", &form.name, "Your name"),
        ("contact", &form.contact, "How to contact you"),
    ] {
        if text.chars().count() > MAX_TEXT {
            errors.push(FieldError {
                field: field.into(),
                message: format!("{label} must be 10,000 characters or fewer"),
            });
        }
    }
    let mut error = |field: &'static str, message: &str| {
        errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        })
    };
    let unit = match form.org_unit.trim() {
        "" => None,
        raw => {
            let found = raw
                .parse::<i64>()
                .ok()
                .and_then(|id| units.iter().find(|u| u.id == id).cloned());
            if found.is_none() {
                error(
                    "org_unit",
                    "Choose a place from the list, or leave it blank",
                );
            }
            found
        }
    };
    let when = match (form.when_month.trim(), form.when_year.trim()) {
        ("", "") => None,
        (month, year) => match parse_month(&format!("{year}-{month}")) {
            Ok(when) => when,
            Err(_) => {
                error(
                    "when_month",
                    "Enter the month as a number from 1 to 12 and the year, like 10 and 2026, or leave both blank",
                );
                None
            }
        },
    };
    let safety = form.patient_safety.parse::<PatientSafety>().ok();
    if safety.is_none() {
        error(
            "patient_safety",
            "Tell us whether patients could be at risk",
        );
    }
    match (level, safety, errors.is_empty()) {
        (Some(level), Some(safety), true) => {
            let known = level != IdentityLevel::Anonymous;
            let report = Report {
                identity_level: level.code().into(),
                name: known.then(|| name.to_owned()),
                contact: known
                    .then(|| form.contact.trim().to_owned())
                    .filter(|c| !c.is_empty()),
                what_happened: what.to_owned(),
                place: unit.as_ref().map(|u| u.name.clone()),
                when,
                who_affected: form.who_affected.trim().to_owned(),
                patient_safety: safety.code().into(),
                desired_outcome: form.desired_outcome.trim().to_owned(),
            };
            Ok(Checked {
                case_type,
                level,
                safety,
                unit,
                report,
            })
        }
        _ => Err(errors),
    }
}

#[derive(Template)]
#[template(path = "speakup/receipt.html")]
struct ReceiptPage {
    chrome: Chrome,
    organisation: Organisation,
    code: Zeroizing<String>,
    acknowledge_by: String,
    anonymous: bool,
}

/// The report form as sent: its fields, and any files (with the form sent as
/// multipart/form-data when the browser uploads them).
pub struct Submission {
    form: ReportForm,
    files: Vec<Vec<u8>>,
}

impl<S: Send + Sync> FromRequest<S> for Submission {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, AppError> {
        let is_multipart = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !is_multipart {
            let FormData(form) = FormData::<ReportForm>::from_request(request, state).await?;
            return Ok(Submission {
                form,
                files: Vec::new(),
            });
        }
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::TooLarge
            } else {
                AppError::BadRequest(
                    "We could not read what you sent. Go back and try again.".into(),
                )
            }
        };
        let mut multipart = Multipart::from_request(request, state).await.map_err(|_| {
            AppError::BadRequest("We could not read what you sent. Go back and try again.".into())
        })?;
        let mut fields = serde_json::Map::new();
        let mut files = Vec::new();
        while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or_default().to_owned();
            if name == "attachments" {
                let bytes = field.bytes().await.map_err(unreadable)?;
                // A file input with nothing chosen still sends an empty part.
                if !bytes.is_empty() {
                    files.push(bytes.to_vec());
                }
            } else {
                let text = field.text().await.map_err(unreadable)?;
                let text = crate::forms::clean_text(&text).into_owned();
                fields.insert(name, serde_json::Value::String(text));
            }
        }
        let form = serde_json::from_value(serde_json::Value::Object(fields)).map_err(|_| {
            AppError::BadRequest("We could not read what you sent. Go back and try again.".into())
        })?;
        Ok(Submission { form, files })
    }
}

pub async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
    Submission { form, files }: Submission,
) -> Result<Response, AppError> {
    let (organisation, settings) = organisation_taking_concerns(&state, &ods).await?;
    let units = identity::list_org_units(&state.db, organisation.id).await?;
    // Everything cheap first: the form, and each file's count, size and declared size.
    let (checked, accepted) = match (check(&form, &units), attachments::check_all(files)) {
        (Ok(checked), Ok(accepted)) => (checked, accepted),
        (result, accepted) => {
            let mut errors = result.err().unwrap_or_default();
            if let Err(message) = accepted {
                errors.push(FieldError {
                    field: "attachments".into(),
                    message,
                });
            }
            let again = FormAgain {
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                errors,
                ..FormAgain::default()
            };
            return form_again(chrome, organisation, units, form, again);
        }
    };

    // The flood limit takes this submission's place before any slow work, and gives it
    // back if the submission fails. Beyond the limit, a solved proof of work lets it in.
    let now = state.app.clock.now();
    let limits = &state.limits;
    let place = limits
        .submissions
        .reserve(organisation.ods_code.as_str(), now);
    if let Some(bits) = bits_for_load(place.before(), limits.max_submissions_per_hour) {
        // A challenge must be as hard as the load now asks: one solved when the load was
        // lower is answered with a harder one (the person's words are kept).
        let solved = limits.proofs.redeem(
            pow_signer(&state, &organisation.ods_code),
            &form.pow_challenge,
            &form.pow_solution,
            bits,
            now,
        );
        if solved.is_err() {
            drop(place);
            let again = FormAgain {
                status: Some(StatusCode::SERVICE_UNAVAILABLE),
                notice: Some(VERY_BUSY),
                pow: Some(Redeemed::issue(
                    pow_signer(&state, &organisation.ods_code),
                    bits,
                    now,
                )),
                ..FormAgain::default()
            };
            return form_again(chrome, organisation, units, form, again);
        }
    }
    let busy_now = |chrome, organisation, units, form| {
        let again = FormAgain {
            status: Some(StatusCode::SERVICE_UNAVAILABLE),
            notice: Some(BUSY_NOW),
            ..FormAgain::default()
        };
        form_again(chrome, organisation, units, form, again)
    };

    // Pictures are redrawn a few at a time, off the async threads.
    let mut files = Vec::with_capacity(accepted.len());
    for file in accepted {
        let cleaned = if file.is_picture() {
            match state.pictures.run(move || attachments::finish(file)).await {
                Ok(cleaned) => cleaned,
                Err(crate::work::WorkError::Busy) => {
                    return busy_now(chrome, organisation, units, form);
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            attachments::finish(file)
        };
        match cleaned {
            Ok(cleaned) => files.push(cleaned),
            Err(message) => {
                let again = FormAgain {
                    status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                    errors: vec![FieldError {
                        field: "attachments".into(),
                        message,
                    }],
                    ..FormAgain::default()
                };
                return form_again(chrome, organisation, units, form, again);
            }
        }
    }

    let readers = speakup::reader_keys(&state.db, organisation.id, checked.case_type).await?;
    let cost = state.settings.passphrase_cost;
    let report =
        serde_json::to_vec(&checked.report).map_err(|e| AppError::Internal(e.to_string()))?;
    let recovery = settings.recovery_public_key.clone();
    // The receipt key costs one argon2id run: a few at a time, off the async threads.
    let sealed = state
        .derivations
        .run(move || -> Result<_, dignity_crypto::CryptoError> {
            let case_key = ConcernKey::generate();
            let receipt = ReceiptCode::generate();
            let salt = new_salt();
            let receipt_keys = receipt.derive(&salt, cost)?;
            let mut seals = vec![
                (
                    RECEIPT_HOLDER.to_owned(),
                    case_key.seal_to(&public_key(&receipt_keys.identity))?,
                ),
                (RECOVERY_HOLDER.to_owned(), case_key.seal_to(&recovery)?),
            ];
            for (person_id, guardian_public) in &readers {
                seals.push((
                    person_holder(*person_id),
                    case_key.seal_to(guardian_public)?,
                ));
            }
            let report = case_key.encrypt(&report)?;
            let attachments = files
                .iter()
                .map(|f| case_key.encrypt(&attachments::pack(f)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((
                case_key.public_key(),
                receipt,
                salt,
                receipt_keys.verifier,
                seals,
                (report, attachments),
            ))
        })
        .await;
    let sealed = match sealed {
        Ok(sealed) => sealed?,
        Err(crate::work::WorkError::Busy) => return busy_now(chrome, organisation, units, form),
        Err(e) => return Err(e.into()),
    };
    let (case_public, receipt, salt, verifier, seals, (report, attachments)) = sealed;

    let today = Day::from_unix_seconds(now);
    let acknowledge_by = today.plus_working_days(settings.acknowledge_working_days);
    let new_case = NewCase {
        organisation_id: organisation.id,
        case_type: checked.case_type,
        identity_level: checked.level,
        public_key: case_public,
        receipt_lookup: receipt.lookup().to_owned(),
        receipt_salt: salt,
        receipt_verifier: verifier,
        org_unit_id: checked.unit.map(|u| u.id),
        patient_safety: checked.safety,
        received_on: today,
        acknowledge_by,
        seals,
        report,
        attachments,
        stage: (checked.case_type == CaseType::Grievance).then(|| {
            let first = GrievanceStage::Informal;
            (
                first,
                today.plus_working_days(first.working_days_allowed().unwrap_or(10)),
            )
        }),
    };
    speakup::create_case(&state.db, &new_case).await?;
    place.keep();

    let page = ReceiptPage {
        chrome: chrome.titled("Your concern has been sent"),
        organisation,
        code: receipt.display(),
        acknowledge_by: acknowledge_by.long_with_weekday(),
        anonymous: checked.level == IdentityLevel::Anonymous,
    };
    Ok(render(&page)?.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    code: String,
}

/// The receipt as a text file, from the code the receipt page sends back (we keep no copy).
pub async fn download_receipt(FormData(form): FormData<CodeForm>) -> Result<Response, AppError> {
    let code = ReceiptCode::parse(&form.code)
        .map_err(|_| AppError::BadRequest("That is not a receipt code.".into()))?;
    let text = format!(
        "Your Speak Up receipt code\r\n\r\n{}\r\n\r\nUse it on the Speak Up follow-up page to read replies, send more information and see how your concern is going.\r\nKeep it private: anyone with this code can read your conversation.\r\n",
        code.display().as_str()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"speak-up-receipt.txt\"",
            ),
        ],
        text,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "speakup/follow_up.html")]
struct FollowUpPage {
    chrome: Chrome,
}

pub async fn follow_up(chrome: Chrome) -> Result<Response, AppError> {
    Ok(render(&FollowUpPage {
        chrome: chrome.titled("Follow up your concern"),
    })?
    .into_response())
}

/// Said for every code that does not open a case, whatever the reason.
const NO_SUCH_CODE: &str = "We could not find a concern with that code. Check it and try again";

/// Opens a case from a receipt code. Every well-formed code costs one argon2id run,
/// whether or not its lookup part exists (an unknown one is checked against a salt of
/// its own), so timing does not tell a guesser which lookup parts are real. No count of
/// wrong codes ever refuses a right one: the 80 secret bits stop guessers, and the bound
/// on derivations at once stops floods (docs/threat-model.md).
async fn case_from_code(
    state: &AppState,
    typed: &str,
) -> Result<Result<(Case, ConcernKey, ReceiptCode), String>, AppError> {
    let Ok(code) = ReceiptCode::parse(typed) else {
        return Ok(Err(NO_SUCH_CODE.to_owned()));
    };
    let case = speakup::case_by_lookup(&state.db, code.lookup()).await?;
    let salt = case
        .as_ref()
        .map_or_else(new_salt, |c| c.receipt_salt.clone());
    let cost = state.settings.passphrase_cost;
    let derive_code = code.clone();
    let keys = state
        .derivations
        .run(move || derive_code.derive(&salt, cost))
        .await??;
    let Some(case) = case else {
        return Ok(Err(NO_SUCH_CODE.to_owned()));
    };
    if !dignity_crypto::token::same_bytes(&keys.verifier, &case.receipt_verifier) {
        return Ok(Err(NO_SUCH_CODE.to_owned()));
    }
    let sealed = speakup::seal_for(&state.db, case.id, RECEIPT_HOLDER)
        .await?
        .ok_or_else(|| AppError::Internal("a case has no receipt seal".into()))?;
    let case_key = ConcernKey::unseal(&sealed, &keys.identity)?;
    Ok(Ok((case, case_key, code)))
}

/// One entry as the person who spoke up sees it.
pub struct Shown {
    pub heading: &'static str,
    pub on: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "speakup/conversation.html")]
struct ConversationPage {
    chrome: Chrome,
    code: Zeroizing<String>,
    status: &'static str,
    closed: bool,
    entries: Vec<Shown>,
    report: Report,
    feedback_given: bool,
    answers: &'static [Feedback],
    notice: Option<&'static str>,
}

fn text_of(case_key: &ConcernKey, ciphertext: &[u8]) -> String {
    match case_key.decrypt(ciphertext) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            tracing::error!(cause = %e, "a case entry failed its integrity check");
            "This message could not be opened because it appears to have been changed. The guardians have been told.".into()
        }
    }
}

async fn conversation(
    state: &AppState,
    chrome: Chrome,
    case: &Case,
    case_key: &ConcernKey,
    code: &ReceiptCode,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let mut report = Report::default();
    let mut entries = Vec::new();
    for entry in speakup::entries(&state.db, case.id).await? {
        if !entry.kind.shown_to_reporter() {
            continue;
        }
        if entry.kind == EntryKind::Report {
            match case_key
                .decrypt(&entry.ciphertext)
                .ok()
                .and_then(|b| serde_json::from_slice::<Report>(&b).ok())
            {
                Some(r) => report = r,
                None => tracing::error!("a report failed its integrity check"),
            }
            continue;
        }
        entries.push(Shown {
            heading: match entry.kind {
                EntryKind::ToReporter => "From the guardian",
                EntryKind::Closure => "How your concern ended",
                EntryKind::FeedbackComment => "Your feedback",
                _ => "From you",
            },
            on: entry.written_on.long_with_weekday(),
            text: text_of(case_key, &entry.ciphertext),
        });
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ConversationPage {
        chrome: chrome.titled("Your concern").with_errors(errors),
        code: code.display(),
        status: case.status.for_reporter(),
        closed: case.status == CaseStatus::Closed,
        entries,
        report,
        feedback_given: case.feedback.is_some(),
        answers: Feedback::ALL,
        notice,
    };
    Ok((status, render(&page)?).into_response())
}

fn wrong_code(chrome: Chrome, message: String) -> Result<Response, AppError> {
    let chrome = chrome
        .titled("Follow up your concern")
        .with_errors(vec![FieldError {
            field: "code".into(),
            message,
        }]);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&FollowUpPage { chrome })?,
    )
        .into_response())
}

pub async fn open(
    State(state): State<AppState>,
    chrome: Chrome,
    FormData(form): FormData<CodeForm>,
) -> Result<Response, AppError> {
    if form.code.trim().is_empty() {
        return wrong_code(chrome, "Enter your receipt code".into());
    }
    match case_from_code(&state, &form.code).await? {
        Ok((case, key, code)) => {
            conversation(&state, chrome, &case, &key, &code, None, Vec::new()).await
        }
        Err(message) => wrong_code(chrome, message),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReplyForm {
    code: String,
    message: String,
}

pub async fn reply(
    State(state): State<AppState>,
    chrome: Chrome,
    FormData(form): FormData<ReplyForm>,
) -> Result<Response, AppError> {
    let (case, key, code) = match case_from_code(&state, &form.code).await? {
        Ok(opened) => opened,
        Err(message) => return wrong_code(chrome, message),
    };
    let message = form.message.trim();
    let problem = if message.is_empty() {
        Some("Write your message")
    } else if message.chars().count() > MAX_TEXT {
        Some("Your message must be 10,000 characters or fewer")
    } else {
        None
    };
    if let Some(problem) = problem {
        let errors = vec![FieldError {
            field: "message".into(),
            message: problem.into(),
        }];
        return conversation(&state, chrome, &case, &key, &code, None, errors).await;
    }
    let ciphertext = encrypt_to(&case.public_key, message.as_bytes())?;
    speakup::add_entry(
        &state.db,
        case.id,
        EntryKind::FromReporter,
        None,
        Day::from_unix_seconds(state.app.clock.now()),
        &ciphertext,
    )
    .await?;
    conversation(
        &state,
        chrome,
        &case,
        &key,
        &code,
        Some("Your message has been sent to the guardian."),
        Vec::new(),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeedbackForm {
    code: String,
    answer: String,
    comment: String,
}

pub async fn feedback(
    State(state): State<AppState>,
    chrome: Chrome,
    FormData(form): FormData<FeedbackForm>,
) -> Result<Response, AppError> {
    let (case, key, code) = match case_from_code(&state, &form.code).await? {
        Ok(opened) => opened,
        Err(message) => return wrong_code(chrome, message),
    };
    let Ok(answer) = form.answer.parse::<Feedback>() else {
        let errors = vec![FieldError {
            field: "answer".into(),
            message: "Choose an answer".into(),
        }];
        return conversation(&state, chrome, &case, &key, &code, None, errors).await;
    };
    if form.comment.chars().count() > MAX_TEXT {
        let errors = vec![FieldError {
            field: "comment".into(),
            message: "Your comment must be 10,000 characters or fewer".into(),
        }];
        return conversation(&state, chrome, &case, &key, &code, None, errors).await;
    }
    speakup::record_feedback(&state.db, case.id, answer).await?;
    let comment = form.comment.trim();
    if !comment.is_empty() {
        let ciphertext = encrypt_to(&case.public_key, comment.as_bytes())?;
        speakup::add_entry(
            &state.db,
            case.id,
            EntryKind::FeedbackComment,
            None,
            Day::from_unix_seconds(state.app.clock.now()),
            &ciphertext,
        )
        .await?;
    }
    let case = speakup::case_in_organisation(&state.db, case.organisation_id, case.id).await?;
    conversation(
        &state,
        chrome,
        &case,
        &key,
        &code,
        Some("Thank you for your feedback."),
        Vec::new(),
    )
    .await
}

//! The pages for people speaking up. No account, no session, no log line, no precise time:
//! see docs/threat-model.md.

use crate::error::AppError;
use crate::forms::{FormData, QueryData};
use crate::pages::{Chrome, FieldError, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::{OrgUnit, Organisation};
use dignity_app::speakup::attachment::{self, NotCleaned};
use dignity_app::speakup::check::{self, ConcernForm};
use dignity_app::speakup::flood::{self, Flooded, Proof};
use dignity_app::speakup::once::{self, Claim};
use dignity_app::speakup::pow::Challenge;
use dignity_app::speakup::report::{
    self as reporting, Conversation, OpenedByCode, Report, TakingConcerns,
};
use dignity_app::work::WorkError;
use dignity_crypto::speakup::ReceiptCode;
use dignity_domain::identity::OdsCode;
use dignity_domain::speakup::{CaseStatus, EntryKind, Feedback, IdentityLevel, PatientSafety};
use serde::Deserialize;
use zeroize::Zeroizing;

#[derive(Template)]
#[template(path = "speakup/index.html")]
struct IndexPage {
    chrome: Chrome,
    organisations: Vec<Organisation>,
}

pub async fn index(State(state): State<AppState>, chrome: Chrome) -> Result<Response, AppError> {
    let organisations = reporting::organisations_taking_concerns(&state.app).await?;
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
    /// The name and contact details, under the choice they were typed for: the page shows
    /// each pair only under its own choice (all of them without JavaScript).
    open_name: String,
    open_contact: String,
    confidential_name: String,
    confidential_contact: String,
    /// A name and contact details sent without a choice of their own (by a page from
    /// before the fields moved under each choice, or by a script): read for the choice.
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
    /// The form's one-time mark (`dignity_app::speakup::once`): a reload sends nothing.
    once: String,
}

/// The first of these that is not blank, or blank.
fn first_typed(texts: [&str; 3]) -> &str {
    texts
        .into_iter()
        .find(|t| !t.trim().is_empty())
        .unwrap_or_default()
}

impl ReportForm {
    /// The name and contact fields for the chosen way of being known, if it has them.
    fn own_fields(&mut self) -> Option<(&mut String, &mut String)> {
        match self.identity.as_str() {
            "open" => Some((&mut self.open_name, &mut self.open_contact)),
            "confidential" => Some((&mut self.confidential_name, &mut self.confidential_contact)),
            _ => None,
        }
    }

    /// Puts a name or contact sent without a choice of its own under the chosen one, so
    /// it is read, and shown again if the form comes back.
    fn settle(&mut self) {
        let (name, contact) = (
            std::mem::take(&mut self.name),
            std::mem::take(&mut self.contact),
        );
        match self.own_fields() {
            Some((own_name, own_contact)) => {
                if own_name.trim().is_empty() {
                    *own_name = name;
                }
                if own_contact.trim().is_empty() {
                    *own_contact = contact;
                }
            }
            None => (self.name, self.contact) = (name, contact),
        }
    }

    /// The name and contact as the check reads them: the chosen way's own, or (for
    /// anonymous, or no choice) any typed at all, so none is dropped unsaid.
    fn who(&self) -> (&str, &str) {
        match self.identity.as_str() {
            "open" => (&self.open_name, &self.open_contact),
            "confidential" => (&self.confidential_name, &self.confidential_contact),
            _ => (
                first_typed([&self.name, &self.open_name, &self.confidential_name]),
                first_typed([
                    &self.contact,
                    &self.open_contact,
                    &self.confidential_contact,
                ]),
            ),
        }
    }

    /// Takes every name and contact out of the form, when it comes back anonymous.
    fn forget_who(&mut self) {
        for field in [
            &mut self.name,
            &mut self.contact,
            &mut self.open_name,
            &mut self.open_contact,
            &mut self.confidential_name,
            &mut self.confidential_contact,
        ] {
            field.clear();
        }
    }

    /// The page's field for a problem the check names by "name" or "contact": the one
    /// under the choice made, or else the one typed in.
    fn field_for(&self, field: &'static str) -> String {
        let (open, confidential) = match field {
            "name" => (&self.open_name, &self.confidential_name),
            "contact" => (&self.open_contact, &self.confidential_contact),
            other => return other.into(),
        };
        match self.identity.as_str() {
            level @ ("open" | "confidential") => format!("{level}_{field}"),
            _ if !open.trim().is_empty() => format!("open_{field}"),
            _ if !confidential.trim().is_empty() => format!("confidential_{field}"),
            _ => "identity".into(),
        }
    }

    fn concern(&self) -> ConcernForm<'_> {
        let (name, contact) = self.who();
        ConcernForm {
            kind: &self.kind,
            identity: &self.identity,
            name,
            contact,
            what_happened: &self.what_happened,
            org_unit: &self.org_unit,
            when_month: &self.when_month,
            when_year: &self.when_year,
            who_affected: &self.who_affected,
            patient_safety: &self.patient_safety,
            desired_outcome: &self.desired_outcome,
        }
    }
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
const ALREADY_SENT: &str = "This concern has already been sent, so it was not sent again. Your receipt code was shown when you sent it. If you did not keep it, you can send a new concern, or talk to a Freedom to Speak Up Guardian.";
const BUSY_NOW: &str = "The service is very busy just now. Nothing was sent yet, and what you wrote is kept below. Wait a moment, then press Send my concern again.";

async fn organisation_taking_concerns(
    state: &AppState,
    ods: &str,
) -> Result<TakingConcerns, AppError> {
    let not_here = || {
        AppError::NotFound("We could not find a Speak Up page for that organisation. Check the web address, or choose your organisation from the list.".into())
    };
    let code = OdsCode::parse(ods).map_err(|_| not_here())?;
    reporting::taking_concerns(&state.app, &code)
        .await?
        .ok_or_else(not_here)
}

pub async fn start(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(ods): Path<String>,
) -> Result<Response, AppError> {
    let TakingConcerns {
        organisation,
        units,
        ..
    } = organisation_taking_concerns(&state, &ods).await?;
    // Already flooded: ask for the proof of work now, so a browser solves it at once.
    let pow = flood::challenge(&state.app, &organisation);
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
    // Nothing was sent: the form keeps its mark (a new form gets one).
    if form.once.is_empty() {
        form.once = once::new_mark();
    }
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

fn field_errors(form: &ReportForm, problems: &[check::Problem]) -> Vec<FieldError> {
    problems
        .iter()
        .map(|p| FieldError {
            field: form.field_for(p.field()).into(),
            message: p.to_string(),
        })
        .collect()
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
    Submission { mut form, files }: Submission,
) -> Result<Response, AppError> {
    let to = organisation_taking_concerns(&state, &ods).await?;
    form.settle();
    let (organisation, units) = (to.organisation.clone(), to.units.clone());
    // Everything cheap first: the form, and each file's count, size and declared size.
    let checked = check::check(&form.concern(), &units);
    let (checked, accepted) = match (checked, attachment::check_all(files)) {
        (Ok(checked), Ok(accepted)) => (checked, accepted),
        (result, accepted) => {
            let problems = result.err().unwrap_or_default();
            let mut errors = field_errors(&form, &problems);
            if problems.contains(&check::Problem::NamedButAnonymous) {
                form.forget_who();
            }
            if let Err(refused) = accepted {
                errors.push(FieldError {
                    field: "attachments".into(),
                    message: refused.to_string(),
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
    let proof = Proof {
        challenge: &form.pow_challenge,
        solution: &form.pow_solution,
    };
    let admitted = match flood::admit(&state.app, &organisation, proof) {
        Ok(admitted) => admitted,
        Err(Flooded { challenge, .. }) => {
            let again = FormAgain {
                status: Some(StatusCode::SERVICE_UNAVAILABLE),
                notice: Some(VERY_BUSY),
                pow: Some(challenge),
                ..FormAgain::default()
            };
            return form_again(chrome, organisation, units, form, again);
        }
    };
    let busy_now = |chrome, organisation, units, form| {
        let again = FormAgain {
            status: Some(StatusCode::SERVICE_UNAVAILABLE),
            notice: Some(BUSY_NOW),
            ..FormAgain::default()
        };
        form_again(chrome, organisation, units, form, again)
    };

    // Pictures are redrawn a few at a time, off the async threads.
    let files = match attachment::clean(&state.app, accepted).await {
        Ok(files) => files,
        Err(NotCleaned::Work(WorkError::Busy)) => {
            return busy_now(chrome, organisation, units, form);
        }
        Err(NotCleaned::Work(e)) => return Err(e.into()),
        Err(NotCleaned::Refused(refused)) => {
            let again = FormAgain {
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                errors: vec![FieldError {
                    field: "attachments".into(),
                    message: refused.to_string(),
                }],
                ..FormAgain::default()
            };
            return form_again(chrome, organisation, units, form, again);
        }
    };

    let anonymous = checked.level == IdentityLevel::Anonymous;
    // A reload of the receipt page sends the same form again: refuse it, so there is
    // one case and one receipt code.
    if state
        .app
        .sent_forms
        .claim(&form.once, state.app.clock.now())
        == Claim::Again
    {
        return Err(AppError::Conflict(ALREADY_SENT.into()));
    }
    let receipt = match reporting::send_concern(&state.app, &to, checked, files, admitted).await {
        Ok(receipt) => receipt,
        Err(dignity_app::Error::Work(WorkError::Busy)) => {
            state.app.sent_forms.release(&form.once);
            return busy_now(chrome, organisation, units, form);
        }
        Err(e) => {
            state.app.sent_forms.release(&form.once);
            return Err(e.into());
        }
    };

    let page = ReceiptPage {
        chrome: chrome.titled("Your concern has been sent"),
        organisation,
        code: receipt.code,
        acknowledge_by: receipt.acknowledge_by.long_with_weekday(),
        anonymous,
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
    /// What was just sent, after a reply or feedback redirected here.
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FollowUpQuery {
    sent: String,
}

/// Replies and feedback redirect here once saved, so reloading the page can never send
/// them twice. The code is never put in the address; the person enters it again to read on.
pub async fn follow_up(
    chrome: Chrome,
    QueryData(query): QueryData<FollowUpQuery>,
) -> Result<Response, AppError> {
    let notice = match query.sent.as_str() {
        "message" => Some(
            "Your message has been sent to the guardian. To read your conversation again, enter your receipt code.",
        ),
        "feedback" => Some("Thank you for your feedback."),
        _ => None,
    };
    Ok(render(&FollowUpPage {
        chrome: chrome.titled("Follow up your concern"),
        notice,
    })?
    .into_response())
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

fn heading(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::ToReporter => "From the guardian",
        EntryKind::Closure => "How your concern ended",
        EntryKind::FeedbackComment => "Your feedback",
        _ => "From you",
    }
}

async fn conversation(
    state: &AppState,
    chrome: Chrome,
    opened: &OpenedByCode,
    notice: Option<&'static str>,
    errors: Vec<FieldError>,
) -> Result<Response, AppError> {
    let Conversation { report, entries } = reporting::conversation(&state.app, opened).await?;
    let entries = entries
        .into_iter()
        .map(|entry| Shown {
            heading: heading(entry.kind),
            on: entry.on.long_with_weekday(),
            text: entry.text,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let case = &opened.case;
    let page = ConversationPage {
        chrome: chrome.titled("Your concern").with_errors(errors),
        code: opened.code.display(),
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

/// Said for every code that does not open a case, whatever the reason.
const NO_SUCH_CODE: &str = "We could not find a concern with that code. Check it and try again";

fn wrong_code(chrome: Chrome, message: String) -> Result<Response, AppError> {
    let chrome = chrome
        .titled("Follow up your concern")
        .with_errors(vec![FieldError {
            field: "code".into(),
            message,
        }]);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&FollowUpPage {
            chrome,
            notice: None,
        })?,
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
    match reporting::open_by_code(&state.app, &form.code).await? {
        Some(opened) => conversation(&state, chrome, &opened, None, Vec::new()).await,
        None => wrong_code(chrome, NO_SUCH_CODE.into()),
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
    let Some(opened) = reporting::open_by_code(&state.app, &form.code).await? else {
        return wrong_code(chrome, NO_SUCH_CODE.into());
    };
    let message = match check::check_message(&form.message) {
        Ok(message) => message,
        Err(problem) => {
            let errors = vec![FieldError {
                field: "message".into(),
                message: problem.to_string(),
            }];
            return conversation(&state, chrome, &opened, None, errors).await;
        }
    };
    reporting::reply(&state.app, &opened.case, message).await?;
    Ok(Redirect::to("/speak-up/follow-up?sent=message").into_response())
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
    let Some(opened) = reporting::open_by_code(&state.app, &form.code).await? else {
        return wrong_code(chrome, NO_SUCH_CODE.into());
    };
    let Ok(answer) = form.answer.parse::<Feedback>() else {
        let errors = vec![FieldError {
            field: "answer".into(),
            message: "Choose an answer".into(),
        }];
        return conversation(&state, chrome, &opened, None, errors).await;
    };
    let comment = match check::check_comment(&form.comment) {
        Ok(comment) => comment,
        Err(too_long) => {
            let errors = vec![FieldError {
                field: "comment".into(),
                message: too_long.to_string(),
            }];
            return conversation(&state, chrome, &opened, None, errors).await;
        }
    };
    reporting::give_feedback(&state.app, &opened.case, answer, comment).await?;
    Ok(Redirect::to("/speak-up/follow-up?sent=feedback").into_response())
}

//! The yearly round's pages: opening it, the round with each member's conclusion, the
//! chair's signature and the annual return to download.

use super::{base, field_errors};
use crate::access::{Access, CurrentUser};
use crate::date_input;
use crate::error::AppError;
use crate::forms::{Fields, FormData, QueryData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError, render};
use crate::routes::Routes;
use crate::state::AppState;
use crate::table::Download;
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::leadership::rounds::{self, CHAIRS, CONCLUDERS, ConcludeForm, InRound};
use dignity_app::leadership::rounds::{Round, SignedReturn};
use dignity_app::leadership::{KEEPERS, READERS, RecordError, VIEWERS};
use dignity_domain::leadership::Conclusion;
use dignity_domain::speakup::Day;
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    routes
        .post(
            "/orgs/{ods}/board/rounds",
            Access::InOrganisation(KEEPERS),
            open_round,
        )
        .get(
            "/orgs/{ods}/board/rounds/{id}",
            Access::InOrganisation(VIEWERS),
            round_page,
        )
        .post(
            "/orgs/{ods}/board/rounds/{id}/members/{member}/conclude",
            Access::InOrganisation(CONCLUDERS),
            conclude,
        )
        .post(
            "/orgs/{ods}/board/rounds/{id}/sign",
            Access::InOrganisation(CHAIRS),
            sign,
        )
        .get(
            "/orgs/{ods}/board/rounds/{id}/return.csv",
            Access::InOrganisation(READERS),
            return_csv,
        )
        .get(
            "/orgs/{ods}/board/rounds/{id}/return.pdf",
            Access::InOrganisation(READERS),
            return_pdf,
        )
}

fn number(raw: &str, what: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("There is no such {what}")))
}

async fn open_round(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let sent = Fields::new(pairs)?;
    let typed = sent.date("due_on");
    let mut errors = Vec::new();
    let due_on = date_input::required(&typed, "due_on", "the day the round is due", &mut errors);
    if errors.is_empty() {
        match rounds::open_round(
            &state.app,
            &user,
            &organisation,
            due_on,
            &state.settings.public_url,
        )
        .await
        {
            Ok(id) => {
                return Ok(Redirect::to(&format!(
                    "{}/rounds/{id}?done=opened",
                    base(&organisation)
                ))
                .into_response());
            }
            Err(RecordError::Form(problems)) => errors.extend(field_errors(problems)),
            Err(RecordError::App(e)) => return Err(e.into()),
            Err(e) => return Err(AppError::BadRequest(e.to_string())),
        }
    }
    super::show_board(
        &state,
        chrome.with_errors(errors),
        &user,
        organisation,
        super::BoardTyped {
            due_on: typed,
            ..super::BoardTyped::default()
        },
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DoneQuery {
    done: String,
}

fn done_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "opened" => {
            "The round is open. Each member has been sent a reminder to make their declaration."
        }
        "concluded" => "Your conclusion is recorded.",
        "signed" => "The annual return is signed. The public register now shows it.",
        _ => return None,
    })
}

/// What a chair typed to conclude for one member, kept when the page is shown again.
#[derive(Default)]
struct Typed {
    member: Option<i64>,
    conclusion: String,
    serious_misconduct: bool,
    why_without: String,
    action: String,
    dispute: String,
}

#[derive(Template)]
#[template(path = "leadership/round.html")]
struct RoundPage {
    chrome: Chrome,
    organisation: Organisation,
    round: Round,
    members: Vec<InRound>,
    chair: bool,
    /// Whether they may download the return (the senior independent director may not).
    reader: bool,
    /// The members this person may conclude about.
    concludable: Vec<i64>,
    today: Day,
    typed: Typed,
    done: Option<&'static str>,
}

impl RoundPage {
    fn conclusions(&self) -> &'static [Conclusion] {
        Conclusion::ALL
    }
    fn waiting(&self) -> usize {
        self.members
            .iter()
            .filter(|m| m.assessment.conclusion.is_none())
            .count()
    }
    fn due(&self, member: &InRound) -> usize {
        member.listed.due(self.today)
    }
    /// The form's field id for this member, unique on the page.
    fn field(&self, member: &InRound, name: &str) -> String {
        format!("{name}-{}", member.listed.member.id)
    }
    fn typed_for(&self, member: &InRound) -> Option<&Typed> {
        (self.typed.member == Some(member.listed.member.id)).then_some(&self.typed)
    }
    fn typed_text(&self, member: &InRound, name: &str) -> String {
        self.typed_for(member)
            .map(|t| match name {
                "why_without" => t.why_without.clone(),
                "action" => t.action.clone(),
                _ => t.dispute.clone(),
            })
            .unwrap_or_default()
    }
    fn is_chosen(&self, member: &InRound, code: &str) -> bool {
        self.typed_for(member).is_some_and(|t| t.conclusion == code)
    }
    fn serious_ticked(&self, member: &InRound) -> bool {
        self.typed_for(member).is_some_and(|t| t.serious_misconduct)
    }
    /// The chair concludes for everyone but themself.
    fn concludes_for(&self, member: &InRound) -> bool {
        self.round.signed_on.is_none() && self.concludable.contains(&member.listed.member.id)
    }
}

async fn show_round(
    state: &AppState,
    chrome: Chrome,
    user: &CurrentUser,
    organisation: Organisation,
    id: i64,
    typed: Typed,
    done: Option<&'static str>,
) -> Result<Response, AppError> {
    let (round, members) = rounds::round(&state.app, user, &organisation, id).await?;
    let concludable = rounds::concludable(&state.app, user, &organisation, &members).await?;
    let page = RoundPage {
        chrome: chrome
            .titled(format!("The {} round: {}", round.year, organisation.name))
            .under(base(&organisation), "Board members"),
        chair: rounds::may_conclude(user, &organisation),
        reader: user.has_org_role(&organisation.ods_code, READERS),
        concludable,
        today: state.app.clock.today(),
        organisation,
        round,
        members,
        typed,
        done,
    };
    let status = if page.chrome.errors.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, render(&page)?).into_response())
}

async fn round_page(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    QueryData(query): QueryData<DoneQuery>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let id = number(&id, "round")?;
    show_round(
        &state,
        chrome,
        &user,
        organisation,
        id,
        Typed::default(),
        done_text(&query.done),
    )
    .await
}

async fn conclude(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id, member)): Path<(String, String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let (id, member) = (number(&id, "round")?, number(&member, "board member")?);
    let sent = Fields::new(pairs)?;
    let form = ConcludeForm {
        conclusion: sent.get("conclusion"),
        serious_misconduct: sent.ticked("serious_misconduct"),
        why_without: sent.get("why_without"),
        action: sent.get("action"),
        dispute: sent.get("dispute"),
    };
    let problems = match rounds::conclude(&state.app, &user, &organisation, id, member, &form).await
    {
        Ok(()) => {
            return Ok(Redirect::to(&format!(
                "{}/rounds/{id}?done=concluded#member-{member}",
                base(&organisation)
            ))
            .into_response());
        }
        Err(RecordError::Form(problems)) => problems,
        Err(RecordError::App(e)) => return Err(e.into()),
        Err(e) => return Err(AppError::BadRequest(e.to_string())),
    };
    // Each member's form has its own ids on the page.
    let errors: Vec<FieldError> = field_errors(problems)
        .into_iter()
        .map(|e| FieldError {
            field: format!("{}-{member}", e.field).into(),
            message: e.message,
        })
        .collect();
    let typed = Typed {
        member: Some(member),
        conclusion: form.conclusion,
        serious_misconduct: form.serious_misconduct,
        why_without: form.why_without,
        action: form.action,
        dispute: form.dispute,
    };
    show_round(
        &state,
        chrome.with_errors(errors),
        &user,
        organisation,
        id,
        typed,
        None,
    )
    .await
}

async fn sign(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
    FormData(pairs): FormData<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let id = number(&id, "round")?;
    Fields::new(pairs)?;
    match rounds::sign(&state.app, &user, &organisation, id).await {
        Ok(()) => Ok(
            Redirect::to(&format!("{}/rounds/{id}?done=signed", base(&organisation)))
                .into_response(),
        ),
        Err(RecordError::Form(problems)) => {
            show_round(
                &state,
                chrome.with_errors(field_errors(problems)),
                &user,
                organisation,
                id,
                Typed::default(),
                None,
            )
            .await
        }
        Err(RecordError::App(e)) => Err(e.into()),
        Err(e) => Err(AppError::BadRequest(e.to_string())),
    }
}

async fn return_csv(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let id = number(&id, "round")?;
    Ok(rounds::annual_return(&state.app, &user, &organisation, id)
        .await?
        .table()
        .csv_response())
}

async fn return_pdf(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path((ods, id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let id = number(&id, "round")?;
    pdf_response(rounds::annual_return(&state.app, &user, &organisation, id).await?).await
}

/// A signed return as its one-page PDF, drawn from the rows kept when it was signed.
pub(super) async fn pdf_response(signed: SignedReturn) -> Result<Response, AppError> {
    let tally = signed.tally();
    let mut totals = format!(
        "{} board {}: {} fit and proper",
        tally.members,
        if tally.members == 1 {
            "member"
        } else {
            "members"
        },
        tally.fit
    );
    if tally.not_fit > 0 {
        totals.push_str(&format!(", {} not fit and proper", tally.not_fit));
    }
    let cell = |row: &[String], n: usize| row.get(n).cloned().unwrap_or_default();
    let lines = signed
        .rows
        .iter()
        .map(|row| {
            let mut flags = Vec::new();
            if cell(row, 6) == "yes" {
                flags.push("Concluded without every check");
            }
            if cell(row, 7) == "yes" {
                flags.push("Finding of serious misconduct");
            }
            dignity_poster::board_return::ReturnLine {
                name: cell(row, 2),
                seats: cell(row, 3),
                conclusion: cell(row, 4),
                concluded_on: Day::parse(&cell(row, 5))
                    .map(Day::long)
                    .unwrap_or_else(|_| cell(row, 5)),
                flags: flags.join(". "),
            }
        })
        .collect();
    let form = dignity_poster::board_return::BoardReturn {
        organisation: signed.organisation.name.clone(),
        title: format!("Fit and proper person annual return, {}", signed.year),
        signed: format!("Signed by the chair on {}", signed.signed_on.long()),
        totals,
        lines,
    };
    // Drawing a page takes a few milliseconds of CPU: kept off the request threads.
    let pdf = tokio::task::spawn_blocking(move || dignity_poster::board_return::pdf(&form))
        .await
        .map_err(|e| AppError::Internal(format!("return: {e}")))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/pdf".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.pdf\"", signed.file_name()),
            ),
        ],
        pdf,
    )
        .into_response())
}

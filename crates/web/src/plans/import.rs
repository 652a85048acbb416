//! Bringing actions in from a spreadsheet (the same columns as the download), and copying a
//! plan into a new period.

use super::editor::{Kept, PlanForm, editor, field, problems, problems_kept};
use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::{FormData, PathData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, FieldError};
use crate::state::AppState;
use axum::Extension;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::plans::{self, ImportedAction};
use dignity_domain::plans::{ActionStatus, Dates, Percent, check_status};
use dignity_domain::speakup::Day;

/// Most actions in one file: far more than any plan holds, small enough to check at once.
const MOST_ROWS: usize = 500;
/// Mistakes named on the page; the rest are counted.
const SHOWN_MISTAKES: usize = 10;

/// The columns, as the download names them. The first five must be there.
const REQUIRED: [&str; 5] = ["commitment", "action", "owner", "starts on", "due on"];
const OPTIONAL: [&str; 8] = [
    "part of",
    "description",
    "employer lead",
    "union lead",
    "status",
    "reason",
    "progress",
    "weight",
];

/// The line a record starts on. The reader's own count, and its offset, include blank
/// lines it skipped before the record, so those are passed over here.
fn line_at(text: &str, byte: u64) -> usize {
    let bytes = text.as_bytes();
    let start = usize::try_from(byte).unwrap_or(0).min(bytes.len());
    let (before, after) = bytes.split_at(start);
    let blank = after
        .iter()
        .take_while(|b| matches!(b, b'\n' | b'\r'))
        .filter(|b| **b == b'\n')
        .count();
    before.iter().filter(|b| **b == b'\n').count() + blank + 1
}

/// Reads a plan spreadsheet. `existing` holds the titles of actions already in the plan,
/// which rows can be part of. Every mistake is named with its line; any mistake means no
/// action is returned.
pub fn read_actions(text: &str, existing: &[String]) -> Result<Vec<ImportedAction>, Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_lowercase()).collect(),
        Err(_) => return Err(vec!["Line 1: the column headings could not be read".into()]),
    };
    let mut mistakes = Vec::new();
    for name in &header {
        if !REQUIRED.contains(&name.as_str()) && !OPTIONAL.contains(&name.as_str()) {
            mistakes.push(format!("Line 1: \"{name}\" is not a column Dignity knows"));
        }
    }
    for name in REQUIRED {
        if !header.iter().any(|h| h == name) {
            mistakes.push(format!("Line 1: the \"{name}\" column is missing"));
        }
    }
    if !mistakes.is_empty() {
        return Err(mistakes);
    }
    let column = |name: &str| header.iter().position(|h| h == name);
    let mut titles: Vec<String> = existing.iter().map(|t| t.to_lowercase()).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(text, p.byte()));
                mistakes.push(format!("Line {line}: this line could not be read"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| line_at(text, p.byte()));
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() + mistakes.len() >= MOST_ROWS {
            return Err(vec![format!(
                "The file has more than {MOST_ROWS} actions. Split it into smaller files"
            )]);
        }
        let get = |name: &str| {
            column(name)
                .and_then(|i| record.get(i))
                .unwrap_or_default()
                .to_owned()
        };
        let mut problem = |message: String| mistakes.push(format!("Line {line}: {message}"));
        let title = get("action");
        let owner = get("owner");
        let commitment = get("commitment");
        for (value, what, max) in [
            (&title, "what the action is", 300),
            (&owner, "who owns the action", 200),
            (&commitment, "the commitment", 200),
        ] {
            if value.is_empty() {
                problem(format!("enter {what}"));
            } else if value.chars().count() > max {
                problem(format!("{what} must be {max} characters or fewer"));
            }
        }
        let description = get("description");
        if description.chars().count() > 5_000 {
            problem("the description must be 5,000 characters or fewer".into());
        }
        let (employer_lead, union_lead) = (get("employer lead"), get("union lead"));
        if employer_lead.chars().count() > 200 || union_lead.chars().count() > 200 {
            problem("each lead must be 200 characters or fewer".into());
        }
        let day = |raw: String, what: &str| {
            Day::parse(&raw).map_err(|_| format!("{what} must be a date like 2026-04-01"))
        };
        let dates = match (
            day(get("starts on"), "starts on"),
            day(get("due on"), "due on"),
        ) {
            (Ok(a), Ok(b)) => Dates::new(a, b).map_err(|e| e.to_string()),
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        let dates = dates.map_err(&mut problem).ok();
        let status_text = get("status");
        let status = if status_text.is_empty() {
            Some(ActionStatus::NotStarted)
        } else {
            let found = ActionStatus::ALL.iter().copied().find(|s| {
                s.code().eq_ignore_ascii_case(&status_text)
                    || s.label().eq_ignore_ascii_case(&status_text)
            });
            if found.is_none() {
                problem(format!(
                    "\"{status_text}\" is not a status. Use not started, on track, at risk, off track, done or dropped"
                ));
            }
            found
        };
        let reason = get("reason");
        if let Some(Err(e)) = status.map(|s| check_status(s, &reason)) {
            problem(e.to_string());
        }
        let progress_text = get("progress");
        let progress = if progress_text.is_empty() {
            Percent::new(0)
        } else {
            Percent::parse(&progress_text)
                .map_err(|e| problem(e.to_string()))
                .ok()
        };
        let weight_text = get("weight");
        let weight = match weight_text.parse::<u32>() {
            _ if weight_text.is_empty() => Some(None),
            Ok(w) if (1..=100).contains(&w) => Some(Some(w)),
            _ => {
                problem("weight must be a whole number from 1 to 100".into());
                None
            }
        };
        let part_of = Some(get("part of")).filter(|p| !p.is_empty());
        if let Some(parent) = part_of
            .as_ref()
            .filter(|p| !titles.contains(&p.to_lowercase()))
        {
            problem(format!(
                "there is no action called \"{parent}\" above this line or in the plan"
            ));
        }
        titles.push(title.to_lowercase());
        if let (Some(dates), Some(status), Some(progress), Some(weight)) =
            (dates, status, progress, weight)
        {
            rows.push(ImportedAction {
                line,
                commitment,
                part_of,
                title,
                description,
                owner,
                employer_lead,
                union_lead,
                dates,
                weight,
                status,
                reason,
                progress,
            });
        }
    }
    if !mistakes.is_empty() {
        return Err(mistakes);
    }
    if rows.is_empty() {
        return Err(vec!["The file has no actions in it".into()]);
    }
    Ok(rows)
}

/// Mistakes as one message: the first few, and how many more.
fn summary(mistakes: Vec<String>) -> String {
    let more = mistakes.len().saturating_sub(SHOWN_MISTAKES);
    let mut message = mistakes
        .into_iter()
        .take(SHOWN_MISTAKES)
        .collect::<Vec<_>>()
        .join("; ");
    if more > 0 {
        message.push_str(&format!("; and {more} more"));
    }
    format!("Nothing was added. Correct the file and try again. {message}")
}

/// Adds the actions in an uploaded spreadsheet, all or none.
pub async fn import(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    request: Request,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    let file = crate::forms::uploaded_text(request, &state, "file").await?;
    let problem = |message: String| vec![field("file", message)];
    let existing: Vec<String> = plans::actions(&state.app, plan.id)
        .await?
        .into_iter()
        .map(|a| a.title)
        .collect();
    let errors: Vec<FieldError> = match file {
        None => problem("Choose a spreadsheet saved as a CSV file".into()),
        Some(Err(_)) => problem("The file must be a CSV file saved as text (UTF-8)".into()),
        Some(Ok(text)) => match read_actions(&text, &existing) {
            Err(mistakes) => problem(summary(mistakes)),
            Ok(rows) => {
                let editor = editor(&state, &user, &organisation);
                match editor.import_actions(plan.id, &rows).await {
                    Ok(_) => {
                        return Ok(Redirect::to(&format!(
                            "/orgs/{}/plans/{}",
                            organisation.ods_code, plan.id
                        ))
                        .into_response());
                    }
                    Err(dignity_app::Error::Conflict(m)) => problem(summary(vec![m])),
                    Err(e) => return Err(e.into()),
                }
            }
        },
    };
    problems(&state, chrome, errors, &user, organisation, plan).await
}

/// Starts a new plan for a new period from this one.
pub async fn copy(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, id)): PathData<(String, i64)>,
    FormData(form): FormData<PlanForm>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = plans::plan_in(&state.app, &organisation, id).await?;
    // The copy keeps this plan's summary.
    let form = PlanForm {
        summary: plan.summary.clone(),
        ..form
    };
    match form.read(["copy_title", "copy_start", "copy_end"]) {
        Ok(new_plan) => {
            let copy = editor(&state, &user, &organisation)
                .copy_plan(plan.id, &new_plan)
                .await?;
            Ok(Redirect::to(&format!(
                "/orgs/{}/plans/{}",
                organisation.ods_code, copy.id
            ))
            .into_response())
        }
        Err(errors) => {
            let kept = Kept {
                copy: Some(form),
                ..Kept::default()
            };
            problems_kept(&state, chrome, errors, &user, organisation, plan, kept).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "commitment,action,part of,owner,starts on,due on,status,reason,progress,weight\n";

    #[test]
    fn a_good_file_is_read_in_order_with_parts() {
        let text = format!(
            "\u{feff}{HEADER}Leadership,Civility training,,HR,2026-05-01,2026-09-30,On track,,40,\n\
             Leadership,Train the trainers,Civility training,HR,2026-05-01,2026-06-30,,,,2\n\
             \n\
             Speaking up,Guardian drop-ins,,FTSU,2026-04-01,2027-03-31,dropped,Merged,0,\n"
        );
        let rows = read_actions(&text, &[]).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].status, ActionStatus::OnTrack);
        assert_eq!(rows[0].progress.value(), 40);
        assert_eq!(rows[1].part_of.as_deref(), Some("Civility training"));
        assert_eq!(rows[1].weight, Some(2));
        assert_eq!(rows[2].line, 5);
    }

    #[test]
    fn every_mistake_is_named_by_line_and_nothing_is_returned() {
        let text = format!(
            "{HEADER}Leadership,,,HR,2026-05-01,2026-09-30,,,,\n\
             Leadership,Late,,HR,2026-09-30,2026-05-01,,,,\n\
             Leadership,Odd,,HR,2026-05-01,2026-09-30,sort of,,140,0\n\
             Leadership,Orphan,Nobody,HR,2026-05-01,2026-09-30,dropped,,,\n"
        );
        let mistakes = read_actions(&text, &[]).unwrap_err();
        let all = mistakes.join("\n");
        assert!(all.contains("Line 2: enter what the action is"), "{all}");
        assert!(all.contains("Line 3: The due date must be"), "{all}");
        assert!(all.contains("Line 4: \"sort of\" is not a status"), "{all}");
        assert!(all.contains("Line 4: Progress must be"), "{all}");
        assert!(all.contains("Line 4: weight must be"), "{all}");
        assert!(
            all.contains("Line 5: there is no action called \"Nobody\""),
            "{all}"
        );
        assert!(
            all.contains("Line 5: Say why the action was dropped"),
            "{all}"
        );
        // A part of an action already in the plan is fine.
        let ok = format!("{HEADER}Leadership,Part,Existing,HR,2026-05-01,2026-09-30,,,,\n");
        assert!(read_actions(&ok, &["existing".into()]).is_ok());
    }

    #[test]
    fn wrong_columns_and_empty_files_are_refused() {
        let mistakes = read_actions("action,shoe size\nA,9\n", &[]).unwrap_err();
        assert!(
            mistakes
                .iter()
                .any(|m| m.contains("\"shoe size\" is not a column"))
        );
        assert!(
            mistakes
                .iter()
                .any(|m| m.contains("\"owner\" column is missing"))
        );
        assert!(read_actions(HEADER, &[]).is_err());
        assert!(read_actions("", &[]).is_err());
        let many = format!(
            "{HEADER}{}",
            "L,A,,HR,2026-05-01,2026-09-30,,,,\n".repeat(MOST_ROWS + 1)
        );
        assert!(read_actions(&many, &[]).unwrap_err()[0].contains("more than 500"));
    }
}

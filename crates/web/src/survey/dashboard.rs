//! The campaign list and a campaign's dashboard.

use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::PathData;
pub(super) use crate::identity::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use crate::table::Table;
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::survey::{answer_score, theme_score};
use dignity_engine::Bitmap;
use dignity_engine::aggregate::{Indicator, indicator, reports};
use dignity_engine::disclosure::{self, Answers, Disclosed, Minimum};
use dignity_engine::equality::{self, DISABILITY, RACE};
use dignity_engine::stats::{differs, wilson};
use dignity_store::identity::Organisation;
use dignity_store::survey::{self, Campaign};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "survey/list.html")]
struct ListPage {
    chrome: Chrome,
    organisation: Organisation,
    campaigns: Vec<(Campaign, bool)>,
    admin: bool,
}

pub async fn list(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let today = Day::from_unix_seconds(crate::now());
    let campaigns = survey::campaigns_for(&state.db, organisation.id)
        .await?
        .into_iter()
        .map(|c| {
            let open = c.is_open(today);
            (c, open)
        })
        .collect();
    let chrome = chrome.titled(format!("Staff surveys: {}", organisation.name));
    Ok(render(&ListPage {
        admin: user.has_org_role(&organisation.ods_code, &[Role::OrgAdmin]),
        chrome,
        organisation,
        campaigns,
    })?
    .into_response())
}

/// A percentage as shown: hidden, or a value with its interval. Made only from a
/// [`Disclosed`] figure, so nothing the disclosure rules hid can reach a page or a download.
pub struct Shown {
    text: String,
    detail: String,
    /// Said only when a difference is too big to be chance, such as "higher than everyone
    /// else".
    note: String,
}

impl Shown {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn detail(&self) -> &str {
        &self.detail
    }

    pub fn note(&self) -> &str {
        &self.note
    }
}

/// The answers to one question as a stored-engine indicator, in the disclosure's terms.
pub(super) fn answers_of(i: &Indicator) -> Answers {
    Answers {
        positive: i.positive,
        answered: i.answered,
    }
}

/// Adds a note to `shown` when the two shown figures differ significantly (two-proportion
/// test at 95 %): `notes.0` when the first is higher, `notes.1` when lower. Nothing is said
/// otherwise, so chance differences are never called out, and nothing at all when either
/// is hidden.
fn compared(mut shown: Shown, pair: Disclosed<(Answers, Answers)>, notes: (&str, &str)) -> Shown {
    if let Some((a, b)) = pair.value()
        && differs(a.positive, a.answered, b.positive, b.answered)
    {
        let higher = a.positive as f64 / a.answered as f64 > b.positive as f64 / b.answered as f64;
        shown.note = if higher { notes.0 } else { notes.1 }.to_owned();
    }
    shown
}

/// The same organisation's campaign of the same survey in the year before, if any.
async fn last_year(
    state: &AppState,
    campaign: &Campaign,
) -> Result<Option<(Campaign, std::sync::Arc<super::cache::Loaded>)>, AppError> {
    let before = survey::campaigns_for(&state.db, campaign.organisation_id)
        .await?
        .into_iter()
        .find(|c| c.survey_id == campaign.survey_id && c.year == campaign.year - 1);
    match before {
        Some(c) => {
            let loaded = state.app.surveys.campaign(&state.app, &c).await?;
            Ok(Some((c, loaded)))
        }
        None => Ok(None),
    }
}

pub(super) fn percent(figure: &Disclosed<Answers>, minimum: Minimum) -> Shown {
    let interval = figure.map(|a| wilson(a.positive, a.answered).map(|p| (p, a.answered)));
    match interval.flatten().into_value() {
        Some((p, answered)) => Shown {
            note: String::new(),
            text: format!("{:.0}%", p.value * 100.0),
            detail: format!(
                "{:.0}% to {:.0}%, {answered} answered",
                p.low * 100.0,
                p.high * 100.0
            ),
        },
        None => Shown {
            note: String::new(),
            text: "hidden".into(),
            detail: format!(
                "fewer than {minimum} people, or could be worked out from other figures"
            ),
        },
    }
}

/// A score (0 to 10) as shown.
pub(super) fn score(figure: Disclosed<f64>) -> String {
    figure
        .into_value()
        .map_or("hidden".into(), |s| format!("{s:.1}"))
}

struct ItemRow {
    text: String,
    overall: Shown,
    groups: Vec<Shown>,
    /// The same question in last year's survey, if there was one.
    last_year: Option<Shown>,
}

struct ThemeRow {
    title: String,
    score: String,
}

struct EqualityRow {
    title: String,
    focus: String,
    reference: String,
    ratio: String,
    significant: bool,
}

#[derive(Template)]
#[template(path = "survey/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    organisation: Organisation,
    campaign: Campaign,
    respondents: Option<u64>,
    /// The smallest group shown.
    minimum: u64,
    groupings: Vec<(String, String)>,
    by: String,
    group_labels: Vec<String>,
    items: Vec<ItemRow>,
    /// Title of last year's survey, when there is one to compare with.
    last_year: Option<String>,
    themes: Vec<ThemeRow>,
    speaking_up: Option<String>,
    wres: Vec<EqualityRow>,
    wdes: Vec<EqualityRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DashboardQuery {
    by: String,
    /// Which table to download: the questions (the default), "headlines", "wres" or "wdes".
    table: String,
}

fn equality_rows(
    columns: &dignity_engine::Columns,
    all: &Bitmap,
    definitions: &[equality::Definition],
    pair: equality::Pair,
    minimum: Minimum,
) -> Result<Vec<EqualityRow>, AppError> {
    let mut rows = Vec::new();
    for def in definitions {
        let Some(c) = equality::compare(columns, all, def, pair, minimum)
            .map_err(|e| AppError::Internal(e.to_string()))?
        else {
            continue;
        };
        let show = |p: Disclosed<dignity_engine::stats::Proportion>| {
            p.into_value()
                .map_or("hidden".to_owned(), |p| format!("{:.0}%", p.value * 100.0))
        };
        rows.push(EqualityRow {
            title: def.title.to_owned(),
            focus: show(c.focus),
            reference: show(c.reference),
            ratio: c.ratio.into_value().map_or("not shown".to_owned(), |r| {
                format!("{:.2} ({:.2} to {:.2})", r.value, r.low, r.high)
            }),
            significant: c.significant,
        });
    }
    Ok(rows)
}

pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    if let Some(waiting) = super::waiting::unless_closed(&state, &ods, campaign_id).await? {
        return waiting.page(chrome);
    }
    let page = build(&state, chrome, &ods, campaign_id, &query).await?;
    Ok(render(&page)?.into_response())
}

/// The same figures as the page, suppressed the same way, as a table to download.
async fn table(
    state: &AppState,
    ods: &str,
    campaign_id: i64,
    query: &DashboardQuery,
) -> Result<Table, AppError> {
    if let Some(waiting) = super::waiting::unless_closed(state, ods, campaign_id).await? {
        return Err(waiting.refusal());
    }
    let page = build(state, Chrome::default(), ods, campaign_id, query).await?;
    let name = format!("survey-{}-{}", page.organisation.ods_code, page.campaign.id);
    let equality = |rows: &[EqualityRow], focus: &str, reference: &str, which: &str| Table {
        name: format!("{name}-{which}"),
        header: vec![
            "indicator".into(),
            focus.into(),
            reference.into(),
            "ratio (95% interval)".into(),
            "a real difference".into(),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.title.clone(),
                    r.focus.clone(),
                    r.reference.clone(),
                    r.ratio.clone(),
                    if r.significant { "yes" } else { "no" }.into(),
                ]
            })
            .collect(),
    };
    match query.table.as_str() {
        "headlines" => {
            let mut rows = vec![vec![
                "Speaking-up index (0 to 100)".to_owned(),
                page.speaking_up.clone().unwrap_or_else(|| "hidden".into()),
            ]];
            rows.extend(
                page.themes
                    .iter()
                    .map(|t| vec![format!("{} (0 to 10)", t.title), t.score.clone()]),
            );
            return Ok(Table {
                name: format!("{name}-headlines"),
                header: vec!["measure".into(), "score".into()],
                rows,
            });
        }
        "wres" => {
            return Ok(equality(
                &page.wres,
                "Black and minority ethnic staff",
                "White staff",
                "wres",
            ));
        }
        "wdes" => {
            return Ok(equality(
                &page.wdes,
                "Disabled staff",
                "Staff who are not disabled",
                "wdes",
            ));
        }
        _ => {}
    }
    let mut header = vec!["question".to_owned(), "everyone".to_owned()];
    if let Some(title) = &page.last_year {
        header.push(format!("last year ({title})"));
        header.push("change".to_owned());
    }
    for label in &page.group_labels {
        header.push(label.clone());
        header.push(format!("{label}: compared with everyone else"));
    }
    let rows = page
        .items
        .iter()
        .map(|row| {
            let mut cells = vec![row.text.clone(), row.overall.text().to_owned()];
            if let Some(last) = &row.last_year {
                cells.push(last.text().to_owned());
                cells.push(last.note().to_owned());
            }
            for g in &row.groups {
                cells.push(g.text().to_owned());
                cells.push(g.note().to_owned());
            }
            cells
        })
        .collect();
    Ok(Table { name, header, rows })
}

pub async fn csv(
    State(state): State<AppState>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    Ok(table(&state, &ods, campaign_id, &query)
        .await?
        .csv_response())
}

pub async fn xlsx(
    State(state): State<AppState>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
    Query(query): Query<DashboardQuery>,
) -> Result<Response, AppError> {
    table(&state, &ods, campaign_id, &query)
        .await?
        .xlsx_response()
}

async fn build(
    state: &AppState,
    chrome: Chrome,
    ods: &str,
    campaign_id: i64,
    query: &DashboardQuery,
) -> Result<DashboardPage, AppError> {
    let organisation = organisation(state, ods).await?;
    let campaign = super::admin::campaign_in(state, &organisation, campaign_id).await?;
    let loaded = state.app.surveys.campaign(&state.app, &campaign).await?;
    let (definition, columns) = (&loaded.definition, &loaded.columns);
    let minimum = state.settings.minimums.survey();
    let all = Bitmap::full(columns.rows());
    let whole = disclosure::population(columns.rows() as u64, minimum);
    // Every stored item: each question, and each choice of a multiple-choice question.
    let questions = definition.items();
    let item_indexes: Vec<usize> = (0..questions.len()).collect();

    let groupings: Vec<(String, String)> = columns
        .dims()
        .iter()
        .map(|d| {
            // "staff_group" reads as "Staff group".
            let words = d.key.replace('_', " ");
            let mut chars = words.chars();
            let label = chars
                .next()
                .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
                .unwrap_or_default();
            (d.key.clone(), label)
        })
        .collect();
    let by = columns.dim_index(&query.by);
    // Everyone, then the chosen grouping if there is one.
    let breakdowns: Vec<Option<usize>> = std::iter::once(None).chain(by.map(Some)).collect();
    let out = reports(columns, &all, &item_indexes, &breakdowns, 2)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let everyone = out
        .first()
        .ok_or_else(|| AppError::Internal("the engine returned no report".into()))?;
    let (group_labels, groups): (Vec<String>, Vec<Disclosed<u64>>) = match (by, out.get(1)) {
        (Some(d), Some(report)) => {
            let sizes: Vec<u64> = (0..report.groups).map(|g| report.group_size(g)).collect();
            let mut labels = vec!["Not given".to_owned()];
            if let Some(dim) = columns.dims().get(d) {
                labels.extend(dim.labels.iter().cloned());
            }
            (labels, disclosure::groups(&sizes, &whole, minimum))
        }
        _ => (Vec::new(), Vec::new()),
    };
    let previous = last_year(state, &campaign).await?;
    let previous_counts: Vec<Disclosed<Answers>> = match &previous {
        Some((_, loaded)) => {
            let before = &loaded.columns;
            let whole_before = disclosure::population(before.rows() as u64, minimum);
            let keys: Vec<Option<usize>> = questions
                .iter()
                .map(|q| before.item_index(&q.key))
                .collect();
            let present: Vec<usize> = keys.iter().flatten().copied().collect();
            let report = reports(before, &Bitmap::full(before.rows()), &present, &[None], 2)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            keys.iter()
                .map(|k| {
                    let counts = (*k).and_then(|k| {
                        let at = present.iter().position(|p| *p == k)?;
                        Some(indicator(
                            before.items().get(k)?,
                            report.first()?.histogram(0, at),
                        ))
                    });
                    match counts {
                        Some(i) => disclosure::overall(answers_of(&i), &whole_before, minimum),
                        None => Disclosed::hidden(),
                    }
                })
                .collect()
        }
        None => Vec::new(),
    };
    let items = questions
        .iter()
        .zip(columns.items())
        .enumerate()
        .map(|(j, (q, meta))| {
            let overall = disclosure::overall(
                answers_of(&indicator(meta, everyone.histogram(0, j))),
                &whole,
                minimum,
            );
            let row_groups = match out.get(1) {
                Some(report) => {
                    let counts: Vec<Answers> = (0..report.groups)
                        .map(|g| answers_of(&indicator(meta, report.histogram(g, j))))
                        .collect();
                    disclosure::answers(&counts, &groups, &overall, minimum)
                        .iter()
                        .map(|cell| {
                            let rest = disclosure::rest(&overall, cell, minimum);
                            compared(
                                percent(cell, minimum),
                                cell.zip(rest),
                                ("Higher than everyone else", "Lower than everyone else"),
                            )
                        })
                        .collect()
                }
                None => Vec::new(),
            };
            let last_year = previous.as_ref().map(|_| {
                let before = previous_counts
                    .get(j)
                    .copied()
                    .unwrap_or_else(Disclosed::hidden);
                compared(
                    percent(&before, minimum),
                    overall.zip(before),
                    ("Higher this year", "Lower this year"),
                )
            });
            ItemRow {
                text: q.text.clone(),
                overall: percent(&overall, minimum),
                groups: row_groups,
                last_year,
            }
        })
        .collect();

    // Theme scores: each person's mean scored answer in the theme, then the mean of people.
    let item_cols: Vec<&[u8]> = item_indexes
        .iter()
        .map(|&i| columns.item(i))
        .collect::<Result<_, _>>()
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let themes = definition
        .themes
        .iter()
        .map(|theme| {
            // Each question in the theme, with its column of answers.
            let members: Vec<(&dignity_domain::survey::Question, &[u8])> = questions
                .iter()
                .zip(&item_cols)
                .filter(|(q, _)| {
                    q.choice.is_none() && q.question.theme.as_deref() == Some(theme.key.as_str())
                })
                .map(|(q, column)| (q.question, *column))
                .collect();
            let (sum, people) = (0..columns.rows())
                .filter_map(|row| {
                    let scored: Vec<Option<f64>> = members
                        .iter()
                        .map(|(question, column)| {
                            answer_score(question, column.get(row).copied().unwrap_or(0))
                        })
                        .collect();
                    theme_score(&scored)
                })
                .fold((0.0, 0u64), |(sum, n), score| (sum + score, n + 1));
            ThemeRow {
                title: theme.title.clone(),
                score: score(disclosure::mean(sum, people, &whole, minimum)),
            }
        })
        .collect();
    let speaking_up = equality::speaking_up_index(columns, &all, minimum)
        .map_err(|e| AppError::Internal(e.to_string()))?
        .into_value()
        .map(|v| format!("{v:.0}"));
    let wres = equality_rows(columns, &all, equality::WRES, RACE, minimum)?;
    let wdes = equality_rows(columns, &all, equality::WDES, DISABILITY, minimum)?;
    let chrome = chrome.titled(format!("{}: results", campaign.title));
    let page = DashboardPage {
        chrome,
        organisation,
        respondents: whole.into_value(),
        minimum: minimum.people(),
        groupings,
        by: by
            .and_then(|d| columns.dims().get(d))
            .map(|dim| dim.key.clone())
            .unwrap_or_default(),
        group_labels,
        items,
        last_year: previous.map(|(c, _)| c.title),
        themes,
        speaking_up,
        wres,
        wdes,
        campaign,
    };
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_differences_are_called_out() {
        let minimum = Minimum::default_for(disclosure::Kind::SurveyResults);
        let figure = |positive, answered| {
            let whole = disclosure::population(answered, minimum);
            disclosure::overall(Answers { positive, answered }, &whole, minimum)
        };
        let note = |a: (u64, u64), b: (u64, u64)| {
            let (a, b) = (figure(a.0, a.1), figure(b.0, b.1));
            let notes = ("Higher than everyone else", "Lower than everyone else");
            compared(percent(&a, minimum), a.zip(b), notes).note
        };
        assert_eq!(note((50, 60), (5, 60)), "Higher than everyone else");
        assert_eq!(note((5, 60), (50, 60)), "Lower than everyone else");
        assert_eq!(note((30, 60), (28, 60)), "");
        assert_eq!(
            note((50, 60), (5, 6)),
            "",
            "nothing is said beside a hidden figure"
        );
    }
}

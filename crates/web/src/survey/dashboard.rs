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
use dignity_engine::aggregate::{indicator, reports};
use dignity_engine::equality::{self, DISABILITY, RACE};
use dignity_engine::stats::{differs, wilson};
use dignity_engine::{Bitmap, suppress};
use dignity_store::identity::Organisation;
use dignity_store::survey::{self, Campaign};
use serde::Deserialize;

pub(super) use super::MINIMUM;

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

/// A percentage as shown: hidden, or a value with its interval.
pub struct Shown {
    pub text: String,
    pub detail: String,
    /// Said only when a difference is too big to be chance, such as "higher than everyone
    /// else".
    pub note: String,
}

/// Adds a note to `shown` when `a` and `b` differ significantly (two-proportion test at
/// 95 %): `notes.0` when `a` is higher, `notes.1` when lower. Nothing is said otherwise, so
/// chance differences are never called out.
fn compared(
    mut shown: Shown,
    comparable: bool,
    a: (u64, u64),
    b: (u64, u64),
    notes: (&str, &str),
) -> Shown {
    if comparable && differs(a.0, a.1, b.0, b.1) {
        let higher = a.0 as f64 / a.1 as f64 > b.0 as f64 / b.1 as f64;
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
            let loaded = state
                .surveys
                .campaign(&state.db, &state.settings.secret, &c)
                .await?;
            Ok(Some((c, loaded)))
        }
        None => Ok(None),
    }
}

pub(super) fn percent(positive: u64, answered: u64, shown: bool) -> Shown {
    match (shown, wilson(positive, answered)) {
        (true, Some(p)) => Shown {
            note: String::new(),
            text: format!("{:.0}%", p.value * 100.0),
            detail: format!(
                "{:.0}% to {:.0}%, {answered} answered",
                p.low * 100.0,
                p.high * 100.0
            ),
        },
        _ => Shown {
            note: String::new(),
            text: "hidden".into(),
            detail: "fewer than 11 people, or could be worked out from other figures".into(),
        },
    }
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
) -> Result<Vec<EqualityRow>, AppError> {
    let mut rows = Vec::new();
    for def in definitions {
        let Some(c) = equality::compare(columns, all, def, pair, MINIMUM)
            .map_err(|e| AppError::Internal(e.to_string()))?
        else {
            continue;
        };
        let show = |p: Option<dignity_engine::stats::Proportion>| {
            p.map_or("hidden".to_owned(), |p| format!("{:.0}%", p.value * 100.0))
        };
        rows.push(EqualityRow {
            title: def.title.to_owned(),
            focus: show(c.focus),
            reference: show(c.reference),
            ratio: c.ratio.map_or("not shown".to_owned(), |r| {
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
            let mut cells = vec![row.text.clone(), row.overall.text.clone()];
            if let Some(last) = &row.last_year {
                cells.push(last.text.clone());
                cells.push(last.note.clone());
            }
            for g in &row.groups {
                cells.push(g.text.clone());
                cells.push(g.note.clone());
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

/// Which groups' figures for one question may be shown. A group hidden by its size hides
/// its answers too; then the numbers who answered in each group go through the same
/// complementary rule as the group sizes, because people skip questions: a group whose
/// few answers are hidden must not be had as everyone's answers minus the shown groups'.
fn question_cells(
    counts: &[dignity_engine::aggregate::Indicator],
    group_shown: &[bool],
    whole_shown: bool,
    overall_shown: bool,
) -> Vec<bool> {
    let answered: Vec<u64> = counts.iter().map(|i| i.answered).collect();
    let hidden: Vec<bool> = (0..counts.len())
        .map(|g| !(whole_shown && group_shown.get(g).copied().unwrap_or(false)))
        .collect();
    suppress::breakdown_given(&answered, &hidden, MINIMUM, overall_shown)
        .into_iter()
        .zip(&answered)
        // An empty cell reads "hidden" too: it has no percentage.
        .map(|(shown, &n)| shown && n > 0)
        .collect()
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
    let loaded = state
        .surveys
        .campaign(&state.db, &state.settings.secret, &campaign)
        .await?;
    let (definition, columns) = (&loaded.definition, &loaded.columns);
    let all = Bitmap::full(columns.rows());
    let total = columns.rows() as u64;
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
    let breakdowns = [None, by];
    let out = reports(
        columns,
        &all,
        &item_indexes,
        &breakdowns[..if by.is_some() { 2 } else { 1 }],
        2,
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let whole_shown = total >= MINIMUM;
    let (group_labels, group_shown): (Vec<String>, Vec<bool>) = match (by, out.get(1)) {
        (Some(d), Some(report)) => {
            let sizes: Vec<u64> = (0..report.groups).map(|g| report.group_size(g)).collect();
            let shown = suppress::breakdown(&sizes, MINIMUM, whole_shown);
            let mut labels = vec!["Not given".to_owned()];
            labels.extend(columns.dims()[d].labels.iter().cloned());
            (labels, shown)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let previous = last_year(state, &campaign).await?;
    let previous_counts: Vec<Option<(u64, u64)>> = match &previous {
        Some((_, loaded)) => {
            let before = &loaded.columns;
            let shown = before.rows() as u64 >= MINIMUM;
            let keys: Vec<Option<usize>> = questions
                .iter()
                .map(|q| before.item_index(&q.key))
                .collect();
            let present: Vec<usize> = keys.iter().flatten().copied().collect();
            let report = reports(before, &Bitmap::full(before.rows()), &present, &[None], 2)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            keys.iter()
                .map(|k| {
                    let k = (*k)?;
                    let at = present.iter().position(|p| *p == k)?;
                    let i = indicator(&before.items()[k], report.first()?.histogram(0, at));
                    (shown && i.answered >= MINIMUM).then_some((i.positive, i.answered))
                })
                .collect()
        }
        None => Vec::new(),
    };
    let items = questions
        .iter()
        .enumerate()
        .map(|(j, q)| {
            let meta = &columns.items()[j];
            let o = indicator(meta, out[0].histogram(0, j));
            let overall_shown = whole_shown && o.answered >= MINIMUM;
            let groups = match out.get(1) {
                Some(report) => {
                    let counts: Vec<_> = (0..report.groups)
                        .map(|g| indicator(meta, report.histogram(g, j)))
                        .collect();
                    let shown = question_cells(&counts, &group_shown, whole_shown, overall_shown);
                    counts
                        .iter()
                        .zip(shown)
                        .map(|(i, shown)| {
                            // Against everyone else: both the group and everyone are shown,
                            // so the rest can be worked out anyway.
                            let (rest_x, rest_n) =
                                (o.positive - i.positive, o.answered - i.answered);
                            compared(
                                percent(i.positive, i.answered, shown),
                                shown && rest_n >= MINIMUM,
                                (i.positive, i.answered),
                                (rest_x, rest_n),
                                ("Higher than everyone else", "Lower than everyone else"),
                            )
                        })
                        .collect()
                }
                None => Vec::new(),
            };
            let last_year =
                previous
                    .as_ref()
                    .map(|_| match previous_counts.get(j).copied().flatten() {
                        Some((x, n)) => compared(
                            percent(x, n, true),
                            overall_shown,
                            (o.positive, o.answered),
                            (x, n),
                            ("Higher this year", "Lower this year"),
                        ),
                        None => percent(0, 0, false),
                    });
            ItemRow {
                text: q.text.clone(),
                overall: percent(o.positive, o.answered, overall_shown),
                groups,
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
            let members: Vec<usize> = questions
                .iter()
                .enumerate()
                .filter(|(_, q)| {
                    q.choice.is_none() && q.question.theme.as_deref() == Some(theme.key.as_str())
                })
                .map(|(j, _)| j)
                .collect();
            let (sum, people) = (0..columns.rows())
                .filter_map(|row| {
                    let scored: Vec<Option<f64>> = members
                        .iter()
                        .map(|&j| answer_score(questions[j].question, item_cols[j][row]))
                        .collect();
                    theme_score(&scored)
                })
                .fold((0.0, 0u64), |(sum, n), score| (sum + score, n + 1));
            let score = if whole_shown && people >= MINIMUM {
                format!("{:.1}", sum / people as f64)
            } else {
                "hidden".into()
            };
            ThemeRow {
                title: theme.title.clone(),
                score,
            }
        })
        .collect();
    let speaking_up = if whole_shown {
        equality::speaking_up_index(columns, &all, MINIMUM)
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map(|v| format!("{v:.0}"))
    } else {
        None
    };
    let wres = equality_rows(columns, &all, equality::WRES, RACE)?;
    let wdes = equality_rows(columns, &all, equality::WDES, DISABILITY)?;
    let chrome = chrome.titled(format!("{}: results", campaign.title));
    let page = DashboardPage {
        chrome,
        organisation,
        respondents: whole_shown.then_some(total),
        groupings,
        by: by
            .map(|d| columns.dims()[d].key.clone())
            .unwrap_or_default(),
        group_labels: group_labels
            .into_iter()
            .zip(group_shown.iter())
            .map(|(l, _)| l)
            .collect(),
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
        let notes = ("Higher than everyone else", "Lower than everyone else");
        let big = compared(percent(50, 60, true), true, (50, 60), (5, 60), notes);
        assert_eq!(big.note, "Higher than everyone else");
        let low = compared(percent(5, 60, true), true, (5, 60), (50, 60), notes);
        assert_eq!(low.note, "Lower than everyone else");
        let chance = compared(percent(30, 60, true), true, (30, 60), (28, 60), notes);
        assert_eq!(chance.note, "");
        let hidden = compared(percent(50, 60, false), false, (50, 60), (5, 60), notes);
        assert_eq!(hidden.note, "", "nothing is said about a hidden figure");
    }
}

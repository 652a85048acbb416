//! The campaign list and a campaign's dashboard.

use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::{PathData, QueryData};
pub(super) use crate::identity::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use crate::table::{Cell, Download, Table};
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use dignity_app::identity::Organisation;
use dignity_app::survey::campaigns::{self, Campaign};
use dignity_app::survey::results::{self, Compared, Difference};
use dignity_domain::speakup::Day;
use dignity_engine::disclosure::{Answers, Disclosed, Figure, Minimum};
use dignity_engine::equality::{Comparison, Form, Score, ScoreGap};
use dignity_engine::stats::wilson;
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
    let today = Day::from_unix_seconds(state.app.clock.now());
    let campaigns = campaigns::of(&state.app, &organisation)
        .await?
        .into_iter()
        .map(|c| {
            let open = c.is_open(today);
            (c, open)
        })
        .collect();
    let chrome = chrome.titled(format!("Staff surveys: {}", organisation.name));
    Ok(render(&ListPage {
        admin: campaigns::may_run(&user, &organisation),
        chrome,
        organisation,
        campaigns,
    })?
    .into_response())
}

/// A percentage as shown, with a note when it differs from what it is compared with. Made
/// only from a [`Figure`], which only the disclosure module makes, so nothing the rules hid
/// can reach a page or a download.
pub struct Shown {
    figure: Figure,
    /// Said only when a difference is too big to be chance, such as "higher than everyone
    /// else".
    note: &'static str,
}

impl Shown {
    pub fn text(&self) -> &str {
        self.figure.text()
    }

    /// The figure as a download's cell.
    pub(super) fn cell(&self) -> Cell {
        Cell::from(self.figure.clone())
    }

    pub fn detail(&self) -> &str {
        self.figure.detail()
    }

    pub fn note(&self) -> &str {
        self.note
    }
}

/// A shown figure with a note when it differs from what it is compared with by more than
/// chance: `notes.0` when higher, `notes.1` when lower.
fn with_note(
    mut shown: Shown,
    difference: Difference,
    notes: (&'static str, &'static str),
) -> Shown {
    shown.note = match difference {
        Difference::Higher => notes.0,
        Difference::Lower => notes.1,
        Difference::None => "",
    };
    shown
}

pub(super) fn percent(figure: &Disclosed<Answers>, minimum: Minimum) -> Shown {
    let interval = figure.map(|a| wilson(a.positive, a.answered).map(|p| (p, a.answered)));
    let hidden = format!("fewer than {minimum} people, or could be worked out from other figures");
    Shown {
        figure: Figure::detailed(
            interval.flatten(),
            |(p, answered)| {
                (
                    format!("{:.0}%", p.value * 100.0),
                    format!(
                        "{:.0}% to {:.0}%, {answered} answered",
                        p.low * 100.0,
                        p.high * 100.0
                    ),
                )
            },
            ("hidden", &hidden),
        ),
        note: "",
    }
}

/// A score (0 to 10) as shown.
pub(super) fn score(figure: Disclosed<f64>) -> Figure {
    Figure::of(figure, |s| format!("{s:.1}"), "hidden")
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
    score: Figure,
}

struct EqualityRow {
    /// The standard's number for the indicator ("4a").
    number: &'static str,
    title: String,
    focus: Figure,
    reference: Figure,
    /// The ratio of shares or the gap between scores, with its interval.
    comparison: Figure,
    /// "Yes", "No", or "Not compared" for a measure about one group only.
    real_difference: &'static str,
}

#[derive(Template)]
#[template(path = "survey/dashboard.html")]
struct DashboardPage {
    chrome: Chrome,
    organisation: Organisation,
    campaign: Campaign,
    respondents: Figure,
    /// The smallest group shown.
    minimum: u64,
    groupings: Vec<(String, String)>,
    by: String,
    group_labels: Vec<String>,
    items: Vec<ItemRow>,
    /// Title of last year's survey, when there is one to compare with.
    last_year: Option<String>,
    themes: Vec<ThemeRow>,
    speaking_up: Figure,
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

fn equality_rows(comparisons: &[Comparison]) -> Vec<EqualityRow> {
    let show = |p: Disclosed<dignity_engine::stats::Proportion>| {
        Figure::of(p, |p| format!("{:.0}%", p.value * 100.0), "hidden")
    };
    comparisons
        .iter()
        .map(|c| match c.form {
            Form::Ratio => EqualityRow {
                number: c.number,
                title: c.title.to_owned(),
                focus: show(c.focus),
                reference: show(c.reference),
                comparison: Figure::of(
                    c.ratio,
                    |r| format!("ratio {:.2} ({:.2} to {:.2})", r.value, r.low, r.high),
                    "not shown",
                ),
                real_difference: if c.significant { "Yes" } else { "No" },
            },
            Form::FocusOnly => EqualityRow {
                number: c.number,
                title: c.title.to_owned(),
                focus: show(c.focus),
                reference: Figure::words("not asked"),
                comparison: Figure::words("only about disabled staff"),
                real_difference: "Not compared",
            },
        })
        .collect()
}

/// A score difference to one decimal place with its sign, and no "-0.0".
fn signed(value: f64) -> String {
    let tenths = (value * 10.0).round();
    if tenths == 0.0 {
        "0.0".to_owned()
    } else {
        format!("{:+.1}", tenths / 10.0)
    }
}

/// WDES metric 9a: mean engagement scores and the gap between them.
fn score_row(gap: &ScoreGap) -> EqualityRow {
    let show =
        |s: Disclosed<Score>| Figure::of(s, |s| format!("{:.1} out of 10", s.mean), "hidden");
    EqualityRow {
        number: gap.number,
        title: gap.title.to_owned(),
        focus: show(gap.focus),
        reference: show(gap.reference),
        comparison: Figure::of(
            gap.gap,
            |g| {
                format!(
                    "gap {} ({} to {})",
                    signed(g.mean),
                    signed(g.low),
                    signed(g.high)
                )
            },
            "not shown",
        ),
        real_difference: if gap.significant { "Yes" } else { "No" },
    }
}

pub async fn show(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
    QueryData(query): QueryData<DashboardQuery>,
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
            "number".into(),
            "indicator".into(),
            focus.into(),
            reference.into(),
            "comparison (95% interval)".into(),
            "a real difference".into(),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::words(r.number),
                    Cell::words(r.title.clone()),
                    Cell::from(r.focus.clone()),
                    Cell::from(r.reference.clone()),
                    Cell::from(r.comparison.clone()),
                    Cell::words(r.real_difference.to_lowercase()),
                ]
            })
            .collect(),
    };
    match query.table.as_str() {
        "headlines" => {
            let mut rows = vec![vec![
                Cell::words("Speaking-up index (0 to 100)"),
                Cell::from(page.speaking_up.clone()),
            ]];
            rows.extend(page.themes.iter().map(|t| {
                vec![
                    Cell::words(format!("{} (0 to 10)", t.title)),
                    Cell::from(t.score.clone()),
                ]
            }));
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
            let mut cells = vec![Cell::words(row.text.clone()), row.overall.cell()];
            if let Some(last) = &row.last_year {
                cells.push(last.cell());
                cells.push(Cell::words(last.note()));
            }
            for g in &row.groups {
                cells.push(g.cell());
                cells.push(Cell::words(g.note()));
            }
            cells
        })
        .collect();
    Ok(Table { name, header, rows })
}

pub async fn csv(
    State(state): State<AppState>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
    QueryData(query): QueryData<DashboardQuery>,
) -> Result<Response, AppError> {
    Ok(table(&state, &ods, campaign_id, &query)
        .await?
        .csv_response())
}

pub async fn xlsx(
    State(state): State<AppState>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
    QueryData(query): QueryData<DashboardQuery>,
) -> Result<Response, AppError> {
    table(&state, &ods, campaign_id, &query)
        .await?
        .xlsx_response()
}

/// The page: the figures come from `dignity_app::survey::results`, decided there; this
/// only puts them into words.
async fn build(
    state: &AppState,
    chrome: Chrome,
    ods: &str,
    campaign_id: i64,
    query: &DashboardQuery,
) -> Result<DashboardPage, AppError> {
    let organisation = organisation(state, ods).await?;
    let campaign = super::admin::campaign_in(state, &organisation, campaign_id).await?;
    let results = results::campaign_results(&state.app, &campaign, &query.by).await?;
    let minimum = results.minimum;
    let noted = |c: &Compared, notes| with_note(percent(&c.figure, minimum), c.difference, notes);
    let items = results
        .items
        .iter()
        .map(|item| ItemRow {
            text: item.text.clone(),
            overall: percent(&item.everyone, minimum),
            groups: item
                .groups
                .iter()
                .map(|g| noted(g, ("Higher than everyone else", "Lower than everyone else")))
                .collect(),
            last_year: item
                .last_year
                .as_ref()
                .map(|c| noted(c, ("Higher this year", "Lower this year"))),
        })
        .collect();
    let chrome = chrome.titled(format!("{}: results", campaign.title));
    Ok(DashboardPage {
        chrome,
        organisation,
        respondents: Figure::of(results.respondents, |n| n.to_string(), "hidden"),
        minimum: minimum.people(),
        groupings: results.groupings,
        by: results.by.unwrap_or_default(),
        group_labels: results.group_labels,
        items,
        last_year: results.last_year,
        themes: results
            .themes
            .iter()
            .map(|(title, figure)| ThemeRow {
                title: title.clone(),
                score: score(*figure),
            })
            .collect(),
        speaking_up: Figure::of(results.speaking_up, |v| format!("{v:.0}"), "hidden"),
        wres: equality_rows(&results.wres),
        wdes: equality_rows(&results.wdes)
            .into_iter()
            .chain(results.wdes_engagement.as_ref().map(score_row))
            .collect(),
        campaign,
    })
}

//! Organisations compared: one organisation against its benchmark group, and the national
//! oversight view with a funnel plot per indicator. The rules (which way is better, the
//! standardised figures, the funnel's limits, the change since last year) are in
//! `dignity_app::survey::compare`; this module only formats them.

use super::admin::campaign_in;
use super::dashboard::organisation;
use crate::error::AppError;
use crate::forms::{PathData, QueryData};
use crate::pages::{Chrome, render};
use crate::state::AppState;
use crate::table::{Cell, Download, Table};
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use dignity_app::identity::Organisation;
use dignity_app::survey::campaigns::Campaign;
use dignity_app::survey::compare::{self, Change, Oversight, ordinal};
use dignity_domain::speakup::Day;
use dignity_engine::benchmark::{Position, SPREAD_NEEDS, Standing};
use dignity_engine::stats::{Z95, Z998, funnel_limits};
use serde::Deserialize;

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// What a page says about where a figure falls on its group's funnel plot.
pub(crate) fn standing_words(standing: Standing) -> &'static str {
    match standing {
        Standing::FarWorse => "Much worse than expected",
        Standing::Worse => "Worse than expected",
        Standing::AsExpected => "As expected",
        Standing::Better => "Better than expected",
        Standing::FarBetter => "Much better than expected",
    }
}

/// One question: an organisation against its group.
pub struct BenchmarkRow {
    pub text: String,
    pub better: &'static str,
    pub value: String,
    pub interval: String,
    pub median: String,
    pub best: String,
    pub worst: String,
    pub position: String,
    pub standing: &'static str,
    pub flagged: bool,
}

#[derive(Template)]
#[template(path = "survey/benchmark.html")]
struct BenchmarkPage {
    /// The smallest group whose results are shown.
    minimum: u64,
    chrome: Chrome,
    organisation: Organisation,
    campaign: Campaign,
    closed: bool,
    organisations: usize,
    /// The campaign compared nationally this year, when it is another one.
    counted_instead: Option<Campaign>,
    rows: Vec<BenchmarkRow>,
}

struct Benchmark {
    organisation: Organisation,
    campaign: Campaign,
    closed: bool,
    organisations: usize,
    counted_instead: Option<Campaign>,
    rows: Vec<BenchmarkRow>,
}

async fn benchmark_rows(
    state: &AppState,
    ods: &str,
    campaign_id: i64,
) -> Result<Benchmark, AppError> {
    let organisation = organisation(state, ods).await?;
    let campaign = campaign_in(state, &organisation, campaign_id).await?;
    let today = Day::from_unix_seconds(state.app.clock.now());
    let found = compare::benchmark(&state.app, &organisation, &campaign).await?;
    let rows = found
        .questions
        .into_iter()
        .map(|q| match q.position {
            Some(p) => BenchmarkRow {
                text: q.text,
                better: q.better.word(),
                value: pct(p.standardised.value),
                interval: format!(
                    "{} to {}",
                    pct(p.standardised.low),
                    pct(p.standardised.high)
                ),
                median: pct(p.group_median),
                best: pct(p.group_best),
                worst: pct(p.group_worst),
                position: format!("{} of {}", ordinal(p.rank), p.group_size),
                standing: standing_words(p.standing),
                flagged: p.flagged(),
            },
            None => BenchmarkRow {
                text: q.text,
                better: q.better.word(),
                value: "hidden".into(),
                interval: String::new(),
                median: String::new(),
                best: String::new(),
                worst: String::new(),
                position: String::new(),
                standing: "",
                flagged: false,
            },
        })
        .collect();
    let closed = campaign.has_closed(today);
    Ok(Benchmark {
        counted_instead: found.counted.filter(|c| c.id != campaign.id),
        closed,
        organisation,
        campaign,
        organisations: found.organisations,
        rows,
    })
}

pub async fn benchmark(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    let b = benchmark_rows(&state, &ods, campaign_id).await?;
    let chrome = chrome
        .titled(format!(
            "{}: compared with similar organisations",
            b.campaign.title
        ))
        .naming("Survey", b.campaign.title.clone());
    Ok(render(&BenchmarkPage {
        minimum: state.settings.minimums.survey().people(),
        chrome,
        organisation: b.organisation,
        campaign: b.campaign,
        closed: b.closed,
        organisations: b.organisations,
        counted_instead: b.counted_instead,
        rows: b.rows,
    })?
    .into_response())
}

async fn benchmark_table(state: &AppState, ods: &str, campaign_id: i64) -> Result<Table, AppError> {
    let b = benchmark_rows(state, ods, campaign_id).await?;
    Ok(Table {
        name: format!(
            "survey-{}-{}-benchmark",
            b.organisation.ods_code, b.campaign.id
        ),
        header: [
            "question",
            "better when",
            "your organisation (standardised)",
            "95% interval",
            "group median",
            "best in group",
            "worst in group",
            "position",
            "against the group's funnel limits",
            "flagged (beyond the 99.8% limit on the worse side)",
        ]
        .map(String::from)
        .to_vec(),
        rows: b
            .rows
            .into_iter()
            .map(|r| {
                vec![
                    r.text,
                    r.better.to_owned(),
                    r.value,
                    r.interval,
                    r.median,
                    r.best,
                    r.worst,
                    r.position,
                    r.standing.to_owned(),
                    if r.flagged { "yes" } else { "no" }.to_owned(),
                ]
                .into_iter()
                // Figures about organisations (standardised, from `positions`), not
                // counts of people: each was shown only if its organisation's was.
                .map(Cell::Words)
                .collect()
            })
            .collect(),
    })
}

pub async fn benchmark_csv(
    State(state): State<AppState>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    Ok(benchmark_table(&state, &ods, campaign_id)
        .await?
        .csv_response())
}

pub async fn benchmark_xlsx(
    State(state): State<AppState>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    benchmark_table(&state, &ods, campaign_id)
        .await?
        .xlsx_response()
}

/// One organisation on one oversight indicator, this year and last.
pub struct OversightCell {
    pub value: String,
    pub median: String,
    pub flagged: bool,
    pub standing: &'static str,
    pub last_year: String,
    /// "better", "worse", or "" when the change from last year may be chance.
    pub change: &'static str,
}

pub struct OversightRow {
    pub name: String,
    pub ods_code: String,
    pub group: String,
    pub cells: Vec<OversightCell>,
    pub flags: usize,
}

/// A point on a funnel plot, in the drawing's coordinates.
pub struct PlotPoint {
    pub x: String,
    pub y: String,
    pub label: String,
    pub standing: Standing,
}

/// A funnel plot drawn on the server, so it shows without JavaScript; the table beside it
/// holds every figure for people who cannot see it.
pub struct FunnelPlot {
    pub target_y: String,
    pub limits: Vec<(&'static str, String)>,
    pub points: Vec<PlotPoint>,
    pub x_ticks: Vec<(String, String)>,
    pub y_ticks: Vec<(String, String)>,
    pub summary: String,
}

pub struct FunnelRow {
    pub name: String,
    pub people: String,
    pub value: String,
    pub limits_95: String,
    pub limits_998: String,
    pub standing: &'static str,
}

/// One indicator's funnel plot for one benchmark group.
pub struct Funnel {
    pub id: String,
    pub title: &'static str,
    pub better: &'static str,
    pub target: String,
    pub plot: FunnelPlot,
    pub rows: Vec<FunnelRow>,
}

/// How many organisations across the country fall beyond each limit on the worse side.
pub struct Outside {
    pub title: &'static str,
    /// Whether the limits allow for the usual spread between organisations, or (with too
    /// few organisations to estimate it) for chance alone.
    pub spread_estimated: bool,
    pub shown: usize,
    pub beyond_95: usize,
    pub beyond_998: usize,
}

#[derive(Template)]
#[template(path = "survey/oversight.html")]
struct OversightPage {
    /// The smallest group whose results are shown.
    minimum: u64,
    chrome: Chrome,
    years: Vec<i64>,
    year: i64,
    indicators: Vec<&'static str>,
    rows: Vec<OversightRow>,
    flagged: usize,
    outside: Vec<Outside>,
    groups: Vec<String>,
    group: String,
    funnels: Vec<Funnel>,
    spread_needs: usize,
    /// Some measure had too few organisations to estimate the spread between them.
    chance_only: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OversightQuery {
    /// Read as text so a mistyped year shows the latest year rather than an error.
    year: Option<String>,
    group: Option<String>,
}

impl OversightQuery {
    fn year(&self) -> Option<i64> {
        self.year.as_deref().and_then(|y| y.trim().parse().ok())
    }
}

const PLOT_WIDTH: f64 = 640.0;
const PLOT_HEIGHT: f64 = 360.0;
const LEFT: f64 = 56.0;
const BOTTOM: f64 = 44.0;
const TOP: f64 = 12.0;
const RIGHT: f64 = 16.0;

/// Draws one group's organisations on one indicator: x is the effective number of people
/// answering, y the standardised figure; the lines are the group's overall figure and the
/// 95 % and 99.8 % limits, widened by the spread between organisations.
fn funnel_plot(points: &[(&Position, String)], spread: f64) -> Option<FunnelPlot> {
    let first = points.first()?.0;
    let target = first.group_target;
    let x_max = points
        .iter()
        .map(|(p, _)| p.standardised.effective_n)
        .fold(0.0f64, f64::max)
        .max(10.0)
        * 1.1;
    let x_min = 5.0f64.min(x_max / 20.0);
    // The y range holds every point and the limits across the plot.
    let (outer_low, _) = funnel_limits(target, x_min.max(1.0) * 4.0, spread, Z998);
    let (_, outer_high) = funnel_limits(target, x_min.max(1.0) * 4.0, spread, Z998);
    let y_low = points
        .iter()
        .map(|(p, _)| p.standardised.value)
        .fold(outer_low, f64::min)
        .max(0.0);
    let y_high = points
        .iter()
        .map(|(p, _)| p.standardised.value)
        .fold(outer_high, f64::max)
        .min(1.0);
    let (y_low, y_high) = ((y_low * 20.0).floor() / 20.0, (y_high * 20.0).ceil() / 20.0);
    let span = (y_high - y_low).max(0.05);
    let inner_w = PLOT_WIDTH - LEFT - RIGHT;
    let inner_h = PLOT_HEIGHT - TOP - BOTTOM;
    let x_of = |n: f64| LEFT + n / x_max * inner_w;
    let y_of = |v: f64| TOP + (1.0 - (v.clamp(y_low, y_low + span) - y_low) / span) * inner_h;
    let curve = |z: f64, upper: bool| -> String {
        let steps = 60;
        (0..=steps)
            .map(|i| {
                let n = x_min.max(1.0) * 4.0
                    + (x_max - x_min.max(1.0) * 4.0) * f64::from(i) / f64::from(steps);
                let (low, high) = funnel_limits(target, n, spread, z);
                let v = if upper { high } else { low };
                format!(
                    "{}{:.1},{:.1}",
                    if i == 0 { "M" } else { " L" },
                    x_of(n),
                    y_of(v)
                )
            })
            .collect()
    };
    let limits = vec![
        ("limit-95", curve(Z95, true)),
        ("limit-95", curve(Z95, false)),
        ("limit-998", curve(Z998, true)),
        ("limit-998", curve(Z998, false)),
    ];
    let plotted = points
        .iter()
        .map(|(p, name)| PlotPoint {
            x: format!("{:.1}", x_of(p.standardised.effective_n)),
            y: format!("{:.1}", y_of(p.standardised.value)),
            label: format!(
                "{name}: {}, {}",
                pct(p.standardised.value),
                standing_words(p.standing).to_lowercase()
            ),
            standing: p.standing,
        })
        .collect();
    let x_step = nice_step(x_max / 5.0);
    let x_ticks = (0..)
        .map(|i| f64::from(i) * x_step)
        .take_while(|n| *n <= x_max)
        .map(|n| (format!("{:.1}", x_of(n)), format!("{n:.0}")))
        .collect();
    let y_ticks = (0..=4)
        .map(|i| y_low + span * f64::from(i) / 4.0)
        .map(|v| (format!("{:.1}", y_of(v)), pct(v)))
        .collect();
    let far = points
        .iter()
        .filter(|(p, _)| p.standing == Standing::FarWorse)
        .count();
    Some(FunnelPlot {
        target_y: format!("{:.1}", y_of(target)),
        limits,
        points: plotted,
        x_ticks,
        y_ticks,
        summary: format!(
            "{} organisations around the group's overall figure of {}. {far} beyond the 99.8% limit on the worse side.",
            points.len(),
            pct(target)
        ),
    })
}

/// A round step for axis labels: 1, 2 or 5 times a power of ten.
fn nice_step(rough: f64) -> f64 {
    let power = 10f64.powf(rough.max(1.0).log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= rough)
        .unwrap_or(power * 10.0)
}

fn oversight_rows(oversight: &Oversight) -> Vec<OversightRow> {
    oversight
        .rows
        .iter()
        .map(|row| {
            let cells: Vec<OversightCell> = row
                .cells
                .iter()
                .map(|c| OversightCell {
                    value: c
                        .now
                        .as_ref()
                        .map_or("hidden".into(), |p| pct(p.standardised.value)),
                    median: c
                        .now
                        .as_ref()
                        .map_or(String::new(), |p| pct(p.group_median)),
                    flagged: c.flagged(),
                    standing: c.now.as_ref().map_or("", |p| standing_words(p.standing)),
                    last_year: c
                        .last_year
                        .as_ref()
                        .map_or(String::new(), |p| pct(p.standardised.value)),
                    change: match c.change {
                        Change::Better => "better",
                        Change::Worse => "worse",
                        Change::None => "",
                    },
                })
                .collect();
            OversightRow {
                name: row.organisation.name.clone(),
                ods_code: row.organisation.ods_code.clone(),
                group: row.organisation.benchmark_group.clone(),
                flags: row.flags(),
                cells,
            }
        })
        .collect()
}

fn funnels(oversight: &Oversight, group: &str) -> Vec<Funnel> {
    oversight
        .indicators
        .iter()
        .enumerate()
        .filter_map(|(k, indicator)| {
            let mut in_group: Vec<(&Position, String)> = oversight
                .rows
                .iter()
                .filter(|r| r.organisation.benchmark_group == group)
                .filter_map(|r| {
                    let p = r.cells.get(k)?.now.as_ref()?;
                    Some((p, r.organisation.name.clone()))
                })
                .collect();
            in_group.sort_by(|a, b| a.1.cmp(&b.1));
            let plot = funnel_plot(&in_group, indicator.spread)?;
            let target = in_group.first().map_or(0.0, |(p, _)| p.group_target);
            Some(Funnel {
                id: format!("funnel-{}", indicator.item.replace('_', "-")),
                title: indicator.title,
                better: indicator.better.word(),
                target: pct(target),
                plot,
                rows: in_group
                    .iter()
                    .map(|(p, name)| FunnelRow {
                        name: name.clone(),
                        people: format!("{:.0}", p.standardised.effective_n),
                        value: pct(p.standardised.value),
                        limits_95: format!("{} to {}", pct(p.limits_95.0), pct(p.limits_95.1)),
                        limits_998: format!("{} to {}", pct(p.limits_998.0), pct(p.limits_998.1)),
                        standing: standing_words(p.standing),
                    })
                    .collect(),
            })
        })
        .collect()
}

fn outside(oversight: &Oversight) -> Vec<Outside> {
    oversight
        .indicators
        .iter()
        .enumerate()
        .map(|(k, indicator)| {
            let shown: Vec<&Position> = oversight
                .rows
                .iter()
                .filter_map(|r| r.cells.get(k)?.now.as_ref())
                .collect();
            Outside {
                title: indicator.title,
                spread_estimated: indicator.spread_estimated,
                shown: shown.len(),
                beyond_95: shown
                    .iter()
                    .filter(|p| matches!(p.standing, Standing::Worse | Standing::FarWorse))
                    .count(),
                beyond_998: shown.iter().filter(|p| p.flagged()).count(),
            }
        })
        .collect()
}

pub async fn oversight(
    State(state): State<AppState>,
    chrome: Chrome,
    QueryData(query): QueryData<OversightQuery>,
) -> Result<Response, AppError> {
    let found = compare::oversight(&state.app, query.year()).await?;
    let mut groups: Vec<String> = found
        .rows
        .iter()
        .map(|r| r.organisation.benchmark_group.clone())
        .collect();
    groups.sort();
    groups.dedup();
    let group = query
        .group
        .filter(|g| groups.contains(g))
        .or_else(|| groups.first().cloned())
        .unwrap_or_default();
    let rows = oversight_rows(&found);
    let outside = outside(&found);
    Ok(render(&OversightPage {
        chance_only: outside.iter().any(|o| !o.spread_estimated),
        minimum: state.settings.minimums.survey().people(),
        chrome: chrome.titled("Staff survey oversight"),
        flagged: rows.iter().filter(|r| r.flags > 0).count(),
        indicators: found.indicators.iter().map(|i| i.title).collect(),
        outside,
        funnels: funnels(&found, &group),
        spread_needs: SPREAD_NEEDS,
        groups,
        group,
        years: found.years,
        year: found.year,
        rows,
    })?
    .into_response())
}

/// The oversight table to download, with the same hidden figures as the page.
async fn oversight_download(state: &AppState, query: OversightQuery) -> Result<Table, AppError> {
    let found = compare::oversight(&state.app, query.year()).await?;
    let mut header = vec![
        "organisation".to_owned(),
        "ods_code".into(),
        "benchmark_group".into(),
    ];
    for i in &found.indicators {
        let o = i.title;
        header.push(format!("{o} (standardised)"));
        header.push(format!("{o}: better when"));
        header.push(format!("{o}: group median"));
        header.push(format!("{o}: against the group's funnel limits"));
        header.push(format!(
            "{o}: flagged (beyond the 99.8% limit on the worse side)"
        ));
        header.push(format!("{o}: last year"));
        header.push(format!("{o}: change"));
    }
    let better: Vec<&'static str> = found.indicators.iter().map(|i| i.better.word()).collect();
    let rows = oversight_rows(&found)
        .into_iter()
        .map(|row| {
            let mut line = vec![row.name, row.ods_code, row.group];
            for (c, better) in row.cells.into_iter().zip(&better) {
                line.extend([
                    c.value,
                    (*better).to_owned(),
                    c.median,
                    c.standing.to_owned(),
                    if c.flagged { "yes" } else { "no" }.to_owned(),
                    c.last_year,
                    c.change.to_owned(),
                ]);
            }
            // Figures about organisations, as on the benchmark table.
            line.into_iter().map(Cell::Words).collect()
        })
        .collect();
    Ok(Table {
        name: format!("survey-oversight-{}", found.year),
        header,
        rows,
    })
}

pub async fn oversight_csv(
    State(state): State<AppState>,
    QueryData(query): QueryData<OversightQuery>,
) -> Result<Response, AppError> {
    Ok(oversight_download(&state, query).await?.csv_response())
}

pub async fn oversight_xlsx(
    State(state): State<AppState>,
    QueryData(query): QueryData<OversightQuery>,
) -> Result<Response, AppError> {
    oversight_download(&state, query).await?.xlsx_response()
}

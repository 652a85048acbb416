//! The race and disability equality pages (WRES and WDES): each workforce indicator of a
//! reporting year as a table, the year before beside it, and the year's return to
//! download as CSV or Excel. The figures are decided in `dignity_app::workforce::standards`;
//! this module only puts them into words, and the page and the download share those words.

use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::forms::QueryData;
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::routes::Routes;
use crate::state::AppState;
use crate::table::{Cell, Download, Table};
use askama::Template;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use dignity_app::identity::Organisation;
use dignity_app::workforce::standards::{
    self, READERS, ReportingYear, Standard, Standards, YearFigures,
};
use dignity_engine::disclosure::{Disclosed, Figure, PublishedCount};
use dignity_engine::workforce::{
    BoardGap, BoardRow, Comparison, Disability, Ethnicity, Group, Hidden, Likelihood, StaffTable,
};
use serde::Deserialize;

pub fn routes(routes: Routes) -> Routes {
    let at = Access::InOrganisation;
    routes
        .get("/orgs/{ods}/workforce/wres", at(READERS), race_page)
        .get("/orgs/{ods}/workforce/wres.csv", at(READERS), race_csv)
        .get("/orgs/{ods}/workforce/wres.xlsx", at(READERS), race_xlsx)
        .get("/orgs/{ods}/workforce/wdes", at(READERS), disability_page)
        .get(
            "/orgs/{ods}/workforce/wdes.csv",
            at(READERS),
            disability_csv,
        )
        .get(
            "/orgs/{ods}/workforce/wdes.xlsx",
            at(READERS),
            disability_xlsx,
        )
}

async fn race_page(
    state: State<AppState>,
    chrome: Chrome,
    user: Extension<CurrentUser>,
    ods: Path<String>,
    query: QueryData<YearQuery>,
) -> Result<Response, AppError> {
    page(Standard::Race, state, chrome, user, ods, query).await
}

async fn disability_page(
    state: State<AppState>,
    chrome: Chrome,
    user: Extension<CurrentUser>,
    ods: Path<String>,
    query: QueryData<YearQuery>,
) -> Result<Response, AppError> {
    page(Standard::Disability, state, chrome, user, ods, query).await
}

async fn race_csv(
    state: State<AppState>,
    user: Extension<CurrentUser>,
    ods: Path<String>,
    query: QueryData<YearQuery>,
) -> Result<Response, AppError> {
    csv(Standard::Race, state, user, ods, query).await
}

async fn disability_csv(
    state: State<AppState>,
    user: Extension<CurrentUser>,
    ods: Path<String>,
    query: QueryData<YearQuery>,
) -> Result<Response, AppError> {
    csv(Standard::Disability, state, user, ods, query).await
}

async fn race_xlsx(
    state: State<AppState>,
    user: Extension<CurrentUser>,
    ods: Path<String>,
    query: QueryData<YearQuery>,
) -> Result<Response, AppError> {
    xlsx(Standard::Race, state, user, ods, query).await
}

async fn disability_xlsx(
    state: State<AppState>,
    user: Extension<CurrentUser>,
    ods: Path<String>,
    query: QueryData<YearQuery>,
) -> Result<Response, AppError> {
    xlsx(Standard::Disability, state, user, ods, query).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearQuery {
    /// The calendar year the reporting year ends in (2026 for 2025/26); the newest if
    /// not given.
    pub(super) year: Option<String>,
}

pub(super) fn chosen_year(query: &YearQuery) -> Result<Option<ReportingYear>, AppError> {
    match query.year.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => text
            .parse::<i64>()
            .ok()
            .and_then(ReportingYear::ending)
            .map(Some)
            .ok_or_else(|| AppError::BadRequest("Choose a year from the list".into())),
    }
}

/// One indicator as the page and the download show it.
#[derive(Debug, Clone)]
pub struct Section {
    /// The standard's own number for it ("1", "10").
    pub number: &'static str,
    pub title: &'static str,
    /// What it measures, in a sentence or two.
    pub about: &'static str,
    /// What the first column's rows are.
    pub rows_are: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<Cell>)>,
    pub likelihood: Option<LikelihoodView>,
    /// Why there is no table, when there is none.
    pub missing: Option<&'static str>,
    /// Where the counts come from, when it matters.
    pub source: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LikelihoodView {
    /// "1.50"
    pub value: Figure,
    /// "1.02 to 2.20"
    pub interval: Figure,
    /// What the figure means, in words.
    pub reading: Figure,
    pub last_year: Option<Figure>,
    /// Words naming the two groups: "white applicants compared with ...".
    pub compares: &'static str,
    pub years: u8,
    /// For a two-year measure (WRES 3, WDES 3): why it covers one year, when it does.
    pub years_note: Option<&'static str>,
    /// WRES 3 and WDES 3 add two years where both are known; the return says how many.
    pub two_year_measure: bool,
}

/// Marks `section` as a two-year measure and says why it covers one year when it does:
/// with both years' counts known, the engine leaves the year before out when adding it
/// would let a hidden count be worked out (`dignity_engine::workforce`).
fn two_year_measure(section: &mut Section, sources: &dignity_app::workforce::standards::Sources) {
    if let Some(l) = &mut section.likelihood {
        l.two_year_measure = true;
        l.years_note = (l.years < 2).then_some(if sources.formal_year_before.is_some() {
            "This year only. The year before is left out here: added to this year, it would \
             let a hidden count be worked out."
        } else {
            "This year only: there are no counts for the year before."
        });
    }
}

fn count(c: PublishedCount) -> Cell {
    Cell::from(Figure::count(c))
}

fn share(s: Disclosed<f64>) -> Cell {
    Cell::from(Figure::of(s, |v| format!("{:.1}%", v * 100.0), "hidden"))
}

fn group_columns<G: Group>() -> Vec<String> {
    G::ALL.iter().map(|g| g.label().to_owned()).collect()
}

/// WRES 1 or WDES 1: counts of each group in each row, the row's total, and the focus
/// group's share of the row.
fn staff_section<K: Copy, G: Group>(
    number: &'static str,
    title: &'static str,
    about: &'static str,
    rows_are: &'static str,
    table: &StaffTable<K, G>,
    label: impl Fn(K) -> &'static str,
    focus: G,
) -> Section {
    let mut columns = group_columns::<G>();
    columns.push("All staff".into());
    columns.push(format!("{} share", focus.label()));
    let row = |name: String, staff: &dignity_engine::workforce::Breakdown<G>| {
        let mut cells: Vec<Cell> = staff.groups.iter().map(|g| count(g.count)).collect();
        cells.push(count(staff.total));
        cells.push(
            staff
                .get(focus)
                .map_or_else(|| Cell::words(""), |g| share(g.share)),
        );
        (name, cells)
    };
    let mut rows: Vec<(String, Vec<Cell>)> = table
        .rows
        .iter()
        .map(|r| {
            row(
                format!("{}: {}", r.side.label(), label(r.key).to_lowercase()),
                &r.staff,
            )
        })
        .collect();
    rows.push(row("Whole workforce".into(), &table.workforce));
    Section {
        number,
        title,
        about,
        rows_are,
        columns,
        rows,
        likelihood: None,
        missing: None,
        source: None,
    }
}

fn likelihood_words(l: Likelihood) -> (String, String, String) {
    let reading = if l.flagged {
        "A real difference: outside 0.80 to 1.25, and the interval does not include 1"
    } else if !(0.8..=1.25).contains(&l.value) {
        "Outside 0.80 to 1.25, but the interval includes 1, so it could be chance"
    } else {
        "Within 0.80 to 1.25: no clear difference"
    };
    let reading = if l.corrected {
        format!("{reading}. One group had none, so 0.5 was added to each count")
    } else {
        reading.to_owned()
    };
    (
        format!("{:.2}", l.value),
        format!("{:.2} to {:.2}", l.low, l.high),
        reading,
    )
}

fn hidden_words(why: Option<Hidden>) -> &'static str {
    match why {
        Some(Hidden::NoOneInAGroup) => "Not worked out: one of the two groups has nobody in it",
        Some(Hidden::NoneInEitherGroup) => "Not worked out: it happened to nobody in either group",
        Some(Hidden::MoreThanTheGroup) => {
            "Not worked out: more people are counted than the group has, because people who left during the year are counted too"
        }
        Some(Hidden::SmallNumbers) | None => "Hidden: a count it is made from is too small to show",
    }
}

fn likelihood_figure(c: &Comparison<impl Group>) -> Figure {
    let why = hidden_words(c.hidden_because);
    Figure::of(c.likelihood, |l| format!("{:.2}", l.value), why)
}

/// WRES 2 to 4, WDES 2 and 3: each group's people and those it happened to, and the
/// likelihood between the two compared groups.
#[expect(
    clippy::too_many_arguments,
    reason = "one call per indicator, all named"
)]
fn comparison_section<G: Group>(
    number: &'static str,
    title: &'static str,
    about: &'static str,
    people: &'static str,
    happened: &'static str,
    compares: &'static str,
    comparison: Option<&Comparison<G>>,
    last_year: Option<&Comparison<G>>,
    missing: &'static str,
) -> Section {
    let columns = group_columns::<G>();
    let Some(c) = comparison else {
        return Section {
            number,
            title,
            about,
            rows_are: "Count",
            columns,
            rows: Vec::new(),
            likelihood: None,
            missing: Some(missing),
            source: None,
        };
    };
    let people_row: Vec<Cell> = c.groups.iter().map(|g| count(g.people)).collect();
    let happened_row: Vec<Cell> = c.groups.iter().map(|g| count(g.happened)).collect();
    let rate_row: Vec<Cell> = c.groups.iter().map(|g| share(g.rate)).collect();
    let why = hidden_words(c.hidden_because);
    let words = c.likelihood.map(likelihood_words);
    let likelihood = LikelihoodView {
        value: Figure::of(words.clone().map(|w| w.0), |v| v, why),
        interval: Figure::of(words.clone().map(|w| w.1), |v| v, ""),
        reading: Figure::of(words.map(|w| w.2), |v| v, why),
        last_year: last_year.map(likelihood_figure),
        compares,
        years: c.years,
        years_note: None,
        two_year_measure: false,
    };
    Section {
        number,
        title,
        about,
        rows_are: "Count",
        columns,
        rows: vec![
            (people.to_owned(), people_row),
            (happened.to_owned(), happened_row),
            ("Rate".to_owned(), rate_row),
        ],
        likelihood: Some(likelihood),
        missing: None,
        source: None,
    }
}

/// WRES 9 or WDES 10: the board's members by group, and their share against the whole
/// workforce's.
fn board_section<G: Group>(
    number: &'static str,
    title: &'static str,
    about: &'static str,
    board: Option<&BoardGap<G>>,
) -> Section {
    let columns = vec![
        "Members".to_owned(),
        "Share of the board".to_owned(),
        "Share of the workforce".to_owned(),
        "Difference (percentage points)".to_owned(),
    ];
    let Some(board) = board else {
        return Section {
            number,
            title,
            about,
            rows_are: "Board members",
            columns,
            rows: Vec::new(),
            likelihood: None,
            missing: Some("No board membership list has been imported for this year."),
            source: None,
        };
    };
    let mut rows = Vec::new();
    for (name, row) in [("Voting", &board.voting), ("Executive", &board.executive)] {
        rows.push(board_total(name, row));
        for g in &row.groups {
            rows.push((
                format!("{name} members: {}", g.group.label().to_lowercase()),
                vec![
                    Cell::from(Figure::of(g.members, |n| n.to_string(), "hidden")),
                    share(g.share),
                    share(g.workforce_share),
                    Cell::from(Figure::of(g.gap_points, |p| format!("{p:+.1}"), "hidden")),
                ],
            ));
        }
    }
    Section {
        number,
        title,
        about,
        rows_are: "Board members",
        columns,
        rows,
        likelihood: None,
        missing: None,
        source: None,
    }
}

fn board_total<G: Group>(name: &str, row: &BoardRow<G>) -> (String, Vec<Cell>) {
    (
        format!("{name} members: all"),
        vec![
            Cell::from(Figure::of(row.members, |n| n.to_string(), "hidden")),
            Cell::words(""),
            Cell::words(""),
            Cell::words(""),
        ],
    )
}

/// Every workforce section of one standard for one year, with last year's likelihoods.
pub fn sections(
    standard: Standard,
    this: &YearFigures,
    before: Option<&YearFigures>,
) -> Vec<Section> {
    let formal_source = |sources: &dignity_app::workforce::standards::Sources| {
        if sources.formal_from_cases {
            return Some(
                "From the employee relations cases kept in Dignity: each person whose formal \
                 investigation started in the year and was entered in Dignity within a month \
                 of the year's end, counted once, in the group the year's staff in post gives \
                 them, or else the year's leavers extracts (imported within a month of the \
                 year's end). People in neither are not counted."
                    .to_owned(),
            );
        }
        if let Some(from) = sources.cases_counted_from {
            return Some(format!(
                "Without imported counts, this year's figures come from the employee relations \
                 cases kept in Dignity. They are counted on {0}, a month after the year ends, \
                 from the investigations entered in Dignity by then, so that stages entered \
                 late still count. After that they do not change.",
                from.long()
            ));
        }
        sources.formal.map(|d| {
            format!(
                "From the counts of staff entering formal processes imported for {}. \
                 Without imported counts, they come from the employee relations cases kept in Dignity.",
                d.long()
            )
        })
    };
    match standard {
        Standard::Race => {
            let w = &this.indicators.wres;
            let last = before.map(|b| &b.indicators.wres);
            let mut disciplinary = comparison_section(
                "3",
                "Entering the formal disciplinary process",
                "How much more likely Black and minority ethnic staff are to enter the formal \
                 disciplinary process than white staff, over two years where two are known. \
                 Above 1 means more likely.",
                "Staff in post",
                "Entered the formal disciplinary process",
                "Black and minority ethnic staff compared with white staff",
                w.disciplinary.as_ref(),
                last.and_then(|l| l.disciplinary.as_ref()),
                "No counts of staff entering formal processes have been imported for this year, and none were counted from employee relations cases.",
            );
            disciplinary.source = formal_source(&this.sources);
            two_year_measure(&mut disciplinary, &this.sources);
            vec![
                staff_section(
                    "1",
                    "Staff in each pay band",
                    "Staff in post in each band, clinical and non-clinical, by ethnicity, \
                     and the share who are Black and minority ethnic against the whole \
                     workforce's share.",
                    "Band",
                    &w.staff,
                    |b| b.label(),
                    Ethnicity::Bme,
                ),
                comparison_section(
                    "2",
                    "Appointed from shortlisting",
                    "How much more likely white applicants are to be appointed once \
                     shortlisted than Black and minority ethnic applicants. Above 1 means \
                     white applicants are more likely.",
                    "Shortlisted",
                    "Appointed",
                    "White applicants compared with Black and minority ethnic applicants",
                    w.appointment.as_ref(),
                    last.and_then(|l| l.appointment.as_ref()),
                    "No recruitment extract has been imported for this year.",
                ),
                disciplinary,
                comparison_section(
                    "4",
                    "Non-mandatory training and development",
                    "How much more likely white staff are to take up training or development \
                     that is not mandatory than Black and minority ethnic staff. Above 1 means \
                     white staff are more likely.",
                    "Staff in post",
                    "Took up non-mandatory training",
                    "White staff compared with Black and minority ethnic staff",
                    w.training.as_ref(),
                    last.and_then(|l| l.training.as_ref()),
                    "No training extract has been imported for this year.",
                ),
                board_section(
                    "9",
                    "The board against the workforce",
                    "The board's voting and executive members by ethnicity, against the \
                     whole workforce. A negative difference means a group has fewer seats \
                     than its share of staff.",
                    w.board.as_ref(),
                ),
            ]
        }
        Standard::Disability => {
            let w = &this.indicators.wdes;
            let last = before.map(|b| &b.indicators.wdes);
            let mut capability = comparison_section(
                "3",
                "Entering the formal capability process",
                "How much more likely disabled staff are to enter the formal capability \
                 process on grounds of performance than staff who are not disabled, over two \
                 years where two are known. Above 1 means more likely.",
                "Staff in post",
                "Entered the formal capability process",
                "Disabled staff compared with staff who are not disabled",
                w.capability.as_ref(),
                last.and_then(|l| l.capability.as_ref()),
                "No counts of staff entering formal processes have been imported for this year, and none were counted from employee relations cases.",
            );
            capability.source = formal_source(&this.sources);
            two_year_measure(&mut capability, &this.sources);
            vec![
                staff_section(
                    "1",
                    "Staff in each pay cluster",
                    "Staff in post in each group of pay bands, clinical and non-clinical, by \
                     disability, and the share who are disabled against the whole \
                     workforce's share.",
                    "Pay cluster",
                    &w.staff,
                    |c| c.label(),
                    Disability::Disabled,
                ),
                comparison_section(
                    "2",
                    "Appointed from shortlisting",
                    "How much more likely applicants who are not disabled are to be appointed \
                     once shortlisted than disabled applicants. Above 1 means applicants who \
                     are not disabled are more likely.",
                    "Shortlisted",
                    "Appointed",
                    "Applicants who are not disabled compared with disabled applicants",
                    w.appointment.as_ref(),
                    last.and_then(|l| l.appointment.as_ref()),
                    "No recruitment extract has been imported for this year.",
                ),
                capability,
                board_section(
                    "10",
                    "The board against the workforce",
                    "The board's voting and executive members by disability, against the \
                     whole workforce. A negative difference means a group has fewer seats \
                     than its share of staff.",
                    w.board.as_ref(),
                ),
            ]
        }
    }
}

/// The year's return: every section's rows under one header, with the likelihoods.
pub fn return_table(
    standard: Standard,
    organisation: &Organisation,
    year: ReportingYear,
    sections: &[Section],
) -> Table {
    let header: Vec<String> = [
        "organisation",
        "year",
        "indicator",
        "row",
        "measure",
        "value",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut rows = Vec::new();
    let lead = |indicator: &str, row: &str, measure: &str| {
        vec![
            Cell::words(organisation.ods_code.to_string()),
            Cell::words(year.label()),
            Cell::words(format!("{} {indicator}", standard.short())),
            Cell::words(row),
            Cell::words(measure),
        ]
    };
    for s in sections {
        for (row, cells) in &s.rows {
            for (column, cell) in s.columns.iter().zip(cells) {
                if cell.text().is_empty() {
                    continue;
                }
                let mut line = lead(s.number, row, column);
                line.push(cell.clone());
                rows.push(line);
            }
        }
        if let Some(l) = &s.likelihood {
            for (measure, figure) in [
                ("relative likelihood", &l.value),
                ("95% interval", &l.interval),
                ("reading", &l.reading),
            ] {
                let mut line = lead(s.number, l.compares, measure);
                line.push(Cell::from(figure.clone()));
                rows.push(line);
            }
            if l.two_year_measure {
                let mut line = lead(s.number, l.compares, "years counted");
                line.push(Cell::words(l.years.to_string()));
                rows.push(line);
            }
            if let Some(last) = &l.last_year {
                let mut line = lead(s.number, l.compares, "relative likelihood last year");
                line.push(Cell::from(last.clone()));
                rows.push(line);
            }
        }
    }
    Table {
        name: format!(
            "{}-{}-{}",
            standard.code(),
            organisation.ods_code,
            year.end_year()
        ),
        header,
        rows,
    }
}

#[derive(Template)]
#[template(path = "workforce/standard.html")]
struct StandardPage {
    chrome: Chrome,
    organisation: Organisation,
    standard: Standard,
    figures: Option<Standards>,
    sections: Vec<Section>,
    survey_note: &'static str,
    /// For the held-files note the workforce page shares.
    held: Vec<dignity_app::workforce::overview::Held>,
    minimum: u64,
}

impl StandardPage {
    /// Whether there is anything to set beside the year before's figures.
    fn has_comparisons(&self) -> bool {
        self.sections.iter().any(|s| s.likelihood.is_some()) || !self.shares_by_year().is_empty()
    }

    /// Indicator 1's whole-workforce share of each group, and the board's difference from
    /// the workforce (WRES 9, WDES 10), this year and the year before: (what, this year,
    /// year before). Each is as its own year's page shows it.
    fn shares_by_year(&self) -> Vec<(String, Figure, Figure)> {
        let Some(figures) = &self.figures else {
            return Vec::new();
        };
        let Some(before) = &figures.year_before else {
            return Vec::new();
        };
        fn rows<G: Group>(
            board_number: &str,
            now: (
                &dignity_engine::workforce::Breakdown<G>,
                Option<&BoardGap<G>>,
            ),
            then: (
                &dignity_engine::workforce::Breakdown<G>,
                Option<&BoardGap<G>>,
            ),
        ) -> Vec<(String, Figure, Figure)> {
            let share =
                |s: Disclosed<f64>| Figure::of(s, |s| format!("{:.1}%", s * 100.0), "hidden");
            let points = |p: Disclosed<f64>| Figure::of(p, |p| format!("{p:+.1} points"), "hidden");
            let mut rows: Vec<(String, Figure, Figure)> = now
                .0
                .groups
                .iter()
                .map(|g| {
                    let last = then
                        .0
                        .get(g.group)
                        .map_or_else(Disclosed::hidden, |f| f.share);
                    (
                        format!("1. Share of the whole workforce: {}", g.group.label()),
                        share(g.share),
                        share(last),
                    )
                })
                .collect();
            let Some(board) = now.1 else {
                return rows;
            };
            for (name, row, last_row) in [
                ("voting", &board.voting, then.1.map(|b| &b.voting)),
                ("executive", &board.executive, then.1.map(|b| &b.executive)),
            ] {
                for g in &row.groups {
                    let last = last_row
                        .and_then(|r| r.get(g.group))
                        .map_or_else(Disclosed::hidden, |f| f.gap_points);
                    rows.push((
                        format!(
                            "{board_number}. Board {name} members against the workforce: {}",
                            g.group.label()
                        ),
                        points(g.gap_points),
                        match last_row {
                            Some(_) => points(last),
                            None => Figure::words("No figure"),
                        },
                    ));
                }
            }
            rows
        }
        let (now, then) = (&figures.this_year.indicators, &before.indicators);
        match self.standard {
            Standard::Race => rows(
                "9",
                (&now.wres.staff.workforce, now.wres.board.as_ref()),
                (&then.wres.staff.workforce, then.wres.board.as_ref()),
            ),
            Standard::Disability => rows(
                "10",
                (&now.wdes.staff.workforce, now.wdes.board.as_ref()),
                (&then.wdes.staff.workforce, then.wdes.board.as_ref()),
            ),
        }
    }
}

async fn load(
    state: &AppState,
    user: &CurrentUser,
    ods: &str,
    query: &YearQuery,
) -> Result<(Organisation, Option<Standards>), AppError> {
    let organisation = organisation(state, ods).await?;
    let year = chosen_year(query)?;
    let figures = standards::standards(&state.app, user, &organisation, year).await?;
    Ok((organisation, figures))
}

async fn page(
    standard: Standard,
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<YearQuery>,
) -> Result<Response, AppError> {
    let (organisation, figures) = load(&state, &user, &ods, &query).await?;
    let sections = figures
        .as_ref()
        .map(|f| sections(standard, &f.this_year, f.year_before.as_ref()))
        .unwrap_or_default();
    let chrome = chrome
        .titled(format!("{}: {}", standard.name(), organisation.name))
        .under(
            format!("/orgs/{}/workforce", organisation.ods_code),
            "Workforce",
        );
    let (held, minimum) = figures
        .as_ref()
        .map(|f| (f.held.clone(), f.minimum))
        .unwrap_or_default();
    Ok(render(&StandardPage {
        chrome,
        organisation,
        standard,
        figures,
        sections,
        held,
        minimum,
        survey_note: match standard {
            Standard::Race => "Indicators 5 to 8 come from the staff survey",
            Standard::Disability => "Metrics 4 to 9 come from the staff survey",
        },
    })?
    .into_response())
}

async fn download_table(
    standard: Standard,
    state: &AppState,
    user: &CurrentUser,
    ods: &str,
    query: &YearQuery,
) -> Result<Table, AppError> {
    let (organisation, figures) = load(state, user, ods, query).await?;
    let figures = figures.ok_or_else(|| {
        AppError::NotFound("There are no workforce figures to download yet".into())
    })?;
    let sections = sections(standard, &figures.this_year, figures.year_before.as_ref());
    Ok(return_table(
        standard,
        &organisation,
        figures.this_year.year,
        &sections,
    ))
}

async fn csv(
    standard: Standard,
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<YearQuery>,
) -> Result<Response, AppError> {
    Ok(download_table(standard, &state, &user, &ods, &query)
        .await?
        .csv_response())
}

async fn xlsx(
    standard: Standard,
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    Path(ods): Path<String>,
    QueryData(query): QueryData<YearQuery>,
) -> Result<Response, AppError> {
    download_table(standard, &state, &user, &ods, &query)
        .await?
        .xlsx_response()
}

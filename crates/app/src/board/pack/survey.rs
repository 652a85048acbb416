//! The pack's staff survey section: the organisation's figures on the national oversight
//! indicators, against its benchmark group and last year, exactly as the national
//! oversight view shows them (`crate::survey::compare::oversight`). A figure from too few
//! people is hidden there (its position is `None`); this section never shows a number for
//! it, and its reading never looks at it. The survey year read is the newest in which the
//! organisation's counted campaign had closed by the quarter's last day: a pack never shows
//! results from after its quarter.

use super::{PackTable, Section};
use crate::identity::Organisation;
use crate::survey::campaigns;
use crate::survey::compare::{self, Change, Indicator, OversightCell, OversightRow, ordinal};
use crate::table::{Cell, Table};
use crate::{Context, Error};
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::Quarter;
use dignity_engine::benchmark::{Position, Standing};

const KEY: &str = "survey";
const TITLE: &str = "Staff survey";
const HIDDEN: &str = "hidden: too few answers";

pub(super) async fn section(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Section, Error> {
    let mut section = Section::new(KEY, TITLE);
    let months = quarter.months();
    let shared = campaigns::shared_survey(ctx).await?;
    let today = ctx.clock.today();
    // This organisation's closed campaigns of the shared survey: those the national
    // comparison counts from (the first of each year to close).
    let closed: Vec<(i64, Day)> = campaigns::of(ctx, organisation)
        .await?
        .iter()
        .filter(|c| Some(c.survey_id) == shared && c.has_closed(today))
        .map(|c| (c.year, c.closes_on))
        .collect();
    let Some(year) = year_closed_by(&closed, quarter)? else {
        section.reading = none_closed(&months);
        return Ok(section);
    };
    let found = compare::oversight(ctx, Some(year)).await?;
    let Some(row) = found
        .rows
        .iter()
        .find(|r| r.organisation.id == organisation.id)
        .filter(|_| found.year == year)
    else {
        section.reading = format!(
            "{} has no closed staff survey in {year}, so there are no figures to show.",
            organisation.name
        );
        return Ok(section);
    };
    let shown: Vec<Shown> = found
        .indicators
        .iter()
        .zip(&row.cells)
        .map(|(indicator, cell)| Shown::of(indicator, cell))
        .collect();
    section.reading = reading(year, &shown);
    section.tables.push(PackTable {
        caption: format!(
            "Oversight measures in the {year} staff survey, against similar organisations \
             and last year"
        ),
        table: oversight_table(year, &found.indicators, row),
    });
    section.notes = vec![
        format!(
            "These figures are from the newest staff survey that had closed by the end of \
             {months}."
        ),
        format!(
            "Figures from fewer than {} people are hidden, as on every page.",
            ctx.minimums.survey().people()
        ),
        format!(
            "Similar organisations are those in the same benchmark group: {}.",
            organisation.benchmark_group
        ),
        "Each figure is adjusted for the mix of staff groups, so organisations with \
         different staff compare fairly."
            .into(),
        "\"Much worse than expected\" means the gap is very unlikely to be chance or the \
         usual spread between organisations. Such figures are flagged."
            .into(),
        "\"Better\" or \"Worse\" since last year means the change is too big to be chance.".into(),
        "Last year is \"not shown\" when there was no survey then or too few answered.".into(),
    ];
    if found.indicators.iter().any(|i| !i.spread_estimated) {
        section.notes.push(
            "Too few organisations had figures on some measures to measure the usual spread \
             between them. There the limits allow for chance only."
                .into(),
        );
    }
    Ok(section)
}

/// The survey year a quarter's pack reads, from the organisation's closed campaigns of
/// the shared survey as (year, closing day): the newest year with a campaign that closed on
/// or before the quarter's last day. The national comparison counts a year's first campaign
/// to close, so if any of a year's campaigns closed by then, the counted one did too. A
/// survey that closed after the quarter ended is never read, whatever its year.
fn year_closed_by(campaigns: &[(i64, Day)], quarter: Quarter) -> Result<Option<i64>, Error> {
    let (_, after) = super::plans::days_of(quarter)?;
    let last_day = after.plus_days(-1);
    Ok(campaigns
        .iter()
        .filter(|(_, closes_on)| *closes_on <= last_day)
        .map(|(year, _)| *year)
        .max())
}

/// The reading when no staff survey had closed by the quarter's end.
fn none_closed(months: &str) -> String {
    format!("No staff survey had closed by the end of {months}, so there are no figures to show.")
}

fn pct(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// Where a figure falls against its group, in words.
fn standing_words(standing: Standing) -> &'static str {
    match standing {
        Standing::FarWorse => "Much worse than expected (flagged)",
        Standing::Worse => "Worse than expected",
        Standing::AsExpected => "As expected",
        Standing::Better => "Better than expected",
        Standing::FarBetter => "Much better than expected",
    }
}

fn change_words(cell: &OversightCell) -> &'static str {
    match (cell.change, &cell.now, &cell.last_year) {
        (Change::Better, ..) => "Better",
        (Change::Worse, ..) => "Worse",
        (Change::None, Some(_), Some(_)) => "No real change",
        (Change::None, ..) => "",
    }
}

/// One row per indicator: this year's figure and where it stands in the group, or
/// "hidden" and nothing about it; last year's figure and the change.
fn oversight_table(year: i64, indicators: &[Indicator], row: &OversightRow) -> Table {
    let rows = indicators
        .iter()
        .zip(&row.cells)
        .map(|(indicator, cell)| {
            let now =
                |show: fn(&Position) -> String| cell.now.as_ref().map(show).unwrap_or_default();
            vec![
                Cell::words(indicator.title),
                Cell::words(indicator.better.word()),
                Cell::words(
                    cell.now
                        .as_ref()
                        .map_or(HIDDEN.to_owned(), |p| pct(p.standardised.value)),
                ),
                Cell::words(now(|p| {
                    format!(
                        "{} to {}",
                        pct(p.standardised.low),
                        pct(p.standardised.high)
                    )
                })),
                Cell::words(now(|p| pct(p.group_median))),
                Cell::words(now(|p| format!("{} of {}", ordinal(p.rank), p.group_size))),
                Cell::words(now(|p| standing_words(p.standing).to_owned())),
                Cell::words(
                    cell.last_year
                        .as_ref()
                        .map_or("not shown".to_owned(), |p| pct(p.standardised.value)),
                ),
                Cell::words(change_words(cell)),
            ]
        })
        .collect();
    Table {
        name: format!("{KEY}-oversight"),
        header: vec![
            "Measure".into(),
            "Better when".into(),
            year.to_string(),
            "Likely range".into(),
            "Group middle".into(),
            "Place in group (1st is best)".into(),
            "Against similar organisations".into(),
            (year - 1).to_string(),
            "Change since last year".into(),
        ],
        rows,
    }
}

/// What the reading may look at for one indicator: only what the table shows.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shown {
    name: String,
    /// `None` when the figure is hidden: the rules then know nothing else about it.
    standing: Option<Standing>,
    /// Judged only when this year's and last year's figures are both shown.
    change: Change,
    /// Whether this year's and last year's figures are both shown.
    compared: bool,
}

impl Shown {
    fn of(indicator: &Indicator, cell: &OversightCell) -> Shown {
        Shown {
            name: short_name(indicator).to_owned(),
            standing: cell.now.as_ref().map(|p| p.standing),
            compared: cell.now.is_some() && cell.last_year.is_some(),
            change: if cell.now.is_some() && cell.last_year.is_some() {
                cell.change
            } else {
                Change::None
            },
        }
    }
}

/// The indicator as a sentence names it.
fn short_name(indicator: &Indicator) -> &'static str {
    match indicator.item {
        "harassment_managers" => "harassment from managers",
        "harassment_colleagues" => "harassment from colleagues",
        "team_shared_objectives" => "team working",
        "equal_opportunities_progression" => "inclusion",
        _ => indicator.title,
    }
}

/// "a", "a and b", "a, b and c".
fn listed(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// "the figure for a is", "the figures for a and b are".
fn figures_for(names: &[&str]) -> String {
    match names {
        [_] => format!("the figure for {} is", listed(names)),
        _ => format!("the figures for {} are", listed(names)),
    }
}

/// "What this shows" for the staff survey. Only figures shown are read: a hidden figure
/// has no standing and no change. The first rule that fits gives the reading:
/// - there is no oversight measure: say so;
/// - every figure is hidden: say too few people answered to show any;
/// - some figures are much worse than similar organisations (flagged): name them;
/// - some are worse than last year by more than chance: name them;
/// - some are worse than similar organisations, but not flagged: name them;
/// - none is worse, and some are hidden: say none shown is worse, and name the hidden;
/// - otherwise: say none is worse than expected.
fn reading(year: i64, shown: &[Shown]) -> String {
    let named = |keep: &dyn Fn(&Shown) -> bool| -> Vec<&str> {
        shown
            .iter()
            .filter(|s| keep(s))
            .map(|s| s.name.as_str())
            .collect()
    };
    let start = format!("In the {year} staff survey,");
    if shown.is_empty() {
        return format!("{start} none of the oversight measures was asked.");
    }
    let hidden = named(&|s| s.standing.is_none());
    if hidden.len() == shown.len() {
        return format!("{start} too few people answered to show any of the figures.");
    }
    let far_worse = named(&|s| s.standing == Some(Standing::FarWorse));
    if !far_worse.is_empty() {
        return format!(
            "{start} {} much worse than at similar organisations, so flagged.",
            figures_for(&far_worse)
        );
    }
    let worse_than_last_year = named(&|s| s.change == Change::Worse);
    if !worse_than_last_year.is_empty() {
        return format!(
            "{start} {} worse than last year, by more than chance.",
            figures_for(&worse_than_last_year)
        );
    }
    let worse = named(&|s| s.standing == Some(Standing::Worse));
    if !worse.is_empty() {
        return format!(
            "{start} {} worse than at similar organisations, but not by enough to be flagged.",
            figures_for(&worse)
        );
    }
    if !hidden.is_empty() {
        return format!(
            "{start} no figure shown is worse than expected; too few people answered to show \
             {}.",
            listed(&hidden)
        );
    }
    if !shown.iter().any(|s| s.compared) {
        return format!(
            "{start} no figure is worse than at similar organisations. Last year's figures are \
             not shown, so no change since then can be given."
        );
    }
    format!("{start} no figure is worse than expected, against similar organisations or last year.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(name: &str, standing: Option<Standing>, change: Change) -> Shown {
        Shown {
            name: name.into(),
            standing,
            change,
            compared: standing.is_some(),
        }
    }

    #[test]
    fn with_no_figure_from_last_year_it_claims_no_change() {
        let mut none_compared = vec![shown(
            "team working",
            Some(Standing::AsExpected),
            Change::None,
        )];
        none_compared[0].compared = false;
        assert_eq!(
            reading(2026, &none_compared),
            "In the 2026 staff survey, no figure is worse than at similar organisations. Last \
             year's figures are not shown, so no change since then can be given."
        );
    }

    fn four(standings: [Option<Standing>; 4], changes: [Change; 4]) -> Vec<Shown> {
        [
            "harassment from managers",
            "harassment from colleagues",
            "team working",
            "inclusion",
        ]
        .into_iter()
        .zip(standings.into_iter().zip(changes))
        .map(|(name, (standing, change))| shown(name, standing, change))
        .collect()
    }

    const AS_EXPECTED: Option<Standing> = Some(Standing::AsExpected);
    const NO_CHANGE: [Change; 4] = [Change::None; 4];

    #[test]
    fn flagged_figures_come_first() {
        let s = four(
            [
                Some(Standing::FarWorse),
                AS_EXPECTED,
                Some(Standing::FarWorse),
                Some(Standing::Worse),
            ],
            [Change::None, Change::Worse, Change::None, Change::None],
        );
        assert_eq!(
            reading(2025, &s),
            "In the 2025 staff survey, the figures for harassment from managers and team \
             working are much worse than at similar organisations, so flagged."
        );
    }

    #[test]
    fn then_figures_worse_than_last_year() {
        let s = four(
            [AS_EXPECTED, AS_EXPECTED, Some(Standing::Worse), None],
            [Change::Better, Change::Worse, Change::None, Change::None],
        );
        assert_eq!(
            reading(2025, &s),
            "In the 2025 staff survey, the figure for harassment from colleagues is worse than \
             last year, by more than chance."
        );
    }

    #[test]
    fn then_figures_worse_than_similar_organisations() {
        let s = four(
            [
                Some(Standing::Worse),
                Some(Standing::Worse),
                Some(Standing::FarBetter),
                Some(Standing::Worse),
            ],
            [Change::Better, Change::None, Change::None, Change::None],
        );
        assert_eq!(
            reading(2024, &s),
            "In the 2024 staff survey, the figures for harassment from managers, harassment \
             from colleagues and inclusion are worse than at similar organisations, but not by \
             enough to be flagged."
        );
    }

    #[test]
    fn otherwise_nothing_is_worse_than_expected() {
        let s = four(
            [
                AS_EXPECTED,
                Some(Standing::Better),
                AS_EXPECTED,
                AS_EXPECTED,
            ],
            [Change::Better, Change::None, Change::None, Change::None],
        );
        assert_eq!(
            reading(2025, &s),
            "In the 2025 staff survey, no figure is worse than expected, against similar \
             organisations or last year."
        );
    }

    #[test]
    fn hidden_figures_are_named_and_never_read() {
        let s = four([None, AS_EXPECTED, None, AS_EXPECTED], NO_CHANGE);
        assert_eq!(
            reading(2025, &s),
            "In the 2025 staff survey, no figure shown is worse than expected; too few people \
             answered to show harassment from managers and team working."
        );
        assert_eq!(
            reading(2025, &four([None; 4], NO_CHANGE)),
            "In the 2025 staff survey, too few people answered to show any of the figures."
        );
        assert_eq!(
            reading(2025, &[]),
            "In the 2025 staff survey, none of the oversight measures was asked."
        );
    }

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    #[test]
    fn the_year_read_is_the_newest_to_close_by_the_quarters_last_day() {
        let q = |text: &str| Quarter::parse(text).unwrap();
        // The demo: 2025's survey closed in October 2025, 2026's ran 1 September to 31
        // October 2026.
        let closed = [(2025, day("2025-10-31")), (2026, day("2026-10-31"))];
        let year = |quarter: &str| year_closed_by(&closed, q(quarter)).unwrap();
        assert_eq!(year("2026-Q1"), Some(2025));
        assert_eq!(year("2026-Q2"), Some(2025));
        assert_eq!(year("2026-Q3"), Some(2025));
        assert_eq!(year("2026-Q4"), Some(2026));
        assert_eq!(year("2027-Q1"), Some(2026));
        // Closing on the quarter's last day counts; the day after does not.
        assert_eq!(
            year_closed_by(&[(2026, day("2026-09-30"))], q("2026-Q3")).unwrap(),
            Some(2026)
        );
        assert_eq!(
            year_closed_by(&[(2026, day("2026-10-01"))], q("2026-Q3")).unwrap(),
            None
        );
        assert_eq!(
            year_closed_by(&[(2026, day("2027-01-01"))], q("2026-Q4")).unwrap(),
            None
        );
        // None closed by then: the section says so.
        assert_eq!(year("2025-Q3"), None);
        assert_eq!(year_closed_by(&[], q("2026-Q4")).unwrap(), None);
        assert_eq!(
            none_closed(&q("2025-Q3").months()),
            "No staff survey had closed by the end of July to September 2025, so there are no \
             figures to show."
        );
    }

    #[test]
    fn the_year_read_is_by_closing_day_not_the_years_label() {
        // A second campaign of 2025 (a pulse survey) closing late does not stop 2025 being
        // read once its first has closed; a year is never read before any of it closed.
        let closed = [
            (2025, day("2026-02-28")),
            (2025, day("2025-06-30")),
            (2024, day("2024-11-30")),
        ];
        let q = |text: &str| Quarter::parse(text).unwrap();
        assert_eq!(year_closed_by(&closed, q("2025-Q2")).unwrap(), Some(2025));
        assert_eq!(year_closed_by(&closed, q("2025-Q1")).unwrap(), Some(2024));
        assert_eq!(year_closed_by(&closed, q("2024-Q3")).unwrap(), None);
    }

    #[test]
    fn places_read_as_ordinals() {
        assert_eq!(
            [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map(ordinal),
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "111th"
            ]
        );
        assert_eq!(pct(0.234), "23%");
    }

    #[test]
    fn a_hidden_cell_has_no_change_and_no_number() {
        let cell = OversightCell {
            now: None,
            last_year: None,
            change: Change::None,
        };
        assert_eq!(change_words(&cell), "");
        let indicator = Indicator {
            item: "team_shared_objectives",
            title: "Team working",
            better: dignity_domain::survey::Direction::HigherIsBetter,
            spread: 0.0,
            spread_estimated: false,
        };
        assert_eq!(
            Shown::of(&indicator, &cell),
            shown("team working", None, Change::None)
        );
        let row = OversightRow {
            organisation: crate::test_fixtures::organisation(1, "RJ1"),
            cells: vec![cell],
        };
        let table = oversight_table(2025, &[indicator], &row);
        assert_eq!(table.name, "survey-oversight");
        let texts: Vec<&str> = table.rows.iter().flatten().map(Cell::text).collect();
        assert_eq!(
            texts,
            [
                "Team working",
                "higher",
                HIDDEN,
                "",
                "",
                "",
                "",
                "not shown",
                ""
            ]
        );
    }
}

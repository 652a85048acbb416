//! The pack's Speak Up section: the organisation's Freedom to Speak Up return for the
//! quarter and its trends over the last eight quarters, exactly as its own pages show them
//! (`crate::speakup::returns`). Every count is already decided there under the Speak Up
//! minimum; this section only lays the figures out and reads them.

use super::{PackTable, Section};
use crate::identity::Organisation;
use crate::speakup::returns::{self, Trend, Trends};
use crate::speakup::{casework, signoff};
use crate::table::{Cell, Table};
use crate::{Context, Error};
use dignity_domain::speakup::PublishedCount;
use dignity_domain::speakup_returns::{PublishedReturn, Quarter};
use dignity_engine::disclosure::Figure;

const KEY: &str = "speak-up";
const TITLE: &str = "Speaking up";

pub(super) async fn section(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Section, Error> {
    let mut section = Section::new(KEY, TITLE);
    if !casework::is_set_up(ctx, organisation).await? {
        section.reading = format!(
            "Speak Up is not set up for {}, so there are no figures to show.",
            organisation.name
        );
        return Ok(section);
    }
    if !signoff::has_ended(quarter, ctx.clock.today()) {
        section.reading = format!(
            "The figures for {} will show once the quarter has ended.",
            quarter.months()
        );
        return Ok(section);
    }
    let figures = returns::quarterly_return(ctx, organisation, quarter).await?;
    let trends = returns::organisation_trends(ctx, organisation).await?;
    let before = before_in(&trends, quarter);
    section.reading = reading(
        &quarter.months(),
        Count::of(figures.cases),
        before.map_or(Before::NotInPack, Before::of),
        all_none_in(&trends, quarter),
    );
    section.tables.push(PackTable {
        caption: format!("Speak Up return for {}", quarter.months()),
        table: return_table(&figures),
    });
    section.tables.extend(
        trends
            .trends
            .iter()
            .enumerate()
            .map(|(i, trend)| trend_table(i, trend)),
    );
    let minimum = ctx.minimums.speakup().people();
    section.notes = vec![
        format!("Counts under {minimum} are hidden, as on every page."),
        "A count marked \"not shown\" is held back so that a hidden count cannot be worked \
         out from it."
            .into(),
        "Detriment found and \"would speak up again\" count concerns closed in the quarter. \
         The rest count concerns raised in it."
            .into(),
        format!("A middle time is shown only when at least {minimum} concerns have one."),
        format!(
            "The trends cover the last 8 quarters to end: from {} to {}.",
            trends.first.short(),
            trends.last.short()
        ),
    ];
    if !(trends.first..=trends.last).contains(&quarter) {
        section.notes.push(format!(
            "{} is older than the trends, so they do not include it.",
            quarter.months()
        ));
    }
    Ok(section)
}

/// The quarter before's count of concerns as the trends table of concerns each quarter
/// shows it, when the pack shows that quarter.
fn before_in(trends: &Trends, quarter: Quarter) -> Option<&Figure> {
    let label = quarter.previous().months();
    trends
        .trends
        .iter()
        .find(|t| t.id == "per-quarter")?
        .rows
        .iter()
        .find(|r| r.label == label)?
        .cells
        .first()
}

/// How many quarters the trends table of concerns each quarter shows up to and including
/// `quarter`, when it shows `quarter` and shows every one of them exactly as 0. `None` when
/// it does not show `quarter`, or any of them is more than 0, hidden or not shown.
fn all_none_in(trends: &Trends, quarter: Quarter) -> Option<usize> {
    let rows = &trends.trends.iter().find(|t| t.id == "per-quarter")?.rows;
    let label = quarter.months();
    let upto = rows.iter().position(|r| r.label == label)? + 1;
    rows.iter()
        .take(upto)
        .all(|r| r.cells.first().and_then(Figure::drawn) == Some(0))
        .then_some(upto)
}

/// The quarter's return as one table: what is counted, and the count as decided.
fn return_table(figures: &PublishedReturn) -> Table {
    let row = |part: &str, what: &str, count: PublishedCount| {
        vec![
            Cell::words(part),
            Cell::words(what),
            Cell::Figure(Figure::count(count)),
        ]
    };
    let mut rows = vec![
        row("Concerns raised", "All concerns", figures.cases),
        row("Concerns raised", "Raised anonymously", figures.anonymous),
    ];
    rows.extend(
        figures
            .elements
            .iter()
            .map(|l| row("What they were about", &l.label, l.count)),
    );
    rows.extend(
        figures
            .professional_groups
            .iter()
            .map(|l| row("Who spoke up", &l.label, l.count)),
    );
    rows.push(row(
        "Concerns closed",
        "Detriment found",
        figures.detriment_found,
    ));
    rows.extend(
        figures
            .feedback
            .iter()
            .map(|l| row("Would speak up again", &l.label, l.count)),
    );
    Table {
        name: format!("{KEY}-return"),
        header: vec!["Part".into(), "What is counted".into(), "Number".into()],
        rows,
    }
}

/// A table's short name and caption for each of the trends, by the trend's id.
fn trend_names(index: usize, trend: &Trend) -> (String, String) {
    let (name, caption) = match trend.id {
        "per-quarter" => ("cases", "Concerns raised each quarter"),
        "by-element" => ("about", "What concerns were about, each quarter"),
        "by-unit" => ("places", "Where concerns happened, each quarter"),
        "to-acknowledge" => ("ack", "Middle time to acknowledge a concern, each quarter"),
        "to-close" => ("close", "Middle time to close a concern, each quarter"),
        _ => return (format!("{KEY}-trend-{index}"), trend.caption.to_owned()),
    };
    (format!("{KEY}-trend-{name}"), caption.to_owned())
}

/// One of the trends as a table: a row's label, then each column's figure as decided.
fn trend_table(index: usize, trend: &Trend) -> PackTable {
    let (name, caption) = trend_names(index, trend);
    let mut header = vec![trend.rows_are.to_owned()];
    header.extend(trend.columns.iter().cloned());
    PackTable {
        caption,
        table: Table {
            name,
            header,
            rows: trend
                .rows
                .iter()
                .map(|r| {
                    std::iter::once(Cell::words(r.label.clone()))
                        .chain(r.cells.iter().cloned().map(Cell::Figure))
                        .collect()
                })
                .collect(),
        },
    }
}

/// A count of concerns as the pack shows it: the rules read only what is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Count {
    Exactly(u64),
    /// Shown as "fewer than N".
    FewerThan(u64),
    /// Held back so that a hidden count beside it cannot be worked out.
    NotShown,
}

impl Count {
    fn of(count: PublishedCount) -> Count {
        match (count.exact(), count.fewer_than()) {
            (Some(n), _) => Count::Exactly(n),
            (None, Some(n)) => Count::FewerThan(n),
            (None, None) => Count::NotShown,
        }
    }
}

/// The quarter before's count of concerns, as the pack's trends show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    Exactly(u64),
    Hidden,
    /// The trends do not include the quarter before.
    NotInPack,
}

impl Before {
    fn of(figure: &Figure) -> Before {
        figure.drawn().map_or(Before::Hidden, Before::Exactly)
    }
}

/// "1 concern was", "14 concerns were", "No concerns were".
fn raised(n: u64) -> String {
    match n {
        0 => "No concerns were".into(),
        1 => "1 concern was".into(),
        n => format!("{n} concerns were"),
    }
}

/// "What this shows" for Speak Up. The rules, in order:
/// - the quarter's count of concerns is hidden (fewer than N): say so, and compare
///   nothing, as any comparison would tell more than the table does;
/// - it is held back ("not shown"): say so, and compare nothing;
/// - it is shown as 0, and the trends show it and every quarter before it in them (at
///   least 2 quarters in all) exactly as 0: say no concerns were raised in any of them;
/// - it is shown and so is the quarter before's (in the trends): give the count and how
///   many more or fewer than the quarter before, or that it is the same;
/// - it is shown but the quarter before's is hidden ("fewer than N" or "not shown"): give
///   the count and say the two are not compared;
/// - it is shown and the trends do not include the quarter before: give the count alone.
///
/// `all_none` is how many quarters the trends show up to and including this one when they
/// show every one of them exactly as 0 (see [`all_none_in`]).
fn reading(months: &str, now: Count, before: Before, all_none: Option<usize>) -> String {
    let n = match now {
        Count::FewerThan(limit) => {
            return format!(
                "Fewer than {limit} concerns were raised in {months}; counts this small are \
                 not shown."
            );
        }
        Count::NotShown => {
            return format!(
                "The number of concerns raised in {months} is not shown, so that a smaller \
                 count cannot be worked out from it."
            );
        }
        Count::Exactly(n) => n,
    };
    if let (0, Some(quarters @ 2..)) = (n, all_none) {
        return format!(
            "No concerns were raised in any of the last {quarters} quarters, up to {months}."
        );
    }
    let said = format!("{} raised in {months}", raised(n));
    match before {
        Before::Exactly(m) if n > m => format!("{said}, {} more than the quarter before.", n - m),
        Before::Exactly(m) if n < m => {
            format!("{said}, {} fewer than the quarter before.", m - n)
        }
        Before::Exactly(_) => format!("{said}, the same as the quarter before."),
        Before::Hidden => format!(
            "{said}; the count for the quarter before is hidden, so the two are not compared."
        ),
        Before::NotInPack => format!("{said}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speakup::returns::TrendRow;

    const MONTHS: &str = "October to December 2025";

    #[test]
    fn the_reading_compares_two_shown_quarters() {
        assert_eq!(
            reading(MONTHS, Count::Exactly(14), Before::Exactly(11), None),
            "14 concerns were raised in October to December 2025, 3 more than the quarter \
             before."
        );
        assert_eq!(
            reading(MONTHS, Count::Exactly(8), Before::Exactly(9), None),
            "8 concerns were raised in October to December 2025, 1 fewer than the quarter \
             before."
        );
        assert_eq!(
            reading(MONTHS, Count::Exactly(9), Before::Exactly(9), None),
            "9 concerns were raised in October to December 2025, the same as the quarter \
             before."
        );
        assert_eq!(
            reading(MONTHS, Count::Exactly(0), Before::Exactly(7), None),
            "No concerns were raised in October to December 2025, 7 fewer than the quarter \
             before."
        );
    }

    #[test]
    fn the_reading_never_compares_with_a_hidden_count() {
        assert_eq!(
            reading(MONTHS, Count::FewerThan(6), Before::Exactly(12), None),
            "Fewer than 6 concerns were raised in October to December 2025; counts this small \
             are not shown."
        );
        assert_eq!(
            reading(MONTHS, Count::NotShown, Before::Exactly(12), None),
            "The number of concerns raised in October to December 2025 is not shown, so that \
             a smaller count cannot be worked out from it."
        );
        assert_eq!(
            reading(MONTHS, Count::Exactly(12), Before::Hidden, None),
            "12 concerns were raised in October to December 2025; the count for the quarter \
             before is hidden, so the two are not compared."
        );
    }

    #[test]
    fn the_reading_gives_the_count_alone_without_the_quarter_before() {
        assert_eq!(
            reading(MONTHS, Count::Exactly(1), Before::NotInPack, None),
            "1 concern was raised in October to December 2025."
        );
    }

    #[test]
    fn counts_are_read_only_as_published() {
        assert_eq!(Count::of(PublishedCount::NONE), Count::Exactly(0));
        assert_eq!(Count::of(PublishedCount::WITHHELD), Count::NotShown);
        assert_eq!(
            Before::of(&Figure::count(PublishedCount::WITHHELD)),
            Before::Hidden
        );
        assert_eq!(
            Before::of(&Figure::count(PublishedCount::NONE)),
            Before::Exactly(0)
        );
    }

    fn trend(id: &'static str) -> Trend {
        Trend {
            id,
            caption: "Concerns received each quarter",
            rows_are: "Quarter",
            columns: vec!["Concerns".into()],
            rows: vec![TrendRow {
                label: "July to September 2025".into(),
                cells: vec![Figure::count(PublishedCount::WITHHELD)],
            }],
        }
    }

    #[test]
    fn the_quarter_before_comes_from_the_trends_shown() {
        let q = Quarter::parse("2025-Q4").unwrap();
        let trends = Trends {
            first: Quarter::parse("2024-Q1").unwrap(),
            last: q,
            trends: vec![trend("per-quarter")],
        };
        assert_eq!(before_in(&trends, q).map(Before::of), Some(Before::Hidden));
        let older = Quarter::parse("2023-Q2").unwrap();
        assert_eq!(before_in(&trends, older), None);
    }

    #[test]
    fn the_reading_says_when_no_quarter_shown_had_a_concern() {
        assert_eq!(
            reading(MONTHS, Count::Exactly(0), Before::Exactly(0), Some(8)),
            "No concerns were raised in any of the last 8 quarters, up to October to \
             December 2025."
        );
        assert_eq!(
            reading(MONTHS, Count::Exactly(0), Before::Exactly(0), Some(2)),
            "No concerns were raised in any of the last 2 quarters, up to October to \
             December 2025."
        );
        // One quarter alone is the ordinary reading; without every quarter shown as 0,
        // the quarter before is compared as usual.
        assert_eq!(
            reading(MONTHS, Count::Exactly(0), Before::NotInPack, Some(1)),
            "No concerns were raised in October to December 2025."
        );
        assert_eq!(
            reading(MONTHS, Count::Exactly(0), Before::Exactly(0), None),
            "No concerns were raised in October to December 2025, the same as the quarter \
             before."
        );
        // A quarter with concerns is never read as none, whatever is passed.
        assert_eq!(
            reading(MONTHS, Count::Exactly(3), Before::Exactly(0), Some(8)),
            "3 concerns were raised in October to December 2025, 3 more than the quarter \
             before."
        );
        assert_eq!(
            reading(MONTHS, Count::FewerThan(6), Before::Exactly(0), Some(8)),
            "Fewer than 6 concerns were raised in October to December 2025; counts this small \
             are not shown."
        );
    }

    fn per_quarter(counts: &[(&str, PublishedCount)]) -> Trends {
        Trends {
            first: Quarter::parse("2024-Q1").unwrap(),
            last: Quarter::parse("2025-Q4").unwrap(),
            trends: vec![Trend {
                rows: counts
                    .iter()
                    .map(|(q, count)| TrendRow {
                        label: Quarter::parse(q).unwrap().months(),
                        cells: vec![Figure::count(*count)],
                    })
                    .collect(),
                ..trend("per-quarter")
            }],
        }
    }

    #[test]
    fn all_none_counts_only_quarters_shown_exactly_as_0() {
        let q = |text: &str| Quarter::parse(text).unwrap();
        let none = PublishedCount::NONE;
        let quarters = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"];
        let all_none = per_quarter(&quarters.map(|q| (q, none)));
        assert_eq!(all_none_in(&all_none, q("2025-Q4")), Some(4));
        assert_eq!(all_none_in(&all_none, q("2025-Q2")), Some(2));
        // Not in the trends: nothing to read.
        assert_eq!(all_none_in(&all_none, q("2024-Q4")), None);
        // A hidden count is never read as 0.
        let hidden = per_quarter(&[
            ("2025-Q1", PublishedCount::WITHHELD),
            ("2025-Q2", none),
            ("2025-Q3", none),
            ("2025-Q4", none),
        ]);
        assert_eq!(all_none_in(&hidden, q("2025-Q4")), None);
        // A quarter with concerns shown breaks the run.
        use dignity_engine::disclosure::{Kind, Minimum, population};
        let seven = Figure::amount(
            population(7, Minimum::new(Kind::SpeakUpReturns, 5).unwrap()),
            |n| n.to_string(),
            "hidden",
        );
        let mut some = per_quarter(&quarters.map(|q| (q, none)));
        some.trends[0].rows[1].cells = vec![seven];
        assert_eq!(all_none_in(&some, q("2025-Q4")), None);
        assert_eq!(all_none_in(&some, q("2025-Q1")), Some(1));
        // Only quarters up to the pack's own count.
        let later = per_quarter(&[
            ("2025-Q1", none),
            ("2025-Q2", none),
            ("2025-Q3", PublishedCount::WITHHELD),
        ]);
        assert_eq!(all_none_in(&later, q("2025-Q2")), Some(2));
        assert_eq!(all_none_in(&later, q("2025-Q3")), None);
        let no_table = Trends {
            trends: vec![trend("by-element")],
            ..per_quarter(&[])
        };
        assert_eq!(all_none_in(&no_table, q("2025-Q3")), None);
    }

    #[test]
    fn every_table_has_a_short_unique_name_under_the_key() {
        let ids = [
            "per-quarter",
            "by-element",
            "by-unit",
            "to-acknowledge",
            "to-close",
            "something-new",
        ];
        let mut names: Vec<String> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| trend_table(i, &trend(id)).table.name)
            .collect();
        names.push(return_table(&empty_return()).name);
        for name in &names {
            assert!(name.len() <= 24 && name.starts_with("speak-up-"), "{name}");
        }
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        let table = trend_table(0, &trend("per-quarter")).table;
        assert_eq!(table.header, ["Quarter", "Concerns"]);
        assert_eq!(
            table
                .rows
                .first()
                .map(|r| r.iter().map(Cell::text).collect::<Vec<_>>()),
            Some(vec!["July to September 2025", "not shown"])
        );
    }

    fn empty_return() -> PublishedReturn {
        PublishedReturn {
            quarter: "2025-Q4".into(),
            period: MONTHS.into(),
            cases: PublishedCount::NONE,
            anonymous: PublishedCount::NONE,
            elements: Vec::new(),
            detriment_found: PublishedCount::WITHHELD,
            professional_groups: Vec::new(),
            feedback: Vec::new(),
        }
    }

    #[test]
    fn the_return_table_holds_counts_as_figures() {
        let table = return_table(&empty_return());
        assert_eq!(table.rows.len(), 3);
        assert!(
            table
                .rows
                .iter()
                .all(|r| matches!(r.last(), Some(Cell::Figure(_))))
        );
    }
}

//! The quarterly return, the trends and the national view: which quarters are decided
//! together, every figure published for them, and their downloads. Built from cases'
//! plain-text facts only. Every count is decided by `dignity_domain::speakup_figures`
//! through the disclosure ledger (`dignity_engine::disclosure`) under the Speak Up
//! minimum, and every middle time by `disclosure::median`; nothing here shows a number
//! that did not come through them.

use super::signoff::has_ended;
use crate::identity::Organisation;
use crate::table::{Cell, Table};
use crate::{Context, Error};
use dignity_domain::identity::Role;
use dignity_domain::speakup::{Day, Element, PublishedCount};
use dignity_domain::speakup_figures::{Figures, Measure, Scope};
use dignity_domain::speakup_returns::{CaseFacts, PublishedReturn, Quarter};
use dignity_engine::disclosure::{Figure, Minimum, median};
use dignity_store::{identity, speakup};
use std::collections::BTreeMap;

/// Who may read an organisation's return and trends: counts only, no case content, and
/// small numbers hidden.
pub const AGGREGATE_READERS: &[Role] = &[Role::Guardian, Role::Executive, Role::UnionPartner];

/// Who may read the national view, across every organisation.
pub use crate::identity::ANALYSTS;

/// The quarters a page offers to choose from: the last eight to end, newest first.
pub fn recent_quarters(today: Day) -> Vec<Quarter> {
    let mut quarters = trend_quarters(today);
    quarters.reverse();
    quarters
}

/// One organisation's cases' facts.
pub async fn facts(ctx: &Context, organisation: &Organisation) -> Result<Vec<CaseFacts>, Error> {
    Ok(speakup::case_facts(&ctx.db, organisation.id).await?)
}

/// Each organisation's places, every one listed whether or not it had cases.
pub async fn places_of(
    ctx: &Context,
    organisations: &[i64],
) -> Result<BTreeMap<i64, Vec<String>>, Error> {
    let mut places = BTreeMap::new();
    for id in organisations {
        let names = identity::list_org_units(&ctx.db, *id)
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect();
        places.insert(*id, names);
    }
    Ok(places)
}

/// The last quarter to end: the newest with figures.
pub fn last_ended(today: Day) -> Quarter {
    Quarter::of(today).previous()
}

/// The quarter asked for, or the last to end. Refused (`NotFound`) for the quarter under
/// way or one to come, which have no figures.
pub fn chosen_quarter(ctx: &Context, asked: Option<Quarter>) -> Result<Quarter, Error> {
    let quarter = asked.unwrap_or_else(|| last_ended(ctx.clock.today()));
    ended(ctx, quarter)?;
    Ok(quarter)
}

/// Figures exist only for quarters that have ended. A quarter under way would publish
/// each concern as it arrives: a count that moves while someone watches dates a
/// reporter's act to the second (an outside review saw one move at the very second a
/// concern was sent).
fn ended(ctx: &Context, quarter: Quarter) -> Result<(), Error> {
    let today = ctx.clock.today();
    if has_ended(quarter, today) {
        return Ok(());
    }
    Err(Error::NotFound(format!(
        "Figures for a quarter appear once it has ended. {} has not ended yet; the last \
         quarter to end is {}.",
        quarter.months(),
        last_ended(today).months()
    )))
}

/// The trends' quarters: the last eight to end, oldest first.
pub fn trend_quarters(today: Day) -> Vec<Quarter> {
    last_ended(today).last(8)
}

/// The quarters decided together: the trends' last eight, and the one asked for. Every
/// page showing Speak Up figures decides over the same quarters, so each figure reads the
/// same wherever it is shown.
pub fn decided_quarters(asked: Option<Quarter>, today: Day) -> Vec<Quarter> {
    let mut quarters = trend_quarters(today);
    if let Some(q) = asked.filter(|q| !quarters.contains(q)) {
        quarters.push(q);
        quarters.sort();
    }
    quarters
}

/// One organisation's figures, decided as every page of its own shows them.
pub async fn organisation_figures(
    ctx: &Context,
    organisation: &Organisation,
    facts: &[CaseFacts],
    quarters: &[Quarter],
) -> Result<Figures, Error> {
    Ok(Figures::decide(
        &[(organisation.id, facts)],
        &places_of(ctx, &[organisation.id]).await?,
        false,
        quarters,
        ctx.minimums.speakup(),
        &ctx.professional_groups,
    ))
}

/// One organisation's return for a quarter, as published; refused for a quarter that has
/// not ended.
pub async fn quarterly_return(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<PublishedReturn, Error> {
    ended(ctx, quarter)?;
    let facts = facts(ctx, organisation).await?;
    let quarters = decided_quarters(Some(quarter), ctx.clock.today());
    let figures = organisation_figures(ctx, organisation, &facts, &quarters).await?;
    Ok(figures.quarterly_return(Scope::Organisation(organisation.id), quarter))
}

const RETURN_HEADER: [&str; 5] = ["organisation", "quarter", "measure", "category", "count"];

fn return_table(name: String, rows: Vec<([String; 4], PublishedCount)>) -> Table {
    Table {
        name,
        header: RETURN_HEADER.map(String::from).to_vec(),
        rows: rows
            .into_iter()
            .map(|(labels, count)| {
                labels
                    .into_iter()
                    .map(Cell::Words)
                    .chain([Cell::Figure(Figure::count(count))])
                    .collect()
            })
            .collect(),
    }
}

/// One organisation's return for a quarter, as a table to download.
pub async fn return_download(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Table, Error> {
    let figures = quarterly_return(ctx, organisation, quarter).await?;
    Ok(download_of(organisation, quarter, &figures))
}

/// The table to download of a return already decided.
pub fn download_of(
    organisation: &Organisation,
    quarter: Quarter,
    figures: &PublishedReturn,
) -> Table {
    return_table(
        format!("speak-up-return-{}-{quarter}", organisation.ods_code),
        figures.csv_rows(&organisation.ods_code),
    )
}

/// Every organisation with Speak Up turned on, with its cases' facts.
pub async fn national_facts(ctx: &Context) -> Result<Vec<(Organisation, Vec<CaseFacts>)>, Error> {
    let mut by_org: BTreeMap<i64, Vec<CaseFacts>> = BTreeMap::new();
    for (org_id, facts) in speakup::all_case_facts(&ctx.db).await? {
        by_org.entry(org_id).or_default().push(facts);
    }
    let mut organisations = Vec::new();
    for organisation in identity::list_organisations(&ctx.db).await? {
        if speakup::settings(&ctx.db, organisation.id).await?.is_some() {
            let facts = by_org.remove(&organisation.id).unwrap_or_default();
            organisations.push((organisation, facts));
        }
    }
    Ok(organisations)
}

/// One organisation's line in the national view.
pub struct NationalRow {
    pub organisation: Organisation,
    pub figures: PublishedReturn,
}

/// The national view of a quarter: each organisation's return exactly as its own pages
/// show it, the national return, and the national trends.
pub struct National {
    pub rows: Vec<NationalRow>,
    pub total: PublishedReturn,
    pub trends: Vec<Trend>,
}

/// Every organisation's figures and the national ones, decided together; refused for a
/// quarter that has not ended.
pub async fn national(ctx: &Context, quarter: Quarter) -> Result<National, Error> {
    ended(ctx, quarter)?;
    let organisations = national_facts(ctx).await?;
    let parts: Vec<(i64, &[CaseFacts])> = organisations
        .iter()
        .map(|(o, f)| (o.id, f.as_slice()))
        .collect();
    let ids: Vec<i64> = parts.iter().map(|(id, _)| *id).collect();
    let today = ctx.clock.today();
    let figures = Figures::decide(
        &parts,
        &places_of(ctx, &ids).await?,
        true,
        &decided_quarters(Some(quarter), today),
        ctx.minimums.speakup(),
        &ctx.professional_groups,
    );
    let total = figures.quarterly_return(Scope::All, quarter);
    let mut all = Vec::new();
    let rows = organisations
        .into_iter()
        .map(|(organisation, facts)| {
            all.extend(facts);
            NationalRow {
                figures: figures.quarterly_return(Scope::Organisation(organisation.id), quarter),
                organisation,
            }
        })
        .collect();
    let trends = trends(
        &figures,
        Scope::All,
        &all,
        &trend_quarters(today),
        ctx.minimums.speakup(),
    );
    Ok(National {
        rows,
        total,
        trends,
    })
}

/// The national view of a quarter as a table to download: each organisation's lines,
/// then the national ones under `ALL`.
pub async fn national_download(ctx: &Context, quarter: Quarter) -> Result<Table, Error> {
    let National { rows, total, .. } = national(ctx, quarter).await?;
    let mut lines: Vec<([String; 4], PublishedCount)> = rows
        .iter()
        .flat_map(|r| r.figures.csv_rows(&r.organisation.ods_code))
        .collect();
    lines.extend(total.csv_rows("ALL"));
    Ok(return_table(format!("speak-up-national-{quarter}"), lines))
}

/// One table of the trends, with the figure each row's bar is drawn to.
pub struct Trend {
    /// A name for the chart, unique on the page.
    pub id: &'static str,
    pub caption: &'static str,
    /// What each row is, as the heading of the rows' column.
    pub rows_are: &'static str,
    pub columns: Vec<String>,
    pub rows: Vec<TrendRow>,
}

pub struct TrendRow {
    pub label: String,
    /// Each column's figure, as published; a chart draws the last one.
    pub cells: Vec<Figure>,
}

impl TrendRow {
    /// The last column's value when it is shown exactly; `None` when it is hidden.
    pub fn value(&self) -> Option<u64> {
        self.cells.last().and_then(Figure::drawn)
    }
}

/// An organisation's trends over the last eight quarters, with the first and last.
pub struct Trends {
    pub first: Quarter,
    pub last: Quarter,
    pub trends: Vec<Trend>,
}

/// One organisation's trends, decided over the same quarters as its returns.
pub async fn organisation_trends(
    ctx: &Context,
    organisation: &Organisation,
) -> Result<Trends, Error> {
    let facts = facts(ctx, organisation).await?;
    let today = ctx.clock.today();
    let quarters = trend_quarters(today);
    let (Some(&first), Some(&last)) = (quarters.first(), quarters.last()) else {
        return Err(Error::Internal("the trends have no quarters".into()));
    };
    let decided =
        organisation_figures(ctx, organisation, &facts, &decided_quarters(None, today)).await?;
    let trends = trends(
        &decided,
        Scope::Organisation(organisation.id),
        &facts,
        &quarters,
        ctx.minimums.speakup(),
    );
    Ok(Trends {
        first,
        last,
        trends,
    })
}

/// One row per label: each quarter's figure, then the period's, as decided.
fn counted_rows(
    figures: &Figures,
    scope: Scope,
    quarters: &[Quarter],
    rows: Vec<(String, Measure)>,
) -> Vec<TrendRow> {
    rows.into_iter()
        .map(|(label, measure)| {
            let mut cells: Vec<Figure> = quarters
                .iter()
                .map(|q| Figure::count(figures.count(scope, Some(*q), measure.clone())))
                .collect();
            // Over the quarters on the page, whatever quarters were decided.
            cells.push(Figure::count(
                figures.period_total(scope, quarters, measure),
            ));
            TrendRow { label, cells }
        })
        .collect()
}

/// The trends' tables for `scope`, every count taken from `figures`; `facts` (the same
/// scope's) give only the middle times, which hide themselves when few.
fn trends(
    figures: &Figures,
    scope: Scope,
    facts: &[CaseFacts],
    quarters: &[Quarter],
    minimum: Minimum,
) -> Vec<Trend> {
    let per_quarter = quarters
        .iter()
        .map(|q| {
            let shown: PublishedCount = figures.count(scope, Some(*q), Measure::Cases);
            TrendRow {
                label: q.months(),
                cells: vec![Figure::count(shown)],
            }
        })
        .collect();
    let mut columns: Vec<String> = quarters.iter().map(|q| q.short()).collect();
    columns.push("All".into());
    let by_element = counted_rows(
        figures,
        scope,
        quarters,
        Element::ALL
            .iter()
            .map(|e| (e.label().to_owned(), Measure::Element(*e)))
            .collect(),
    );
    let by_unit = counted_rows(
        figures,
        scope,
        quarters,
        figures
            .units(scope)
            .iter()
            .map(|u| (u.clone(), Measure::Unit(u.clone())))
            .collect(),
    );
    let timing = |pick: fn(&CaseFacts) -> Option<Day>| -> Vec<TrendRow> {
        quarters
            .iter()
            .map(|q| {
                let days = facts
                    .iter()
                    .filter(|f| q.contains(f.received_on))
                    .filter_map(|f| pick(f).map(|d| d.days_since(f.received_on)))
                    .collect();
                let middle = median(days, minimum).map(|m| m.max(0).unsigned_abs());
                TrendRow {
                    label: q.months(),
                    cells: vec![Figure::amount(
                        middle,
                        |m| format!("{m} days"),
                        "too few cases to show",
                    )],
                }
            })
            .collect()
    };
    let has_places = !figures.units(scope).is_empty();
    let mut shown = vec![
        Trend {
            id: "per-quarter",
            rows_are: "Quarter",
            caption: "Concerns received each quarter",
            columns: vec!["Concerns".into()],
            rows: per_quarter,
        },
        Trend {
            id: "by-element",
            rows_are: "What it was about",
            caption: "Concerns by what they were about, each quarter (chart: all quarters)",
            columns: columns.clone(),
            rows: by_element,
        },
        Trend {
            id: "to-acknowledge",
            rows_are: "Quarter",
            caption: "Middle time to acknowledge a concern",
            columns: vec!["Days".into()],
            rows: timing(|f| f.acknowledged_on),
        },
        Trend {
            id: "to-close",
            rows_are: "Quarter",
            caption: "Middle time to close a concern",
            columns: vec!["Days".into()],
            rows: timing(|f| f.closed_on),
        },
    ];
    // Places are an organisation's own; the national view has none.
    if has_places {
        shown.insert(
            2,
            Trend {
                id: "by-unit",
                rows_are: "Where it happened",
                caption: "Concerns by where they happened, each quarter (chart: all quarters)",
                columns,
                rows: by_unit,
            },
        );
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use dignity_domain::speakup::IdentityLevel;
    use dignity_engine::disclosure::Kind;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn case(received: &str, acknowledged: Option<&str>, unit: Option<&str>) -> CaseFacts {
        CaseFacts {
            received_on: day(received),
            acknowledged_on: acknowledged.map(day),
            closed_on: None,
            identity_level: IdentityLevel::Anonymous,
            elements: vec![Element::ALL[0]],
            professional_group: None,
            feedback: None,
            org_unit: unit.map(str::to_owned),
            detriment_found: None,
        }
    }

    #[test]
    fn every_page_decides_over_the_trends_quarters_and_the_one_asked_for() {
        let today = day("2026-05-14");
        let trend = trend_quarters(today);
        assert_eq!(trend.len(), 8);
        // The window ends with the last quarter to end: the one under way has no figures.
        assert_eq!(trend.last(), Some(&Quarter::of(today).previous()));
        assert!(trend.iter().all(|q| has_ended(*q, today)));
        assert_eq!(decided_quarters(None, today), trend);
        let inside = Quarter::of(today).previous().previous();
        assert_eq!(decided_quarters(Some(inside), today), trend);
        let long_ago = Quarter::parse("2020-Q1").unwrap();
        let decided = decided_quarters(Some(long_ago), today);
        assert_eq!(decided.first(), Some(&long_ago), "sorted, oldest first");
        assert_eq!(decided.len(), 9);
        // The pages offer the trends' quarters to choose from, newest first.
        let offered = recent_quarters(today);
        assert_eq!(offered.first(), Some(&last_ended(today)));
        assert_eq!(offered.iter().rev().copied().collect::<Vec<_>>(), trend);
    }

    /// Every count in the trends is the figures' own, and a middle time is shown only
    /// over at least the minimum of cases.
    #[test]
    fn the_trends_show_only_what_the_disclosure_rules_decided() {
        let minimum = Minimum::default_for(Kind::SpeakUpReturns);
        let today = day("2026-05-14");
        let quarters = trend_quarters(today);
        let people = usize::try_from(minimum.people()).unwrap();
        // Enough cases in the first quarter of 2026 for a middle time, one too few in the
        // last quarter of 2025.
        let mut facts: Vec<CaseFacts> = (0..people)
            .map(|_| case("2026-01-05", Some("2026-01-07"), Some("Ward 7")))
            .collect();
        facts.extend((1..people).map(|_| case("2025-11-03", Some("2025-11-04"), None)));
        let places = BTreeMap::from([(1, vec!["Ward 7".to_owned(), "Ward 8".to_owned()])]);
        let groups = dignity_domain::speakup::default_professional_groups();
        let figures = Figures::decide(
            &[(1, facts.as_slice())],
            &places,
            false,
            &quarters,
            minimum,
            &groups,
        );
        let scope = Scope::Organisation(1);
        let shown = trends(&figures, scope, &facts, &quarters, minimum);
        let ids: Vec<&str> = shown.iter().map(|t| t.id).collect();
        assert_eq!(
            ids,
            [
                "per-quarter",
                "by-element",
                "by-unit",
                "to-acknowledge",
                "to-close"
            ]
        );
        let [per_quarter, .., to_acknowledge, _] = shown.as_slice() else {
            panic!("five trends");
        };
        for (row, q) in per_quarter.rows.iter().zip(&quarters) {
            let published = figures.count(scope, Some(*q), Measure::Cases);
            assert_eq!(row.cells, vec![Figure::count(published)]);
            assert_eq!(row.value(), published.exact());
        }
        let middle = |label: String| {
            to_acknowledge
                .rows
                .iter()
                .find(|r| r.label == label)
                .map(|r| {
                    (
                        r.cells.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                        r.value(),
                    )
                })
        };
        let q1 = Quarter::parse("2026-Q1").unwrap();
        let q4 = Quarter::parse("2025-Q4").unwrap();
        assert_eq!(middle(q1.months()), Some((vec!["2 days".into()], Some(2))));
        assert_eq!(
            middle(q4.months()),
            Some((vec!["too few cases to show".into()], None)),
            "one case fewer than the minimum hides the middle time"
        );

        // The national view has no places.
        let national = Figures::decide(
            &[(1, facts.as_slice())],
            &places,
            true,
            &quarters,
            minimum,
            &groups,
        );
        let shown = trends(&national, Scope::All, &facts, &quarters, minimum);
        assert!(shown.iter().all(|t| t.id != "by-unit"));
    }

    #[test]
    fn a_return_downloads_as_the_one_csv_with_its_header() {
        let table = return_table(
            "speak-up-return-RJ1-2026-Q1".into(),
            vec![(
                [
                    "RJ1".into(),
                    "2026-Q1".into(),
                    "element".into(),
                    "-1+1".into(),
                ],
                PublishedCount::WITHHELD,
            )],
        );
        assert_eq!(
            table.csv(),
            "\"organisation\",\"quarter\",\"measure\",\"category\",\"count\"\r\n\"RJ1\",\"2026-Q1\",\"element\",\"'-1+1\",\"not shown\"\r\n"
        );
    }
}

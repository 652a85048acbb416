//! The pack's fairness in employee relations: for the newest reporting year whose figures
//! had settled by the end of the quarter, how often staff went through each formal process,
//! how likely each group by ethnicity and disability was to go through it against all
//! other staff, any other group clearly more or less likely than the rest, and the price of
//! fear (what bullying and harassment by other staff cost). Every figure is one the
//! fairness and price pages show (`workforce::fairness`, `workforce::price`), decided by
//! their disclosure decisions, and hidden here in the words they use.

use super::{PackTable, Section};
use crate::identity::Organisation;
use crate::table::{Cell, Table};
use crate::workforce::fairness::{self, GroupingView, Measure, RowView, YearView};
use crate::workforce::price::{self, YearCost};
use crate::workforce::standards::ReportingYear;
use crate::{Context, Error};
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::Quarter;
use dignity_engine::disclosure::Figure;

const KEY: &str = "fairness";
const TITLE: &str = "Fairness in employee relations";

/// The groupings the groups table and the reading cover.
const MAIN_GROUPINGS: [&str; 2] = ["ethnicity", "disability"];

/// The words the fairness page gives a row whose likelihood is hidden for small numbers.
const TOO_FEW: &str = "Not shown, to keep small numbers private";

/// The groups a reading must not pass over: when either has no likelihood shown, the
/// reading says so first (see [`unshown`]).
const BME_STAFF: &str = "Black and minority ethnic staff";
const DISABLED_STAFF: &str = "Disabled staff";

pub(super) async fn section(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Section, Error> {
    let mut section = Section::new(KEY, TITLE);
    let end = quarter_end(quarter)
        .ok_or_else(|| Error::Internal(format!("{quarter} has no last day")))?;
    let mut newest = fairness::page_of(ctx, organisation, None, Measure::Conduct).await?;
    let Some(year) = settled_by(&newest.years, end) else {
        section.reading = format!(
            "No year's figures had settled by {}, so there are none to show yet.",
            end.long()
        );
        section.notes.push(SETTLING.to_owned());
        return Ok(section);
    };
    let mut views: Vec<(Measure, YearView)> = Vec::new();
    for measure in Measure::ALL {
        let view = match newest.shown.take() {
            Some(view) if measure == Measure::Conduct && view.year == year => Some(view),
            _ => {
                fairness::page_of(ctx, organisation, Some(year), measure)
                    .await?
                    .shown
            }
        };
        if let Some(view) = view {
            views.push((measure, view));
        }
    }
    let Some((_, first)) = views.first() else {
        section.reading = format!(
            "There are no fairness figures for {}, so there are none to show.",
            year.label()
        );
        return Ok(section);
    };
    let staff_on = first.staff_on;
    let groups = group_rows(&views);
    let findings: Vec<Finding> = groups.iter().flat_map(|g| g.findings.clone()).collect();
    section.reading = reading(year, &findings);
    section.tables.push(PackTable {
        caption: format!(
            "How often staff went through each formal process in {}, out of the staff in post \
             on {}",
            year.label(),
            staff_on.long()
        ),
        table: all_staff_table(&views),
    });
    section.tables.push(PackTable {
        caption: format!(
            "How likely each group was to go through each process against all other staff, \
             {}. 1.00 means equal; above 1.00 means more likely.",
            year.label()
        ),
        table: groups_table(&views, &groups),
    });
    match others_table(&views) {
        Some(table) => section.tables.push(PackTable {
            caption: format!(
                "Other groups clearly more or less likely than the rest to go through a \
                 process, {}",
                year.label()
            ),
            table,
        }),
        None => section.notes.push(
            "No other group (by staff group, sex, age band or pay band) has a figure shown \
             that is clearly different from the rest."
                .to_owned(),
        ),
    }
    section.notes.extend(view_notes(first));
    match price_of(ctx, organisation, year).await? {
        Ok((table, notes)) => {
            section.tables.push(PackTable {
                caption: format!(
                    "The price of fear: an estimate of what bullying and harassment by other \
                     staff cost in {}, from low to high",
                    year.label()
                ),
                table,
            });
            section.notes.extend(notes);
        }
        Err(why) => section.notes.push(why),
    }
    Ok(section)
}

/// How a year's figures settle, for a reader waiting for them.
const SETTLING: &str = "A year's figures are counted on 1 May after the year ends, from what \
                        was written into Dignity by then, and do not change after that. They \
                        also need a staff-in-post extract for the year.";

/// The last day of `quarter`.
fn quarter_end(quarter: Quarter) -> Option<Day> {
    let month = quarter.number * 3;
    let day = if matches!(month, 6 | 9) { 30 } else { 31 };
    Day::from_ymd(quarter.year, month, day)
}

/// The newest of `years` (newest first) whose figures had settled by `end`.
fn settled_by(years: &[ReportingYear], end: Day) -> Option<ReportingYear> {
    years
        .iter()
        .copied()
        .find(|y| y.cases_counted_from().is_some_and(|from| from <= end))
}

/// What happened, as the first column and the reading say it.
fn happened(measure: Measure) -> &'static str {
    match measure {
        Measure::Sanction => {
            "Given a written warning or dismissed (out of conduct cases with an outcome)"
        }
        _ => measure.happened_words(),
    }
}

/// What happened, as the reading's sentence says it after "as likely as other staff".
fn process_words(measure: Measure) -> &'static str {
    match measure {
        Measure::Conduct => "to start a conduct investigation",
        Measure::Capability => "to start a capability investigation about their performance",
        Measure::Suspension => "to be suspended or excluded",
        Measure::Outcome => "to have a conduct case reach an outcome",
        Measure::Sanction => {
            "to be given a written warning or dismissed once their conduct case reached an \
             outcome"
        }
    }
}

fn all_staff_table(views: &[(Measure, YearView)]) -> Table {
    Table {
        name: "fairness-all".into(),
        header: vec![
            "What happened".into(),
            "Staff".into(),
            "Out of".into(),
            "Rate".into(),
            "Median time to an outcome".into(),
        ],
        rows: views
            .iter()
            .map(|(measure, view)| {
                vec![
                    Cell::words(happened(*measure)),
                    Cell::from(view.happened.clone()),
                    Cell::from(view.base.clone()),
                    Cell::from(view.rate.clone()),
                    view.days
                        .clone()
                        .map_or_else(|| Cell::words(""), Cell::from),
                ]
            })
            .collect(),
    }
}

/// One group's row of the groups table: its name, and its row of each measure's page.
struct GroupRow {
    name: String,
    cells: Vec<Option<RowView>>,
    findings: Vec<Finding>,
}

/// A group's name in a table and in a sentence, from the fairness page's grouping and label.
fn group_name(grouping: &GroupingView, label: &str) -> String {
    match (grouping.key, label) {
        ("ethnicity", "White") => "White staff".into(),
        ("ethnicity", "Black and minority ethnic") => BME_STAFF.into(),
        ("ethnicity", "Not known") => "Staff whose ethnicity is not known".into(),
        ("disability", "Disabled") => DISABLED_STAFF.into(),
        ("disability", "Not disabled") => "Staff who are not disabled".into(),
        ("disability", "Not known") => "Staff whose disability is not known".into(),
        _ => format!("{}: {label}", grouping.title),
    }
}

/// The groups by ethnicity and by disability, in the page's order, each with its row for
/// every measure.
fn group_rows(views: &[(Measure, YearView)]) -> Vec<GroupRow> {
    let Some((_, first)) = views.first() else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    for key in MAIN_GROUPINGS {
        let Some(grouping) = first.groupings.iter().find(|g| g.key == key) else {
            continue;
        };
        for row in &grouping.rows {
            let name = group_name(grouping, &row.label);
            let cells: Vec<Option<RowView>> = views
                .iter()
                .map(|(_, view)| {
                    view.groupings
                        .iter()
                        .find(|g| g.key == key)
                        .and_then(|g| g.rows.iter().find(|r| r.label == row.label))
                        .cloned()
                })
                .collect();
            let findings = views
                .iter()
                .zip(&cells)
                .filter_map(|((measure, _), cell)| {
                    cell.as_ref()
                        .map(|c| Finding::of(name.clone(), *measure, c))
                })
                .collect();
            rows.push(GroupRow {
                name,
                cells,
                findings,
            });
        }
    }
    rows
}

/// A likelihood as the groups table writes it: the figure and what it shows ("1.83: more
/// likely than the rest"), or, when it is not shown, the page's words for why.
fn likelihood_words(row: &RowView) -> String {
    if row.likelihood.is_shown() {
        format!("{}: {}", row.likelihood.text(), lower_first(row.reading))
    } else {
        row.reading.to_owned()
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn groups_table(views: &[(Measure, YearView)], groups: &[GroupRow]) -> Table {
    let mut header = vec!["Group".to_owned()];
    header.extend(views.iter().map(|(m, _)| m.title().to_owned()));
    Table {
        name: "fairness-groups".into(),
        header,
        rows: groups
            .iter()
            .map(|group| {
                std::iter::once(Cell::words(group.name.clone()))
                    .chain(group.cells.iter().map(|cell| {
                        Cell::words(cell.as_ref().map(likelihood_words).unwrap_or_default())
                    }))
                    .collect()
            })
            .collect(),
    }
}

/// Every group of the other groupings (staff group, sex, age band, pay band) whose shown
/// likelihood the page flags, for every measure; `None` when there is none.
fn others_table(views: &[(Measure, YearView)]) -> Option<Table> {
    let mut rows = Vec::new();
    for (measure, view) in views {
        for grouping in view
            .groupings
            .iter()
            .filter(|g| !MAIN_GROUPINGS.contains(&g.key))
        {
            for row in grouping
                .rows
                .iter()
                .filter(|r| r.flagged && r.likelihood.is_shown())
            {
                rows.push(vec![
                    Cell::words(measure.title()),
                    Cell::words(grouping.title),
                    Cell::words(row.label.clone()),
                    Cell::from(row.likelihood.clone()),
                    Cell::words(row.reading),
                ]);
            }
        }
    }
    (!rows.is_empty()).then(|| Table {
        name: "fairness-others".into(),
        header: vec![
            "Process".into(),
            "Grouping".into(),
            "Group".into(),
            "Likelihood".into(),
            "What it shows".into(),
        ],
        rows,
    })
}

/// What the year's figures rest on.
fn view_notes(view: &YearView) -> Vec<String> {
    let mut notes = vec![
        "Each likelihood sets a group against all other staff. A group is called more or less \
         likely only when its figure is outside 0.80 to 1.25 and its range leaves out 1.00; \
         otherwise the difference could be chance."
            .to_owned(),
        SETTLING.to_owned(),
    ];
    if !view.leavers_counted.is_empty() {
        notes.push(
            "Staff who left during the year are counted in what happened to them, from the \
             leavers extracts imported before the figures were counted."
                .to_owned(),
        );
    }
    if !view.leavers_late.is_empty() {
        notes.push(
            "Leavers extracts imported after the figures were counted are left out, so the \
             figures do not change."
                .to_owned(),
        );
    }
    if view.standards_imported {
        notes.push(
            "This year's WRES 3 and WDES 3 come from imported counts, not from these cases, so \
             they may differ from these figures."
                .to_owned(),
        );
    }
    if view.withheld_everything {
        notes.push(
            "Every count is held back this year, to protect people in small groups.".to_owned(),
        );
    }
    notes
}

/// The price of fear for `year` as its page shows it: the table and its notes, or why
/// there is none.
async fn price_of(
    ctx: &Context,
    organisation: &Organisation,
    year: ReportingYear,
) -> Result<Result<(Table, Vec<String>), String>, Error> {
    let page = match price::page_of(ctx, organisation, Some(year)).await {
        Ok(page) => page,
        Err(Error::NotFound(_)) => {
            return Ok(Err(format!(
                "There is no estimate of the price of fear for {}.",
                year.label()
            )));
        }
        Err(e) => return Err(e),
    };
    let Some(cost) = page.shown else {
        return Ok(Err(format!(
            "There is no estimate of the price of fear for {}.",
            year.label()
        )));
    };
    Ok(price_table(&cost))
}

fn price_table(cost: &YearCost) -> Result<(Table, Vec<String>), String> {
    let costed = cost.estimate.as_ref().map_err(|why| {
        format!(
            "There is no estimate of the price of fear for {}. {why}",
            cost.year.label()
        )
    })?;
    let mut rows = vec![
        vec![
            Cell::words(format!("Staff in post on {}", cost.staff_on.long())),
            Cell::from(cost.staff.clone()),
            Cell::words("From the staff-in-post extract."),
        ],
        vec![
            Cell::words("Share of staff bullied or harassed by managers or colleagues"),
            Cell::from(cost.bullied.clone()),
            Cell::words(match &cost.survey {
                Some(survey) => format!("From the staff survey: {survey}."),
                None => "From the staff survey.".to_owned(),
            }),
        ],
    ];
    rows.extend(costed.components.iter().map(|c| {
        vec![
            Cell::words(c.label),
            Cell::words(c.amount.clone()),
            Cell::words(c.how.clone()),
        ]
    }));
    rows.push(vec![
        Cell::words("Total"),
        Cell::words(costed.total.clone()),
        Cell::words("The parts above added up. A part left out is not added."),
    ]);
    rows.push(vec![
        Cell::words("For each member of staff"),
        Cell::words(costed.per_person.clone()),
        Cell::words("The total shared across the staff in post."),
    ]);
    let mut notes = Vec::new();
    if costed.own_assumptions {
        notes.push(
            "The organisation has put in some values of its own for the price of fear, in \
             place of the published ones."
                .to_owned(),
        );
    }
    Ok((
        Table {
            name: "fairness-price".into(),
            header: vec![
                "Part".into(),
                "Figure".into(),
                "How it is worked out".into(),
            ],
            rows,
        },
        notes,
    ))
}

/// One group's likelihood for one measure, as the reading sees it: only what the groups
/// table shows.
#[derive(Debug, Clone, PartialEq)]
struct Finding {
    /// "Black and minority ethnic staff".
    group: String,
    measure: Measure,
    /// The likelihood exactly as the table writes it, when it is shown.
    shown: Option<(String, f64)>,
    /// The page flags it: outside 0.80 to 1.25 with a range that leaves out 1.
    flagged: bool,
    /// Not shown because too few people are in it.
    too_few: bool,
}

impl Finding {
    fn of(group: String, measure: Measure, row: &RowView) -> Finding {
        Finding {
            group,
            measure,
            shown: shown_likelihood(&row.likelihood),
            flagged: row.flagged,
            too_few: !row.likelihood.is_shown() && row.reading == TOO_FEW,
        }
    }
}

/// A shown likelihood's words and the number they write; `None` when it is hidden.
fn shown_likelihood(figure: &Figure) -> Option<(String, f64)> {
    if !figure.is_shown() {
        return None;
    }
    let text = figure.text().to_owned();
    let value = text.parse().ok()?;
    Some((text, value))
}

/// The reading: first, whether Black and minority ethnic staff or disabled staff have no
/// figure shown at all; then the largest clear difference by ethnicity or disability, if
/// any.
///
/// Rules, using only the likelihoods the groups table shows (a hidden one is never looked
/// at, only known to be hidden and the page's words for why):
/// - None shown and some hidden for small numbers: say the figures are too few to show.
/// - None shown otherwise (it happened to no one, say): say none could be worked out.
/// - Some shown, but none for Black and minority ethnic staff, or none for disabled staff:
///   say that first (see [`unshown`]), so the rest cannot read as comfort about them.
/// - A result counts when its likelihood is shown, is above 1.00, and is flagged (outside
///   0.80 to 1.25, with a range that leaves out 1.00): the group was clearly more likely
///   than other staff.
/// - Some count: name the one with the highest likelihood (the first in the table on a
///   tie), and say how many others count.
/// - None count: say no group was clearly more likely; after the first sentence above, no
///   group of those with figures shown.
fn reading(year: ReportingYear, findings: &[Finding]) -> String {
    let year = year.label();
    if !findings.iter().any(|f| f.shown.is_some()) {
        return if findings.iter().any(|f| f.too_few) {
            format!(
                "In {year}, the figures by ethnicity and disability are too few to show, so \
                 this cannot say whether any group was more likely than others."
            )
        } else {
            format!(
                "In {year}, no likelihood by ethnicity or disability could be worked out, so \
                 there is nothing to compare."
            )
        };
    }
    let first = unshown(findings);
    let clear: Vec<(&Finding, &str, f64)> = findings
        .iter()
        .filter(|f| f.flagged)
        .filter_map(|f| {
            let (text, value) = f.shown.as_ref()?;
            (*value > 1.0).then_some((f, text.as_str(), *value))
        })
        .collect();
    let top = clear
        .iter()
        .fold(None::<&(&Finding, &str, f64)>, |best, c| match best {
            Some(b) if b.2 >= c.2 => Some(b),
            _ => Some(c),
        });
    let Some(first) = first else {
        return match top {
            Some((finding, text, _)) => format!(
                "In {year}, {} were {text} times as likely as other staff {} (1.00 is \
                 equal){}.",
                lower_first_word(&finding.group),
                process_words(finding.measure),
                others(clear.len())
            ),
            None => format!(
                "In {year}, no group by ethnicity or disability was clearly more likely than \
                 other staff to go through any of these processes."
            ),
        };
    };
    let then = match top {
        Some((finding, text, _)) => format!(
            "{} were {text} times as likely as other staff {} (1.00 is equal){}.",
            finding.group,
            process_words(finding.measure),
            others(clear.len())
        ),
        None => "None of the groups with figures shown was clearly more likely than other \
                 staff to go through any of these processes."
            .to_owned(),
    };
    format!("In {year}, {first} {then}")
}

/// After the highest clear result, how many more there are in the table.
fn others(clear: usize) -> String {
    match clear.saturating_sub(1) {
        0 => String::new(),
        1 => "; 1 other result in the table also shows a group clearly more likely".into(),
        n => format!("; {n} other results in the table also show a group clearly more likely"),
    }
}

/// The sentence, after "In 2025/26, ", for Black and minority ethnic staff and disabled
/// staff when either has no likelihood shown at all; `None` when both have one. It says
/// they are too few to show when every one of their results is hidden for small numbers,
/// and only that no figure can be shown otherwise (or when the table has no row for them).
fn unshown(findings: &[Finding]) -> Option<String> {
    let groups: Vec<&str> = [BME_STAFF, DISABLED_STAFF]
        .into_iter()
        .filter(|group| {
            !findings
                .iter()
                .any(|f| f.group == *group && f.shown.is_some())
        })
        .collect();
    if groups.is_empty() {
        return None;
    }
    let too_few = groups.iter().all(|group| {
        let mut theirs = findings.iter().filter(|f| f.group == *group).peekable();
        theirs.peek().is_some() && theirs.all(|f| f.too_few)
    });
    let named: Vec<String> = groups.iter().map(|g| lower_first_word(g)).collect();
    let why = "so the pack cannot say whether they were treated fairly.";
    Some(if too_few {
        format!(
            "the figures for {} are too few to show, {why}",
            named.join(" and for ")
        )
    } else {
        format!(
            "no figure can be shown for {}, {why}",
            named.join(" or for ")
        )
    })
}

/// A group's name inside a sentence: "Staff whose ..." and "Disabled staff" lose their
/// capital, "White" and "Black" keep theirs.
fn lower_first_word(group: &str) -> String {
    if group.starts_with("Staff") || group.starts_with("Disabled") {
        lower_first(group)
    } else {
        group.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(group: &str, measure: Measure, shown: Option<f64>, flagged: bool) -> Finding {
        Finding {
            group: group.into(),
            measure,
            shown: shown.map(|v| (format!("{v:.2}"), v)),
            flagged,
            too_few: false,
        }
    }

    fn year() -> ReportingYear {
        ReportingYear::ending(2026).unwrap()
    }

    fn too_few(group: &str, measure: Measure) -> Finding {
        Finding {
            too_few: true,
            ..finding(group, measure, None, false)
        }
    }

    #[test]
    fn the_reading_names_the_largest_clear_difference() {
        let findings = [
            finding(BME_STAFF, Measure::Conduct, Some(1.83), true),
            finding(DISABLED_STAFF, Measure::Suspension, Some(2.4), true),
            // Shown but not flagged: not counted, however high.
            finding(DISABLED_STAFF, Measure::Capability, Some(3.1), false),
            // Flagged as less likely: not counted.
            finding("White staff", Measure::Conduct, Some(0.55), true),
            finding(BME_STAFF, Measure::Outcome, Some(1.5), true),
        ];
        assert_eq!(
            reading(year(), &findings),
            "In 2025/26, disabled staff were 2.40 times as likely as other staff to be \
             suspended or excluded (1.00 is equal); 2 other results in the table also show a \
             group clearly more likely."
        );
        assert_eq!(
            reading(year(), &findings[..2]),
            "In 2025/26, disabled staff were 2.40 times as likely as other staff to be \
             suspended or excluded (1.00 is equal); 1 other result in the table also shows a \
             group clearly more likely."
        );
        assert_eq!(
            reading(year(), &findings[..3]),
            reading(year(), &findings[..4]),
        );
    }

    #[test]
    fn the_reading_says_when_no_group_is_clearly_more_likely() {
        let findings = [
            finding("White staff", Measure::Conduct, Some(0.55), true),
            finding(BME_STAFF, Measure::Conduct, Some(1.30), false),
            finding(DISABLED_STAFF, Measure::Capability, Some(1.10), false),
            finding(DISABLED_STAFF, Measure::Suspension, None, false),
        ];
        assert_eq!(
            reading(year(), &findings),
            "In 2025/26, no group by ethnicity or disability was clearly more likely than \
             other staff to go through any of these processes."
        );
    }

    #[test]
    fn the_reading_says_first_when_bme_or_disabled_staff_have_no_figure() {
        // The demonstration's shape: only white staff and staff who are not disabled have
        // figures shown.
        let findings = [
            finding("White staff", Measure::Conduct, Some(0.95), false),
            too_few(BME_STAFF, Measure::Conduct),
            too_few(BME_STAFF, Measure::Capability),
            finding(
                "Staff who are not disabled",
                Measure::Conduct,
                Some(1.0),
                false,
            ),
            too_few(DISABLED_STAFF, Measure::Conduct),
            too_few(DISABLED_STAFF, Measure::Capability),
        ];
        assert_eq!(
            reading(year(), &findings),
            "In 2025/26, the figures for Black and minority ethnic staff and for disabled \
             staff are too few to show, so the pack cannot say whether they were treated \
             fairly. None of the groups with figures shown was clearly more likely than other \
             staff to go through any of these processes."
        );
        // Only disabled staff have none; what the shown figures say comes second.
        let bme_shown = [
            finding(BME_STAFF, Measure::Conduct, Some(1.83), true),
            too_few(DISABLED_STAFF, Measure::Conduct),
            finding(
                "Staff who are not disabled",
                Measure::Outcome,
                Some(1.4),
                true,
            ),
        ];
        assert_eq!(
            reading(year(), &bme_shown),
            "In 2025/26, the figures for disabled staff are too few to show, so the pack \
             cannot say whether they were treated fairly. Black and minority ethnic staff \
             were 1.83 times as likely as other staff to start a conduct investigation (1.00 \
             is equal); 1 other result in the table also shows a group clearly more likely."
        );
        // Not every result hidden for small numbers (it happened to no one, say), or no
        // row at all: it says only that no figure can be shown.
        let not_worked_out = [
            finding(BME_STAFF, Measure::Sanction, None, false),
            too_few(BME_STAFF, Measure::Conduct),
            finding("White staff", Measure::Conduct, Some(0.9), false),
        ];
        assert_eq!(
            reading(year(), &not_worked_out),
            "In 2025/26, no figure can be shown for Black and minority ethnic staff or for \
             disabled staff, so the pack cannot say whether they were treated fairly. None of \
             the groups with figures shown was clearly more likely than other staff to go \
             through any of these processes."
        );
        assert_eq!(unshown(&not_worked_out[2..]), unshown(&not_worked_out));
        let both_shown = [
            finding(BME_STAFF, Measure::Conduct, Some(1.0), false),
            too_few(DISABLED_STAFF, Measure::Conduct),
            finding(DISABLED_STAFF, Measure::Capability, Some(1.0), false),
        ];
        assert_eq!(unshown(&both_shown), None);
    }

    #[test]
    fn the_reading_never_looks_behind_a_hidden_likelihood() {
        // Flagged cannot be set on a hidden likelihood, but were it, it is not looked at.
        let hidden = Finding {
            flagged: true,
            ..too_few(DISABLED_STAFF, Measure::Conduct)
        };
        assert_eq!(
            reading(year(), std::slice::from_ref(&hidden)),
            "In 2025/26, the figures by ethnicity and disability are too few to show, so this \
             cannot say whether any group was more likely than others."
        );
        let with_shown = [
            hidden,
            finding(BME_STAFF, Measure::Conduct, Some(1.1), false),
        ];
        assert!(reading(year(), &with_shown).ends_with("None of the groups with figures shown was clearly more likely than other staff to go through any of these processes."));
        let no_one = finding(DISABLED_STAFF, Measure::Sanction, None, false);
        assert!(reading(year(), &[no_one]).starts_with("In 2025/26, no likelihood"));
        assert!(reading(year(), &[]).starts_with("In 2025/26, no likelihood"));
    }

    #[test]
    fn a_shown_likelihood_is_read_from_its_words() {
        use dignity_engine::disclosure::{Disclosed, Kind, Minimum, population};
        let shown = Figure::of(
            population(40, Minimum::default_for(Kind::Workforce)).map(|_| 1.834),
            |v| format!("{v:.2}"),
            "not shown",
        );
        assert_eq!(shown_likelihood(&shown), Some(("1.83".into(), 1.83)));
        let hidden = Figure::of(Disclosed::<f64>::hidden(), |v| v.to_string(), "not shown");
        assert_eq!(shown_likelihood(&hidden), None);
    }

    #[test]
    fn a_quarter_ends_on_its_last_day_and_a_year_settles_on_1_may() {
        let q = |year, number| Quarter { year, number };
        let day = |s: &str| Day::parse(s).unwrap();
        assert_eq!(quarter_end(q(2026, 1)), Some(day("2026-03-31")));
        assert_eq!(quarter_end(q(2026, 2)), Some(day("2026-06-30")));
        assert_eq!(quarter_end(q(2026, 3)), Some(day("2026-09-30")));
        assert_eq!(quarter_end(q(2026, 4)), Some(day("2026-12-31")));
        let years = [
            ReportingYear::ending(2026).unwrap(),
            ReportingYear::ending(2025).unwrap(),
        ];
        // 2025/26 settles on 1 May 2026: after January to March, within April to June.
        assert_eq!(settled_by(&years, day("2026-03-31")), years.get(1).copied());
        assert_eq!(
            settled_by(&years, day("2026-06-30")),
            years.first().copied()
        );
        assert_eq!(settled_by(&years, day("2025-03-31")), None);
    }

    #[test]
    fn group_names_read_in_a_sentence() {
        assert_eq!(lower_first_word("Disabled staff"), "disabled staff");
        assert_eq!(
            lower_first_word("Staff whose ethnicity is not known"),
            "staff whose ethnicity is not known"
        );
        assert_eq!(
            lower_first_word("Black and minority ethnic staff"),
            "Black and minority ethnic staff"
        );
        assert_eq!(
            lower_first("More likely than the rest"),
            "more likely than the rest"
        );
    }
}

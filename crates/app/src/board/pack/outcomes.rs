//! The pack's outcomes: the organisation's imported figures for the quarter beside the
//! quarter before and the last two whole years, and where it sits among every
//! organisation on each culture figure and outcome. Outcomes are published figures about
//! the organisation, not counts of people, so they are shown as given.

use super::{PackTable, Section};
use crate::board::culture::{CULTURE, ORG_VIEW_MINIMUM, Spread, short, standing_of};
use crate::board::{Kept, every_kept, for_year, years_of};
use crate::identity::Organisation;
use crate::table::{Cell, Table};
use crate::{Context, Error};
use dignity_domain::board::{Measure, Period};
use dignity_domain::speakup_returns::Quarter;
use dignity_domain::survey::Direction;
use std::collections::BTreeMap;

pub(super) async fn section(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Section, Error> {
    let every = every_kept(&ctx.db).await?;
    let mine = every.get(&organisation.id).cloned().unwrap_or_default();
    let mut section = Section::new("outcomes", "Outcomes for patients and staff");
    if mine.is_empty() {
        section.reading = "No outcomes have been imported for this organisation yet.".into();
        return Ok(section);
    }
    let periods = Periods::of(quarter);
    let rows: Vec<Row> = Measure::ALL
        .iter()
        .map(|&measure| Row::of(&mine, measure, &periods))
        .collect();
    section.reading = reading(&rows, &periods);
    section.tables.push(PackTable {
        caption: "Outcomes by period".into(),
        table: figures_table(&rows, &periods),
    });
    section.notes.push(
        "A year is its own figure, or made from all four of its quarters. \"No figure\" means \
         none was imported."
            .into(),
    );
    if let Some(places) = places(ctx, organisation, &every, periods.year).await? {
        section.tables.push(places);
        section.notes.push(format!(
            "A place is given only when at least {ORG_VIEW_MINIMUM} organisations have the \
             figure. No other organisation's figure is shown."
        ));
    }
    Ok(section)
}

/// The periods the pack sets side by side: the quarter, the one before, and the last
/// whole calendar year at the quarter's end with the year before it.
struct Periods {
    quarter: Quarter,
    before: Quarter,
    year: i64,
}

impl Periods {
    fn of(quarter: Quarter) -> Periods {
        let year = if quarter.number == 4 {
            quarter.year
        } else {
            quarter.year - 1
        };
        Periods {
            quarter,
            before: quarter.previous(),
            year,
        }
    }
}

/// One measure's figures for the four periods.
struct Row {
    measure: Measure,
    quarter: Option<f64>,
    before: Option<f64>,
    year: Option<f64>,
    year_before: Option<f64>,
}

impl Row {
    fn of(kept: &[Kept], measure: Measure, periods: &Periods) -> Row {
        let in_quarter = |q: Quarter| {
            kept.iter()
                .find(|k| k.measure == measure && k.period == Period::Quarter(q))
                .map(|k| k.value)
        };
        Row {
            measure,
            quarter: in_quarter(periods.quarter),
            before: in_quarter(periods.before),
            year: for_year(kept, measure, periods.year),
            year_before: for_year(kept, measure, periods.year - 1),
        }
    }
}

fn figures_table(rows: &[Row], periods: &Periods) -> Table {
    let show = |measure: Measure, value: Option<f64>| {
        Cell::words(value.map_or_else(|| "No figure".to_owned(), |v| measure.show(v)))
    };
    Table {
        name: "outcomes-figures".into(),
        header: vec![
            "Measure".into(),
            periods.quarter.short(),
            periods.before.short(),
            periods.year.to_string(),
            (periods.year - 1).to_string(),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::words(r.measure.label()),
                    show(r.measure, r.quarter),
                    show(r.measure, r.before),
                    show(r.measure, r.year),
                    show(r.measure, r.year_before),
                ]
            })
            .collect(),
    }
}

/// A change this small, as a share of the earlier figure, is read as no real change (a
/// mortality ratio of 1.004 then 0.996 is noise, not news). A rating is a step: any
/// change counts.
const SMALL_CHANGE: f64 = 0.02;

fn hardly_changed(measure: Measure, now: f64, then: f64) -> bool {
    measure != Measure::CareRating && (now - then).abs() <= SMALL_CHANGE * then.abs()
}

/// One comparison in words: which measures got worse (each by its own better way: a
/// higher patient score is better, a higher absence rate worse), how many got better and
/// how many hardly changed.
fn compared(against: &str, pairs: &[(Measure, f64, f64)]) -> Option<String> {
    if pairs.is_empty() {
        return None;
    }
    let moved = |(m, now, then): &&(Measure, f64, f64)| !hardly_changed(*m, *now, *then);
    let worse: Vec<&str> = pairs
        .iter()
        .filter(moved)
        .filter(|(m, now, then)| m.better().is_better(*now, *then) == Some(false))
        .map(|(m, _, _)| short(*m))
        .collect();
    let better = pairs
        .iter()
        .filter(moved)
        .filter(|(m, now, then)| m.better().is_better(*now, *then) == Some(true))
        .count();
    let same = pairs.len() - worse.len() - better;
    let measures = match pairs.len() {
        1 => "the 1 measure compared".to_owned(),
        n => format!("the {n} measures compared"),
    };
    let worse_words = if worse.is_empty() {
        "none got worse".to_owned()
    } else {
        format!("{} got worse", listed(&worse))
    };
    Some(format!(
        "{against}: of {measures}, {worse_words}, {better} got better and {same} hardly changed."
    ))
}

/// The reading, by these rules:
/// - a change in the care rating comes first ("The care rating went from Good to
///   Inadequate."), from the quarters if both have one, else the whole years;
/// - then the quarter against the quarter before, on every measure with both;
/// - then the last whole year against the year before, on every measure with both;
/// - a change under 2 % of the earlier figure (other than a rating's) counts as hardly
///   changed;
/// - nothing to compare: it says so.
fn reading(rows: &[Row], periods: &Periods) -> String {
    let quarterly: Vec<(Measure, f64, f64)> = rows
        .iter()
        .filter_map(|r| Some((r.measure, r.quarter?, r.before?)))
        .collect();
    let yearly: Vec<(Measure, f64, f64)> = rows
        .iter()
        .filter_map(|r| Some((r.measure, r.year?, r.year_before?)))
        .collect();
    let rating = quarterly
        .iter()
        .chain(&yearly)
        .find(|(m, _, _)| *m == Measure::CareRating)
        .filter(|(_, now, then)| now != then)
        .map(|(m, now, then)| {
            format!(
                "The care rating went from {} to {}.",
                m.show(*then),
                m.show(*now)
            )
        });
    let parts: Vec<String> = [
        rating,
        compared(
            &format!("{} against the quarter before", periods.quarter.short()),
            &quarterly,
        ),
        compared(
            &format!("{} against {}", periods.year, periods.year - 1),
            &yearly,
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        return "No outcome has figures for two periods in a row, so there is nothing to \
                compare yet."
            .into();
    }
    parts.join(" ")
}

/// "a", "a and b", "a, b and c".
fn listed(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Where the organisation sits on each culture figure and outcome in the newest year with
/// outcomes kept up to `year`, as its own culture-and-care page shows it: places only.
async fn places(
    ctx: &Context,
    organisation: &Organisation,
    every: &BTreeMap<i64, Vec<Kept>>,
    year: i64,
) -> Result<Option<PackTable>, Error> {
    let Some(&chosen) = years_of(every).iter().find(|y| **y <= year) else {
        return Ok(None);
    };
    let Some(standing) = standing_of(ctx, organisation, Some(chosen), 1).await? else {
        return Ok(None);
    };
    let place = |spread: Option<Spread>| spread.map(|s| format!("{} of {}", s.place, s.of));
    let better = |direction: Direction| match direction {
        Direction::HigherIsBetter => "Higher",
        Direction::LowerIsBetter => "Lower",
        Direction::Neither => "Closest to equal",
    };
    let mut rows = Vec::new();
    for culture in CULTURE {
        if let Some(words) = place(standing.culture(culture)) {
            rows.push(vec![
                Cell::words(culture.label),
                Cell::words(better(culture.better)),
                Cell::words(words),
            ]);
        }
    }
    for &measure in Measure::ALL {
        if let Some(words) = place(standing.outcome(measure)) {
            rows.push(vec![
                Cell::words(measure.label()),
                Cell::words(better(measure.better())),
                Cell::words(words),
            ]);
        }
    }
    if rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(PackTable {
        caption: format!(
            "Where this organisation sits among all organisations in {}, counting from the \
             highest figure: 1st is the highest, whichever way is better",
            standing.year
        ),
        table: Table {
            name: "outcomes-places".into(),
            header: vec![
                "Figure".into(),
                "Better when".into(),
                "Place, counting from the highest".into(),
            ],
            rows,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(measure: Measure, quarter: Option<f64>, before: Option<f64>) -> Row {
        Row {
            measure,
            quarter,
            before,
            year: None,
            year_before: None,
        }
    }

    fn periods() -> Periods {
        Periods::of(Quarter {
            year: 2026,
            number: 3,
        })
    }

    #[test]
    fn the_periods_are_the_quarter_the_one_before_and_the_last_whole_years() {
        let p = periods();
        assert_eq!((p.before.year, p.before.number, p.year), (2026, 2, 2025));
        let q4 = Periods::of(Quarter {
            year: 2026,
            number: 4,
        });
        assert_eq!(q4.year, 2026);
    }

    #[test]
    fn the_reading_names_what_got_worse_by_each_measures_better_way() {
        let rows = [
            // Higher absence is worse; a higher patient score is better.
            row(Measure::SicknessAbsence, Some(5.2), Some(4.8)),
            row(Measure::PatientExperience, Some(8.1), Some(7.9)),
            row(Measure::VacancyRate, Some(7.0), Some(8.0)),
            row(Measure::Complaints, Some(3.0), Some(3.0)),
            row(Measure::NeverEvents, Some(1.0), None),
        ];
        assert_eq!(
            reading(&rows, &periods()),
            format!(
                "{} against the quarter before: of the 4 measures compared, sickness absence \
                 got worse, 2 got better and 1 hardly changed.",
                periods().quarter.short()
            )
        );
    }

    #[test]
    fn the_reading_falls_back_to_whole_years_then_says_there_is_nothing() {
        let mut yearly = row(Measure::StaffTurnover, None, None);
        yearly.year = Some(10.0);
        yearly.year_before = Some(11.0);
        assert_eq!(
            reading(&[yearly], &periods()),
            "2025 against 2024: of the 1 measure compared, none got worse, 1 got better and 0 \
             hardly changed."
        );
        assert!(
            reading(&[row(Measure::CareRating, Some(3.0), None)], &periods())
                .starts_with("No outcome has figures for two periods")
        );
    }

    #[test]
    fn a_changed_rating_comes_first_and_noise_is_not_news() {
        let mut rating = row(Measure::CareRating, None, None);
        rating.year = Some(1.0);
        rating.year_before = Some(3.0);
        let mut mortality = row(Measure::MortalityRatio, None, None);
        mortality.year = Some(0.996);
        mortality.year_before = Some(1.004);
        let rows = [
            rating,
            mortality,
            row(Measure::SicknessAbsence, Some(5.2), Some(4.8)),
        ];
        assert_eq!(
            reading(&rows, &periods()),
            format!(
                "The care rating went from Good to Inadequate. {} against the quarter before: \
                 of the 1 measure compared, sickness absence got worse, 0 got better and 0 \
                 hardly changed. 2025 against 2024: of the 2 measures compared, care rating \
                 got worse, 0 got better and 1 hardly changed.",
                periods().quarter.short()
            )
        );
    }

    #[test]
    fn lists_read_as_a_sentence() {
        assert_eq!(listed(&["a", "b", "c"]), "a, b and c");
        assert_eq!(listed(&["a", "b"]), "a and b");
    }
}

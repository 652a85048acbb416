//! The pack's culture self-assessment: the organisation's newest round opened by the
//! quarter's end that both sides signed off, or whose every statement is agreed, as its own
//! page shows it to the organisation's overseers (`crate::diagnostics::round_view`): each
//! part's level, its change since the last signed-off round, and whether it is weak. A
//! level is the middle of the organisation's agreed ratings, not a count of people, and
//! the page shows none until everyone asked to rate has sent their ratings.

use super::{PackTable, Section};
use crate::diagnostics::{self, ElementView, Reader, RoundView};
use crate::identity::Organisation;
use crate::speakup::signoff;
use crate::table::{Cell, Table};
use crate::{Context, Error};
use dignity_domain::diagnostics::rounds::median_words;
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::Quarter;
use std::cmp::Ordering;

const KEY: &str = "diagnostics";
const TITLE: &str = "Culture self-assessment";

pub(super) async fn section(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Section, Error> {
    let mut section = Section::new(KEY, TITLE);
    let months = quarter.months();
    if !signoff::has_ended(quarter, ctx.clock.today()) {
        section.reading = format!("The self-assessment will show once {months} has ended.");
        return Ok(section);
    }
    let (_, after) = super::plans::days_of(quarter)?;
    let reader = Reader::board();
    let page = diagnostics::rounds_page_for(ctx, &reader, organisation).await?;
    if page.rounds.is_empty() {
        section.reading = "There is no culture self-assessment yet.".into();
        return Ok(section);
    }
    // Newest first: the first opened by the quarter's end that is signed off or agreed.
    let mut chosen = None;
    for listed in &page.rounds {
        if !Day::parse(&listed.round.opened_on).is_ok_and(|d| d < after) {
            continue;
        }
        let view = diagnostics::round_view_for(ctx, &reader, organisation, listed.round.id).await?;
        if view.signed_off || view.all_agreed {
            chosen = Some(view);
            break;
        }
    }
    let Some(view) = chosen else {
        section.reading =
            format!("No self-assessment round opened by the end of {months} has been agreed yet.");
        return Ok(section);
    };
    section.notes.push(about(&view, after));
    if !view.may_see_figures {
        section.reading = "The levels of the newest agreed round are not shown yet: not \
                           everyone asked to rate it has sent their ratings."
            .into();
        return Ok(section);
    }
    let rows: Vec<Part> = view.elements.iter().map(Part::of).collect();
    let compared = view.previous.is_some().then(|| Change::of(&rows));
    section.reading = reading(
        rows.iter().filter(|p| p.weak).count(),
        compared,
        view.signed_off,
    );
    section.tables.push(PackTable {
        caption: format!(
            "{}: each part's level, and its change since the last round",
            view.round.title
        ),
        table: parts_table(&rows, view.survey.is_some()),
    });
    let top = view.framework.top();
    section.notes.push(format!(
        "Levels run from 1 to {top}. A part's level is the middle of its agreed ratings."
    ));
    section.notes.push(
        "A part is weak when its level is 2 or lower and below the top two levels, or when \
         it is rated strong but staff answered a linked survey question worse than staff at \
         similar organisations."
            .into(),
    );
    section.notes.push(match &view.previous {
        Some(previous) => format!(
            "Changes are from \"{}\", the last round both sides signed off.",
            previous.title
        ),
        None => "There is no earlier signed-off round to compare with.".into(),
    });
    if let Some(survey) = &view.survey {
        section.notes.push(format!(
            "The survey check uses \"{}\".",
            survey.campaign_title
        ));
    }
    Ok(section)
}

/// The round in a line: its title, when it opened, on which framework, and whether both
/// sides have signed it off.
fn about(view: &RoundView, after: Day) -> String {
    let opened =
        Day::parse(&view.round.opened_on).map_or_else(|_| view.round.opened_on.clone(), Day::long);
    let signed_on = view
        .signoffs
        .iter()
        .filter(|s| s.version == view.round.version)
        .filter_map(|s| Day::parse(&s.signed_on).ok())
        .max();
    format!(
        "This is the round \"{}\" on {}, opened on {opened}. {}",
        view.round.title,
        view.framework.title,
        state_words(view.signed_off, signed_on, after)
    )
}

/// Whether the round is signed off, in words. A round signed off after the quarter ended
/// says so, as at the quarter's end it was not.
fn state_words(signed_off: bool, signed_on: Option<Day>, after: Day) -> String {
    match (signed_off, signed_on) {
        (true, Some(day)) if day >= after => format!(
            "Both sides signed it off on {}, after the quarter ended.",
            day.long()
        ),
        (true, Some(day)) => format!("Both sides signed it off on {}.", day.long()),
        (true, None) => "Both sides signed it off.".into(),
        (false, _) => "Every rating is agreed, but both sides have not signed it off yet, \
                       so its levels may still change."
            .into(),
    }
}

/// One part as the pack shows it.
#[derive(Debug, Clone, PartialEq)]
struct Part {
    title: String,
    level: Option<f64>,
    last: Option<f64>,
    change: Option<String>,
    /// As the round's page marks it.
    weak: bool,
    /// Rated strong while staff say worse than similar organisations.
    staff_say_worse: bool,
}

impl Part {
    fn of(view: &ElementView) -> Part {
        Part {
            title: view.element.title.clone(),
            level: view.level,
            last: view.last,
            change: view.change(),
            weak: view.weak,
            staff_say_worse: view.staff_say_otherwise,
        }
    }
}

fn yes_no(yes: bool) -> &'static str {
    if yes { "Yes" } else { "No" }
}

/// A row per part: its level, the last round's, the change, and whether it is weak; with
/// the survey check's column when there was one.
fn parts_table(parts: &[Part], with_survey: bool) -> Table {
    let mut header: Vec<String> = [
        "Part",
        "Level",
        "Last round",
        "Change since the last round",
        "Weak",
    ]
    .map(String::from)
    .to_vec();
    if with_survey {
        header.push("Rated strong but staff say worse".into());
    }
    Table {
        name: format!("{KEY}-parts"),
        header,
        rows: parts
            .iter()
            .map(|p| {
                let mut row = vec![
                    Cell::words(&p.title),
                    Cell::words(median_words(p.level)),
                    Cell::words(p.last.map(|l| median_words(Some(l))).unwrap_or_default()),
                    Cell::words(p.change.clone().unwrap_or_default()),
                    Cell::words(yes_no(p.weak)),
                ];
                if with_survey {
                    row.push(Cell::words(yes_no(p.staff_say_worse)));
                }
                row
            })
            .collect(),
    }
}

/// How many parts moved since the last round, from the levels the table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Change {
    improved: usize,
    worse: usize,
}

impl Change {
    /// Parts with a level in both rounds, counted by which way it moved.
    fn of(parts: &[Part]) -> Change {
        let moved = |way: Ordering| {
            parts
                .iter()
                .filter(|p| match (p.level, p.last) {
                    (Some(now), Some(last)) => now.partial_cmp(&last) == Some(way),
                    _ => false,
                })
                .count()
        };
        Change {
            improved: moved(Ordering::Greater),
            worse: moved(Ordering::Less),
        }
    }
}

/// "What this shows" for the self-assessment, from the parts the table shows. The rules:
/// - count the parts marked weak: none, 1, or more;
/// - when there is a last signed-off round to compare with, say how many parts went up a
///   level or more ("improved") and how many went down ("got worse"), or that none
///   changed;
/// - when there is none, say there is nothing to compare with;
/// - when the round is agreed but not signed off, say so first.
fn reading(weak: usize, change: Option<Change>, signed_off: bool) -> String {
    let weak = match weak {
        0 => "no part is rated weak".to_owned(),
        1 => "1 part is rated weak".to_owned(),
        n => format!("{n} parts are rated weak"),
    };
    let change = match change {
        None => "there is no earlier round to compare with".to_owned(),
        Some(Change {
            improved: 0,
            worse: 0,
        }) => "none changed since the last round".to_owned(),
        Some(Change { improved, worse: 0 }) => {
            format!("{improved} improved since the last round")
        }
        Some(Change { improved: 0, worse }) => {
            format!("{worse} got worse since the last round")
        }
        Some(Change { improved, worse }) => {
            format!("{improved} improved and {worse} got worse since the last round")
        }
    };
    if signed_off {
        capitalised(&format!("{weak}; {change}."))
    } else {
        format!("In this round, agreed but not yet signed off, {weak}; {change}.")
    }
}

/// The text with its first letter a capital.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(title: &str, level: Option<f64>, last: Option<f64>, weak: bool) -> Part {
        Part {
            title: title.into(),
            level,
            last,
            change: None,
            weak,
            staff_say_worse: false,
        }
    }

    #[test]
    fn the_reading_counts_weak_parts_and_changes() {
        let moved = |improved, worse| Some(Change { improved, worse });
        assert_eq!(
            reading(3, moved(2, 0), true),
            "3 parts are rated weak; 2 improved since the last round."
        );
        assert_eq!(
            reading(1, moved(0, 1), true),
            "1 part is rated weak; 1 got worse since the last round."
        );
        assert_eq!(
            reading(0, moved(0, 0), true),
            "No part is rated weak; none changed since the last round."
        );
        assert_eq!(
            reading(2, moved(2, 1), true),
            "2 parts are rated weak; 2 improved and 1 got worse since the last round."
        );
    }

    #[test]
    fn the_reading_without_a_round_before() {
        assert_eq!(
            reading(2, None, true),
            "2 parts are rated weak; there is no earlier round to compare with."
        );
    }

    #[test]
    fn the_reading_says_when_the_round_is_not_signed_off() {
        assert_eq!(
            reading(0, None, false),
            "In this round, agreed but not yet signed off, no part is rated weak; there is \
             no earlier round to compare with."
        );
    }

    #[test]
    fn changes_count_only_parts_with_a_level_in_both_rounds() {
        let parts = [
            part("Up", Some(3.0), Some(2.0), false),
            part("Half up", Some(2.5), Some(2.0), false),
            part("Down", Some(1.0), Some(2.0), true),
            part("Same", Some(2.0), Some(2.0), true),
            part("New", Some(1.0), None, true),
            part("Unrated", None, Some(3.0), false),
        ];
        assert_eq!(
            Change::of(&parts),
            Change {
                improved: 2,
                worse: 1
            }
        );
    }

    #[test]
    fn the_state_says_when_it_was_signed_off() {
        let after = Day::parse("2026-04-01").unwrap();
        let day = |d| Day::parse(d).ok();
        assert_eq!(
            state_words(true, day("2026-03-31"), after),
            "Both sides signed it off on 31 March 2026."
        );
        assert_eq!(
            state_words(true, day("2026-04-02"), after),
            "Both sides signed it off on 2 April 2026, after the quarter ended."
        );
        assert_eq!(state_words(true, None, after), "Both sides signed it off.");
        assert!(state_words(false, day("2026-03-01"), after).contains("not signed it off"));
    }

    #[test]
    fn the_table_shows_each_part_in_words() {
        let mut up = part("Leadership", Some(2.5), Some(2.0), false);
        up.change = Some("up 0.5 levels".into());
        up.staff_say_worse = true;
        let parts = [up, part("Listening", Some(1.0), None, true)];
        let table = parts_table(&parts, true);
        assert!(table.name.len() <= 24 && table.name.starts_with("diagnostics-"));
        let cells: Vec<Vec<&str>> = table
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::text).collect())
            .collect();
        assert_eq!(
            cells,
            vec![
                vec!["Leadership", "2.5", "2", "up 0.5 levels", "No", "Yes"],
                vec!["Listening", "1", "", "", "Yes", "No"],
            ]
        );
        assert_eq!(parts_table(&parts, false).header.len(), 5);
    }
}

//! The pack's staff voice: the ideas under the organisation's challenges that were still
//! waiting for an answer past the promised time at the quarter's end, as its answerers'
//! own list has them (`crate::voice::overdue`), and each challenge's published figures for
//! the quarter as its figures page shows them (`crate::voice::figures`). Only ideas shown
//! to staff are listed, by their challenge, title and dates: never who wrote one, nor how
//! many supported it. Every count of people is the figures page's, through the
//! disclosure module under the staff voice minimum.

use super::{PackTable, Section};
use crate::identity::Organisation;
use crate::speakup::signoff;
use crate::table::{Cell, Table};
use crate::voice::figures::{self, Participation};
use crate::voice::{self, Challenge, Idea};
use crate::{Context, Error};
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::Quarter;
use dignity_engine::disclosure::{Disclosed, Figure};

const KEY: &str = "voice";
const TITLE: &str = "Staff voice";

pub(super) async fn section(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Section, Error> {
    let mut section = Section::new(KEY, TITLE);
    let months = quarter.months();
    if !signoff::has_ended(quarter, ctx.clock.today()) {
        section.reading = format!("Staff voice will show once {months} has ended.");
        return Ok(section);
    }
    let (first, after) = super::plans::days_of(quarter)?;
    // The organisation's own challenges set by the quarter's end; national ones are the
    // platform's to answer.
    let challenges: Vec<Challenge> = voice::challenges_of(ctx, &[organisation.id])
        .await?
        .into_iter()
        .filter(|c| c.fields.organisation_id == Some(organisation.id))
        .filter(|c| c.fields.opens_on < after)
        .collect();
    if challenges.is_empty() {
        section.reading = format!("There were no staff voice challenges by the end of {months}.");
        return Ok(section);
    }
    // As the answerers' list read on the quarter's last day, at its end.
    let waiting: Vec<Waiting> = voice::overdue_for(ctx, &[organisation.id], false, after)
        .await?
        .iter()
        .filter_map(|idea| Waiting::of(idea, &challenges, after))
        .collect();
    section.reading = reading(&waiting);
    if !waiting.is_empty() {
        section.tables.push(PackTable {
            caption: format!(
                "Ideas waiting past the promised time for an answer at the end of {months}"
            ),
            table: waiting_table(&waiting),
        });
    }
    section.notes.push(
        "Only ideas shown to staff are listed. Days waited count from the day an idea had \
         enough support to be answered. An idea answered since the quarter ended is not \
         listed."
            .into(),
    );
    // The figures as their page showed them at the quarter's end: a moment never later
    // than now, so no figures are worked out before their time.
    let end = (after.days_since(Day::from_unix_seconds(0)) * 86_400).min(ctx.clock.now());
    let mut figured = Vec::new();
    for challenge in challenges.iter().filter(|c| c.fields.closes_on >= first) {
        figured.push((
            challenge,
            figures::participation_at(ctx, challenge, end).await?,
        ));
    }
    match figured.first() {
        None => section.notes.push(format!(
            "No challenge was open in {months}, so there are no figures of who took part."
        )),
        Some((_, some)) => {
            section.tables.push(PackTable {
                caption: format!("Staff who took part in challenges open in {months}"),
                table: figures_table(&figured),
            });
            section.notes.push(format!(
                "Each person counts once in each column. A number is hidden when it counts \
                 fewer than {} people, and some bigger ones are hidden so a small one cannot \
                 be worked out.",
                some.minimum.people()
            ));
            section.notes.push(
                "While a challenge is open, its figures count up to the Monday before. How \
                 many took part in any way comes with the final figures, once it closes."
                    .into(),
            );
        }
    }
    Ok(section)
}

/// An idea waiting past the promised time, as the pack shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Waiting {
    challenge: String,
    title: String,
    answer_by: Day,
    /// The days the challenge promised an answer within.
    promised: i64,
    /// Whole days from the day it had enough support to the quarter's end.
    waited: i64,
}

impl Waiting {
    /// An idea under one of `challenges` with an answer-by date, at the quarter's end
    /// (`after` is the first day after it).
    fn of(idea: &Idea, challenges: &[Challenge], after: Day) -> Option<Waiting> {
        let challenge = challenges.iter().find(|c| c.id == idea.challenge_id)?;
        let answer_by = idea.answer_by?;
        let promised = challenge.fields.answer_within_days;
        Some(Waiting {
            challenge: challenge.fields.question.clone(),
            title: idea.title.clone(),
            answer_by,
            promised,
            waited: after.days_since(answer_by.plus_days(-promised)),
        })
    }
}

fn waiting_table(waiting: &[Waiting]) -> Table {
    Table {
        name: format!("{KEY}-overdue"),
        header: [
            "Challenge",
            "Idea",
            "Answer due by",
            "Days promised",
            "Days waited",
        ]
        .map(String::from)
        .to_vec(),
        rows: waiting
            .iter()
            .map(|w| {
                vec![
                    Cell::words(&w.challenge),
                    Cell::words(&w.title),
                    Cell::words(w.answer_by.long()),
                    Cell::words(w.promised.to_string()),
                    Cell::words(w.waited.to_string()),
                ]
            })
            .collect(),
    }
}

/// A row per challenge: when its figures were counted to, whether they are final, and
/// each figure as its page shows it ("took part" only once final, as there).
fn figures_table(figured: &[(&Challenge, Participation)]) -> Table {
    let shown = |c: Disclosed<u64>| Cell::Figure(Figure::of(c, |n| n.to_string(), "hidden"));
    Table {
        name: format!("{KEY}-figures"),
        header: [
            "Challenge",
            "Counted before",
            "Final",
            "Shared an idea",
            "Commented",
            "Supported an idea",
            "Took part",
        ]
        .map(String::from)
        .to_vec(),
        rows: figured
            .iter()
            .map(|(challenge, p)| {
                let [took_part, ideas, comments, support] = p.total.counts;
                vec![
                    Cell::words(&challenge.fields.question),
                    Cell::words(p.up_to.long()),
                    Cell::words(if p.is_final { "Yes" } else { "No" }),
                    shown(ideas),
                    shown(comments),
                    shown(support),
                    if p.is_final {
                        shown(took_part)
                    } else {
                        Cell::Figure(Figure::words("once it closes"))
                    },
                ]
            })
            .collect(),
    }
}

/// "What this shows" for staff voice, from the ideas the table lists. The rules:
/// - none waiting: say no idea was waiting past the promised time;
/// - 1 waiting: say so, and how many days it had waited;
/// - more: say how many, and the longest wait in days.
fn reading(waiting: &[Waiting]) -> String {
    let days = |n: i64| {
        if n == 1 {
            "1 day".to_owned()
        } else {
            format!("{n} days")
        }
    };
    let longest = waiting.iter().map(|w| w.waited).max().unwrap_or(0);
    match waiting.len() {
        0 => "No idea was waiting past the promised time for an answer at the end of the \
              quarter."
            .into(),
        1 => format!(
            "1 idea was waiting past the promised time for an answer at the end of the \
             quarter; it had waited {}.",
            days(longest)
        ),
        n => format!(
            "{n} ideas were waiting past the promised time for an answer at the end of the \
             quarter; the longest had waited {}.",
            days(longest)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dignity_domain::voice::{IdeaState, Moderation};
    use dignity_engine::disclosure::{Kind, Minimum, population};
    use dignity_store::voice::NewChallenge;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn challenge(id: i64, within: i64) -> Challenge {
        Challenge {
            id,
            fields: NewChallenge {
                organisation_id: Some(7),
                question: format!("Question {id}"),
                description: String::new(),
                topics: String::new(),
                opens_on: day("2026-01-05"),
                closes_on: day("2026-02-27"),
                support_threshold: 10,
                answer_within_days: within,
            },
            created_by: "admin@example.nhs.uk".into(),
            created_at: 0,
        }
    }

    fn idea(challenge_id: i64, answer_by: Option<&str>) -> Idea {
        Idea {
            id: 1,
            challenge_id,
            author_id: 99,
            author_name: Some("Quiet Heron".into()),
            title: "Quiet rooms".into(),
            body: "Somewhere to rest.".into(),
            posted_at: 0,
            moderation: Moderation::Shown,
            moderation_reason: None,
            was_shown: true,
            state: IdeaState::Open,
            answer: None,
            answered_on: None,
            answer_by: answer_by.map(day),
            supporters: 12,
            comments: 3,
            plan_action: None,
            topic: None,
        }
    }

    fn waited(n: i64) -> Waiting {
        Waiting {
            challenge: "Question 1".into(),
            title: "Quiet rooms".into(),
            answer_by: day("2026-03-01"),
            promised: 20,
            waited: n,
        }
    }

    #[test]
    fn the_reading_counts_ideas_waiting_and_the_longest_wait() {
        assert_eq!(
            reading(&[]),
            "No idea was waiting past the promised time for an answer at the end of the \
             quarter."
        );
        assert_eq!(
            reading(&[waited(25)]),
            "1 idea was waiting past the promised time for an answer at the end of the \
             quarter; it had waited 25 days."
        );
        assert_eq!(
            reading(&[waited(21), waited(35), waited(30), waited(22)]),
            "4 ideas were waiting past the promised time for an answer at the end of the \
             quarter; the longest had waited 35 days."
        );
    }

    #[test]
    fn a_wait_counts_from_the_day_the_idea_had_enough_support() {
        let after = day("2026-04-01");
        let challenges = [challenge(1, 20)];
        // Enough support on 1 March: due by 21 March, and 31 days waited by 1 April.
        let w = Waiting::of(&idea(1, Some("2026-03-21")), &challenges, after).unwrap();
        assert_eq!(
            (w.answer_by, w.promised, w.waited),
            (day("2026-03-21"), 20, 31)
        );
        assert_eq!(w.challenge, "Question 1");
        assert_eq!(
            Waiting::of(&idea(2, Some("2026-03-21")), &challenges, after),
            None
        );
        assert_eq!(Waiting::of(&idea(1, None), &challenges, after), None);
    }

    #[test]
    fn the_waiting_table_names_no_one() {
        let table = waiting_table(&[waited(31)]);
        assert!(table.name.len() <= 24 && table.name.starts_with("voice-"));
        let cells: Vec<&str> = table.rows.iter().flatten().map(Cell::text).collect();
        assert_eq!(
            cells,
            ["Question 1", "Quiet rooms", "1 March 2026", "20", "31"]
        );
    }

    #[test]
    fn the_figures_table_holds_counts_of_people_as_figures() {
        let minimum = Minimum::default_for(Kind::StaffVoice);
        let c = challenge(1, 20);
        let figures = |is_final| Participation {
            up_to: day("2026-03-30"),
            is_final,
            total: figures::Row {
                name: "Everyone".into(),
                counts: [
                    population(40, minimum),
                    population(12, minimum),
                    population(2, minimum),
                    population(30, minimum),
                ],
            },
            groups: Vec::new(),
            staff_groups: None,
            breakdowns_withheld: false,
            minimum,
        };
        let table = figures_table(&[(&c, figures(false)), (&c, figures(true))]);
        assert!(table.name.len() <= 24 && table.name.starts_with("voice-"));
        assert_ne!(table.name, waiting_table(&[]).name);
        let texts: Vec<Vec<&str>> = table
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::text).collect())
            .collect();
        assert_eq!(
            texts,
            vec![
                vec![
                    "Question 1",
                    "30 March 2026",
                    "No",
                    "12",
                    "hidden",
                    "30",
                    "once it closes"
                ],
                vec![
                    "Question 1",
                    "30 March 2026",
                    "Yes",
                    "12",
                    "hidden",
                    "30",
                    "40"
                ],
            ]
        );
        assert!(
            table
                .rows
                .iter()
                .flat_map(|r| r.iter().skip(3))
                .all(|c| matches!(c, Cell::Figure(_)))
        );
    }
}

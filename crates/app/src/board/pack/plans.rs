//! The pack's action plans: each of the organisation's plans that runs in the quarter,
//! as both sides signed it, or as drafted (and marked a draft) when it has never been
//! signed. Each action shows its progress as last reported, its due date and whether it
//! was late at the quarter's end, as the plans' own pages work progress out
//! (`crate::plans::progress`). Actions are the plan's own words and dates: nothing here
//! counts people.

use super::{PackTable, Section};
use crate::identity::Organisation;
use crate::plans::progress::{self, ActionRow};
use crate::plans::{self, Action, Group, Plan};
use crate::speakup::signoff;
use crate::table::{Cell, Table};
use crate::{Context, Error};
use dignity_domain::plans::ActionStatus;
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::Quarter;

const KEY: &str = "plans";
const TITLE: &str = "Action plan progress";

pub(super) async fn section(
    ctx: &Context,
    organisation: &Organisation,
    quarter: Quarter,
) -> Result<Section, Error> {
    let mut section = Section::new(KEY, TITLE);
    let months = quarter.months();
    if !signoff::has_ended(quarter, ctx.clock.today()) {
        section.reading = format!("Plans will show once {months} has ended.");
        return Ok(section);
    }
    let (first, after) = days_of(quarter)?;
    let all = plans::plans_for(ctx, organisation.id).await?;
    if all.is_empty() {
        section.reading = "There is no action plan yet.".into();
        return Ok(section);
    }
    let mut shown = Vec::new();
    for plan in &all {
        if let Some(plan) = shown_plan(ctx, plan, first, after).await? {
            shown.push(plan);
        }
    }
    if shown.is_empty() {
        section.reading = format!("No action plan runs in {months}.");
        return Ok(section);
    }
    // Signed plans first: they are what both sides agreed.
    shown.sort_by_key(|p| p.signed_on.is_none());
    let drafts = shown.iter().filter(|p| p.signed_on.is_none()).count();
    let signed_after = shown
        .iter()
        .filter(|p| p.signed_on.is_some_and(|day| day >= after))
        .count();
    let mut total = Tally::default();
    let mut summary = Vec::new();
    for (at, plan) in shown.iter().enumerate() {
        let rows = plan.rows();
        let tally = Tally::of(rows.iter().map(|(_, r)| &r.action), after);
        total = total.add(tally);
        summary.push(summary_row(plan, tally, after));
        section.tables.push(PackTable {
            caption: actions_caption(&plan.title, plan.signed_on, after),
            table: actions_table(at + 1, &rows, after),
        });
    }
    section.tables.insert(
        0,
        PackTable {
            caption: format!("Action plans running in {months}"),
            table: summary_table(summary),
        },
    );
    section.reading = reading(
        total,
        Plans {
            shown: shown.len(),
            drafts,
            signed_after,
        },
        &months,
    );
    section.notes.push(format!(
        "Status and progress are as last reported when this pack was made. An action is late \
         when it was due by the end of {months} and was not done or dropped."
    ));
    section
        .notes
        .push("Dropped actions are listed but not counted.".into());
    section.notes.push(
        "A signed plan is shown as both sides signed it. Changes drafted since are not shown."
            .into(),
    );
    if drafts > 0 {
        section.notes.push(
            "A draft plan is shown as it stands. It is not yet signed by both sides, so nothing \
             in it is agreed yet."
                .into(),
        );
    }
    Ok(section)
}

/// A plan as the pack shows it.
#[derive(Debug, Clone)]
struct Shown {
    title: String,
    starts_on: Day,
    ends_on: Day,
    /// The day both sides' signatures published the version shown; `None` for a draft.
    signed_on: Option<Day>,
    groups: Vec<Group>,
    actions: Vec<Action>,
}

impl Shown {
    /// Its actions, commitment by commitment, parents before their children.
    fn rows(&self) -> Vec<(String, ActionRow)> {
        let mut groups = self.groups.clone();
        groups.sort_by_key(|g| (g.position, g.id));
        groups
            .iter()
            .flat_map(|g| {
                progress::rows(&self.actions, g.id)
                    .into_iter()
                    .map(|row| (g.title.clone(), row))
            })
            .collect()
    }
}

/// The plan as the pack shows it, if it runs in the quarter (from `first` to the day
/// before `after`): as both sides last signed it, or as drafted when never signed.
async fn shown_plan(
    ctx: &Context,
    plan: &Plan,
    first: Day,
    after: Day,
) -> Result<Option<Shown>, Error> {
    let runs = |starts_on: Day, ends_on: Day| starts_on < after && ends_on >= first;
    if let Some(signed) = plans::signed(ctx, plan).await? {
        let (starts_on, ends_on) = (signed.period.starts_on, signed.period.due_on);
        return Ok(runs(starts_on, ends_on).then(|| Shown {
            title: signed.title,
            starts_on,
            ends_on,
            signed_on: plan.published_at.map(Day::from_unix_seconds),
            groups: signed.groups,
            actions: signed.actions,
        }));
    }
    if !runs(plan.period_start, plan.period_end) {
        return Ok(None);
    }
    Ok(Some(Shown {
        title: plan.title.clone(),
        starts_on: plan.period_start,
        ends_on: plan.period_end,
        signed_on: None,
        groups: plans::groups(ctx, plan.id).await?,
        actions: plans::actions(ctx, plan.id).await?,
    }))
}

/// The quarter's first day, and the first day after it: the quarter ends as that day
/// starts.
pub(super) fn days_of(quarter: Quarter) -> Result<(Day, Day), Error> {
    let month = quarter.number * 3 - 2;
    let first = Day::from_ymd(quarter.year, month, 1);
    let after = if quarter.number >= 4 {
        Day::from_ymd(quarter.year + 1, 1, 1)
    } else {
        Day::from_ymd(quarter.year, month + 3, 1)
    };
    match (first, after) {
        (Some(first), Some(after)) => Ok((first, after)),
        _ => Err(Error::Internal(format!("quarter {quarter} has no days"))),
    }
}

/// Late at the quarter's end (`after` is the first day after it): due on or before its
/// last day, and neither done nor dropped.
fn is_late(action: &Action, after: Day) -> bool {
    !matches!(action.status, ActionStatus::Done | ActionStatus::Dropped)
        && action.dates.due_on < after
}

/// How many actions stand where: every action shown, parents and their parts alike.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Tally {
    /// Every action but the dropped ones.
    counted: usize,
    done: usize,
    on_track: usize,
    at_risk: usize,
    off_track: usize,
    not_started: usize,
    dropped: usize,
    /// See [`is_late`].
    late: usize,
}

impl Tally {
    fn of<'a>(actions: impl IntoIterator<Item = &'a Action>, after: Day) -> Tally {
        let mut t = Tally::default();
        for action in actions {
            match action.status {
                ActionStatus::Done => t.done += 1,
                ActionStatus::OnTrack => t.on_track += 1,
                ActionStatus::AtRisk => t.at_risk += 1,
                ActionStatus::OffTrack => t.off_track += 1,
                ActionStatus::NotStarted => t.not_started += 1,
                ActionStatus::Dropped => t.dropped += 1,
            }
            if action.status != ActionStatus::Dropped {
                t.counted += 1;
            }
            if is_late(action, after) {
                t.late += 1;
            }
        }
        t
    }

    fn add(self, other: Tally) -> Tally {
        Tally {
            counted: self.counted + other.counted,
            done: self.done + other.done,
            on_track: self.on_track + other.on_track,
            at_risk: self.at_risk + other.at_risk,
            off_track: self.off_track + other.off_track,
            not_started: self.not_started + other.not_started,
            dropped: self.dropped + other.dropped,
            late: self.late + other.late,
        }
    }
}

/// Whether a plan is signed, in words: "Signed on 3 May 2026", or that it is a draft.
/// A plan signed after the quarter ended was still a draft at the quarter's end: it says
/// so, and when it was signed.
fn signed_words(signed_on: Option<Day>, after: Day) -> String {
    match signed_on {
        None => "No, a draft".into(),
        Some(day) if day >= after => format!(
            "No, a draft at the quarter's end (signed on {})",
            day.long()
        ),
        Some(day) => format!("Signed on {}", day.long()),
    }
}

/// The caption of a plan's actions table. Status and progress are as last reported, so
/// the caption says so rather than naming the quarter's end. A draft says it is not yet
/// signed; a plan signed after the quarter ended says when, as it shows that version.
fn actions_caption(title: &str, signed_on: Option<Day>, after: Day) -> String {
    let caption = format!("Actions of {title}, as last reported");
    match signed_on {
        None => format!("{caption} (a draft, not yet signed by both sides)"),
        Some(day) if day >= after => format!(
            "{caption} (as both sides signed it on {}, after the quarter ended)",
            day.long()
        ),
        Some(_) => caption,
    }
}

fn summary_row(plan: &Shown, t: Tally, after: Day) -> Vec<Cell> {
    let n = |n: usize| Cell::words(n.to_string());
    vec![
        Cell::words(&plan.title),
        Cell::words(signed_words(plan.signed_on, after)),
        Cell::words(format!(
            "{} to {}",
            plan.starts_on.long(),
            plan.ends_on.long()
        )),
        n(t.counted),
        n(t.done),
        n(t.on_track),
        n(t.at_risk),
        n(t.off_track),
        n(t.not_started),
        n(t.late),
        n(t.dropped),
    ]
}

/// A row per plan: whether it is signed, when it runs, and its actions by status.
fn summary_table(rows: Vec<Vec<Cell>>) -> Table {
    Table {
        name: format!("{KEY}-summary"),
        header: [
            "Plan",
            "Signed by both sides",
            "Runs",
            "Actions counted",
            "Done",
            "On track",
            "At risk",
            "Off track",
            "Not started",
            "Late",
            "Dropped",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

/// The `number`th plan's actions: commitment, action, the action it is part of (only when
/// some action in the table is part of another), status, progress, due date and whether it
/// was late.
fn actions_table(number: usize, rows: &[(String, ActionRow)], after: Day) -> Table {
    let title_of = |id: Option<i64>| {
        id.and_then(|id| rows.iter().find(|(_, r)| r.action.id == id))
            .map(|(_, r)| r.action.title.clone())
            .unwrap_or_default()
    };
    let parts: Vec<String> = rows
        .iter()
        .map(|(_, r)| title_of(r.action.parent_id))
        .collect();
    let with_parts = parts.iter().any(|p| !p.is_empty());
    let header = [
        ("Commitment", true),
        ("Action", true),
        ("Part of", with_parts),
        ("Status", true),
        ("Progress", true),
        ("Due", true),
        ("Late", true),
    ]
    .into_iter()
    .filter(|(_, keep)| *keep)
    .map(|(name, _)| name.to_owned())
    .collect();
    Table {
        name: format!("{KEY}-actions-{number}"),
        header,
        rows: rows
            .iter()
            .zip(parts)
            .map(|((group, row), part)| {
                let a = &row.action;
                let mut cells = vec![Cell::words(group), Cell::words(&a.title)];
                if with_parts {
                    cells.push(Cell::words(part));
                }
                cells.extend([
                    Cell::words(a.status.label()),
                    Cell::words(format!("{}%", row.progress.value())),
                    Cell::words(a.dates.due_on.long()),
                    Cell::words(if is_late(a, after) { "Yes" } else { "No" }),
                ]);
                cells
            })
            .collect(),
    }
}

/// How many plans the pack shows, and how many of them were not signed by the quarter's
/// end, as the summary table shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Plans {
    shown: usize,
    /// Never signed by both sides: still drafts.
    drafts: usize,
    /// Signed by both sides only after the quarter ended: drafts at its end.
    signed_after: usize,
}

/// "What this shows" for action plans, from the actions the tables show. The rules:
/// - some plans were drafts at the quarter's end (never signed by both sides, or signed
///   only after it): say so first, counting both kinds (the plan, all N plans, or how many
///   of how many), and whether they have been signed since;
/// - no action is counted (there are none, or all are dropped): say the plan has no
///   actions yet;
/// - otherwise, how many of the counted actions are done: all, none, or how many of how
///   many;
/// - then, unless all are done, how many are late: none, 1, or more.
fn reading(t: Tally, plans: Plans, months: &str) -> String {
    match drafts_words(plans, months) {
        Some(first) => format!("{first} {}", counts_reading(t, plans.shown, 0)),
        None => counts_reading(t, plans.shown, plans.drafts),
    }
}

/// Which of the plans shown were still drafts at the end of the quarter: those never
/// signed by both sides and those signed only after it. `None` when none were.
fn drafts_words(plans: Plans, months: &str) -> Option<String> {
    let Plans {
        shown,
        drafts,
        signed_after,
    } = plans;
    let at_end = drafts + signed_after;
    let end = format!("at the end of {months}");
    let head = match (at_end, shown) {
        (0, _) => return None,
        (1, 1) => format!("The plan was still a draft {end}"),
        (k, p) if k == p => format!("All {p} plans were still drafts {end}"),
        (1, p) => format!("1 of the {p} plans was still a draft {end}"),
        (k, p) => format!("{k} of the {p} plans were still drafts {end}"),
    };
    let tail = match (signed_after, drafts) {
        (1, 0) => ": both sides signed it after that.".to_owned(),
        (_, 0) => ": both sides signed them after that.".to_owned(),
        (0, 1) => "; it is not yet signed by both sides.".to_owned(),
        (0, _) => "; they are not yet signed by both sides.".to_owned(),
        (s, d) => format!(": both sides have signed {s} since; {d} not yet."),
    };
    Some(format!("{head}{tail}"))
}

/// The done and late actions, and whether every plan shown is still a draft.
fn counts_reading(t: Tally, plans: usize, drafts: usize) -> String {
    let plan = if plans == 1 { "plan" } else { "plans" };
    let all_drafts = drafts > 0 && drafts == plans;
    if t.counted == 0 {
        let draft = if all_drafts { "draft " } else { "" };
        return format!("There are no actions in the {draft}{plan} yet.");
    }
    let one = t.counted == 1;
    let done = match (t.done, one) {
        (d, true) if d == t.counted => "the 1 action is done".to_owned(),
        (d, false) if d == t.counted => format!("all {} actions are done", t.counted),
        (0, true) => "the 1 action is not done yet".to_owned(),
        (0, false) => format!("none of the {} actions are done yet", t.counted),
        (1, _) => format!("1 of {} actions is done", t.counted),
        (d, _) => format!("{d} of {} actions are done", t.counted),
    };
    let late = match (t.late, one) {
        _ if t.done == t.counted => String::new(),
        (0, true) => "; it is not late".to_owned(),
        (_, true) => "; it is late".to_owned(),
        (0, false) => "; none are late".to_owned(),
        (1, false) => "; 1 is late".to_owned(),
        (n, false) => format!("; {n} are late"),
    };
    let said = format!("{done}{late}.");
    if all_drafts {
        format!("In the draft {plan}, not yet signed by both sides, {said}")
    } else {
        capitalised(&said)
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
    use dignity_domain::plans::{Dates, Percent};

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn action(id: i64, status: ActionStatus, due: &str) -> Action {
        Action {
            id,
            plan_id: 1,
            group_id: 1,
            parent_id: None,
            title: format!("Action {id}"),
            description: String::new(),
            owner: String::new(),
            employer_lead: String::new(),
            union_lead: String::new(),
            dates: Dates::new(day("2026-01-01"), day(due)).unwrap(),
            status,
            status_reason: String::new(),
            progress: Percent::new(40).unwrap(),
            weight: None,
            added_in_version: 1,
        }
    }

    #[test]
    fn a_quarter_runs_from_its_first_day_to_the_day_before_the_next() {
        let days = |q: &str| days_of(Quarter::parse(q).unwrap()).unwrap();
        assert_eq!(days("2026-Q1"), (day("2026-01-01"), day("2026-04-01")));
        assert_eq!(days("2026-Q3"), (day("2026-07-01"), day("2026-10-01")));
        assert_eq!(days("2026-Q4"), (day("2026-10-01"), day("2027-01-01")));
    }

    #[test]
    fn an_action_is_late_when_due_in_or_before_the_quarter_and_not_finished() {
        let after = day("2026-04-01");
        assert!(is_late(
            &action(1, ActionStatus::OnTrack, "2026-03-31"),
            after
        ));
        assert!(is_late(
            &action(2, ActionStatus::NotStarted, "2026-01-15"),
            after
        ));
        assert!(!is_late(
            &action(3, ActionStatus::OnTrack, "2026-04-01"),
            after
        ));
        assert!(!is_late(
            &action(4, ActionStatus::Done, "2026-02-01"),
            after
        ));
        assert!(!is_late(
            &action(5, ActionStatus::Dropped, "2026-02-01"),
            after
        ));
    }

    #[test]
    fn the_tally_counts_every_action_but_the_dropped() {
        let actions = [
            action(1, ActionStatus::Done, "2026-02-01"),
            action(2, ActionStatus::OnTrack, "2026-03-01"),
            action(3, ActionStatus::OnTrack, "2026-09-01"),
            action(4, ActionStatus::AtRisk, "2026-09-01"),
            action(5, ActionStatus::OffTrack, "2026-09-01"),
            action(6, ActionStatus::NotStarted, "2026-01-10"),
            action(7, ActionStatus::Dropped, "2026-01-10"),
        ];
        let t = Tally::of(&actions, day("2026-04-01"));
        assert_eq!(
            t,
            Tally {
                counted: 6,
                done: 1,
                on_track: 2,
                at_risk: 1,
                off_track: 1,
                not_started: 1,
                dropped: 1,
                late: 2,
            }
        );
        assert_eq!(t.add(t).counted, 12);
    }

    const MONTHS: &str = "January to March 2026";

    fn plans(shown: usize, drafts: usize, signed_after: usize) -> Plans {
        Plans {
            shown,
            drafts,
            signed_after,
        }
    }

    fn tally(counted: usize, done: usize, late: usize) -> Tally {
        Tally {
            counted,
            done,
            late,
            ..Tally::default()
        }
    }

    #[test]
    fn the_reading_gives_done_and_late() {
        assert_eq!(
            reading(tally(20, 12, 3), plans(1, 0, 0), MONTHS),
            "12 of 20 actions are done; 3 are late."
        );
        assert_eq!(
            reading(tally(20, 1, 1), plans(2, 1, 0), MONTHS),
            "1 of the 2 plans was still a draft at the end of January to March 2026; it is not \
             yet signed by both sides. 1 of 20 actions is done; 1 is late."
        );
        assert_eq!(
            reading(tally(5, 2, 0), plans(1, 0, 0), MONTHS),
            "2 of 5 actions are done; none are late."
        );
        assert_eq!(
            reading(tally(5, 0, 4), plans(1, 0, 0), MONTHS),
            "None of the 5 actions are done yet; 4 are late."
        );
        assert_eq!(
            reading(tally(5, 5, 0), plans(1, 0, 0), MONTHS),
            "All 5 actions are done."
        );
    }

    #[test]
    fn the_reading_of_one_action() {
        assert_eq!(
            reading(tally(1, 1, 0), plans(1, 0, 0), MONTHS),
            "The 1 action is done."
        );
        assert_eq!(
            reading(tally(1, 0, 0), plans(1, 0, 0), MONTHS),
            "The 1 action is not done yet; it is not late."
        );
        assert_eq!(
            reading(tally(1, 0, 1), plans(1, 0, 0), MONTHS),
            "The 1 action is not done yet; it is late."
        );
    }

    #[test]
    fn the_reading_says_when_every_plan_is_a_draft() {
        assert_eq!(
            reading(tally(10, 3, 2), plans(1, 1, 0), MONTHS),
            "The plan was still a draft at the end of January to March 2026; it is not yet \
             signed by both sides. 3 of 10 actions are done; 2 are late."
        );
        assert_eq!(
            reading(tally(0, 0, 0), plans(2, 2, 0), MONTHS),
            "All 2 plans were still drafts at the end of January to March 2026; they are not \
             yet signed by both sides. There are no actions in the plans yet."
        );
    }

    #[test]
    fn the_reading_says_first_when_a_plan_was_signed_only_after_the_quarter() {
        assert_eq!(
            reading(tally(10, 3, 2), plans(1, 0, 1), MONTHS),
            "The plan was still a draft at the end of January to March 2026: both sides \
             signed it after that. 3 of 10 actions are done; 2 are late."
        );
        assert_eq!(
            reading(tally(10, 3, 2), plans(2, 0, 2), MONTHS),
            "All 2 plans were still drafts at the end of January to March 2026: both sides \
             signed them after that. 3 of 10 actions are done; 2 are late."
        );
        assert_eq!(
            reading(tally(4, 4, 0), plans(3, 1, 1), MONTHS),
            "2 of the 3 plans were still drafts at the end of January to March 2026: both \
             sides have signed 1 since; 1 not yet. All 4 actions are done."
        );
        assert_eq!(
            reading(tally(0, 0, 0), plans(3, 0, 2), MONTHS),
            "2 of the 3 plans were still drafts at the end of January to March 2026: both \
             sides signed them after that. There are no actions in the plans yet."
        );
        assert_eq!(drafts_words(plans(2, 0, 0), MONTHS), None);
    }

    #[test]
    fn the_caption_says_actions_are_as_last_reported() {
        let after = day("2026-04-01");
        assert_eq!(
            actions_caption("Respect at work", Some(day("2026-03-31")), after),
            "Actions of Respect at work, as last reported"
        );
        assert_eq!(
            actions_caption("Respect at work", None, after),
            "Actions of Respect at work, as last reported (a draft, not yet signed by both \
             sides)"
        );
        assert_eq!(
            actions_caption("Respect at work", Some(day("2026-04-01")), after),
            "Actions of Respect at work, as last reported (as both sides signed it on 1 \
             April 2026, after the quarter ended)"
        );
    }

    #[test]
    fn the_reading_says_when_there_are_no_actions() {
        assert_eq!(
            reading(tally(0, 0, 0), plans(1, 0, 0), MONTHS),
            "There are no actions in the plan yet."
        );
        assert_eq!(
            reading(tally(0, 0, 0), plans(2, 1, 0), MONTHS),
            "1 of the 2 plans was still a draft at the end of January to March 2026; it is not \
             yet signed by both sides. There are no actions in the plans yet."
        );
    }

    #[test]
    fn a_plan_signed_after_the_quarter_says_so() {
        let after = day("2026-04-01");
        assert_eq!(signed_words(None, after), "No, a draft");
        assert_eq!(
            signed_words(Some(day("2026-03-02")), after),
            "Signed on 2 March 2026"
        );
        assert_eq!(
            signed_words(Some(day("2026-04-01")), after),
            "No, a draft at the quarter's end (signed on 1 April 2026)"
        );
    }

    #[test]
    fn tables_have_short_unique_names_and_words_only() {
        let after = day("2026-04-01");
        let mut child = action(2, ActionStatus::Done, "2026-02-01");
        child.parent_id = Some(1);
        let plan = Shown {
            title: "Respect at work".into(),
            starts_on: day("2026-01-01"),
            ends_on: day("2026-12-31"),
            signed_on: None,
            groups: vec![Group {
                id: 1,
                position: 1,
                title: "Leadership".into(),
            }],
            actions: vec![action(1, ActionStatus::OnTrack, "2026-03-01"), child],
        };
        let rows = plan.rows();
        let table = actions_table(12, &rows, after);
        let cells: Vec<Vec<&str>> = table
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::text).collect())
            .collect();
        assert_eq!(
            cells,
            vec![
                vec![
                    "Leadership",
                    "Action 1",
                    "",
                    "On track",
                    "100%",
                    "1 March 2026",
                    "Yes"
                ],
                vec![
                    "Leadership",
                    "Action 2",
                    "Action 1",
                    "Done",
                    "100%",
                    "1 February 2026",
                    "No"
                ],
            ]
        );
        let summary = summary_table(vec![summary_row(
            &plan,
            Tally::of(rows.iter().map(|(_, r)| &r.action), after),
            after,
        )]);
        assert_eq!(
            summary.rows.first().map(Vec::len),
            Some(summary.header.len())
        );
        assert_eq!(table.header.get(2).map(String::as_str), Some("Part of"));
        // With no action part of another, the table has no "Part of" column.
        let flat = Shown {
            actions: vec![
                action(1, ActionStatus::OnTrack, "2026-03-01"),
                action(2, ActionStatus::Done, "2026-02-01"),
            ],
            ..plan.clone()
        };
        let flat_table = actions_table(1, &flat.rows(), after);
        assert_eq!(
            flat_table.header,
            ["Commitment", "Action", "Status", "Progress", "Due", "Late"]
        );
        assert_eq!(
            flat_table
                .rows
                .first()
                .map(|r| r.iter().map(Cell::text).collect::<Vec<_>>()),
            Some(vec![
                "Leadership",
                "Action 1",
                "On track",
                "40%",
                "1 March 2026",
                "Yes"
            ])
        );
        let names = [table.name, summary.name];
        for name in &names {
            assert!(name.len() <= 24 && name.starts_with("plans-"), "{name}");
        }
        assert_ne!(names[0], names[1]);
    }

    type Outcome = Result<(), Box<dyn std::error::Error>>;

    /// A signed plan and a draft one running in 2020's second quarter, read from the store.
    async fn the_section_reads_signed_plans_and_marks_drafts(
        backend: crate::data::Backend,
    ) -> Outcome {
        use crate::admin::Operator;
        use crate::plans::{Desk, NewAction, NewPlan, Report};
        use dignity_domain::identity::{Email, Name};
        use dignity_domain::plans::Side;

        let test_db = dignity_store::scratch::ScratchDb::new(backend).await?;
        let ctx = Context::new(test_db.db.clone(), crate::Settings::default())?;
        let operator = Operator::new(ctx.db.clone(), ctx.clock.clone(), "cli");
        let org = crate::test_fixtures::stored_organisation(&operator, "RJ1").await?;
        let signer = operator
            .create_person(
                &Email::parse("signer@example.nhs.uk")?,
                &Name::parse("Sam", "name")?,
                "x",
            )
            .await?
            .id;
        let desk = Desk::for_operator(&operator, &org);
        let period = Dates::new(day("2020-04-01"), day("2021-03-31"))?;
        let mut plans = Vec::new();
        for title in ["Respect at work", "Next steps"] {
            let plan = desk
                .create_plan(&NewPlan {
                    title: title.into(),
                    period,
                    summary: "Together.".into(),
                })
                .await?;
            let group = desk.groups(plan.id).await?.remove(0);
            for (name, due) in [("Training", "2020-05-01"), ("Survey", "2020-12-01")] {
                desk.add_action(
                    plan.id,
                    &NewAction {
                        group_id: group.id,
                        parent_id: None,
                        title: name.into(),
                        description: String::new(),
                        owner: String::new(),
                        employer_lead: String::new(),
                        union_lead: String::new(),
                        dates: Dates::new(period.starts_on, day(due))?,
                        weight: None,
                    },
                )
                .await?;
            }
            plans.push(plan);
        }
        let signed = plans.remove(0);
        let version = desk.plan(signed.id).await?.version;
        for side in Side::ALL {
            desk.approve(signed.id, signer, *side, version).await?;
        }
        let survey = crate::plans::actions(&ctx, signed.id)
            .await?
            .into_iter()
            .find(|a| a.title == "Survey")
            .unwrap();
        desk.report_progress(
            survey.id,
            &Report {
                status: ActionStatus::Done,
                reason: String::new(),
                progress: Percent::new(100).unwrap(),
            },
        )
        .await?;

        let pack = section(&ctx, &org, Quarter::parse("2020-Q2")?).await?;
        // Signed today, long after the quarter: a draft at its end.
        assert_eq!(
            pack.reading,
            "All 2 plans were still drafts at the end of April to June 2020: both sides have \
             signed 1 since; 1 not yet. 1 of 4 actions is done; 2 are late."
        );
        let names: Vec<&str> = pack.tables.iter().map(|t| t.table.name.as_str()).collect();
        assert_eq!(
            names,
            ["plans-summary", "plans-actions-1", "plans-actions-2"]
        );
        let summary: Vec<Vec<&str>> = pack.tables[0]
            .table
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::text).collect())
            .collect();
        assert_eq!(summary[0][0], "Respect at work");
        assert!(
            summary[0][1].starts_with("No, a draft at the quarter's end (signed on"),
            "{:?}",
            summary[0]
        );
        assert!(
            pack.tables[1]
                .caption
                .starts_with("Actions of Respect at work, as last reported (as both sides"),
            "{}",
            pack.tables[1].caption
        );
        assert_eq!(summary[1][..2], ["Next steps", "No, a draft"]);
        assert!(pack.tables[2].caption.contains("a draft"));

        let none = section(&ctx, &org, Quarter::parse("2019-Q4")?).await?;
        assert_eq!(
            none.reading,
            "No action plan runs in October to December 2019."
        );
        assert!(none.tables.is_empty());
        test_db.finish().await;
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_section_reads_signed_plans_and_marks_drafts_on_sqlite() -> Outcome {
        the_section_reads_signed_plans_and_marks_drafts(crate::data::Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_section_reads_signed_plans_and_marks_drafts_on_postgres() -> Outcome {
        the_section_reads_signed_plans_and_marks_drafts(crate::data::Backend::Postgres).await
    }
}

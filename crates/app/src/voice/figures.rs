//! Participation figures for a challenge: how many staff shared ideas, commented and
//! supported, through the one disclosure module under the staff voice minimum.
//!
//! Posts carry chosen names and dates, so figures by organisation that moved while a
//! challenge ran would tie a name to an organisation: the reader who sees Trust X's row
//! grow after "Quiet Heron" posted learns where Quiet Heron works, and cancelling moves,
//! or a membership changed between two counts, defeat any rule about how far a count must
//! move (outside attack, 2026-12-06). So while a challenge is open only its totals are
//! shown, counted up to Monday 00:00 UTC, and not the "took part" total: it merges private
//! support with public posts, so its not moving when someone's only post is hidden would
//! say they had also supported an idea (outside attack, 2026-12-06). The other totals
//! count what the posts and support counts on the pages show already.
//!
//! Once a challenge has closed, its final figures are worked out once and kept: one
//! release, which nothing can be set beside. They break down who took part by the staff
//! group each person gave before the close (`voice_staff_groups`; "not given" otherwise),
//! and, for a national challenge, by the one organisation each is in ("more than one" or
//! "none" otherwise). A breakdown gives only how many took part, never each way of taking
//! part: a group's ideas, comments and support set against its "took part" and the totals
//! gave a hidden count away, and a group holding all of a column's writers said every name
//! under it was in that group (outside attack, 2026-12-07). Only shown groups are listed,
//! and the shown groups always leave at least the minimum unplaced
//! (`disclosure::groups_with_unplaced_rest`), so no name seen taking part is known to be
//! in a shown group.

use super::{Challenge, challenge};
use crate::identity::CurrentSession;
use crate::{Context, Error};
use dignity_domain::speakup::Day;
use dignity_engine::disclosure::{self, Cells, Disclosed, Kind, Minimum};
use dignity_store::StoreError;
use dignity_store::identity;
use dignity_store::voice::figures::{self as store, Final, TookPart};
use std::collections::{BTreeMap, BTreeSet};

const WEEK: i64 = 7 * 86_400;
/// 1970-01-05 00:00 UTC, a Monday.
const FIRST_MONDAY: i64 = 4 * 86_400;

/// The tables, in the order pages show them: anyone who took part, then each way of
/// taking part.
pub const TABLES: [&str; 4] = ["people", "ideas", "comments", "support"];

const MORE_THAN_ONE: &str = "several";
const NONE: &str = "none";
const NOT_GIVEN: &str = "not given";

/// The name of a table counted by staff group rather than by organisation.
fn by_staff_group(table: &str) -> String {
    format!("{table} by staff group")
}

/// The start of the week `now` is in: Monday 00:00 UTC.
pub fn week_start(now: i64) -> i64 {
    now - (now - FIRST_MONDAY).rem_euclid(WEEK)
}

/// One row of the figures: a group's count in each of [`TABLES`].
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub counts: [Disclosed<u64>; 4],
}

/// A group of a breakdown: how many of its people took part.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow {
    pub name: String,
    pub took_part: Disclosed<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Participation {
    /// The first day the figures do not count: they count everything before it.
    pub up_to: Day,
    /// Whether these are the challenge's final figures, after it closed.
    pub is_final: bool,
    pub total: Row,
    /// By organisation: a national challenge's final figures only, and only organisations
    /// with a shown count.
    pub groups: Vec<GroupRow>,
    /// By the staff group people gave: final figures only, and only groups with a shown
    /// count. `None` while the challenge is open, and for final figures kept before staff
    /// groups were asked.
    pub staff_groups: Option<Vec<GroupRow>>,
    pub minimum: Minimum,
}

fn group_of(organisations: Option<&Vec<i64>>) -> String {
    match organisations.map(Vec::as_slice) {
        Some([one]) => format!("org-{one}"),
        Some([_, _, ..]) => MORE_THAN_ONE.to_owned(),
        _ => NONE.to_owned(),
    }
}

/// Each table's people by organisation, and again by staff group.
fn tables_of(took: &TookPart) -> BTreeMap<String, Cells> {
    let anyone: BTreeSet<i64> = took
        .ideas
        .iter()
        .chain(&took.comments)
        .chain(&took.support)
        .copied()
        .collect();
    let lists: [Vec<i64>; 4] = [
        anyone.into_iter().collect(),
        took.ideas.clone(),
        took.comments.clone(),
        took.support.clone(),
    ];
    let mut tables = BTreeMap::new();
    for (name, people) in TABLES.iter().zip(lists) {
        let mut by_organisation = Cells::new();
        let mut by_group = Cells::new();
        for person in people {
            *by_organisation
                .entry(group_of(took.organisations.get(&person)))
                .or_default() += 1;
            let group = took
                .staff_groups
                .get(&person)
                .and_then(|g| dignity_domain::voice::staff_group(g).ok().flatten())
                .unwrap_or(NOT_GIVEN);
            *by_group.entry(group.to_owned()).or_default() += 1;
        }
        tables.insert((*name).to_owned(), by_organisation);
        tables.insert(by_staff_group(name), by_group);
    }
    tables
}

/// Each table's whole: everyone it counts.
fn wholes(tables: &BTreeMap<String, Cells>, minimum: Minimum) -> [Disclosed<u64>; 4] {
    TABLES.map(|table| {
        let everyone: u64 = tables
            .get(table)
            .map(|cells| cells.values().map(|n| (*n).max(0).unsigned_abs()).sum())
            .unwrap_or(0);
        // Nobody at all is about no one, and reads better as 0 than as hidden.
        if everyone == 0 {
            disclosure::happenings(0, minimum)
        } else {
            disclosure::population(everyone, minimum)
        }
    })
}

/// One breakdown of who took part (`table`, everyone in `whole`) as the disclosure rules
/// let it out: only the groups shown, and those leaving at least the minimum unplaced.
fn group_rows(
    tables: &BTreeMap<String, Cells>,
    table: &str,
    whole: &Disclosed<u64>,
    minimum: Minimum,
    name_of: impl Fn(&str) -> String,
) -> Vec<GroupRow> {
    let empty = Cells::new();
    let cells = tables.get(table).unwrap_or(&empty);
    let sizes: Vec<u64> = cells.values().map(|n| (*n).max(0).unsigned_abs()).collect();
    disclosure::groups_with_unplaced_rest(&sizes, whole, minimum)
        .into_iter()
        .zip(cells.keys())
        .filter(|(took_part, _)| took_part.value().is_some_and(|n| *n > 0))
        .map(|(took_part, key)| GroupRow {
            name: name_of(key),
            took_part,
        })
        .collect()
}

fn parse(counts: &Final) -> Result<BTreeMap<String, Cells>, Error> {
    serde_json::from_str(&counts.tables).map_err(|e| {
        Error::Store(StoreError::Corrupt(format!(
            "staff voice figures counted before {}: {e}",
            counts.counted_before
        )))
    })
}

/// Seconds since 1970 at the start of `day`, UTC.
fn start_of(day: Day) -> i64 {
    day.days_since(Day::from_unix_seconds(0)) * 86_400
}

/// The figures `session` may read for a challenge they may read.
pub async fn participation(
    ctx: &Context,
    session: &CurrentSession,
    challenge_id: i64,
) -> Result<(Challenge, Participation), Error> {
    let challenge = challenge(ctx, session, challenge_id).await?;
    let figures = participation_at(ctx, &challenge, ctx.clock.now()).await?;
    Ok((challenge, figures))
}

/// The figures as shown at `now`: totals up to this Monday while the challenge is open;
/// once it has closed, the final figures, worked out by whoever asks first and kept.
pub async fn participation_at(
    ctx: &Context,
    challenge: &Challenge,
    now: i64,
) -> Result<Participation, Error> {
    let db = &ctx.db;
    let minimum = ctx.minimums.get(Kind::StaffVoice);
    let closed_at = start_of(challenge.fields.closes_on.plus_days(1));
    let (tables, before, is_final) = if now >= closed_at {
        let kept = match store::final_figures(db, challenge.id).await? {
            Some(kept) => kept,
            None => {
                let tables = tables_of(&store::took_part(db, challenge.id, closed_at).await?);
                let worked_out = Final {
                    counted_before: closed_at,
                    tables: serde_json::to_string(&tables)
                        .map_err(|e| Error::Store(StoreError::Corrupt(e.to_string())))?,
                };
                store::keep_final(db, challenge.id, &worked_out).await?;
                // Another server may have kept its own first: everyone reads the one kept.
                store::final_figures(db, challenge.id)
                    .await?
                    .unwrap_or(worked_out)
            }
        };
        (parse(&kept)?, kept.counted_before, true)
    } else {
        let before = week_start(now);
        let tables = tables_of(&store::took_part(db, challenge.id, before).await?);
        (tables, before, false)
    };
    let names: BTreeMap<String, String> = identity::list_organisations(db)
        .await?
        .into_iter()
        .map(|o| (format!("org-{}", o.id), o.name))
        .collect();
    let whole = wholes(&tables, minimum);
    // While open, "took part" is never shown (see above).
    let mut total = whole;
    if !is_final {
        total[0] = Disclosed::hidden();
    }
    let mut groups: Vec<GroupRow> = Vec::new();
    if is_final && challenge.fields.organisation_id.is_none() {
        groups = group_rows(&tables, TABLES[0], &whole[0], minimum, |key| match key {
            MORE_THAN_ONE => "In more than one organisation".to_owned(),
            NONE => "In no organisation".to_owned(),
            other => names
                .get(other)
                .cloned()
                .unwrap_or_else(|| "An organisation no longer here".to_owned()),
        });
        groups.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let people_by_group = by_staff_group(TABLES[0]);
    // Final figures kept before staff groups were asked have no such table.
    let staff_groups = (is_final && tables.contains_key(&people_by_group)).then(|| {
        let list = dignity_domain::voice::staff_groups();
        let mut rows = group_rows(
            &tables,
            &people_by_group,
            &whole[0],
            minimum,
            |key| match key {
                NOT_GIVEN => "Not given".to_owned(),
                group => group.to_owned(),
            },
        );
        rows.sort_by_key(|row| {
            list.iter()
                .position(|g| *g == row.name)
                .unwrap_or(list.len())
        });
        rows
    });
    Ok(Participation {
        up_to: Day::from_unix_seconds(before),
        is_final,
        total: Row {
            name: "Everyone".into(),
            counts: total,
        },
        groups,
        staff_groups,
        minimum,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_at_midnight() {
        // 2026-12-07 was a Monday.
        let monday = 1_796_601_600;
        assert_eq!(Day::from_unix_seconds(monday).to_string(), "2026-12-07");
        assert_eq!(week_start(monday), monday);
        assert_eq!(week_start(monday + 6 * 86_400 + 86_399), monday);
        assert_eq!(week_start(monday - 1), monday - WEEK);
    }

    #[test]
    fn each_person_counts_once_in_each_table_under_one_group() {
        let took = TookPart {
            ideas: vec![1, 2],
            comments: vec![2, 3],
            support: vec![4],
            organisations: BTreeMap::from([
                (1, vec![10]),
                (2, vec![10]),
                (3, vec![10, 11]),
                (4, vec![]),
            ]),
            staff_groups: BTreeMap::from([
                (1, "Medical and dental".to_owned()),
                (2, "medical and DENTAL".to_owned()),
                (3, "Not a group on the list".to_owned()),
            ]),
        };
        let tables = tables_of(&took);
        let cells = |t: &str| tables.get(t).cloned().unwrap_or_default();
        assert_eq!(
            cells("people"),
            Cells::from([
                ("org-10".into(), 2),
                ("several".into(), 1),
                ("none".into(), 1)
            ])
        );
        assert_eq!(cells("ideas"), Cells::from([("org-10".into(), 2)]));
        assert_eq!(
            cells("comments"),
            Cells::from([("org-10".into(), 1), ("several".into(), 1)])
        );
        assert_eq!(cells("support"), Cells::from([("none".into(), 1)]));
        // By staff group: a group read as the list spells it; one not on the list, or
        // none given, is "not given".
        assert_eq!(
            cells("people by staff group"),
            Cells::from([("Medical and dental".into(), 2), ("not given".into(), 2)])
        );
        assert_eq!(
            cells("ideas by staff group"),
            Cells::from([("Medical and dental".into(), 2)])
        );
        assert_eq!(
            cells("support by staff group"),
            Cells::from([("not given".into(), 1)])
        );
    }
}

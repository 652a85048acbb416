//! Participation figures for a challenge: how many staff shared ideas, commented and
//! supported, in all and (for a national challenge) by organisation, through the one
//! disclosure module under the staff voice minimum.
//!
//! Posts carry chosen names and dates, so figures that moved with each post would tie a
//! name to an organisation: the reader who sees one more idea from Trust X a minute after
//! "Quiet Heron" posted learns where Quiet Heron works. So figures are worked out once a
//! week, for everything before Monday 00:00 UTC, and a week is shown only if every table
//! moved from the last shown week by nothing or by at least the minimum number of people
//! (`disclosure::first_too_close`); otherwise the last shown week stays up. Each person
//! counts once in each table, under the one organisation they are in ("more than one" or
//! "none" otherwise), so a table's groups add up to its whole.

use super::{Challenge, challenge};
use crate::identity::CurrentSession;
use crate::{Context, Error};
use dignity_domain::speakup::Day;
use dignity_engine::disclosure::{self, Cells, Disclosed, Kind, Minimum};
use dignity_store::StoreError;
use dignity_store::identity;
use dignity_store::voice::figures::{self as store, TookPart, Week};
use std::collections::{BTreeMap, BTreeSet};

const WEEK: i64 = 7 * 86_400;
/// 1970-01-05 00:00 UTC, a Monday.
const FIRST_MONDAY: i64 = 4 * 86_400;

/// The tables, in the order pages show them: anyone who took part, then each way of
/// taking part.
pub const TABLES: [&str; 4] = ["people", "ideas", "comments", "support"];

const MORE_THAN_ONE: &str = "several";
const NONE: &str = "none";

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

#[derive(Debug, Clone, PartialEq)]
pub struct Participation {
    /// The first day the shown figures do not count (they count everything before it), or
    /// `None` when no week has been shown yet.
    pub up_to: Option<Day>,
    pub total: Row,
    /// By organisation, for a national challenge; empty for an organisation's own.
    pub groups: Vec<Row>,
    pub minimum: Minimum,
}

fn group_of(organisations: Option<&Vec<i64>>) -> String {
    match organisations.map(Vec::as_slice) {
        Some([one]) => format!("org-{one}"),
        Some([_, _, ..]) => MORE_THAN_ONE.to_owned(),
        _ => NONE.to_owned(),
    }
}

/// Each table's people by group.
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
    TABLES
        .iter()
        .zip(lists)
        .map(|(name, people)| {
            let mut cells = Cells::new();
            for person in people {
                *cells
                    .entry(group_of(took.organisations.get(&person)))
                    .or_default() += 1;
            }
            ((*name).to_owned(), cells)
        })
        .collect()
}

fn parse(week: &Week) -> Result<BTreeMap<String, Cells>, Error> {
    serde_json::from_str(&week.tables).map_err(|e| {
        Error::Store(StoreError::Corrupt(format!(
            "staff voice figures of {}: {e}",
            week.as_of
        )))
    })
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

/// The figures as shown at `now`: this week's if they could be shown, else the last
/// week's that were. Whoever asks first in a week works it out and keeps it; everyone
/// after reads the same.
pub async fn participation_at(
    ctx: &Context,
    challenge: &Challenge,
    now: i64,
) -> Result<Participation, Error> {
    let db = &ctx.db;
    let minimum = ctx.minimums.get(Kind::StaffVoice);
    let as_of = week_start(now);
    if store::week(db, challenge.id, as_of).await?.is_none() {
        let took = store::took_part(db, challenge.id, as_of).await?;
        let tables = tables_of(&took);
        let published = match store::last_published(db, challenge.id, as_of - 1).await? {
            None => true,
            Some(before) => {
                disclosure::first_too_close(&parse(&before)?, &tables, minimum).is_none()
            }
        };
        let kept = Week {
            as_of,
            tables: serde_json::to_string(&tables)
                .map_err(|e| Error::Store(StoreError::Corrupt(e.to_string())))?,
            published,
        };
        store::keep_week(db, challenge.id, &kept).await?;
    }
    let Some(shown) = store::last_published(db, challenge.id, as_of).await? else {
        return Ok(Participation {
            up_to: None,
            total: Row {
                name: "Everyone".into(),
                counts: [Disclosed::hidden(); 4],
            },
            groups: Vec::new(),
            minimum,
        });
    };
    let tables = parse(&shown)?;
    let names: BTreeMap<String, String> = identity::list_organisations(db)
        .await?
        .into_iter()
        .map(|o| (format!("org-{}", o.id), o.name))
        .collect();
    // Every group in any table, organisations by name, then the two others.
    let mut keys: Vec<String> = tables
        .values()
        .flat_map(|cells| cells.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let name_of = |key: &str| match key {
        MORE_THAN_ONE => "In more than one organisation".to_owned(),
        NONE => "In no organisation".to_owned(),
        other => names
            .get(other)
            .cloned()
            .unwrap_or_else(|| "An organisation no longer here".to_owned()),
    };
    keys.sort_by_key(|k| (k == MORE_THAN_ONE || k == NONE, k == NONE, name_of(k)));
    let mut total = [Disclosed::hidden(); 4];
    let mut by_group: Vec<[Disclosed<u64>; 4]> = vec![[Disclosed::hidden(); 4]; keys.len()];
    for (t, table) in TABLES.iter().enumerate() {
        let empty = Cells::new();
        let cells = tables.get(*table).unwrap_or(&empty);
        let sizes: Vec<u64> = keys
            .iter()
            .map(|k| cells.get(k).copied().unwrap_or(0).max(0).unsigned_abs())
            .collect();
        let everyone: u64 = sizes.iter().sum();
        // Nobody at all is about no one, and reads better as 0 than as hidden.
        let whole = if everyone == 0 {
            disclosure::happenings(0, minimum)
        } else {
            disclosure::population(everyone, minimum)
        };
        for (g, shown) in disclosure::groups(&sizes, &whole, minimum)
            .into_iter()
            .enumerate()
        {
            if let Some(row) = by_group.get_mut(g)
                && let Some(slot) = row.get_mut(t)
            {
                *slot = shown;
            }
        }
        if let Some(slot) = total.get_mut(t) {
            *slot = whole;
        }
    }
    let groups = if challenge.fields.organisation_id.is_none() {
        keys.iter()
            .zip(by_group)
            .map(|(k, counts)| Row {
                name: name_of(k),
                counts,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Participation {
        up_to: Some(Day::from_unix_seconds(shown.as_of)),
        total: Row {
            name: "Everyone".into(),
            counts: total,
        },
        groups,
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
    }
}

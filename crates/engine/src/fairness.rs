//! Fairness in employee relations casework: how likely the staff of each group were to
//! enter a formal process, to be suspended, or to be given a formal sanction, against
//! everyone else, as relative likelihoods with 95 % intervals. docs/just-culture.md works
//! an example by hand.
//!
//! Why our own code: these are counts of people at the hardest moments of their working
//! lives, grouped six ways at once over the same few dozen cases, so every count goes into
//! one disclosure decision (`disclosure::Ledger`) with every sum that ties them together:
//! each grouping's groups add up to the same total, groups that are the same people in two
//! groupings (the medical staff group and the medical grades) are tied, and counts another
//! page publishes (WRES 3 and WDES 3, which count the same cases) are fixed as that page
//! decided them, so neither page can undo the other's hiding.
//!
//! Staff in post are not decided here: the workforce pages publish them, and a rate is
//! shown only where they show its group's headcount.

use crate::disclosure::{Decided, Disclosed, Ledger, Minimum, PublishedCount};
use crate::workforce::{Hidden, Likelihood, relative_likelihood};
use std::fmt;

/// What a measure's rate is out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// The group's staff in post.
    Staff,
    /// The people an earlier measure counted (sanctions out of those given an outcome).
    Measure(usize),
}

/// One group of a grouping (one band, one age band).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCounts {
    /// Staff in post in the group.
    pub staff: u64,
    /// The same, as the workforce pages publish it.
    pub staff_shown: Disclosed<u64>,
    /// How many each measure happened to, in the order of [`Counts::measures`].
    pub happened: Vec<u64>,
}

/// A count another page publishes that is one of this decision's counts, or one of them
/// plus a count decided before (a two-year standard: this year's count and last year's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elsewhere {
    pub value: u64,
    pub published: PublishedCount,
    /// (grouping, group, measure) of the count here.
    pub here: (usize, usize, usize),
    /// Last year's count, when the page adds it in: as its own decision published it, or
    /// `None` when a reader may know it exactly (it came from a file, not a decision here).
    pub plus: Option<(u64, Option<PublishedCount>)>,
}

/// A group (grouping, group) that is nearly the same people as `parts`, groups of another
/// grouping (the medical staff group and the medical grades): `differ` gives, for each
/// measure, how many it happened to among the people in `whole` but in none of `parts`,
/// and among those in `parts` but not in `whole`. Those are taken as known exactly, as a
/// reader can guess them (often none): assuming too much is known only ever hides more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SamePeople {
    pub whole: (usize, usize),
    pub parts: Vec<(usize, usize)>,
    pub differ: Vec<(u64, u64)>,
}

/// Where each person is placed in the organisation's tree. The counts by place are never
/// shown; each unit's count over itself and everything below it is.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Placed {
    /// For each place, how many each measure happened to among those placed there.
    pub direct: Vec<Vec<u64>>,
    pub units: Vec<PlacedUnit>,
}

/// A unit as shown: the places it adds up (itself and below) and its headcount as the
/// workforce page publishes it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedUnit {
    pub places: Vec<usize>,
    pub staff_shown: Disclosed<u64>,
}

/// Everything one year's fairness figures are worked out from.
#[derive(Debug, Clone, PartialEq)]
pub struct Counts {
    pub staff: u64,
    pub staff_shown: Disclosed<u64>,
    pub measures: Vec<Base>,
    /// How many each measure happened to, everyone counted.
    pub totals: Vec<u64>,
    /// Each grouping's groups: every person counted is in exactly one group of each.
    pub groupings: Vec<Vec<GroupCounts>>,
    /// A group that is the same people as several groups of another grouping.
    pub same_people: Vec<SamePeople>,
    pub elsewhere: Vec<Elsewhere>,
    pub placed: Placed,
}

/// Counts that cannot be right: a bug in whoever counted, never bad input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FairnessError {
    /// A grouping's groups do not add up to the total.
    GroupsDisagree { grouping: usize, measure: usize },
    /// A group has more people in a measure than in its base.
    MoreThanItsBase { grouping: usize, group: usize },
    /// A measure's base is not an earlier measure, or a group has the wrong number of
    /// measures, or a reference points nowhere.
    Shape,
}

impl fmt::Display for FairnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FairnessError::GroupsDisagree { grouping, measure } => write!(
                f,
                "grouping {grouping} does not add up to measure {measure}'s total"
            ),
            FairnessError::MoreThanItsBase { grouping, group } => write!(
                f,
                "group {group} of grouping {grouping} has more people in a measure than in its base"
            ),
            FairnessError::Shape => f.write_str("the counts are not laid out as described"),
        }
    }
}

impl std::error::Error for FairnessError {}

/// One group's figures for one measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupFigures {
    pub happened: PublishedCount,
    /// What the rate is out of.
    pub base: Disclosed<u64>,
    /// The same, as its own count reads, when it is another measure's ("fewer than 10").
    pub base_count: Option<PublishedCount>,
    /// Happened over base (0 to 1).
    pub rate: Disclosed<f64>,
    /// The group's rate over everyone else's.
    pub against_rest: Disclosed<Likelihood>,
    /// Set exactly when the likelihood is hidden.
    pub hidden_because: Option<Hidden>,
}

/// One measure's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureFigures {
    pub happened: PublishedCount,
    pub base: Disclosed<u64>,
    pub rate: Disclosed<f64>,
    /// By grouping, then group, as [`Counts::groupings`] lists them.
    pub groupings: Vec<Vec<GroupFigures>>,
    /// Each unit of [`Placed::units`], against everyone outside it.
    pub units: Vec<GroupFigures>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fairness {
    pub measures: Vec<MeasureFigures>,
    /// Figures decided elsewhere give a small count away whatever is hidden here, so
    /// every count of that measure's family is withheld. Rare.
    pub withheld_everything: bool,
}

/// Works out every measure for every group and decides what may be shown, with `minimum`
/// the smallest count shown exactly (smaller ones read "fewer than").
pub fn fairness(counts: &Counts, minimum: Minimum) -> Result<Fairness, FairnessError> {
    check(counts)?;
    let mut published: Vec<Vec<PublishedCount>> = Vec::new();
    let mut totals: Vec<PublishedCount> = vec![PublishedCount::WITHHELD; counts.measures.len()];
    let cells_per_measure: usize = counts.groupings.iter().map(Vec::len).sum();
    for _ in &counts.measures {
        published.push(vec![PublishedCount::WITHHELD; cells_per_measure]);
    }
    let mut units: Vec<Vec<PublishedCount>> =
        vec![vec![PublishedCount::WITHHELD; counts.placed.units.len()]; counts.measures.len()];
    let mut withheld_everything = false;
    for family in families(&counts.measures) {
        let (decided, layout) = decide_family(counts, &family, minimum);
        let stuck = !decided.stuck().is_empty();
        withheld_everything |= stuck;
        for (&m, laid) in family.iter().zip(layout) {
            let read = |cell: usize| {
                if stuck {
                    PublishedCount::WITHHELD
                } else {
                    decided.published(cell)
                }
            };
            if let Some(t) = totals.get_mut(m) {
                *t = read(laid.total);
            }
            if let Some(row) = published.get_mut(m) {
                for (slot, &cell) in row.iter_mut().zip(&laid.groups) {
                    *slot = read(cell);
                }
            }
            if let Some(row) = units.get_mut(m) {
                for (slot, &cell) in row.iter_mut().zip(&laid.units) {
                    *slot = read(cell);
                }
            }
        }
    }
    let staff_total = counts.staff_shown;
    let measures = counts
        .measures
        .iter()
        .enumerate()
        .map(|(m, base)| {
            let happened = totals.get(m).copied().unwrap_or(PublishedCount::WITHHELD);
            let base_total = match base {
                Base::Staff => staff_total,
                Base::Measure(k) => totals
                    .get(*k)
                    .map_or(Disclosed::hidden(), |t| t.disclosed()),
            };
            let mut at = 0;
            let groupings = counts
                .groupings
                .iter()
                .map(|groups| {
                    groups
                        .iter()
                        .map(|group| {
                            let cell = at;
                            at += 1;
                            let read = |measure: usize| {
                                published
                                    .get(measure)
                                    .and_then(|row| row.get(cell))
                                    .copied()
                                    .unwrap_or(PublishedCount::WITHHELD)
                            };
                            let (group_base, base_count) = match base {
                                Base::Staff => (group.staff_shown, None),
                                Base::Measure(k) => (read(*k).disclosed(), Some(read(*k))),
                            };
                            GroupFigures {
                                base_count,
                                ..figures(read(m), group_base, happened, base_total)
                            }
                        })
                        .collect()
                })
                .collect();
            let read_unit = |measure: usize, at: usize| {
                units
                    .get(measure)
                    .and_then(|row| row.get(at))
                    .copied()
                    .unwrap_or(PublishedCount::WITHHELD)
            };
            let unit_figures = counts
                .placed
                .units
                .iter()
                .enumerate()
                .map(|(at, unit)| {
                    let (unit_base, base_count) = match base {
                        Base::Staff => (unit.staff_shown, None),
                        Base::Measure(k) => {
                            (read_unit(*k, at).disclosed(), Some(read_unit(*k, at)))
                        }
                    };
                    GroupFigures {
                        base_count,
                        ..figures(read_unit(m, at), unit_base, happened, base_total)
                    }
                })
                .collect();
            MeasureFigures {
                happened,
                base: base_total,
                rate: rate(happened.disclosed(), base_total),
                groupings,
                units: unit_figures,
            }
        })
        .collect();
    Ok(Fairness {
        measures,
        withheld_everything,
    })
}

/// Happened over base; none when the count is more than its base (people who left in
/// the year, counted over those in post at its end).
fn rate(happened: Disclosed<u64>, base: Disclosed<u64>) -> Disclosed<f64> {
    happened
        .zip(base)
        .map(|(h, b)| (b > 0 && h <= b).then(|| h as f64 / b as f64))
        .flatten()
}

/// A group's rate and its likelihood against everyone else, who are the total less the
/// group: shown only when all four counts are.
fn figures(
    happened: PublishedCount,
    base: Disclosed<u64>,
    total: PublishedCount,
    total_base: Disclosed<u64>,
) -> GroupFigures {
    let counts = happened
        .disclosed()
        .zip(base)
        .zip(total.disclosed().zip(total_base));
    let likelihood = counts.map(|((h, b), (th, tb))| {
        relative_likelihood((h, b), (th.saturating_sub(h), tb.saturating_sub(b)))
    });
    let hidden_because = match likelihood.value() {
        Some(Ok(_)) => None,
        Some(Err(why)) => Some(*why),
        None => Some(Hidden::SmallNumbers),
    };
    let against_rest = likelihood.map(Result::ok).flatten();
    GroupFigures {
        happened,
        base,
        base_count: None,
        rate: rate(happened.disclosed(), base),
        against_rest,
        hidden_because,
    }
}

fn check(counts: &Counts) -> Result<(), FairnessError> {
    let measures = counts.measures.len();
    if counts.totals.len() != measures {
        return Err(FairnessError::Shape);
    }
    for (m, base) in counts.measures.iter().enumerate() {
        if let Base::Measure(k) = base
            && *k >= m
        {
            return Err(FairnessError::Shape);
        }
    }
    for (g, groups) in counts.groupings.iter().enumerate() {
        if groups.iter().any(|group| group.happened.len() != measures) {
            return Err(FairnessError::Shape);
        }
        for (m, &total) in counts.totals.iter().enumerate() {
            let sum: u64 = groups
                .iter()
                .map(|group| group.happened.get(m).copied().unwrap_or(0))
                .sum();
            if sum != total {
                return Err(FairnessError::GroupsDisagree {
                    grouping: g,
                    measure: m,
                });
            }
        }
        for (i, group) in groups.iter().enumerate() {
            let over = counts
                .measures
                .iter()
                .zip(&group.happened)
                .any(|(base, &n)| {
                    let most = match base {
                        Base::Staff => group.staff,
                        Base::Measure(k) => group.happened.get(*k).copied().unwrap_or(0),
                    };
                    n > most
                });
            if over {
                return Err(FairnessError::MoreThanItsBase {
                    grouping: g,
                    group: i,
                });
            }
        }
    }
    for (m, &total) in counts.totals.iter().enumerate() {
        if counts.placed.direct.is_empty() {
            break;
        }
        let sum: u64 = counts
            .placed
            .direct
            .iter()
            .map(|place| place.get(m).copied().unwrap_or(0))
            .sum();
        if sum != total {
            return Err(FairnessError::GroupsDisagree {
                grouping: usize::MAX,
                measure: m,
            });
        }
    }
    let places = counts.placed.direct.len();
    if counts.placed.direct.iter().any(|p| p.len() != measures)
        || counts
            .placed
            .units
            .iter()
            .any(|u| u.places.iter().any(|&p| p >= places))
    {
        return Err(FairnessError::Shape);
    }
    let exists = |(g, i): (usize, usize)| counts.groupings.get(g).is_some_and(|gs| i < gs.len());
    for same in &counts.same_people {
        if !exists(same.whole)
            || !same.parts.iter().all(|&o| exists(o))
            || same.differ.len() != measures
        {
            return Err(FairnessError::Shape);
        }
    }
    for e in &counts.elsewhere {
        let (g, i, m) = e.here;
        if !exists((g, i)) || m >= measures {
            return Err(FairnessError::Shape);
        }
    }
    Ok(())
}

/// Measures tied by their bases decide together; the others are separate people-events
/// with no sum between them, so each decides alone (smaller decisions, and one measure's
/// small counts cannot make another's withheld).
fn families(measures: &[Base]) -> Vec<Vec<usize>> {
    let root = |mut m: usize| {
        while let Some(Base::Measure(k)) = measures.get(m) {
            m = *k;
        }
        m
    };
    let mut families: Vec<(usize, Vec<usize>)> = Vec::new();
    for m in 0..measures.len() {
        let r = root(m);
        match families.iter_mut().find(|(root, _)| *root == r) {
            Some((_, members)) => members.push(m),
            None => families.push((r, vec![m])),
        }
    }
    families.into_iter().map(|(_, members)| members).collect()
}

/// Where one measure's counts sit in its family's decision.
#[derive(Debug, Clone, Default)]
struct Laid {
    total: usize,
    /// Every group's cell, grouping by grouping.
    groups: Vec<usize>,
    /// Each place's count, never shown.
    direct: Vec<usize>,
    /// Each unit's count over itself and below.
    units: Vec<usize>,
}

/// One family's decision, and where each of its measures' counts sit in it.
fn decide_family(counts: &Counts, family: &[usize], minimum: Minimum) -> (Decided, Vec<Laid>) {
    let mut ledger = Ledger::new(minimum);
    let mut layout: Vec<Laid> = Vec::new();
    for &m in family {
        let total = ledger.shown(counts.totals.get(m).copied().unwrap_or(0));
        let mut groups = Vec::new();
        for grouping in &counts.groupings {
            let start = groups.len();
            for group in grouping {
                groups.push(ledger.shown(group.happened.get(m).copied().unwrap_or(0)));
            }
            ledger.sum(total, groups.get(start..).unwrap_or_default().to_vec());
        }
        let direct: Vec<usize> = counts
            .placed
            .direct
            .iter()
            .map(|place| ledger.never(place.get(m).copied().unwrap_or(0)))
            .collect();
        if !direct.is_empty() {
            ledger.sum(total, direct.clone());
        }
        let units = counts
            .placed
            .units
            .iter()
            .map(|unit| {
                let parts: Vec<usize> = unit
                    .places
                    .iter()
                    .filter_map(|&p| direct.get(p).copied())
                    .collect();
                let value = parts.iter().map(|&c| ledger.value(c)).sum();
                let cell = ledger.shown(value);
                ledger.sum(cell, parts);
                cell
            })
            .collect();
        layout.push(Laid {
            total,
            groups,
            direct,
            units,
        });
    }
    let position = |(g, i): (usize, usize)| -> usize {
        counts.groupings.iter().take(g).map(Vec::len).sum::<usize>() + i
    };
    for (at, &m) in family.iter().enumerate() {
        let Some(laid) = layout.get(at).cloned() else {
            continue;
        };
        // Those an earlier measure counted who this one did not: people all the same.
        if let Some(Base::Measure(k)) = counts.measures.get(m)
            && let Some(base_at) = family.iter().position(|f| f == k)
            && let Some(base) = layout.get(base_at).cloned()
        {
            let pairs = std::iter::once((laid.total, base.total))
                .chain(laid.groups.iter().copied().zip(base.groups.iter().copied()))
                .chain(laid.direct.iter().copied().zip(base.direct.iter().copied()))
                .chain(laid.units.iter().copied().zip(base.units.iter().copied()));
            for (cell, base_cell) in pairs {
                let rest = ledger.value(base_cell).saturating_sub(ledger.value(cell));
                let rest = ledger.never(rest);
                ledger.sum(base_cell, vec![cell, rest]);
            }
        }
        for same in &counts.same_people {
            let mut parts: Vec<usize> = same
                .parts
                .iter()
                .filter_map(|&o| laid.groups.get(position(o)).copied())
                .collect();
            let Some(&whole) = laid.groups.get(position(same.whole)) else {
                continue;
            };
            let (only_whole, only_parts) = same.differ.get(m).copied().unwrap_or((0, 0));
            // whole + those only in the parts = the parts + those only in whole.
            let both = ledger.never(ledger.value(whole) + only_parts);
            let only_parts = ledger.known(only_parts);
            ledger.sum(both, vec![whole, only_parts]);
            parts.push(ledger.known(only_whole));
            ledger.sum(both, parts);
        }
        // A rate out of the staff in post is shown beside its group's published
        // headcount, so the people it did not happen to (or, where people who left are
        // counted, those beyond the headcount) can be had by subtraction: people all the
        // same, tied in as the equality pages tie them (an outside review had a count
        // shown here that WDES 3 withheld to protect the rest).
        if counts.measures.get(m) == Some(&Base::Staff) {
            let staffed = std::iter::once((laid.total, counts.staff_shown))
                .chain(
                    laid.groups.iter().copied().zip(
                        counts
                            .groupings
                            .iter()
                            .flatten()
                            .map(|group| group.staff_shown),
                    ),
                )
                .chain(
                    laid.units
                        .iter()
                        .copied()
                        .zip(counts.placed.units.iter().map(|unit| unit.staff_shown)),
                );
            for (cell, staff) in staffed {
                let Some(&staff) = staff.value() else {
                    continue;
                };
                let happened = ledger.value(cell);
                let staff_cell = ledger.known(staff);
                if happened <= staff {
                    let rest = ledger.never(staff - happened);
                    ledger.sum(staff_cell, vec![cell, rest]);
                } else {
                    let beyond = ledger.never(happened - staff);
                    ledger.sum(cell, vec![staff_cell, beyond]);
                }
            }
        }
        for e in counts.elsewhere.iter().filter(|e| e.here.2 == m) {
            let Some(&here) = laid.groups.get(position((e.here.0, e.here.1))) else {
                continue;
            };
            let there = ledger.fixed(e.value, e.published);
            let mut parts = vec![here];
            match e.plus {
                Some((value, Some(published))) => parts.push(ledger.fixed(value, published)),
                Some((value, None)) => parts.push(ledger.known(value)),
                None => {}
            }
            ledger.sum(there, parts);
        }
    }
    (ledger.decide_exactly(), layout)
}

#[cfg(test)]
mod tests;

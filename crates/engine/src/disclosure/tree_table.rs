//! One breakdown of staff (by staff group, say) for every unit of an organisation's tree.
//!
//! A unit's groups add up to its headcount, and a unit's count in a group is its own
//! people's plus its child units' count in the same group: a table whose rows and columns
//! both add up. A hidden count could then be had down a column (a division's students less
//! its shown teams' students) as well as along a row, so the whole tree is decided at once
//! by the ledger, with its exact check for sums that cross. What other figures show already
//! is fixed: each unit's headcount as the tree rule decided it, and the organisation's own
//! groups as its page decided them.

#![expect(
    clippy::indexing_slicing,
    reason = "places and groups are checked against the table's shape before any index"
)]

use super::{Disclosed, Ledger, Minimum, PublishedCount};

/// How the organisation's page already shows one of its groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownAbove {
    /// Shown exactly by the breakdown rule.
    Exact,
    /// Hidden by the breakdown rule, which says nothing of its size.
    Hidden,
    /// Hidden on its page, but a reader may work it out from other pages (the equality
    /// tables' band rows): taken as known, and no unit shows its count in the group, as
    /// the units' counts would add up to it and undo that page's hiding.
    HiddenButKnowable,
}

/// One breakdown of every place of an organisation, depth first: place 0 is the
/// organisation itself, and every other place comes after its parent.
#[derive(Debug, Clone)]
pub struct TreeTable {
    /// Each place's parent; `None` only for place 0.
    pub parents: Vec<Option<usize>>,
    /// Each place's own people, not those of the units below it, by group.
    pub direct: Vec<Vec<u64>>,
    /// Each place's headcount, itself and below, as the tree rule decided it.
    pub headcounts: Vec<Disclosed<u64>>,
    /// The organisation's groups as its page shows them.
    pub organisation: Vec<ShownAbove>,
}

impl TreeTable {
    /// The table as the tree rule and the breakdown rule alone would give it: each place's
    /// headcount by [`super::tree`], the organisation's groups by [`super::groups`]. For
    /// tests and benchmarks; the workforce page fixes the organisation's groups from its
    /// own decision.
    pub fn by_the_rules(
        parents: Vec<Option<usize>>,
        direct: Vec<Vec<u64>>,
        minimum: Minimum,
    ) -> TreeTable {
        fn unit(place: usize, parents: &[Option<usize>], direct: &[Vec<u64>]) -> super::Unit {
            super::Unit {
                direct: direct.get(place).map_or(0, |row| row.iter().sum()),
                children: (place + 1..parents.len())
                    .filter(|&c| parents.get(c) == Some(&Some(place)))
                    .map(|c| unit(c, parents, direct))
                    .collect(),
            }
        }
        let headcounts = super::tree(&unit(0, &parents, &direct), minimum);
        let groups = direct.first().map_or(0, Vec::len);
        let whole: Vec<u64> = (0..groups)
            .map(|g| direct.iter().filter_map(|row| row.get(g)).sum())
            .collect();
        let organisation = super::groups(
            &whole,
            headcounts.first().unwrap_or(&Disclosed::hidden()),
            minimum,
        )
        .into_iter()
        .map(|d| match d.is_shown() {
            true => ShownAbove::Exact,
            false => ShownAbove::Hidden,
        })
        .collect();
        TreeTable {
            parents,
            direct,
            headcounts,
            organisation,
        }
    }

    fn well_formed(&self) -> bool {
        let places = self.direct.len();
        let groups = self.organisation.len();
        places > 0
            && self.parents.len() == places
            && self.headcounts.len() == places
            && self.direct.iter().all(|row| row.len() == groups)
            && parents_well_formed(&self.parents)
    }
}

/// Whether the first place is the root and every other place comes after its parent.
pub(super) fn parents_well_formed(parents: &[Option<usize>]) -> bool {
    parents.first() == Some(&None)
        && parents
            .iter()
            .enumerate()
            .skip(1)
            .all(|(p, parent)| parent.is_some_and(|parent| parent < p))
}

/// How each place's groups may be published, place by place in the table's order; a place
/// whose headcount is hidden shows no groups (its row is all withheld, and is not for
/// showing). The organisation's own row reads as it was given. `None` when nothing may be
/// shown: the table is not well formed (fails closed), the organisation's headcount is
/// hidden, or figures fixed elsewhere give a small count away whatever is hidden here.
pub fn tree_table(table: &TreeTable, minimum: Minimum) -> Option<Vec<Vec<PublishedCount>>> {
    let places = table.direct.len();
    let groups = table.organisation.len();
    if !table.well_formed() || !table.headcounts[0].is_shown() {
        return None;
    }
    let below = below(table);
    let children = children_of(&table.parents);

    let mut ledger = Ledger::new(minimum);
    // A place's own people are never shown apart, but they are people: the decision keeps
    // them from being had as a place less its units.
    let direct: Vec<Vec<usize>> = table
        .direct
        .iter()
        .map(|row| row.iter().map(|&n| ledger.never(n)).collect())
        .collect();
    let cells: Vec<Vec<usize>> = (0..places)
        .map(|p| {
            (0..groups)
                .map(|g| {
                    let n = below[p][g];
                    if p == 0 {
                        match table.organisation[g] {
                            ShownAbove::Exact | ShownAbove::HiddenButKnowable => ledger.known(n),
                            ShownAbove::Hidden => ledger.never(n),
                        }
                    } else if table.headcounts[p].is_shown()
                        && table.organisation[g] != ShownAbove::HiddenButKnowable
                    {
                        ledger.shown(n)
                    } else {
                        ledger.never(n)
                    }
                })
                .collect()
        })
        .collect();
    let mut totals = Vec::with_capacity(places);
    for p in 0..places {
        // Down the columns: a place's group is its own people's and its units'.
        for g in 0..groups {
            let mut parts = vec![direct[p][g]];
            parts.extend(children[p].iter().map(|&c| cells[c][g]));
            ledger.sum(cells[p][g], parts);
        }
        // Along the rows: a place's groups add up to its headcount, and its own people's
        // groups to how many it has itself.
        let total: u64 = below[p].iter().sum();
        let total = match table.headcounts[p].value() {
            Some(&shown) if shown == total => ledger.known(total),
            Some(_) => return None,
            None => ledger.never(total),
        };
        ledger.sum(total, cells[p].clone());
        let own = ledger.never(table.direct[p].iter().sum());
        ledger.sum(own, direct[p].clone());
        totals.push((total, own));
    }
    // And the headcounts down the tree, as the tree rule's own sums.
    for p in 0..places {
        let mut parts = vec![totals[p].1];
        parts.extend(children[p].iter().map(|&c| totals[c].0));
        ledger.sum(totals[p].0, parts);
    }
    let decided = ledger.decide_exactly();
    // Pinned by figures fixed elsewhere alone: nothing here can help, so nothing is shown.
    if !decided.stuck().is_empty() {
        return None;
    }
    let rows = cells
        .iter()
        .enumerate()
        .map(|(p, row)| {
            row.iter()
                .map(|&cell| {
                    if p == 0 || table.headcounts[p].is_shown() {
                        decided.published(cell)
                    } else {
                        PublishedCount::WITHHELD
                    }
                })
                .collect()
        })
        .collect();
    Some(rows)
}

/// Each place's children, from each place's parent (children come after their parent).
pub(super) fn children_of(parents: &[Option<usize>]) -> Vec<Vec<usize>> {
    (0..parents.len())
        .map(|p| {
            (p + 1..parents.len())
                .filter(|&c| parents.get(c) == Some(&Some(p)))
                .collect()
        })
        .collect()
}

/// Each place's people and everyone below it, by group. Children come after their parent,
/// so adding from the last place up reaches every ancestor.
fn below(table: &TreeTable) -> Vec<Vec<u64>> {
    let mut below = table.direct.clone();
    for p in (1..below.len()).rev() {
        if let Some(parent) = table.parents[p] {
            let row = below[p].clone();
            for (total, n) in below[parent].iter_mut().zip(row) {
                *total += n;
            }
        }
    }
    below
}

#[cfg(test)]
mod tests;

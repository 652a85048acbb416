//! Starters and leavers for every unit of an organisation's tree.
//!
//! Each is a count down the tree, like the headcount, and the two are tied to each other:
//! a unit's staff now are its staff on the earlier day, plus its starters, less its
//! leavers, give or take people who moved between units (and people who came and went in
//! between). A reader with both days' unit headcounts and either count has the other, so
//! the two are decided in one ledger with both days' headcounts as their trees show them,
//! every sum down the tree, and that tie. The reader is taken to know how far the tie is
//! out for each unit (the movers between units), as someone in the unit might: assuming
//! too much is known only ever hides more. A unit's starters are also a split of its headcount (starters and those who
//! stayed), as the organisation's are.

#![expect(
    clippy::indexing_slicing,
    reason = "places are checked against the tree's shape before any index"
)]

use super::{Disclosed, Ledger, Minimum, PublishedCount};

/// The people behind one organisation's starters and leavers, place by place, depth first:
/// place 0 is the organisation itself, and every other place comes after its parent. Each
/// count is of a place's own people, not those of the units below it.
#[derive(Debug, Clone)]
pub struct TreeTurnover {
    /// Each place's parent; `None` only for place 0.
    pub parents: Vec<Option<usize>>,
    /// Each place's headcount now, itself and below, as the tree rule decided it.
    pub headcounts: Vec<Disclosed<u64>>,
    /// Each place's own people now.
    pub now: Vec<u64>,
    /// Those of them who were not in post on the earlier day, with each place's own people
    /// on that day; `None` without an earlier day.
    pub earlier: Option<Earlier>,
    /// Each place's own leavers in the period, by the unit they left; `None` without a
    /// leavers extract.
    pub left: Option<Vec<u64>>,
    /// The organisation's starters and leavers as its page shows them.
    pub organisation: Flows<Disclosed<u64>>,
}

/// What each place had on the earlier day, and who started since.
#[derive(Debug, Clone)]
pub struct Earlier {
    /// Each place's own people now who were not in post on the earlier day.
    pub started: Vec<u64>,
    /// Each place's own people on the earlier day.
    pub before: Vec<u64>,
    /// Each place's headcount on the earlier day, itself and below, as that day's tree
    /// shows it.
    pub headcounts: Vec<Disclosed<u64>>,
}

/// A place's starters and leavers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flows<T> {
    pub starters: T,
    pub leavers: T,
}

impl TreeTurnover {
    fn well_formed(&self) -> bool {
        let places = self.now.len();
        let earlier = self.earlier.as_ref().is_none_or(|e| {
            e.started.len() == places
                && e.before.len() == places
                && e.headcounts.len() == places
                && e.started.iter().zip(&self.now).all(|(s, n)| s <= n)
        });
        places > 0
            && self.parents.len() == places
            && self.headcounts.len() == places
            && earlier
            && self.left.as_ref().is_none_or(|l| l.len() == places)
            && super::tree_table::parents_well_formed(&self.parents)
    }

    /// Each place's own counts added up with everything below it. Children come after
    /// their parent, so adding from the last place up reaches every ancestor.
    fn below(&self, own: &[u64]) -> Vec<u64> {
        let mut below = own.to_vec();
        for p in (1..below.len()).rev() {
            if let Some(parent) = self.parents[p] {
                below[parent] += below[p];
            }
        }
        below
    }
}

/// How each place's starters and leavers may be published, in the table's order; a place
/// whose headcount is hidden shows neither. A count the tree has no extract for reads
/// "withheld". The organisation's own row reads as it was given. `None` when nothing may
/// be shown: the tree is not well formed (fails closed), the organisation's headcount is
/// hidden, or figures fixed elsewhere give a small count away whatever is hidden here.
///
/// A unit that shows both, with both days' headcounts, gives how far its tie is out: the
/// movers in less the movers out, with anyone who came and went in the year. The decision
/// takes that as known and does not protect it: it says nothing of anyone's group, and the
/// organisation's leaders, who read these pages, know who moved where. (A hold on a unit's
/// starters where its own page gave a few movers was tried; an outside attack had the
/// same few from the parent and siblings, so it promised more than it kept.)
pub fn tree_turnover(tree: &TreeTurnover, minimum: Minimum) -> Option<Vec<Flows<PublishedCount>>> {
    let places = tree.now.len();
    if !tree.well_formed() || !tree.headcounts[0].is_shown() {
        return None;
    }
    let children = super::tree_table::children_of(&tree.parents);
    let now_below = tree.below(&tree.now);
    let agree = |shown: &[Disclosed<u64>], below: &[u64]| {
        shown
            .iter()
            .zip(below)
            .all(|(shown, n)| shown.value().is_none_or(|s| s == n))
    };
    let mut well_made = agree(&tree.headcounts, &now_below)
        && tree
            .earlier
            .as_ref()
            .is_none_or(|e| agree(&e.headcounts, &tree.below(&e.before)));
    let mut ledger = Ledger::new(minimum);
    let shown_here = |p: usize| p > 0 && tree.headcounts[p].is_shown();
    // A count down the tree: each place's own people (never shown apart, but people: the
    // decision keeps them from being had as a place less its units, unless `known_zero`
    // says a reader may take them as none), and each place's count with everything below,
    // which `cell` makes. Returns both.
    let down_the_tree_knowing = |ledger: &mut Ledger,
                                 own: &[u64],
                                 known_zero: &dyn Fn(usize) -> bool,
                                 cell: &dyn Fn(&mut Ledger, usize, u64) -> usize|
     -> (Vec<usize>, Vec<usize>) {
        let below = tree.below(own);
        let own: Vec<usize> = own
            .iter()
            .enumerate()
            .map(|(p, &n)| match n == 0 && known_zero(p) {
                true => ledger.known(0),
                false => ledger.never(n),
            })
            .collect();
        let cells: Vec<usize> = (0..places).map(|p| cell(ledger, p, below[p])).collect();
        for p in 0..places {
            let mut parts = vec![own[p]];
            parts.extend(children[p].iter().map(|&c| cells[c]));
            ledger.sum(cells[p], parts);
        }
        (own, cells)
    };
    // A place with no staff of its own on either day (the organisation itself, where every
    // person has a unit) is taken to have none of its own in any count: outside attacks had
    // a division's 2 leavers as the organisation's 22 less its two siblings' 10, and a
    // hidden division's 3 staff on the earlier day as the organisation's 63 less the
    // others, the organisation's own being none.
    let no_own_staff = |p: usize| {
        tree.now.get(p) == Some(&0)
            && tree
                .earlier
                .as_ref()
                .is_none_or(|e| e.before.get(p) == Some(&0))
    };
    let down_the_tree =
        |ledger: &mut Ledger, own: &[u64], cell: &dyn Fn(&mut Ledger, usize, u64) -> usize| {
            down_the_tree_knowing(ledger, own, &no_own_staff, cell)
        };
    let (own_now, headcounts) = down_the_tree(&mut ledger, &tree.now, &|ledger, p, n| match tree
        .headcounts[p]
        .value()
    {
        Some(_) => ledger.known(n),
        None => ledger.never(n),
    });
    // The cells of a flow: the organisation's fixed as its page shows it, a unit's a
    // candidate for showing where its headcount is shown.
    let flow = |ledger: &mut Ledger, p: usize, n: u64, organisation: &Disclosed<u64>| {
        if p == 0 {
            match organisation.value() {
                Some(&shown) => ledger.known(shown),
                None => ledger.never(n),
            }
        } else if shown_here(p) {
            // A zero reads "fewer than" too: shown as 0, a unit's no leavers beside its few
            // starters would pin them, and a zero cannot be withheld (an outside attack
            // saw one such directorate hide every unit's flows).
            ledger.shown_but_zero(n)
        } else {
            ledger.never(n)
        }
    };
    let starters = tree.earlier.as_ref().map(|earlier| {
        let org = tree.organisation.starters;
        let (own_started, starters) =
            down_the_tree(&mut ledger, &earlier.started, &|ledger, p, n| {
                flow(ledger, p, n, &org)
            });
        let stayed_own: Vec<u64> = tree
            .now
            .iter()
            .zip(&earlier.started)
            .map(|(n, s)| n - s)
            .collect();
        let (own_stayed, stayed) =
            down_the_tree(&mut ledger, &stayed_own, &|ledger, _, n| ledger.never(n));
        for p in 0..places {
            ledger.sum(headcounts[p], vec![starters[p], stayed[p]]);
            ledger.sum(own_now[p], vec![own_started[p], own_stayed[p]]);
        }
        starters
    });
    let leavers = tree.left.as_ref().map(|left| {
        let org = tree.organisation.leavers;
        down_the_tree(&mut ledger, left, &|ledger, p, n| flow(ledger, p, n, &org)).1
    });
    // The tie: before + starters + came in = now + leavers + went out, where what came in
    // and went out is taken as known.
    if let (Some(earlier), Some(starters), Some(leavers), Some(left)) =
        (&tree.earlier, &starters, &leavers, &tree.left)
    {
        let (_, before_cells) =
            down_the_tree(
                &mut ledger,
                &earlier.before,
                &|ledger, p, n| match earlier.headcounts[p].value() {
                    Some(_) => ledger.known(n),
                    None => ledger.never(n),
                },
            );
        let before = tree.below(&earlier.before);
        let started = tree.below(&earlier.started);
        let left = tree.below(left);
        for p in 0..places {
            let into = before[p] + started[p];
            let out_of = now_below[p] + left[p];
            let came_in = ledger.known(out_of.saturating_sub(into));
            let went_out = ledger.known(into.saturating_sub(out_of));
            let before = before_cells[p];
            let whole = ledger.never(into.max(out_of));
            ledger.sum(whole, vec![before, starters[p], came_in]);
            ledger.sum(whole, vec![headcounts[p], leavers[p], went_out]);
        }
    }
    // The organisation's own flows must read as its page gave them.
    for (given, cells, own) in [
        (
            tree.organisation.starters,
            &starters,
            tree.earlier.as_ref().map(|e| &e.started),
        ),
        (tree.organisation.leavers, &leavers, tree.left.as_ref()),
    ] {
        if let (Some(&shown), Some(cells), Some(own)) = (given.value(), cells, own) {
            well_made &= shown == tree.below(own)[0] && !cells.is_empty();
        }
    }
    if !well_made {
        return None;
    }
    let decided = ledger.decide_exactly();
    // Pinned by figures fixed elsewhere alone: nothing here can help, so nothing is shown.
    if !decided.stuck().is_empty() {
        return None;
    }
    // The organisation's cells read as its page gave them: known when shown, never when
    // hidden (which reads withheld).
    let ranges = decided.ranges();
    let read = |cells: &Option<Vec<usize>>, p: usize| match cells {
        Some(cells) if p == 0 || shown_here(p) => decided.published_or_pinned(cells[p], &ranges),
        _ => PublishedCount::WITHHELD,
    };
    Some(
        (0..places)
            .map(|p| Flows {
                starters: read(&starters, p),
                leavers: read(&leavers, p),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests;

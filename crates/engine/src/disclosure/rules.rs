//! Which figures may be shown without pointing at a small group of people.
//!
//! The minimum group size applies to every shown group. Hiding small groups is
//! not enough: a hidden group can be worked out by subtracting shown groups from a shown
//! total. So whenever a total is shown, the non-empty hidden groups under it must be none,
//! or at least two holding together at least the minimum and more people than groups (else
//! each would be known to hold exactly one). The same rule holds down an organisation's
//! tree, for each question's answers within groups, and between a filtered view and
//! everyone it leaves out.

#![expect(
    clippy::indexing_slicing,
    reason = "every index runs over the same groups the flags were made for"
)]

/// Whether hidden groups of these sizes, under a shown total, give nothing away: the
/// attacker learns only their sum, and each non-empty one could still be anything from 1 up.
pub(super) fn remainder_safe(hidden: &[u64], minimum: u64) -> bool {
    let (groups, people) = hidden
        .iter()
        .filter(|&&n| n > 0)
        .fold((0u64, 0u64), |(g, p), &n| (g + 1, p + n));
    groups == 0 || (groups >= 2 && people >= minimum && people > groups)
}

/// Decides, for the groups of one breakdown, which may be shown. `sizes` are the groups'
/// respondent counts; `total_shown` says whether the total over them is shown (then their
/// hidden remainder could be derived). Empty groups are shown: they reveal nobody.
pub(super) fn breakdown(sizes: &[u64], minimum: u64, total_shown: bool) -> Vec<bool> {
    breakdown_given(sizes, &vec![false; sizes.len()], minimum, total_shown)
}

/// Like [`breakdown`], for cells some of which are hidden already for another reason: one
/// question's answers within groups, where a group hidden by its size hides its answers
/// too. Those stay hidden (even when empty) and count as hidden groups when not empty.
/// If even hiding every cell cannot make the remainder safe, the total itself must not be
/// shown: check with [`total_safe`].
pub(super) fn breakdown_given(
    sizes: &[u64],
    hidden: &[bool],
    minimum: u64,
    total_shown: bool,
) -> Vec<bool> {
    let mut shown: Vec<bool> = sizes
        .iter()
        .zip(hidden.iter().chain(std::iter::repeat(&false)))
        .map(|(&n, &h)| !h && (n == 0 || n >= minimum))
        .collect();
    if !total_shown {
        return shown;
    }
    loop {
        if total_safe(sizes, &shown, minimum) {
            return shown;
        }
        // Hide the smallest group still shown, so the hidden remainder grows past the minimum.
        let next = (0..sizes.len())
            .filter(|&i| shown[i] && sizes[i] > 0)
            .min_by_key(|&i| sizes[i]);
        match next {
            Some(i) => shown[i] = false,
            None => return shown,
        }
    }
}

/// Whether a total may be shown over groups shown as `shown`.
pub(super) fn total_safe(sizes: &[u64], shown: &[bool], minimum: u64) -> bool {
    let hidden: Vec<u64> = sizes
        .iter()
        .zip(shown)
        .filter(|(_, s)| !**s)
        .map(|(n, _)| *n)
        .collect();
    remainder_safe(&hidden, minimum)
}

/// Which groups of a filtered view (say, nurses only) may be shown beside the unfiltered
/// breakdown of the same people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Filtered {
    /// Flags for the unfiltered groups.
    pub(super) whole: Vec<bool>,
    /// Flags for the filtered groups.
    pub(super) part: Vec<bool>,
}

/// Decides a filtered view beside the whole it filters, group by group. Everyone the filter
/// leaves out is a third row that is never shown but can be had by subtraction: in a group
/// shown in both views, whole minus part gives the people left out of that group, so that
/// must be none or at least the minimum, and the left-out people in the other groups must
/// be a safe hidden remainder. A part cell is hidden wherever its whole cell is hidden (it
/// would bound it). `None` means the filtered view may not be shown at all: either side of
/// the filter is too small.
pub(super) fn filtered(whole: &[u64], part: &[u64], minimum: u64) -> Option<Filtered> {
    let whole_total: u64 = whole.iter().sum();
    let part_total: u64 = part.iter().sum();
    let rest: Vec<u64> = whole
        .iter()
        .zip(part)
        .map(|(w, p)| w.saturating_sub(*p))
        .collect();
    let rest_total = whole_total.saturating_sub(part_total);
    if whole.len() != part.len()
        || whole_total < minimum
        || part_total < minimum
        || (rest_total != 0 && rest_total < minimum)
    {
        return None;
    }
    let whole_shown = breakdown(whole, minimum, true);
    let mut forced: Vec<bool> = whole_shown.iter().map(|s| !s).collect();
    loop {
        let part_shown = breakdown_given(part, &forced, minimum, true);
        if !total_safe(part, &part_shown, minimum) {
            return None;
        }
        let known: Vec<bool> = whole_shown
            .iter()
            .zip(&part_shown)
            .map(|(w, p)| *w && *p)
            .collect();
        // A left-out count worked out by subtraction must itself be showable.
        let small = (0..rest.len()).find(|&g| known[g] && rest[g] > 0 && rest[g] < minimum);
        let next = match small {
            Some(g) => Some(g),
            None if total_safe(&rest, &known, minimum) => {
                return Some(Filtered {
                    whole: whole_shown,
                    part: part_shown,
                });
            }
            None => (0..rest.len())
                .filter(|&g| known[g] && rest[g] > 0)
                .min_by_key(|&g| rest[g]),
        };
        match next {
            Some(g) => forced[g] = true,
            None => return None,
        }
    }
}

/// One unit of an organisation's structure, for suppression down the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Respondents placed directly in this unit (not in any unit below it).
    pub direct: u64,
    pub children: Vec<Unit>,
}

impl Unit {
    pub fn size(&self) -> u64 {
        self.direct + self.children.iter().map(Unit::size).sum::<u64>()
    }
}

/// Decides which units of a tree may be shown, top first: a unit is shown only if it is big
/// enough, and the units under a shown unit are treated as one breakdown of it (its direct
/// respondents count as one more, never-shown group), so no hidden unit can be got by
/// subtracting its shown siblings from its shown parent. Everything under a hidden unit is
/// hidden, so a hidden unit can never be rebuilt by adding up its children; and a unit
/// whose children cannot be hidden safely is hidden itself. Returns one flag per unit, in
/// depth-first order, the root first.
pub(super) fn tree(root: &Unit, minimum: u64) -> Vec<bool> {
    let mut forced = vec![false; count(root)];
    loop {
        let mut out = Vec::new();
        let root_shown = root.size() >= minimum && !forced[0];
        out.push(root_shown);
        match walk(root, root_shown, minimum, &forced, &mut out) {
            Ok(()) => return out,
            Err(unit) => forced[unit] = true,
        }
    }
}

fn count(unit: &Unit) -> usize {
    1 + unit.children.iter().map(count).sum::<usize>()
}

/// Appends the flags of the units under `unit` (whose flag is the last in `out`); `Err`
/// names a shown unit that must be hidden after all.
fn walk(
    unit: &Unit,
    shown: bool,
    minimum: u64,
    forced: &[bool],
    out: &mut Vec<bool>,
) -> Result<(), usize> {
    let here = out.len() - 1;
    // Each child's position in depth-first order, to look up whether it is forced hidden.
    let mut at = here + 1;
    let positions: Vec<usize> = unit
        .children
        .iter()
        .map(|c| {
            let p = at;
            at += count(c);
            p
        })
        .collect();
    let decided = if shown && !unit.children.is_empty() {
        // The parent's direct respondents are never shown on their own, but they are part
        // of the parent's total, so they join the hidden remainder.
        let mut sizes: Vec<u64> = unit.children.iter().map(Unit::size).collect();
        sizes.push(unit.direct);
        let mut hidden: Vec<bool> = positions.iter().map(|&p| forced[p]).collect();
        hidden.push(true);
        let decided = breakdown_given(&sizes, &hidden, minimum, true);
        if !total_safe(&sizes, &decided, minimum) {
            return Err(here);
        }
        decided
    } else {
        vec![false; unit.children.len()]
    };
    for (child, child_shown) in unit.children.iter().zip(decided) {
        out.push(child_shown);
        walk(child, child_shown, minimum, forced, out)?;
    }
    Ok(())
}

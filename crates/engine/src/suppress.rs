//! Which figures may be shown without pointing at a small group of people.
//!
//! The minimum group size (default 11) applies to every shown group. Hiding small groups is
//! not enough: a hidden group can be worked out by subtracting shown groups from a shown
//! total. So whenever a total is shown, the hidden groups under it must together hold at
//! least the minimum, and never be a single group. The same holds between a filtered view
//! and everyone else: both sides must reach the minimum, or the smaller side could be got
//! by subtracting the filtered figure from the unfiltered one.

pub const DEFAULT_MINIMUM: u64 = 11;

/// Decides, for the groups of one breakdown, which may be shown. `sizes` are the groups'
/// respondent counts; `total_shown` says whether the total over them is shown (then their
/// hidden remainder could be derived). Empty groups are shown: they reveal nobody.
pub fn breakdown(sizes: &[u64], minimum: u64, total_shown: bool) -> Vec<bool> {
    let mut shown: Vec<bool> = sizes.iter().map(|&n| n == 0 || n >= minimum).collect();
    if !total_shown {
        return shown;
    }
    loop {
        let hidden: Vec<usize> = (0..sizes.len()).filter(|&i| !shown[i]).collect();
        let hidden_total: u64 = hidden.iter().map(|&i| sizes[i]).sum();
        let exposed = hidden.len() == 1 || (hidden_total > 0 && hidden_total < minimum);
        if hidden.is_empty() || !exposed {
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

/// Whether a filtered view may be shown beside the view it filters: it must reach the
/// minimum, and so must everyone it leaves out.
pub fn filtered(whole: u64, part: u64, minimum: u64) -> bool {
    let rest = whole.saturating_sub(part);
    part >= minimum && (rest == 0 || rest >= minimum)
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
/// subtracting its shown siblings from its shown parent. Returns one flag per unit, in
/// depth-first order, the root first.
pub fn tree(root: &Unit, minimum: u64) -> Vec<bool> {
    let mut out = Vec::new();
    let root_shown = root.size() >= minimum;
    out.push(root_shown);
    walk(root, root_shown, minimum, &mut out);
    out
}

fn walk(unit: &Unit, shown: bool, minimum: u64, out: &mut Vec<bool>) {
    if unit.children.is_empty() {
        return;
    }
    let mut sizes: Vec<u64> = unit.children.iter().map(Unit::size).collect();
    // The parent's direct respondents are never shown on their own, but they are part of
    // the parent's total, so they join the hidden remainder.
    sizes.push(unit.direct);
    let mut decided = breakdown(&sizes, minimum, shown);
    let direct = decided.pop();
    if direct == Some(true) && unit.direct > 0 {
        // It would have been shown by size: being hidden, it counts as a hidden group.
        let mut with_direct_hidden = sizes.clone();
        with_direct_hidden.pop();
        decided = breakdown_with_hidden(&with_direct_hidden, unit.direct, minimum, shown);
    }
    for (child, child_shown) in unit.children.iter().zip(decided) {
        let child_shown = child_shown && child.size() > 0;
        out.push(child_shown);
        walk(child, child_shown, minimum, out);
    }
}

/// Like [`breakdown`], with an extra group that is always hidden (of size `hidden_extra`).
fn breakdown_with_hidden(
    sizes: &[u64],
    hidden_extra: u64,
    minimum: u64,
    total_shown: bool,
) -> Vec<bool> {
    let mut shown: Vec<bool> = sizes.iter().map(|&n| n == 0 || n >= minimum).collect();
    if !total_shown {
        return shown;
    }
    loop {
        let hidden = shown.iter().filter(|s| !**s).count() + 1;
        let hidden_total = hidden_extra
            + sizes
                .iter()
                .zip(&shown)
                .filter(|(_, s)| !**s)
                .map(|(n, _)| n)
                .sum::<u64>();
        if !(hidden == 1 || hidden_total < minimum) {
            return shown;
        }
        match (0..sizes.len())
            .filter(|&i| shown[i] && sizes[i] > 0)
            .min_by_key(|&i| sizes[i])
        {
            Some(i) => shown[i] = false,
            None => return shown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    #[test]
    fn a_lone_small_group_takes_a_partner() {
        assert_eq!(breakdown(&[40, 5, 30], 11, true), [true, false, false]);
        assert_eq!(breakdown(&[40, 5, 30], 11, false), [true, false, true]);
        assert_eq!(
            breakdown(&[40, 6, 7, 30], 11, true),
            [true, false, false, true]
        );
        assert_eq!(breakdown(&[40, 0, 30], 11, true), [true, true, true]);
        assert_eq!(breakdown(&[4, 3], 11, true), [false, false]);
    }

    fn random_tree(rng: &mut Rng, depth: u32) -> Unit {
        let children = if depth == 0 { 0 } else { rng.below(4) as usize };
        Unit {
            direct: if rng.below(3) == 0 { rng.below(15) } else { 0 },
            children: (0..children).map(|_| random_tree(rng, depth - 1)).collect(),
        }
    }

    fn flatten<'a>(unit: &'a Unit, out: &mut Vec<&'a Unit>) {
        out.push(unit);
        for child in &unit.children {
            flatten(child, out);
        }
    }

    /// Down the org-unit tree: subtracting shown children from a shown parent must never
    /// single out one hidden unit or a remainder smaller than the minimum.
    #[test]
    fn differencing_down_the_tree_never_recovers_a_hidden_unit() {
        for seed in 0..2_000 {
            let mut rng = Rng::new(seed);
            let root = random_tree(&mut rng, 3);
            let shown = tree(&root, DEFAULT_MINIMUM);
            let mut units = Vec::new();
            flatten(&root, &mut units);
            assert_eq!(units.len(), shown.len());
            let positions: std::collections::HashMap<*const Unit, usize> = units
                .iter()
                .enumerate()
                .map(|(i, u)| (*u as *const Unit, i))
                .collect();
            for (unit, &is_shown) in units.iter().zip(&shown) {
                assert!(
                    !is_shown || unit.size() >= DEFAULT_MINIMUM,
                    "seed {seed}: a small unit is shown"
                );
                if !is_shown || unit.children.is_empty() {
                    continue;
                }
                let child_flags: Vec<bool> = unit
                    .children
                    .iter()
                    .map(|c| shown[positions[&(c as *const Unit)]])
                    .collect();
                let hidden_children = child_flags.iter().filter(|s| !**s).count();
                let remainder = unit.size()
                    - unit
                        .children
                        .iter()
                        .zip(&child_flags)
                        .filter(|(_, s)| **s)
                        .map(|(c, _)| c.size())
                        .sum::<u64>();
                let hidden_groups = hidden_children + usize::from(unit.direct > 0);
                assert!(
                    remainder == 0
                        || (remainder >= DEFAULT_MINIMUM && hidden_groups >= 2)
                        || (hidden_groups == 0),
                    "seed {seed}: {unit:?} {child_flags:?}"
                );
            }
        }
    }

    /// An attacker who sees every shown group and the total of each breakdown, and every
    /// shown filtered view with its unfiltered whole, tries to work out a hidden group by
    /// subtraction. Random data, random queries, many seeds: it must never succeed.
    #[test]
    fn differencing_never_recovers_a_hidden_group() {
        let minimum = DEFAULT_MINIMUM;
        for seed in 0..2_000 {
            let mut rng = Rng::new(seed);
            let groups = 2 + rng.below(9) as usize;
            let sizes: Vec<u64> = (0..groups)
                .map(|_| match rng.below(4) {
                    0 => 0,
                    1 => 1 + rng.below(minimum),
                    _ => rng.below(200),
                })
                .collect();
            let shown = breakdown(&sizes, minimum, true);
            // Every group shown is big enough or empty.
            for (i, s) in shown.iter().enumerate() {
                assert!(
                    !s || sizes[i] == 0 || sizes[i] >= minimum,
                    "seed {seed}: {sizes:?} {shown:?}"
                );
            }
            // Subtraction gives only the hidden groups' total, which must not expose a group.
            let total: u64 = sizes.iter().sum();
            let derived = total
                - sizes
                    .iter()
                    .zip(&shown)
                    .filter(|(_, s)| **s)
                    .map(|(n, _)| n)
                    .sum::<u64>();
            let hidden: Vec<u64> = sizes
                .iter()
                .zip(&shown)
                .filter(|(_, s)| !**s)
                .map(|(n, _)| *n)
                .collect();
            assert!(
                hidden.is_empty()
                    || (hidden.len() >= 2 && (derived == 0 || derived >= minimum))
                    || total < minimum,
                "seed {seed}: {sizes:?} {shown:?}"
            );
            // A filter and its complement.
            let whole = total;
            let part = rng.below(whole + 1);
            if filtered(whole, part, minimum) {
                assert!(part >= minimum && (whole - part == 0 || whole - part >= minimum));
            }
        }
    }
}

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

//! The attacker's side, for tests of any suppression rule: given everything published as exact values, ranges and
//! sums, the least and greatest value each unknown could have. Exhaustive search with
//! interval pruning, so it is exact; kept to small tables.

#![expect(
    clippy::indexing_slicing,
    reason = "unknowns are indices the system handed out itself"
)]

/// Each place's parent for a random tree of `places` places in depth-first order, as pages
/// list them and as `disclosure::tree` numbers them: each new place hangs from the last
/// place or one of its ancestors.
pub fn depth_first_parents(rng: &mut crate::rng::Rng, places: usize) -> Vec<Option<usize>> {
    let mut parents = vec![None];
    let mut path = vec![0];
    for p in 1..places {
        let at = rng.below(path.len() as u64) as usize;
        path.truncate(at + 1);
        parents.push(path.last().copied());
        path.push(p);
    }
    parents
}

/// Why [`System::solve`] gave no ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsolved {
    /// Nothing fits: the system was built wrongly.
    NoSolution,
    /// The search grew too large to finish.
    TooLarge,
}

/// Unknowns with ranges, and sums: `(total, parts)` means total = sum of parts.
#[derive(Debug, Clone, Default)]
pub struct System {
    pub ranges: Vec<(u64, u64)>,
    pub sums: Vec<(usize, Vec<usize>)>,
}

impl System {
    pub fn exact(&mut self, value: u64) -> usize {
        self.range(value, value)
    }

    pub fn range(&mut self, low: u64, high: u64) -> usize {
        self.ranges.push((low, high));
        self.ranges.len() - 1
    }

    pub fn sum(&mut self, total: usize, parts: Vec<usize>) {
        self.sums.push((total, parts));
    }

    /// The least and greatest value of every unknown over all solutions.
    pub fn solve(&self) -> Result<Vec<(u64, u64)>, Unsolved> {
        // A broken rule can leave a search too big to finish: say so rather than hang.
        self.solve_within(1_000_000)
    }

    /// As [`System::solve`], giving up after `steps` steps of the search: for tests that
    /// attack many random tables and count the few too large to search.
    pub fn solve_within(&self, steps: u64) -> Result<Vec<(u64, u64)>, Unsolved> {
        let mut found: Vec<Option<(u64, u64)>> = vec![None; self.ranges.len()];
        let mut budget = steps;
        self.search(self.ranges.clone(), &mut found, &mut budget)?;
        found
            .into_iter()
            .collect::<Option<_>>()
            .ok_or(Unsolved::NoSolution)
    }

    fn search(
        &self,
        ranges: Vec<(u64, u64)>,
        found: &mut Vec<Option<(u64, u64)>>,
        budget: &mut u64,
    ) -> Result<(), Unsolved> {
        *budget = budget.checked_sub(1).ok_or(Unsolved::TooLarge)?;
        let Some(ranges) = self.narrow(ranges) else {
            return Ok(());
        };
        // Nothing below this point can widen what is already known.
        let nothing_new = ranges
            .iter()
            .zip(found.iter())
            .all(|(r, f)| f.is_some_and(|(lo, hi)| r.0 >= lo && r.1 <= hi));
        if nothing_new {
            return Ok(());
        }
        match ranges.iter().position(|(lo, hi)| lo < hi) {
            None => {
                for (f, (v, _)) in found.iter_mut().zip(&ranges) {
                    *f = Some(f.map_or((*v, *v), |(lo, hi)| (lo.min(*v), hi.max(*v))));
                }
            }
            Some(i) => {
                for v in ranges[i].0..=ranges[i].1 {
                    let mut next = ranges.clone();
                    next[i] = (v, v);
                    self.search(next, found, budget)?;
                }
            }
        }
        Ok(())
    }

    /// Interval propagation over the sums until nothing changes; `None` if a range empties.
    fn narrow(&self, mut r: Vec<(u64, u64)>) -> Option<Vec<(u64, u64)>> {
        loop {
            let before = r.clone();
            for (total, parts) in &self.sums {
                let low: u64 = parts.iter().map(|&p| r[p].0).sum();
                let high: u64 = parts.iter().map(|&p| r[p].1).sum();
                r[*total] = (r[*total].0.max(low), r[*total].1.min(high));
                let (t_lo, t_hi) = (i128::from(r[*total].0), i128::from(r[*total].1));
                for &p in parts {
                    let others_low: i128 = parts
                        .iter()
                        .filter(|&&q| q != p)
                        .map(|&q| i128::from(r[q].0))
                        .sum();
                    let others_high: i128 = parts
                        .iter()
                        .filter(|&&q| q != p)
                        .map(|&q| i128::from(r[q].1))
                        .sum();
                    let lo = i128::from(r[p].0).max(t_lo - others_high);
                    let hi = i128::from(r[p].1).min(t_hi - others_low);
                    if hi < lo || hi < 0 {
                        return None;
                    }
                    r[p] = (lo.max(0) as u64, hi as u64);
                }
            }
            if r.iter().any(|(lo, hi)| lo > hi) {
                return None;
            }
            if r == before {
                return Some(r);
            }
        }
    }
}

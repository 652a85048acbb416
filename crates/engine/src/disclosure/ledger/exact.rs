//! An exact check behind the ledger's narrowing, for tables whose sums cross (rows and
//! columns with both totals shown, several tables tied together).
//!
//! Narrowing one sum at a time misses what only several sums together give away. Say a
//! row's total of 14 is shown over three counts that each read "fewer than 6": each is at
//! least 4. If the two column totals over the second and third come to 9, those two are at
//! most 9 together, so the first is at least 5, and it reads "fewer than 6": it is 5. No
//! single sum says so. Here a small count is taken as safe only once a whole other set of
//! values has been found that fits everything published and every sum and gives it a
//! different value: then no one can tell which of the two is true. The search for one
//! starts from the true values and stops after a fixed amount of work; a count it could not
//! clear is treated as pinned, and a count next to it is withheld.

#![expect(
    clippy::indexing_slicing,
    reason = "cells and sums are indices the ledger handed out itself"
)]

use super::{Decided, Ledger, State};
use std::cell::RefCell;
use std::collections::VecDeque;

/// Search steps allowed for finding another set of values, per count and direction.
const STEPS: u32 = 4_000;

/// Searches that try to move every small count at once, before each is checked alone.
const BULK_TRIES: usize = 4;

/// Fewer small counts than this left to check are checked one by one straight away.
const BULK_FROM: usize = 16;

/// Small counts a search tries to move at once when moving every one failed.
const BULK_CHUNK: usize = 24;

/// Narrowing passes over one sum allowed per search step: a system with no solution can
/// shrink its ranges one at a time for ever, and a found set of values is checked in full
/// anyway.
const VISITS_PER_SUM: usize = 64;

impl Ledger {
    /// As [`Ledger::decide`], then checks every small count exactly: while one has no
    /// other value it could take, it withholds a count next to it (one that frees it if
    /// there is one) and decides again. For tables whose sums cross, where narrowing alone
    /// can leave a small count pinned.
    pub fn decide_exactly(mut self) -> Decided {
        // Counts another set of values was found for. Each later step only widens what a
        // cell reads as (a shown count withheld, a zero read as "fewer than"), and the
        // other values kept every cell's shown count, so they still fit: a count cleared
        // once stays cleared, and each round looks only at the rest rather than at every
        // count again.
        let mut cleared = vec![false; self.values.len()];
        let mut bulk_tried = false;
        loop {
            let stuck = self.withhold_until_free();
            if !stuck.is_empty() {
                return Decided {
                    ledger: self,
                    stuck,
                };
            }
            let Some(cell) = self.first_pinned_exactly(&mut cleared, &mut bulk_tried) else {
                return Decided {
                    ledger: self,
                    stuck: Vec::new(),
                };
            };
            let near = self.near(cell);
            let frees = near.iter().copied().find(|&c| {
                self.states[c] = State::Withheld;
                let freed = Search::new(&self).other_values(cell).is_some();
                self.states[c] = State::Shown;
                freed
            });
            match frees.or(near.first().copied()) {
                Some(c) => self.states[c] = State::Withheld,
                None => {
                    return Decided {
                        ledger: self,
                        stuck: vec![cell],
                    };
                }
            }
        }
    }

    /// The first small count (published as "fewer than", or never published) for which no
    /// other set of values was found, skipping those `cleared` already; marks those it
    /// clears.
    fn first_pinned_exactly(&self, cleared: &mut [bool], bulk_tried: &mut bool) -> Option<usize> {
        let search = Search::new(self);
        let small: Vec<usize> = (0..self.values.len())
            .filter(|&i| {
                matches!(self.states[i], State::Small | State::Never)
                    && (1..=self.threshold).contains(&self.values[i])
            })
            .collect();
        // First, cheaply: one search that moves every small count it can off its true value
        // clears many at once (a unit tree's table holds thousands, and one search for each
        // was most of its time). It only ever clears counts that another set of values,
        // fitting everything, moves; what it leaves is checked one by one as before.
        // Once only: what it could not move then, it will not move in a later round.
        let tries = if std::mem::replace(bulk_tried, true) {
            0
        } else {
            BULK_TRIES
        };
        for attempt in 0..tries {
            let todo: Vec<usize> = small.iter().copied().filter(|&c| !cleared[c]).collect();
            if todo.len() < BULK_FROM {
                break;
            }
            let up = attempt % 2 == 1;
            // Out of steps: the chunks below are far more likely to succeed than another
            // try at every count.
            let Some(other) = Search::shunning(self, &todo, up).any_values() else {
                break;
            };
            let before = todo.iter().filter(|&&c| !cleared[c]).count();
            for &i in &todo {
                if other[i] != self.values[i] {
                    cleared[i] = true;
                }
            }
            if up && todo.iter().filter(|&&c| !cleared[c]).count() == before {
                break;
            }
        }
        // Then a few dozen at a time, each round: where no one set of values moves every
        // count (the search runs out of steps first), one moving a few dozen is found
        // easily, and clears them in one search rather than one each.
        let todo: Vec<usize> = small.iter().copied().filter(|&c| !cleared[c]).collect();
        if todo.len() >= BULK_FROM {
            for chunk in todo.chunks(BULK_CHUNK) {
                for up in [false, true] {
                    let left: Vec<usize> = chunk.iter().copied().filter(|&c| !cleared[c]).collect();
                    if left.is_empty() {
                        break;
                    }
                    if let Some(other) = Search::shunning(self, &left, up).any_values() {
                        for &i in &small {
                            if other[i] != self.values[i] {
                                cleared[i] = true;
                            }
                        }
                    }
                }
            }
        }
        for &cell in &small {
            if cleared[cell] {
                continue;
            }
            let Some(other) = search.other_values(cell) else {
                return Some(cell);
            };
            // One other set of values clears every count it changes.
            for &i in &small {
                if other[i] != self.values[i] {
                    cleared[i] = true;
                }
            }
        }
        None
    }
}

/// A depth-first search for values that fit every cell's reading and every sum.
struct Search<'a> {
    truth: &'a [u64],
    read_as: Vec<(u64, u64)>,
    sums: Vec<(usize, &'a [usize])>,
    /// The sums each cell is in (the ledger keeps them).
    sums_of: &'a [Vec<usize>],
    /// Cells whose true value the search tries last rather than first, to find values
    /// that move as many of them as it can.
    shun: Vec<bool>,
    /// Whether it tries one above a shunned value first, rather than one below.
    up: bool,
    /// [`Search::narrow`]'s working space, kept between calls: the search narrows
    /// thousands of times, and allocating it afresh each time was a large share of its
    /// time. Never borrowed twice: `narrow` does not call itself.
    scratch: RefCell<Scratch>,
}

#[derive(Default)]
struct Scratch {
    queued: Vec<bool>,
    queue: VecDeque<usize>,
    moved: Vec<usize>,
}

impl<'a> Search<'a> {
    fn new(ledger: &'a Ledger) -> Search<'a> {
        let sums: Vec<(usize, &[usize])> = ledger
            .sums
            .iter()
            .map(|s| (s.total, s.parts.as_slice()))
            .collect();
        Search {
            truth: &ledger.values,
            read_as: ledger.read_as(),
            sums,
            sums_of: &ledger.sums_of,
            shun: Vec::new(),
            up: false,
            scratch: RefCell::default(),
        }
    }

    /// A search that tries to move each of `cells` off its true value, up first or down.
    fn shunning(ledger: &'a Ledger, cells: &[usize], up: bool) -> Search<'a> {
        let mut search = Search::new(ledger);
        search.up = up;
        search.shun = vec![false; ledger.values.len()];
        for &c in cells {
            search.shun[c] = true;
        }
        search
    }

    /// Any values that fit everything published, within a budget that grows with the
    /// table.
    fn any_values(&self) -> Option<Vec<u64>> {
        let mut ranges = self.read_as.clone();
        let mut steps = STEPS.saturating_add(u32::try_from(4 * ranges.len()).unwrap_or(u32::MAX));
        let mut open: Vec<usize> = (0..ranges.len()).collect();
        self.solve(&mut ranges, &mut Vec::new(), &mut open, 0, None, &mut steps)
    }

    /// Values that fit everything published and give `cell` a value other than its true
    /// one, if the search finds some.
    fn other_values(&self, cell: usize) -> Option<Vec<u64>> {
        let (low, high) = self.read_as[cell];
        let truth = self.truth[cell];
        let below = (truth > low).then(|| (low, truth - 1));
        let above = (truth < high).then(|| (truth + 1, high));
        below.into_iter().chain(above).find_map(|range| {
            let mut ranges = self.read_as.clone();
            ranges[cell] = range;
            let mut steps = STEPS;
            let mut open: Vec<usize> = (0..ranges.len()).collect();
            self.solve(&mut ranges, &mut Vec::new(), &mut open, 0, None, &mut steps)
        })
    }

    /// Narrows `ranges` (from the sums of the `changed` cell, or every sum), then tries
    /// each open cell's true value first, then the values below and above it. Every range
    /// it changes is first written to `undo`, and a caller puts back what a failed try
    /// changed: copying every range for each try was most of the search's time.
    ///
    /// `open` ends with the cells that may be open here, in order, from `from`: ranges
    /// only narrow down a branch, so a cell closed above stays closed, and only these are
    /// looked through for the next cell to try (most cells are shown, so closed from the
    /// start). It is as it was when this returns.
    fn solve(
        &self,
        ranges: &mut [(u64, u64)],
        undo: &mut Vec<(usize, (u64, u64))>,
        open: &mut Vec<usize>,
        from: usize,
        changed: Option<usize>,
        steps: &mut u32,
    ) -> Option<Vec<u64>> {
        *steps = steps.checked_sub(1)?;
        if !self.narrow(ranges, undo, changed) {
            return None;
        }
        let here = open.len();
        // The open cell with the fewest values left (the first such), as the search chose
        // before; every open cell is also kept in `open` for the branches below.
        let mut fewest: Option<(usize, u64)> = None;
        for k in from..here {
            let i = open[k];
            let (low, high) = ranges[i];
            if low < high {
                open.push(i);
                if fewest.is_none_or(|(_, width)| high - low < width) {
                    fewest = Some((i, high - low));
                }
            }
        }
        let found = match fewest {
            None => {
                let values: Vec<u64> = ranges.iter().map(|r| r.0).collect();
                self.fits(&values).then_some(values)
            }
            Some((i, _)) => {
                let (low, high) = ranges[i];
                let truth = self.truth[i];
                let near = match self.shun.get(i) {
                    Some(true) if self.up && truth < high => truth + 1,
                    Some(true) if truth > low => truth - 1,
                    Some(true) if truth < high => truth + 1,
                    _ => truth,
                }
                .clamp(low, high);
                let tries = [
                    Some((near, near)),
                    (near > low).then(|| (low, near - 1)),
                    (near < high).then(|| (near + 1, high)),
                ];
                let mut found = None;
                for range in tries.into_iter().flatten() {
                    let mark = undo.len();
                    undo.push((i, ranges[i]));
                    ranges[i] = range;
                    found = self.solve(ranges, undo, open, here, Some(i), steps);
                    if found.is_some() {
                        break;
                    }
                    for (cell, was) in undo.drain(mark..).rev() {
                        ranges[cell] = was;
                    }
                }
                found
            }
        };
        open.truncate(here);
        found
    }

    /// Every sum holds exactly.
    fn fits(&self, values: &[u64]) -> bool {
        self.sums.iter().all(|(total, parts)| {
            parts.iter().map(|&p| u128::from(values[p])).sum::<u128>() == u128::from(values[*total])
        })
    }

    /// Narrows the ranges along the sums `changed` is in (every sum when `None`), then
    /// along the sums of each cell whose range moved, until nothing moves or the visits
    /// allowed run out (`VISITS_PER_SUM` for each sum); `false` if a range empties, so no
    /// values fit.
    fn narrow(
        &self,
        ranges: &mut [(u64, u64)],
        undo: &mut Vec<(usize, (u64, u64))>,
        changed: Option<usize>,
    ) -> bool {
        let mut scratch = self.scratch.borrow_mut();
        let Scratch {
            queued,
            queue,
            moved,
        } = &mut *scratch;
        queued.clear();
        queued.resize(self.sums.len(), false);
        queue.clear();
        match changed {
            Some(cell) => queue.extend(self.sums_of[cell].iter().copied()),
            None => queue.extend(0..self.sums.len()),
        }
        for &s in queue.iter() {
            queued[s] = true;
        }
        let mut visits = VISITS_PER_SUM * self.sums.len().max(1);
        while let Some(s) = queue.pop_front() {
            queued[s] = false;
            visits = match visits.checked_sub(1) {
                Some(v) => v,
                None => return true,
            };
            let (total, parts) = self.sums[s];
            let low: i128 = parts.iter().map(|&p| i128::from(ranges[p].0)).sum();
            let high: i128 = parts.iter().map(|&p| i128::from(ranges[p].1)).sum();
            let (t_low, t_high) = (
                i128::from(ranges[total].0).max(low),
                i128::from(ranges[total].1).min(high),
            );
            if t_low > t_high {
                return false;
            }
            moved.clear();
            if (t_low, t_high) != (i128::from(ranges[total].0), i128::from(ranges[total].1)) {
                undo.push((total, ranges[total]));
                ranges[total] = (narrowed(t_low), narrowed(t_high));
                moved.push(total);
            }
            for &p in parts {
                let (p_low, p_high) = (i128::from(ranges[p].0), i128::from(ranges[p].1));
                let others_low = low - p_low;
                let others_high = high - p_high;
                let new_low = p_low.max(t_low - others_high);
                let new_high = p_high.min(t_high - others_low);
                if new_low > new_high {
                    return false;
                }
                if (new_low, new_high) != (p_low, p_high) {
                    undo.push((p, ranges[p]));
                    ranges[p] = (narrowed(new_low), narrowed(new_high));
                    moved.push(p);
                }
            }
            for &cell in moved.iter() {
                for &next in &self.sums_of[cell] {
                    if !queued[next] {
                        queued[next] = true;
                        queue.push_back(next);
                    }
                }
            }
        }
        true
    }
}

/// A narrowed bound back as a count: it lies between two counts' bounds, so it fits.
fn narrowed(bound: i128) -> u64 {
    u64::try_from(bound.max(0)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::audit::System;
    use crate::disclosure::{Kind, Minimum};

    /// The module's example as a table: a row of 5, 5 and 4 (total 14), whose columns'
    /// totals are 25, 5 and 4 (34 in all); the first column's other 20 people are never
    /// shown. Everything from 1 to 5 reads "fewer than 6". Each sum alone leaves the first
    /// count at 4 or 5; but the two small column totals add up to 34 - 25 = 9, so the
    /// row's last two are at most 9 together and the first is 5.
    fn table() -> (Ledger, [usize; 10]) {
        let mut ledger = Ledger::new(Minimum {
            kind: Kind::SpeakUpReturns,
            people: 6,
        });
        let [a, b, c] = [5, 5, 4].map(|n| ledger.shown(n));
        let row = ledger.shown(14);
        let rest = ledger.never(20);
        let [none_b, none_c] = [0, 0].map(|n| ledger.shown(n));
        let [first, second, third] = [25, 5, 4].map(|n| ledger.shown(n));
        let all = ledger.shown(34);
        ledger.sum(row, vec![a, b, c]);
        ledger.sum(first, vec![a, rest]);
        ledger.sum(second, vec![b, none_b]);
        ledger.sum(third, vec![c, none_c]);
        ledger.sum(all, vec![first, second, third]);
        (
            ledger,
            [a, b, c, row, rest, none_b, none_c, first, second, third],
        )
    }

    /// Every small count the exact attacker pins, from what `decided` publishes.
    fn pinned(decided: &Decided) -> Vec<usize> {
        let ledger = &decided.ledger;
        let mut system = System::default();
        for (cell, &(low, high)) in ledger.read_as().iter().enumerate() {
            let high = high.min(3 * (34 + 6));
            match decided.published(cell).exact() {
                Some(n) => system.exact(n),
                None => system.range(low, high),
            };
        }
        for sum in &ledger.sums {
            system.sum(sum.total, sum.parts.clone());
        }
        let ranges = system.solve().unwrap();
        (0..ledger.values.len())
            .filter(|&i| {
                (1..=5).contains(&ledger.values[i])
                    && decided.published(i).exact().is_none()
                    && ranges[i].0 == ranges[i].1
            })
            .collect()
    }

    #[test]
    fn narrowing_alone_leaves_a_count_the_sums_together_pin() {
        let (ledger, [a, ..]) = table();
        let decided = ledger.clone().decide();
        assert_eq!(decided.published(a).to_string(), "fewer than 6");
        assert_eq!(pinned(&decided), [a], "narrowing misses it");

        let decided = ledger.decide_exactly();
        assert!(decided.stuck().is_empty());
        assert!(pinned(&decided).is_empty(), "{:?}", decided.ledger);
    }

    #[test]
    fn another_set_of_values_clears_a_count() {
        let (ledger, [a, b, ..]) = table();
        let decided = ledger.decide();
        let search = Search::new(&decided.ledger);
        assert!(search.other_values(a).is_none());
        let other = search.other_values(b).unwrap();
        assert_eq!((other[b], other[a]), (4, 5), "b and c can swap 5 and 4");
    }

    /// The search as it was before it put ranges back instead of copying them for each
    /// try, and before it stopped looking for the open cell at the first with two values.
    fn solve_by_copying(
        search: &Search,
        mut ranges: Vec<(u64, u64)>,
        changed: Option<usize>,
        steps: &mut u32,
    ) -> Option<Vec<u64>> {
        *steps = steps.checked_sub(1)?;
        if !search.narrow(&mut ranges, &mut Vec::new(), changed) {
            return None;
        }
        let open = (0..ranges.len())
            .filter(|&i| ranges[i].0 < ranges[i].1)
            .min_by_key(|&i| ranges[i].1 - ranges[i].0);
        let Some(i) = open else {
            let values: Vec<u64> = ranges.iter().map(|r| r.0).collect();
            return search.fits(&values).then_some(values);
        };
        let (low, high) = ranges[i];
        let near = search.truth[i].clamp(low, high);
        let tries = [
            Some((near, near)),
            (near > low).then(|| (low, near - 1)),
            (near < high).then(|| (near + 1, high)),
        ];
        tries.into_iter().flatten().find_map(|range| {
            let mut next = ranges.clone();
            next[i] = range;
            solve_by_copying(search, next, Some(i), steps)
        })
    }

    #[test]
    fn putting_ranges_back_finds_the_same_values_as_copying_them() {
        // Both searches recurse once a step; an unoptimised build's frames (the copying
        // one's closures above all) outgrow a test thread's 2 MiB stack.
        let compare = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(compare_putting_back_with_copying)
            .unwrap();
        compare.join().unwrap();
    }

    fn compare_putting_back_with_copying() {
        use crate::rng::Rng;
        for seed in 0..3_000 {
            let mut rng = Rng::new(seed);
            let ledger = super::super::tests::random_ledger(&mut rng, seed % 3 != 0);
            let search = Search::new(&ledger);
            for cell in 0..ledger.values.len() {
                let (low, high) = search.read_as[cell];
                let truth = ledger.values[cell];
                for range in [(low, truth.saturating_sub(1)), (truth + 1, high)] {
                    if range.0 > range.1 || truth < low || truth > high {
                        continue;
                    }
                    let mut ranges = search.read_as.clone();
                    ranges[cell] = range;
                    let (mut a, mut b) = (STEPS, STEPS);
                    let copied = solve_by_copying(&search, ranges.clone(), None, &mut a);
                    let mut open: Vec<usize> = (0..ranges.len()).collect();
                    let put_back =
                        search.solve(&mut ranges, &mut Vec::new(), &mut open, 0, None, &mut b);
                    assert_eq!(open.len(), ranges.len(), "the open cells as they were");
                    assert_eq!(put_back, copied, "seed {seed}, cell {cell}: {ledger:?}");
                    assert_eq!(a, b, "seed {seed}, cell {cell}: the same steps");
                }
            }
        }
    }
}

//! The decision against an attacker who sees every published figure and every sum and
//! works out, exhaustively, the least and greatest value of each hidden one.

use super::*;
use crate::disclosure::audit::System;
use crate::disclosure::{Kind, Minimum};
use crate::rng::Rng;

/// A ledger whose counts from 1 to `threshold` read "fewer than": tests go below the
/// product's floor to keep the exact search small.
fn ledger(threshold: u64) -> Ledger {
    Ledger::new(Minimum {
        kind: Kind::SpeakUpReturns,
        people: threshold + 1,
    })
}

#[test]
fn small_counts_read_fewer_than_but_zero_is_shown() {
    assert_eq!(publish_count(0, 5).to_string(), "0");
    assert_eq!(publish_count(1, 5).to_string(), "fewer than 6");
    assert_eq!(publish_count(5, 5).to_string(), "fewer than 6");
    assert_eq!(publish_count(6, 5).to_string(), "6");
}

#[test]
fn a_median_of_too_few_values_is_hidden() {
    let six = Minimum::default_for(Kind::SpeakUpReturns);
    assert_eq!(median(vec![3, 1, 2, 9, 4, 5], six).into_value(), Some(4));
    assert!(!median(vec![3, 1, 2, 9, 4], six).is_shown());
    assert!(!median(Vec::new(), six).is_shown());
}

/// The attacker's system for what `ledger` publishes: shown cells exactly, "fewer than"
/// cells from 1 to the threshold (from 0 under a total that reads "fewer than"), withheld
/// ones above it, never-shown ones anything.
fn attacker(ledger: &Ledger, bound: u64) -> System {
    let t = ledger.threshold;
    let mut system = System::default();
    for (i, (state, &v)) in ledger.states.iter().zip(&ledger.values).enumerate() {
        match state {
            State::Shown => system.exact(v),
            State::Small if ledger.may_be_zero[i] => system.range(0, t),
            State::Small => system.range(1, t),
            State::Withheld => system.range(t + 1, bound.max(t + 1)),
            State::Never => system.range(0, bound),
        };
    }
    for sum in &ledger.sums {
        system.sum(sum.total, sum.parts.clone());
    }
    system
}

/// Every small count that is not shown exactly could still be more than one value.
fn assert_nothing_small_is_pinned(ledger: &Ledger, bound: u64, context: &str) {
    let ranges = attacker(ledger, bound)
        .solve()
        .unwrap_or_else(|e| panic!("{context}: {e:?}"));
    for (i, &(lo, hi)) in ranges.iter().enumerate() {
        let small = (1..=ledger.threshold).contains(&ledger.values[i]);
        if small && ledger.states[i] != State::Shown {
            assert!(
                lo < hi,
                "{context}: cell {i} ({}) is pinned to {lo}",
                ledger.values[i]
            );
        }
    }
}

/// Issue 24: "two hidden cells protect each other" was not true: with zeros shown each is
/// at least 1, so a total of 22 with one shown cell of 20 gave both as 1.
#[test]
fn two_hidden_ones_under_a_shown_total_do_not_protect_each_other() {
    let mut ledger = ledger(5);
    let cells: Vec<usize> = [20, 1, 1, 0].iter().map(|&n| ledger.shown(n)).collect();
    let total = ledger.shown(22);
    ledger.sum(total, cells.clone());
    let decided = ledger.decide();
    assert!(decided.stuck().is_empty());
    assert_eq!(decided.published(cells[0]), PublishedCount::WITHHELD);
    assert_nothing_small_is_pinned(&decided.ledger, 22, "20, 1, 1, 0");
}

/// A sum named before its cells are pushed decides as one named after: the 20 must still
/// be withheld, or 22 - 20 would pin the two hidden ones.
#[test]
fn a_sum_named_before_its_cells_decides_the_same() {
    let mut ledger = ledger(5);
    ledger.sum(4, vec![0, 1, 2, 3]);
    let cells: Vec<usize> = [20, 1, 1, 0].iter().map(|&n| ledger.shown(n)).collect();
    let total = ledger.shown(22);
    assert_eq!((cells, total), (vec![0, 1, 2, 3], 4));
    let decided = ledger.decide();
    assert_eq!(decided.published(0), PublishedCount::WITHHELD);
    assert_nothing_small_is_pinned(&decided.ledger, 22, "sum first");
}

/// Random returns in miniature: quarters whose cases split two ways (as professional
/// groups and as places do), with a never-shown part (as the cases that were not
/// anonymous are), and period totals over the quarters, as the trends show.
#[test]
fn random_linked_tables_never_pin_a_small_count() {
    let mut withheld = 0;
    for seed in 0..1_500 {
        let mut rng = Rng::new(seed);
        // From 3: with 1, "fewer than 2" says 1; with 2, "not shown" (at least 3) beside
        // two "fewer than 3" can pin a count, and nothing is left to withhold (the
        // product's threshold is 5).
        let t = 3 + rng.below(3);
        let quarters = 1 + rng.below(2) as usize;
        let mut ledger = ledger(t);
        let mut grand = 0;
        let (mut by_place, mut cases_cells) = (vec![Vec::new(); 2], Vec::new());
        for _ in 0..quarters {
            let places: Vec<u64> = (0..2).map(|_| rng.below(3 * t)).collect();
            let cases: u64 = places.iter().sum();
            grand += cases;
            let groups: Vec<u64> = {
                let first = rng.below(cases + 1);
                vec![first, cases - first]
            };
            let anonymous = rng.below(cases + 1);
            let c = ledger.shown(cases);
            cases_cells.push(c);
            let g: Vec<usize> = groups.iter().map(|&n| ledger.shown(n)).collect();
            ledger.sum(c, g);
            let p: Vec<usize> = places.iter().map(|&n| ledger.shown(n)).collect();
            ledger.sum(c, p.clone());
            for (list, cell) in by_place.iter_mut().zip(p) {
                list.push(cell);
            }
            let a = ledger.shown(anonymous);
            let rest = ledger.never(cases - anonymous);
            ledger.sum(c, vec![a, rest]);
        }
        if quarters > 1 {
            let all = ledger.shown(grand);
            ledger.sum(all, cases_cells);
            let mut place_totals = Vec::new();
            for cells in by_place {
                let n = cells.iter().map(|&c| ledger.values[c]).sum();
                let total = ledger.shown(n);
                ledger.sum(total, cells);
                place_totals.push(total);
            }
            ledger.sum(all, place_totals);
        }
        let decided = ledger.decide();
        let ledger = &decided.ledger;
        let context = format!("seed {seed}: {ledger:?}");
        assert!(decided.stuck().is_empty(), "{context}");
        withheld += ledger
            .states
            .iter()
            .filter(|s| **s == State::Withheld)
            .count();
        // Withheld and never-shown counts have no upper limit; a generous one keeps the
        // search finite without telling the attacker anything.
        assert_nothing_small_is_pinned(ledger, 3 * (grand + t + 1), &context);
    }
    assert!(withheld > 100, "the tables never needed protecting");
}

/// A small count pinned through a chain of sums longer than the search looks along: the
/// cell that gives it away is four sums out, so nothing near it could be withheld. The
/// decision must fail closed rather than publish the chain's end exactly.
#[test]
fn a_small_count_the_search_cannot_free_is_never_left_pinned() {
    let mut ledger = ledger(5);
    let small = ledger.shown(3);
    // Published on another page already: this decision cannot withhold it.
    let total = ledger.fixed(10, PublishedCount(Count::Exact(10)));
    let rest = ledger.never(7);
    ledger.sum(total, vec![small, rest]);
    // `rest` is a chain of never-shown counts ending in one this page shows: 10 - 7 = 3.
    let (first, second) = (ledger.never(7), ledger.never(7));
    let shown = ledger.shown(7);
    ledger.sum(rest, vec![first]);
    ledger.sum(first, vec![second]);
    ledger.sum(second, vec![shown]);
    let decided = ledger.decide();
    assert!(decided.stuck().is_empty(), "{:?}", decided.stuck());
    assert_eq!(decided.published(shown), PublishedCount::WITHHELD);
    assert_eq!(decided.published(total).exact(), Some(10));
    assert_nothing_small_is_pinned(&decided.ledger, 30, "a chain four sums long");
}

/// A small count that figures decided elsewhere give away on their own cannot be freed
/// here. Then nothing this decision publishes is exact, so it adds nothing to what is
/// already known, and the stuck cell is reported.
#[test]
fn when_nothing_can_free_a_small_count_nothing_of_this_decision_is_exact() {
    let mut ledger = ledger(5);
    let small = ledger.shown(3);
    let total = ledger.fixed(10, PublishedCount(Count::Exact(10)));
    let other = ledger.fixed(7, PublishedCount(Count::Exact(7)));
    ledger.sum(total, vec![small, other]);
    // Counts beside it, in another sum of the same page.
    let (big, zero) = (ledger.shown(9), ledger.shown(0));
    let beside = ledger.shown(9);
    ledger.sum(beside, vec![big, zero]);
    let decided = ledger.decide();
    assert_eq!(decided.stuck(), &[small]);
    assert_eq!(decided.published(small).fewer_than(), Some(6));
    for cell in [big, beside] {
        assert_eq!(decided.published(cell), PublishedCount::WITHHELD, "{cell}");
    }
    assert_eq!(decided.published(zero).fewer_than(), Some(6));
    // The figures decided elsewhere read as they were decided.
    assert_eq!(decided.published(other).exact(), Some(7));
}

/// A random ledger for comparing ways of working the same thing out: some sums hold, some
/// (with `consistent` false) need not, and cells read every way a cell can.
pub(super) fn random_ledger(rng: &mut Rng, consistent: bool) -> Ledger {
    let t = 2 + rng.below(4);
    let mut ledger = ledger(t);
    for _ in 0..(3 + rng.below(12)) {
        let value = rng.below(3 * t);
        push_random(&mut ledger, rng, value);
    }
    for _ in 0..(1 + rng.below(10)) {
        let n = ledger.values.len() as u64;
        let parts: Vec<usize> = (0..(1 + rng.below(4)))
            .map(|_| rng.below(n) as usize)
            .collect();
        let total = if consistent {
            let value = parts.iter().map(|&p| ledger.values[p]).sum();
            push_random(&mut ledger, rng, value)
        } else {
            rng.below(n) as usize
        };
        ledger.sum(total, parts);
    }
    ledger
}

fn push_random(ledger: &mut Ledger, rng: &mut Rng, value: u64) -> usize {
    let t = ledger.threshold;
    match rng.below(6) {
        0 => ledger.never(value),
        1 => ledger.known(value),
        2 if value > t => ledger.fixed(value, PublishedCount::WITHHELD),
        3 if value <= t => ledger.fixed(value, PublishedCount(Count::FewerThan(t + 1))),
        _ => ledger.shown(value),
    }
}

/// [`Ledger::ranges`] as it was before it skipped sums whose cells had not moved: the
/// ranges, and so every decision, must be the same.
fn ranges_every_sum_every_pass(ledger: &Ledger) -> Vec<(u64, u64)> {
    let mut r = ledger.read_as();
    for _ in 0..64 {
        let mut changed = false;
        for sum in &ledger.sums {
            let low: u64 = sum
                .parts
                .iter()
                .map(|&p| r[p].0)
                .fold(0, u64::saturating_add);
            let high: u64 = sum
                .parts
                .iter()
                .map(|&p| r[p].1)
                .fold(0, u64::saturating_add);
            let total = (r[sum.total].0.max(low), r[sum.total].1.min(high));
            changed |= r[sum.total] != total;
            r[sum.total] = total;
            for &p in &sum.parts {
                let others_low = low.saturating_sub(r[p].0);
                let others_high = high.saturating_sub(r[p].1);
                let lo = if high >= MANY {
                    r[p].0
                } else {
                    r[p].0.max(total.0.saturating_sub(others_high))
                };
                let hi = r[p].1.min(total.1.saturating_sub(others_low));
                let narrowed = (lo, hi.max(lo));
                changed |= r[p] != narrowed;
                r[p] = narrowed;
            }
        }
        if !changed {
            break;
        }
    }
    r
}

#[test]
fn narrowing_only_the_sums_that_moved_gives_the_same_ranges() {
    for seed in 0..20_000 {
        let mut rng = Rng::new(seed);
        let mut ledger = random_ledger(&mut rng, seed % 2 == 0);
        // Withhold and hide a few as a decision would, to try every reading.
        for _ in 0..rng.below(4) {
            let cell = rng.below(ledger.values.len() as u64) as usize;
            if ledger.can_withhold(cell) {
                ledger.states[cell] = State::Withheld;
            }
        }
        assert_eq!(
            ledger.ranges(),
            ranges_every_sum_every_pass(&ledger),
            "seed {seed}: {ledger:?}"
        );
    }
}

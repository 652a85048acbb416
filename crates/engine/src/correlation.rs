//! How two figures about organisations move together: Spearman's rank correlation, with a
//! percentile bootstrap for its 95 % interval.
//!
//! Ranks, not the values, because culture indicators and outcomes are on unlike scales and
//! often skewed (never events, a ratings scale of four steps): rank correlation asks only
//! whether organisations that score higher on one tend to score higher on the other. Tied
//! values share the mean of the ranks they span, and the coefficient is Pearson's over
//! those ranks, which is the usual definition when there are ties.
//!
//! The bootstrap draws organisations with replacement and takes the 2.5th and 97.5th
//! percentiles of the coefficients it gets. A draw whose ranks do not vary on one side
//! (every organisation drawn the same, say) has no coefficient and is left out. The seed
//! is fixed, so a page and its download always show the same interval.

use crate::rng::Rng;

/// Fewer organisations than this give no coefficient: with so few, ranks say little.
pub const MIN_ORGANISATIONS: usize = 5;
/// How many bootstrap draws make an interval.
pub const DRAWS: usize = 2_000;
/// The seed every interval is drawn with, so figures do not move between two readings.
pub const SEED: u64 = 0x0D16_417F;

/// Each value's rank from 1, tied values sharing the mean of the ranks they span.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut ranks = vec![0.0; values.len()];
    ranks_of_draw(&tie_groups(values), &vec![1; values.len()], &mut ranks);
    ranks
}

/// Pearson's correlation; `None` when either side does not vary.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mean = |v: &[f64]| v.iter().take(n).sum::<f64>() / n as f64;
    let (mx, my) = (mean(x), mean(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y).take(n) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    // Ranks are multiples of a half, so "does not vary" is exact, not a tolerance.
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Spearman's rank correlation of paired values; `None` when either side does not vary.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    pearson(&ranks(x), &ranks(y))
}

/// A rank correlation with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    /// -1 to 1.
    pub rho: f64,
    /// The bootstrap's 95 % interval.
    pub low: f64,
    pub high: f64,
    /// How many organisations it rests on.
    pub organisations: usize,
}

impl Correlation {
    /// The interval leaves out no relationship at all.
    pub fn excludes_zero(&self) -> bool {
        self.low > 0.0 || self.high < 0.0
    }
}

/// Tied groups of one side's values, in order: each group is the organisations (by
/// position) that share a value. Worked out once, so a draw is ranked in one pass.
fn tie_groups(values: &[f64]) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (values.get(a), values.get(b));
        x.zip(y)
            .map_or(std::cmp::Ordering::Equal, |(x, y)| x.total_cmp(y))
    });
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut last: Option<f64> = None;
    for i in order {
        let value = values.get(i).copied();
        match groups.last_mut() {
            Some(group) if value == last => group.push(i),
            _ => groups.push(vec![i]),
        }
        last = value;
    }
    groups
}

/// The ranks of a draw in which organisation `i` was drawn `counts[i]` times: every copy
/// of a value shares the mean of the ranks its copies span, as [`ranks`] gives for the
/// drawn values written out one by one.
fn ranks_of_draw(groups: &[Vec<usize>], counts: &[u32], ranks: &mut [f64]) {
    let mut below = 0u64;
    for group in groups {
        let copies: u64 = group
            .iter()
            .map(|&i| u64::from(counts.get(i).copied().unwrap_or(0)))
            .sum();
        let shared = below as f64 + (copies as f64 + 1.0) / 2.0;
        for &i in group {
            if let Some(r) = ranks.get_mut(i) {
                *r = shared;
            }
        }
        below += copies;
    }
}

/// Pearson's correlation over organisations each counted `counts[i]` times.
fn weighted_pearson(x: &[f64], y: &[f64], counts: &[u32]) -> Option<f64> {
    let total: f64 = counts.iter().map(|&c| f64::from(c)).sum();
    if total < 2.0 {
        return None;
    }
    let weighted = |v: &[f64]| {
        v.iter()
            .zip(counts)
            .map(|(a, &c)| a * f64::from(c))
            .sum::<f64>()
            / total
    };
    let (mx, my) = (weighted(x), weighted(y));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for ((a, b), &c) in x.iter().zip(y).zip(counts) {
        let (dx, dy, w) = (a - mx, b - my, f64::from(c));
        sxy += w * dx * dy;
        sxx += w * dx * dx;
        syy += w * dy * dy;
    }
    // Ranks of drawn copies are multiples of a half, so a side that does not vary sums to
    // exactly zero.
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// The percentile bootstrap's 95 % interval for Spearman's coefficient, from `draws` draws
/// with `seed`. `None` when fewer than half the draws give a coefficient.
///
/// A draw is kept as how many times each organisation was drawn, and ranked from each
/// side's tie groups worked out once: one pass per draw rather than a sort, so every pair
/// of a national page is drawn in milliseconds. It gives what drawing the values out one by
/// one and ranking them would (the tests check both ways agree).
pub fn bootstrap(x: &[f64], y: &[f64], draws: usize, seed: u64) -> Option<(f64, f64)> {
    let n = x.len();
    if n != y.len() || n == 0 {
        return None;
    }
    let (x_groups, y_groups) = (tie_groups(x), tie_groups(y));
    let mut rng = Rng::new(seed);
    let mut coefficients = Vec::with_capacity(draws);
    let mut counts = vec![0u32; n];
    let (mut rx, mut ry) = (vec![0.0; n], vec![0.0; n]);
    for _ in 0..draws {
        counts.iter_mut().for_each(|c| *c = 0);
        for _ in 0..n {
            if let Some(c) = counts.get_mut(rng.below(n as u64) as usize) {
                *c += 1;
            }
        }
        ranks_of_draw(&x_groups, &counts, &mut rx);
        ranks_of_draw(&y_groups, &counts, &mut ry);
        if let Some(rho) = weighted_pearson(&rx, &ry, &counts) {
            coefficients.push(rho);
        }
    }
    if coefficients.len() * 2 < draws {
        return None;
    }
    coefficients.sort_by(f64::total_cmp);
    Some((
        percentile(&coefficients, 0.025)?,
        percentile(&coefficients, 0.975)?,
    ))
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `p` of
/// them at or below it.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.saturating_sub(1)).copied()
}

/// Spearman's coefficient with its bootstrap interval, over at least
/// [`MIN_ORGANISATIONS`] pairs; `None` with fewer, or when either side does not vary.
pub fn correlate(x: &[f64], y: &[f64]) -> Option<Correlation> {
    if x.len() != y.len() || x.len() < MIN_ORGANISATIONS {
        return None;
    }
    let rho = spearman(x, y)?;
    let (low, high) = bootstrap(x, y, DRAWS, SEED)?;
    Some(Correlation {
        rho,
        low,
        high,
        organisations: x.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn tied_values_share_the_mean_of_their_ranks() {
        assert_eq!(ranks(&[3.0, 1.0, 2.0, 2.0]), vec![4.0, 1.0, 2.5, 2.5]);
        assert_eq!(ranks(&[5.0, 5.0, 5.0]), vec![2.0, 2.0, 2.0]);
        assert_eq!(ranks(&[]), Vec::<f64>::new());
    }

    #[test]
    fn spearman_with_ties_matches_the_hand_worked_figure() {
        // By hand: ranks of x are 1, 2.5, 2.5, 4 and of y 1, 3, 2, 4; both have mean 2.5.
        // Deviations: x -1.5, 0, 0, 1.5; y -1.5, 0.5, -0.5, 1.5.
        // Sum of products 4.5; sums of squares 4.5 and 5; 4.5 / sqrt(22.5) = 0.948683...
        let rho = spearman(&[1.0, 2.0, 2.0, 3.0], &[1.0, 3.0, 2.0, 4.0]).unwrap();
        assert!(close(rho, 4.5 / 22.5_f64.sqrt()), "{rho}");
        // Without ties it is 1 - 6 sum(d^2) / (n (n^2 - 1)): d = 0, 1, -1, 0, so 1 - 12/60.
        let rho = spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]).unwrap();
        assert!(close(rho, 0.8), "{rho}");
        // Only order matters: any increasing change of scale gives the same figure.
        let rho2 = spearman(&[1.0, 20.0, 300.0, 4000.0], &[0.1, 0.3, 0.2, 0.4]).unwrap();
        assert!(close(rho, rho2));
        assert!(close(
            spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap(),
            -1.0
        ));
    }

    #[test]
    fn no_coefficient_when_a_side_does_not_vary_or_the_lengths_differ() {
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0, 2.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0], &[1.0]), None);
    }

    #[test]
    fn the_bootstrap_of_three_organisations_matches_its_exact_distribution() {
        // By hand, for x = 1, 2, 3 and y = 1, 3, 2 (pairs A, B, C): of the 27 equally
        // likely draws, 3 repeat one pair (no coefficient); 6 hold all three (0.5); 18
        // hold two pairs, where the coefficient is 1 for A with B or A with C and -1 for B
        // with C. So among the 24 with a coefficient: -1 a quarter of the time, 0.5 a
        // quarter, 1 a half. The 2.5th percentile is -1 and the 97.5th is 1.
        let (x, y) = ([1.0, 2.0, 3.0], [1.0, 3.0, 2.0]);
        assert_eq!(bootstrap(&x, &y, 20_000, SEED), Some((-1.0, 1.0)));
        // And the shares the draws give are those worked out above.
        let mut rng = Rng::new(SEED);
        let (mut minus, mut half, mut one, mut none) = (0, 0, 0, 0);
        for _ in 0..24_000 {
            let picks: Vec<usize> = (0..3).map(|_| rng.below(3) as usize).collect();
            let xs: Vec<f64> = picks.iter().map(|&i| x[i]).collect();
            let ys: Vec<f64> = picks.iter().map(|&i| y[i]).collect();
            match spearman(&xs, &ys) {
                None => none += 1,
                Some(r) if close(r, -1.0) => minus += 1,
                Some(r) if close(r, 0.5) => half += 1,
                Some(r) if close(r, 1.0) => one += 1,
                Some(r) => panic!("a coefficient the hand working does not allow: {r}"),
            }
        }
        let share = |k: i32| f64::from(k) / 24_000.0;
        assert!((share(none) - 3.0 / 27.0).abs() < 0.01);
        assert!((share(minus) - 6.0 / 27.0).abs() < 0.01);
        assert!((share(half) - 6.0 / 27.0).abs() < 0.01);
        assert!((share(one) - 12.0 / 27.0).abs() < 0.01);
    }

    /// The interval as drawing the values out one by one and ranking them gives.
    fn bootstrap_written_out(x: &[f64], y: &[f64], draws: usize, seed: u64) -> (f64, f64) {
        let mut rng = Rng::new(seed);
        let mut found = Vec::new();
        for _ in 0..draws {
            let picks: Vec<usize> = (0..x.len())
                .map(|_| rng.below(x.len() as u64) as usize)
                .collect();
            let xs: Vec<f64> = picks.iter().map(|&i| x[i]).collect();
            let ys: Vec<f64> = picks.iter().map(|&i| y[i]).collect();
            if let Some(r) = spearman(&xs, &ys) {
                found.push(r);
            }
        }
        found.sort_by(f64::total_cmp);
        (
            percentile(&found, 0.025).unwrap(),
            percentile(&found, 0.975).unwrap(),
        )
    }

    #[test]
    fn drawing_by_counts_gives_what_drawing_one_by_one_gives() {
        let mut rng = Rng::new(11);
        // Ties on both sides: a four-step rating and rounded shares.
        let x: Vec<f64> = (0..30).map(|_| (rng.unit() * 4.0).floor()).collect();
        let y: Vec<f64> = x.iter().map(|v| (v + rng.normal()).round()).collect();
        let (low, high) = bootstrap(&x, &y, 500, SEED).unwrap();
        let (low2, high2) = bootstrap_written_out(&x, &y, 500, SEED);
        assert!(
            close(low, low2) && close(high, high2),
            "{low} {high} / {low2} {high2}"
        );
    }

    #[test]
    fn the_interval_is_the_same_each_time_and_holds_the_estimate() {
        let mut rng = Rng::new(7);
        let x: Vec<f64> = (0..40).map(|_| rng.normal()).collect();
        let y: Vec<f64> = x.iter().map(|v| v + 0.5 * rng.normal()).collect();
        let a = correlate(&x, &y).unwrap();
        let b = correlate(&x, &y).unwrap();
        assert_eq!(a, b);
        assert!(a.low <= a.rho && a.rho <= a.high, "{a:?}");
        assert!(a.excludes_zero() && a.rho > 0.7, "{a:?}");
        // Unrelated values: the interval is wide and takes in zero.
        let noise: Vec<f64> = (0..40).map(|_| rng.normal()).collect();
        let c = correlate(&x, &noise).unwrap();
        assert!(!c.excludes_zero(), "{c:?}");
        assert!(c.high - c.low > a.high - a.low);
    }

    #[test]
    fn too_few_organisations_give_nothing() {
        let x = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(correlate(&x, &x), None);
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let c = correlate(&x, &x).unwrap();
        assert_eq!((c.rho, c.low, c.high, c.organisations), (1.0, 1.0, 1.0, 5));
    }
}

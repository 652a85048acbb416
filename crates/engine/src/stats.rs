//! The statistics every published figure carries.

/// z for a two-sided 95 % interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A proportion with its Wilson 95 % interval. Wilson, not the textbook Wald interval,
/// because it stays inside 0..1 and behaves for small groups and proportions near 0 or 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Proportion {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// z for a two-sided 99.8 % interval: the outer funnel-plot limit.
pub const Z998: f64 = 3.090_232_306_167_813;

pub fn wilson(positive: u64, total: u64) -> Option<Proportion> {
    if total == 0 {
        return None;
    }
    let n = total as f64;
    let p = positive as f64 / n;
    let (low, high) = wilson_bounds(p, n, Z95);
    Some(Proportion {
        value: p,
        low,
        high,
    })
}

/// Wilson's score interval for a share `p` seen among `n` people; `n` may be an effective
/// (fractional) size.
fn wilson_bounds(p: f64, n: f64, z: f64) -> (f64, f64) {
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// A directly standardised proportion: each stratum's own share weighted by a reference
/// population's mix, with its own variance and 95 % interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standardised {
    pub value: f64,
    /// Var = sum of w_k^2 p_k (1 - p_k) / n_k over the strata, w_k the reference shares.
    pub variance: f64,
    /// The number of people a simple random sample would need for the same precision,
    /// p (1 - p) / Var (Kish); never more than the people actually counted.
    pub effective_n: f64,
    pub low: f64,
    pub high: f64,
}

/// Standardises `strata` (positive, answered) to `reference` sizes. The interval is
/// Wilson's score interval with the effective sample size in place of n: the approach of
/// Korn and Graubard (1998) for proportions from weighted data, with Wilson's interval in
/// place of Clopper and Pearson's so it matches the intervals on every other page. Strata
/// with nobody of their own or nobody in the reference are left out and the weights
/// rescaled. When every stratum's share is 0 or 1 the variance is 0 and the people
/// counted stand in for the effective size.
pub fn standardised_proportion(strata: &[(u64, u64)], reference: &[u64]) -> Option<Standardised> {
    let used: Vec<(f64, f64, f64)> = strata
        .iter()
        .zip(reference)
        .filter(|((_, n), w)| *n > 0 && **w > 0)
        .map(|((x, n), w)| (*x as f64, *n as f64, *w as f64))
        .collect();
    let weight: f64 = used.iter().map(|u| u.2).sum();
    if weight <= 0.0 {
        return None;
    }
    let (mut value, mut variance, mut people) = (0.0, 0.0, 0.0);
    for (x, n, w) in used {
        let (share, p) = (w / weight, x / n);
        value += share * p;
        variance += share * share * p * (1.0 - p) / n;
        people += n;
    }
    let effective_n = if variance > 0.0 {
        (value * (1.0 - value) / variance).min(people)
    } else {
        people
    };
    let (low, high) = wilson_bounds(value, effective_n, Z95);
    Some(Standardised {
        value,
        variance,
        effective_n,
        low,
        high,
    })
}

/// Whether two standardised proportions (this year's and last year's, say) differ beyond
/// chance: a two-sided z test at 5 % on the difference, with the two variances added.
pub fn standardised_differ(a: &Standardised, b: &Standardised) -> bool {
    let se = (a.variance + b.variance).sqrt();
    se > 0.0 && ((a.value - b.value) / se).abs() > Z95
}

/// One organisation on a funnel plot: its figure, the target it is judged against, and
/// its effective number of respondents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FunnelPoint {
    pub value: f64,
    pub target: f64,
    pub effective_n: f64,
}

/// The spread between organisations beyond what chance within each would give, as an
/// additive variance tau^2 on the proportion scale: Spiegelhalter's random-effects method
/// for funnel plots (D. J. Spiegelhalter, "Handling over-dispersion of performance
/// indicators", Quality and Safety in Health Care 14 (2005) 347-351). Each point's z-score
/// is (y - target) / s with s^2 = target (1 - target) / n; the top and bottom 10 % of
/// z-scores are pulled in to the 10th and 90th percentiles (winsorised) so the outliers the
/// plot is looking for do not widen their own limits; phi is the mean squared z-score;
/// when I phi > I - 1, tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w) with
/// w = 1 / s^2, and otherwise 0.
pub fn overdispersion(points: &[FunnelPoint]) -> f64 {
    let mut scored: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.effective_n > 0.0 && p.target > 0.0 && p.target < 1.0)
        .map(|p| {
            let s2 = p.target * (1.0 - p.target) / p.effective_n;
            ((p.value - p.target) / s2.sqrt(), 1.0 / s2)
        })
        .collect();
    let count = scored.len();
    if count < 2 {
        return 0.0;
    }
    let mut sorted: Vec<f64> = scored.iter().map(|p| p.0).collect();
    sorted.sort_by(f64::total_cmp);
    let cut = count / 10;
    let (low, high) = (
        sorted.get(cut).copied().unwrap_or(f64::MIN),
        sorted.get(count - 1 - cut).copied().unwrap_or(f64::MAX),
    );
    for p in &mut scored {
        p.0 = p.0.clamp(low, high);
    }
    let i = count as f64;
    let phi = scored.iter().map(|p| p.0 * p.0).sum::<f64>() / i;
    let (sum_w, sum_w2) = scored
        .iter()
        .fold((0.0, 0.0), |(a, b), p| (a + p.1, b + p.1 * p.1));
    if i * phi <= i - 1.0 {
        return 0.0;
    }
    ((i * phi - (i - 1.0)) / (sum_w - sum_w2 / sum_w)).max(0.0)
}

/// The funnel's control limits at `z` for `effective_n` respondents around `target`,
/// widened by the spread between organisations: target +- z sqrt(s^2 + tau^2).
pub fn funnel_limits(target: f64, effective_n: f64, tau2: f64, z: f64) -> (f64, f64) {
    let s2 = if effective_n > 0.0 {
        target * (1.0 - target) / effective_n
    } else {
        0.0
    };
    let half = z * (s2 + tau2).sqrt();
    ((target - half).max(0.0), (target + half).min(1.0))
}

/// Whether two proportions differ beyond chance (two-sided z test at 5 %, pooled).
pub fn differs(x1: u64, n1: u64, x2: u64, n2: u64) -> bool {
    if n1 == 0 || n2 == 0 {
        return false;
    }
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let pooled = (x1 + x2) as f64 / (n1 + n2) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
    se > 0.0 && ((p1 - p2) / se).abs() > Z95
}

/// The ratio of two proportions (group 1 over group 2) with a 95 % interval on the log
/// scale (Katz), as equality standards report them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ratio {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

pub fn ratio(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<Ratio> {
    if n1 == 0 || n2 == 0 || x1 == 0 || x2 == 0 {
        return None;
    }
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let value = p1 / p2;
    let se = (1.0 / x1 as f64 - 1.0 / n1 as f64 + 1.0 / x2 as f64 - 1.0 / n2 as f64).sqrt();
    Some(Ratio {
        value,
        low: (value.ln() - Z95 * se).exp(),
        high: (value.ln() + Z95 * se).exp(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_a_known_value() {
        // 20 of 100: Wilson 95 % interval is about 0.1333 to 0.2888.
        let p = wilson(20, 100).unwrap();
        assert!(
            (p.low - 0.1333).abs() < 1e-3 && (p.high - 0.2888).abs() < 1e-3,
            "{p:?}"
        );
        assert_eq!(wilson(0, 0), None);
        let zero = wilson(0, 10).unwrap();
        assert_eq!(zero.low, 0.0);
        assert!(zero.high > 0.2);
    }

    /// Worked by hand in docs/survey.md: nurses 30 of 100, administrators 5 of 20, in a
    /// benchmark group of 200 nurses and 800 administrators.
    #[test]
    fn a_standardised_share_with_unequal_staff_mixes_matches_the_hand_worked_example() {
        let s = standardised_proportion(&[(30, 100), (5, 20)], &[200, 800]).unwrap();
        assert!((s.value - 0.26).abs() < 1e-12, "{s:?}");
        assert!((s.variance - 0.006_084).abs() < 1e-12, "{s:?}");
        assert!((s.effective_n - 31.624).abs() < 1e-3, "{s:?}");
        assert!((s.low - 0.1393).abs() < 1e-4, "{s:?}");
        assert!((s.high - 0.4327).abs() < 1e-4, "{s:?}");
        // Moving the raw Wilson interval (35 of 120) onto 0.26 would claim far more
        // precision than 20 administrators carrying 80 % of the weight can give.
        let raw = wilson(35, 120).unwrap();
        assert!(raw.high - raw.low < 0.17 && s.high - s.low > 0.29);
        // The same mix as the reference changes nothing: the raw share and interval.
        let same = standardised_proportion(&[(10, 100), (40, 100)], &[5, 5]).unwrap();
        let plain = wilson(50, 200).unwrap();
        assert!((same.value - 0.25).abs() < 1e-12);
        assert!((same.low - plain.low).abs() < 1e-3 && (same.high - plain.high).abs() < 1e-3);
        assert_eq!(standardised_proportion(&[(1, 2)], &[0]), None);
    }

    /// Worked by hand in docs/survey.md: ten organisations of 400 around a target of 20 %.
    #[test]
    fn overdispersion_matches_the_hand_worked_example() {
        // Organisations of 400 around a target of 20 %.
        let around_a_fifth = |values: &[f64]| -> Vec<FunnelPoint> {
            values
                .iter()
                .map(|&value| FunnelPoint {
                    value,
                    target: 0.2,
                    effective_n: 400.0,
                })
                .collect()
        };
        let points = around_a_fifth(&[0.10, 0.14, 0.17, 0.19, 0.20, 0.21, 0.23, 0.26, 0.29, 0.33]);
        let tau2 = overdispersion(&points);
        assert!((tau2 - 63.5 / 22_500.0).abs() < 1e-12, "{tau2}");
        let (low, high) = funnel_limits(0.2, 400.0, tau2, Z998);
        assert!((high - (0.2 + Z998 * (0.0004f64 + tau2).sqrt())).abs() < 1e-12);
        assert!(
            low < 0.10 && high > 0.33,
            "no one is outside the 99.8 % limits"
        );
        // Points that agree with chance: no extra spread.
        assert_eq!(overdispersion(&around_a_fifth(&[0.19, 0.2, 0.21])), 0.0);
    }

    #[test]
    fn differences_need_evidence() {
        assert!(differs(30, 100, 10, 100));
        assert!(!differs(12, 100, 10, 100));
    }

    #[test]
    fn ratios_and_standardisation() {
        let r = ratio(30, 100, 15, 100).unwrap();
        assert!((r.value - 2.0).abs() < 1e-9 && r.low < 2.0 && r.high > 2.0);
        // A mix weighted to the first group pulls the figure towards its rate.
        let org = [(10, 100), (40, 100)];
        let reference = [900, 100];
        let s = standardised_proportion(&org, &reference).unwrap();
        assert!((s.value - 0.13).abs() < 1e-9);
    }
}

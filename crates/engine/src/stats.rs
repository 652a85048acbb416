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

pub fn wilson(positive: u64, total: u64) -> Option<Proportion> {
    if total == 0 {
        return None;
    }
    let n = total as f64;
    let p = positive as f64 / n;
    let z2 = Z95 * Z95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z95 * ((p * (1.0 - p) + z2 / (4.0 * n)) / n).sqrt() / (1.0 + z2 / n);
    Some(Proportion {
        value: p,
        low: (centre - half).max(0.0),
        high: (centre + half).min(1.0),
    })
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

/// A rate standardised to a reference mix of groups: each group's own rate weighted by the
/// reference's share of that group. Used to compare an organisation with its benchmark
/// group fairly when their staff mixes differ. Groups with no respondents of their own are
/// left out and the weights rescaled.
pub fn standardised(rates: &[(u64, u64)], reference_sizes: &[u64]) -> Option<f64> {
    let mut weight_sum = 0.0;
    let mut total = 0.0;
    for ((x, n), &w) in rates.iter().zip(reference_sizes) {
        if *n > 0 && w > 0 {
            total += w as f64 * (*x as f64 / *n as f64);
            weight_sum += w as f64;
        }
    }
    (weight_sum > 0.0).then(|| total / weight_sum)
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

    #[test]
    fn differences_need_evidence() {
        assert!(differs(30, 100, 10, 100));
        assert!(!differs(12, 100, 10, 100));
    }

    #[test]
    fn ratios_and_standardisation() {
        let r = ratio(30, 100, 15, 100).unwrap();
        assert!((r.value - 2.0).abs() < 1e-9 && r.low < 2.0 && r.high > 2.0);
        // Same group rates, different mixes: standardised rates agree.
        let org = [(10, 100), (40, 100)];
        let reference = [900, 100];
        assert!((standardised(&org, &reference).unwrap() - 0.13).abs() < 1e-9);
    }
}

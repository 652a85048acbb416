//! Organisations against their benchmark group: each organisation's rate standardised to
//! its group's staff mix (so a trust with more nurses is not compared unfairly with one
//! with more administrators), the group's median, best and worst, and a flag for
//! organisations significantly worse than their group's median. Internal breakdowns elsewhere
//! are unweighted; pages say which they show.

#![expect(
    clippy::indexing_slicing,
    reason = "organisation, group and stratum values are below the label counts the arrays are sized by"
)]

use crate::bitmap::Bitmap;
use crate::columns::{Columns, EngineError};
use crate::disclosure::{self, Minimum};
use crate::stats::{standardised, wilson};

/// An oversight indicator: an item, and whether a higher share is better.
#[derive(Debug, Clone, Copy)]
pub struct Oversight {
    pub item: &'static str,
    pub title: &'static str,
    pub higher_is_better: bool,
}

/// The indicators used to find organisations that may need support.
pub const OVERSIGHT: &[Oversight] = &[
    Oversight {
        item: "harassment_managers",
        title: "Harassment, bullying or abuse from managers",
        higher_is_better: false,
    },
    Oversight {
        item: "harassment_colleagues",
        title: "Harassment, bullying or abuse from colleagues",
        higher_is_better: false,
    },
    Oversight {
        item: "team_shared_objectives",
        title: "Team working",
        higher_is_better: true,
    },
    Oversight {
        item: "equal_opportunities_progression",
        title: "Inclusion: equal opportunities for progression",
        higher_is_better: true,
    },
];

#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    /// Organisation value (from 1).
    pub organisation: u16,
    pub benchmark_group: u16,
    pub answered: u64,
    /// The raw share, and the share standardised to the group's staff mix (0 to 1).
    pub raw: f64,
    pub standardised: f64,
    /// 95 % interval around the standardised share (the raw Wilson interval, moved with it).
    pub low: f64,
    pub high: f64,
    pub group_median: f64,
    pub group_best: f64,
    pub group_worst: f64,
    /// 1 is best in the group.
    pub rank: usize,
    pub group_size: usize,
    /// Significantly worse than the group's median.
    pub flagged: bool,
}

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Every organisation with at least `minimum` answers, against its benchmark group, for one
/// item, in one pass over the chosen respondents.
pub fn positions(
    columns: &Columns,
    chosen: &Bitmap,
    item_key: &str,
    higher_is_better: bool,
    minimum: Minimum,
) -> Result<Vec<Position>, EngineError> {
    let (Some(item), Some(org), Some(group), Some(staff)) = (
        columns.item_index(item_key),
        columns.dim_index("organisation"),
        columns.dim_index("benchmark_group"),
        columns.dim_index("staff_group"),
    ) else {
        return Ok(Vec::new());
    };
    let (answers, positive) = (columns.item(item)?, columns.items()[item].positive);
    let (orgs, groups, staffs) = (columns.dim(org)?, columns.dim(group)?, columns.dim(staff)?);
    let org_count = columns.dims()[org].labels.len() + 1;
    let strata = columns.dims()[staff].labels.len() + 1;
    // counts[org][staff group] = (positive, answered); each organisation's benchmark group.
    let mut counts = vec![vec![(0u64, 0u64); strata]; org_count];
    let mut group_of = vec![0u16; org_count];
    chosen.for_each_in(0, chosen.word_count(), |row| {
        let code = answers[row];
        if code == 0 {
            return;
        }
        let o = usize::from(orgs[row]);
        group_of[o] = groups[row];
        let cell = &mut counts[o][usize::from(staffs[row])];
        cell.1 += 1;
        if positive & (1 << code) != 0 {
            cell.0 += 1;
        }
    });
    // Each group's staff mix, from everyone in it.
    let group_count = columns.dims()[group].labels.len() + 1;
    let mut mix = vec![vec![0u64; strata]; group_count];
    for (o, cells) in counts.iter().enumerate() {
        for (s, (_, n)) in cells.iter().enumerate() {
            mix[usize::from(group_of[o])][s] += n;
        }
    }
    let mut out = Vec::new();
    for (o, cells) in counts.iter().enumerate().skip(1) {
        let (x, n) = cells.iter().fold((0, 0), |(a, b), (x, n)| (a + x, b + n));
        // Each organisation's figure is a total over its own respondents.
        if !disclosure::population(n, minimum).is_shown() {
            continue;
        }
        let raw = x as f64 / n as f64;
        let value = standardised(cells, &mix[usize::from(group_of[o])]).unwrap_or(raw);
        let interval = wilson(x, n)
            .map(|p| (p.low - p.value, p.high - p.value))
            .unwrap_or((0.0, 0.0));
        out.push(Position {
            organisation: o as u16,
            benchmark_group: group_of[o],
            answered: n,
            raw,
            standardised: value,
            low: (value + interval.0).max(0.0),
            high: (value + interval.1).min(1.0),
            group_median: 0.0,
            group_best: 0.0,
            group_worst: 0.0,
            rank: 0,
            group_size: 0,
            flagged: false,
        });
    }
    for g in 0..group_count as u16 {
        let mut values: Vec<f64> = out
            .iter()
            .filter(|p| p.benchmark_group == g)
            .map(|p| p.standardised)
            .collect();
        if values.is_empty() {
            continue;
        }
        values.sort_by(|a, b| a.total_cmp(b));
        let (mid, low, high) = (median(&values), values[0], values[values.len() - 1]);
        let (best, worst) = if higher_is_better {
            (high, low)
        } else {
            (low, high)
        };
        for p in out.iter_mut().filter(|p| p.benchmark_group == g) {
            p.group_median = mid;
            p.group_best = best;
            p.group_worst = worst;
            p.group_size = values.len();
            p.rank = 1 + values
                .iter()
                .filter(|v| {
                    if higher_is_better {
                        **v > p.standardised
                    } else {
                        **v < p.standardised
                    }
                })
                .count();
            p.flagged = if higher_is_better {
                p.high < mid
            } else {
                p.low > mid
            };
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::Kind;

    const SURVEY: Minimum = Minimum::default_for(Kind::SurveyResults);

    #[test]
    fn groups_have_medians_and_the_worst_are_flagged() {
        let data = crate::synth::generate(60_000, 30, 3);
        let all = Bitmap::full(data.rows());
        let harassment = positions(&data, &all, "harassment_colleagues", false, SURVEY).unwrap();
        assert_eq!(harassment.len(), 30);
        for p in &harassment {
            assert!(
                p.group_best <= p.group_median && p.group_median <= p.group_worst,
                "lower is better: {p:?}"
            );
            assert!(p.low <= p.standardised && p.standardised <= p.high);
            assert!((1..=p.group_size).contains(&p.rank));
            if p.flagged {
                assert!(p.low > p.group_median);
            }
        }
        // Organisations' cultures differ in the synthetic data, so some stand out.
        assert!(
            harassment.iter().any(|p| p.flagged),
            "expected at least one organisation to be flagged"
        );
        assert!(
            positions(&data, &all, "no_such_item", true, SURVEY)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn standardising_to_the_same_mix_changes_nothing() {
        // Two strata, same mix as the reference: standardised equals raw.
        let rates = [(10, 100), (40, 100)];
        assert!((standardised(&rates, &[100, 100]).unwrap() - 0.25).abs() < 1e-12);
    }
}

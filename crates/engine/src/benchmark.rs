//! Organisations against their benchmark group: each organisation's rate standardised to
//! its group's staff mix (so a trust with more nurses is not compared unfairly with one
//! with more administrators), with the standardised rate's own interval; the group's
//! median, best and worst; and where it falls on a funnel plot around its group's overall
//! rate, with limits that allow for real differences between organisations (see
//! [`crate::stats::overdispersion`]). Internal breakdowns elsewhere are unweighted; pages
//! say which they show.

#![expect(
    clippy::indexing_slicing,
    reason = "organisation, group and stratum values are below the label counts the arrays are sized by"
)]

use crate::bitmap::Bitmap;
use crate::columns::{Columns, EngineError};
use crate::disclosure::{self, Minimum};
use crate::stats::{
    FunnelPoint, Standardised, Z95, Z998, funnel_limits, overdispersion, standardised_proportion,
};

/// An oversight indicator: the item whose share is watched. Which way is better comes
/// from the survey's definition of the item, never from here.
#[derive(Debug, Clone, Copy)]
pub struct Oversight {
    pub item: &'static str,
    pub title: &'static str,
}

/// The indicators used to find organisations that may need support.
pub const OVERSIGHT: &[Oversight] = &[
    Oversight {
        item: "harassment_managers",
        title: "Harassment, bullying or abuse from managers",
    },
    Oversight {
        item: "harassment_colleagues",
        title: "Harassment, bullying or abuse from colleagues",
    },
    Oversight {
        item: "team_shared_objectives",
        title: "Team working",
    },
    Oversight {
        item: "equal_opportunities_progression",
        title: "Inclusion: equal opportunities for progression",
    },
];

/// Where an organisation falls on its group's funnel plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Beyond the 99.8 % limit on the worse side: very unlikely to be chance or the usual
    /// spread between organisations. These organisations are flagged.
    FarWorse,
    /// Between the 95 % and 99.8 % limits on the worse side.
    Worse,
    AsExpected,
    Better,
    FarBetter,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Position {
    /// Organisation value (from 1).
    pub organisation: u16,
    pub benchmark_group: u16,
    pub answered: u64,
    /// The raw share (0 to 1).
    pub raw: f64,
    /// The share standardised to the group's staff mix, with its own interval.
    pub standardised: Standardised,
    /// The group's overall share: the funnel's centre line.
    pub group_target: f64,
    pub group_median: f64,
    pub group_best: f64,
    pub group_worst: f64,
    /// 1 is best in the group.
    pub rank: usize,
    pub group_size: usize,
    /// The funnel's 95 % and 99.8 % limits at this organisation's effective size.
    pub limits_95: (f64, f64),
    pub limits_998: (f64, f64),
    pub standing: Standing,
}

impl Position {
    /// Far worse than its group once chance and the usual spread are allowed for.
    pub fn flagged(&self) -> bool {
        self.standing == Standing::FarWorse
    }
}

/// Every shown organisation's position on one item, and the spread between organisations
/// the funnel limits allow for.
#[derive(Debug, Clone, PartialEq)]
pub struct Positions {
    pub organisations: Vec<Position>,
    /// tau^2: the variance between organisations beyond chance, on the share scale.
    pub spread: f64,
    /// False when there were too few organisations to estimate the spread
    /// ([`SPREAD_NEEDS`]): the limits then allow for chance alone.
    pub spread_estimated: bool,
}

/// How many shown organisations it takes to estimate the spread between them.
pub const SPREAD_NEEDS: usize = 10;

fn median(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn standing(
    value: f64,
    limits_95: (f64, f64),
    limits_998: (f64, f64),
    higher_is_better: bool,
) -> Standing {
    let (above, below) = if value > limits_998.1 {
        (Standing::FarBetter, Standing::FarWorse)
    } else if value > limits_95.1 {
        (Standing::Better, Standing::Worse)
    } else if value < limits_998.0 {
        (Standing::FarWorse, Standing::FarBetter)
    } else if value < limits_95.0 {
        (Standing::Worse, Standing::Better)
    } else {
        return Standing::AsExpected;
    };
    // `above` reads the result as if higher were better; `below` as if lower were.
    if higher_is_better { above } else { below }
}

/// Every organisation with at least `minimum` answers, against its benchmark group, for one
/// item, in one pass over the chosen respondents.
pub fn positions(
    columns: &Columns,
    chosen: &Bitmap,
    item_key: &str,
    higher_is_better: bool,
    minimum: Minimum,
) -> Result<Positions, EngineError> {
    let (Some(item), Some(org), Some(group), Some(staff)) = (
        columns.item_index(item_key),
        columns.dim_index("organisation"),
        columns.dim_index("benchmark_group"),
        columns.dim_index("staff_group"),
    ) else {
        return Ok(Positions {
            organisations: Vec::new(),
            spread: 0.0,
            spread_estimated: false,
        });
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
    // Each group's overall share, from everyone in it: the funnel's centre line.
    let mut totals = vec![(0u64, 0u64); group_count];
    for (o, cells) in counts.iter().enumerate() {
        let t = &mut totals[usize::from(group_of[o])];
        for (x, n) in cells {
            t.0 += x;
            t.1 += n;
        }
    }
    let target = |g: u16| {
        let (x, n) = totals[usize::from(g)];
        if n == 0 { 0.0 } else { x as f64 / n as f64 }
    };
    let mut out = Vec::new();
    for (o, cells) in counts.iter().enumerate().skip(1) {
        let (x, n) = cells.iter().fold((0, 0), |(a, b), (x, n)| (a + x, b + n));
        // Each organisation's figure is a total over its own respondents.
        if !disclosure::population(n, minimum).is_shown() {
            continue;
        }
        let Some(figure) = standardised_proportion(cells, &mix[usize::from(group_of[o])]) else {
            continue;
        };
        out.push(Position {
            organisation: o as u16,
            benchmark_group: group_of[o],
            answered: n,
            raw: x as f64 / n as f64,
            standardised: figure,
            group_target: target(group_of[o]),
            group_median: 0.0,
            group_best: 0.0,
            group_worst: 0.0,
            rank: 0,
            group_size: 0,
            limits_95: (0.0, 1.0),
            limits_998: (0.0, 1.0),
            standing: Standing::AsExpected,
        });
    }
    // One spread for the whole country: a benchmark group holds too few organisations to
    // estimate it well on its own, and each point is still judged against its own group.
    // With very few organisations the estimate would swallow the very differences the
    // plot looks for, so the limits then allow for chance alone.
    let spread_estimated = out.len() >= SPREAD_NEEDS;
    let spread = if !spread_estimated {
        0.0
    } else {
        overdispersion(
            &out.iter()
                .map(|p| FunnelPoint {
                    value: p.standardised.value,
                    target: p.group_target,
                    effective_n: p.standardised.effective_n,
                })
                .collect::<Vec<_>>(),
        )
    };
    for g in 0..group_count as u16 {
        let mut values: Vec<f64> = out
            .iter()
            .filter(|p| p.benchmark_group == g)
            .map(|p| p.standardised.value)
            .collect();
        if values.is_empty() {
            continue;
        }
        values.sort_by(f64::total_cmp);
        let (mid, low, high) = (median(&values), values[0], values[values.len() - 1]);
        let (best, worst) = if higher_is_better {
            (high, low)
        } else {
            (low, high)
        };
        for p in out.iter_mut().filter(|p| p.benchmark_group == g) {
            let value = p.standardised.value;
            p.group_median = mid;
            p.group_best = best;
            p.group_worst = worst;
            p.group_size = values.len();
            p.rank = 1 + values
                .iter()
                .filter(|v| {
                    if higher_is_better {
                        **v > value
                    } else {
                        **v < value
                    }
                })
                .count();
            let n = p.standardised.effective_n;
            p.limits_95 = funnel_limits(p.group_target, n, spread, Z95);
            p.limits_998 = funnel_limits(p.group_target, n, spread, Z998);
            p.standing = standing(value, p.limits_95, p.limits_998, higher_is_better);
        }
    }
    Ok(Positions {
        organisations: out,
        spread,
        spread_estimated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::Kind;

    const SURVEY: Minimum = Minimum::default_for(Kind::SurveyResults);

    #[test]
    fn groups_have_medians_and_only_the_far_worse_are_flagged() {
        let data = crate::synth::generate(60_000, 30, 3);
        let all = Bitmap::full(data.rows());
        let harassment = positions(&data, &all, "harassment_colleagues", false, SURVEY).unwrap();
        assert_eq!(harassment.organisations.len(), 30);
        assert!(
            harassment.spread > 0.0,
            "the synthetic organisations differ"
        );
        for p in &harassment.organisations {
            let figure = p.standardised;
            assert!(
                p.group_best <= p.group_median && p.group_median <= p.group_worst,
                "lower is better: {p:?}"
            );
            assert!(figure.low <= figure.value && figure.value <= figure.high);
            assert!((1..=p.group_size).contains(&p.rank));
            assert!(p.limits_998.0 <= p.limits_95.0 && p.limits_95.1 <= p.limits_998.1);
            let far_above = figure.value > p.limits_998.1;
            assert_eq!(
                p.flagged(),
                far_above,
                "lower is better, so far above is far worse: {p:?}"
            );
        }
        let flagged = harassment
            .organisations
            .iter()
            .filter(|p| p.flagged())
            .count();
        assert!(
            flagged * 5 < 30,
            "a flag should be rare, not a third of the country: {flagged}"
        );
        assert!(
            positions(&data, &all, "no_such_item", true, SURVEY)
                .unwrap()
                .organisations
                .is_empty()
        );
    }

    /// Turning the direction round turns every rank, best, worst and standing round too:
    /// the benchmark must never call the organisation with the most harassment the best.
    #[test]
    fn direction_decides_best_worst_rank_and_standing() {
        let data = crate::synth::generate(30_000, 20, 2);
        let all = Bitmap::full(data.rows());
        let lower = positions(&data, &all, "harassment_colleagues", false, SURVEY).unwrap();
        let higher = positions(&data, &all, "harassment_colleagues", true, SURVEY).unwrap();
        assert_eq!(lower.spread, higher.spread);
        for (l, h) in lower.organisations.iter().zip(&higher.organisations) {
            assert_eq!(l.organisation, h.organisation);
            assert_eq!((l.group_best, l.group_worst), (h.group_worst, h.group_best));
            let ties = lower
                .organisations
                .iter()
                .filter(|o| o.benchmark_group == l.benchmark_group)
                .filter(|o| o.standardised.value == l.standardised.value)
                .count();
            assert_eq!(l.rank + h.rank, l.group_size + 2 - ties, "{l:?}");
            let mirrored = match l.standing {
                Standing::FarWorse => Standing::FarBetter,
                Standing::Worse => Standing::Better,
                Standing::AsExpected => Standing::AsExpected,
                Standing::Better => Standing::Worse,
                Standing::FarBetter => Standing::FarWorse,
            };
            assert_eq!(h.standing, mirrored);
        }
        // The organisation with the highest share of harassment is last when lower is
        // better.
        let most = lower
            .organisations
            .iter()
            .max_by(|a, b| a.standardised.value.total_cmp(&b.standardised.value))
            .unwrap();
        assert_eq!(most.rank, most.group_size);
        assert_eq!(most.group_worst, most.standardised.value);
    }
}

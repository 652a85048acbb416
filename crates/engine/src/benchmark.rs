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

/// Made only by [`positions`], which places an organisation only over the staff groups its
/// disclosed breakdown shows: `non_exhaustive` so no other crate can make one up.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
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
    /// What this organisation's standardised figure would be with the group's share in
    /// each staff group, over the same staff groups its own figure uses: its limits are
    /// drawn around this. It is the group's overall share unless the organisation has
    /// nobody in some staff group (its figure then leaves that group out, and so must the
    /// figure it is judged against).
    pub expected: f64,
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
#[non_exhaustive]
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

/// The staff groups an organisation's figure is standardised over, decided as the staff
/// group breakdown of its results is: a staff group too small to show (or hidden as the
/// partner of one) is not standardised on its own, since its weight would let its few
/// people's answers be read back from the figure. The hidden groups are pooled into one
/// stratum, with their reference weights added: the rule makes that pool empty or at least
/// the minimum, and its share can be had from the shown groups and the total anyway.
fn disclosed_strata(
    cells: &[(u64, u64)],
    reference: &[u64],
    group_cells: &[(u64, u64)],
    minimum: Minimum,
) -> Disclosed {
    let sizes: Vec<u64> = cells.iter().map(|(_, n)| *n).collect();
    let whole = disclosure::population(sizes.iter().sum(), minimum);
    let decided = disclosure::groups(&sizes, &whole, minimum);
    let mut out = Disclosed::default();
    let mut pooled = ((0u64, 0u64), 0u64, (0u64, 0u64));
    for (((cell, weight), group), shown) in
        cells.iter().zip(reference).zip(group_cells).zip(&decided)
    {
        if shown.is_shown() {
            out.strata.push(*cell);
            out.weights.push(*weight);
            out.group.push(*group);
        } else {
            pooled.0.0 += cell.0;
            pooled.0.1 += cell.1;
            pooled.1 += weight;
            pooled.2.0 += group.0;
            pooled.2.1 += group.1;
        }
    }
    out.strata.push(pooled.0);
    out.weights.push(pooled.1);
    out.group.push(pooled.2);
    out
}

/// An organisation's strata as its figure uses them, with the reference weights and the
/// whole group's counts in the same strata.
#[derive(Default)]
struct Disclosed {
    strata: Vec<(u64, u64)>,
    weights: Vec<u64>,
    group: Vec<(u64, u64)>,
}

impl Disclosed {
    /// The group's shares standardised exactly as the organisation's own figure is: over
    /// the strata it has people in, with the same weights.
    fn expected(&self) -> Option<f64> {
        let (mut sum, mut weight) = (0.0, 0.0);
        for ((_, w), (gx, gn)) in self
            .strata
            .iter()
            .zip(&self.weights)
            .zip(&self.group)
            .filter(|(((_, n), w), (_, gn))| *n > 0 && **w > 0 && *gn > 0)
        {
            sum += *w as f64 * (*gx as f64 / *gn as f64);
            weight += *w as f64;
        }
        (weight > 0.0).then(|| sum / weight)
    }
}

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
    // Each organisation's figure is a total over its own respondents: only organisations
    // with at least the minimum are shown, and only they make up the group's staff mix and
    // centre line, so nothing about a hidden organisation reaches a published figure.
    let shown: Vec<bool> = counts
        .iter()
        .map(|cells| disclosure::population(cells.iter().map(|(_, n)| n).sum(), minimum).is_shown())
        .collect();
    let group_count = columns.dims()[group].labels.len() + 1;
    let mut mix = vec![vec![0u64; strata]; group_count];
    let mut group_cells = vec![vec![(0u64, 0u64); strata]; group_count];
    let mut totals = vec![(0u64, 0u64); group_count];
    for (o, cells) in counts.iter().enumerate().filter(|(o, _)| shown[*o]) {
        let g = usize::from(group_of[o]);
        for (s, (x, n)) in cells.iter().enumerate() {
            mix[g][s] += n;
            group_cells[g][s].0 += x;
            group_cells[g][s].1 += n;
            totals[g].0 += x;
            totals[g].1 += n;
        }
    }
    let target = |g: u16| {
        let (x, n) = totals[usize::from(g)];
        if n == 0 { 0.0 } else { x as f64 / n as f64 }
    };
    let mut out = Vec::new();
    for (o, cells) in counts.iter().enumerate().skip(1) {
        if !shown[o] {
            continue;
        }
        let (x, n) = cells.iter().fold((0, 0), |(a, b), (x, n)| (a + x, b + n));
        let g = usize::from(group_of[o]);
        let disclosed = disclosed_strata(cells, &mix[g], &group_cells[g], minimum);
        let Some(figure) = standardised_proportion(&disclosed.strata, &disclosed.weights) else {
            continue;
        };
        let expected = disclosed.expected().unwrap_or_else(|| target(group_of[o]));
        out.push(Position {
            organisation: o as u16,
            benchmark_group: group_of[o],
            answered: n,
            raw: x as f64 / n as f64,
            standardised: figure,
            group_target: target(group_of[o]),
            expected,
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
                    target: p.expected,
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
            p.limits_95 = funnel_limits(p.expected, n, spread, Z95);
            p.limits_998 = funnel_limits(p.expected, n, spread, Z998);
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

    /// One yes-or-no question (yes is code 1, positive), by organisation, benchmark
    /// group and staff group, with no one in it yet.
    fn one_question() -> Columns {
        use crate::columns::{DimMeta, ItemMeta};
        Columns::new(
            vec![ItemMeta {
                key: "q".into(),
                codes: 2,
                positive: 0b10,
            }],
            ["organisation", "benchmark_group", "staff_group"]
                .iter()
                .map(|k| DimMeta {
                    key: (*k).into(),
                    labels: vec!["a".into(), "b".into(), "c".into()],
                })
                .collect(),
        )
    }

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

    /// The attack an outside review made: 20 nurses and one administrator. Standardised
    /// to a group where administrators weigh 40 %, the one administrator's answer moved the
    /// figure by 40 points, so it could be read back from the published figure and the
    /// organisation's total. A staff group too small to show is now pooled, so the figure
    /// is the same whatever that one person answered.
    #[test]
    fn one_person_in_a_staff_group_cannot_be_read_back_from_the_figure() {
        let figure_for = |administrator_answer: u8| {
            let mut data = one_question();
            // Organisation 1: 20 nurses (half say yes) and one administrator.
            for i in 0..20u8 {
                data.push(&[1 + i % 2], &[1, 1, 1]).unwrap();
            }
            data.push(&[administrator_answer], &[1, 1, 2]).unwrap();
            // Organisation 2, same group: 30 nurses and 40 administrators.
            for i in 0..70u16 {
                data.push(&[1 + (i % 3 == 0) as u8], &[2, 1, 1 + (i >= 30) as u16])
                    .unwrap();
            }
            let all = Bitmap::full(data.rows());
            let found = positions(&data, &all, "q", true, SURVEY).unwrap();
            let mine = found
                .organisations
                .iter()
                .find(|p| p.organisation == 1)
                .unwrap();
            (mine.standardised.value, mine.raw)
        };
        let (yes, raw_yes) = figure_for(1);
        let (no, raw_no) = figure_for(2);
        assert!(raw_yes != raw_no, "the organisation's total does move");
        // Pooled with the nurses, the figure is the raw share: it moves only as the total
        // (already published) does, never by the administrator's weight.
        assert!(
            (yes - raw_yes).abs() < 1e-12 && (no - raw_no).abs() < 1e-12,
            "{yes} {no}"
        );
    }

    /// Worked by hand. Staff groups: nurses (1) and administrators (2). In one benchmark
    /// group: organisation 1 has 40 nurses (30 say yes) and no administrators;
    /// organisation 2 has 40 nurses (20 yes) and 40 administrators (8 yes); organisation
    /// 3 has 20 nurses (10 yes) and 60 administrators (30 yes). The group: nurses 60 of
    /// 100 (0.60), administrators 38 of 100 (0.38), both weighing 100; overall 98 of 200
    /// (0.49). Organisation 1's figure can only use nurses (0.75), so it must be judged
    /// against the group's nurses (0.60), not the overall 0.49, which would flatter it by
    /// 11 points. Organisation 2's figure is 0.5 x 0.50 + 0.5 x 0.20 = 0.35, judged against
    /// 0.5 x 0.60 + 0.5 x 0.38 = 0.49.
    #[test]
    fn an_organisation_missing_a_staff_group_is_judged_over_the_groups_it_has() {
        let mut data = one_question();
        let mut people = |org: u16, staff: u16, n: u16, yes: u16| {
            for i in 0..n {
                data.push(&[if i < yes { 1 } else { 2 }], &[org, 1, staff])
                    .unwrap();
            }
        };
        people(1, 1, 40, 30);
        people(2, 1, 40, 20);
        people(2, 2, 40, 8);
        people(3, 1, 20, 10);
        people(3, 2, 60, 30);
        let all = Bitmap::full(data.rows());
        let found = positions(&data, &all, "q", true, SURVEY).unwrap();
        let org = |o: u16| {
            found
                .organisations
                .iter()
                .find(|p| p.organisation == o)
                .unwrap()
                .clone()
        };
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        let one = org(1);
        assert!(close(one.standardised.value, 0.75), "{one:?}");
        assert!(close(one.group_target, 0.49), "{one:?}");
        assert!(close(one.expected, 0.60), "{one:?}");
        let two = org(2);
        assert!(close(two.standardised.value, 0.35), "{two:?}");
        assert!(close(two.expected, 0.49), "{two:?}");
        // The limits are drawn around what each is judged against.
        for p in [&one, &two] {
            assert!(
                p.limits_95.0 < p.expected && p.expected < p.limits_95.1,
                "{p:?}"
            );
        }
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

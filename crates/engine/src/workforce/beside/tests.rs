//! Each check attacks the breakdowns as a reader would: from every count of the year as the
//! equality pages publish it, each group's count as decided here, and which groups work in
//! which bands, the exact solver works out the least and greatest value of every count. A
//! small one pinned to one value would name people.

use super::super::tests::staff;
use super::super::*;
use crate::disclosure::audit::System;
use crate::disclosure::{Kind, groups as by_the_breakdown_rule};
use crate::rng::Rng;

fn minimum(people: u64) -> Minimum {
    Minimum::new(Kind::Workforce, people).expect("a minimum the settings allow")
}

/// How a group's count reads.
#[derive(Debug, Clone, Copy)]
enum Reading {
    Exact(u64),
    FewerThan,
    Withheld,
    /// "hidden", which says nothing of its size.
    Hidden,
}

impl From<PublishedCount> for Reading {
    fn from(count: PublishedCount) -> Reading {
        match (count.exact(), count.fewer_than()) {
            (Some(n), _) => Reading::Exact(n),
            (None, Some(_)) => Reading::FewerThan,
            (None, None) => Reading::Withheld,
        }
    }
}

/// A count as the attacker reads it. "Fewer than" is from 1, or from 0 where `masked`
/// (under a total that reads "fewer than", zeros read so too) or the count is 0.
fn read(
    system: &mut System,
    reading: Reading,
    (value, masked): (u64, bool),
    threshold: u64,
    bound: u64,
) {
    match reading {
        Reading::Exact(n) => {
            assert_eq!(n, value);
            system.exact(n)
        }
        Reading::FewerThan => system.range(u64::from(value > 0 && !masked), threshold),
        Reading::Withheld => system.range(threshold + 1, bound),
        Reading::Hidden => system.range(0, bound),
    };
}

/// Every small count the attacker pins: `(what, value)`. `groups` is how each group of
/// each breakdown is published; `None` when the search is too large to finish.
fn pinned(
    indicators: &Indicators,
    breakdowns: &[Vec<GroupByBand>],
    groups: &[Vec<Reading>],
    threshold: u64,
) -> Option<Vec<(String, u64)>> {
    let decision = &indicators.decision;
    let sheet = &decision.sheet;
    let bound = 2 * sheet.values.iter().copied().max().unwrap_or(0) + threshold + 1;
    let mut system = System::default();
    let mut secret: Vec<(String, u64, usize, bool)> = Vec::new();
    let masked: Vec<usize> = sheet
        .sums
        .iter()
        .filter(|(total, _)| decision.published.get(*total).fewer_than().is_some())
        .flat_map(|(_, parts)| parts.clone())
        .collect();
    for (cell, (&value, &kind)) in sheet.values.iter().zip(&sheet.published).enumerate() {
        let at = system.ranges.len();
        match kind {
            Cell::Known => {
                system.exact(value);
            }
            Cell::Never => {
                system.range(0, bound);
            }
            Cell::Shown => read(
                &mut system,
                decision.published.get(cell).into(),
                (value, masked.contains(&cell)),
                threshold,
                bound,
            ),
        }
        let exact = kind != Cell::Never && decision.published.get(cell).exact().is_some();
        secret.push((format!("count {cell} of the year"), value, at, exact));
    }
    for (total, parts) in &sheet.sums {
        system.sum(*total, parts.clone());
    }
    let rows: BTreeMap<(Side, Band), usize> = decision.bands.iter().copied().collect();
    for (b, (breakdown, shown)) in breakdowns.iter().zip(groups).enumerate() {
        let mut in_row: BTreeMap<(Side, Band), Vec<usize>> = BTreeMap::new();
        let mut totals = Vec::new();
        for (g, (group, &count)) in breakdown.iter().zip(shown).enumerate() {
            let mut parts = Vec::new();
            for (&key, &n) in group.iter().filter(|(_, n)| **n > 0) {
                let cell = system.range(0, bound);
                secret.push((format!("group {g} of {b} in {key:?}"), n, cell, false));
                parts.push(cell);
                in_row.entry(key).or_default().push(cell);
            }
            let people: u64 = group.values().sum();
            let total = system.ranges.len();
            read(&mut system, count, (people, false), threshold, bound);
            let exact = matches!(count, Reading::Exact(_));
            secret.push((format!("group {g} of {b}"), people, total, exact));
            system.sum(total, parts);
            totals.push(total);
        }
        for (key, &row) in &rows {
            system.sum(row, in_row.remove(key).unwrap_or_default());
        }
        system.sum(decision.grand, totals);
    }
    let ranges = match system.solve() {
        Ok(ranges) => ranges,
        Err(crate::disclosure::audit::Unsolved::TooLarge) => return None,
        Err(e) => panic!("{e:?}"),
    };
    Some(
        secret
            .into_iter()
            .filter(|(_, value, cell, exact)| {
                !exact && (1..=threshold).contains(value) && ranges[*cell].0 == ranges[*cell].1
            })
            .map(|(what, value, _, _)| (what, value))
            .collect(),
    )
}

fn group(people: &[((Side, Band), u64)]) -> GroupByBand {
    people.iter().copied().collect()
}

/// The outside attack on the workforce page. Clinical band 5 has 63 staff: 60 nurses and 3
/// students. Non-clinical band 3 has 50 administrative staff and clinical band 6 has 30
/// allied health professionals. The breakdown rule alone hides the 3 students and, beside
/// them, the next smallest group (the 30), and shows the nurses and the administrators; but
/// band 6 is all allied health professionals, so the 30 are back from its row, and the
/// students are the whole's 143 less 60, 50 and 30. Decided beside the rows, no small
/// count can be had.
#[test]
fn a_hidden_staff_group_is_not_had_from_the_band_rows() {
    let (c5, c6, n3) = (
        (Side::Clinical, Band::Afc5),
        (Side::Clinical, Band::Afc6),
        (Side::NonClinical, Band::Afc3),
    );
    let year = WorkforceYear {
        staff: vec![
            staff(Band::Afc5, Side::Clinical, [40, 20, 3], [10, 50, 3]),
            staff(Band::Afc6, Side::Clinical, [15, 15, 0], [12, 18, 0]),
            staff(Band::Afc3, Side::NonClinical, [30, 20, 0], [11, 39, 0]),
        ],
        ..WorkforceYear::default()
    };
    let m = minimum(10);
    let indicators = indicators(&year, m).unwrap();
    assert_eq!(indicators.wres.staff.rows.len(), 3);
    let staff_groups = vec![
        group(&[(c5, 60)]),
        group(&[(c5, 3)]),
        group(&[(n3, 50)]),
        group(&[(c6, 30)]),
    ];
    // The breakdown rule on its own, as the page decided before: the students are had,
    // even by a reader who takes "hidden" to say nothing.
    let whole = crate::disclosure::population(143, m);
    let alone: Vec<Reading> = by_the_breakdown_rule(&[60, 3, 50, 30], &whole, m)
        .into_iter()
        .map(|d| d.into_value().map_or(Reading::Hidden, Reading::Exact))
        .collect();
    let breakdowns = vec![staff_groups];
    let had = pinned(&indicators, &breakdowns, &[alone], 9).expect("small enough");
    assert!(had.contains(&("group 1 of 0".into(), 3)), "{had:?}");

    let decided = indicators
        .staff_breakdowns(&breakdowns, m)
        .expect("a decision");
    let readings: Vec<Vec<Reading>> = decided
        .iter()
        .map(|b| b.iter().map(|&c| c.into()).collect())
        .collect();
    assert_eq!(
        pinned(&indicators, &breakdowns, &readings, 9).expect("small enough"),
        vec![]
    );
    assert!(decided[0][1].exact().is_none(), "the 3 students are hidden");
}

/// Random small workforces, person by person: each in one of three bands and sides, with
/// an ethnicity, a disability, a staff group (some groups rare) and a sex. Small minimums
/// (4 to 6) keep the exact search small; the rules are the same for any minimum. However
/// the equality tables were decided, no small count of the tables, of the groups or of a
/// group in a band is ever pinned.
#[test]
fn random_workforces_never_pin_a_small_count() {
    let places = [
        (Side::Clinical, Band::Afc5),
        (Side::Clinical, Band::Consultant),
        (Side::NonClinical, Band::Afc3),
    ];
    let (mut solved, mut none, mut shown) = (0, 0, 0);
    for seed in 0..80 {
        let mut rng = Rng::new(seed);
        let threshold = 3 + rng.below(3);
        let m = Minimum::new(Kind::SpeakUpReturns, threshold + 1).unwrap();
        let people = 12 + rng.below(20);
        // Staff groups: the first common, the rest rarer, and each keeps to some places.
        let homes: Vec<Vec<usize>> = (0..4)
            .map(|_| {
                let home: Vec<usize> = (0..3).filter(|_| rng.below(2) == 0).collect();
                if home.is_empty() {
                    vec![rng.below(3) as usize]
                } else {
                    home
                }
            })
            .collect();
        let mut rows = [[[0u64; 3]; 2]; 3];
        let mut staff_groups = vec![GroupByBand::new(); 4];
        let mut sexes = vec![GroupByBand::new(); 2];
        for _ in 0..people {
            let g = match rng.below(10) {
                0..=5 => 0,
                6 | 7 => 1,
                8 => 2,
                _ => 3,
            };
            let home = &homes[g];
            let at = home[rng.below(home.len() as u64) as usize];
            rows[at][0][rng.below(3) as usize] += 1;
            rows[at][1][rng.below(3) as usize] += 1;
            *staff_groups[g].entry(places[at]).or_default() += 1;
            *sexes[rng.below(2) as usize].entry(places[at]).or_default() += 1;
        }
        let year = WorkforceYear {
            staff: places
                .iter()
                .zip(rows)
                .filter(|(_, [e, _])| e.iter().sum::<u64>() > 0)
                .map(|(&(side, band), [e, d])| staff(band, side, e, d))
                .collect(),
            ..WorkforceYear::default()
        };
        let indicators = indicators(&year, m).unwrap();
        let breakdowns = vec![staff_groups, sexes];
        let Some(decided) = indicators.staff_breakdowns(&breakdowns, m) else {
            none += 1;
            continue;
        };
        let readings: Vec<Vec<Reading>> = decided
            .iter()
            .map(|b| b.iter().map(|&c| c.into()).collect())
            .collect();
        shown += readings
            .iter()
            .flatten()
            .filter(|r| matches!(r, Reading::Exact(n) if *n > 0))
            .count();
        if let Some(had) = pinned(&indicators, &breakdowns, &readings, threshold) {
            assert_eq!(had, vec![], "seed {seed}");
            solved += 1;
        }
    }
    assert!(solved > 70, "only {solved} solved");
    assert!(none < 5, "{none} showed no group");
    // Hiding everything would pass the attack: the decision must still show some groups.
    assert!(shown > 150, "only {shown} groups shown");
}

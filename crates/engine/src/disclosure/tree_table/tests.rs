//! Each check attacks the table as a reader would: from every count shown, every "fewer
//! than" and every headcount, with every sum down the tree and along each unit's groups,
//! the exact solver works out the least and greatest value of every count not shown
//! exactly. A small one pinned to one value would name people.

use super::super::audit::System;
use super::super::{Kind, Minimum};
use super::*;
use crate::rng::Rng;

fn minimum(people: u64) -> Minimum {
    Minimum {
        kind: Kind::Workforce,
        people,
    }
}

fn table(parents: Vec<Option<usize>>, direct: Vec<Vec<u64>>, minimum: Minimum) -> TreeTable {
    TreeTable::by_the_rules(parents, direct, minimum)
}

/// Every small count not shown exactly (a unit's group, or a unit's own people in a
/// group), with what the attacker can narrow it to.
fn attack(
    table: &TreeTable,
    published: &[Vec<PublishedCount>],
    minimum: Minimum,
) -> Vec<(String, u64, (u64, u64))> {
    let places = table.direct.len();
    let groups_count = table.organisation.len();
    let threshold = minimum.people - 1;
    let below = below(table);
    let bound: u64 = below[0].iter().sum();
    let mut system = System::default();
    let mut secret = Vec::new();
    let direct: Vec<Vec<usize>> = (0..places)
        .map(|p| {
            (0..groups_count)
                .map(|g| {
                    let cell = system.range(0, bound);
                    secret.push((
                        format!("own people of {p} in group {g}"),
                        table.direct[p][g],
                        cell,
                    ));
                    cell
                })
                .collect()
        })
        .collect();
    let cells: Vec<Vec<usize>> = (0..places)
        .map(|p| {
            (0..groups_count)
                .map(|g| {
                    let value = below[p][g];
                    let reading = if p == 0 {
                        match table.organisation[g] {
                            ShownAbove::Exact | ShownAbove::HiddenButKnowable => Some(value),
                            _ => None,
                        }
                    } else {
                        published[p][g].exact()
                    };
                    let cell = match reading {
                        Some(n) => system.exact(n),
                        None if p > 0 && published[p][g].fewer_than().is_some() => {
                            // A stronger reader than the page allows: a masked zero reads
                            // "fewer than" too, but here non-zero counts are known to be.
                            if value == 0 {
                                system.range(0, threshold)
                            } else {
                                system.range(1, threshold)
                            }
                        }
                        // Withheld beside a shown headcount: more than the threshold, unless
                        // the whole column is kept back (it says nothing then).
                        None if p > 0
                            && table.headcounts[p].is_shown()
                            && table.organisation[g] != ShownAbove::HiddenButKnowable =>
                        {
                            system.range(threshold + 1, bound)
                        }
                        None => system.range(0, bound),
                    };
                    if reading.is_none() {
                        secret.push((format!("place {p} in group {g}"), value, cell));
                    }
                    cell
                })
                .collect()
        })
        .collect();
    let mut totals = Vec::new();
    for p in 0..places {
        let total = match table.headcounts[p].value() {
            Some(&n) => system.exact(n),
            None => system.range(0, bound),
        };
        system.sum(total, cells[p].clone());
        for g in 0..groups_count {
            let mut parts = vec![direct[p][g]];
            parts.extend(
                (p + 1..places)
                    .filter(|&c| table.parents[c] == Some(p))
                    .map(|c| cells[c][g]),
            );
            system.sum(cells[p][g], parts);
        }
        totals.push(total);
    }
    for p in 0..places {
        let own = system.range(0, bound);
        system.sum(own, direct[p].clone());
        let mut parts = vec![own];
        parts.extend(
            (p + 1..places)
                .filter(|&c| table.parents[c] == Some(p))
                .map(|c| totals[c]),
        );
        system.sum(totals[p], parts);
    }
    let ranges = system.solve().expect("the attack's search finishes");
    secret
        .into_iter()
        .map(|(name, value, cell)| (name, value, ranges[cell]))
        .collect()
}

fn assert_safe(table: &TreeTable, published: &[Vec<PublishedCount>], minimum: Minimum) {
    for (name, value, (low, high)) in attack(table, published, minimum) {
        assert!(
            !(1..minimum.people).contains(&value) || low < high,
            "{name}: {value} is pinned to {low}..={high} in {table:?} published as {published:?}"
        );
    }
}

/// The attack the table exists for. Each unit's own row is safe on its own: B hides
/// admin and students together (8 and 2 make 10). But the organisation shows 12 students
/// and unit A 10, so B's students are 12 less 10.
#[test]
fn a_units_hidden_group_is_not_had_down_the_column() {
    let minimum = minimum(10);
    let table = table(
        vec![None, Some(0), Some(0)],
        vec![vec![0, 0, 0], vec![28, 12, 10], vec![15, 8, 2]],
        minimum,
    );
    assert_eq!(table.organisation, [ShownAbove::Exact; 3]);
    let published = tree_table(&table, minimum).expect("a decision");
    assert!(
        published[2][2].exact().is_none(),
        "B's 2 students are hidden"
    );
    assert!(
        published[1][1].exact().is_none() || published[1][2].exact().is_none(),
        "one of A's groups is withheld with them: {:?}",
        published[1]
    );
    assert_safe(&table, &published, minimum);
}

/// A team's own people are had as the team less nothing: a leaf's groups are its people's.
/// A division with teams below it keeps its own people's small groups from being had as
/// the division less its teams.
#[test]
fn a_places_own_people_are_not_had_as_it_less_its_units() {
    let minimum = minimum(10);
    let table = table(
        vec![None, Some(0), Some(1), Some(1)],
        vec![vec![0, 0], vec![3, 0], vec![20, 15], vec![30, 12]],
        minimum,
    );
    let published = tree_table(&table, minimum).expect("a decision");
    assert_safe(&table, &published, minimum);
    let shown = published[1..]
        .iter()
        .flatten()
        .filter(|c| c.exact().is_some())
        .count();
    assert!(shown > 0, "not everything is hidden: {published:?}");
}

/// A group the organisation's page hides, but that a reader may work out from elsewhere:
/// no unit shows its count in it, as the units' counts would add up to it. The attack
/// takes it as known, as such a reader would.
#[test]
fn no_unit_shows_a_group_the_organisation_hides() {
    let minimum = minimum(4);
    let mut table = table(
        vec![None, Some(0), Some(0)],
        vec![vec![0, 0, 0], vec![8, 6, 2], vec![7, 5, 1]],
        minimum,
    );
    table.organisation[1] = ShownAbove::HiddenButKnowable;
    table.organisation[2] = ShownAbove::HiddenButKnowable;
    let published = tree_table(&table, minimum).expect("a decision");
    for unit in &published[1..] {
        assert!(
            unit[1].is_withheld() && unit[2].is_hidden(),
            "{published:?}"
        );
        assert!(unit[0].exact().is_some(), "{published:?}");
    }
    assert_safe(&table, &published, minimum);
}

#[test]
fn a_badly_formed_table_shows_nothing() {
    let minimum = minimum(10);
    let mut broken = table(vec![None, Some(0)], vec![vec![0, 0], vec![30, 20]], minimum);
    broken.parents[1] = Some(1);
    assert!(tree_table(&broken, minimum).is_none());
}

fn random_table(rng: &mut Rng, minimum: Minimum) -> TreeTable {
    let places = 2 + rng.below(3) as usize;
    let groups_count = 2 + rng.below(2) as usize;
    let parents = super::super::audit::depth_first_parents(rng, places);
    let has_children = |p: usize| parents.contains(&Some(p));
    let direct = (0..places)
        .map(|p| {
            (0..groups_count)
                .map(|_| {
                    if has_children(p) && rng.below(3) > 0 {
                        0
                    } else {
                        match rng.below(3) {
                            0 => rng.below(minimum.people),
                            _ => rng.below(3 * minimum.people),
                        }
                    }
                })
                .collect()
        })
        .collect();
    table(parents, direct, minimum)
}

#[test]
fn random_trees_never_pin_a_small_count() {
    let mut checked = 0;
    for seed in 0..400 {
        let mut rng = Rng::new(seed);
        let minimum = minimum(3 + rng.below(2));
        let mut table = random_table(&mut rng, minimum);
        // Now and then a column the organisation hides but a reader can work out.
        if rng.below(3) == 0 {
            let g = rng.below(table.organisation.len() as u64) as usize;
            table.organisation[g] = ShownAbove::HiddenButKnowable;
        }
        if !table.headcounts[0].is_shown() {
            continue;
        }
        // Nothing shown is safe; the attack is on what is.
        if let Some(published) = tree_table(&table, minimum) {
            assert_safe(&table, &published, minimum);
            checked += 1;
        }
    }
    assert!(checked > 200, "only {checked} tables were checked");
}

//! The decisions behind a unit's page on made-up organisations: divisions and directorates
//! with staff spread over them, the staff groups decided over every unit at once
//! (`disclosure::tree_table`; units show no other grouping: `overview::unit_figures` says
//! why), and every unit's starters and leavers (`disclosure::tree_turnover`). What is
//! timed is each decision alone; making the trees is not.

#![expect(
    clippy::indexing_slicing,
    reason = "places and groups are the positions the benchmark made its trees with"
)]

use crate::bench::timed;
use dignity_engine::disclosure::{
    self, Disclosed, Earlier, Flows, Kind, Minimum, TreeTable, TreeTurnover,
};
use dignity_engine::rng::Rng;

/// Groups in each grouping the page decides: staff group (with "not recognised").
const GROUPINGS: [usize; 1] = [10];

/// (divisions, directorates in each, teams in each, staff) of the organisations timed.
/// The last has teams, as the page would if it showed their groups too: it shows why it
/// does not (`overview::GROUPS_DOWN_TO`).
const SHAPES: [(usize, usize, usize, usize); 5] = [
    (5, 4, 0, 4_000),
    (8, 6, 0, 8_000),
    (10, 10, 0, 15_000),
    (12, 12, 0, 20_000),
    (5, 6, 8, 8_000),
];

pub fn run(seed: u64) -> anyhow::Result<()> {
    println!(
        "Unit tables: a unit page's staff groups decided over every division and \
         directorate at once (disclosure::tree_table), the workforce minimum at its default \
         of 10. Each line is the median of 7 runs, with the range."
    );
    let minimum = Minimum::new(Kind::Workforce, 10)?;
    for (divisions, directorates, teams, staff) in SHAPES {
        let tables = organisation(divisions, directorates, teams, staff, seed, minimum);
        let (spread, shown) = timed(|| {
            let mut shown = 0usize;
            for table in &tables {
                let decided = disclosure::tree_table(table, minimum)
                    .ok_or_else(|| anyhow::anyhow!("a table was left undecided"))?;
                shown += decided
                    .iter()
                    .flatten()
                    .filter(|c| c.exact().is_some())
                    .count();
            }
            Ok(shown)
        })?;
        let places = 1 + divisions * (1 + directorates * (1 + teams));
        println!(
            "{places} places ({divisions} divisions of {directorates} directorates of {teams} teams), {staff} staff: staff groups {spread}; {shown} counts shown"
        );
        let tree = flows(&tables, seed, minimum);
        // Undecided (every unit's flows hidden) is an answer too: teams' flows are mostly
        // small, and pages do not ask for them.
        let (spread, shown) = timed(|| {
            Ok(disclosure::tree_turnover(&tree, minimum).map(|decided| {
                decided
                    .iter()
                    .filter(|f| f.starters.exact().is_some() || f.leavers.exact().is_some())
                    .count()
            }))
        })?;
        match shown {
            Some(shown) => println!("  starters and leavers {spread}; {shown} places show either"),
            None => println!("  starters and leavers {spread}; undecided, so every unit's hidden"),
        }
    }
    Ok(())
}

/// Starters and leavers for the places of `tables`: of each place's own staff, about one
/// in eight started in the year, about as many left, and the earlier day had the stayers
/// and leavers. Small units' flows come out small, as a real trust's do.
fn flows(tables: &[TreeTable], seed: u64, minimum: Minimum) -> TreeTurnover {
    let Some(table) = tables.first() else {
        return TreeTurnover {
            parents: vec![None],
            headcounts: vec![Disclosed::hidden()],
            now: vec![0],
            earlier: None,
            left: None,
            organisation: Flows {
                starters: Disclosed::hidden(),
                leavers: Disclosed::hidden(),
            },
        };
    };
    let mut rng = Rng::new(seed ^ 0x5eed);
    let now: Vec<u64> = table.direct.iter().map(|row| row.iter().sum()).collect();
    let share = |rng: &mut Rng, n: u64| (0..n).filter(|_| rng.below(8) == 0).count() as u64;
    let started: Vec<u64> = now.iter().map(|&n| share(&mut rng, n)).collect();
    let left: Vec<u64> = now.iter().map(|&n| share(&mut rng, n)).collect();
    let before: Vec<u64> = now
        .iter()
        .zip(&started)
        .zip(&left)
        .map(|((n, s), l)| n - s + l)
        .collect();
    let total = |own: &[u64]| own.iter().sum::<u64>();
    let before_rows = before.iter().map(|&n| vec![n]).collect();
    let headcounts_before =
        TreeTable::by_the_rules(table.parents.clone(), before_rows, minimum).headcounts;
    TreeTurnover {
        parents: table.parents.clone(),
        headcounts: table.headcounts.clone(),
        now: now.clone(),
        organisation: Flows {
            starters: disclosure::population(total(&started), minimum),
            leavers: disclosure::population(total(&left), minimum),
        },
        earlier: Some(Earlier {
            started,
            before,
            headcounts: headcounts_before,
        }),
        left: Some(left),
    }
}

/// One organisation's tables, one per grouping: staff placed in the lowest units and in
/// divisions, each group's share falling away so the later groups are small.
fn organisation(
    divisions: usize,
    directorates: usize,
    teams: usize,
    staff: usize,
    seed: u64,
    minimum: Minimum,
) -> Vec<TreeTable> {
    let mut parents = vec![None];
    let mut homes = Vec::new();
    for _ in 0..divisions {
        let division = parents.len();
        parents.push(Some(0));
        homes.push(division);
        for _ in 0..directorates {
            let directorate = parents.len();
            parents.push(Some(division));
            if teams == 0 {
                homes.push(directorate);
            }
            for _ in 0..teams {
                homes.push(parents.len());
                parents.push(Some(directorate));
            }
        }
    }
    let mut rng = Rng::new(seed);
    let placed: Vec<usize> = (0..staff)
        .map(|_| homes[rng.below(homes.len() as u64) as usize])
        .collect();
    GROUPINGS
        .iter()
        .map(|&groups| {
            let weights: Vec<f64> = (0..groups).map(|g| 1.0 / (1.0 + g as f64)).collect();
            let mut direct = vec![vec![0u64; groups]; parents.len()];
            for &place in &placed {
                direct[place][rng.weighted(&weights)] += 1;
            }
            TreeTable::by_the_rules(parents.clone(), direct, minimum)
        })
        .collect()
}

//! The decision behind a unit's staff by group (`disclosure::tree_table`) on made-up
//! organisations: divisions and directorates with staff spread over them, the staff groups
//! decided over every unit at once, as one unit's page asks for (units show no other
//! grouping: `overview::unit_figures` says why). What is timed is the decision alone;
//! making the trees is not.

#![expect(
    clippy::indexing_slicing,
    reason = "places and groups are the positions the benchmark made its trees with"
)]

use crate::bench::timed;
use dignity_engine::disclosure::{self, Kind, Minimum, TreeTable};
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
            "{places} places ({divisions} divisions of {directorates} directorates of {teams} teams), {staff} staff: {spread}; {shown} counts shown"
        );
    }
    Ok(())
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

//! The decision behind the workforce page's staff groups, sexes and age bands
//! (`Indicators::staff_breakdowns`) on made-up organisations: each staff group keeps to
//! the bands it works in, as in a real trust, so the band rows of the equality tables tie
//! the groups together. What is timed is the year's equality decision and then the
//! breakdowns' decision beside it, as the page asks for them; making the staff is not.

#![expect(
    clippy::indexing_slicing,
    reason = "groups and places are the positions the benchmark made its staff with"
)]

use crate::bench::timed;
use dignity_engine::disclosure::{Kind, Minimum};
use dignity_engine::rng::Rng;
use dignity_engine::workforce::{
    self, Band, Counts, GroupByBand, Side, StaffInPost, WorkforceYear,
};
use std::collections::BTreeMap;

/// Staff in post of the organisations timed.
const SIZES: [usize; 4] = [500, 2_000, 5_000, 12_000];

/// Each staff group's share of the staff, its side and the bands it works in.
const STAFF_GROUPS: [(f64, Side, &[Band]); 9] = {
    use Band::*;
    [
        (0.27, Side::Clinical, &[Afc5, Afc6, Afc7, Afc8a, Afc8b]),
        (0.22, Side::Clinical, &[Afc2, Afc3, Afc4]),
        (
            0.22,
            Side::NonClinical,
            &[
                Afc2,
                Afc3,
                Afc4,
                Afc5,
                Afc6,
                Afc7,
                Afc8a,
                Afc8b,
                Afc8c,
                Afc8d,
                Afc9,
                VerySeniorManager,
            ],
        ),
        (
            0.10,
            Side::Clinical,
            &[Consultant, CareerGrade, Trainee, OtherMedical],
        ),
        (0.07, Side::Clinical, &[Afc5, Afc6, Afc7, Afc8a]),
        (
            0.05,
            Side::Clinical,
            &[Afc4, Afc5, Afc6, Afc7, Afc8a, Afc8b],
        ),
        (0.05, Side::NonClinical, &[Afc1, Afc2, Afc3, Afc4]),
        (
            0.02,
            Side::Clinical,
            &[Afc5, Afc6, Afc7, Afc8a, Afc8b, Afc8c],
        ),
        (0.005, Side::Clinical, &[Afc5]),
    ]
};

/// Shares of each sex, and of each age band (youngest first); the youngest work in the
/// lowest bands only.
const SEXES: [f64; 2] = [0.77, 0.23];
const AGE_BANDS: [f64; 11] = [
    0.01, 0.06, 0.1, 0.11, 0.11, 0.11, 0.12, 0.12, 0.12, 0.09, 0.05,
];

pub fn run(seed: u64) -> anyhow::Result<()> {
    println!(
        "Staff groups: the equality tables' decision for a year, then the workforce page's \
         staff groups, sexes and age bands decided beside it (Indicators::staff_breakdowns), \
         the workforce minimum at its default of 10. Each line is the median of 7 runs, \
         with the range."
    );
    let minimum = Minimum::new(Kind::Workforce, 10)?;
    for staff in SIZES {
        let (year, breakdowns) = organisation(staff, seed);
        let (spread, shown) = timed(|| {
            let indicators = workforce::indicators(&year, minimum)?;
            let decided = indicators
                .staff_breakdowns(&breakdowns, minimum)
                .ok_or_else(|| anyhow::anyhow!("no group could be shown"))?;
            Ok(decided
                .iter()
                .flatten()
                .filter(|c| c.exact().is_some())
                .count())
        })?;
        let groups: usize = breakdowns.iter().map(Vec::len).sum();
        println!(
            "{staff} staff in {} band rows: {spread}; {shown} of {groups} groups shown",
            year.staff.len()
        );
    }
    Ok(())
}

/// One organisation's year of staff in post and its three breakdowns by band.
fn organisation(staff: usize, seed: u64) -> (WorkforceYear, Vec<Vec<GroupByBand>>) {
    let mut rng = Rng::new(seed);
    let group_weights: Vec<f64> = STAFF_GROUPS.iter().map(|g| g.0).collect();
    let mut rows: BTreeMap<(Side, Band), ([u64; 3], [u64; 3])> = BTreeMap::new();
    let mut breakdowns = vec![
        vec![GroupByBand::new(); STAFF_GROUPS.len()],
        vec![GroupByBand::new(); SEXES.len()],
        vec![GroupByBand::new(); AGE_BANDS.len()],
    ];
    for _ in 0..staff {
        let group = rng.weighted(&group_weights);
        let (_, side, bands) = STAFF_GROUPS[group];
        let band = bands[rng.below(bands.len() as u64) as usize];
        let place = (side, band);
        let row = rows.entry(place).or_default();
        row.0[rng.weighted(&[0.75, 0.22, 0.03])] += 1;
        row.1[rng.weighted(&[0.05, 0.85, 0.1])] += 1;
        *breakdowns[0][group].entry(place).or_default() += 1;
        *breakdowns[1][rng.weighted(&SEXES)]
            .entry(place)
            .or_default() += 1;
        let low_band = matches!(band, Band::Afc1 | Band::Afc2 | Band::Afc3);
        let age = if low_band {
            rng.weighted(&AGE_BANDS)
        } else {
            1 + rng.weighted(&AGE_BANDS[1..])
        };
        *breakdowns[2][age].entry(place).or_default() += 1;
    }
    let year = WorkforceYear {
        staff: rows
            .into_iter()
            .map(|((side, band), (e, d))| StaffInPost {
                band,
                side,
                ethnicity: Counts::ethnicity(e[0], e[1], e[2]),
                disability: Counts::disability(d[0], d[1], d[2]),
            })
            .collect(),
        ..WorkforceYear::default()
    };
    (year, breakdowns)
}

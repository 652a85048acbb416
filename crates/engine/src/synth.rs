//! A realistic synthetic national survey, for demos, tests and benchmarks: organisations of
//! varied sizes and kinds, each with its own culture, and answers that hang together (a
//! person who feels unsupported also reports more harassment). Rates are set near published
//! NHS staff survey levels, for example about one in five reporting harassment, bullying
//! or abuse from colleagues. The same seed always gives the same data.

#![expect(
    clippy::indexing_slicing,
    reason = "made-up data indexed by the sizes it was made with"
)]

use crate::columns::{Columns, DimMeta, ItemMeta};
use crate::rng::Rng;

#[derive(Debug, Clone, Copy)]
enum Kind {
    /// 5-point agreement; positive = agree or strongly agree. Base share positive.
    Agreement(f64),
    /// Never / 1-2 / 3-5 / 6-10 / more than 10 times; positive = at least once. Base rate.
    Frequency(f64),
    /// Yes / no / don't know; positive = yes.
    YesNo(f64),
    /// 0 to 10, stored as codes 1 to 11.
    Score,
}

/// The synthetic questionnaire: 100 items.
fn questionnaire() -> Vec<(String, Kind)> {
    let mut items = Vec::new();
    let frequency = [
        ("harassment_public", 0.27),
        ("harassment_managers", 0.11),
        ("harassment_colleagues", 0.19),
        ("violence_public", 0.14),
        ("violence_managers", 0.01),
        ("violence_colleagues", 0.02),
        ("discrimination_manager_colleague", 0.08),
        ("discrimination_public", 0.06),
        ("pressure_to_work_unwell", 0.20),
        ("unwanted_sexual_behaviour", 0.04),
        ("saw_errors", 0.30),
        ("burnout", 0.34),
    ];
    for (key, rate) in frequency {
        items.push((key.to_owned(), Kind::Frequency(rate)));
    }
    let named_agreement = [
        ("safe_to_speak_up", 0.62),
        ("confident_concerns_addressed", 0.49),
        ("fair_treatment_after_errors", 0.58),
        ("team_shared_objectives", 0.72),
        ("team_respect", 0.70),
        ("equal_opportunities_progression", 0.56),
        ("feel_valued", 0.45),
        ("manager_supportive", 0.68),
        ("adjustments_made", 0.73),
        ("would_recommend_work", 0.60),
    ];
    for (key, share) in named_agreement {
        items.push((key.to_owned(), Kind::Agreement(share)));
    }
    for i in 0..60 {
        items.push((
            format!("agree_{i:02}"),
            Kind::Agreement(0.40 + 0.45 * ((i * 37 % 60) as f64 / 60.0)),
        ));
    }
    for (i, rate) in [0.55, 0.48, 0.62, 0.35, 0.70, 0.52, 0.44, 0.60]
        .into_iter()
        .enumerate()
    {
        // The first is the equality standards' "was it reported?" question.
        let key = if i == 0 {
            "harassment_reported".to_owned()
        } else {
            format!("yes_no_{i}")
        };
        items.push((key, Kind::YesNo(rate)));
    }
    for i in 0..10 {
        items.push((format!("theme_{i}"), Kind::Score));
    }
    items
}

fn item_meta(key: &str, kind: Kind) -> ItemMeta {
    let (codes, positive) = match kind {
        Kind::Agreement(_) => (5, 0b11_0000),
        Kind::Frequency(_) => (5, 0b11_1100),
        Kind::YesNo(_) => (3, 0b10),
        Kind::Score => (11, 0),
    };
    ItemMeta {
        key: key.to_owned(),
        codes,
        positive,
    }
}

pub const STAFF_GROUPS: &[&str] = &[
    "Nursing and midwifery",
    "Medical and dental",
    "Allied health professionals",
    "Healthcare assistants",
    "Administrative and clerical",
    "Estates and ancillary",
    "Ambulance",
    "Scientific and technical",
];
pub const BENCHMARK_GROUPS: &[&str] = &[
    "Acute",
    "Acute specialist",
    "Mental health",
    "Community",
    "Ambulance",
];
pub const YEARS: &[&str] = &["2024", "2025", "2026"];
const UNITS_PER_ORG: usize = 12;

/// The groupings, in this order: organisation, benchmark group, staff group, ethnicity,
/// disability, year, org unit.
pub fn dims(orgs: usize) -> Vec<DimMeta> {
    let labels = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        DimMeta {
            key: "organisation".into(),
            labels: (1..=orgs).map(|i| format!("Organisation {i:03}")).collect(),
        },
        DimMeta {
            key: "benchmark_group".into(),
            labels: labels(BENCHMARK_GROUPS),
        },
        DimMeta {
            key: "staff_group".into(),
            labels: labels(STAFF_GROUPS),
        },
        DimMeta {
            key: "ethnicity".into(),
            labels: labels(&["White", "Black and minority ethnic"]),
        },
        DimMeta {
            key: "disability".into(),
            labels: labels(&["Disabled", "Not disabled"]),
        },
        DimMeta {
            key: "year".into(),
            labels: labels(YEARS),
        },
        DimMeta {
            key: "org_unit".into(),
            labels: (1..=orgs)
                .flat_map(|o| {
                    (1..=UNITS_PER_ORG).map(move |u| format!("Organisation {o:03} unit {u}"))
                })
                .collect(),
        },
    ]
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// The synthetic questionnaire's items, as the engine sees them.
pub fn items() -> Vec<ItemMeta> {
    questionnaire()
        .iter()
        .map(|(k, kind)| item_meta(k, *kind))
        .collect()
}

/// `respondents` spread over `orgs` organisations of varied size, rows grouped by
/// organisation (so an organisation's rows are contiguous, as they are after a real load).
pub fn generate(respondents: usize, orgs: usize, seed: u64) -> Columns {
    let orgs = orgs.clamp(1, 5_000);
    let questions = questionnaire();
    let items: Vec<ItemMeta> = questions
        .iter()
        .map(|(k, kind)| item_meta(k, *kind))
        .collect();
    let mut columns = Columns::new(items, dims(orgs));
    columns.reserve(respondents);
    let mut rng = Rng::new(seed);
    // Sizes vary roughly tenfold, like small community trusts beside large acute ones.
    let weights: Vec<f64> = (0..orgs).map(|_| (rng.normal() * 0.7).exp()).collect();
    let weight_sum: f64 = weights.iter().sum();
    let mut sizes: Vec<usize> = weights
        .iter()
        .map(|w| (w / weight_sum * respondents as f64) as usize)
        .collect();
    let short = respondents - sizes.iter().sum::<usize>().min(respondents);
    if let Some(first) = sizes.first_mut() {
        *first += short;
    }
    let staff_mix = [0.30, 0.10, 0.12, 0.12, 0.22, 0.06, 0.03, 0.05];
    let mut answers = vec![0u8; questions.len()];
    for (o, &size) in sizes.iter().enumerate() {
        let culture = rng.normal() * 0.35;
        let benchmark = rng.weighted(&[0.5, 0.05, 0.2, 0.15, 0.1]);
        for _ in 0..size {
            let staff = rng.weighted(&staff_mix);
            let bme = rng.unit() < 0.25;
            let disabled = rng.unit() < 0.22;
            let year = rng.below(YEARS.len() as u64) as u16;
            let unit = rng.below(UNITS_PER_ORG as u64) as usize;
            let person = rng.normal();
            let wellbeing = culture + 0.8 * person;
            for (slot, (_, kind)) in answers.iter_mut().zip(&questions) {
                *slot = if rng.unit() < 0.02 {
                    0
                } else {
                    match *kind {
                        Kind::Agreement(share) => {
                            if rng.unit()
                                < sigmoid(
                                    logit(share) + 0.9 * wellbeing
                                        - if disabled { 0.2 } else { 0.0 },
                                )
                            {
                                if rng.unit() < 0.35 { 5 } else { 4 }
                            } else {
                                [1u8, 2, 3][rng.weighted(&[0.15, 0.30, 0.55])]
                            }
                        }
                        Kind::Frequency(rate) => {
                            let bias =
                                if bme { 0.25 } else { 0.0 } + if disabled { 0.4 } else { 0.0 };
                            if rng.unit() < sigmoid(logit(rate) - 0.7 * wellbeing + bias) {
                                [2u8, 3, 4, 5][rng.weighted(&[0.6, 0.2, 0.1, 0.1])]
                            } else {
                                1
                            }
                        }
                        Kind::YesNo(rate) => {
                            if rng.unit() < sigmoid(logit(rate) + 0.7 * wellbeing) {
                                1
                            } else if rng.unit() < 0.8 {
                                2
                            } else {
                                3
                            }
                        }
                        Kind::Score => {
                            ((6.3 + 1.6 * wellbeing + rng.normal())
                                .round()
                                .clamp(0.0, 10.0) as u8)
                                + 1
                        }
                    }
                };
            }
            let values = [
                (o + 1) as u16,
                (benchmark + 1) as u16,
                (staff + 1) as u16,
                if bme { 2 } else { 1 },
                if disabled { 1 } else { 2 },
                year + 1,
                (o * UNITS_PER_ORG + unit + 1) as u16,
            ];
            // Generated values are always in range; a failure here would be a bug in this file.
            if columns.push(&answers, &values).is_err() {
                break;
            }
        }
    }
    columns
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::{indicator, reports};
    use crate::bitmap::Bitmap;

    #[test]
    fn synthetic_rates_are_plausible_and_repeatable() {
        let data = generate(20_000, 10, 7);
        assert_eq!(data.rows(), 20_000);
        assert_eq!(data.items().len(), 100);
        let colleagues = data.item_index("harassment_colleagues").unwrap();
        let all = Bitmap::full(data.rows());
        let report = &reports(&data, &all, &[colleagues], &[None], 2).unwrap()[0];
        let rate = indicator(&data.items()[colleagues], report.histogram(0, 0));
        let share = rate.positive as f64 / rate.answered as f64;
        assert!(
            (0.15..0.30).contains(&share),
            "harassment from colleagues {share}"
        );
        assert_eq!(
            generate(2_000, 5, 7).item(0).unwrap(),
            generate(2_000, 5, 7).item(0).unwrap()
        );
    }
}

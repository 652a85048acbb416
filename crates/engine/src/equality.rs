//! Equality indicators: the survey-based measures of the Workforce Race Equality Standard
//! (WRES) and the Workforce Disability Equality Standard (WDES), each as two percentages,
//! their ratio and its interval; and a speaking-up index.
//!
//! Items are named by key; a survey without one of an indicator's items simply does not
//! have that indicator.

use crate::bitmap::Bitmap;
use crate::columns::{Columns, EngineError};
use crate::stats::{Proportion, Ratio, differs, ratio, wilson};
use crate::suppress;

/// Two groups to compare within one grouping, by their values.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    pub grouping: &'static str,
    pub focus: u16,
    pub reference: u16,
}

/// Black and minority ethnic staff against white staff.
pub const RACE: Pair = Pair {
    grouping: "ethnicity",
    focus: 2,
    reference: 1,
};
/// Disabled staff against staff who are not disabled.
pub const DISABILITY: Pair = Pair {
    grouping: "disability",
    focus: 1,
    reference: 2,
};

/// An indicator: the share of people for whom any of `items` counts as positive.
#[derive(Debug, Clone, Copy)]
pub struct Definition {
    pub key: &'static str,
    pub title: &'static str,
    pub items: &'static [&'static str],
}

pub const WRES: &[Definition] = &[
    Definition {
        key: "wres_harassment_public",
        title: "Harassment, bullying or abuse from patients, relatives or the public",
        items: &["harassment_public"],
    },
    Definition {
        key: "wres_harassment_staff",
        title: "Harassment, bullying or abuse from staff",
        items: &["harassment_managers", "harassment_colleagues"],
    },
    Definition {
        key: "wres_progression",
        title: "Believe the organisation gives equal opportunities for career progression",
        items: &["equal_opportunities_progression"],
    },
    Definition {
        key: "wres_discrimination",
        title: "Discrimination from a manager or colleague",
        items: &["discrimination_manager_colleague"],
    },
];

pub const WDES: &[Definition] = &[
    Definition {
        key: "wdes_harassment_public",
        title: "Harassment, bullying or abuse from patients, relatives or the public",
        items: &["harassment_public"],
    },
    Definition {
        key: "wdes_harassment_managers",
        title: "Harassment, bullying or abuse from managers",
        items: &["harassment_managers"],
    },
    Definition {
        key: "wdes_harassment_colleagues",
        title: "Harassment, bullying or abuse from colleagues",
        items: &["harassment_colleagues"],
    },
    Definition {
        key: "wdes_harassment_reported",
        title: "The last time it happened, it was reported",
        items: &["harassment_reported"],
    },
    Definition {
        key: "wdes_progression",
        title: "Believe the organisation gives equal opportunities for career progression",
        items: &["equal_opportunities_progression"],
    },
    Definition {
        key: "wdes_pressure_unwell",
        title: "Felt pressure to come to work when not well enough",
        items: &["pressure_to_work_unwell"],
    },
    Definition {
        key: "wdes_valued",
        title: "Feel the organisation values their work",
        items: &["feel_valued"],
    },
    Definition {
        key: "wdes_adjustments",
        title: "Adjustments they need have been made",
        items: &["adjustments_made"],
    },
    Definition {
        key: "wdes_recommend",
        title: "Would recommend the organisation as a place to work",
        items: &["would_recommend_work"],
    },
];

/// The items that make up the speaking-up index.
pub const SPEAKING_UP_ITEMS: &[&str] = &[
    "safe_to_speak_up",
    "confident_concerns_addressed",
    "fair_treatment_after_errors",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub key: &'static str,
    pub title: &'static str,
    /// (positive, answered) for the focus group and the reference group.
    pub focus_counts: (u64, u64),
    pub reference_counts: (u64, u64),
    /// `None` when hidden to protect a small group.
    pub focus: Option<Proportion>,
    pub reference: Option<Proportion>,
    /// Focus over reference.
    pub ratio: Option<Ratio>,
    /// Whether the two groups differ beyond chance.
    pub significant: bool,
}

/// Compares two groups on one indicator among the chosen respondents, in one pass.
pub fn compare(
    columns: &Columns,
    chosen: &Bitmap,
    definition: &Definition,
    pair: Pair,
    minimum: u64,
) -> Result<Option<Comparison>, EngineError> {
    let Some(grouping) = columns.dim_index(pair.grouping) else {
        return Ok(None);
    };
    let mut items = Vec::new();
    for key in definition.items {
        match columns.item_index(key) {
            Some(i) => items.push((columns.item(i)?, columns.items()[i].positive)),
            None => return Ok(None),
        }
    }
    let values = columns.dim(grouping)?;
    // [focus, reference, everyone else] x (positive, answered)
    let mut counts = [(0u64, 0u64); 3];
    chosen.for_each_in(0, chosen.word_count(), |row| {
        let slot = match values[row] {
            v if v == pair.focus => 0,
            v if v == pair.reference => 1,
            _ => 2,
        };
        let answered = items.iter().any(|(col, _)| col[row] != 0);
        if answered {
            counts[slot].1 += 1;
            if items
                .iter()
                .any(|(col, positive)| positive & (1 << col[row]) != 0 && col[row] != 0)
            {
                counts[slot].0 += 1;
            }
        }
    });
    // The two groups and everyone else split the whole, which is shown elsewhere.
    let shown = suppress::breakdown(&[counts[0].1, counts[1].1, counts[2].1], minimum, true);
    let (f, r) = (counts[0], counts[1]);
    let focus = if shown[0] { wilson(f.0, f.1) } else { None };
    let reference = if shown[1] { wilson(r.0, r.1) } else { None };
    let both = focus.is_some() && reference.is_some();
    Ok(Some(Comparison {
        key: definition.key,
        title: definition.title,
        focus_counts: f,
        reference_counts: r,
        focus,
        reference,
        ratio: if both {
            ratio(f.0, f.1, r.0, r.1)
        } else {
            None
        },
        significant: both && differs(f.0, f.1, r.0, r.1),
    }))
}

/// The speaking-up index (0 to 100): the mean, over its items, of the share answering
/// positively. `None` if an item is missing or too few people answered.
pub fn speaking_up_index(
    columns: &Columns,
    chosen: &Bitmap,
    minimum: u64,
) -> Result<Option<f64>, EngineError> {
    let mut shares = Vec::new();
    for key in SPEAKING_UP_ITEMS {
        let Some(i) = columns.item_index(key) else {
            return Ok(None);
        };
        let (col, positive) = (columns.item(i)?, columns.items()[i].positive);
        let (mut yes, mut answered) = (0u64, 0u64);
        chosen.for_each_in(0, chosen.word_count(), |row| {
            if col[row] != 0 {
                answered += 1;
                if positive & (1 << col[row]) != 0 {
                    yes += 1;
                }
            }
        });
        if answered < minimum {
            return Ok(None);
        }
        shares.push(yes as f64 / answered as f64);
    }
    Ok(Some(
        100.0 * shares.iter().sum::<f64>() / shares.len() as f64,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn race_and_disability_gaps_show_in_synthetic_data() {
        let data = crate::synth::generate(40_000, 8, 11);
        let all = Bitmap::full(data.rows());
        let staff = compare(&data, &all, &WRES[1], RACE, 11).unwrap().unwrap();
        let ratio = staff.ratio.unwrap();
        assert!(
            ratio.value > 1.0 && ratio.low > 1.0,
            "BME staff report more harassment from staff in the synthetic data: {ratio:?}"
        );
        assert!(staff.significant);
        let valued = compare(&data, &all, &WDES[6], DISABILITY, 11)
            .unwrap()
            .unwrap();
        assert!(
            valued.ratio.unwrap().value < 1.0,
            "disabled staff feel less valued in the synthetic data"
        );
        let index = speaking_up_index(&data, &all, 11).unwrap().unwrap();
        assert!((30.0..80.0).contains(&index), "{index}");
    }

    #[test]
    fn small_groups_are_hidden_and_missing_items_give_nothing() {
        let data = crate::synth::generate(2_000, 2, 5);
        let few = data
            .select(&[(data.dim_index("staff_group").unwrap(), vec![7])])
            .unwrap();
        let result = compare(&data, &few, &WRES[0], RACE, 11).unwrap().unwrap();
        if result.focus_counts.1 < 11 {
            assert!(result.focus.is_none() && result.ratio.is_none());
        }
        let missing = Definition {
            key: "x",
            title: "x",
            items: &["no_such_item"],
        };
        assert_eq!(compare(&data, &few, &missing, RACE, 11).unwrap(), None);
    }
}

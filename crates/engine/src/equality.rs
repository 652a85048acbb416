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
    // Every value of the grouping (0 = not given) x (positive, answered), and each value's
    // size. The two groups are shown only where the breakdown of these answers by every
    // value would show them: deciding over (focus, reference, everyone else) alone could
    // show a group that the breakdown table hid as the partner of a small one, and the
    // small one is then had by subtraction.
    let groups = columns.dims()[grouping].labels.len() + 1;
    let mut sizes = vec![0u64; groups];
    let mut counts = vec![(0u64, 0u64); groups];
    chosen.for_each_in(0, chosen.word_count(), |row| {
        let slot = usize::from(values[row]);
        if slot >= groups {
            return;
        }
        sizes[slot] += 1;
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
    let shown = cells(&sizes, &counts, minimum);
    let at = |v: u16| usize::from(v);
    let cell = |v: u16| counts.get(at(v)).copied().unwrap_or((0, 0));
    let shown = [
        shown.get(at(pair.focus)).copied().unwrap_or(false),
        shown.get(at(pair.reference)).copied().unwrap_or(false),
    ];
    let counts = [cell(pair.focus), cell(pair.reference)];
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

/// Which cells of one measure broken down by every value of a grouping may be shown, by
/// the dashboard's own rule for a question's breakdown table: groups too small (or hidden
/// as their partners) hide their answers, then the answered counts go through the same
/// complementary rule under the overall figure.
fn cells(sizes: &[u64], counts: &[(u64, u64)], minimum: u64) -> Vec<bool> {
    let whole: u64 = sizes.iter().sum();
    let whole_shown = whole >= minimum;
    let group_shown = suppress::breakdown(sizes, minimum, whole_shown);
    let answered: Vec<u64> = counts.iter().map(|c| c.1).collect();
    let overall_shown = whole_shown && answered.iter().sum::<u64>() >= minimum;
    let hidden: Vec<bool> = group_shown.iter().map(|s| !(whole_shown && *s)).collect();
    suppress::breakdown_given(&answered, &hidden, minimum, overall_shown)
        .into_iter()
        .zip(&answered)
        .map(|(shown, &n)| shown && n > 0)
        .collect()
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

    /// The attack: a small group (4 "other") hidden in the breakdown table takes the
    /// smallest shown group (14 minority ethnic staff) down with it as its partner. If the
    /// equality row still showed the 14, the 4 would be the total minus white, Asian and
    /// minority ethnic staff, all published.
    #[test]
    fn an_equality_row_never_shows_a_group_its_breakdown_hid_as_a_partner() {
        use crate::columns::{DimMeta, ItemMeta};
        let mut data = Columns::new(
            vec![ItemMeta {
                key: "harassment_public".into(),
                codes: 5,
                positive: 0b11_1100,
            }],
            vec![DimMeta {
                key: "ethnicity".into(),
                labels: vec![
                    "White".into(),
                    "Minority".into(),
                    "Other".into(),
                    "Asian".into(),
                ],
            }],
        );
        for (value, people) in [(1u16, 200), (2, 14), (3, 4), (4, 20)] {
            for i in 0..people {
                data.push(&[1 + (i % 5) as u8], &[value]).unwrap();
            }
        }
        let all = Bitmap::full(data.rows());
        let table = cells(
            &[0, 200, 14, 4, 20],
            &[(0, 0), (0, 200), (0, 14), (0, 4), (0, 20)],
            11,
        );
        assert_eq!(
            table,
            vec![false, true, false, false, true],
            "the table hides 14 with 4"
        );
        let row = compare(&data, &all, &WRES[0], RACE, 11).unwrap().unwrap();
        assert!(row.focus.is_none(), "the partner stays hidden: {row:?}");
        assert!(row.reference.is_some() && row.ratio.is_none());
        // With a fifth small group, 14 is no longer needed as a partner and is shown.
        for i in 0..9 {
            data.push(&[1 + (i % 5) as u8], &[0]).unwrap();
        }
        let all = Bitmap::full(data.rows());
        let row = compare(&data, &all, &WRES[0], RACE, 11).unwrap().unwrap();
        assert!(row.focus.is_some(), "{row:?}");
    }
}

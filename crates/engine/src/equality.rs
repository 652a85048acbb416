//! Equality indicators: the survey-based measures of the Workforce Race Equality Standard
//! (WRES) and the Workforce Disability Equality Standard (WDES), each as two percentages,
//! their ratio and its interval; and a speaking-up index.
//!
//! Items are named by key; a survey without one of an indicator's items simply does not
//! have that indicator.

#![expect(
    clippy::indexing_slicing,
    reason = "group values are below the label count the arrays are sized by"
)]

use crate::bitmap::Bitmap;
use crate::columns::{Columns, EngineError};
use crate::disclosure::{self, Answers, Disclosed, Minimum};
use crate::stats::{Proportion, Ratio, differs, ratio, wilson};

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
    /// Hidden to protect a small group.
    pub focus: Disclosed<Proportion>,
    pub reference: Disclosed<Proportion>,
    /// Focus over reference.
    pub ratio: Disclosed<Ratio>,
    /// Whether the two groups differ beyond chance (said only when both are shown).
    pub significant: bool,
}

/// Compares two groups on one indicator among the chosen respondents, in one pass.
pub fn compare(
    columns: &Columns,
    chosen: &Bitmap,
    definition: &Definition,
    pair: Pair,
    minimum: Minimum,
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
    let cell = |v: u16| {
        shown
            .get(usize::from(v))
            .copied()
            .unwrap_or_else(Disclosed::hidden)
    };
    let (focus, reference) = (cell(pair.focus), cell(pair.reference));
    let both = focus.zip(reference);
    let share = |d: Disclosed<Answers>| d.map(|a| wilson(a.positive, a.answered)).flatten();
    Ok(Some(Comparison {
        key: definition.key,
        title: definition.title,
        focus: share(focus),
        reference: share(reference),
        ratio: both
            .map(|(f, r)| ratio(f.positive, f.answered, r.positive, r.answered))
            .flatten(),
        significant: both
            .value()
            .is_some_and(|(f, r)| differs(f.positive, f.answered, r.positive, r.answered)),
    }))
}

/// One measure broken down by every value of a grouping, decided by the dashboard's own
/// rule for a question's breakdown table.
fn cells(sizes: &[u64], counts: &[(u64, u64)], minimum: Minimum) -> Vec<Disclosed<Answers>> {
    let whole = disclosure::population(sizes.iter().sum(), minimum);
    let groups = disclosure::groups(sizes, &whole, minimum);
    let counts: Vec<Answers> = counts
        .iter()
        .map(|&(positive, answered)| Answers { positive, answered })
        .collect();
    let everyone = counts.iter().fold(Answers::default(), |a, c| Answers {
        positive: a.positive + c.positive,
        answered: a.answered + c.answered,
    });
    let overall = disclosure::overall(everyone, &whole, minimum);
    disclosure::answers(&counts, &groups, &overall, minimum)
}

/// The speaking-up index (0 to 100): the mean, over its items, of the share answering
/// positively. `None` if an item is missing or too few people answered.
pub fn speaking_up_index(
    columns: &Columns,
    chosen: &Bitmap,
    minimum: Minimum,
) -> Result<Disclosed<f64>, EngineError> {
    let whole = disclosure::population(chosen.count() as u64, minimum);
    let mut shares = Vec::new();
    for key in SPEAKING_UP_ITEMS {
        let Some(i) = columns.item_index(key) else {
            return Ok(Disclosed::hidden());
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
        shares.push(disclosure::overall(
            Answers {
                positive: yes,
                answered,
            },
            &whole,
            minimum,
        ));
    }
    // Shown only when every item's share is, so the mean tells no more than they do.
    Ok(Disclosed::all(shares).map(|shares| {
        let sum: f64 = shares
            .iter()
            .map(|a| a.positive as f64 / a.answered.max(1) as f64)
            .sum();
        100.0 * sum / shares.len().max(1) as f64
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::Kind;

    const SURVEY: Minimum = Minimum::default_for(Kind::SurveyResults);

    #[test]
    fn race_and_disability_gaps_show_in_synthetic_data() {
        let data = crate::synth::generate(40_000, 8, 11);
        let all = Bitmap::full(data.rows());
        let staff = compare(&data, &all, &WRES[1], RACE, SURVEY)
            .unwrap()
            .unwrap();
        let ratio = staff.ratio.into_value().unwrap();
        assert!(
            ratio.value > 1.0 && ratio.low > 1.0,
            "BME staff report more harassment from staff in the synthetic data: {ratio:?}"
        );
        assert!(staff.significant);
        let valued = compare(&data, &all, &WDES[6], DISABILITY, SURVEY)
            .unwrap()
            .unwrap();
        assert!(
            valued.ratio.into_value().unwrap().value < 1.0,
            "disabled staff feel less valued in the synthetic data"
        );
        let index = speaking_up_index(&data, &all, SURVEY)
            .unwrap()
            .into_value()
            .unwrap();
        assert!((30.0..80.0).contains(&index), "{index}");
    }

    #[test]
    fn small_groups_are_hidden_and_missing_items_give_nothing() {
        let data = crate::synth::generate(2_000, 2, 5);
        let few = data
            .select(&[(data.dim_index("staff_group").unwrap(), vec![7])])
            .unwrap();
        let result = compare(&data, &few, &WRES[0], RACE, SURVEY)
            .unwrap()
            .unwrap();
        let ethnicity = data.dim(data.dim_index("ethnicity").unwrap()).unwrap();
        let focus_people = (0..data.rows())
            .filter(|&r| few.contains(r) && ethnicity[r] == RACE.focus)
            .count();
        if focus_people < 11 {
            assert!(!result.focus.is_shown() && !result.ratio.is_shown());
        }
        let missing = Definition {
            key: "x",
            title: "x",
            items: &["no_such_item"],
        };
        assert_eq!(compare(&data, &few, &missing, RACE, SURVEY).unwrap(), None);
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
            SURVEY,
        );
        assert_eq!(
            table.iter().map(Disclosed::is_shown).collect::<Vec<_>>(),
            vec![false, true, false, false, true],
            "the table hides 14 with 4"
        );
        let row = compare(&data, &all, &WRES[0], RACE, SURVEY)
            .unwrap()
            .unwrap();
        assert!(!row.focus.is_shown(), "the partner stays hidden: {row:?}");
        assert!(row.reference.is_shown() && !row.ratio.is_shown());
        // With a fifth small group, 14 is no longer needed as a partner and is shown.
        for i in 0..9 {
            data.push(&[1 + (i % 5) as u8], &[0]).unwrap();
        }
        let all = Bitmap::full(data.rows());
        let row = compare(&data, &all, &WRES[0], RACE, SURVEY)
            .unwrap()
            .unwrap();
        assert!(row.focus.is_shown(), "{row:?}");
    }
}

//! Equality indicators: the survey-based measures of the Workforce Race Equality Standard
//! (WRES) and the Workforce Disability Equality Standard (WDES), and a speaking-up index.
//! Most are two percentages, their ratio and its interval. WDES metric 8 is about disabled
//! staff alone ([`Form::FocusOnly`]); WDES metric 9a compares engagement scores, not
//! shares ([`score_gap`]). docs/survey.md defines each one with a worked example.
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
use crate::stats::{Proportion, Ratio, Z95, differs, ratio, wilson};

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

/// What an indicator reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The focus group's share against the reference group's, as a ratio.
    Ratio,
    /// The focus group's share alone: the question is only about them.
    FocusOnly,
}

/// An indicator: the share of people for whom any of `items` counts as positive.
#[derive(Debug, Clone, Copy)]
pub struct Definition {
    pub key: &'static str,
    /// The standard's own number for it ("5", "4a").
    pub number: &'static str,
    pub title: &'static str,
    pub items: &'static [&'static str],
    pub form: Form,
}

pub const WRES: &[Definition] = &[
    Definition {
        key: "wres_harassment_public",
        number: "5",
        title: "Harassment, bullying or abuse from patients, relatives or the public",
        items: &["harassment_public"],
        form: Form::Ratio,
    },
    Definition {
        key: "wres_harassment_staff",
        number: "6",
        title: "Harassment, bullying or abuse from staff",
        items: &["harassment_managers", "harassment_colleagues"],
        form: Form::Ratio,
    },
    Definition {
        key: "wres_progression",
        number: "7",
        title: "Believe the organisation gives equal opportunities for career progression",
        items: &["equal_opportunities_progression"],
        form: Form::Ratio,
    },
    Definition {
        key: "wres_discrimination",
        number: "8",
        title: "Discrimination from a manager or colleague",
        items: &["discrimination_manager_colleague"],
        form: Form::Ratio,
    },
];

pub const WDES: &[Definition] = &[
    Definition {
        key: "wdes_harassment_public",
        number: "4a",
        title: "Harassment, bullying or abuse from patients, relatives or the public",
        items: &["harassment_public"],
        form: Form::Ratio,
    },
    Definition {
        key: "wdes_harassment_managers",
        number: "4b",
        title: "Harassment, bullying or abuse from managers",
        items: &["harassment_managers"],
        form: Form::Ratio,
    },
    Definition {
        key: "wdes_harassment_colleagues",
        number: "4c",
        title: "Harassment, bullying or abuse from colleagues",
        items: &["harassment_colleagues"],
        form: Form::Ratio,
    },
    Definition {
        key: "wdes_harassment_reported",
        number: "4d",
        title: "The last time it happened, it was reported",
        items: &["harassment_reported"],
        form: Form::Ratio,
    },
    Definition {
        key: "wdes_progression",
        number: "5",
        title: "Believe the organisation gives equal opportunities for career progression",
        items: &["equal_opportunities_progression"],
        form: Form::Ratio,
    },
    Definition {
        key: "wdes_pressure_unwell",
        number: "6",
        title: "Felt pressure to come to work when not well enough",
        items: &["pressure_to_work_unwell"],
        form: Form::Ratio,
    },
    Definition {
        key: "wdes_valued",
        number: "7",
        title: "Feel the organisation values their work",
        items: &["feel_valued"],
        form: Form::Ratio,
    },
    Definition {
        key: "wdes_adjustments",
        number: "8",
        title: "Adjustments they need have been made",
        items: &["adjustments_made"],
        form: Form::FocusOnly,
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
    pub number: &'static str,
    pub title: &'static str,
    pub form: Form,
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
    let compared = definition.form == Form::Ratio;
    let ratio_of = both
        .map(|(f, r)| ratio(f.positive, f.answered, r.positive, r.answered))
        .flatten();
    // "A real difference" says what the ratio's interval says, so the two never disagree;
    // with no ratio (nobody counted on one side) the two-proportion test decides.
    let significant = match ratio_of.value() {
        Some(r) => r.low > 1.0 || r.high < 1.0,
        None => both
            .value()
            .is_some_and(|(f, r)| differs(f.positive, f.answered, r.positive, r.answered)),
    };
    Ok(Some(Comparison {
        key: definition.key,
        number: definition.number,
        title: definition.title,
        form: definition.form,
        focus: share(focus),
        reference: if compared {
            share(reference)
        } else {
            Disclosed::hidden()
        },
        ratio: if compared {
            ratio_of
        } else {
            Disclosed::hidden()
        },
        significant: compared && significant,
    }))
}

/// The share of all the chosen respondents for whom any of the indicator's items is
/// positive, with its interval: the everyone figure beside the groups [`compare`] shows,
/// decided as every results page decides its everyone figures. `None` when the survey
/// lacks an item.
pub fn everyone(
    columns: &Columns,
    chosen: &Bitmap,
    definition: &Definition,
    minimum: Minimum,
) -> Result<Option<Disclosed<Proportion>>, EngineError> {
    let mut items = Vec::new();
    for key in definition.items {
        match columns.item_index(key) {
            Some(i) => items.push((columns.item(i)?, columns.items()[i].positive)),
            None => return Ok(None),
        }
    }
    let mut counts = Answers::default();
    chosen.for_each_in(0, chosen.word_count(), |row| {
        if items.iter().any(|(col, _)| col[row] != 0) {
            counts.answered += 1;
            if items
                .iter()
                .any(|(col, positive)| positive & (1 << col[row]) != 0 && col[row] != 0)
            {
                counts.positive += 1;
            }
        }
    });
    let whole = disclosure::population(chosen.count() as u64, minimum);
    Ok(Some(
        disclosure::overall(counts, &whole, minimum)
            .map(|a| wilson(a.positive, a.answered))
            .flatten(),
    ))
}

/// A mean score (0 to 10) with its 95 % interval, or a gap between two such means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// An indicator that compares mean scores rather than shares.
#[derive(Debug, Clone, Copy)]
pub struct ScoreDefinition {
    pub key: &'static str,
    pub number: &'static str,
    pub title: &'static str,
}

/// WDES metric 9a: the staff engagement score of disabled staff against staff who are not
/// disabled. The score itself (each person's engagement theme score) comes from the
/// survey's definition, so the caller works it out.
pub const WDES_ENGAGEMENT: ScoreDefinition = ScoreDefinition {
    key: "wdes_engagement",
    number: "9a",
    title: "Staff engagement score (0 to 10)",
};

/// Two groups' mean scores and the gap between them.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreGap {
    pub key: &'static str,
    pub number: &'static str,
    pub title: &'static str,
    pub focus: Disclosed<Score>,
    pub reference: Disclosed<Score>,
    /// Focus minus reference, shown when both are.
    pub gap: Disclosed<Score>,
    /// Whether the gap's interval leaves out 0.
    pub significant: bool,
}

/// A mean with its interval from n scores, their sum and their sum of squares: mean +-
/// 1.96 standard errors, the sample standard deviation over the square root of n.
fn mean_score(n: u64, sum: f64, squares: f64) -> Option<(Score, f64)> {
    if n < 2 {
        return None;
    }
    let count = n as f64;
    let mean = sum / count;
    let variance = ((squares - count * mean * mean) / (count - 1.0)).max(0.0);
    let se2 = variance / count;
    let half = Z95 * se2.sqrt();
    Some((
        Score {
            mean,
            low: mean - half,
            high: mean + half,
        },
        se2,
    ))
}

/// Compares two groups' mean scores among the chosen respondents: `scores[row]` is each
/// respondent's score, `None` when they have none (too few answers). Each group is shown
/// only where the breakdown of the people with a score by every value of the grouping
/// would show it (the same rule as [`compare`]). The gap's interval is the difference
/// +- 1.96 sqrt(se1^2 + se2^2) (Welch's unpooled standard error).
pub fn score_gap(
    columns: &Columns,
    chosen: &Bitmap,
    definition: &ScoreDefinition,
    pair: Pair,
    scores: &[Option<f64>],
    minimum: Minimum,
) -> Result<Option<ScoreGap>, EngineError> {
    let Some(grouping) = columns.dim_index(pair.grouping) else {
        return Ok(None);
    };
    let values = columns.dim(grouping)?;
    let groups = columns.dims()[grouping].labels.len() + 1;
    let mut sizes = vec![0u64; groups];
    // (people with a score, sum, sum of squares) for every value.
    let mut sums = vec![(0u64, 0.0f64, 0.0f64); groups];
    chosen.for_each_in(0, chosen.word_count(), |row| {
        let slot = usize::from(values[row]);
        if slot >= groups {
            return;
        }
        sizes[slot] += 1;
        if let Some(Some(score)) = scores.get(row) {
            let cell = &mut sums[slot];
            cell.0 += 1;
            cell.1 += score;
            cell.2 += score * score;
        }
    });
    let counts: Vec<(u64, u64)> = sums.iter().map(|(n, _, _)| (0, *n)).collect();
    let shown = cells(&sizes, &counts, minimum);
    let group = |v: u16| -> Disclosed<(Score, f64)> {
        let at = usize::from(v);
        shown
            .get(at)
            .copied()
            .unwrap_or_else(Disclosed::hidden)
            .map(|_| {
                sums.get(at)
                    .and_then(|(n, sum, squares)| mean_score(*n, *sum, *squares))
            })
            .flatten()
    };
    let (focus, reference) = (group(pair.focus), group(pair.reference));
    let gap = focus.zip(reference).map(|((f, fse2), (r, rse2))| {
        let half = Z95 * (fse2 + rse2).sqrt();
        let mean = f.mean - r.mean;
        Score {
            mean,
            low: mean - half,
            high: mean + half,
        }
    });
    Ok(Some(ScoreGap {
        key: definition.key,
        number: definition.number,
        title: definition.title,
        focus: focus.map(|(s, _)| s),
        reference: reference.map(|(s, _)| s),
        significant: gap.value().is_some_and(|g| g.low > 0.0 || g.high < 0.0),
        gap,
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
    fn everyone_counts_anyone_harassed_by_managers_or_colleagues() {
        let data = crate::synth::generate(5_000, 4, 3);
        let all = Bitmap::full(data.rows());
        let share = everyone(&data, &all, &WRES[1], SURVEY)
            .unwrap()
            .unwrap()
            .into_value()
            .unwrap();
        // Counted again by hand, row by row.
        let (managers, colleagues) = (
            data.item_index("harassment_managers").unwrap(),
            data.item_index("harassment_colleagues").unwrap(),
        );
        let (m, c) = (data.item(managers).unwrap(), data.item(colleagues).unwrap());
        let (pm, pc) = (
            data.items()[managers].positive,
            data.items()[colleagues].positive,
        );
        let (mut yes, mut answered) = (0u64, 0u64);
        for row in 0..data.rows() {
            if m[row] != 0 || c[row] != 0 {
                answered += 1;
                if (m[row] != 0 && pm & (1 << m[row]) != 0)
                    || (c[row] != 0 && pc & (1 << c[row]) != 0)
                {
                    yes += 1;
                }
            }
        }
        let want = wilson(yes, answered).unwrap();
        assert_eq!(share, want);
        // Ten respondents are fewer than the survey's minimum of 11: nothing is shown.
        let mut few = Bitmap::empty(data.rows());
        for row in 0..10 {
            few.set(row);
        }
        assert!(
            !everyone(&data, &few, &WRES[1], SURVEY)
                .unwrap()
                .unwrap()
                .is_shown()
        );
    }

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
            number: "0",
            title: "x",
            items: &["no_such_item"],
            form: Form::Ratio,
        };
        assert_eq!(compare(&data, &few, &missing, RACE, SURVEY).unwrap(), None);
    }

    /// Worked by hand in docs/survey.md: 12 disabled staff score 5 or 7 (six each), 12
    /// staff who are not disabled score 7 or 9, and 20 more did not say.
    #[test]
    fn the_engagement_gap_matches_the_hand_worked_example() {
        use crate::columns::{DimMeta, ItemMeta};
        let mut data = Columns::new(
            vec![ItemMeta {
                key: "unused".into(),
                codes: 2,
                positive: 0b10,
            }],
            vec![DimMeta {
                key: "disability".into(),
                labels: vec!["Yes".into(), "No".into(), "Prefer not to say".into()],
            }],
        );
        let mut scores = Vec::new();
        for (value, people, low, high) in
            [(1u16, 12, 5.0, 7.0), (2, 12, 7.0, 9.0), (3, 20, 6.0, 6.0)]
        {
            for i in 0..people {
                data.push(&[1], &[value]).unwrap();
                scores.push(Some(if i % 2 == 0 { low } else { high }));
            }
        }
        let all = Bitmap::full(data.rows());
        let gap = score_gap(&data, &all, &WDES_ENGAGEMENT, DISABILITY, &scores, SURVEY)
            .unwrap()
            .unwrap();
        let focus = gap.focus.into_value().unwrap();
        let reference = gap.reference.into_value().unwrap();
        let difference = gap.gap.into_value().unwrap();
        // Each group's sample variance is 12 x 1 / 11 = 1.0909, so its standard error is
        // sqrt(1.0909 / 12) = 0.3015 and its interval is the mean +- 0.591.
        assert!((focus.mean - 6.0).abs() < 1e-12 && (focus.low - 5.409).abs() < 1e-3);
        assert!((reference.mean - 8.0).abs() < 1e-12 && (reference.high - 8.591).abs() < 1e-3);
        // The gap: -2 +- 1.96 x sqrt(2 x 1.0909 / 12) = -2 +- 0.836.
        assert!((difference.mean + 2.0).abs() < 1e-12);
        assert!((difference.low + 2.836).abs() < 1e-3 && (difference.high + 1.164).abs() < 1e-3);
        assert!(gap.significant);
        // People with no score count towards group sizes but not the means; a group of
        // fewer than the minimum with a score hides its mean.
        let few: Vec<Option<f64>> = scores
            .iter()
            .enumerate()
            .map(|(row, s)| if (5..12).contains(&row) { None } else { *s })
            .collect();
        let gap = score_gap(&data, &all, &WDES_ENGAGEMENT, DISABILITY, &few, SURVEY)
            .unwrap()
            .unwrap();
        assert!(!gap.focus.is_shown() && !gap.gap.is_shown() && !gap.significant);
    }

    /// Every WRES and WDES share indicator, worked by hand as docs/survey.md does: 30 people
    /// in the focus group of whom 12 count (40 %), 60 in the reference group of whom 12
    /// count (20 %), and 15 who did not say. The ratio is 2.00; Katz's interval on the log
    /// scale is exp(ln 2 +- 1.96 sqrt(1/12 - 1/30 + 1/12 - 1/60)) = 1.02 to 3.91. Where an
    /// indicator has two questions, a person counts once if either counts: half of those
    /// who count do so on the first question only and half on the second only, and
    /// everyone else answers both the other way.
    #[test]
    fn every_equality_indicator_matches_the_hand_worked_example() {
        use crate::columns::{DimMeta, ItemMeta};
        for (definitions, pair) in [(WRES, RACE), (WDES, DISABILITY)] {
            for definition in definitions {
                let items: Vec<ItemMeta> = definition
                    .items
                    .iter()
                    .map(|key| ItemMeta {
                        key: (*key).into(),
                        codes: 2,
                        positive: 0b10,
                    })
                    .collect();
                let mut data = Columns::new(
                    items,
                    vec![DimMeta {
                        key: pair.grouping.into(),
                        labels: vec!["one".into(), "two".into(), "three".into()],
                    }],
                );
                let count = definition.items.len();
                let mut push = |value: u16, people: usize, counted: usize| {
                    for i in 0..people {
                        // Code 1 counts, code 2 does not; a counted person counts on one
                        // question only, taken in turn.
                        let answers: Vec<u8> = (0..count)
                            .map(|q| u8::from(!(i < counted && i % count == q)) + 1)
                            .collect();
                        data.push(&answers, &[value]).unwrap();
                    }
                };
                push(pair.focus, 30, 12);
                push(pair.reference, 60, 12);
                push(0, 15, 0);
                let all = Bitmap::full(data.rows());
                let row = compare(&data, &all, definition, pair, SURVEY)
                    .unwrap()
                    .unwrap();
                let focus = row.focus.into_value().unwrap();
                assert!(
                    (focus.value - 0.4).abs() < 1e-12,
                    "{}: {row:?}",
                    definition.key
                );
                if definition.form == Form::FocusOnly {
                    assert!(!row.reference.is_shown() && !row.ratio.is_shown());
                    continue;
                }
                let reference = row.reference.into_value().unwrap();
                assert!((reference.value - 0.2).abs() < 1e-12, "{}", definition.key);
                let ratio = row.ratio.into_value().unwrap();
                assert!((ratio.value - 2.0).abs() < 1e-12, "{}", definition.key);
                assert!(
                    (ratio.low - 1.024).abs() < 1e-3 && (ratio.high - 3.906).abs() < 1e-3,
                    "{}: {ratio:?}",
                    definition.key
                );
                assert!(row.significant, "{}", definition.key);
            }
        }
    }

    /// WDES metric 8 is about disabled staff only: no reference group, no ratio.
    #[test]
    fn the_adjustments_metric_is_about_disabled_staff_alone() {
        let data = crate::synth::generate(20_000, 4, 3);
        let all = Bitmap::full(data.rows());
        let adjustments = WDES.iter().find(|d| d.number == "8").unwrap();
        assert_eq!(adjustments.form, Form::FocusOnly);
        let row = compare(&data, &all, adjustments, DISABILITY, SURVEY)
            .unwrap()
            .unwrap();
        assert!(row.focus.is_shown());
        assert!(!row.reference.is_shown() && !row.ratio.is_shown() && !row.significant);
        let numbers: Vec<&str> = WDES.iter().map(|d| d.number).collect();
        assert_eq!(numbers, ["4a", "4b", "4c", "4d", "5", "6", "7", "8"]);
        let numbers: Vec<&str> = WRES.iter().map(|d| d.number).collect();
        assert_eq!(numbers, ["5", "6", "7", "8"]);
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

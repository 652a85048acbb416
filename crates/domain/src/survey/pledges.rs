//! The seven staff pledges of the NHS Constitution (seed 004), each mapped to the survey
//! questions that show whether it is being kept. The summaries are ours; the mapping is
//! data, so an organisation can change it (see [`parse_mapping`]).

use super::{DefinitionError, Survey};
use serde::Deserialize;

/// A pledge and the questions that evidence it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pledge {
    pub number: u8,
    pub summary: String,
    pub questions: Vec<String>,
}

/// Dignity's default mapping, in the same TOML form an organisation can edit.
pub const DEFAULT_MAPPING: &str = r#"
[[pledges]]
number = 1
summary = "A positive, supportive and open place to work"
questions = ["team_respect", "safe_to_speak_up", "organisation_cares_wellbeing"]

[[pledges]]
number = 2
summary = "Clear roles and rewarding jobs that make a difference to patients"
questions = ["team_shared_objectives", "feel_valued", "enthusiastic"]

[[pledges]]
number = 3
summary = "Personal development, training and support from line managers"
questions = ["learning_opportunities", "development_helps", "manager_supportive", "manager_feedback"]

[[pledges]]
number = 4
summary = "Support to stay healthy, well and safe"
questions = ["organisation_cares_wellbeing", "harassment_public", "harassment_colleagues", "burnout", "pressure_to_work_unwell"]

[[pledges]]
number = 5
summary = "A say in decisions, individually, through trade unions and in partnership"
questions = ["say_in_decisions", "team_meets_to_improve"]

[[pledges]]
number = 6
summary = "A way to raise a grievance"
questions = ["confident_concerns_addressed", "harassment_reported"]

[[pledges]]
number = 7
summary = "Encouragement and support to raise concerns about safety, malpractice or wrongdoing"
questions = ["safe_to_speak_up", "confident_concerns_addressed", "fair_treatment_after_errors"]
"#;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    pledges: Vec<Pledge>,
}

/// Reads a mapping and checks it against a survey: seven pledges, numbered 1 to 7, each
/// with at least one question the survey asks.
pub fn parse_mapping(text: &str, survey: &Survey) -> Result<Vec<Pledge>, DefinitionError> {
    let mapping: Mapping = toml::from_str(text).map_err(|e| DefinitionError {
        line: e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
        message: e.message().to_owned(),
    })?;
    let mut numbers: Vec<u8> = mapping.pledges.iter().map(|p| p.number).collect();
    numbers.sort_unstable();
    if numbers != [1, 2, 3, 4, 5, 6, 7] {
        return Err(DefinitionError {
            line: None,
            message: "the mapping must have the seven pledges, numbered 1 to 7".into(),
        });
    }
    for pledge in &mapping.pledges {
        if pledge.questions.is_empty() {
            return Err(DefinitionError {
                line: None,
                message: format!("pledge {} needs at least one question", pledge.number),
            });
        }
        if let Some(unknown) = pledge
            .questions
            .iter()
            .find(|q| !survey.questions().any(|sq| &sq.key == *q))
        {
            return Err(DefinitionError {
                line: None,
                message: format!(
                    "pledge {} names the question '{unknown}', which the survey does not ask",
                    pledge.number
                ),
            });
        }
    }
    Ok(mapping.pledges)
}

/// A pledge's score: the mean of its questions' theme-style scores (0 to 10), from each
/// question's mean score. Questions without a score (too few answers) are left out; with
/// none left, there is no score.
pub fn pledge_score(question_scores: &[Option<f64>]) -> Option<f64> {
    let known: Vec<f64> = question_scores.iter().flatten().copied().collect();
    (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{DEFAULT_BANK, parse};

    #[test]
    fn the_default_mapping_fits_the_default_survey() {
        let survey = parse(DEFAULT_BANK).unwrap_or_else(|e| panic!("{e}"));
        let pledges = parse_mapping(DEFAULT_MAPPING, &survey).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pledges.len(), 7);
    }

    #[test]
    fn a_changed_mapping_is_checked() {
        let survey = parse(DEFAULT_BANK).unwrap_or_else(|e| panic!("{e}"));
        let unknown = DEFAULT_MAPPING.replace("\"team_respect\"", "\"shoe_size\"");
        assert!(
            parse_mapping(&unknown, &survey)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains("'shoe_size'")
        );
        let six = DEFAULT_MAPPING.replace("number = 7", "number = 6");
        assert!(parse_mapping(&six, &survey).is_err());
        assert_eq!(pledge_score(&[Some(6.0), None, Some(8.0)]), Some(7.0));
        assert_eq!(pledge_score(&[None]), None);
    }
}

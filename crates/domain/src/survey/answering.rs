//! A response being filled in, page by page: reading one page's form into it, and giving
//! back what was chosen so a page can show it again. Every answer is optional; only values
//! no page offers (a changed form) are refused.

use super::{QuestionKind, Survey};
use std::collections::HashMap;

/// The longest free-text answer, in characters.
pub const MAX_COMMENT: usize = 2_000;

/// Where a question's answer lives in a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// One code in the counted answers (position in survey order).
    Code(usize),
    /// One grouping value: the demographics in survey order, then the org unit.
    Grouping(usize),
    /// Words, kept apart from the response.
    Comment,
    /// A multiple-choice question: `count` codes from position `first`, one per choice
    /// (1 chosen, 2 not chosen; all 0 when none was chosen).
    Choices { first: usize, count: usize },
}

/// Each question's slot, in survey order.
pub fn slots(survey: &Survey) -> Vec<Slot> {
    let (mut code, mut group) = (0, 0);
    let demographics = survey.demographic_questions().count();
    survey
        .questions()
        .map(|q| match q.kind {
            QuestionKind::Agreement
            | QuestionKind::Frequency
            | QuestionKind::YesNo
            | QuestionKind::Scale
            | QuestionKind::SingleChoice => {
                code += 1;
                Slot::Code(code - 1)
            }
            QuestionKind::MultipleChoice => {
                let first = code;
                code += q.choices.len();
                Slot::Choices {
                    first,
                    count: q.choices.len(),
                }
            }
            QuestionKind::Demographic => {
                group += 1;
                Slot::Grouping(group - 1)
            }
            QuestionKind::OrgUnit => Slot::Grouping(demographics),
            QuestionKind::FreeText => Slot::Comment,
        })
        .collect()
}

/// The answers so far: one code per counted question (0 = none), one value per grouping
/// (0 = none), and any comments by question key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub codes: Vec<u8>,
    pub groupings: Vec<u16>,
    pub comments: Vec<(String, String)>,
}

/// A value on a page that the page never offered, or words that are too long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerError {
    pub question: String,
    pub message: String,
}

impl Answers {
    /// Nothing answered yet.
    pub fn empty(survey: &Survey) -> Answers {
        Answers {
            codes: vec![0; survey.items().len()],
            groupings: vec![0; survey.demographic_questions().count() + 1],
            comments: Vec::new(),
        }
    }

    /// Saved answers, made to fit the survey (a draft of another shape starts again).
    pub fn restore(
        survey: &Survey,
        codes: Vec<u8>,
        groupings: Vec<u16>,
        comments: Vec<(String, String)>,
    ) -> Answers {
        let empty = Answers::empty(survey);
        if codes.len() != empty.codes.len() || groupings.len() != empty.groupings.len() {
            return empty;
        }
        Answers {
            codes,
            groupings,
            comments,
        }
    }

    /// Where someone coming back carries on: the page (0 = the first) after the last page
    /// they answered anything on, or `None` once the last page has answers, when what is
    /// left is to check and send. Skipped questions are allowed, so an unanswered
    /// question on an earlier page is not a reason to go back to it.
    pub fn resume_at(&self, survey: &Survey) -> Option<usize> {
        let mut first = 0;
        let mut next = 0;
        for (section, s) in survey.sections.iter().enumerate() {
            if (first..first + s.questions.len()).any(|q| !self.value(survey, q).is_empty()) {
                next = section + 1;
            }
            first += s.questions.len();
        }
        (next < survey.sections.len()).then_some(next)
    }

    /// The chosen value of question `index` (survey order) as a form value: a code, a
    /// grouping value, words, or the chosen choices' numbers joined by commas; empty when
    /// unanswered.
    pub fn value(&self, survey: &Survey, index: usize) -> String {
        let (Some(slot), Some(question)) = (
            slots(survey).get(index).copied(),
            survey.questions().nth(index),
        ) else {
            return String::new();
        };
        match slot {
            Slot::Code(i) => match self.codes.get(i) {
                Some(c) if *c > 0 => c.to_string(),
                _ => String::new(),
            },
            Slot::Grouping(i) => match self.groupings.get(i) {
                Some(v) if *v > 0 => v.to_string(),
                _ => String::new(),
            },
            Slot::Comment => self
                .comments
                .iter()
                .find(|(k, _)| *k == question.key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default(),
            Slot::Choices { first, count } => (0..count)
                .filter(|c| self.codes.get(first + c) == Some(&1))
                .map(|c| (c + 1).to_string())
                .collect::<Vec<_>>()
                .join(","),
        }
    }

    /// Reads section `section`'s answers from a form whose fields are named `q-{key}` (and
    /// `q-{key}-{n}` for choice n of a multiple-choice question, present when ticked).
    /// A question left blank keeps no answer. `units` is how many org units can be chosen.
    /// Nothing changes if any value is refused.
    pub fn apply(
        &mut self,
        survey: &Survey,
        section: usize,
        form: &HashMap<String, String>,
        units: usize,
    ) -> Result<(), Vec<AnswerError>> {
        let all_slots = slots(survey);
        let first = survey
            .sections
            .iter()
            .take(section)
            .map(|s| s.questions.len())
            .sum::<usize>();
        let Some(questions) = survey.sections.get(section).map(|s| &s.questions) else {
            return Ok(());
        };
        let mut next = self.clone();
        let mut errors = Vec::new();
        for (offset, question) in questions.iter().enumerate() {
            let raw = form
                .get(&format!("q-{}", question.key))
                .map(|v| v.trim())
                .unwrap_or("");
            let refuse = |errors: &mut Vec<AnswerError>, message: &str| {
                errors.push(AnswerError {
                    question: question.key.clone(),
                    message: message.to_owned(),
                })
            };
            match all_slots.get(first + offset).copied() {
                Some(Slot::Code(i)) => {
                    let limit = question.choices.len();
                    match read_choice(raw, limit) {
                        Some(v) => {
                            if let Some(code) = next.codes.get_mut(i) {
                                *code = v as u8;
                            }
                        }
                        None => refuse(&mut errors, "Choose one of the answers shown"),
                    }
                }
                Some(Slot::Grouping(i)) => {
                    let limit = if question.kind == QuestionKind::OrgUnit {
                        units
                    } else {
                        question.choices.len()
                    };
                    match read_choice(raw, limit) {
                        Some(v) => {
                            if let Some(value) = next.groupings.get_mut(i) {
                                *value = v as u16;
                            }
                        }
                        None => refuse(&mut errors, "Choose one of the answers shown"),
                    }
                }
                Some(Slot::Comment) => {
                    next.comments.retain(|(k, _)| *k != question.key);
                    if raw.chars().count() > MAX_COMMENT {
                        refuse(&mut errors, "Write 2,000 characters or fewer");
                    } else if !raw.is_empty() {
                        next.comments.push((question.key.clone(), raw.to_owned()));
                    }
                }
                Some(Slot::Choices { first, count }) => {
                    let ticked: Vec<bool> = (1..=count)
                        .map(|n| {
                            form.get(&format!("q-{}-{n}", question.key))
                                .is_some_and(|v| !v.trim().is_empty())
                        })
                        .collect();
                    let any = ticked.iter().any(|t| *t);
                    for (code, t) in next.codes.iter_mut().skip(first).zip(&ticked) {
                        *code = match (any, t) {
                            (false, _) => 0,
                            (true, true) => 1,
                            (true, false) => 2,
                        };
                    }
                }
                None => {}
            }
        }
        if errors.is_empty() {
            *self = next;
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// "" is no answer (0); otherwise a number from 1 to `limit`.
fn read_choice(raw: &str, limit: usize) -> Option<usize> {
    if raw.is_empty() {
        return Some(0);
    }
    raw.parse::<usize>()
        .ok()
        .filter(|v| (1..=limit).contains(v) && *v <= usize::from(u16::MAX))
}

#[cfg(test)]
mod resume_tests {
    use super::*;
    use crate::survey::{DEFAULT_BANK, parse};

    #[test]
    fn coming_back_carries_on_after_the_last_page_answered() {
        let survey = parse(DEFAULT_BANK).unwrap_or_else(|e| panic!("{e}"));
        let last = survey.sections.len() - 1;
        let mut answers = Answers::empty(&survey);
        assert_eq!(answers.resume_at(&survey), Some(0), "nothing answered yet");
        // Page 1 and page 3 answered, page 2 skipped: carry on at page 4.
        for section in [0, 2] {
            let q = &survey.sections[section].questions[0];
            let form = HashMap::from([(format!("q-{}", q.key), "1".to_owned())]);
            answers
                .apply(&survey, section, &form, 3)
                .unwrap_or_else(|e| panic!("{e:?}"));
        }
        assert_eq!(answers.resume_at(&survey), Some(3));
        let q = &survey.sections[last].questions[0];
        let value = if q.kind == QuestionKind::FreeText {
            "Fine"
        } else {
            "1"
        };
        let form = HashMap::from([(format!("q-{}", q.key), value.to_owned())]);
        answers
            .apply(&survey, last, &form, 3)
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(answers.resume_at(&survey), None, "check and send");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{DEFAULT_BANK, parse};

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_question_has_its_own_slot() {
        let survey = parse(DEFAULT_BANK).unwrap();
        let slots = slots(&survey);
        assert_eq!(slots.len(), survey.questions().count());
        let codes: usize = slots
            .iter()
            .map(|s| match s {
                Slot::Code(_) => 1,
                Slot::Choices { count, .. } => *count,
                _ => 0,
            })
            .sum();
        assert_eq!(codes, survey.items().len());
        let groupings = slots
            .iter()
            .filter(|s| matches!(s, Slot::Grouping(_)))
            .count();
        assert_eq!(groupings, survey.demographic_questions().count() + 1);
    }

    #[test]
    fn a_page_is_read_into_the_answers_and_shown_again() {
        let survey = parse(DEFAULT_BANK).unwrap();
        let mut answers = Answers::empty(&survey);
        // Find a section with a counted question and fill it in.
        let (section, question) = survey
            .sections
            .iter()
            .enumerate()
            .find_map(|(s, sec)| {
                sec.questions
                    .iter()
                    .find(|q| q.kind == QuestionKind::Agreement)
                    .map(|q| (s, q))
            })
            .unwrap();
        let field = format!("q-{}", question.key);
        answers
            .apply(&survey, section, &form(&[(&field, "4")]), 0)
            .unwrap();
        let index = survey
            .questions()
            .position(|q| q.key == question.key)
            .unwrap();
        assert_eq!(answers.value(&survey, index), "4");
        // A value no page offers is refused and changes nothing.
        let before = answers.clone();
        let errors = answers
            .apply(&survey, section, &form(&[(&field, "9")]), 0)
            .unwrap_err();
        assert_eq!(errors[0].question, question.key);
        assert_eq!(answers, before);
        // Leaving it blank clears it.
        answers.apply(&survey, section, &form(&[]), 0).unwrap();
        assert_eq!(answers.value(&survey, index), "");
    }

    #[test]
    fn org_units_comments_and_demographics_are_checked() {
        let survey = parse(DEFAULT_BANK).unwrap();
        let mut answers = Answers::empty(&survey);
        let find = |kind: QuestionKind| {
            survey
                .sections
                .iter()
                .enumerate()
                .find_map(|(s, sec)| {
                    sec.questions
                        .iter()
                        .find(|q| q.kind == kind)
                        .map(|q| (s, format!("q-{}", q.key), q.key.clone()))
                })
                .unwrap()
        };
        let (s, unit, _) = find(QuestionKind::OrgUnit);
        assert!(
            answers
                .apply(&survey, s, &form(&[(&unit, "3")]), 2)
                .is_err()
        );
        answers
            .apply(&survey, s, &form(&[(&unit, "2")]), 2)
            .unwrap();
        assert_eq!(*answers.groupings.last().unwrap(), 2);

        let (s, text, key) = find(QuestionKind::FreeText);
        let long = "a".repeat(MAX_COMMENT + 1);
        assert!(
            answers
                .apply(&survey, s, &form(&[(&text, &long)]), 2)
                .is_err()
        );
        answers
            .apply(&survey, s, &form(&[(&text, "  More time to talk  ")]), 2)
            .unwrap();
        assert_eq!(answers.comments, [(key, "More time to talk".to_owned())]);

        let (s, demo, _) = find(QuestionKind::Demographic);
        assert!(
            answers
                .apply(&survey, s, &form(&[(&demo, "-1")]), 2)
                .is_err()
        );
        assert!(
            answers
                .apply(&survey, s, &form(&[(&demo, "x")]), 2)
                .is_err()
        );
    }

    #[test]
    fn multiple_choice_is_one_item_per_choice() {
        let text = "key = \"mc\"\ntitle = \"MC\"\n[[sections]]\ntitle = \"One\"\n[[sections.questions]]\nkey = \"help\"\nkind = \"multiple_choice\"\nbetter = \"neither\"\ntext = \"Where did you get help?\"\nchoices = [\"Manager\", \"Union\", \"Guardian\"]\n[[sections.questions]]\nkey = \"ok\"\nkind = \"yes_no\"\nbetter = \"higher\"\ntext = \"Are you OK?\"\n";
        let survey = parse(text).unwrap();
        let items = survey.items();
        assert_eq!(
            items.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(),
            ["help.1", "help.2", "help.3", "ok"]
        );
        let mut answers = Answers::empty(&survey);
        answers
            .apply(
                &survey,
                0,
                &form(&[("q-help-1", "1"), ("q-help-3", "1"), ("q-ok", "1")]),
                0,
            )
            .unwrap();
        assert_eq!(answers.codes, [1, 2, 1, 1]);
        assert_eq!(answers.value(&survey, 0), "1,3");
        // Nothing ticked is no answer, not "none of these".
        answers
            .apply(&survey, 0, &form(&[("q-ok", "2")]), 0)
            .unwrap();
        assert_eq!(answers.codes, [0, 0, 0, 2]);
    }

    #[test]
    fn a_draft_of_another_shape_starts_again() {
        let survey = parse(DEFAULT_BANK).unwrap();
        let restored = Answers::restore(&survey, vec![1, 2], vec![1], Vec::new());
        assert_eq!(restored, Answers::empty(&survey));
    }
}

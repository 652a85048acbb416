//! Reading survey responses from a table (a CSV file's rows), checked cell by cell so every
//! mistake can be reported with its line before anything is stored. See docs/survey.md for
//! the column format.

use super::answering::Answers;
use super::{QuestionKind, Survey};
use std::collections::HashMap;

/// Which question each column answers (by position among the survey's questions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    columns: Vec<usize>,
}

/// Matches a header row to the survey: every column must be a question key (or
/// `org_unit`), and none may appear twice.
pub fn plan(survey: &Survey, header: &[&str]) -> Result<Plan, String> {
    let mut columns = Vec::with_capacity(header.len());
    for name in header {
        let name = name.trim();
        let found = survey.questions().enumerate().find(|(_, q)| {
            q.key == name || (name == "org_unit" && q.kind == QuestionKind::OrgUnit)
        });
        let Some((index, _)) = found else {
            return Err(format!(
                "the column '{name}' is not a question of the survey '{}'",
                survey.key
            ));
        };
        if columns.contains(&index) {
            return Err(format!("the column '{name}' appears twice"));
        }
        columns.push(index);
    }
    Ok(Plan { columns })
}

/// Reads one row. A cell may hold an answer's number (1 for the first answer; for 0 to 10
/// questions, the number itself) or its words, in any case; a blank cell is no answer.
/// Org units are given by name. A multiple-choice cell lists the chosen answers separated
/// by semicolons.
pub fn read_row(
    survey: &Survey,
    plan: &Plan,
    cells: &[&str],
    unit_names: &[String],
) -> Result<Answers, String> {
    if cells.len() != plan.columns.len() {
        return Err(format!(
            "the row has {} cells but the header has {} columns",
            cells.len(),
            plan.columns.len()
        ));
    }
    let questions: Vec<_> = survey.questions().collect();
    let mut form: Vec<HashMap<String, String>> = vec![HashMap::new(); survey.sections.len()];
    let section_of = |index: usize| {
        let mut seen = 0;
        for (s, section) in survey.sections.iter().enumerate() {
            seen += section.questions.len();
            if index < seen {
                return s;
            }
        }
        0
    };
    for (&index, raw) in plan.columns.iter().zip(cells) {
        let raw = raw.trim();
        let Some(question) = questions.get(index) else {
            continue;
        };
        if question.kind == QuestionKind::MultipleChoice {
            for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let n = question
                    .choices
                    .iter()
                    .position(|l| l.eq_ignore_ascii_case(part))
                    .map(|p| p + 1)
                    .or_else(|| {
                        part.parse::<usize>()
                            .ok()
                            .filter(|n| (1..=question.choices.len()).contains(n))
                    })
                    .ok_or_else(|| {
                        format!(
                            "'{part}' is not an answer to '{}'. Use any of: {}, separated by ;",
                            question.key,
                            question.choices.join(", ")
                        )
                    })?;
                if let Some(fields) = form.get_mut(section_of(index)) {
                    fields.insert(format!("q-{}-{n}", question.key), "1".into());
                }
            }
            continue;
        }
        let value = if raw.is_empty() || question.kind == QuestionKind::FreeText {
            raw.to_owned()
        } else {
            let labels: Vec<&str> = if question.kind == QuestionKind::OrgUnit {
                unit_names.iter().map(String::as_str).collect()
            } else {
                question.choices.iter().map(String::as_str).collect()
            };
            let by_label = labels
                .iter()
                .position(|l| l.eq_ignore_ascii_case(raw))
                .map(|p| p + 1);
            let by_number = match (question.kind, raw.parse::<usize>()) {
                // A 0 to 10 answer is its own number; its code is one more.
                (QuestionKind::Scale, Ok(n)) if n <= 10 => Some(n + 1),
                (QuestionKind::Scale | QuestionKind::OrgUnit, _) => None,
                (_, Ok(n)) if (1..=labels.len()).contains(&n) => Some(n),
                _ => None,
            };
            match by_label.or(by_number) {
                Some(code) => code.to_string(),
                None => {
                    return Err(format!(
                        "'{raw}' is not an answer to '{}'. Use one of: {}",
                        question.key,
                        labels.join(", ")
                    ));
                }
            }
        };
        if let Some(fields) = form.get_mut(section_of(index)) {
            fields.insert(format!("q-{}", question.key), value);
        }
    }
    let mut answers = Answers::empty(survey);
    for (section, fields) in form.iter().enumerate() {
        answers
            .apply(survey, section, fields, unit_names.len())
            .map_err(|errors| {
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.question, e.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            })?;
    }
    Ok(answers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{DEFAULT_BANK, parse};

    #[test]
    fn rows_are_read_by_number_or_words_and_mistakes_are_named() {
        let survey = parse(DEFAULT_BANK).unwrap();
        let units = vec!["Ward 1".to_owned(), "Ward 2".to_owned()];
        let agreement = survey
            .questions()
            .find(|q| q.kind == QuestionKind::Agreement)
            .unwrap();
        let scale = survey
            .questions()
            .find(|q| q.kind == QuestionKind::Scale)
            .unwrap();
        let header = [agreement.key.as_str(), scale.key.as_str(), "org_unit"];
        let plan = plan(&survey, &header).unwrap();

        let row = read_row(&survey, &plan, &["Strongly agree", "0", "ward 2"], &units).unwrap();
        let codes: Vec<String> = survey
            .questions()
            .enumerate()
            .filter(|(_, q)| [&agreement.key, &scale.key].contains(&&q.key))
            .map(|(i, _)| row.value(&survey, i))
            .collect();
        assert_eq!(codes, ["5", "1"]);
        assert_eq!(*row.groupings.last().unwrap(), 2);
        let row = read_row(&survey, &plan, &["4", "", ""], &units).unwrap();
        assert!(row.codes.contains(&4));

        let bad = read_row(&survey, &plan, &["Sometimes", "", ""], &units).unwrap_err();
        assert!(
            bad.contains("'Sometimes'") && bad.contains("Strongly agree"),
            "{bad}"
        );
        assert!(read_row(&survey, &plan, &["", "11", ""], &units).is_err());
        assert!(read_row(&survey, &plan, &["", "", "Ward 3"], &units).is_err());
        assert!(read_row(&survey, &plan, &["", ""], &units).is_err());
    }

    #[test]
    fn multiple_choice_cells_list_choices() {
        let text = "key = \"mc\"\ntitle = \"MC\"\n[[sections]]\ntitle = \"One\"\n[[sections.questions]]\nkey = \"help\"\nkind = \"multiple_choice\"\nbetter = \"neither\"\ntext = \"Who helped?\"\nchoices = [\"Manager\", \"Union\", \"Guardian\"]\n";
        let survey = parse(text).unwrap();
        let plan = plan(&survey, &["help"]).unwrap();
        let row = read_row(&survey, &plan, &["manager; 3"], &[]).unwrap();
        assert_eq!(row.codes, [1, 2, 1]);
        let row = read_row(&survey, &plan, &[""], &[]).unwrap();
        assert_eq!(row.codes, [0, 0, 0]);
        let bad = read_row(&survey, &plan, &["Manager;Nobody"], &[]).unwrap_err();
        assert!(bad.contains("'Nobody'"), "{bad}");
    }

    #[test]
    fn headers_must_name_questions_once() {
        let survey = parse(DEFAULT_BANK).unwrap();
        assert!(
            plan(&survey, &["shoe_size"])
                .unwrap_err()
                .contains("shoe_size")
        );
        assert!(
            plan(&survey, &["org_unit", "org_unit"])
                .unwrap_err()
                .contains("twice")
        );
    }
}

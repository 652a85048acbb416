//! Survey definitions: sections, questions, answer scales and themes, read from a TOML
//! file (see docs/survey.md) and checked with messages that name the line.

use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use toml::Spanned;

pub mod answering;
pub mod import;
pub mod pledges;

/// The culture question bank Dignity ships, written for Dignity.
pub const DEFAULT_BANK: &str = include_str!("default_bank.toml");

code_list!(
    /// How people take part in a campaign.
    Participation, "way of taking part", {
        Tokens => "tokens", "Single-use invitation codes";
        OpenLink => "open_link", "A link for signed-in staff, one response each";
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Strongly disagree, disagree, neither, agree, strongly agree.
    Agreement,
    /// Never, 1 to 2 times, 3 to 5 times, 6 to 10 times, more than 10 times.
    Frequency,
    /// Yes, no, don't know.
    YesNo,
    /// One of the question's own choices.
    SingleChoice,
    /// Any of the question's own choices.
    MultipleChoice,
    /// 0 to 10.
    Scale,
    /// Words. Never shown below the minimum group size and never in the engine.
    FreeText,
    /// A fact about the person, used to break results down; its choices come from
    /// `demographic`.
    Demographic,
    /// Where the person works, from the organisation's structure.
    OrgUnit,
}

impl QuestionKind {
    /// The answer labels, in code order (code 1 is the first).
    pub fn standard_choices(self) -> Option<&'static [&'static str]> {
        match self {
            QuestionKind::Agreement => Some(&[
                "Strongly disagree",
                "Disagree",
                "Neither agree nor disagree",
                "Agree",
                "Strongly agree",
            ]),
            QuestionKind::Frequency => Some(&[
                "Never",
                "1 to 2 times",
                "3 to 5 times",
                "6 to 10 times",
                "More than 10 times",
            ]),
            QuestionKind::YesNo => Some(&["Yes", "No", "Don't know"]),
            QuestionKind::Scale => Some(&["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]),
            _ => None,
        }
    }

    /// Whether answers are stored as codes and counted (not free text, a demographic or a
    /// place, which are kept apart).
    pub fn is_counted(self) -> bool {
        matches!(
            self,
            QuestionKind::Agreement
                | QuestionKind::Frequency
                | QuestionKind::YesNo
                | QuestionKind::Scale
                | QuestionKind::SingleChoice
                | QuestionKind::MultipleChoice
        )
    }

    /// Answer codes that count towards the question's headline figure by default.
    pub fn default_positive(self) -> &'static [u8] {
        match self {
            QuestionKind::Agreement => &[4, 5],
            QuestionKind::Frequency => &[2, 3, 4, 5],
            QuestionKind::YesNo => &[1],
            _ => &[],
        }
    }
}

/// The groupings a demographic question can feed.
pub const DEMOGRAPHICS: &[(&str, &[&str])] = &[
    (
        "staff_group",
        &[
            "Nursing and midwifery",
            "Medical and dental",
            "Allied health professionals",
            "Healthcare assistants and support workers",
            "Administrative and clerical",
            "Estates and ancillary",
            "Ambulance",
            "Scientific and technical",
            "Other",
        ],
    ),
    (
        "ethnicity",
        &["White", "Black and minority ethnic", "Prefer not to say"],
    ),
    ("disability", &["Yes", "No", "Prefer not to say"]),
    ("long_term_condition", &["Yes", "No", "Prefer not to say"]),
    (
        "sexual_orientation",
        &[
            "Heterosexual or straight",
            "Gay or lesbian",
            "Bisexual",
            "Other",
            "Prefer not to say",
        ],
    ),
    (
        "gender",
        &["Woman", "Man", "Non-binary", "Other", "Prefer not to say"],
    ),
    (
        "age_band",
        &[
            "16 to 20",
            "21 to 30",
            "31 to 40",
            "41 to 50",
            "51 to 65",
            "66 and over",
            "Prefer not to say",
        ],
    ),
    (
        "religion",
        &[
            "No religion",
            "Christian",
            "Buddhist",
            "Hindu",
            "Jewish",
            "Muslim",
            "Sikh",
            "Other",
            "Prefer not to say",
        ],
    ),
    ("carer", &["Yes", "No", "Prefer not to say"]),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurvey {
    key: Spanned<String>,
    title: String,
    #[serde(default)]
    themes: Vec<RawTheme>,
    sections: Vec<RawSection>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    key: Spanned<String>,
    title: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    title: String,
    questions: Vec<RawQuestion>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    key: Spanned<String>,
    kind: QuestionKind,
    text: String,
    #[serde(default)]
    hint: String,
    #[serde(default)]
    choices: Vec<String>,
    #[serde(default)]
    positive: Option<Vec<u8>>,
    #[serde(default)]
    theme: Option<Spanned<String>>,
    #[serde(default)]
    better: Option<Direction>,
    /// The old way to say "lower is better", read only from surveys stored before `better`
    /// (see [`parse_stored`]).
    #[serde(default)]
    reverse: Option<Spanned<bool>>,
    #[serde(default)]
    demographic: Option<Spanned<String>>,
}

/// Which way a figure is better. Every question that is counted says so in the survey
/// file, because nothing else can tell: "yes" is good for "did you report it?" and bad for
/// "were you treated unfairly?". Pages that rank, flag or colour figures read it from
/// here and nowhere else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Direction {
    /// A higher share of the counted answers (or a higher score) is better.
    #[serde(rename = "higher")]
    HigherIsBetter,
    #[serde(rename = "lower")]
    LowerIsBetter,
    /// Neither way is better (say, where people heard about something): such a figure is
    /// never ranked or flagged.
    #[serde(rename = "neither")]
    Neither,
}

impl Direction {
    /// Whether `a` is better than `b`; `None` when neither way is better.
    pub fn is_better(self, a: f64, b: f64) -> Option<bool> {
        match self {
            Direction::HigherIsBetter => Some(a > b),
            Direction::LowerIsBetter => Some(a < b),
            Direction::Neither => None,
        }
    }

    /// How a page says it: "higher", "lower" or "neither".
    pub fn word(self) -> &'static str {
        match self {
            Direction::HigherIsBetter => "higher",
            Direction::LowerIsBetter => "lower",
            Direction::Neither => "neither",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub key: String,
    pub title: String,
    pub themes: Vec<Theme>,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub key: String,
    pub title: String,
    pub description: String,
}

impl Theme {
    /// A theme score is always higher when better: each question's score is turned round
    /// when lower is better for it ([`answer_score`]), and a question must say which way
    /// before it can count towards a theme.
    pub fn better(&self) -> Direction {
        Direction::HigherIsBetter
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub questions: Vec<Question>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub key: String,
    pub kind: QuestionKind,
    pub text: String,
    pub hint: String,
    /// Answer labels in code order (code 1 first).
    pub choices: Vec<String>,
    /// The answers the headline share counts (for a harassment question, "at least once").
    pub positive: Vec<u8>,
    pub theme: Option<String>,
    /// Which way the headline share, and the question's score, is better. `Neither` for
    /// demographic, place and free-text questions, which are never ranked.
    pub better: Direction,
    pub demographic: Option<String>,
}

impl Question {
    /// Whether a person's score on this question is turned round so that 10 is best.
    pub fn scores_reversed(&self) -> bool {
        self.better == Direction::LowerIsBetter
    }
}

/// One stored, counted answer: a question, or one choice of a multiple-choice question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item<'a> {
    /// The question's key, or `key.n` for choice n (from 1).
    pub key: String,
    /// What a results table shows: the question, and the choice if there is one.
    pub text: String,
    pub question: &'a Question,
    pub choice: Option<usize>,
}

impl Item<'_> {
    /// How many answer codes the item has (codes 1 to this).
    pub fn codes(&self) -> usize {
        match self.choice {
            Some(_) => 2,
            None => self.question.choices.len(),
        }
    }
}

impl Survey {
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.sections.iter().flat_map(|s| s.questions.iter())
    }

    /// Questions whose answers are stored as one code each and counted by the engine, in
    /// storage order. A multiple-choice question counts too: it is stored as one item per
    /// choice (see [`Survey::items`]).
    pub fn counted_questions(&self) -> impl Iterator<Item = &Question> {
        self.questions().filter(|q| q.kind.is_counted())
    }

    /// What a response stores and the engine counts, one byte each, in survey order: one
    /// item per counted question, except that a multiple-choice question gives one item per
    /// choice ("chosen" is code 1, "not chosen" code 2), so each choice has its own share.
    pub fn items(&self) -> Vec<Item<'_>> {
        let mut items = Vec::new();
        for question in self.counted_questions() {
            if question.kind == QuestionKind::MultipleChoice {
                for (c, label) in question.choices.iter().enumerate() {
                    items.push(Item {
                        key: format!("{}.{}", question.key, c + 1),
                        text: format!("{} {label}", question.text),
                        question,
                        choice: Some(c),
                    });
                }
            } else {
                items.push(Item {
                    key: question.key.clone(),
                    text: question.text.clone(),
                    question,
                    choice: None,
                });
            }
        }
        items
    }

    /// Demographic questions, in storage order; the org unit comes after them.
    pub fn demographic_questions(&self) -> impl Iterator<Item = &Question> {
        self.questions()
            .filter(|q| q.kind == QuestionKind::Demographic)
    }

    /// The positive-answer mask of a question, as the engine wants it (bit c for code c).
    /// For a choice of a multiple-choice question, "chosen" (code 1) is positive.
    pub fn item_positive_mask(item: &Item<'_>) -> u16 {
        match item.choice {
            Some(_) => 1 << 1,
            None => Survey::positive_mask(item.question),
        }
    }

    /// The positive-answer mask of a question, as the engine wants it (bit c for code c).
    pub fn positive_mask(question: &Question) -> u16 {
        question
            .positive
            .iter()
            .fold(0u16, |mask, c| mask | (1 << c))
    }
}

/// What is wrong with a definition file (a survey, or a diagnostic framework), and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DefinitionError {}

pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Whether `k` may be a key in a definition file: 1 to 64 lower-case letters, digits, '-'
/// or '_', so it reads the same in a link, a file and a CSV heading.
pub(crate) fn is_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// Reads and checks a survey definition: a new one, or the built-in bank. Every counted
/// question must say which way is better.
pub fn parse(text: &str) -> Result<Survey, DefinitionError> {
    read(text, Reading::New)
}

/// Reads a survey definition stored in the database. One stored before questions said
/// which way is better (and so has no `better` anywhere) is still read: a question the
/// built-in bank also has, asked the same way, takes the bank's direction (which puts
/// right the discrimination questions, once wrongly counted "higher is better"); any other
/// takes it from the old `reverse` flag.
pub fn parse_stored(text: &str) -> Result<Survey, DefinitionError> {
    match read(text, Reading::New) {
        Ok(survey) => Ok(survey),
        Err(first) => read(text, Reading::Legacy).map_err(|_| first),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    New,
    Legacy,
}

fn read(text: &str, reading: Reading) -> Result<Survey, DefinitionError> {
    let raw: RawSurvey = toml::from_str(text).map_err(|e| DefinitionError {
        line: e.span().map(|s| line_of(text, s.start)),
        message: e.message().to_owned(),
    })?;
    let at = |span: std::ops::Range<usize>, message: String| DefinitionError {
        line: Some(line_of(text, span.start)),
        message,
    };
    let check_key = |key: &Spanned<String>, what: &str| -> Result<(), DefinitionError> {
        let k = key.get_ref();
        if is_key(k) {
            Ok(())
        } else {
            Err(at(
                key.span(),
                format!(
                    "the {what} key '{k}' must be 1 to 64 lower-case letters, digits, '-' or '_'"
                ),
            ))
        }
    };
    check_key(&raw.key, "survey")?;
    let mut theme_keys = HashSet::new();
    for theme in &raw.themes {
        check_key(&theme.key, "theme")?;
        if !theme_keys.insert(theme.key.get_ref().clone()) {
            return Err(at(
                theme.key.span(),
                format!("the theme '{}' is defined twice", theme.key.get_ref()),
            ));
        }
    }
    if raw.sections.is_empty() {
        return Err(DefinitionError {
            line: None,
            message: "a survey needs at least one section".into(),
        });
    }
    let demographics: BTreeMap<&str, &[&str]> = DEMOGRAPHICS.iter().copied().collect();
    let mut keys = HashSet::new();
    let mut sections = Vec::new();
    for section in raw.sections {
        let mut questions = Vec::new();
        for q in section.questions {
            check_key(&q.key, "question")?;
            let key = q.key.get_ref().clone();
            if !keys.insert(key.clone()) {
                return Err(at(
                    q.key.span(),
                    format!("the question '{key}' is defined twice"),
                ));
            }
            if q.text.trim().is_empty() {
                return Err(at(
                    q.key.span(),
                    format!("the question '{key}' has no text"),
                ));
            }
            let choices: Vec<String> = match (q.kind, &q.demographic) {
                (QuestionKind::Demographic, Some(d)) => {
                    match demographics.get(d.get_ref().as_str()) {
                        Some(list) => list.iter().map(|s| (*s).to_owned()).collect(),
                        None => {
                            let known: Vec<&str> = demographics.keys().copied().collect();
                            return Err(at(
                                d.span(),
                                format!(
                                    "'{}' is not a demographic Dignity knows. Use one of: {}",
                                    d.get_ref(),
                                    known.join(", ")
                                ),
                            ));
                        }
                    }
                }
                (QuestionKind::Demographic, None) => {
                    return Err(at(
                        q.key.span(),
                        format!("the question '{key}' must say which demographic it asks about"),
                    ));
                }
                (QuestionKind::SingleChoice | QuestionKind::MultipleChoice, _) => {
                    if q.choices.len() < 2 || q.choices.len() > 11 {
                        return Err(at(
                            q.key.span(),
                            format!("the question '{key}' needs 2 to 11 choices"),
                        ));
                    }
                    q.choices.clone()
                }
                (kind, _) => match kind.standard_choices() {
                    Some(list) => {
                        if !q.choices.is_empty() {
                            return Err(at(
                                q.key.span(),
                                format!(
                                    "the question '{key}' uses a standard scale, so it cannot list its own choices"
                                ),
                            ));
                        }
                        list.iter().map(|s| (*s).to_owned()).collect()
                    }
                    None => Vec::new(),
                },
            };
            let positive = q
                .positive
                .clone()
                .unwrap_or_else(|| q.kind.default_positive().to_vec());
            if let Some(bad) = positive
                .iter()
                .find(|c| **c == 0 || usize::from(**c) > choices.len())
            {
                return Err(at(
                    q.key.span(),
                    format!(
                        "the question '{key}' counts answer {bad} as positive, but it has {} choices",
                        choices.len()
                    ),
                ));
            }
            let counted = q.kind.is_counted();
            let better = match (reading, counted, q.better, &q.reverse) {
                (Reading::New, _, _, Some(reverse)) => {
                    return Err(at(
                        reverse.span(),
                        format!(
                            "the question '{key}' uses 'reverse', which is no longer read: say better = \"lower\" instead"
                        ),
                    ));
                }
                (_, false, Some(_), _) => {
                    return Err(at(
                        q.key.span(),
                        format!(
                            "the question '{key}' is not counted, so it cannot say which way is better"
                        ),
                    ));
                }
                (_, false, None, _) => Direction::Neither,
                (_, true, Some(better), _) => better,
                (Reading::New, true, None, _) => {
                    return Err(at(
                        q.key.span(),
                        format!(
                            "the question '{key}' must say which way is better: better = \"higher\", \"lower\" or \"neither\""
                        ),
                    ));
                }
                (Reading::Legacy, true, None, reverse) => legacy_direction(
                    &key,
                    q.kind,
                    &positive,
                    reverse.as_ref().is_some_and(|r| *r.get_ref()),
                ),
            };
            if q.theme.is_some() && better == Direction::Neither {
                return Err(at(
                    q.key.span(),
                    format!(
                        "the question '{key}' counts towards a theme, so it must say whether higher or lower is better"
                    ),
                ));
            }
            // Old files scored by `reverse` alone, whatever they counted; keep reading them so.
            if reading == Reading::New && q.theme.is_some() && positive != q.kind.default_positive()
            {
                return Err(at(
                    q.key.span(),
                    format!(
                        "the question '{key}' counts towards a theme, so it must count the usual answers for its kind ({:?}); say which way is better with 'better' instead",
                        q.kind.default_positive()
                    ),
                ));
            }
            let theme = match q.theme {
                Some(t) if !theme_keys.contains(t.get_ref()) => {
                    return Err(at(
                        t.span(),
                        format!("the theme '{}' is not defined in [[themes]]", t.get_ref()),
                    ));
                }
                Some(t)
                    if !matches!(
                        q.kind,
                        QuestionKind::Agreement
                            | QuestionKind::Frequency
                            | QuestionKind::YesNo
                            | QuestionKind::Scale
                    ) =>
                {
                    return Err(at(
                        t.span(),
                        format!(
                            "the question '{key}' cannot count towards a theme score: only agreement, frequency, yes/no and 0-10 questions can"
                        ),
                    ));
                }
                Some(t) => Some(t.into_inner()),
                None => None,
            };
            questions.push(Question {
                key,
                kind: q.kind,
                text: q.text.trim().to_owned(),
                hint: q.hint.trim().to_owned(),
                choices,
                positive,
                theme,
                better,
                demographic: q.demographic.map(Spanned::into_inner),
            });
        }
        if questions.is_empty() {
            return Err(DefinitionError {
                line: None,
                message: format!("the section '{}' has no questions", section.title),
            });
        }
        sections.push(Section {
            title: section.title,
            questions,
        });
    }
    Ok(Survey {
        key: raw.key.into_inner(),
        title: raw.title,
        themes: raw
            .themes
            .into_iter()
            .map(|t| Theme {
                key: t.key.into_inner(),
                title: t.title,
                description: t.description,
            })
            .collect(),
        sections,
    })
}

/// Which way is better for a counted question of a survey stored before questions said so.
fn legacy_direction(key: &str, kind: QuestionKind, positive: &[u8], reverse: bool) -> Direction {
    static BANK: std::sync::OnceLock<Option<Survey>> = std::sync::OnceLock::new();
    let bank = BANK.get_or_init(|| read(DEFAULT_BANK, Reading::New).ok());
    let same = bank
        .iter()
        .flat_map(Survey::questions)
        .find(|q| q.key == key && q.kind == kind && q.positive == positive);
    match same {
        Some(q) => q.better,
        None if reverse => Direction::LowerIsBetter,
        None => Direction::HigherIsBetter,
    }
}

/// A person's score for one answer on the 0-10 theme scale, or `None` when the answer does
/// not count (no answer, or "don't know"). See docs/survey.md for the rule.
pub fn answer_score(question: &Question, code: u8) -> Option<f64> {
    if code == 0 {
        return None;
    }
    let score = match question.kind {
        QuestionKind::Agreement | QuestionKind::Frequency => f64::from(code - 1) * 2.5,
        QuestionKind::YesNo => match code {
            1 => 10.0,
            2 => 0.0,
            _ => return None,
        },
        QuestionKind::Scale => f64::from(code - 1),
        _ => return None,
    };
    Some(if question.scores_reversed() {
        10.0 - score
    } else {
        score
    })
}

/// A person's theme score: the mean of their scored answers in the theme, if they answered
/// at least half of the theme's questions.
pub fn theme_score(scored: &[Option<f64>]) -> Option<f64> {
    let answered: Vec<f64> = scored.iter().flatten().copied().collect();
    if answered.is_empty() || answered.len() * 2 < scored.len() {
        return None;
    }
    Some(answered.iter().sum::<f64>() / answered.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_bank_is_valid_and_covers_the_themes() {
        let survey = parse(DEFAULT_BANK).unwrap_or_else(|e| panic!("{e}"));
        let keys: HashSet<&str> = survey.questions().map(|q| q.key.as_str()).collect();
        for needed in [
            "harassment_public",
            "harassment_managers",
            "harassment_colleagues",
            "harassment_reported",
            "discrimination_manager_colleague",
            "violence_public",
            "safe_to_speak_up",
            "confident_concerns_addressed",
            "team_shared_objectives",
            "equal_opportunities_progression",
            "manager_supportive",
            "burnout",
            "would_recommend_work",
            "pressure_to_work_unwell",
            "feel_valued",
            "adjustments_made",
            "fair_treatment_after_errors",
            "staff_group",
            "ethnicity",
            "disability",
            "org_unit",
        ] {
            assert!(keys.contains(needed), "the bank has no {needed}");
        }
        assert!(
            survey.themes.len() >= 9,
            "one theme per element plus engagement and morale"
        );
        for theme in &survey.themes {
            assert!(
                survey
                    .questions()
                    .filter(|q| q.theme.as_deref() == Some(theme.key.as_str()))
                    .count()
                    >= 2,
                "theme {} has too few questions",
                theme.key
            );
        }
    }

    #[test]
    fn mistakes_are_reported_with_their_line() {
        let bad = "key = \"s\"\ntitle = \"T\"\n[[sections]]\ntitle = \"A\"\n[[sections.questions]]\nkey = \"q1\"\nkind = \"agreement\"\ntext = \"Q\"\ntheme = \"nothing\"\nbetter = \"higher\"\n";
        let err = parse(bad).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            err,
            "line 9: the theme 'nothing' is not defined in [[themes]]"
        );
        let bad_kind = bad.replace("agreement", "ranking");
        let err = parse(&bad_kind)
            .err()
            .unwrap_or_else(|| panic!("should fail"));
        assert_eq!(err.line, Some(7), "{err}");
        let twice = "key = \"s\"\ntitle = \"T\"\n[[sections]]\ntitle = \"A\"\n[[sections.questions]]\nkey = \"q1\"\nkind = \"yes_no\"\ntext = \"Q\"\nbetter = \"higher\"\n[[sections.questions]]\nkey = \"q1\"\nkind = \"yes_no\"\ntext = \"Q\"\nbetter = \"higher\"\n";
        assert_eq!(
            parse(twice)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default(),
            "line 11: the question 'q1' is defined twice"
        );
        let demo = twice.replacen(
            "kind = \"yes_no\"",
            "kind = \"demographic\"\ndemographic = \"shoe_size\"",
            1,
        );
        assert!(
            parse(&demo)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
                .contains("'shoe_size' is not a demographic")
        );
    }

    /// The bank as it was stored before questions said which way is better: `reverse` on
    /// bad experiences, and nothing at all on the discrimination questions.
    fn as_stored_before_directions(bank: &str) -> String {
        bank.split("[[sections.questions]]")
            .map(|block| {
                let lower = block.contains("better = \"lower\"");
                let discrimination = block.contains("key = \"discrimination_");
                block
                    .lines()
                    .filter(|l| !l.starts_with("better = "))
                    .map(
                        |l| match l.starts_with("kind = ") && lower && !discrimination {
                            true => format!("{l}\nreverse = true\n"),
                            false => format!("{l}\n"),
                        },
                    )
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("[[sections.questions]]")
    }

    fn question<'a>(survey: &'a Survey, key: &str) -> &'a Question {
        survey
            .questions()
            .find(|q| q.key == key)
            .unwrap_or_else(|| panic!("no question {key}"))
    }

    #[test]
    fn every_counted_question_says_which_way_is_better() {
        let survey = parse(DEFAULT_BANK).unwrap_or_else(|e| panic!("{e}"));
        for key in [
            "discrimination_manager_colleague",
            "discrimination_public",
            "harassment_colleagues",
            "pressure_to_work_unwell",
            "thinking_of_leaving",
        ] {
            assert_eq!(
                question(&survey, key).better,
                Direction::LowerIsBetter,
                "{key}"
            );
        }
        for key in [
            "harassment_reported",
            "adjustments_made",
            "safe_to_speak_up",
        ] {
            assert_eq!(
                question(&survey, key).better,
                Direction::HigherIsBetter,
                "{key}"
            );
        }
        assert_eq!(question(&survey, "ethnicity").better, Direction::Neither);

        let file = |extra: &str| {
            format!(
                "key = \"s\"\ntitle = \"T\"\n[[themes]]\nkey = \"t\"\ntitle = \"T\"\n[[sections]]\ntitle = \"A\"\n[[sections.questions]]\nkey = \"q1\"\nkind = \"yes_no\"\ntext = \"Q\"\n{extra}"
            )
        };
        let error = |extra: &str| {
            parse(&file(extra))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(
            error(""),
            "line 9: the question 'q1' must say which way is better: better = \"higher\", \"lower\" or \"neither\""
        );
        assert!(error("reverse = true\n").starts_with("line 12: the question 'q1' uses 'reverse'"));
        assert!(
            error("better = \"up\"\n").starts_with("line 12:"),
            "{}",
            error("better = \"up\"\n")
        );
        assert!(
            error("better = \"neither\"\ntheme = \"t\"\n")
                .contains("must say whether higher or lower is better")
        );
        assert!(
            error("better = \"lower\"\npositive = [2]\ntheme = \"t\"\n")
                .contains("must count the usual answers"),
            "a themed question's score turns round with its direction only if it counts the usual answers"
        );
        assert!(parse(&file("better = \"lower\"\ntheme = \"t\"\n")).is_ok());
        let place = "key = \"s\"\ntitle = \"T\"\n[[sections]]\ntitle = \"A\"\n[[sections.questions]]\nkey = \"where\"\nkind = \"org_unit\"\ntext = \"Where?\"\nbetter = \"higher\"\n";
        assert!(
            parse(place)
                .err()
                .is_some_and(|e| e.message.contains("is not counted, so it cannot say"))
        );
    }

    #[test]
    fn surveys_stored_before_directions_are_still_read_and_put_right() {
        let old = as_stored_before_directions(DEFAULT_BANK);
        assert!(!old.contains("better ="));
        assert!(
            parse(&old).is_err(),
            "a new file must say which way is better"
        );
        let stored = parse_stored(&old).unwrap_or_else(|e| panic!("{e}"));
        let bank = parse(DEFAULT_BANK).unwrap_or_else(|e| panic!("{e}"));
        for q in bank.questions() {
            assert_eq!(question(&stored, &q.key).better, q.better, "{}", q.key);
        }
        // A question the bank does not have keeps what its old `reverse` flag said.
        let custom = "key = \"s\"\ntitle = \"T\"\n[[sections]]\ntitle = \"A\"\n[[sections.questions]]\nkey = \"late_shifts\"\nkind = \"frequency\"\ntext = \"Q\"\nreverse = true\n[[sections.questions]]\nkey = \"breaks\"\nkind = \"frequency\"\ntext = \"Q\"\n";
        let custom = parse_stored(custom).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            question(&custom, "late_shifts").better,
            Direction::LowerIsBetter
        );
        assert_eq!(
            question(&custom, "breaks").better,
            Direction::HigherIsBetter
        );
        // A stored file that is wrong in another way reports the new reading's mistake.
        assert!(parse_stored("key = \"s\"").is_err());
    }

    #[test]
    fn theme_scores_follow_the_documented_rule() {
        let agree = Question {
            key: "a".into(),
            kind: QuestionKind::Agreement,
            text: "t".into(),
            hint: String::new(),
            choices: vec![],
            positive: vec![],
            theme: None,
            better: Direction::HigherIsBetter,
            demographic: None,
        };
        let often = Question {
            kind: QuestionKind::Frequency,
            better: Direction::LowerIsBetter,
            ..agree.clone()
        };
        assert_eq!(answer_score(&agree, 5), Some(10.0));
        assert_eq!(answer_score(&agree, 2), Some(2.5));
        assert_eq!(
            answer_score(&often, 1),
            Some(10.0),
            "never experiencing it scores best"
        );
        assert_eq!(answer_score(&agree, 0), None);
        assert_eq!(theme_score(&[Some(10.0), Some(5.0), None]), Some(7.5));
        assert_eq!(
            theme_score(&[Some(10.0), None, None]),
            None,
            "fewer than half answered"
        );
    }
}

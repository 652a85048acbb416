//! Self-assessment frameworks (issue 19): a framework is a TOML file of elements, each
//! with statements an organisation rates itself against on a maturity scale, the survey
//! questions that say what staff think of the same thing, and the library topics that help
//! where it is weak. docs/diagnostics.md describes the format. A file is read and checked
//! here, with a message that names the line of each mistake.

use crate::library::Topic;
use crate::survey::{DEFAULT_BANK, DefinitionError, is_key, line_of};
use serde::Deserialize;
use std::collections::HashSet;
use std::ops::Range;
use toml::Spanned;

pub mod rounds;

/// The Health and Wellbeing Framework's diagnostic, in our own words.
pub const HEALTH_AND_WELLBEING: &str = include_str!("health_and_wellbeing.toml");
/// A culture and leadership diagnostic on the elements of a compassionate and inclusive
/// culture, in our own words.
pub const CULTURE_AND_LEADERSHIP: &str = include_str!("culture_and_leadership.toml");
/// Every framework Dignity ships.
pub const SHIPPED: [&str; 2] = [HEALTH_AND_WELLBEING, CULTURE_AND_LEADERSHIP];

/// The fewest and most levels a maturity scale may have.
pub const LEVELS: Range<usize> = 3..8;
/// The longest title, description, statement or evidence prompt, in characters.
pub const TEXT_LIMIT: usize = 1_000;
/// The largest file, in bytes, and the most elements and statements: a framework is a
/// form people fill in, and a page of thousands of statements helps nobody (an outside
/// review loaded 20,000).
pub const FILE_LIMIT: usize = 1_000_000;
pub const ELEMENTS_LIMIT: usize = 20;
pub const STATEMENTS_PER_ELEMENT_LIMIT: usize = 60;
pub const STATEMENTS_LIMIT: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framework {
    pub key: String,
    /// Raised whenever the file changes: a round keeps the version it started with.
    pub version: u32,
    pub title: String,
    pub description: String,
    /// Lowest first; level `n` is rated `n`.
    pub levels: Vec<Level>,
    pub elements: Vec<Element>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub rating: u8,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub key: String,
    pub title: String,
    pub description: String,
    /// Keys of counted questions in the built-in survey bank.
    pub indicators: Vec<String>,
    pub topics: Vec<Topic>,
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub key: String,
    pub text: String,
    /// What might show the statement is true; blank when the file gives none.
    pub evidence: String,
}

impl Framework {
    pub fn statements(&self) -> impl Iterator<Item = (&Element, &Statement)> {
        self.elements
            .iter()
            .flat_map(|e| e.statements.iter().map(move |s| (e, s)))
    }

    /// The highest rating on the scale.
    pub fn top(&self) -> u8 {
        self.levels.last().map_or(0, |l| l.rating)
    }

    pub fn level(&self, rating: u8) -> Option<&Level> {
        self.levels.iter().find(|l| l.rating == rating)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    key: Spanned<String>,
    version: Spanned<i64>,
    title: Spanned<String>,
    #[serde(default)]
    description: String,
    levels: Spanned<Vec<RawLevel>>,
    elements: Spanned<Vec<RawElement>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    rating: Spanned<i64>,
    name: Spanned<String>,
    description: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawElement {
    key: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    indicators: Vec<Spanned<String>>,
    #[serde(default)]
    topics: Vec<Spanned<String>>,
    statements: Spanned<Vec<RawStatement>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStatement {
    key: Spanned<String>,
    text: Spanned<String>,
    #[serde(default)]
    evidence: String,
}

/// Reads and checks a framework file.
pub fn parse(text: &str) -> Result<Framework, DefinitionError> {
    read(text, true)
}

/// Reads a framework version as stored: checked when it was loaded, so its survey
/// questions are not checked against today's survey bank again (a question renamed since
/// must not break the rounds that used it).
pub fn parse_stored(text: &str) -> Result<Framework, DefinitionError> {
    read(text, false)
}

fn read(text: &str, check_indicators: bool) -> Result<Framework, DefinitionError> {
    if text.len() > FILE_LIMIT {
        return Err(DefinitionError {
            line: None,
            message: format!("the file is larger than {FILE_LIMIT} bytes"),
        });
    }
    let raw: RawFramework = toml::from_str(text).map_err(|e| DefinitionError {
        line: e.span().map(|s| line_of(text, s.start)),
        message: e.message().trim().to_owned(),
    })?;
    let at = |span: Range<usize>, message: String| DefinitionError {
        line: Some(line_of(text, span.start)),
        message,
    };
    let key = |k: &Spanned<String>, what: &str| -> Result<String, DefinitionError> {
        if is_key(k.get_ref()) {
            Ok(k.get_ref().clone())
        } else {
            Err(at(
                k.span(),
                format!(
                    "the {what} key '{}' must be 1 to 64 lower-case letters, digits, '-' or '_'",
                    k.get_ref()
                ),
            ))
        }
    };
    let words = |t: &Spanned<String>, what: &str| -> Result<String, DefinitionError> {
        let trimmed = t.get_ref().trim();
        if trimmed.is_empty() {
            Err(at(t.span(), format!("{what} is empty")))
        } else if trimmed.chars().any(|c| c.is_control() || is_hidden_mark(c)) {
            Err(at(
                t.span(),
                format!("{what} has a line break or a hidden character in it"),
            ))
        } else if trimmed.chars().count() > TEXT_LIMIT {
            Err(at(
                t.span(),
                format!("{what} is longer than {TEXT_LIMIT} characters"),
            ))
        } else {
            Ok(trimmed.to_owned())
        }
    };

    let framework_key = key(&raw.key, "framework")?;
    let version = u32::try_from(*raw.version.get_ref())
        .ok()
        .filter(|&v| v >= 1)
        .ok_or_else(|| {
            at(
                raw.version.span(),
                format!(
                    "the version must be a whole number from 1 up, not {}",
                    raw.version.get_ref()
                ),
            )
        })?;
    let title = words(&raw.title, "the framework's title")?;

    let raw_levels = raw.levels.get_ref();
    if !LEVELS.contains(&raw_levels.len()) {
        return Err(at(
            raw.levels.span(),
            format!(
                "the scale has {} levels; it needs {} to {}",
                raw_levels.len(),
                LEVELS.start,
                LEVELS.end - 1
            ),
        ));
    }
    let mut levels = Vec::with_capacity(raw_levels.len());
    let mut level_names = HashSet::new();
    for (at_position, level) in raw_levels.iter().enumerate() {
        let expected = at_position + 1;
        if usize::try_from(*level.rating.get_ref()).ok() != Some(expected) {
            return Err(at(
                level.rating.span(),
                format!(
                    "levels are rated 1, 2, 3 and so on, lowest first: this one should be {expected}, not {}",
                    level.rating.get_ref()
                ),
            ));
        }
        let name = words(&level.name, "the level's name")?;
        if !level_names.insert(name.to_lowercase()) {
            return Err(at(
                level.name.span(),
                format!("two levels are called '{name}'"),
            ));
        }
        levels.push(Level {
            rating: u8::try_from(expected).unwrap_or(u8::MAX),
            name,
            description: words(&level.description, "the level's description")?,
        });
    }

    let bank = crate::survey::parse(DEFAULT_BANK)?;
    let counted: HashSet<&str> = bank.counted_questions().map(|q| q.key.as_str()).collect();
    if raw.elements.get_ref().is_empty() {
        return Err(at(
            raw.elements.span(),
            "a framework needs at least one element".into(),
        ));
    }
    if raw.elements.get_ref().len() > ELEMENTS_LIMIT {
        return Err(at(
            raw.elements.span(),
            format!("a framework may have at most {ELEMENTS_LIMIT} elements"),
        ));
    }
    let all: usize = raw
        .elements
        .get_ref()
        .iter()
        .map(|e| e.statements.get_ref().len())
        .sum();
    if all > STATEMENTS_LIMIT {
        return Err(at(
            raw.elements.span(),
            format!("a framework may have at most {STATEMENTS_LIMIT} statements in all, not {all}"),
        ));
    }
    let description = |text: &str, span: Range<usize>| -> Result<String, DefinitionError> {
        let trimmed = text.trim();
        if trimmed
            .chars()
            .any(|c| (c.is_control() && c != '\n') || is_hidden_mark(c))
        {
            Err(at(
                span,
                "a description has a hidden character in it".into(),
            ))
        } else if trimmed.chars().count() > TEXT_LIMIT {
            Err(at(
                span,
                format!("a description is longer than {TEXT_LIMIT} characters"),
            ))
        } else {
            Ok(trimmed.to_owned())
        }
    };
    let mut element_keys = HashSet::new();
    let mut statement_keys = HashSet::new();
    let mut elements = Vec::new();
    for element in raw.elements.get_ref() {
        let element_key = key(&element.key, "element")?;
        if !element_keys.insert(element_key.clone()) {
            return Err(at(
                element.key.span(),
                format!("the element '{element_key}' is defined twice"),
            ));
        }
        let mut indicators = Vec::new();
        for indicator in &element.indicators {
            let k = indicator.get_ref();
            if check_indicators && !counted.contains(k.as_str()) {
                return Err(at(
                    indicator.span(),
                    format!(
                        "'{k}' is not a counted question of the built-in survey. Use a question key from crates/domain/src/survey/default_bank.toml, such as 'manager_cares_wellbeing'"
                    ),
                ));
            }
            if indicators.contains(k) {
                return Err(at(
                    indicator.span(),
                    format!("the element '{element_key}' lists '{k}' twice"),
                ));
            }
            indicators.push(k.clone());
        }
        let mut topics = Vec::new();
        for topic in &element.topics {
            let found = topic.get_ref().parse::<Topic>().map_err(|_| {
                let known: Vec<&str> = Topic::ALL.iter().map(|t| t.code()).collect();
                at(
                    topic.span(),
                    format!(
                        "'{}' is not a library topic. Use one of: {}",
                        topic.get_ref(),
                        known.join(", ")
                    ),
                )
            })?;
            if !topics.contains(&found) {
                topics.push(found);
            }
        }
        if element.statements.get_ref().is_empty() {
            return Err(at(
                element.statements.span(),
                format!("the element '{element_key}' has no statements"),
            ));
        }
        if element.statements.get_ref().len() > STATEMENTS_PER_ELEMENT_LIMIT {
            return Err(at(
                element.statements.span(),
                format!(
                    "the element '{element_key}' has more than {STATEMENTS_PER_ELEMENT_LIMIT} statements"
                ),
            ));
        }
        let mut statements = Vec::new();
        for statement in element.statements.get_ref() {
            let statement_key = key(&statement.key, "statement")?;
            if !statement_keys.insert(statement_key.clone()) {
                return Err(at(
                    statement.key.span(),
                    format!("the statement '{statement_key}' is defined twice"),
                ));
            }
            let evidence = statement.evidence.trim().to_owned();
            if evidence.chars().count() > TEXT_LIMIT {
                return Err(at(
                    statement.key.span(),
                    format!(
                        "the statement '{statement_key}' has an evidence prompt longer than {TEXT_LIMIT} characters"
                    ),
                ));
            }
            statements.push(Statement {
                text: words(&statement.text, &format!("the statement '{statement_key}'"))?,
                key: statement_key,
                evidence,
            });
        }
        elements.push(Element {
            title: words(
                &element.title,
                &format!("the element '{element_key}''s title"),
            )?,
            key: element_key,
            description: description(&element.description, element.key.span())?,
            indicators,
            topics,
            statements,
        });
    }
    Ok(Framework {
        key: framework_key,
        version,
        title,
        description: description(&raw.description, raw.key.span())?,
        levels,
        elements,
    })
}

/// Characters that turn text's direction round or hide letters, which can make text read
/// differently on the page from how it was written.
pub fn is_hidden_mark(c: char) -> bool {
    // Unicode's default-ignorable code points (which show as nothing: zero-width spaces and
    // joiners, direction marks and overrides, fillers, variation selectors, tags), the
    // other format characters, line and paragraph separators, private-use characters
    // (which no font shows as the writer meant), and the non-characters (which an SVG or
    // XML document cannot hold at all). Listed by hand from the Unicode tables: no crate
    // in the tree carries the properties.
    matches!(
        c,
        '\u{00ad}'
            | '\u{034f}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061c}'
            | '\u{06dd}'
            | '\u{070f}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08e2}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{e000}'..='\u{f8ff}'
            | '\u{fdd0}'..='\u{fdef}'
            | '\u{fe00}'..='\u{fe0f}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1345f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
            | '\u{f0000}'..='\u{10ffff}'
    ) || (u32::from(c) & 0xfffe) == 0xfffe
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What an outside review slipped into titles: each hides letters, turns text round,
    /// breaks a line, or cannot be written into an SVG at all.
    #[test]
    fn hidden_marks_are_caught() {
        for c in [
            '\u{00ad}',
            '\u{034f}',
            '\u{061c}',
            '\u{180e}',
            '\u{200b}',
            '\u{2028}',
            '\u{202e}',
            '\u{2066}',
            '\u{3164}',
            '\u{feff}',
            '\u{fff9}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{e0041}',
            '\u{1fffe}',
            '\u{fe0f}',
            '\u{e0100}',
            '\u{1d173}',
            '\u{13430}',
            '\u{1bca0}',
            '\u{110bd}',
            '\u{0600}',
            '\u{e000}',
        ] {
            assert!(is_hidden_mark(c), "{:?}", c);
        }
        for c in ['a', 'é', '漢', ' ', '\u{a0}', '👍', 'ا', '\u{fffd}'] {
            assert!(!is_hidden_mark(c), "{c:?}");
        }
    }

    const SMALL: &str = r#"key = "small"
version = 2
title = "A small framework"

[[levels]]
rating = 1
name = "Not started"
description = "Nothing is in place."

[[levels]]
rating = 2
name = "Growing"
description = "Some of it is in place."

[[levels]]
rating = 3
name = "Embedded"
description = "It is how things are done."

[[elements]]
key = "managers"
title = "Managers and leaders"
indicators = ["manager_cares_wellbeing"]
topics = ["line_management"]

[[elements.statements]]
key = "m1"
text = "Managers ask how their team are."
evidence = "Team meeting notes."
"#;

    fn error(from: &str, to: &str) -> String {
        assert!(SMALL.contains(from), "{from}");
        match parse(&SMALL.replacen(from, to, 1)) {
            Ok(_) => panic!("{to} was accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_small_framework_is_read() {
        let framework = parse(SMALL).expect("the small framework");
        assert_eq!(framework.key, "small");
        assert_eq!(framework.version, 2);
        assert_eq!(framework.top(), 3);
        assert_eq!(framework.level(2).map(|l| l.name.as_str()), Some("Growing"));
        let (element, statement) = framework.statements().next().expect("a statement");
        assert_eq!(element.topics, vec![Topic::LineManagement]);
        assert_eq!(statement.evidence, "Team meeting notes.");
    }

    #[test]
    fn mistakes_are_named_with_their_line() {
        assert_eq!(
            error("rating = 2", "rating = 3"),
            "line 11: levels are rated 1, 2, 3 and so on, lowest first: this one should be 2, not 3"
        );
        assert_eq!(
            error("version = 2", "version = 0"),
            "line 2: the version must be a whole number from 1 up, not 0"
        );
        assert!(
            error("\"manager_cares_wellbeing\"", "\"ethnicity\"")
                .starts_with("line 23: 'ethnicity' is not a counted question")
        );
        assert!(
            error("\"line_management\"", "\"cooking\"")
                .starts_with("line 24: 'cooking' is not a library topic. Use one of: what_it_is")
        );
        assert_eq!(
            error("key = \"m1\"", "key = \"M 1\""),
            "line 27: the statement key 'M 1' must be 1 to 64 lower-case letters, digits, '-' or '_'"
        );
        assert_eq!(
            error(
                "text = \"Managers ask how their team are.\"",
                "text = \"  \""
            ),
            "line 28: the statement 'm1' is empty"
        );
        assert_eq!(
            error("name = \"Embedded\"", "name = \"growing\""),
            "line 17: two levels are called 'growing'"
        );
        // A misspelt field is named, not ignored.
        assert!(error("evidence =", "evidense =").starts_with("line 29: unknown field `evidense`"));
        assert!(error("title = \"A small framework\"\n", "").contains("missing field `title`"));
    }

    #[test]
    fn keys_are_unique_across_the_framework() {
        let twice = format!(
            "{SMALL}\n[[elements]]\nkey = \"other\"\ntitle = \"Other\"\n\n[[elements.statements]]\nkey = \"m1\"\ntext = \"Again.\"\n"
        );
        assert_eq!(
            parse(&twice).map(|_| ()).map_err(|e| e.to_string()),
            Err("line 36: the statement 'm1' is defined twice".to_owned())
        );
    }

    #[test]
    fn a_scale_needs_three_to_seven_levels() {
        let two = SMALL.replacen(
            "[[levels]]\nrating = 3\nname = \"Embedded\"\ndescription = \"It is how things are done.\"\n",
            "",
            1,
        );
        let e = parse(&two).map(|_| ()).map_err(|e| e.to_string());
        assert!(
            e.as_ref()
                .is_err_and(|m| m.ends_with("the scale has 2 levels; it needs 3 to 7")),
            "{e:?}"
        );
    }

    /// An outside review loaded 20,000 statements, a 20 MB description and a title with a
    /// bell and a right-to-left override in it.
    #[test]
    fn a_framework_is_kept_to_a_size_people_can_fill_in() {
        assert!(
            error(
                "Managers ask how their team are.",
                "Managers ask \u{202e}how"
            )
            .contains("a hidden character")
        );
        assert!(
            error("Managers ask how their team are.", "Managers\u{200b} ask")
                .contains("a hidden character")
        );
        assert!(
            error(
                "title = \"Managers and leaders\"",
                "title = \"Managers and leaders\"\ndescription = \"Leads \u{202e}well\""
            )
            .contains("a description has a hidden character")
        );
        let long = format!(
            "description = \"{}\"\ntitle = \"A small framework\"",
            "x".repeat(1_001)
        );
        assert!(error("title = \"A small framework\"", &long).contains("longer than 1000"));
        let many: String = (0..61)
            .map(|n| format!("\n[[elements.statements]]\nkey = \"s{n}\"\ntext = \"S.\"\n"))
            .collect();
        let e = parse(&format!("{SMALL}{many}"))
            .map(|_| ())
            .map_err(|e| e.to_string());
        assert!(e.is_err_and(|m| m.contains("more than 60 statements")));
        // A stored version is read without checking its survey questions against today's
        // bank, so a question renamed since does not break its rounds.
        let renamed = SMALL.replace("manager_cares_wellbeing", "renamed_since");
        assert!(parse(&renamed).is_err());
        assert!(parse_stored(&renamed).is_ok());
    }

    #[test]
    fn the_shipped_frameworks_are_sound() {
        let health = parse(HEALTH_AND_WELLBEING).expect("health and wellbeing");
        assert_eq!(health.elements.len(), 7);
        let statements = health.statements().count();
        assert!((55..=65).contains(&statements), "{statements} statements");
        let culture = parse(CULTURE_AND_LEADERSHIP).expect("culture and leadership");
        assert_eq!(culture.elements.len(), 6);
        for framework in [&health, &culture] {
            for element in &framework.elements {
                assert!(
                    !element.indicators.is_empty() && !element.topics.is_empty(),
                    "{} links to what staff say and to help",
                    element.key
                );
                assert!(
                    element.statements.iter().all(|s| !s.evidence.is_empty()),
                    "{} has an evidence prompt for every statement",
                    element.key
                );
            }
        }
    }
}

//! What a post is checked for before anyone else reads it. Staff voice is public to every
//! member of staff, so a post that names a patient or a colleague, or that describes a
//! specific concern about a person or about patient safety, must not go up on its own. Such
//! a post is held for a moderator, and its writer is offered Speak Up, which is made for
//! concerns and keeps the writer safe.
//!
//! The checks are written here rather than taken from a general personal-data scanner:
//! they are NHS-specific (the NHS number's check digit, UK phone numbers, the names of the
//! installation's own staff), and a false alarm only sends a post to a moderator, while a
//! miss publishes someone's details. So each check leans towards holding.

use std::fmt;

/// Something found in a post that holds it for a moderator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// A valid NHS number: ten digits whose last is the check digit of the first nine.
    NhsNumber,
    /// A UK phone number.
    PhoneNumber,
    /// An email address.
    EmailAddress,
    /// The full name of someone who holds an account.
    StaffName(String),
    /// Words that describe a specific concern about a person or about patient safety.
    Concern,
    /// Raw HTML, or words mixing Latin letters with letters of another script: ways to
    /// show one thing while the check reads another.
    Disguised,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::NhsNumber => f.write_str("an NHS number"),
            Finding::PhoneNumber => f.write_str("a phone number"),
            Finding::EmailAddress => f.write_str("an email address"),
            Finding::StaffName(_) => f.write_str("the name of a member of staff"),
            Finding::Disguised => {
                f.write_str("web code or mixed letters that could hide what it says")
            }
            Finding::Concern => {
                f.write_str("what reads like a concern about a person or about patient safety")
            }
        }
    }
}

/// Every finding in `text`, each kind once, in the order above. `staff_names` are the full
/// names of people with accounts ("Asha Patel"); one-word names are left out, as a first
/// name alone is too common to point at anyone.
pub fn screen(text: &str, staff_names: &[&str]) -> Vec<Finding> {
    // What a reader will see, not what was typed: Markdown shown, character references
    // decoded ("ada&#64;nhs.net"), look-alike letters and spaces folded. The text as typed
    // is checked too, in case it is shown as it is (a title). (Outside attack, 2026-12-06.)
    let disguised = has_raw_html(text) || mixes_scripts(&fold(text));
    let text = format!("{}\n{}", fold(text), fold(&as_shown(text)));
    let text = text.as_str();
    let mut found = Vec::new();
    let runs = digit_runs(text);
    if runs.iter().any(|r| is_nhs_number(&r.digits)) {
        found.push(Finding::NhsNumber);
    }
    if runs.iter().any(is_uk_phone) {
        found.push(Finding::PhoneNumber);
    }
    if has_email(text) {
        found.push(Finding::EmailAddress);
    }
    let words = words_of(text);
    if let Some(name) = staff_names
        .iter()
        .find(|name| mentions(&words, &words_of(&fold(name))))
    {
        found.push(Finding::StaffName((*name).to_owned()));
    }
    if reads_like_a_concern(&words) {
        found.push(Finding::Concern);
    }
    if disguised {
        found.push(Finding::Disguised);
    }
    found
}

/// The Markdown options the pages render with (`web::markdown`), so the check reads what
/// the page shows (strikethrough splits a word there: "S~~am~~").
fn options() -> pulldown_cmark::Options {
    pulldown_cmark::Options::ENABLE_STRIKETHROUGH
}

/// Whether Markdown holds raw HTML. Staff never need it, and the page's cleaner decodes
/// what is in it in ways a check cannot follow (every named reference, attributes), so a
/// post with any is held (outside attack, 2026-12-06).
fn has_raw_html(markdown: &str) -> bool {
    use pulldown_cmark::{Event, Parser};
    Parser::new_ext(markdown, options()).any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_)))
}

/// Whether a word (folded) mixes Latin letters with letters of another script: "Sɑm" or
/// "bulliᎬd". A word wholly in another script is left alone.
fn mixes_scripts(folded: &str) -> bool {
    folded.split(|c: char| !c.is_alphanumeric()).any(|word| {
        word.chars().any(|c| c.is_ascii_alphabetic())
            && word.chars().any(|c| c.is_alphabetic() && !c.is_ascii())
    })
}

/// The words a reader sees when `markdown` is shown: emphasis and other markup gone, so
/// "A**da**" reads "Ada"; character references decoded; link addresses kept, as a
/// `mailto:` link shows an address.
pub fn as_shown(markdown: &str) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut out = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            // Raw HTML shows its text, not its tags (the page's cleaner keeps the text).
            Event::InlineHtml(t) | Event::Html(t) => {
                out.push_str(&decode_references(&without_tags(&t)));
            }
            // A link's address and title show too (a `mailto:` link, a hover title).
            Event::Start(
                Tag::Link {
                    dest_url, title, ..
                }
                | Tag::Image {
                    dest_url, title, ..
                },
            ) => {
                out.push(' ');
                out.push_str(&dest_url);
                out.push(' ');
                out.push_str(&title);
                out.push(' ');
            }
            // Inline markup ends inside a word; anything else ends a block.
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Link
                | TagEnd::Image,
            ) => {}
            Event::End(_) | Event::SoftBreak | Event::HardBreak | Event::Rule => out.push('\n'),
            _ => {}
        }
    }
    out
}

/// `html` without its tags: `<b>Asha</b>` is `Asha`.
fn without_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Numeric character references (`&#64;`, `&#x40;`) and the common named ones, decoded,
/// for raw HTML, which Markdown leaves as it is.
fn decode_references(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|end| *end <= 10).and_then(|end| {
            let name = &rest[1..end];
            let c = match name.strip_prefix('#') {
                Some(hex) if hex.starts_with(['x', 'X']) => u32::from_str_radix(&hex[1..], 16)
                    .ok()
                    .and_then(char::from_u32),
                Some(dec) => dec.parse().ok().and_then(char::from_u32),
                None => match name {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    "shy" => Some('\u{ad}'),
                    _ => None,
                },
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Letters that look like Latin ones in other scripts (Cyrillic and Greek), as the Latin
/// letter they pass for.
const LOOK_ALIKES: &[(char, char)] = &[
    ('а', 'a'),
    ('е', 'e'),
    ('о', 'o'),
    ('р', 'p'),
    ('с', 'c'),
    ('у', 'y'),
    ('х', 'x'),
    ('і', 'i'),
    ('ј', 'j'),
    ('ѕ', 's'),
    ('һ', 'h'),
    ('ԁ', 'd'),
    ('ԛ', 'q'),
    ('ԝ', 'w'),
    ('А', 'A'),
    ('В', 'B'),
    ('Е', 'E'),
    ('К', 'K'),
    ('М', 'M'),
    ('Н', 'H'),
    ('О', 'O'),
    ('Р', 'P'),
    ('С', 'C'),
    ('Т', 'T'),
    ('Х', 'X'),
    ('У', 'Y'),
    ('І', 'I'),
    ('Ј', 'J'),
    ('Ѕ', 'S'),
    ('α', 'a'),
    ('ο', 'o'),
    ('ν', 'v'),
    ('ι', 'i'),
    ('κ', 'k'),
    ('ρ', 'p'),
    ('τ', 't'),
    ('υ', 'u'),
    ('Α', 'A'),
    ('Β', 'B'),
    ('Ε', 'E'),
    ('Ζ', 'Z'),
    ('Η', 'H'),
    ('Ι', 'I'),
    ('Κ', 'K'),
    ('Μ', 'M'),
    ('Ν', 'N'),
    ('Ο', 'O'),
    ('Ρ', 'P'),
    ('Τ', 'T'),
    ('Υ', 'Y'),
    ('Χ', 'X'),
];

/// Text as it reads: compatibility forms folded (full-width "Ｓａｍ" is "Sam"), letters of
/// other scripts that pass for Latin ones made Latin, invisible characters (soft hyphens,
/// zero-width spaces) dropped and every kind of space made a plain one. So a name or a
/// number cannot slip past the check by how it is written.
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    // Decomposed, so accents and other marks come apart from their letter and go: "Sa\u{301}m"
    // is "Sam" (outside attack, 2026-12-06).
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .map(ascii_digit)
        .filter(|c| !matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{34f}'))
        .map(|c| {
            if c.is_whitespace() {
                ' '
            } else {
                LOOK_ALIKES
                    .iter()
                    .find(|(from, _)| *from == c)
                    .map_or(c, |(_, to)| *to)
            }
        })
        .collect()
}

/// What makes two chosen names the same name: folded, lower case, letters and digits
/// only, so "Tea Break", "tea-break" and "Теа Break" (Cyrillic) are one name.
pub fn name_key(name: &str) -> String {
    fold(name)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric())
        // Digits that pass for letters are read as them: "Night 0wl" is "Night Owl".
        .map(|c| match c {
            '0' => 'o',
            '1' => 'l',
            '5' => 's',
            other => other,
        })
        .collect()
}

/// The first code point (the zero) of each run of ten decimal digits in another script
/// that people type numbers with: Arabic-Indic, Persian, N'Ko, the Indian scripts,
/// Sinhala, Thai, Lao, Tibetan, Myanmar, Khmer, Mongolian and more. (Full-width and
/// mathematical digits are folded by NFKD already.)
const DIGIT_ZEROS: &[u32] = &[
    0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
    0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50,
    0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0x104A0,
    0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0, 0x11730,
    0x118E0, 0x16A60, 0x16B50, 0x1E950,
];

/// A decimal digit of another script as the ASCII digit it means; anything else as it is.
fn ascii_digit(c: char) -> char {
    let code = u32::from(c);
    DIGIT_ZEROS
        .iter()
        .find(|zero| (**zero..**zero + 10).contains(&code))
        .and_then(|zero| char::from_digit(code - zero, 10))
        .unwrap_or(c)
}

/// The NHS number's check: weights 10 down to 2 on the first nine digits; 11 less the
/// remainder of their sum by 11 is the check digit (11 reads as 0, and 10 means no number
/// is valid).
pub fn is_nhs_number(digits: &[u8]) -> bool {
    let [first @ .., last] = digits else {
        return false;
    };
    if first.len() != 9 {
        return false;
    }
    let sum: u32 = first
        .iter()
        .zip((2..=10).rev())
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    u32::from(*last) == check
}

/// Digits written together, allowing the spaces, hyphens, dots and brackets numbers are
/// written with ("943 476 5919", "(020) 7946-0018"), and whether a `+` began them.
#[derive(Debug)]
struct DigitRun {
    digits: Vec<u8>,
    plus: bool,
}

fn digit_runs(text: &str) -> Vec<DigitRun> {
    let mut runs = Vec::new();
    let mut current: Option<DigitRun> = None;
    let mut chars = text.chars().peekable();
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        if let Some(d) = c.to_digit(10) {
            let run = current.get_or_insert_with(|| DigitRun {
                digits: Vec::new(),
                plus: previous == '+',
            });
            run.digits.push(d as u8);
        } else if is_number_separator(c)
            && (current.is_some() || c == '(')
            && chars
                .peek()
                .is_some_and(|n| n.is_ascii_digit() || is_number_separator(*n))
        {
            // A separator inside a number: the run goes on.
        } else if let Some(run) = current.take() {
            runs.push(run);
        }
        previous = c;
    }
    runs.extend(current);
    runs
}

/// What people write between a number's digits: spaces, hyphens and dashes of every kind,
/// dots, slashes, underscores and brackets ("07700–900123", "943/476/5919").
fn is_number_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-' | '.' | '(' | ')' | '/' | '_' | '\u{a0}' | '\u{2010}'..='\u{2015}' | '\u{2212}'
    )
}

/// A UK number: `0` and ten more digits (or nine, for some areas), or `+44` and the same
/// without its `0`.
fn is_uk_phone(run: &DigitRun) -> bool {
    let d = &run.digits;
    if run.plus {
        // "+44 (0)7700 900123": the 0 in brackets is written but not dialled.
        let d: Vec<u8> = match d.as_slice() {
            [4, 4, 0, rest @ ..] => [4, 4].iter().chain(rest).copied().collect(),
            _ => d.clone(),
        };
        return d.starts_with(&[4, 4]) && matches!(d.len(), 11 | 12) && d.get(2) != Some(&0);
    }
    d.first() == Some(&0) && matches!(d.len(), 10 | 11) && d.get(1) != Some(&0)
}

fn has_email(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';'))
        .any(|token| {
            let token = token.trim_matches(|c: char| matches!(c, '.' | ':' | '"' | '\''));
            let Some((local, domain)) = token.split_once('@') else {
                return false;
            };
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && domain
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-'))
        })
}

/// Lower-case words, letters and apostrophes only, without a possessive "'s" ("Reid's"
/// is Reid).
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '’'))
        .map(|w| {
            let w = w.to_lowercase().replace('’', "'");
            let w = w.strip_suffix("'s").unwrap_or(&w);
            w.trim_matches('\'').to_owned()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether `name`'s words (at least two) appear in `words` one after another.
fn mentions(words: &[String], name: &[String]) -> bool {
    name.len() >= 2 && words.windows(name.len()).any(|w| w == name)
}

/// Someone the writer points at: "my manager", "the consultant", "she". Only the
/// singular: "managers" and "they" are about people in general, as ideas are.
const PEOPLE: &[&str] = &[
    "manager",
    "supervisor",
    "matron",
    "sister",
    "consultant",
    "doctor",
    "dr",
    "registrar",
    "colleague",
    "nurse",
    "director",
    "boss",
    "he",
    "she",
    "him",
    "her",
];

/// What was done to someone, as a concern tells it ("she bullied", "I was harassed").
const DONE: &[&str] = &[
    "bullied",
    "harassed",
    "shouted",
    "screamed",
    "swore",
    "threatened",
    "assaulted",
    "groped",
    "touched",
    "abused",
    "humiliated",
    "belittled",
    "intimidated",
    "victimised",
    "victimized",
    "discriminated",
    "stole",
    "falsified",
    "lied",
];

/// The same wrongs as things a named person does or is ("his bullying", "she is
/// racist"): with a person only, as ideas use these words about behaviour in general.
const WRONGS: &[&str] = &[
    "bullying",
    "bullies",
    "harassing",
    "harassment",
    "abusive",
    "racist",
    "sexist",
    "homophobic",
    "drunk",
];

/// The writer, or the writer's team.
const WRITER: &[&str] = &["i", "me", "my", "we", "us", "i'm", "i've"];

/// Patient safety: a patient came to harm, or could.
const HARMS: &[&str] = &[
    "harmed",
    "harm",
    "died",
    "death",
    "injured",
    "fell",
    "overdose",
    "neglected",
    "neglect",
    "unsafe",
    "error",
    "mistake",
    "wrong",
];
const PATIENT: &[&str] = &[
    "patient",
    "patients",
    "resident",
    "residents",
    "baby",
    "child",
];

/// "My manager shouted at me", "she bullied a colleague", "a patient was harmed": a
/// person and a wrong within a few words of each other, or a patient and a harm. Ideas
/// about bullying in general ("how can we stop bullying?") name no one, so pass.
fn reads_like_a_concern(words: &[String]) -> bool {
    const NEAR: usize = 6;
    let at = |list: &[&str]| -> Vec<usize> {
        words
            .iter()
            .enumerate()
            .filter(|(_, w)| list.contains(&w.as_str()))
            .map(|(i, _)| i)
            .collect()
    };
    let close =
        |a: &[usize], b: &[usize]| a.iter().any(|&i| b.iter().any(|&j| i.abs_diff(j) <= NEAR));
    let people = at(PEOPLE);
    let done = at(DONE);
    // A wrong done by or to someone named by role, or to the writer.
    let about_a_person =
        close(&people, &done) || close(&people, &at(WRONGS)) || close(&at(WRITER), &done);
    about_a_person || close(&at(PATIENT), &at(HARMS))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAFF: &[&str] = &["Asha Patel", "Tom Reid", "Cher"];

    /// The outside attack of 2026-12-06: details written so the text as typed hides them
    /// but the page, once the Markdown is shown, reads them plainly.
    #[test]
    fn details_disguised_in_markup_or_look_alike_letters_are_found() {
        for (text, wanted) in [
            ("Email me at asha&#64;trust.nhs.uk", Finding::EmailAddress),
            ("[x](mailto:asha&#64;trust.nhs.uk)", Finding::EmailAddress),
            ("Ring 07700&#32;900123 now", Finding::PhoneNumber),
            ("Ring 07700\u{2009}900123 now", Finding::PhoneNumber),
            ("Patient 943&#32;476&#32;5919", Finding::NhsNumber),
            (
                "Ask A**sha** Patel",
                Finding::StaffName("Asha Patel".into()),
            ),
            (
                "Ask &#1040;sha Patel",
                Finding::StaffName("Asha Patel".into()),
            ),
            (
                "Ask Asha&shy; Patel",
                Finding::StaffName("Asha Patel".into()),
            ),
            (
                "Ask Ａｓｈａ Ｐａｔｅｌ",
                Finding::StaffName("Asha Patel".into()),
            ),
            (
                "Ask <b>Asha</b> Patel",
                Finding::StaffName("Asha Patel".into()),
            ),
            ("my manager b&#117;llied me", Finding::Concern),
        ] {
            assert!(
                screen(text, STAFF).contains(&wanted),
                "{text}: {:?}",
                screen(text, STAFF)
            );
        }
        // The second outside attack of 2026-12-06.
        for (text, wanted) in [
            ("ring +44 (0)7700 900123", Finding::PhoneNumber),
            ("ring +44 (0)20 7946 0018", Finding::PhoneNumber),
            ("ring 07700\u{2013}900123", Finding::PhoneNumber),
            ("ring 07700/900123", Finding::PhoneNumber),
            ("nhs no 943/476/5919", Finding::NhsNumber),
            ("nhs no 943_476_5919", Finding::NhsNumber),
            (
                "ring \u{660}\u{667}\u{667}\u{660}\u{660} \u{669}\u{660}\u{660}\u{661}\u{662}\u{663}",
                Finding::PhoneNumber,
            ),
            (
                "ring \u{966}\u{96d}\u{96d}\u{966}\u{966} \u{96f}\u{966}\u{966}\u{967}\u{968}\u{969}",
                Finding::PhoneNumber,
            ),
            (
                "<div>\nmail asha&commat;trust.nhs.uk\n</div>",
                Finding::Disguised,
            ),
            ("<a href=\"mailto:x\">contact</a>", Finding::Disguised),
            (
                "[contact](https://x.nhs.uk \"asha&#64;trust.nhs.uk\")",
                Finding::EmailAddress,
            ),
            (
                "ask Asha\u{301} Patel",
                Finding::StaffName("Asha Patel".into()),
            ),
            (
                "ask As\u{345}ha Patel",
                Finding::StaffName("Asha Patel".into()),
            ),
            (
                "ask A~~sha~~ Patel",
                Finding::StaffName("Asha Patel".into()),
            ),
            ("ask \u{13da}sha Patel", Finding::Disguised),
            ("ask Ash\u{251} Patel", Finding::Disguised),
            ("my manager bulli\u{13ac}d me", Finding::Disguised),
        ] {
            assert!(
                screen(text, STAFF).contains(&wanted),
                "{text}: {:?}",
                screen(text, STAFF)
            );
        }
        // Plain ideas with markup stay plain, and so do words wholly in another script
        // and accented names.
        assert!(screen("We *need* **breaks** &amp; rest", STAFF).is_empty());
        assert!(screen("Café breaks for A&E, as José said: شكرا", STAFF).is_empty());
    }

    #[test]
    fn names_are_one_however_they_are_written() {
        let key = name_key("Tea Break");
        for same in [
            "tea-break",
            "TEA BREAK.",
            "Теа Break",
            "Ｔｅａ Ｂｒｅａｋ",
            "Tea\u{ad}Break",
            "Tea Bre\u{301}ak",
        ] {
            assert_eq!(name_key(same), key, "{same}");
        }
        assert_ne!(name_key("Tea Breaks"), key);
        assert_eq!(name_key("Night 0wl"), name_key("Night Owl"));
    }

    #[test]
    fn a_valid_nhs_number_is_found_and_an_invalid_one_is_not() {
        // 943 476 5919 is the NHS's own example of a valid number.
        for text in [
            "Patient 9434765919 waited",
            "NHS no. 943 476 5919.",
            "943-476-5919",
        ] {
            assert_eq!(screen(text, STAFF), vec![Finding::NhsNumber], "{text}");
        }
        // One digit changed breaks the check digit.
        for text in ["9434765918", "943 476 5910", "1234567890"] {
            assert!(!screen(text, STAFF).contains(&Finding::NhsNumber), "{text}");
        }
        assert!(is_nhs_number(&[4, 0, 1, 0, 2, 3, 2, 1, 3, 7]));
        // Nine digits whose check would be 10 make no valid number, whatever the last.
        assert!((0..10).all(|last| !is_nhs_number(&[0, 0, 0, 0, 0, 0, 0, 0, 6, last])));
    }

    #[test]
    fn uk_phone_numbers_are_found_and_other_numbers_are_not() {
        for text in [
            "ring 07700 900123",
            "call (020) 7946 0018 today",
            "+44 7700 900123",
            "0161-496-0000",
            "01632 960001",
        ] {
            assert!(
                screen(text, STAFF).contains(&Finding::PhoneNumber),
                "{text}"
            );
        }
        for text in [
            "ext 4455",
            "we saved 120000 pounds",
            "in 2026 and 2027",
            "band 5 to band 6",
            "00 44 is not how we write it",
            "+1 202 555 0100",
        ] {
            assert!(
                !screen(text, STAFF).contains(&Finding::PhoneNumber),
                "{text}"
            );
        }
    }

    #[test]
    fn email_addresses_are_found() {
        // The address holds a name too.
        assert_eq!(
            screen("write to asha.patel@nhs.net please", STAFF),
            vec![
                Finding::EmailAddress,
                Finding::StaffName("Asha Patel".into())
            ]
        );
        assert_eq!(
            screen("<tom@trust.nhs.uk>.", STAFF),
            vec![Finding::EmailAddress]
        );
        for text in ["meet @ the canteen", "a@b", "email@.uk", "@trust.nhs.uk"] {
            assert!(screen(text, STAFF).is_empty(), "{text}");
        }
    }

    #[test]
    fn full_names_of_staff_are_found_but_not_first_names_alone() {
        assert_eq!(
            screen("Ask asha PATEL about the rota", STAFF),
            vec![Finding::StaffName("Asha Patel".into())]
        );
        assert_eq!(
            screen("Tom’s idea, with Tom Reid's help", STAFF),
            vec![Finding::StaffName("Tom Reid".into())]
        );
        for text in [
            "Asha had a good idea",
            "Tom and Patel",
            "I like Cher's songs",
        ] {
            assert!(screen(text, STAFF).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_concern_about_a_person_or_a_patient_is_held_and_an_idea_is_not() {
        for text in [
            "My manager shouted at me in front of patients",
            "The consultant on ward 5 bullied a junior colleague for months",
            "She humiliated me at handover",
            "A patient was harmed because the pumps are wrong",
            "I was harassed after my shift",
            "Her bullying is getting worse",
        ] {
            assert!(screen(text, STAFF).contains(&Finding::Concern), "{text}");
        }
        for text in [
            "How can we stop bullying on night shifts?",
            "Training for managers on civil feedback",
            "Let's have a quiet room for breaks",
            "Our team would like better rotas",
            "I think anti-bullying training would help",
            "Poor rotas can lead to bullying and harassment",
            "Managers who listen make a difference",
        ] {
            assert!(screen(text, STAFF).is_empty(), "{text}");
        }
    }
}

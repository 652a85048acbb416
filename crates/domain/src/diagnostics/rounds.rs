//! The rules of a round: who rates for which side of the partnership, what a rating and
//! its evidence may be, and how ratings are summed up (spread, median, and where the two
//! sides are apart). docs/diagnostics.md works an example by hand.

use crate::identity::InvalidValue;
use crate::library::check_link;
use crate::plans::Side;

code_list!(
    /// Why someone is asked to rate: what they bring to the round.
    AssessorRole, "assessor's role", {
        WellbeingLead => "wellbeing_lead", "Health and wellbeing lead";
        WellbeingGuardian => "wellbeing_guardian", "Wellbeing guardian";
        Executive => "executive", "Executive";
        Manager => "manager", "Manager";
        UnionPartner => "union_partner", "Trade union partner";
        NetworkChair => "network_chair", "Staff network chair";
    }
);

impl AssessorRole {
    /// The side of the partnership the assessor rates for. Staff network chairs rate with
    /// the trade unions: both speak for staff rather than for the employer.
    pub fn side(self) -> Side {
        match self {
            AssessorRole::UnionPartner | AssessorRole::NetworkChair => Side::Union,
            _ => Side::Employer,
        }
    }
}

/// The longest evidence text, in characters.
pub const EVIDENCE_LIMIT: usize = 2_000;
/// The most links one rating may give.
pub const LINKS_LIMIT: usize = 10;
/// The longest reason for an agreed rating, in characters.
pub const REASON_LIMIT: usize = 2_000;
/// Sides this many levels apart (or more) are shown as differing.
pub const APART: f64 = 2.0;

/// A rating as typed: blank for "not rated yet", or a level of a scale from 1 to `top`.
pub fn parse_rating(raw: &str, top: u8) -> Result<Option<u8>, InvalidValue> {
    let typed = raw.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    match typed.parse::<u8>() {
        Ok(n) if (1..=top).contains(&n) => Ok(Some(n)),
        _ => Err(InvalidValue::Message("Choose one of the levels shown")),
    }
}

/// Evidence as typed, trimmed; refused when too long.
pub fn check_evidence(raw: &str) -> Result<String, InvalidValue> {
    let text = raw.trim();
    if text.chars().count() > EVIDENCE_LIMIT {
        return Err(InvalidValue::Message(
            "Evidence must be 2,000 characters or fewer",
        ));
    }
    if hides_letters(text) {
        return Err(InvalidValue::Message(HIDDEN));
    }
    Ok(text.to_owned())
}

const HIDDEN: &str = "Use plain letters: this has a hidden character that can change how it reads";

/// Text that carries a hidden or direction-turning character (lines may break).
fn hides_letters(text: &str) -> bool {
    text.chars()
        .any(|c| super::is_hidden_mark(c) || (c.is_control() && c != '\n' && c != '\r'))
}

/// Links as typed, one to a line: each a full http or https web address.
pub fn check_links(raw: &str) -> Result<Vec<String>, InvalidValue> {
    let links = raw
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(check_link)
        .collect::<Result<Vec<String>, InvalidValue>>()?;
    if links.len() > LINKS_LIMIT {
        return Err(InvalidValue::Message("Give 10 links or fewer"));
    }
    Ok(links)
}

/// A reason for an agreed rating: needed, and not too long.
pub fn check_reason(raw: &str) -> Result<String, InvalidValue> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(InvalidValue::Message("Say why this rating was agreed"));
    }
    if text.chars().count() > REASON_LIMIT {
        return Err(InvalidValue::Message(
            "The reason must be 2,000 characters or fewer",
        ));
    }
    if hides_letters(text) {
        return Err(InvalidValue::Message(HIDDEN));
    }
    Ok(text.to_owned())
}

/// The middle of `ratings`: the middle one, or halfway between the two middle ones.
/// `None` when there are none.
pub fn median(ratings: &[u8]) -> Option<f64> {
    let mut sorted = ratings.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let middle = |i: usize| sorted.get(i).map(|&r| f64::from(r));
    if n == 0 {
        None
    } else if n % 2 == 1 {
        middle(n / 2)
    } else {
        Some((middle(n / 2 - 1)? + middle(n / 2)?) / 2.0)
    }
}

/// What the ratings of one statement, or of every statement of an element, add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// How many rated each level, level 1 first.
    pub spread: Vec<u32>,
    pub median: Option<f64>,
    pub employer_median: Option<f64>,
    pub union_median: Option<f64>,
}

impl Summary {
    /// `ratings` (each with its side) on a scale from 1 to `top`.
    pub fn of(ratings: &[(Side, u8)], top: u8) -> Summary {
        let mut spread = vec![0u32; usize::from(top)];
        for (_, rating) in ratings {
            if let Some(slot) = usize::from(*rating)
                .checked_sub(1)
                .and_then(|i| spread.get_mut(i))
            {
                *slot += 1;
            }
        }
        let of_side = |side: Side| -> Vec<u8> {
            ratings
                .iter()
                .filter(|(s, _)| *s == side)
                .map(|(_, r)| *r)
                .collect()
        };
        let all: Vec<u8> = ratings.iter().map(|(_, r)| *r).collect();
        Summary {
            spread,
            median: median(&all),
            employer_median: median(&of_side(Side::Employer)),
            union_median: median(&of_side(Side::Union)),
        }
    }

    pub fn rated(&self) -> u32 {
        self.spread.iter().sum()
    }

    /// Whether the two sides' medians are [`APART`] levels or more apart: then the
    /// statement needs talking through before a rating is agreed.
    pub fn sides_apart(&self) -> bool {
        match (self.employer_median, self.union_median) {
            (Some(e), Some(u)) => (e - u).abs() >= APART,
            _ => false,
        }
    }
}

/// A median as people read it: "3" or "3.5".
/// Each part's level from agreed ratings by statement key: the median of its statements'
/// agreed ratings, for the parts with any.
pub fn part_levels(
    framework: &super::Framework,
    agreed: &std::collections::HashMap<String, u8>,
) -> Vec<(String, f64)> {
    framework
        .elements
        .iter()
        .filter_map(|element| {
            let values: Vec<u8> = element
                .statements
                .iter()
                .filter_map(|s| agreed.get(&s.key).copied())
                .collect();
            median(&values).map(|level| (element.key.clone(), level))
        })
        .collect()
}

pub fn median_words(median: Option<f64>) -> String {
    match median {
        None => "None yet".into(),
        Some(m) if m.fract() == 0.0 => format!("{m:.0}"),
        Some(m) if (m * 2.0).fract() == 0.0 => format!("{m:.1}"),
        // A middle of halves (2.25, from 2 and 2.5) shown as it is, not rounded to 2.2.
        Some(m) => format!("{m:.2}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Levels and halves as they are; a middle of halves to two places, never rounded to
    /// a figure that is neither (2.25 once showed as 2.2).
    #[test]
    fn middles_are_written_as_they_are() {
        assert_eq!(median_words(None), "None yet");
        assert_eq!(median_words(Some(3.0)), "3");
        assert_eq!(median_words(Some(2.5)), "2.5");
        assert_eq!(median_words(Some(2.25)), "2.25");
        assert_eq!(median_words(Some(1.75)), "1.75");
    }

    /// The example in docs/diagnostics.md: five assessors rate one statement on a scale of
    /// five. The employer side (wellbeing lead 4, executive 5, manager 4) and the union
    /// side (union partner 2, network chair 1).
    #[test]
    fn the_hand_worked_example() {
        let ratings = [
            (Side::Employer, 4),
            (Side::Employer, 5),
            (Side::Employer, 4),
            (Side::Union, 2),
            (Side::Union, 1),
        ];
        let summary = Summary::of(&ratings, 5);
        assert_eq!(summary.spread, vec![1, 1, 0, 2, 1]);
        assert_eq!(summary.rated(), 5);
        // 1 2 4 4 5: the middle one is 4.
        assert_eq!(summary.median, Some(4.0));
        assert_eq!(summary.employer_median, Some(4.0));
        // 1 and 2: halfway is 1.5.
        assert_eq!(summary.union_median, Some(1.5));
        // 4 - 1.5 = 2.5 levels apart.
        assert!(summary.sides_apart());
        assert_eq!(median_words(summary.union_median), "1.5");
        assert_eq!(median_words(summary.median), "4");

        // Exactly two apart is apart; one and a half is not.
        let two = Summary::of(&[(Side::Employer, 3), (Side::Union, 1)], 5);
        assert!(two.sides_apart());
        let nearly = Summary::of(
            &[(Side::Employer, 3), (Side::Union, 1), (Side::Union, 2)],
            5,
        );
        assert_eq!(nearly.union_median, Some(1.5));
        assert!(!nearly.sides_apart());
        // One side alone is never apart.
        assert!(!Summary::of(&[(Side::Employer, 5), (Side::Employer, 1)], 5).sides_apart());
        assert_eq!(Summary::of(&[], 4).median, None);
    }

    #[test]
    fn ratings_are_levels_of_the_scale_or_blank() {
        assert_eq!(parse_rating(" 3 ", 5), Ok(Some(3)));
        assert_eq!(parse_rating("", 5), Ok(None));
        for bad in ["0", "6", "-1", "3.5", "three", "300"] {
            assert!(parse_rating(bad, 5).is_err(), "{bad}");
        }
    }

    #[test]
    fn links_are_web_addresses_one_to_a_line() {
        assert_eq!(
            check_links("https://www.nhs.uk/a\n\n  http://example.org/b  \n"),
            Ok(vec![
                "https://www.nhs.uk/a".to_owned(),
                "http://example.org/b".to_owned()
            ])
        );
        assert!(check_links("javascript:alert(1)").is_err());
        assert!(check_links("ftp://example.org").is_err());
        let many = "https://www.nhs.uk/\n".repeat(11);
        assert!(check_links(&many).is_err());
        assert!(check_reason("  ").is_err());
        assert!(check_evidence(&"x".repeat(2_001)).is_err());
    }

    #[test]
    fn network_chairs_rate_with_the_unions() {
        assert_eq!(AssessorRole::NetworkChair.side(), Side::Union);
        assert_eq!(AssessorRole::UnionPartner.side(), Side::Union);
        assert_eq!(AssessorRole::WellbeingGuardian.side(), Side::Employer);
    }
}

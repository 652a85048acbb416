//! The quarterly Speak Up return and the trends boards see: counts from cases' plain-text
//! facts (never their content), with small numbers hidden before anything is shown.

use crate::identity::InvalidValue;
use crate::speakup::{Day, Element, Feedback, IdentityLevel, PublishedCount};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// A calendar quarter, as `2026-Q4`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Quarter {
    pub year: i64,
    /// 1 to 4.
    pub number: i64,
}

impl Quarter {
    pub fn of(day: Day) -> Quarter {
        let (year, number) = day.quarter();
        Quarter { year, number }
    }

    pub fn parse(text: &str) -> Result<Quarter, InvalidValue> {
        let bad = InvalidValue::Message("Choose a quarter like 2026-Q4");
        // Exactly `2026-Q4`: the API's description gives this form as a pattern, so
        // nothing else may be read as a quarter.
        let (year, q) = text.split_once("-Q").ok_or(bad.clone())?;
        if year.len() != 4
            || q.len() != 1
            || !year.bytes().chain(q.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(bad);
        }
        let year = year.parse::<i64>().map_err(|_| bad.clone())?;
        let number = q.parse::<i64>().map_err(|_| bad.clone())?;
        if !(2000..=2100).contains(&year) || !(1..=4).contains(&number) {
            return Err(bad);
        }
        Ok(Quarter { year, number })
    }

    pub fn previous(self) -> Quarter {
        if self.number == 1 {
            Quarter {
                year: self.year - 1,
                number: 4,
            }
        } else {
            Quarter {
                year: self.year,
                number: self.number - 1,
            }
        }
    }

    /// This quarter and the `n - 1` before it, oldest first.
    pub fn last(self, n: usize) -> Vec<Quarter> {
        let mut out = vec![self];
        let mut earliest = self;
        while out.len() < n {
            earliest = earliest.previous();
            out.push(earliest);
        }
        out.reverse();
        out
    }

    pub fn contains(self, day: Day) -> bool {
        Quarter::of(day) == self
    }

    /// "October to December 2026".
    pub fn months(self) -> String {
        let (first, last) = match self.number {
            1 => ("January", "March"),
            2 => ("April", "June"),
            3 => ("July", "September"),
            _ => ("October", "December"),
        };
        format!("{first} to {last} {}", self.year)
    }

    /// "Oct to Dec 2026": the months in short, where room is tight (a table's column).
    pub fn short(self) -> String {
        let (first, last) = match self.number {
            1 => ("Jan", "Mar"),
            2 => ("Apr", "Jun"),
            3 => ("Jul", "Sep"),
            _ => ("Oct", "Dec"),
        };
        format!("{first} to {last} {}", self.year)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

/// What is known about a case in plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    pub received_on: Day,
    pub acknowledged_on: Option<Day>,
    pub closed_on: Option<Day>,
    pub identity_level: IdentityLevel,
    pub elements: Vec<Element>,
    pub professional_group: Option<String>,
    pub feedback: Option<Feedback>,
    pub org_unit: Option<String>,
    pub detriment_found: Option<bool>,
}

/// Exact counts for one quarter. Never shown as they are: every published figure comes
/// from [`crate::speakup_figures::Figures`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QuarterlyReturn {
    pub cases: u64,
    pub anonymous: u64,
    pub elements: BTreeMap<Element, u64>,
    pub detriment_found: u64,
    pub professional_groups: BTreeMap<String, u64>,
    pub feedback: BTreeMap<Feedback, u64>,
}

impl QuarterlyReturn {
    /// Cases received in the quarter; feedback and detriment checks from cases closed in it.
    pub fn compute(facts: &[CaseFacts], quarter: Quarter) -> QuarterlyReturn {
        let mut out = QuarterlyReturn::default();
        for case in facts {
            if quarter.contains(case.received_on) {
                out.cases += 1;
                if case.identity_level == IdentityLevel::Anonymous {
                    out.anonymous += 1;
                }
                for element in &case.elements {
                    *out.elements.entry(*element).or_default() += 1;
                }
                let group = case
                    .professional_group
                    .clone()
                    .unwrap_or_else(|| "Not known".into());
                *out.professional_groups.entry(group).or_default() += 1;
            }
            if case.closed_on.is_some_and(|d| quarter.contains(d)) {
                if let Some(answer) = case.feedback {
                    *out.feedback.entry(answer).or_default() += 1;
                }
                if case.detriment_found == Some(true) {
                    out.detriment_found += 1;
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Line {
    pub label: String,
    pub code: String,
    pub count: PublishedCount,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedReturn {
    pub quarter: String,
    pub period: String,
    pub cases: PublishedCount,
    pub anonymous: PublishedCount,
    pub elements: Vec<Line>,
    pub detriment_found: PublishedCount,
    pub professional_groups: Vec<Line>,
    pub feedback: Vec<Line>,
}

impl PublishedReturn {
    /// One row per figure: its labels (organisation, quarter, measure, category) and its
    /// count as decided. Hidden counts read "fewer than 6" in a download, so a spreadsheet
    /// cannot mistake them for numbers.
    pub fn csv_rows(&self, organisation: &str) -> Vec<([String; 4], PublishedCount)> {
        let mut rows = vec![
            (
                [
                    organisation.into(),
                    self.quarter.clone(),
                    "cases".into(),
                    "all".into(),
                ],
                self.cases,
            ),
            (
                [
                    organisation.into(),
                    self.quarter.clone(),
                    "cases".into(),
                    "anonymous".into(),
                ],
                self.anonymous,
            ),
        ];
        for line in &self.elements {
            rows.push((
                [
                    organisation.into(),
                    self.quarter.clone(),
                    "element".into(),
                    line.code.clone(),
                ],
                line.count,
            ));
        }
        rows.push((
            [
                organisation.into(),
                self.quarter.clone(),
                "detriment_found".into(),
                "all".into(),
            ],
            self.detriment_found,
        ));
        for line in &self.professional_groups {
            rows.push((
                [
                    organisation.into(),
                    self.quarter.clone(),
                    "professional_group".into(),
                    line.code.clone(),
                ],
                line.count,
            ));
        }
        for line in &self.feedback {
            rows.push((
                [
                    organisation.into(),
                    self.quarter.clone(),
                    "would_speak_up_again".into(),
                    line.code.clone(),
                ],
                line.count,
            ));
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speakup::default_professional_groups;

    #[test]
    fn quarters_read_as_months() {
        let q = Quarter::parse("2025-Q1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.months(), "January to March 2025");
        assert_eq!(q.short(), "Jan to Mar 2025");
        let q = Quarter::parse("2026-Q4").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.short(), "Oct to Dec 2026");
        assert_eq!(q.to_string(), "2026-Q4", "the key stays as it is");
    }

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn case(received: &str, level: IdentityLevel, elements: &[Element]) -> CaseFacts {
        CaseFacts {
            received_on: day(received),
            acknowledged_on: None,
            closed_on: None,
            identity_level: level,
            elements: elements.to_vec(),
            professional_group: None,
            feedback: None,
            org_unit: None,
            detriment_found: None,
        }
    }

    #[test]
    fn quarters_parse_and_walk_back() -> Result<(), InvalidValue> {
        let q = Quarter::parse("2026-Q1")?;
        assert_eq!(q.previous().to_string(), "2025-Q4");
        assert_eq!(
            q.last(3).iter().map(|q| q.to_string()).collect::<Vec<_>>(),
            ["2025-Q3", "2025-Q4", "2026-Q1"]
        );
        assert_eq!(
            Quarter::of(day("2026-11-24")).months(),
            "October to December 2026"
        );
        assert!(Quarter::parse("2026-Q5").is_err());
        assert!(Quarter::parse("Q4").is_err());
        Ok(())
    }

    #[test]
    fn the_return_counts_the_quarter_and_hides_small_numbers() {
        let mut facts: Vec<CaseFacts> = (0..8)
            .map(|_| case("2026-10-05", IdentityLevel::Anonymous, &[Element::Bullying]))
            .collect();
        facts.push(case(
            "2026-11-01",
            IdentityLevel::Open,
            &[Element::PatientSafety, Element::Bullying],
        ));
        facts.push(case("2026-06-01", IdentityLevel::Open, &[Element::Other]));
        let mut closed = case("2026-05-01", IdentityLevel::Confidential, &[]);
        closed.closed_on = Some(day("2026-10-10"));
        closed.feedback = Some(Feedback::Yes);
        facts.push(closed);
        let q4 = Quarter::parse("2026-Q4").unwrap_or_else(|e| panic!("{e}"));
        let exact = QuarterlyReturn::compute(&facts, q4);
        assert_eq!((exact.cases, exact.anonymous), (9, 8));
        assert_eq!(exact.elements.get(&Element::Bullying), Some(&9));
        assert_eq!(exact.feedback.get(&Feedback::Yes), Some(&1));
        let figures = crate::speakup_figures::Figures::decide(
            &[(1, &facts)],
            &std::collections::BTreeMap::new(),
            false,
            &[q4],
            dignity_engine::disclosure::Minimum::default_for(
                dignity_engine::disclosure::Kind::SpeakUpReturns,
            ),
            &default_professional_groups(),
        );
        let shown = figures.quarterly_return(crate::speakup_figures::Scope::Organisation(1), q4);
        assert_eq!(shown.cases.to_string(), "9");
        let patient_safety = shown
            .elements
            .iter()
            .find(|l| l.code == "patient_safety")
            .map(|l| l.count.to_string());
        assert_eq!(patient_safety.as_deref(), Some("fewer than 6"));
        let other = shown
            .elements
            .iter()
            .find(|l| l.code == "other")
            .map(|l| l.count.to_string());
        assert_eq!(
            other.as_deref(),
            Some("0"),
            "every element is listed, zeros included"
        );
        assert_eq!(shown.feedback.len(), Feedback::ALL.len());
        assert!(
            shown
                .csv_rows("RJ1")
                .iter()
                .all(|(_, count)| count.exact().is_none_or(|n| n == 0 || n > 5))
        );
        // All 9 cases have no recorded group, so "Not known" is 9 and nothing is hidden.
        assert!(
            shown
                .professional_groups
                .iter()
                .all(|l| !l.count.is_hidden())
        );
    }

    #[test]
    fn days_between_count_calendar_days() {
        assert_eq!(day("2026-12-01").days_since(day("2026-11-24")), 7);
    }
}

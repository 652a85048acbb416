//! Board members' fit and proper person records (issue 21): their seats on the board, the
//! checks the framework asks for and when each lapses, and the rules a record must keep
//! (docs/leadership.md).
//!
//! Every rule that decides whether a record is complete lives here, so the pages, the
//! command line and the demo cannot disagree about it.

use crate::speakup::Day;

code_list!(
    /// The checks made on every board member. The words are ours; the list follows the
    /// NHS England Fit and Proper Person Test framework (2023).
    CheckKind, "check", {
        CriminalRecords => "criminal_records", "Criminal records check";
        Insolvency => "insolvency", "Insolvency and bankruptcy search";
        DisqualifiedDirectors => "disqualified_directors", "Disqualified directors search";
        EmploymentTribunal => "employment_tribunal", "Employment tribunal judgements search";
        ProfessionalRegister => "professional_register", "Professional register check";
        SocialMedia => "social_media", "Social media search";
        References => "references", "References";
    }
);

impl CheckKind {
    /// How many months a check stays current before it must be made again; `None` for a
    /// check made once, at appointment. These are Dignity's defaults, set out in
    /// docs/leadership.md: every search that can change year to year is repeated yearly,
    /// the criminal records check every three years.
    pub fn lasts_months(self) -> Option<i64> {
        match self {
            CheckKind::CriminalRecords => Some(36),
            CheckKind::References => None,
            _ => Some(12),
        }
    }

    /// What the person recording the check is asked to write as its evidence.
    pub fn evidence_hint(self) -> &'static str {
        match self {
            CheckKind::CriminalRecords => "The certificate number, its level and the date on it",
            CheckKind::Insolvency
            | CheckKind::DisqualifiedDirectors
            | CheckKind::EmploymentTribunal => "Where you searched and what you searched for",
            CheckKind::ProfessionalRegister => "The register, the number, and any conditions",
            CheckKind::SocialMedia => "Which sites you looked at and what you found",
            CheckKind::References => "Who gave each reference and when",
        }
    }
}

code_list!(
    /// What a check found.
    CheckResult, "result", {
        Satisfactory => "satisfactory", "Nothing of concern";
        Concern => "concern", "Something of concern";
        NotApplicable => "not_applicable", "Does not apply";
    }
);

code_list!(
    /// An executive director is employed by the organisation; a non-executive is not.
    SeatKind, "seat", {
        Executive => "executive", "Executive director";
        NonExecutive => "non_executive", "Non-executive director";
    }
);

/// A seat on the board, as kept on the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub kind: SeatKind,
    /// The job, in the organisation's words, like "Chief nurse".
    pub title: String,
    pub voting: bool,
    pub interim: bool,
    pub starts_on: Day,
    pub ends_on: Option<Day>,
}

impl Seat {
    /// Whether the seat is held on `day`.
    pub fn held_on(&self, day: Day) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }
}

/// Why a seat was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SeatRefused {
    #[error("The end date must be the same as or after the start date")]
    EndsBeforeStart,
    #[error("The start date must be within the next year")]
    StartsTooFarAhead,
    #[error("A seat cannot begin before the NHS began, on 5 July 1948")]
    StartsBeforeTheNhs,
    #[error("The end date must be within the next 10 years")]
    EndsTooFarAhead,
}

/// A seat's dates must be in order, and an appointment is recorded no more than a year
/// ahead (further is almost always a mistyped year).
pub fn check_seat(starts_on: Day, ends_on: Option<Day>, today: Day) -> Result<(), SeatRefused> {
    if ends_on.is_some_and(|end| end < starts_on) {
        return Err(SeatRefused::EndsBeforeStart);
    }
    if starts_on > today.plus_days(366) {
        return Err(SeatRefused::StartsTooFarAhead);
    }
    // Earlier is a mistyped year, and an appraisal may not be dated before a first seat
    // (the second look, 2026-12-06: a seat of 1900 let an appraisal of 1900 in).
    if Day::from_ymd(1948, 7, 5).is_some_and(|nhs| starts_on < nhs) {
        return Err(SeatRefused::StartsBeforeTheNhs);
    }
    // Appointments run for a few years at a time: further is a mistyped year.
    if ends_on.is_some_and(|end| end > today.plus_days(3_653)) {
        return Err(SeatRefused::EndsTooFarAhead);
    }
    Ok(())
}

/// Where one check stands for a member today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStanding {
    /// Never recorded.
    Missing,
    /// Current until the day given (or for good, for a check made once).
    Current { until: Option<Day> },
    /// Made, but too long ago: it must be made again.
    Lapsed { since: Day },
}

impl CheckStanding {
    pub fn is_current(self) -> bool {
        matches!(self, CheckStanding::Current { .. })
    }
}

/// The day a check made on `done_on` lapses, if it ever does: the same day of the month,
/// `months` later (the month's last day when that day does not exist).
pub fn lapses_on(kind: CheckKind, done_on: Day) -> Option<Day> {
    let months = kind.lasts_months()?;
    let date = done_on.civil();
    let later = date
        .checked_add(jiff::Span::new().months(months))
        .unwrap_or(date);
    Day::from_ymd(
        i64::from(later.year()),
        i64::from(later.month()),
        i64::from(later.day()),
    )
}

/// Where a check stands on `today`, from the day it was last made.
pub fn standing(kind: CheckKind, last_done: Option<Day>, today: Day) -> CheckStanding {
    let Some(done) = last_done else {
        return CheckStanding::Missing;
    };
    match lapses_on(kind, done) {
        Some(lapse) if lapse <= today => CheckStanding::Lapsed { since: lapse },
        until => CheckStanding::Current { until },
    }
}

/// A job in a member's employment history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Job {
    pub employer: String,
    pub role: String,
    pub from: Day,
    /// `None` while the job is held.
    pub to: Option<Day>,
}

/// A gap longer than this many days between jobs needs a reason written on the record.
pub const LONGEST_UNEXPLAINED_GAP_DAYS: i64 = 92;

/// A gap in a member's employment history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub from: Day,
    pub to: Day,
}

impl Gap {
    pub fn days(self) -> i64 {
        self.to.days_since(self.from)
    }
}

/// The gaps between jobs longer than [`LONGEST_UNEXPLAINED_GAP_DAYS`], oldest first. Jobs
/// that overlap leave no gap; a job held now ends every gap before it.
pub fn gaps(jobs: &[Job]) -> Vec<Gap> {
    let mut sorted: Vec<&Job> = jobs.iter().collect();
    sorted.sort_by_key(|j| j.from);
    let mut found = Vec::new();
    // The last day covered by a job so far; once a job is held now, nothing after has a gap.
    let mut covered_to: Option<Day> = None;
    for job in sorted {
        if let Some(end) = covered_to
            && job.from.days_since(end) > LONGEST_UNEXPLAINED_GAP_DAYS
        {
            found.push(Gap {
                from: end,
                to: job.from,
            });
        }
        match job.to {
            None => break,
            Some(to) => covered_to = Some(covered_to.map_or(to, |end| end.max(to))),
        }
    }
    found
}

/// Why a job was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JobRefused {
    #[error("The end date must be the same as or after the start date")]
    EndsBeforeStart,
    #[error("The start date cannot be in the future")]
    StartsInFuture,
    #[error("The end date must be within the next year")]
    EndsTooFarAhead,
}

pub fn check_job(from: Day, to: Option<Day>, today: Day) -> Result<(), JobRefused> {
    if to.is_some_and(|to| to < from) {
        return Err(JobRefused::EndsBeforeStart);
    }
    if from > today {
        return Err(JobRefused::StartsInFuture);
    }
    if to.is_some_and(|to| to > today.plus_days(366)) {
        return Err(JobRefused::EndsTooFarAhead);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    #[test]
    fn checks_lapse_after_their_period_and_references_never_do() {
        let today = day("2026-12-06");
        assert_eq!(
            standing(CheckKind::Insolvency, Some(day("2025-12-06")), today),
            CheckStanding::Lapsed {
                since: day("2026-12-06")
            }
        );
        assert_eq!(
            standing(CheckKind::Insolvency, Some(day("2025-12-07")), today),
            CheckStanding::Current {
                until: Some(day("2026-12-07"))
            }
        );
        assert!(standing(CheckKind::CriminalRecords, Some(day("2024-01-31")), today).is_current());
        assert_eq!(
            standing(CheckKind::References, Some(day("2001-01-01")), today),
            CheckStanding::Current { until: None }
        );
        assert_eq!(
            standing(CheckKind::SocialMedia, None, today),
            CheckStanding::Missing
        );
        // The 31st plus one month is the last day of the shorter month.
        assert_eq!(
            lapses_on(CheckKind::Insolvency, day("2024-02-29")),
            Some(day("2025-02-28"))
        );
    }

    #[test]
    fn seats_keep_their_dates_in_order() {
        let today = day("2026-12-06");
        assert_eq!(
            check_seat(day("2026-01-01"), Some(day("2025-12-31")), today),
            Err(SeatRefused::EndsBeforeStart)
        );
        assert_eq!(
            check_seat(day("2028-01-01"), None, today),
            Err(SeatRefused::StartsTooFarAhead)
        );
        assert_eq!(
            check_seat(day("2026-01-01"), Some(day("2026-01-01")), today),
            Ok(())
        );
        let seat = Seat {
            kind: SeatKind::Executive,
            title: "Chief nurse".into(),
            voting: true,
            interim: false,
            starts_on: day("2026-01-01"),
            ends_on: Some(day("2026-06-30")),
        };
        assert!(seat.held_on(day("2026-06-30")));
        assert!(!seat.held_on(day("2026-07-01")));
        assert!(!seat.held_on(day("2025-12-31")));
    }

    fn job(from: &str, to: Option<&str>) -> Job {
        Job {
            employer: "A trust".into(),
            role: "Director".into(),
            from: day(from),
            to: to.map(day),
        }
    }

    #[test]
    fn only_long_gaps_between_jobs_need_a_reason() {
        // Short gap, overlap, then a long gap, then a job held now.
        let jobs = vec![
            job("2020-04-01", Some("2022-03-31")),
            job("2010-01-01", Some("2020-01-31")),
            job("2022-01-01", Some("2023-01-31")),
            job("2024-01-01", None),
            job("2025-01-01", Some("2025-06-01")),
        ];
        let found = gaps(&jobs);
        assert_eq!(
            found,
            vec![Gap {
                from: day("2023-01-31"),
                to: day("2024-01-01")
            }]
        );
        assert_eq!(found[0].days(), 335);
        assert!(gaps(&[]).is_empty());
        assert_eq!(
            check_job(
                day("2020-01-01"),
                Some(day("2019-01-01")),
                day("2026-01-01")
            ),
            Err(JobRefused::EndsBeforeStart)
        );
        assert_eq!(
            check_job(day("2027-01-01"), None, day("2026-01-01")),
            Err(JobRefused::StartsInFuture)
        );
    }
}

code_list!(
    /// What the chair concluded about a member in a yearly round.
    Conclusion, "conclusion", {
        Fit => "fit", "Fit and proper";
        NotFit => "not_fit", "Not fit and proper";
    }
);

/// Why a chair's conclusion was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ConclusionRefused {
    #[error(
        "Some checks or the declaration are not done or are out of date. Say why you are concluding without them"
    )]
    ChecksMissing,
    #[error("Say what action was taken")]
    NoAction,
}

/// A chair may conclude only with every check current and the declaration made, unless
/// they write why; a member found not fit and proper needs the action taken written down.
pub fn may_conclude(
    conclusion: Conclusion,
    everything_current: bool,
    why_without: bool,
    action_given: bool,
) -> Result<(), ConclusionRefused> {
    if !everything_current && !why_without {
        return Err(ConclusionRefused::ChecksMissing);
    }
    if conclusion == Conclusion::NotFit && !action_given {
        return Err(ConclusionRefused::NoAction);
    }
    Ok(())
}

#[cfg(test)]
mod conclusion_tests {
    use super::*;

    #[test]
    fn a_conclusion_needs_its_checks_or_a_reason_and_not_fit_needs_the_action() {
        assert_eq!(
            may_conclude(Conclusion::Fit, false, false, false),
            Err(ConclusionRefused::ChecksMissing)
        );
        assert_eq!(may_conclude(Conclusion::Fit, false, true, false), Ok(()));
        assert_eq!(may_conclude(Conclusion::Fit, true, false, false), Ok(()));
        assert_eq!(
            may_conclude(Conclusion::NotFit, true, false, false),
            Err(ConclusionRefused::NoAction)
        );
        assert_eq!(may_conclude(Conclusion::NotFit, true, false, true), Ok(()));
    }
}

code_list!(
    /// The six areas a board member rates themself on each year, in our words, after
    /// NHS England's leadership competency framework for board members (2024).
    Competency, "area", {
        Quality => "quality", "Making care better and safer, and keeping it so";
        Direction => "direction", "Setting the direction and leading change over years";
        Fairness => "fairness", "Making things fairer for patients and staff";
        Assurance => "assurance", "Holding the organisation to account and giving assurance";
        Culture => "culture", "Leading a kind, fair and open culture";
        Partners => "partners", "Working with partners and the communities served";
    }
);

code_list!(
    /// How a member rates themself in one area.
    SelfRating, "rating", {
        NeedsDevelopment => "needs_development", "I need to develop this";
        Developing => "developing", "I am developing this";
        Confident => "confident", "I am confident in this";
        Strength => "strength", "This is a strength of mine";
    }
);

/// The most combining marks one letter carries in ordinary writing in any script (a
/// Vietnamese or pointed Hebrew letter has two or three).
pub const MOST_MARKS_ON_A_LETTER: usize = 4;

/// Whether text piles more combining marks on one letter than any script needs: such text
/// draws over the lines around it wherever it is shown (outside attack, 2026-12-06:
/// thousands of marks on one letter, from several scripts' blocks).
pub fn piles_marks(text: &str) -> bool {
    use unicode_normalization::char::is_combining_mark;
    let mut run = 0;
    for c in text.chars() {
        if is_combining_mark(c) {
            run += 1;
            if run > MOST_MARKS_ON_A_LETTER {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

#[cfg(test)]
mod mark_tests {
    use super::*;

    #[test]
    fn marks_from_any_script_count_towards_the_pile() {
        assert!(!piles_marks("Nguyễn, שָׁלוֹם, café"));
        assert!(piles_marks(&format!("e{}", "\u{301}".repeat(5))));
        assert!(piles_marks(&format!("e{}", "\u{483}".repeat(300))));
        assert!(piles_marks(&format!("e{}", "\u{591}".repeat(300))));
        // Mixing blocks does not reset the count.
        assert!(piles_marks(&"\u{301}\u{301}\u{483}".repeat(2)));
    }
}

//! Speak Up rules: how a case moves, what a guardian records, when things are due, and
//! how small numbers are hidden.

use crate::identity::{InvalidValue, Role};
use std::fmt;

code_list!(
    /// How the person speaking up chose to be known.
    IdentityLevel, "way of being known", {
        Open => "open", "Open: you give your name";
        Confidential => "confidential", "Confidential: only the guardians know your name";
        Anonymous => "anonymous", "Anonymous: nobody knows who you are";
    }
);

impl IdentityLevel {
    /// One word, for lists.
    pub fn short(self) -> &'static str {
        match self {
            IdentityLevel::Open => "Open",
            IdentityLevel::Confidential => "Confidential",
            IdentityLevel::Anonymous => "Anonymous",
        }
    }

    /// What the choice means, in the words of the guardian reading the case (the labels
    /// speak to the person choosing).
    pub fn for_guardian(self) -> &'static str {
        match self {
            IdentityLevel::Open => "Open: they gave their name, which may be shared",
            IdentityLevel::Confidential => {
                "Confidential: do not share their name without asking them"
            }
            IdentityLevel::Anonymous => "Anonymous: they did not give their name",
        }
    }
}

code_list!(
    /// Where a case has got to.
    CaseStatus, "case status", {
        New => "new", "New";
        Acknowledged => "acknowledged", "Acknowledged";
        InProgress => "in_progress", "In progress";
        Referred => "referred", "Referred";
        Closed => "closed", "Closed";
    }
);

impl CaseStatus {
    /// The moves a guardian may make. A new case may go straight to any open status (a
    /// guardian who starts work on it has plainly read it). A closed case can be reopened,
    /// because people sometimes come back with more.
    pub fn can_move_to(self, next: CaseStatus) -> bool {
        use CaseStatus::*;
        matches!(
            (self, next),
            (New, Acknowledged | InProgress | Referred)
                | (Acknowledged, InProgress)
                | (Acknowledged, Referred)
                | (InProgress, Referred)
                | (Referred, InProgress)
                | (New | Acknowledged | InProgress | Referred, Closed)
                | (Closed, InProgress)
        )
    }

    pub fn next_choices(self) -> Vec<CaseStatus> {
        CaseStatus::ALL
            .iter()
            .copied()
            .filter(|s| self.can_move_to(*s))
            .collect()
    }

    /// What the person who spoke up is told about their case.
    pub fn for_reporter(self) -> &'static str {
        match self {
            CaseStatus::New => "A guardian will read your concern soon.",
            CaseStatus::Acknowledged => "A guardian has read your concern.",
            CaseStatus::InProgress => "A guardian is working on your concern.",
            CaseStatus::Referred => {
                "A guardian has passed your concern to someone who can act on it, and is still following it."
            }
            CaseStatus::Closed => {
                "Your case is closed. You can still send a message if something changes."
            }
        }
    }
}

code_list!(
    /// The kinds of issue in a case, as counted in the national return.
    Element, "case element", {
        PatientSafety => "patient_safety", "Patient safety or quality";
        Bullying => "bullying", "Bullying or harassment";
        Behaviour => "behaviour", "Other inappropriate attitudes or behaviours";
        WorkerSafety => "worker_safety", "Worker safety or wellbeing";
        Detriment => "detriment", "Detriment for speaking up";
        Other => "other", "Other";
    }
);

impl Element {
    /// Reads a stored list such as `bullying,detriment`.
    pub fn parse_list(stored: &str) -> Result<Vec<Element>, InvalidValue> {
        stored
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect()
    }

    pub fn store_list(elements: &[Element]) -> String {
        let mut codes: Vec<&str> = elements.iter().map(|e| e.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        codes.join(",")
    }
}

code_list!(
    /// What an entry on a case is. Every entry's text is encrypted.
    EntryKind, "entry kind", {
        Report => "report", "What was reported";
        FromReporter => "from_reporter", "From the person who spoke up";
        ToReporter => "to_reporter", "To the person who spoke up";
        Note => "note", "Guardian's note";
        Referral => "referral", "Referral";
        Closure => "closure", "Outcome";
        FeedbackComment => "feedback_comment", "Feedback comment";
        DetrimentCheck => "detriment_check", "Detriment check";
        Attachment => "attachment", "Attached file";
    }
);

impl EntryKind {
    /// Entries the person who spoke up can read on the follow-up page: everything but
    /// the guardians' own notes, referrals and checks. Only the person attaches files, so
    /// an attachment is always their own.
    pub fn shown_to_reporter(self) -> bool {
        matches!(
            self,
            EntryKind::Report
                | EntryKind::FromReporter
                | EntryKind::ToReporter
                | EntryKind::Closure
                | EntryKind::FeedbackComment
                | EntryKind::Attachment
        )
    }
}

code_list!(
    /// Which inbox a case belongs to.
    CaseType, "case type", {
        Concern => "concern", "Concern";
        Grievance => "grievance", "Grievance";
    }
);

/// Everyone who reads some kind of case: the roles that may open the casework pages and
/// hold a case key. Each page then asks [`CaseType::readers`] of the case itself.
pub const CASEWORKERS: &[Role] = &[Role::Guardian, Role::ErLead];

impl CaseType {
    /// The roles that read a kind of case, in its organisation: guardians read every case;
    /// employee relations leads read grievances only. The one rule that applies this to a
    /// person is `dignity_app::speakup::casework::reads`.
    pub fn readers(self) -> &'static [Role] {
        match self {
            CaseType::Concern => &[Role::Guardian],
            CaseType::Grievance => &[Role::Guardian, Role::ErLead],
        }
    }
}

code_list!(
    /// Where a grievance has got to. Each stage but the last has a time limit.
    GrievanceStage, "grievance stage", {
        Informal => "informal", "Informal stage";
        FormalHearing => "formal_hearing", "Formal hearing";
        Appeal => "appeal", "Appeal";
        Outcome => "outcome", "Outcome given";
    }
);

impl GrievanceStage {
    pub fn can_move_to(self, next: GrievanceStage) -> bool {
        use GrievanceStage::*;
        matches!(
            (self, next),
            (Informal, FormalHearing)
                | (Informal, Outcome)
                | (FormalHearing, Appeal)
                | (FormalHearing, Outcome)
                | (Appeal, Outcome)
        )
    }

    pub fn next_choices(self) -> Vec<GrievanceStage> {
        GrievanceStage::ALL
            .iter()
            .copied()
            .filter(|s| self.can_move_to(*s))
            .collect()
    }

    /// Working days allowed for this stage, following common NHS grievance policies.
    pub fn working_days_allowed(self) -> Option<u32> {
        match self {
            GrievanceStage::Informal => Some(10),
            GrievanceStage::FormalHearing => Some(20),
            GrievanceStage::Appeal => Some(15),
            GrievanceStage::Outcome => None,
        }
    }
}

/// How long after closure a guardian checks whether the person has suffered detriment.
pub const DETRIMENT_CHECK_DAYS: i64 = 90;

code_list!(
    /// "Given your experience, would you speak up again?"
    Feedback, "answer", {
        Yes => "yes", "Yes";
        No => "no", "No";
        Maybe => "maybe", "Maybe";
        DontKnow => "dont_know", "I don't know";
    }
);

code_list!(
    /// Whether the person says patients may be at risk.
    PatientSafety, "answer", {
        Yes => "yes", "Yes";
        No => "no", "No";
        NotSure => "not_sure", "I'm not sure";
    }
);

/// Professional groups a guardian can record, following the national return's groups.
/// An installation can set its own list (`speakup_professional_groups`).
pub const PROFESSIONAL_GROUPS: &[&str] = &[
    "Nurses and midwives",
    "Doctors",
    "Allied health professionals",
    "Healthcare scientists",
    "Pharmacists",
    "Ambulance staff",
    "Administrative and clerical",
    "Estates and ancillary",
    "Corporate services",
    "Students",
    "Other",
    "Not known",
];

/// The group used when none was recorded. Always in the list.
pub const GROUP_NOT_KNOWN: &str = "Not known";

pub fn default_professional_groups() -> Vec<String> {
    PROFESSIONAL_GROUPS
        .iter()
        .map(|g| (*g).to_owned())
        .collect()
}

/// Checks an installation's own list of professional groups, adding "Not known".
pub fn check_professional_groups(groups: &[String]) -> Result<Vec<String>, InvalidValue> {
    let mut out: Vec<String> = Vec::new();
    for group in groups {
        let group = group.trim();
        if group.is_empty() || group.chars().count() > 100 {
            return Err(InvalidValue::Message(
                "each professional group must be 1 to 100 characters",
            ));
        }
        if out.iter().any(|g| g.eq_ignore_ascii_case(group)) {
            return Err(InvalidValue::Message("professional groups must not repeat"));
        }
        out.push(group.to_owned());
    }
    if out.is_empty() {
        return Err(InvalidValue::Message(
            "give at least one professional group",
        ));
    }
    if !out.iter().any(|g| g == GROUP_NOT_KNOWN) {
        out.push(GROUP_NOT_KNOWN.to_owned());
    }
    Ok(out)
}

/// A calendar date (no time of day: the anonymous routes never keep one). Wraps jiff's
/// civil date, the one date and time crate of the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(jiff::civil::Date);

impl Day {
    /// The day (UTC) of a moment given as seconds since 1970; moments beyond what any
    /// record holds are clamped to the first or last day there can be.
    pub fn from_unix_seconds(seconds: i64) -> Day {
        let moment = jiff::Timestamp::from_second(seconds).unwrap_or(if seconds < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        });
        Day(moment.to_zoned(jiff::tz::TimeZone::UTC).date())
    }

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Day, InvalidValue> {
        let bad = InvalidValue::Message("Enter a date like 2026-11-24");
        let mut parts = text.trim().splitn(3, '-');
        let mut number = || {
            parts
                .next()
                .and_then(|p| p.parse::<i64>().ok())
                .ok_or(bad.clone())
        };
        let (y, m, d) = (number()?, number()?, number()?);
        // Years far outside any NHS record are refused like any other date that cannot
        // be right (fuzzing once found one that overflowed the day arithmetic).
        if !(1900..=9999).contains(&y) {
            return Err(bad);
        }
        let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(y), i8::try_from(m), i8::try_from(d)) else {
            return Err(bad);
        };
        jiff::civil::Date::new(y, m, d).map(Day).map_err(|_| bad)
    }

    /// The day with this year, month and day of the month, if there is one. Years far
    /// outside any NHS record are refused, as [`Day::parse`] refuses them.
    pub fn from_ymd(year: i64, month: i64, day: i64) -> Option<Day> {
        if !(1900..=9999).contains(&year) {
            return None;
        }
        let (y, m, d) = (
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
        );
        jiff::civil::Date::new(y, m, d).ok().map(Day)
    }

    /// The calendar date, for reckoning in a time zone (the UK's, say).
    pub fn civil(self) -> jiff::civil::Date {
        self.0
    }

    /// Whole days from `earlier` to this day (negative if `earlier` is later).
    pub fn days_since(self, earlier: Day) -> i64 {
        self.0.duration_since(earlier.0).as_secs() / 86_400
    }

    pub fn plus_days(self, n: i64) -> Day {
        Day(self
            .0
            .saturating_add(jiff::SignedDuration::from_hours(n.saturating_mul(24))))
    }

    /// Monday is 0.
    pub fn weekday(self) -> i64 {
        i64::from(self.0.weekday().to_monday_zero_offset())
    }

    /// The day `n` working days (Monday to Friday) after this one.
    pub fn plus_working_days(self, n: u32) -> Day {
        let mut day = self;
        let mut left = n;
        while left > 0 {
            day = day.plus_days(1);
            if day.weekday() < 5 {
                left -= 1;
            }
        }
        day
    }

    /// As people read dates: "31 October 2026". Every page writes dates this way, or
    /// with the day of the week ([`Day::long_with_weekday`]).
    pub fn long(self) -> String {
        self.0.strftime("%-d %B %Y").to_string()
    }

    /// "Tuesday 1 December 2026", for a date someone must act by.
    pub fn long_with_weekday(self) -> String {
        self.0.strftime("%A %-d %B %Y").to_string()
    }

    pub fn ymd(self) -> (i64, i64, i64) {
        (
            i64::from(self.0.year()),
            i64::from(self.0.month()),
            i64::from(self.0.day()),
        )
    }

    /// The quarter this day falls in, as (year, quarter 1 to 4), calendar quarters.
    pub fn quarter(self) -> (i64, i64) {
        let (y, m, _) = self.ymd();
        (y, (m - 1) / 3 + 1)
    }
}

/// The number of a month written as a word, as people and spreadsheets write it: "April",
/// "apr" or "Apr." (at least three letters, any case); `None` for anything else.
pub fn month_named(text: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let word = text.trim().trim_end_matches('.').to_lowercase();
    if word.chars().count() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&word))
        .and_then(|i| i64::try_from(i + 1).ok())
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

/// The month something happened, as a person gave it (`YYYY-MM`). Never a day: a day can
/// identify who was on shift.
pub fn parse_month(text: &str) -> Result<Option<String>, InvalidValue> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = InvalidValue::Message("Enter the month and year, like 2026-10, or leave it blank");
    let (y, m) = text.split_once('-').ok_or(bad.clone())?;
    let (y, m) = (
        y.parse::<i64>().map_err(|_| bad.clone())?,
        m.parse::<i64>().map_err(|_| bad.clone())?,
    );
    if !(1990..=2100).contains(&y) || !(1..=12).contains(&m) {
        return Err(bad);
    }
    Ok(Some(format!("{y:04}-{m:02}")))
}

pub use dignity_engine::disclosure::PublishedCount;

/// Kept inside sealed records (a board member's jobs) as `YYYY-MM-DD`.
impl serde::Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Day, D::Error> {
        let text = String::deserialize(deserializer)?;
        Day::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A stored `YYYY-MM-DD`, as the store's row mapping reads it.
impl TryFrom<String> for Day {
    type Error = InvalidValue;
    fn try_from(text: String) -> Result<Day, InvalidValue> {
        Day::parse(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which roles read which kind of case; the rule that applies it to a person is
    /// `dignity_app::speakup::casework::reads`, and nothing else decides it.
    #[test]
    fn guardians_read_every_case_and_er_leads_only_grievances() {
        let reads = |t: CaseType, role: Role| t.readers().contains(&role);
        assert!(reads(CaseType::Concern, Role::Guardian));
        assert!(!reads(CaseType::Concern, Role::ErLead));
        assert!(reads(CaseType::Grievance, Role::ErLead));
        assert!(
            !reads(CaseType::Grievance, Role::Executive)
                && !reads(CaseType::Grievance, Role::OrgAdmin)
        );
        // Caseworkers are exactly those who read some kind of case.
        for role in Role::ALL {
            let reads = CaseType::ALL.iter().any(|t| reads(*t, *role));
            assert_eq!(reads, CASEWORKERS.contains(role), "{role:?}");
        }
    }

    #[test]
    fn cases_move_only_along_allowed_paths() {
        assert!(CaseStatus::New.can_move_to(CaseStatus::Acknowledged));
        assert!(CaseStatus::New.can_move_to(CaseStatus::InProgress));
        assert!(!CaseStatus::Acknowledged.can_move_to(CaseStatus::New));
        assert!(CaseStatus::InProgress.can_move_to(CaseStatus::Closed));
        assert!(CaseStatus::Closed.can_move_to(CaseStatus::InProgress));
        assert!(!CaseStatus::Closed.can_move_to(CaseStatus::New));
        assert_eq!(
            CaseStatus::New.next_choices(),
            [
                CaseStatus::Acknowledged,
                CaseStatus::InProgress,
                CaseStatus::Referred,
                CaseStatus::Closed
            ]
        );
    }

    #[test]
    fn dates_read_the_one_way_people_read_them() -> Result<(), InvalidValue> {
        assert_eq!(Day::parse("2026-10-31")?.long(), "31 October 2026");
        assert_eq!(
            Day::parse("2026-12-01")?.long_with_weekday(),
            "Tuesday 1 December 2026"
        );
        assert_eq!(
            Day::from_unix_seconds(1_795_545_600).to_string(),
            "2026-11-24"
        );
        assert_eq!(Day::from_unix_seconds(-1).to_string(), "1969-12-31");
        // Moments past any record clamp rather than fail.
        assert!(Day::from_unix_seconds(i64::MAX) >= Day::parse("9999-12-30")?);
        assert_eq!(
            Day::parse("2026-12-01")?.days_since(Day::parse("2025-12-01")?),
            365
        );
        Ok(())
    }

    #[test]
    fn days_round_trip_and_skip_weekends() -> Result<(), InvalidValue> {
        let friday = Day::parse("2026-11-27")?;
        assert_eq!(friday.weekday(), 4);
        assert_eq!(friday.plus_working_days(1).to_string(), "2026-11-30");
        assert_eq!(friday.plus_working_days(2).to_string(), "2026-12-01");
        assert_eq!(Day::parse("2024-02-29")?.to_string(), "2024-02-29");
        assert!(Day::parse("2025-02-29").is_err());
        assert!(Day::parse("2025-13-01").is_err());
        // Found by fuzzing: a huge year overflowed the day arithmetic.
        assert!(Day::parse("2022012921320211162-1-28").is_err());
        assert!(Day::parse("1899-12-31").is_err());
        assert!(
            Day::parse("9999-12-31").is_ok(),
            "far-off closing dates are used"
        );
        assert_eq!(
            Day::from_unix_seconds(1_795_545_600).to_string(),
            "2026-11-24"
        );
        assert_eq!(Day::parse("2026-11-24")?.quarter(), (2026, 4));
        Ok(())
    }

    #[test]
    fn months_never_carry_a_day() {
        assert_eq!(parse_month(" 2026-3 "), Ok(Some("2026-03".into())));
        assert_eq!(parse_month(""), Ok(None));
        assert!(parse_month("2026-03-04").is_err());
        assert!(parse_month("March").is_err());
    }

    #[test]
    fn grievances_move_through_their_stages() {
        use GrievanceStage::*;
        assert!(Informal.can_move_to(FormalHearing));
        assert!(!Informal.can_move_to(Appeal));
        assert!(FormalHearing.can_move_to(Appeal));
        assert!(!Outcome.can_move_to(Informal));
        assert_eq!(Outcome.working_days_allowed(), None);
        assert_eq!(Informal.next_choices(), [FormalHearing, Outcome]);
    }

    #[test]
    fn element_lists_are_stored_sorted_and_unique() -> Result<(), InvalidValue> {
        let stored =
            Element::store_list(&[Element::Detriment, Element::Bullying, Element::Detriment]);
        assert_eq!(stored, "bullying,detriment");
        assert_eq!(
            Element::parse_list(&stored)?,
            [Element::Bullying, Element::Detriment]
        );
        assert_eq!(Element::parse_list("")?, []);
        assert!(Element::parse_list("gossip").is_err());
        Ok(())
    }
}

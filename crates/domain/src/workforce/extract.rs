//! The workforce extracts, read from CSV files into typed records: staff in post (and
//! leavers), recruitment, non-mandatory training, board membership, and staff entering
//! formal processes. docs/workforce.md describes each column for the people who prepare
//! the files.
//!
//! Nothing here keeps who a person is. An employee number is handed to the caller's
//! `person` function (a keyed digest) the moment it is read, and the record holds only the
//! digest; no message repeats the number. Columns the extract does not read are never
//! looked at, so a file that also carries names ("Full Name", "First Name", "Surname"),
//! National Insurance numbers or dates of birth is read as if they were not there. A work
//! email address is read only by [`parse_leaving_accounts`], to end leavers' access, and
//! never enters a record.
//!
//! A file is all or nothing: every mistake in it is listed (the first 200, then a count)
//! and no record is returned unless every line is right.

use super::codes::{
    AgeBand, Clinical, Disability, Ethnicity, FormalProcess, LeavingReason, PayGrade, Sex,
    StaffGroup, squash, yes_no,
};
use super::sheet::{ExtractErrors, Memo, Need, Problem, Row, read};
use crate::speakup::Day;
use std::collections::HashMap;

/// A column an extract may read: the heading ESR's reports use, and other headings taken
/// to mean the same (matched ignoring case, spaces and punctuation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    EmployeeNumber,
    AssignmentNumber,
    Organisation,
    StaffGroup,
    PayBand,
    Grade,
    Clinical,
    Ethnicity,
    Disability,
    Sex,
    AgeBand,
    StartDate,
    ContractedWte,
    ContractedHours,
    DaysLost,
    LeavingDate,
    LeavingReason,
    Appointed,
    Accessed,
    Voting,
    Executive,
    Process,
    /// A work email address: read only to end a leaver's access to Dignity, never kept
    /// with the extract.
    Email,
}

impl Column {
    pub const COUNT: usize = 23;

    /// The heading ESR's reports use (or, where ESR has none, the one Dignity asks for).
    pub fn heading(self) -> &'static str {
        self.names().0
    }

    /// Other headings read as this column.
    pub fn also(self) -> &'static [&'static str] {
        self.names().1
    }

    fn names(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Column::EmployeeNumber => (
                "Employee Number",
                &["Employee No", "Emp No", "Staff Number", "Person Number"],
            ),
            Column::AssignmentNumber => ("Assignment Number", &["Assignment No"]),
            Column::Organisation => (
                "Organisation",
                &[
                    "Organisation Name",
                    "Org Unit",
                    "Organisation Unit",
                    "Organization",
                    "Department",
                    "Unit",
                ],
            ),
            Column::StaffGroup => ("Staff Group", &["Staff Group Name"]),
            Column::PayBand => ("Pay Band", &["Band", "AfC Band", "Pay Band Name"]),
            Column::Grade => ("Grade", &["Grade Name", "Pay Grade"]),
            Column::Clinical => (
                "Clinical",
                &[
                    "Clinical or Non-Clinical",
                    "Clinical / Non-Clinical",
                    "Clinical Indicator",
                ],
            ),
            Column::Ethnicity => (
                "Ethnic Origin",
                &["Ethnicity", "Ethnic Group", "Ethnic Category"],
            ),
            Column::Disability => ("Disability Flag", &["Disability", "Disabled"]),
            Column::Sex => ("Gender", &["Sex", "Legal Sex"]),
            Column::AgeBand => ("Age Band", &["Age Group", "Age Range"]),
            Column::StartDate => (
                "Date First Hired",
                &[
                    "Start Date",
                    "Hire Date",
                    "Date Started",
                    "Latest Start Date",
                ],
            ),
            Column::ContractedWte => ("Contracted WTE", &["WTE", "FTE", "Contracted FTE"]),
            Column::ContractedHours => ("Contracted Hours", &["Hours", "Weekly Hours"]),
            Column::DaysLost => (
                "FTE Days Lost",
                &["FTE Days Sick", "Days Lost", "Sickness FTE Days Lost"],
            ),
            Column::LeavingDate => (
                "Termination Date",
                &["Leaving Date", "Date Left", "Leaver Date"],
            ),
            Column::LeavingReason => (
                "Reason for Leaving",
                &["Leaving Reason", "Termination Reason"],
            ),
            Column::Appointed => (
                "Appointed",
                &["Appointed from Shortlisting", "Shortlisted and Appointed"],
            ),
            Column::Accessed => (
                "Accessed Training",
                &[
                    "Accessed",
                    "Accessed Non-Mandatory Training",
                    "Non-Mandatory Training",
                ],
            ),
            Column::Voting => ("Voting", &["Voting Member", "Voting Board Member"]),
            Column::Executive => ("Executive", &["Executive Member", "Executive Director"]),
            Column::Process => ("Formal Process", &["Process", "Case Type", "Procedure"]),
            Column::Email => (
                "Email Address",
                &[
                    "Work Email",
                    "Work Email Address",
                    "NHSmail Address",
                    "Email",
                ],
            ),
        }
    }

    /// Whether a (squashed) heading names this column.
    pub(super) fn is_headed(self, squashed: &str) -> bool {
        let (heading, also) = self.names();
        squash(heading) == squashed || also.iter().any(|a| squash(a) == squashed)
    }
}

/// One of the organisation's units, as the store knows it. A file names a unit by its code
/// or its name, ignoring case and spaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: i64,
    /// The unit's code (a cost centre, say), or "" if it has none.
    pub code: String,
    pub name: String,
}

/// A person in post (or who left) on the extract's date.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffRecord {
    /// The caller's keyed digest of the employee number; never the number.
    pub person: String,
    /// The id of the person's unit.
    pub unit: i64,
    pub staff_group: StaffGroup,
    pub pay_grade: PayGrade,
    pub clinical: Clinical,
    pub ethnicity: Ethnicity,
    pub disability: Disability,
    pub sex: Sex,
    pub age_band: AgeBand,
    pub started: Option<Day>,
    /// Whole-time equivalent: the "Contracted WTE" column, or "Contracted Hours" over a
    /// full-time week (37.5 hours under Agenda for Change, 40 for doctors and dentists).
    pub wte: Option<f64>,
    /// Full-time-equivalent days lost to sickness absence in the extract's period.
    pub days_lost: Option<f64>,
    pub leaving: Option<Leaving>,
}

/// When and why a person left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leaving {
    pub date: Day,
    pub reason: LeavingReason,
}

/// A shortlisted applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applicant {
    pub ethnicity: Ethnicity,
    pub disability: Disability,
    pub appointed: bool,
}

/// Whether a member of staff accessed non-mandatory training in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingRecord {
    /// The caller's keyed digest of the employee number.
    pub person: String,
    pub ethnicity: Ethnicity,
    pub accessed: bool,
}

/// A member of the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardMember {
    pub ethnicity: Ethnicity,
    pub disability: Disability,
    pub voting: bool,
    pub executive: bool,
}

/// A member of staff who entered a formal process in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormalEntry {
    pub ethnicity: Ethnicity,
    pub disability: Disability,
    pub process: FormalProcess,
}

/// The largest whole-time equivalent believed (a person may hold more than one post).
const MAX_WTE: f64 = 2.0;
const MAX_HOURS: f64 = 80.0;
/// A year of days: no period's absence is longer.
const MAX_DAYS_LOST: f64 = 366.0;
/// Oracle's "end of time", which ESR prints as the end date of an open assignment.
const ORACLE_END_OF_TIME: i64 = 4712;

/// Reads an employee number as it is digested: letters and digits only, leading zeros
/// dropped (Excel drops them when it opens a file, so "00123456" and "123456" are one
/// person across extracts), and Excel's "123456.0" read as 123456. Use this wherever an
/// employee number is digested, so that digests match. (An extract with only ESR's
/// assignment numbers, "12345678-2", gives the part before the dash.)
pub fn employee_number(raw: &str) -> Result<&str, &'static str> {
    let text = raw.trim();
    if text.contains(['E', 'e']) && text.contains('+') {
        return Err("Excel has turned it into a rounded number (like 1.2E+07): \
                    format the column as text and export it again");
    }
    let text = text.strip_suffix(".0").unwrap_or(text);
    if text.is_empty() {
        return Err("it is blank");
    }
    if !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
        // ESR's assignment numbers ("12345678-2") under an employee number heading.
        if let Some((number, assignment)) = text.split_once('-')
            && number.len() >= 5
            && number.bytes().all(|b| b.is_ascii_digit())
            && (1..=3).contains(&assignment.len())
            && assignment.bytes().all(|b| b.is_ascii_digit())
        {
            return Err("it looks like an assignment number: head the column \
                        \"Assignment Number\", or give the employee number alone");
        }
        return Err("it may hold only letters and digits");
    }
    if text.len() > 30 {
        return Err("it is longer than 30 characters");
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let trimmed = text.trim_start_matches('0');
        if trimmed.is_empty() {
            return Err("it is zero");
        }
        return Ok(trimmed);
    }
    Ok(text)
}

/// The column a person is read from: the employee number, or failing that the assignment
/// number.
fn person_column(has: impl Fn(Column) -> bool) -> Column {
    if has(Column::EmployeeNumber) {
        Column::EmployeeNumber
    } else {
        Column::AssignmentNumber
    }
}

/// Reads the row's person, digested.
fn person(row: &mut Row<'_>, digest: &dyn Fn(&str) -> String) -> Option<String> {
    let column = person_column(|c| row.has(c));
    let mut text = row.required(column)?;
    if column == Column::AssignmentNumber {
        text = text.split_once('-').map_or(text, |(employee, _)| employee);
    }
    match employee_number(text) {
        Ok(number) => Some(digest(number)),
        Err(why) => {
            row.fail(column, Problem::BadEmployeeNumber(why));
            None
        }
    }
}

/// Finds units by code or name, and offers the closest names for one it does not know.
struct Units<'u> {
    units: &'u [Unit],
    by_code: HashMap<String, i64>,
    /// `None` where two units share the name.
    by_name: HashMap<String, Option<i64>>,
    found: Memo<Result<i64, Problem>>,
}

/// A unit's code or name as it is matched: lower case, no spaces.
fn unit_key(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

impl<'u> Units<'u> {
    fn new(units: &'u [Unit]) -> Units<'u> {
        let mut by_code = HashMap::new();
        let mut by_name: HashMap<String, Option<i64>> = HashMap::new();
        for unit in units {
            if !unit.code.trim().is_empty() {
                by_code.insert(unit_key(&unit.code), unit.id);
            }
            by_name
                .entry(unit_key(&unit.name))
                .and_modify(|id| {
                    if *id != Some(unit.id) {
                        *id = None;
                    }
                })
                .or_insert(Some(unit.id));
        }
        Units {
            units,
            by_code,
            by_name,
            found: Memo::new(),
        }
    }

    fn find(&mut self, text: &str) -> Result<i64, Problem> {
        let Units {
            units,
            by_code,
            by_name,
            found,
        } = self;
        found.get(text, |text| {
            let key = unit_key(text);
            match (by_code.get(&key), by_name.get(&key)) {
                (Some(id), _) | (None, Some(Some(id))) => Ok(*id),
                (None, Some(None)) => Err(Problem::AmbiguousUnit(text.to_owned())),
                (None, None) => Err(Problem::UnknownUnit {
                    value: text.to_owned(),
                    closest: closest(units, &key),
                }),
            }
        })
    }
}

/// The three unit names nearest to `key` by edit distance.
fn closest(units: &[Unit], key: &str) -> Vec<String> {
    let mut scored: Vec<(usize, &str)> = units
        .iter()
        .map(|u| {
            (
                strsim::levenshtein(key, &unit_key(&u.name)),
                u.name.as_str(),
            )
        })
        .collect();
    scored.sort();
    scored.dedup_by_key(|(_, name)| *name);
    scored
        .into_iter()
        .take(3)
        .map(|(_, name)| name.to_owned())
        .collect()
}

/// Reads a staff-in-post extract (a leavers extract is the same, with a leaving date on
/// each row). `units` are the organisation's units; `person_digest` turns an employee
/// number into the keyed digest kept; `progress` is told how many bytes have been read, now and then.
pub fn parse_staff(
    bytes: &[u8],
    units: &[Unit],
    person_digest: &dyn Fn(&str) -> String,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<StaffRecord>, ExtractErrors> {
    let needs = [
        Need::Either(Column::EmployeeNumber, Column::AssignmentNumber),
        Need::Required(Column::Organisation),
        Need::Required(Column::StaffGroup),
        Need::Either(Column::PayBand, Column::Grade),
        Need::Optional(Column::Clinical),
        Need::Required(Column::Ethnicity),
        Need::Required(Column::Disability),
        Need::Optional(Column::Sex),
        Need::Optional(Column::AgeBand),
        Need::Optional(Column::StartDate),
        Need::Optional(Column::ContractedWte),
        Need::Optional(Column::ContractedHours),
        Need::Optional(Column::DaysLost),
        Need::Optional(Column::LeavingDate),
        Need::Optional(Column::LeavingReason),
    ];
    let mut units = Units::new(units);
    let (mut groups, mut grades, mut clinicals) = (Memo::new(), Memo::new(), Memo::new());
    let (mut ethnicities, mut disabilities, mut sexes, mut ages) =
        (Memo::new(), Memo::new(), Memo::new(), Memo::new());
    let mut sheet = read(bytes, &needs, progress, |row| {
        let person = person(row, person_digest);
        let unit = row
            .required(Column::Organisation)
            .and_then(|text| match units.find(text) {
                Ok(id) => Some(id),
                Err(problem) => {
                    row.fail(Column::Organisation, problem);
                    None
                }
            });
        let staff_group = row.required_code(Column::StaffGroup, &mut groups, StaffGroup::parse);
        // ESR gives Agenda for Change staff a pay band and everyone a grade; doctors have
        // only the grade. The band is read where there is one.
        let grade_column = if row.has(Column::PayBand)
            && (!row.text(Column::PayBand).is_empty() || !row.has(Column::Grade))
        {
            Column::PayBand
        } else {
            Column::Grade
        };
        let pay_grade = row.required_code(grade_column, &mut grades, PayGrade::parse);
        let clinical = match row.text(Column::Clinical) {
            "" => staff_group.map(StaffGroup::clinical),
            _ => row.code(Column::Clinical, &mut clinicals, Clinical::parse),
        };
        let ethnicity = row.code(Column::Ethnicity, &mut ethnicities, Ethnicity::parse);
        let disability = row.code(Column::Disability, &mut disabilities, Disability::parse);
        let sex = row.code(Column::Sex, &mut sexes, Sex::parse);
        let age_band = row.code(Column::AgeBand, &mut ages, AgeBand::parse);
        let started = row.date(Column::StartDate);
        let full_time = if pay_grade.is_some_and(PayGrade::is_medical) {
            40.0
        } else {
            37.5
        };
        let wte = match row.text(Column::ContractedWte) {
            "" => row
                .number(Column::ContractedHours, 0.0, MAX_HOURS)
                .map(|h| h / full_time),
            _ => row.number(Column::ContractedWte, 0.0, MAX_WTE),
        };
        let days_lost = row.number(Column::DaysLost, 0.0, MAX_DAYS_LOST);
        let leaving = leaving(row, started);
        if !row.ok() {
            return None;
        }
        Some(StaffRecord {
            person: person?,
            unit: unit?,
            staff_group: staff_group?,
            pay_grade: pay_grade?,
            clinical: clinical?,
            ethnicity: ethnicity?,
            disability: disability?,
            sex: sex?,
            age_band: age_band?,
            started,
            wte,
            days_lost,
            leaving,
        })
    })?;
    sheet.no_repeats(person_column(|c| sheet.has(c)), |r: &StaffRecord| &r.person);
    sheet.finish()
}

/// Someone an extract lists by the work address their Dignity account has, and the day
/// they leave, if they do: what ends their access to Dignity on that day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeavingAccount {
    /// The address as [`crate::identity::Email`] keeps it.
    pub email: String,
    /// `None`: staying (a leaving day an earlier extract gave is called off).
    pub leaves_on: Option<Day>,
}

/// Reads the addresses and leaving days of a staff-in-post or leavers extract that carries
/// an email address column, for ending leavers' access on the day they leave. Only that
/// column and the leaving date are read; the records of the extract itself never hold an
/// address. A file without the column gives no one. An address that is not one is a
/// mistake, like any other cell.
pub fn parse_leaving_accounts(
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<LeavingAccount>, ExtractErrors> {
    let needs = [
        Need::Optional(Column::Email),
        Need::Optional(Column::LeavingDate),
    ];
    // Every line gives a value (`None` for a line with no address), so a file with no
    // addresses is not mistaken for an empty one. Each value comes with the key that
    // finds an address given twice; a line without one gets a key of its own.
    let mut blank_lines = 0u64;
    let mut sheet = read(bytes, &needs, progress, |row| {
        let typed = row.text(Column::Email);
        let leaves_on = row
            .date(Column::LeavingDate)
            .filter(|d| d.ymd().0 != ORACLE_END_OF_TIME);
        if typed.is_empty() {
            blank_lines += 1;
            return Some((format!("\u{0}{blank_lines}"), None));
        }
        // Only a bare address: one in angle brackets, quoted or with a name would parse
        // but match no account, and the leaver would keep their access unnoticed.
        let bare = typed.is_ascii()
            && !typed
                .chars()
                .any(|c| c.is_ascii_whitespace() || "<>\"(),;:[]\\".contains(c));
        match crate::identity::Email::parse(typed) {
            Ok(email) if bare => {
                let email = email.as_str().to_owned();
                Some((email.clone(), Some(LeavingAccount { email, leaves_on })))
            }
            _ => {
                row.fail(Column::Email, Problem::NotAnEmail);
                None
            }
        }
    })?;
    // An address on two lines is a mistake: which line counts would be a guess.
    sheet.no_repeats(
        Column::Email,
        |(key, _): &(String, Option<LeavingAccount>)| key,
    );
    Ok(sheet
        .finish()?
        .into_iter()
        .filter_map(|(_, account)| account)
        .collect())
}

/// The leaving date and reason, checked against the start date. A reason without a date is
/// a mistake; a date without a reason is a leaver whose reason is Other. ESR's open end
/// date (31/12/4712) is no leaving date.
fn leaving(row: &mut Row<'_>, started: Option<Day>) -> Option<Leaving> {
    let date = row
        .date(Column::LeavingDate)
        .filter(|d| d.ymd().0 != ORACLE_END_OF_TIME);
    let reason = row.text(Column::LeavingReason);
    let Some(date) = date else {
        if !reason.is_empty() && row.text(Column::LeavingDate).is_empty() {
            row.fail(Column::LeavingReason, Problem::ReasonWithoutDate);
        }
        return None;
    };
    if let Some(started) = started.filter(|s| *s > date) {
        row.fail(
            Column::LeavingDate,
            Problem::LeftBeforeStarting {
                started,
                left: date,
            },
        );
    }
    Some(Leaving {
        date,
        reason: LeavingReason::parse(reason),
    })
}

/// Reads a recruitment extract: one row per shortlisted applicant. It needs no identifier.
pub fn parse_recruitment(
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<Applicant>, ExtractErrors> {
    let needs = [
        Need::Required(Column::Ethnicity),
        Need::Required(Column::Disability),
        Need::Required(Column::Appointed),
    ];
    let (mut ethnicities, mut disabilities, mut answers) = (Memo::new(), Memo::new(), Memo::new());
    let sheet = read(bytes, &needs, progress, |row| {
        let ethnicity = row.code(Column::Ethnicity, &mut ethnicities, Ethnicity::parse);
        let disability = row.code(Column::Disability, &mut disabilities, Disability::parse);
        let appointed = row.required_code(Column::Appointed, &mut answers, |t| {
            yes_no(
                t,
                &["appointed", "offered"],
                &["notappointed", "unsuccessful"],
            )
        });
        Some(Applicant {
            ethnicity: ethnicity?,
            disability: disability?,
            appointed: appointed?,
        })
    })?;
    sheet.finish()
}

/// Reads a non-mandatory training extract: one row per member of staff, saying whether they
/// accessed non-mandatory training or continuing professional development in the period.
pub fn parse_training(
    bytes: &[u8],
    person_digest: &dyn Fn(&str) -> String,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<TrainingRecord>, ExtractErrors> {
    let needs = [
        Need::Either(Column::EmployeeNumber, Column::AssignmentNumber),
        Need::Required(Column::Ethnicity),
        Need::Required(Column::Accessed),
    ];
    let (mut ethnicities, mut answers) = (Memo::new(), Memo::new());
    let mut sheet = read(bytes, &needs, progress, |row| {
        let person = person(row, person_digest);
        let ethnicity = row.code(Column::Ethnicity, &mut ethnicities, Ethnicity::parse);
        let accessed = row.required_code(Column::Accessed, &mut answers, |t| {
            yes_no(t, &["accessed"], &["notaccessed"])
        });
        Some(TrainingRecord {
            person: person?,
            ethnicity: ethnicity?,
            accessed: accessed?,
        })
    })?;
    sheet.no_repeats(person_column(|c| sheet.has(c)), |r: &TrainingRecord| {
        &r.person
    });
    sheet.finish()
}

/// Reads a board membership list: one row per member, voting or not, executive or not.
pub fn parse_board(
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<BoardMember>, ExtractErrors> {
    let needs = [
        Need::Required(Column::Ethnicity),
        Need::Required(Column::Disability),
        Need::Required(Column::Voting),
        Need::Required(Column::Executive),
    ];
    let (mut ethnicities, mut disabilities, mut votes, mut executives) =
        (Memo::new(), Memo::new(), Memo::new(), Memo::new());
    let sheet = read(bytes, &needs, progress, |row| {
        let ethnicity = row.code(Column::Ethnicity, &mut ethnicities, Ethnicity::parse);
        let disability = row.code(Column::Disability, &mut disabilities, Disability::parse);
        let voting = row.required_code(Column::Voting, &mut votes, |t| {
            yes_no(t, &["voting"], &["nonvoting"])
        });
        let executive = row.required_code(Column::Executive, &mut executives, |t| {
            yes_no(t, &["executive"], &["nonexecutive"])
        });
        Some(BoardMember {
            ethnicity: ethnicity?,
            disability: disability?,
            voting: voting?,
            executive: executive?,
        })
    })?;
    sheet.finish()
}

/// Reads a list of staff who entered a formal process in the period: one row per member of
/// staff and process entered, for WRES indicator 3 (disciplinary, by ethnicity) and WDES
/// metric 3 (capability on grounds of performance, by disability). It needs no identifier,
/// and reads none: only the counts are kept.
pub fn parse_formal(
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<FormalEntry>, ExtractErrors> {
    let needs = [
        Need::Required(Column::Ethnicity),
        Need::Required(Column::Disability),
        Need::Required(Column::Process),
    ];
    let (mut ethnicities, mut disabilities, mut processes) =
        (Memo::new(), Memo::new(), Memo::new());
    let sheet = read(bytes, &needs, progress, |row| {
        let ethnicity = row.code(Column::Ethnicity, &mut ethnicities, Ethnicity::parse);
        let disability = row.code(Column::Disability, &mut disabilities, Disability::parse);
        let process = row.required_code(Column::Process, &mut processes, FormalProcess::parse);
        Some(FormalEntry {
            ethnicity: ethnicity?,
            disability: disability?,
            process: process?,
        })
    })?;
    sheet.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workforce::sheet::{ExtractError, MAX_ERRORS};
    use sha2::{Digest, Sha256};
    use std::cell::RefCell;

    fn digest(number: &str) -> String {
        hex::encode(Sha256::digest(format!("test key:{number}").as_bytes()))
    }

    #[test]
    fn leavers_addresses_are_read_only_with_a_leaving_date_and_checked() -> Result<(), ()> {
        let text = "Employee Number,Email Address,Termination Date\n\
                    1001,Ann.Lee@nhs.net,30/11/2026\n\
                    1002,bo@nhs.net,\n\
                    1003,,30/11/2026\n\
                    1004,cy@nhs.net,31/12/4712\n";
        let read = parse_leaving_accounts(text.as_bytes(), &mut |_| {});
        let account = |email: &str, leaves_on| LeavingAccount {
            email: email.into(),
            leaves_on,
        };
        assert_eq!(
            read.ok(),
            Some(vec![
                account(
                    "ann.lee@nhs.net",
                    Some(Day::from_ymd(2026, 11, 30).ok_or(())?)
                ),
                account("bo@nhs.net", None),
                account("cy@nhs.net", None),
            ])
        );
        let without = "Employee Number,Termination Date\n1001,30/11/2026\n";
        assert_eq!(
            parse_leaving_accounts(without.as_bytes(), &mut |_| {}).ok(),
            Some(vec![])
        );
        let wrong = "Employee Number,Work Email,Termination Date\n1001,not an address,30/11/2026\n1002,zoë@nhs.net,30/11/2026\n1003,<cy@nhs.net>,30/11/2026\n1004,ann@nhs.net,\n1005,ANN@nhs.net,01/12/2026\n";
        let errors = parse_leaving_accounts(wrong.as_bytes(), &mut |_| {})
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            ["line 2", "line 3", "line 4", "line 6"]
                .iter()
                .all(|line| errors.contains(line)),
            "{errors}"
        );
        assert!(
            errors.contains("the same person is on line 5 too"),
            "{errors}"
        );
        assert!(errors.contains("not a plain email address"), "{errors}");
        assert!(
            !errors.contains("not an address"),
            "the cell is not repeated: {errors}"
        );
        Ok(())
    }

    fn units() -> Vec<Unit> {
        let unit = |id, code: &str, name: &str| Unit {
            id,
            code: code.to_owned(),
            name: name.to_owned(),
        };
        vec![
            unit(1, "W5", "Ward 5"),
            unit(2, "", "Pharmacy"),
            unit(3, "ED", "Emergency Department"),
            unit(4, "", "Ward 6"),
            unit(5, "", "Physiotherapy"),
            unit(6, "", "Estates"),
            unit(7, "", "Estates"),
        ]
    }

    const HEAD: &str = "Employee Number,Full Name,Organisation,Staff Group,Pay Band,Grade,Ethnic Origin,\
                        Disability Flag,Gender,Age Band,Date First Hired,Contracted WTE,FTE Days Lost\n";
    const GOOD: &str = "12345678,Jane Smith,Ward 5,Nursing and Midwifery Registered,Band 5,Nurse Band 5,\
                        A White - British,No,Female,26-30,01/04/2020,1,3.5\n";

    fn staff(text: &str) -> Result<Vec<StaffRecord>, ExtractErrors> {
        parse_staff(text.as_bytes(), &units(), &digest, &mut |_| {})
    }

    /// The errors of a file that must be refused.
    fn refused(text: &str) -> Vec<ExtractError> {
        staff(text).expect_err("the file should be refused").errors
    }

    /// The one error of a refused file, as a person reads it.
    fn one_error(text: &str) -> String {
        let errors = refused(text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors[0].to_string()
    }

    #[test]
    fn a_staff_extract_is_read_into_records() {
        let text = format!(
            "{HEAD}{GOOD}\
             00000042,Raj Patel,w5,Medical and Dental,,Consultant,H,Yes,Male,41-45,2019-09-01,,0\n\
             =\"00777\",A N Other,ED,Administrative and Clerical,\"3\",,Z Not Stated,,,,31-MAR-2021,\"0.6\",\n"
        );
        let records = staff(&text).unwrap();
        assert_eq!(records.len(), 3);
        let nurse = &records[0];
        assert_eq!(nurse.person, digest("12345678"));
        assert_eq!(nurse.unit, 1);
        assert_eq!(nurse.staff_group, StaffGroup::NursingMidwiferyRegistered);
        assert_eq!(nurse.pay_grade, PayGrade::Band5);
        assert_eq!(nurse.clinical, Clinical::Clinical);
        assert_eq!(nurse.ethnicity, Ethnicity::WhiteBritish);
        assert_eq!(nurse.disability, Disability::No);
        assert_eq!(nurse.sex, Sex::Female);
        assert_eq!(nurse.age_band, AgeBand::From26To30);
        assert_eq!(nurse.started, Day::from_ymd(2020, 4, 1));
        assert_eq!((nurse.wte, nurse.days_lost), (Some(1.0), Some(3.5)));
        assert_eq!(nurse.leaving, None);

        // A doctor has a grade and no band; leading zeros do not make another person.
        let doctor = &records[1];
        assert_eq!(doctor.person, digest("42"));
        assert_eq!((doctor.unit, doctor.pay_grade), (1, PayGrade::Consultant));
        assert_eq!(
            doctor.ethnicity.wres_group(),
            crate::workforce::WresGroup::BlackAndMinorityEthnic
        );

        // Excel's ="00777", a quoted band and WTE; blanks are not declared and not known.
        let clerk = &records[2];
        assert_eq!(clerk.person, digest("777"));
        assert_eq!(
            (clerk.pay_grade, clerk.clinical),
            (PayGrade::Band3, Clinical::NonClinical)
        );
        assert_eq!(
            (clerk.disability, clerk.sex, clerk.age_band),
            (Disability::NotDeclared, Sex::NotKnown, AgeBand::NotKnown)
        );
        assert_eq!((clerk.wte, clerk.days_lost), (Some(0.6), None));
        assert_eq!(clerk.started, Day::from_ymd(2021, 3, 31));
    }

    #[test]
    fn employee_numbers_and_names_never_reach_the_records() {
        let calls = RefCell::new(Vec::new());
        let person = |number: &str| {
            calls.borrow_mut().push(number.to_owned());
            digest(number)
        };
        let text = format!(
            "{HEAD}{GOOD}87654321,John Doe,Pharmacy,Add Prof Scientific and Technic,Band 6,,B,No,Male,31-35,,,\n"
        );
        let records = parse_staff(text.as_bytes(), &units(), &person, &mut |_| {}).unwrap();
        assert_eq!(*calls.borrow(), ["12345678", "87654321"]);
        let shown = format!("{records:?}");
        for secret in ["12345678", "87654321", "Jane", "Smith", "John", "Doe"] {
            assert!(!shown.contains(secret), "{secret} is in {shown}");
        }
        assert!(shown.contains(&digest("87654321")));

        // An error about a person names the line, never the number.
        let bad =
            format!("{HEAD}1.23457E+07,Jane Smith,Ward 5,Students,Band 3,,A,No,F,<=20 Years,,,\n");
        let message = one_error(&bad);
        assert!(
            message.starts_with(
                "line 2, column \"Employee Number\": this is not an employee number: Excel"
            ),
            "{message}"
        );
        let twice = format!("{HEAD}{GOOD}{GOOD}");
        assert!(
            !refused(&twice)
                .iter()
                .any(|e| e.to_string().contains("12345678"))
        );
    }

    #[test]
    fn an_assignment_number_stands_for_its_employee() {
        let text = "Assignment Number,Organisation,Staff Group,Grade,Ethnic Origin,Disability Flag\n\
                    12345678-2,Ward 6,Students,Band 3,A,No\n";
        let records = staff(text).unwrap();
        assert_eq!(records[0].person, digest("12345678"));
        assert_eq!(records[0].unit, 4);
        assert_eq!(employee_number(" 0012 "), Ok("12"));
        assert_eq!(employee_number("123456.0"), Ok("123456"));
        assert!(employee_number("12 34").is_err());
        assert!(employee_number("000").is_err());
        // An assignment number under the wrong heading says which heading it needs.
        assert!(employee_number("12345678-2").is_err_and(|why| why.contains("Assignment Number")));
        assert_eq!(
            employee_number("12-34-5"),
            Err("it may hold only letters and digits")
        );
    }

    #[test]
    fn the_same_person_twice_names_both_lines() {
        let other = GOOD.replace("12345678", "11111111");
        let twice = format!(
            "{HEAD}{GOOD}{other}{}",
            GOOD.replace("12345678", "012345678")
        );
        let errors = refused(&twice);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].to_string(),
            "line 4, column \"Employee Number\": the same person is on line 2 too: give one row per person"
        );
        assert_eq!(errors[0].problem, Problem::RepeatedPerson { first: 2 });
        // The column is named as the file heads it.
        let text = "Emp No,Ethnicity,Accessed Training\n7,A,Yes\n7,A,No\n";
        let errors = parse_training(text.as_bytes(), &digest, &mut |_| {})
            .unwrap_err()
            .errors;
        assert_eq!(
            errors[0].to_string(),
            "line 3, column \"Emp No\": the same person is on line 2 too: give one row per person"
        );
    }

    #[test]
    fn every_kind_of_cell_mistake_names_its_line_and_column() {
        let row = |column: usize, value: &str| {
            let mut cells: Vec<String> = GOOD.trim_end().split(',').map(str::to_owned).collect();
            cells[column] = value.to_owned();
            format!("{HEAD}{}\n", cells.join(","))
        };
        let cases = [
            (
                row(6, "Q"),
                "line 2, column \"Ethnic Origin\": \"Q\" is not an ethnicity code. Use one of: A, B, C,",
            ),
            (
                row(3, ""),
                "line 2, column \"Staff Group\": the cell is blank",
            ),
            (
                row(3, "Porters"),
                "line 2, column \"Staff Group\": \"Porters\" is not a staff group. Use one of: Add Prof",
            ),
            (
                row(4, "Band 8"),
                "line 2, column \"Pay Band\": \"Band 8\" is not a pay grade",
            ),
            (
                row(7, "Perhaps"),
                "line 2, column \"Disability Flag\": \"Perhaps\" is not a disability value. Use one of: Yes, No, Not declared",
            ),
            (
                row(9, "20-25"),
                "line 2, column \"Age Band\": \"20-25\" is not an age band",
            ),
            (row(8, "Q"), "line 2, column \"Gender\": \"Q\" is not a sex"),
            (
                row(11, "full time"),
                "line 2, column \"Contracted WTE\": \"full time\" is not a number",
            ),
            (
                row(11, "-1"),
                "line 2, column \"Contracted WTE\": -1 cannot be right: it must be from 0 to 2",
            ),
            (
                row(11, "NaN"),
                "line 2, column \"Contracted WTE\": \"NaN\" is not a number",
            ),
            (
                row(12, "400"),
                "line 2, column \"FTE Days Lost\": 400 cannot be right: it must be from 0 to 366",
            ),
            (
                row(10, "31/02/2020"),
                "line 2, column \"Date First Hired\": \"31/02/2020\" is not a date. Write dates like 31/03/2026, 2026-03-31 or 31-MAR-2026",
            ),
            (
                row(2, "Ward 55"),
                "line 2, column \"Organisation\": \"Ward 55\" is not one of the organisation's units. Closest: \"Ward 5\", \"Ward 6\"",
            ),
            (
                row(2, "Estates"),
                "line 2, column \"Organisation\": \"Estates\" is the name of more than one unit: give the unit's code instead",
            ),
            (
                row(0, ""),
                "line 2, column \"Employee Number\": the cell is blank",
            ),
            (
                row(0, "12-34"),
                "line 2, column \"Employee Number\": this is not an employee number: it may hold only letters and digits",
            ),
        ];
        for (text, want) in cases {
            let message = one_error(&text);
            assert!(
                message.starts_with(want),
                "{message}\n  should start with\n{want}"
            );
        }
    }

    #[test]
    fn unknown_units_offer_the_three_closest_names() {
        let text = format!("{HEAD}{}", GOOD.replace("Ward 5", "Pharmacie"));
        let errors = refused(&text);
        let Problem::UnknownUnit { value, closest } = &errors[0].problem else {
            panic!("{errors:?}");
        };
        assert_eq!(value, "Pharmacie");
        assert_eq!(closest.len(), 3);
        assert_eq!(closest[0], "Pharmacy");
        // A unit is found by its code or its name, ignoring case and spaces.
        for name in ["ward5", "WARD  5", "w5", " W 5 "] {
            let text = format!("{HEAD}{}", GOOD.replace("Ward 5", name));
            assert_eq!(staff(&text).unwrap()[0].unit, 1, "{name}");
        }
    }

    #[test]
    fn all_mistakes_are_listed_and_no_records_returned() {
        let mut text = HEAD.to_owned();
        text.push_str(GOOD);
        text.push_str(
            &GOOD
                .replace("12345678", "2")
                .replace("A White - British", "Q"),
        );
        text.push_str(&GOOD.replace("12345678", "3").replace(",1,3.5", ",-3,3.5"));
        text.push_str(
            &GOOD
                .replace("12345678", "4")
                .replace("Ward 5", "Nowhere")
                .replace("Female", "?"),
        );
        let errors = refused(&text);
        let places: Vec<(u64, Option<&str>)> = errors
            .iter()
            .map(|e| (e.line, e.column.as_deref()))
            .collect();
        assert_eq!(
            places,
            [
                (3, Some("Ethnic Origin")),
                (4, Some("Contracted WTE")),
                (5, Some("Organisation")),
                (5, Some("Gender")),
            ]
        );

        // Past the limit, mistakes are counted rather than listed.
        let mut many = HEAD.to_owned();
        for n in 1..=(MAX_ERRORS + 50) {
            many.push_str(
                &GOOD
                    .replace("12345678", &n.to_string())
                    .replace(",No,", ",Maybe,"),
            );
        }
        let all = staff(&many).unwrap_err();
        assert_eq!((all.errors.len(), all.more), (MAX_ERRORS, 50));
        assert!(all.to_string().ends_with("... and 50 more mistakes"));
    }

    #[test]
    fn the_heading_row_must_name_every_required_column() {
        let text = "Employee Number,Organisation,Ethnicity,Band\n1,Ward 5,A,Band 5\n";
        let errors = refused(text);
        let missing: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            missing,
            [
                "line 1, column \"Staff Group\": this column is missing (it may also be headed \"Staff Group Name\")",
                "line 1, column \"Disability Flag\": this column is missing (it may also be headed \"Disability\" or \"Disabled\")",
            ]
        );
        let neither = "Employee Number,Organisation,Staff Group,Ethnic Origin,Disability Flag\n";
        assert!(one_error(neither).starts_with(
            "line 1, column \"Pay Band\": this column is missing (it may also be headed \"Band\""
        ));
        let twice = format!("{}Ethnicity\n", HEAD.trim_end().to_owned() + ",");
        assert_eq!(
            one_error(&twice),
            "line 1, column \"Ethnicity\": this column and the column \"Ethnic Origin\" give the same thing: keep one"
        );
        // Headings are matched ignoring case, spaces and punctuation, in any order.
        let shuffled = "ETHNIC ORIGIN,disability flag,staff_group,pay-band,organisation,employee number\n\
                        A,No,Students,Band 2,Pharmacy,9\n";
        assert_eq!(staff(shuffled).unwrap()[0].unit, 2);
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_with_its_line() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(HEAD.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let errors = parse_staff(&utf16, &units(), &digest, &mut |_| {})
            .unwrap_err()
            .errors;
        assert_eq!(errors.len(), 1);
        assert_eq!(
            errors[0].to_string(),
            "line 1: The file is not UTF-8 text: save it as CSV UTF-8"
        );

        // A UTF-16 file without its byte-order mark is full of NUL bytes.
        let bare: Vec<u8> = HEAD.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let errors = parse_staff(&bare, &units(), &digest, &mut |_| {})
            .unwrap_err()
            .errors;
        assert_eq!(errors[0].problem, Problem::NotUtf8);

        // Excel's plain "CSV" writes Windows-1252: a pound sign is byte 0xA3.
        let mut cp1252 = format!("{HEAD}{GOOD}{GOOD}").into_bytes();
        cp1252.extend_from_slice(b"1,Caf\xE9,Ward 5\n");
        let errors = parse_staff(&cp1252, &units(), &digest, &mut |_| {})
            .unwrap_err()
            .errors;
        assert_eq!(
            errors[0].to_string(),
            "line 4: The file is not UTF-8 text: save it as CSV UTF-8"
        );
    }

    #[test]
    fn a_byte_order_mark_blank_lines_and_crlf_are_accepted() {
        let text = format!("\u{feff}{HEAD}{GOOD}\n,,,,,,,,,,,,\n\n").replace('\n', "\r\n");
        assert_eq!(staff(&text).unwrap().len(), 1);
        // A line of commas in the middle is skipped too, and line numbers still count it.
        let text = format!("{HEAD},,,\n{}", GOOD.replace("Female", "?"));
        assert_eq!(refused(&text)[0].line, 3);
        // With Windows line ends (as Excel saves), the first row is still line 2, and a
        // quoted cell holding a line break moves the next row's line on.
        let text = format!(
            "{HEAD}{}{}",
            GOOD.replace("Female", "?"),
            GOOD.replace("Female", "?")
        )
        .replace('\n', "\r\n");
        let lines: Vec<u64> = refused(&text).iter().map(|e| e.line).collect();
        assert_eq!(lines.first(), Some(&2), "{lines:?}");
        assert!(lines.contains(&3), "{lines:?}");
    }

    #[test]
    fn files_without_rows_or_with_shifted_cells_are_refused() {
        assert_eq!(
            one_error(""),
            "line 1: The file is empty: its first line should hold the column headings"
        );
        assert_eq!(
            one_error(HEAD),
            "line 2: the file has its headings but no rows"
        );
        let shifted = format!("{HEAD}{}", GOOD.replace("Jane Smith", "Smith, Jane"));
        assert_eq!(
            one_error(&shifted),
            "line 2: the line has 14 cells but the heading row has 13"
        );
        // Trailing empty cells are harmless.
        assert!(staff(&format!("{HEAD}{},,\n", GOOD.trim_end())).is_ok());
    }

    #[test]
    fn leavers_have_a_date_and_a_grouped_reason() {
        let head = "Employee Number,Organisation,Staff Group,Pay Band,Ethnic Origin,Disability Flag,\
                    Date First Hired,Termination Date,Reason for Leaving\n";
        let text = format!(
            "{head}1,Ward 5,Students,Band 3,A,No,01/01/2020,31/03/2026,Voluntary Resignation - Relocation\n\
             2,Ward 5,Students,Band 3,A,No,01/01/2020,30-JUN-2026,Retirement Age\n\
             3,Ward 5,Students,Band 3,A,No,01/01/2020,2026-07-01,\n\
             4,Ward 5,Students,Band 3,A,No,01/01/2020,31/12/4712,\n\
             5,Ward 5,Students,Band 3,A,No,01/01/2020,,\n"
        );
        let leaving: Vec<Option<Leaving>> = staff(&text)
            .unwrap()
            .into_iter()
            .map(|r| r.leaving)
            .collect();
        let left = |y, m, d, reason| {
            Some(Leaving {
                date: Day::from_ymd(y, m, d).unwrap(),
                reason,
            })
        };
        assert_eq!(
            leaving,
            [
                left(2026, 3, 31, LeavingReason::Resigned),
                left(2026, 6, 30, LeavingReason::Retired),
                left(2026, 7, 1, LeavingReason::Other),
                None,
                None,
            ]
        );
        let early = format!(
            "{head}1,Ward 5,Students,Band 3,A,No,01/01/2020,31/12/2019,Dismissal - Conduct\n"
        );
        assert_eq!(
            one_error(&early),
            "line 2, column \"Termination Date\": the leaving date (31 December 2019) is before the start date (1 January 2020)"
        );
        let no_date =
            format!("{head}1,Ward 5,Students,Band 3,A,No,01/01/2020,,Dismissal - Conduct\n");
        assert_eq!(
            one_error(&no_date),
            "line 2, column \"Reason for Leaving\": a reason for leaving is given but no leaving date"
        );
    }

    #[test]
    fn contracted_hours_become_whole_time_equivalents() {
        let head = "Employee Number,Organisation,Staff Group,Grade,Ethnic Origin,Disability Flag,Contracted Hours\n";
        let text = format!(
            "{head}1,Ward 5,Students,Band 3,A,No,18.75\n2,Ward 5,Medical and Dental,Specialty Doctor,A,No,40\n"
        );
        let wte: Vec<Option<f64>> = staff(&text).unwrap().iter().map(|r| r.wte).collect();
        assert_eq!(wte, [Some(0.5), Some(1.0)]);
        let absurd = format!("{head}1,Ward 5,Students,Band 3,A,No,168\n");
        assert!(one_error(&absurd).contains("168 cannot be right: it must be from 0 to 80"));
    }

    #[test]
    fn progress_is_reported_up_to_the_whole_file() {
        let mut text = HEAD.to_owned();
        for n in 1..=10_000 {
            text.push_str(&GOOD.replace("12345678", &n.to_string()));
        }
        let mut seen = Vec::new();
        let records =
            parse_staff(text.as_bytes(), &units(), &digest, &mut |b| seen.push(b)).unwrap();
        assert_eq!(records.len(), 10_000);
        assert!(seen.len() >= 3, "{seen:?}");
        assert!(seen.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(seen.last().copied(), Some(text.len() as u64));
    }

    #[test]
    fn a_recruitment_extract_is_read() {
        let text = "Ethnic Origin,Disability Flag,Appointed,Applicant Name\n\
                    A,No,Yes,Someone\n\
                    N Black or Black British - African,Yes,No,Someone Else\n\
                    ,,Appointed,\n";
        let applicants = parse_recruitment(text.as_bytes(), &mut |_| {}).unwrap();
        assert_eq!(
            applicants,
            [
                Applicant {
                    ethnicity: Ethnicity::WhiteBritish,
                    disability: Disability::No,
                    appointed: true
                },
                Applicant {
                    ethnicity: Ethnicity::BlackAfrican,
                    disability: Disability::Yes,
                    appointed: false
                },
                Applicant {
                    ethnicity: Ethnicity::NotKnown,
                    disability: Disability::NotDeclared,
                    appointed: true
                },
            ]
        );
        let bad = "Ethnic Origin,Disability Flag,Appointed\nA,No,\nA,No,Pending\n";
        let errors = parse_recruitment(bad.as_bytes(), &mut |_| {})
            .unwrap_err()
            .errors;
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "line 2, column \"Appointed\": the cell is blank",
                "line 3, column \"Appointed\": \"Pending\" is not yes or no. Use one of: Yes, No",
            ]
        );
    }

    #[test]
    fn a_training_extract_is_read_and_people_are_not_repeated() {
        let text = "Employee Number,Surname,Ethnicity,Accessed Training\n\
                    1001,Smith,A,Yes\n\
                    1002,Jones,H,No\n";
        let records = parse_training(text.as_bytes(), &digest, &mut |_| {}).unwrap();
        assert_eq!(
            records,
            [
                TrainingRecord {
                    person: digest("1001"),
                    ethnicity: Ethnicity::WhiteBritish,
                    accessed: true
                },
                TrainingRecord {
                    person: digest("1002"),
                    ethnicity: Ethnicity::AsianIndian,
                    accessed: false
                },
            ]
        );
        assert!(!format!("{records:?}").contains("1001"));
        let twice = "Employee Number,Ethnicity,Accessed Training\n1001,A,Yes\n1001,A,No\n";
        let errors = parse_training(twice.as_bytes(), &digest, &mut |_| {})
            .unwrap_err()
            .errors;
        assert_eq!(errors[0].problem, Problem::RepeatedPerson { first: 2 });
        assert_eq!(errors[0].line, 3);
    }

    #[test]
    fn a_board_list_is_read() {
        let text = "Ethnic Origin,Disability Flag,Voting,Executive,First Name\n\
                    A,No,Voting,Executive,Alex\n\
                    M,Yes,Non-voting,Non-Executive,Sam\n";
        let board = parse_board(text.as_bytes(), &mut |_| {}).unwrap();
        assert_eq!(
            board,
            [
                BoardMember {
                    ethnicity: Ethnicity::WhiteBritish,
                    disability: Disability::No,
                    voting: true,
                    executive: true
                },
                BoardMember {
                    ethnicity: Ethnicity::BlackCaribbean,
                    disability: Disability::Yes,
                    voting: false,
                    executive: false
                },
            ]
        );
        let missing = "Ethnic Origin,Disability Flag,Voting\nA,No,Yes\n";
        let errors = parse_board(missing.as_bytes(), &mut |_| {})
            .unwrap_err()
            .errors;
        assert_eq!(
            errors[0].to_string(),
            "line 1, column \"Executive\": this column is missing (it may also be headed \"Executive Member\" or \"Executive Director\")"
        );
    }

    fn formal(text: &str) -> Result<Vec<FormalEntry>, ExtractErrors> {
        parse_formal(text.as_bytes(), &mut |_| {})
    }

    fn formal_errors(text: &str) -> Vec<String> {
        formal(text)
            .expect_err("the file should be refused")
            .errors
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_formal_process_list_is_read() {
        let text = "Employee Number,Full Name,Ethnic Origin,Disability Flag,Formal Process\n\
                    1001,Someone,A,No,Disciplinary\n\
                    1002,Someone Else,N Black or Black British - African,Yes,Capability - Performance\n\
                    ,,,,Misconduct\n";
        let entry = |ethnicity, disability, process| FormalEntry {
            ethnicity,
            disability,
            process,
        };
        assert_eq!(
            formal(text).unwrap(),
            [
                entry(
                    Ethnicity::WhiteBritish,
                    Disability::No,
                    FormalProcess::Disciplinary
                ),
                entry(
                    Ethnicity::BlackAfrican,
                    Disability::Yes,
                    FormalProcess::Capability
                ),
                entry(
                    Ethnicity::NotKnown,
                    Disability::NotDeclared,
                    FormalProcess::Disciplinary
                ),
            ]
        );
    }

    #[test]
    fn a_formal_process_list_takes_other_headings() {
        for (ethnicity, disability, process) in [
            ("Ethnicity", "Disability", "Process"),
            ("Ethnic Group", "Disabled", "Case Type"),
            ("ethnic_category", "DISABILITY FLAG", "procedure"),
        ] {
            let text = format!(
                "{process},{ethnicity},{disability}\nConduct,H,No\nPerformance,Z,Not Declared\n"
            );
            let processes: Vec<FormalProcess> = formal(&text)
                .unwrap_or_else(|e| panic!("{text}: {e}"))
                .iter()
                .map(|e| e.process)
                .collect();
            assert_eq!(
                processes,
                [FormalProcess::Disciplinary, FormalProcess::Capability]
            );
        }
    }

    #[test]
    fn ill_health_capability_is_refused_with_its_reason() {
        let text = "Ethnic Origin,Disability Flag,Formal Process\n\
                    A,Yes,Capability - Ill Health\n\
                    A,No,Capability\n\
                    B,Yes,ill health\n";
        let errors = formal(text).unwrap_err().errors;
        assert_eq!(
            errors[0].problem,
            Problem::IllHealthCapability("Capability - Ill Health".into())
        );
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [
                "line 2, column \"Formal Process\": \"Capability - Ill Health\" is capability on grounds of ill health, which WDES metric 3 does not count: leave this row out of the file",
                "line 4, column \"Formal Process\": \"ill health\" is capability on grounds of ill health, which WDES metric 3 does not count: leave this row out of the file",
            ]
        );
    }

    #[test]
    fn an_unknown_or_blank_process_is_named_with_the_allowed_ones() {
        let text = "Ethnic Origin,Disability Flag,Case Type\nA,No,Grievance\nA,No,\nQ,No,Conduct\n";
        assert_eq!(
            formal_errors(text),
            [
                "line 2, column \"Case Type\": \"Grievance\" is not a formal process. Use one of: Disciplinary, Capability (performance)",
                "line 3, column \"Case Type\": the cell is blank",
                "line 4, column \"Ethnic Origin\": \"Q\" is not an ethnicity code. Use one of: A, B, C, D, E, F, G, H, J, K, L, M, N, P, R, S, Z, 99, or ESR's words such as \"A White - British\" or \"White: Irish\"",
            ]
        );
    }

    #[test]
    fn a_formal_process_list_needs_every_column() {
        assert_eq!(
            formal_errors("Ethnic Origin,Disability Flag\nA,No\n"),
            [
                "line 1, column \"Formal Process\": this column is missing (it may also be headed \"Process\" or \"Case Type\" or \"Procedure\")"
            ]
        );
        assert_eq!(
            formal_errors("Formal Process,Ethnic Origin\nConduct,A\n"),
            [
                "line 1, column \"Disability Flag\": this column is missing (it may also be headed \"Disability\" or \"Disabled\")"
            ]
        );
    }

    #[test]
    fn every_column_has_its_own_headings() {
        let all = [
            Column::EmployeeNumber,
            Column::AssignmentNumber,
            Column::Organisation,
            Column::StaffGroup,
            Column::PayBand,
            Column::Grade,
            Column::Clinical,
            Column::Ethnicity,
            Column::Disability,
            Column::Sex,
            Column::AgeBand,
            Column::StartDate,
            Column::ContractedWte,
            Column::ContractedHours,
            Column::DaysLost,
            Column::LeavingDate,
            Column::LeavingReason,
            Column::Appointed,
            Column::Accessed,
            Column::Voting,
            Column::Executive,
            Column::Process,
            Column::Email,
        ];
        assert_eq!(all.len(), Column::COUNT);
        let mut seen = std::collections::HashSet::new();
        for (i, column) in all.iter().enumerate() {
            assert_eq!(*column as usize, i);
            for heading in std::iter::once(column.heading()).chain(column.also().iter().copied()) {
                assert!(seen.insert(squash(heading)), "{heading} names two columns");
            }
        }
        for name in [
            "Full Name",
            "First Name",
            "Surname",
            "Last Name",
            "Forename",
        ] {
            assert!(all.iter().all(|c| !c.is_headed(&squash(name))), "{name}");
        }
    }

    /// `cargo test --release -p dignity-domain --lib workforce -- --ignored --nocapture`
    #[test]
    #[ignore = "a measurement: run in release"]
    fn rows_per_second() {
        let mut text = HEAD.to_owned();
        let rows = 500_000;
        let groups = [
            "Nursing and Midwifery Registered",
            "Administrative and Clerical",
            "Medical and Dental",
        ];
        for n in 1..=rows {
            let line = GOOD
                .replace("12345678", &n.to_string())
                .replace("Ward 5", if n % 2 == 0 { "Ward 5" } else { "Pharmacy" })
                .replace("Nursing and Midwifery Registered", groups[n % 3]);
            text.push_str(&line);
        }
        let started = std::time::Instant::now();
        let records = parse_staff(text.as_bytes(), &units(), &digest, &mut |_| {}).unwrap();
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(records.len(), rows);
        println!(
            "{rows} rows ({} MB) in {seconds:.3} s: {:.0} rows/s",
            text.len() / 1_000_000,
            rows as f64 / seconds
        );
        let started = std::time::Instant::now();
        let records = parse_staff(text.as_bytes(), &units(), &str::to_owned, &mut |_| {});
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(records.unwrap().len(), rows);
        println!(
            "without the SHA-256 digest: {:.0} rows/s",
            rows as f64 / seconds
        );
    }
}

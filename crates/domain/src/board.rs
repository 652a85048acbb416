//! Outcomes: published figures about each organisation (its care rating, sickness absence,
//! turnover, patient survey score and so on) that boards read beside its culture. They are
//! figures about organisations, not about people, so they are kept and shown as given.
//!
//! They arrive as a CSV file with one row per organisation, period and measure
//! (docs/board.md). The file is checked here: every mistake is named with its line and
//! column, and nothing is kept unless every line is right.

use crate::identity::OdsCode;
use crate::speakup::Day;
use crate::speakup_returns::Quarter;
use crate::survey::Direction;
use std::collections::HashMap;
use std::fmt;

code_list!(
    /// What an outcome measures.
    Measure, "measure", {
        CareRating => "care_rating", "Care Quality Commission overall rating";
        SicknessAbsence => "sickness_absence", "Sickness absence rate (%)";
        StaffTurnover => "staff_turnover", "Staff leaving rate (%)";
        VacancyRate => "vacancy_rate", "Vacancy rate (%)";
        AgencySpend => "agency_spend", "Agency staff share of pay bill (%)";
        PatientExperience => "patient_experience", "Patient survey overall score (0 to 10)";
        MortalityRatio => "mortality_ratio", "Summary hospital mortality ratio";
        NeverEvents => "never_events", "Never events";
        Complaints => "complaints", "Written complaints per 1,000 staff";
    }
);

/// The care regulator's four overall ratings, best last, kept as 1 to 4.
pub const RATINGS: [&str; 4] = ["Inadequate", "Requires improvement", "Good", "Outstanding"];

impl Measure {
    pub fn better(self) -> Direction {
        match self {
            Measure::CareRating | Measure::PatientExperience => Direction::HigherIsBetter,
            _ => Direction::LowerIsBetter,
        }
    }

    /// A share out of 100, which a file may write with a percent sign.
    pub fn is_percentage(self) -> bool {
        matches!(
            self,
            Measure::SicknessAbsence
                | Measure::StaffTurnover
                | Measure::VacancyRate
                | Measure::AgencySpend
        )
    }

    /// The smallest and largest values that can be right.
    fn range(self) -> (f64, f64) {
        match self {
            Measure::CareRating => (1.0, 4.0),
            Measure::SicknessAbsence
            | Measure::StaffTurnover
            | Measure::VacancyRate
            | Measure::AgencySpend => (0.0, 100.0),
            Measure::PatientExperience => (0.0, 10.0),
            Measure::MortalityRatio => (0.0, 5.0),
            Measure::NeverEvents => (0.0, 1_000.0),
            Measure::Complaints => (0.0, 10_000.0),
        }
    }

    /// A value as a page shows it.
    pub fn show(self, value: f64) -> String {
        match self {
            Measure::CareRating => rating_name(value).unwrap_or("Not rated").to_owned(),
            Measure::SicknessAbsence
            | Measure::StaffTurnover
            | Measure::VacancyRate
            | Measure::AgencySpend => format!("{value:.1}%"),
            Measure::PatientExperience => format!("{value:.1}"),
            Measure::MortalityRatio => format!("{value:.3}"),
            Measure::NeverEvents => format!("{value:.0}"),
            Measure::Complaints => format!("{value:.1}"),
        }
    }
}

/// The name of a rating kept as 1 to 4.
pub fn rating_name(value: f64) -> Option<&'static str> {
    let index = value.round() as i64 - 1;
    usize::try_from(index)
        .ok()
        .and_then(|i| RATINGS.get(i).copied())
}

/// A calendar year or one of its quarters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Year(i64),
    Quarter(Quarter),
}

impl Period {
    /// `2026` or `2026-Q3`.
    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        if text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) {
            let year = text.parse::<i64>().ok()?;
            return (2000..=2100).contains(&year).then_some(Period::Year(year));
        }
        Quarter::parse(&text.to_ascii_uppercase())
            .ok()
            .map(Period::Quarter)
    }

    pub fn year(self) -> i64 {
        match self {
            Period::Year(y) => y,
            Period::Quarter(q) => q.year,
        }
    }

    /// As a page says it: "2026" or "Jul to Sep 2026".
    pub fn label(self) -> String {
        match self {
            Period::Year(y) => y.to_string(),
            Period::Quarter(q) => q.short(),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Quarter(q) => write!(f, "{q}"),
        }
    }
}

/// One line of an outcomes file.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The line it came from (the heading row is line 1), so a later check can name it.
    pub line: u64,
    pub ods_code: OdsCode,
    pub period: Period,
    pub measure: Measure,
    pub value: f64,
    /// The day of the inspection a rating comes from.
    pub rated_on: Option<Day>,
}

/// One mistake in an outcomes file, with its line (the heading row is line 1) and the
/// column's heading.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeError {
    pub line: u64,
    pub column: Option<&'static str>,
    pub problem: Problem,
}

impl fmt::Display for OutcomeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(
                f,
                "line {}, column \"{column}\": {}",
                self.line, self.problem
            ),
            None => write!(f, "line {}: {}", self.line, self.problem),
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("The file is not UTF-8 text: save it as CSV UTF-8")]
    NotUtf8,
    #[error("The file is empty: its first line should hold the column headings")]
    Empty,
    #[error("the file has its headings but no rows")]
    NoRows,
    #[error("this column is missing")]
    MissingColumn,
    #[error("this heading is not one Dignity reads: the headings are {}", HEADINGS.join(", "))]
    UnknownColumn,
    #[error("this column is given twice")]
    RepeatedColumn,
    #[error("the line has {found} cells but the heading row has {expected}")]
    WrongCells { found: usize, expected: usize },
    #[error("the line could not be read as CSV: {0}")]
    Unreadable(String),
    #[error("\"{0}\" is not an ODS code: use 3 to 5 letters and numbers, like RJ1")]
    NotAnOdsCode(String),
    #[error("no organisation here has the ODS code {0}")]
    UnknownOrganisation(String),
    #[error("\"{0}\" is not a period: write a year such as 2026 or a quarter such as 2026-Q3")]
    NotAPeriod(String),
    #[error("\"{value}\" is not a measure Dignity keeps: use one of {allowed}")]
    UnknownMeasure { value: String, allowed: String },
    #[error("\"{0}\" is not a number")]
    NotANumber(String),
    #[error("\"{0}\" is not a whole number: never events are counted")]
    NotAWholeNumber(String),
    #[error("{value} cannot be right for this measure: it must be from {low} to {high}")]
    OutOfRange { value: String, low: f64, high: f64 },
    #[error("\"{0}\" is not a rating: use Outstanding, Good, Requires improvement or Inadequate")]
    NotARating(String),
    #[error("a care rating needs the day of the inspection it comes from, such as 2026-03-14")]
    RatingNeedsDay,
    #[error("only a care rating has an inspection day: leave this empty")]
    DayOnlyForRatings,
    #[error("\"{0}\" is not a day: write it as year-month-day, such as 2026-03-14")]
    NotADay(String),
    #[error("the inspection day is after the period the rating is given for")]
    RatedAfterPeriod,
    #[error("this organisation, period and measure are also on line {0}: keep one")]
    Repeated(u64),
}

/// Every mistake found, the first [`MAX_ERRORS`] of them listed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct OutcomeErrors {
    pub errors: Vec<OutcomeError>,
    /// Mistakes found beyond those listed.
    pub more: usize,
}

impl fmt::Display for OutcomeErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            writeln!(f, "{e}")?;
        }
        if self.more > 0 {
            writeln!(f, "and {} more mistakes", self.more)?;
        }
        Ok(())
    }
}

impl OutcomeErrors {
    fn one(line: u64, column: Option<&'static str>, problem: Problem) -> OutcomeErrors {
        OutcomeErrors {
            errors: vec![OutcomeError {
                line,
                column,
                problem,
            }],
            more: 0,
        }
    }

    fn push(&mut self, line: u64, column: Option<&'static str>, problem: Problem) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(OutcomeError {
                line,
                column,
                problem,
            });
        } else {
            self.more += 1;
        }
    }
}

/// At most this many mistakes are listed; the rest are counted.
pub const MAX_ERRORS: usize = 200;
/// At most this many lines in one file: every NHS organisation's every measure for ten
/// years of quarters is far fewer.
pub const MAX_LINES: u64 = 500_000;

const ODS: &str = "ODS code";
const PERIOD: &str = "Period";
const MEASURE: &str = "Measure";
const VALUE: &str = "Value";
const RATED_ON: &str = "Rated on";
/// The headings, in the order the documentation gives them.
pub const HEADINGS: [&str; 5] = [ODS, PERIOD, MEASURE, VALUE, RATED_ON];

/// A heading as written, matched without case, spaces or underscores.
fn heading(raw: &str) -> Option<&'static str> {
    let squashed: String = raw
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    match squashed.as_str() {
        "odscode" | "ods" | "organisationcode" | "orgcode" => Some(ODS),
        "period" => Some(PERIOD),
        "measure" => Some(MEASURE),
        "value" => Some(VALUE),
        "ratedon" | "inspectiondate" | "ratingdate" => Some(RATED_ON),
        _ => None,
    }
}

/// A number as a spreadsheet may write it: plain (`-1.5`), with thousands commas in
/// groups of three (`1,204.5`), and for a percentage one percent sign (`4.8%`). Anything
/// else is refused rather than guessed at: `5,6` could be a decimal comma.
fn number(text: &str, percentage: bool) -> Option<f64> {
    let text = text.trim();
    let text = match text.strip_suffix('%') {
        Some(rest) if percentage => rest.trim_end(),
        Some(_) => return None,
        None => text,
    };
    let body = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match body.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let whole_ok = if whole.contains(',') {
        let mut groups = whole.split(',');
        // A first group of "0" or "012" is no thousands: "0,001" may be a decimal comma.
        groups
            .next()
            .is_some_and(|g| digits(g) && g.len() <= 3 && !g.starts_with('0'))
            && groups.all(|g| digits(g) && g.len() == 3)
    } else {
        digits(whole)
    };
    if !whole_ok || fraction.is_some_and(|f| !digits(f)) {
        return None;
    }
    text.replace(',', "")
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
}

/// A cell's text as a message may repeat it: control characters (which could work a
/// terminal) replaced, and cut short.
fn shown(raw: &str) -> String {
    let mut out: String = raw
        .chars()
        .take(40)
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if raw.chars().count() > 40 {
        out.push('…');
    }
    out
}

fn rating(text: &str) -> Option<f64> {
    let wanted = text.trim().to_ascii_lowercase();
    RATINGS
        .iter()
        .position(|r| r.to_ascii_lowercase() == wanted)
        .map(|i| (i + 1) as f64)
}

/// Reads an outcomes file. Every line is checked; any mistake means none is returned.
pub fn parse_outcomes(bytes: &[u8]) -> Result<Vec<Outcome>, OutcomeErrors> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes
            .get(..e.valid_up_to())
            .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count() as u64);
        OutcomeErrors::one(line + 1, None, Problem::NotUtf8)
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(OutcomeErrors::one(1, None, Problem::Empty));
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut errors = OutcomeErrors {
        errors: Vec::new(),
        more: 0,
    };
    let headings = match records.next() {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            return Err(OutcomeErrors::one(
                1,
                None,
                Problem::Unreadable(e.to_string()),
            ));
        }
        None => return Err(OutcomeErrors::one(1, None, Problem::Empty)),
    };
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    for raw in headings.iter() {
        match heading(raw) {
            Some(h) if columns.contains(&Some(h)) => {
                errors.push(1, Some(h), Problem::RepeatedColumn)
            }
            Some(h) => columns.push(Some(h)),
            None if raw.trim().is_empty() => columns.push(None),
            None => {
                errors.push(1, None, Problem::UnknownColumn);
                columns.push(None);
            }
        }
    }
    for needed in [ODS, PERIOD, MEASURE, VALUE] {
        if !columns.contains(&Some(needed)) {
            errors.push(1, Some(needed), Problem::MissingColumn);
        }
    }
    if !errors.errors.is_empty() {
        return Err(errors);
    }
    let mut lines = crate::csv_lines::Lines::new(text);
    let mut line_of = |position: Option<&csv::Position>| lines.line_of(position);
    let mut outcomes = Vec::new();
    let mut first_line: HashMap<(String, Period, Measure), u64> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = line_of(e.position());
                errors.push(line, None, Problem::Unreadable(e.to_string()));
                continue;
            }
        };
        let line = line_of(record.position());
        if line > MAX_LINES {
            errors.push(
                line,
                None,
                Problem::Unreadable(format!(
                    "a file may have at most {MAX_LINES} lines: split it"
                )),
            );
            break;
        }
        // A spreadsheet's trailing blank lines, or a line of empty cells.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record.len() > columns.len()
            && record
                .iter()
                .skip(columns.len())
                .any(|c| !c.trim().is_empty())
        {
            errors.push(
                line,
                None,
                Problem::WrongCells {
                    found: record.len(),
                    expected: columns.len(),
                },
            );
            continue;
        }
        let cell = |name: &'static str| -> &str {
            columns
                .iter()
                .position(|c| *c == Some(name))
                .and_then(|i| record.get(i))
                .map_or("", str::trim)
        };
        let before = errors.errors.len() + errors.more;
        let ods = match OdsCode::parse(cell(ODS)) {
            Ok(o) => Some(o),
            Err(_) => {
                errors.push(line, Some(ODS), Problem::NotAnOdsCode(shown(cell(ODS))));
                None
            }
        };
        let period = Period::parse(cell(PERIOD));
        if period.is_none() {
            errors.push(line, Some(PERIOD), Problem::NotAPeriod(shown(cell(PERIOD))));
        }
        let measure = match cell(MEASURE).parse::<Measure>() {
            Ok(m) => Some(m),
            Err(_) => {
                errors.push(
                    line,
                    Some(MEASURE),
                    Problem::UnknownMeasure {
                        value: shown(cell(MEASURE)),
                        allowed: Measure::ALL
                            .iter()
                            .map(|m| m.code())
                            .collect::<Vec<_>>()
                            .join(", "),
                    },
                );
                None
            }
        };
        let raw_value = cell(VALUE);
        let value = match measure {
            Some(Measure::CareRating) => {
                let v = rating(raw_value);
                if v.is_none() {
                    errors.push(line, Some(VALUE), Problem::NotARating(shown(raw_value)));
                }
                v
            }
            Some(m) => match number(raw_value, m.is_percentage()) {
                None => {
                    errors.push(line, Some(VALUE), Problem::NotANumber(shown(raw_value)));
                    None
                }
                Some(v) if m == Measure::NeverEvents && v.fract() != 0.0 => {
                    errors.push(
                        line,
                        Some(VALUE),
                        Problem::NotAWholeNumber(shown(raw_value)),
                    );
                    None
                }
                Some(v) => {
                    let (low, high) = m.range();
                    if (low..=high).contains(&v) {
                        Some(v)
                    } else {
                        errors.push(
                            line,
                            Some(VALUE),
                            Problem::OutOfRange {
                                value: shown(raw_value),
                                low,
                                high,
                            },
                        );
                        None
                    }
                }
            },
            None => None,
        };
        let raw_day = cell(RATED_ON);
        let rated_on = if raw_day.is_empty() {
            if measure == Some(Measure::CareRating) {
                errors.push(line, Some(RATED_ON), Problem::RatingNeedsDay);
            }
            None
        } else if measure.is_some_and(|m| m != Measure::CareRating) {
            errors.push(line, Some(RATED_ON), Problem::DayOnlyForRatings);
            None
        } else {
            match Day::parse(raw_day) {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(line, Some(RATED_ON), Problem::NotADay(shown(raw_day)));
                    None
                }
            }
        };
        if let (Some(day), Some(p)) = (rated_on, period) {
            let after = match p {
                Period::Year(y) => day.ymd().0 > y,
                Period::Quarter(q) => Quarter::of(day) > q,
            };
            if after {
                errors.push(line, Some(RATED_ON), Problem::RatedAfterPeriod);
            }
        }
        if errors.errors.len() + errors.more > before {
            continue;
        }
        let (Some(ods_code), Some(period), Some(measure), Some(value)) =
            (ods, period, measure, value)
        else {
            continue;
        };
        let key = (ods_code.as_str().to_owned(), period, measure);
        if let Some(&first) = first_line.get(&key) {
            errors.push(line, None, Problem::Repeated(first));
            continue;
        }
        first_line.insert(key, line);
        outcomes.push(Outcome {
            line,
            ods_code,
            period,
            measure,
            value,
            rated_on,
        });
    }
    if !errors.errors.is_empty() {
        return Err(errors);
    }
    if outcomes.is_empty() {
        return Err(OutcomeErrors::one(2, None, Problem::NoRows));
    }
    Ok(outcomes)
}

/// A mistake found after reading, such as an organisation the installation does not have.
pub fn refuse(found: Vec<(u64, &'static str, Problem)>) -> OutcomeErrors {
    let mut errors = OutcomeErrors {
        errors: Vec::new(),
        more: 0,
    };
    for (line, column, problem) in found {
        errors.push(line, Some(column), problem);
    }
    errors
}

/// The heading of the organisation column, for [`refuse`].
pub const ODS_COLUMN: &str = ODS;

/// The quarter's first working day in England: the first of its days that is a weekday
/// and not a bank holiday. Only three bank holidays can fall at a quarter's start: New
/// Year's Day (or the Monday after it, when it falls at a weekend), Good Friday and Easter
/// Monday. The board pack's schedule issues the last quarter's pack on this day.
pub fn first_working_day(quarter: Quarter) -> Option<Day> {
    let month = (quarter.number - 1) * 3 + 1;
    let first = Day::from_ymd(quarter.year, month, 1)?;
    let easter = easter_sunday(quarter.year)?;
    let new_year = Day::from_ymd(quarter.year, 1, 1)?;
    // Saturday's New Year moves to Monday the 3rd, Sunday's to Monday the 2nd.
    let new_year_off = match new_year.weekday() {
        5 => new_year.plus_days(2),
        6 => new_year.plus_days(1),
        _ => new_year,
    };
    let holidays = [new_year_off, easter.plus_days(-2), easter.plus_days(1)];
    (0..10)
        .map(|n| first.plus_days(n))
        .find(|day| day.weekday() < 5 && !holidays.contains(day))
}

/// Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, also
/// called Meeus/Jones/Butcher).
fn easter_sunday(year: i64) -> Option<Day> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Day::from_ymd(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        parse_outcomes(text.as_bytes())
            .unwrap_err()
            .errors
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn reads_each_measure_with_spreadsheet_quirks() {
        let text = "\u{feff}ODS Code,period,MEASURE,Value,Rated on\r\n\
            RXA,2026,care_rating,Requires improvement,2025-11-03\r\n\
            RXA,2026-q2,Sickness absence,\"4.8%\",\r\n\
            RXA,2026,complaints,\"1,204.5\",\r\n\
            RXA,2026,mortality_ratio, 0.98 ,\r\n\
            \r\n,,,,\r\n\r\n";
        let read = parse_outcomes(text.as_bytes()).unwrap();
        assert_eq!(read.len(), 4);
        assert_eq!(read[0].measure, Measure::CareRating);
        assert_eq!(read[0].value, 2.0);
        assert_eq!(read[0].rated_on, Some(Day::parse("2025-11-03").unwrap()));
        assert_eq!(
            read[1].period,
            Period::Quarter(Quarter {
                year: 2026,
                number: 2
            })
        );
        assert_eq!(read[1].value, 4.8);
        assert_eq!(read[2].value, 1204.5);
        assert_eq!(read[3].value, 0.98);
        assert_eq!(read[3].line, 5);
    }

    #[test]
    fn names_every_mistake_by_line_and_column() {
        let text = "ODS code,Period,Measure,Value,Rated on\n\
            RXA,2026,care_rating,Fine,2025-01-01\n\
            RXA,26,sickness_absence,4,\n\
            RXA,2026,happiness,4,\n\
            RXA,2026,vacancy_rate,140,\n\
            RXA,2026,staff_turnover,ten,\n\
            RXA,2026,care_rating,Good,\n\
            RXA,2026,agency_spend,3,2026-01-01\n\
            R!,2026,agency_spend,3,\n\
            RXB,2025,care_rating,Good,2026-02-01\n\
            RXB,2025-Q1,never_events,1,\n\
            RXB,2025-Q1,never_events,2,\n\
            RXB,2025,never_events,2,,extra\n";
        let found = problems(text);
        let expected = [
            "line 2, column \"Value\": \"Fine\" is not a rating",
            "line 3, column \"Period\": \"26\" is not a period",
            "line 4, column \"Measure\": \"happiness\" is not a measure Dignity keeps: use one of care_rating,",
            "line 5, column \"Value\": 140 cannot be right for this measure: it must be from 0 to 100",
            "line 6, column \"Value\": \"ten\" is not a number",
            "line 7, column \"Rated on\": a care rating needs the day",
            "line 8, column \"Rated on\": only a care rating has an inspection day",
            "line 9, column \"ODS code\": \"R!\" is not an ODS code",
            "line 10, column \"Rated on\": the inspection day is after the period",
            "line 12: this organisation, period and measure are also on line 11",
            "line 13: the line has 6 cells but the heading row has 5",
        ];
        assert_eq!(found.len(), expected.len(), "{found:#?}");
        for (f, e) in found.iter().zip(expected) {
            assert!(f.starts_with(e), "{f} should start {e}");
        }
    }

    #[test]
    fn refuses_files_that_are_not_outcomes() {
        assert_eq!(
            parse_outcomes(&[0xff, 0xfe, 0x00]).unwrap_err().errors[0].problem,
            Problem::NotUtf8
        );
        let latin1 = b"ODS code,Period,Measure,Value\nRJ1,2026,never_events,1\nRJ1\xe9,2026,never_events,1\n";
        assert_eq!(parse_outcomes(latin1).unwrap_err().errors[0].line, 3);
        let found = problems("ODS code,Period,Measure,Value\nRJ1,2026,never_events,1.5\n");
        assert_eq!(
            found,
            vec![
                "line 2, column \"Value\": \"1.5\" is not a whole number: never events are counted"
            ]
        );
        assert_eq!(
            parse_outcomes(b"\n\n").unwrap_err().errors[0].problem,
            Problem::Empty
        );
        assert_eq!(
            parse_outcomes(b"ODS code,Period,Measure,Value\n")
                .unwrap_err()
                .errors[0]
                .problem,
            Problem::NoRows
        );
        let found =
            problems("Organisation,Period,Measure,Value,Value\nRXA,2026,never_events,1,1\n");
        assert_eq!(found.len(), 3, "{found:#?}");
        assert!(found[0].starts_with("line 1: this heading is not one Dignity reads"));
        assert!(found[1].starts_with("line 1, column \"Value\": this column is given twice"));
        assert!(found[2].starts_with("line 1, column \"ODS code\": this column is missing"));
    }

    #[test]
    fn periods_and_ratings_read_both_ways() {
        assert_eq!(Period::parse("2026"), Some(Period::Year(2026)));
        assert_eq!(
            Period::parse("2026-q4").map(|p| p.to_string()),
            Some("2026-Q4".into())
        );
        assert_eq!(Period::parse("1999"), None);
        assert_eq!(Period::parse("2026-Q5"), None);
        assert_eq!(Period::parse("twenty"), None);
        for (i, name) in RATINGS.iter().enumerate() {
            let value = rating(name).unwrap();
            assert_eq!(value, (i + 1) as f64);
            assert_eq!(rating_name(value), Some(*name));
            assert_eq!(Measure::CareRating.show(value), *name);
        }
        assert_eq!(rating_name(0.0), None);
        for refused in [
            "0,001", "01,000", "-", "1e5", "5,6", "1,0", "1 2", " 0 0 7 ", "1.5%%", "1,2345",
            ",123", "1.", ".5", "--1", "NaN", "inf",
        ] {
            assert_eq!(number(refused, true), None, "{refused}");
        }
        assert_eq!(number("12 %", true), Some(12.0));
        assert_eq!(number("12%", false), None);
        assert_eq!(number("1,234,567.25", false), Some(1_234_567.25));
        assert_eq!(number("-0.5", false), Some(-0.5));
        assert_eq!(number(" 007 ", false), Some(7.0));
        assert_eq!(shown("\u{1b}[31mRED"), "\u{fffd}[31mRED");
        assert!(shown(&"x".repeat(100)).ends_with('…'));
    }
    #[test]
    fn easter_falls_on_the_published_days() {
        for (year, month, day) in [(2024, 3, 31), (2026, 4, 5), (2029, 4, 1), (2038, 4, 25)] {
            assert_eq!(
                easter_sunday(year),
                Day::from_ymd(year, month, day),
                "{year}"
            );
        }
    }

    #[test]
    fn a_quarter_starts_on_its_first_day_that_is_neither_weekend_nor_bank_holiday() {
        let first = |year, number, expected: (i64, i64, i64)| {
            assert_eq!(
                first_working_day(Quarter { year, number }),
                Day::from_ymd(expected.0, expected.1, expected.2),
                "{year} Q{number}"
            );
        };
        // A Thursday.
        first(2026, 4, (2026, 10, 1));
        // Saturday 1 January 2022: its holiday is Monday the 3rd, so Tuesday.
        first(2022, 1, (2022, 1, 4));
        // Sunday 1 January 2023: its holiday is Monday the 2nd, so Tuesday.
        first(2023, 1, (2023, 1, 3));
        // Easter Monday was 1 April 2024.
        first(2024, 2, (2024, 4, 2));
        // Sunday 1 April 2029 is Easter Day and the 2nd Easter Monday.
        first(2029, 2, (2029, 4, 3));
        // Good Friday was 2 April 2021, Easter Monday the 5th: Thursday the 1st stands.
        first(2021, 2, (2021, 4, 1));
        // Saturday 1 July 2028, so Monday the 3rd.
        first(2028, 3, (2028, 7, 3));
    }
}

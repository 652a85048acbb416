//! Reading one CSV file of an extract: the text checks, the heading row, the cells, and
//! the list of every mistake with its line and column. The extracts
//! ([`super::extract`]) say which columns they need and what a row becomes.

use super::codes::{NotAFormalProcess, UnknownCode, ill_health, squash};
use super::extract::Column;
use crate::speakup::Day;
use std::collections::HashMap;
use std::fmt;

/// At most this many mistakes are listed; the rest are counted.
pub const MAX_ERRORS: usize = 200;
/// Progress is reported after this many rows.
const PROGRESS_EVERY: u64 = 4096;
/// A column with more different values than this is not memoised any further.
const MEMO_LIMIT: usize = 10_000;

/// One mistake in an extract. `line` counts from 1 as a text editor or spreadsheet shows it
/// (the heading row is line 1); `column` is the column's heading as the file spells it,
/// or the expected heading when the column is missing.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractError {
    pub line: u64,
    pub column: Option<String>,
    pub problem: Problem,
}

impl fmt::Display for ExtractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(column) => write!(
                f,
                "line {}, column \"{column}\": {}",
                self.line, self.problem
            ),
            None => write!(f, "line {}: {}", self.line, self.problem),
        }
    }
}

impl std::error::Error for ExtractError {}

/// What is wrong. No message repeats an employee number: they never leave the parser.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("The file is not UTF-8 text: save it as CSV UTF-8")]
    NotUtf8,
    #[error("The file is empty: its first line should hold the column headings")]
    Empty,
    #[error("the file has its headings but no rows")]
    NoRows,
    #[error("this column is missing{}", also_headed(.also))]
    MissingColumn { also: Vec<&'static str> },
    #[error("this column and the column \"{other}\" give the same thing: keep one")]
    RepeatedColumn { other: String },
    #[error("the line has {found} cells but the heading row has {expected}")]
    TooManyCells { found: usize, expected: usize },
    #[error("the line could not be read as CSV: {0}")]
    Unreadable(String),
    #[error(transparent)]
    Code(#[from] UnknownCode),
    #[error("the cell is blank")]
    Blank,
    #[error("\"{0}\" is not a number")]
    NotANumber(String),
    #[error("{value} cannot be right: it must be from {min} to {max}")]
    OutOfRange { value: f64, min: f64, max: f64 },
    #[error("\"{0}\" is not a date. Write dates like 31/03/2026, 2026-03-31 or 31-MAR-2026")]
    NotADate(String),
    #[error("\"{value}\" is not one of the organisation's units{}", closest_names(.closest))]
    UnknownUnit { value: String, closest: Vec<String> },
    #[error("\"{0}\" is the name of more than one unit: give the unit's code instead")]
    AmbiguousUnit(String),
    #[error("this is not an employee number: {0}")]
    BadEmployeeNumber(&'static str),
    #[error("the same person is on line {first} too: give one row per person")]
    RepeatedPerson { first: u64 },
    #[error("the leaving date ({}) is before the start date ({})", .left.long(), .started.long())]
    LeftBeforeStarting { started: Day, left: Day },
    #[error("a reason for leaving is given but no leaving date")]
    ReasonWithoutDate,
    #[error("this is not a plain email address, such as ann.lee@nhs.net")]
    NotAnEmail,
    /// Capability on grounds of ill health, which WDES metric 3 does not count.
    #[error("{}", ill_health(.0))]
    IllHealthCapability(String),
}

impl From<NotAFormalProcess> for Problem {
    fn from(not: NotAFormalProcess) -> Problem {
        match not {
            NotAFormalProcess::Unknown(unknown) => Problem::Code(unknown),
            NotAFormalProcess::IllHealth(value) => Problem::IllHealthCapability(value),
        }
    }
}

fn also_headed(also: &[&str]) -> String {
    if also.is_empty() {
        return String::new();
    }
    let names: Vec<String> = also.iter().map(|a| format!("\"{a}\"")).collect();
    format!(" (it may also be headed {})", names.join(" or "))
}

fn closest_names(names: &[String]) -> String {
    if names.is_empty() {
        return String::new();
    }
    let names: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    format!(". Closest: {}", names.join(", "))
}

/// Every mistake found in a file (the first [`MAX_ERRORS`]) and how many more there were.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractErrors {
    pub errors: Vec<ExtractError>,
    pub more: usize,
}

impl fmt::Display for ExtractErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        if self.more > 0 {
            write!(f, "\n... and {} more mistakes", self.more)?;
        }
        Ok(())
    }
}

impl std::error::Error for ExtractErrors {}

/// The mistakes found so far.
#[derive(Debug, Default)]
pub(super) struct Errors {
    list: Vec<ExtractError>,
    more: usize,
}

impl Errors {
    pub(super) fn push(&mut self, line: u64, column: Option<&str>, problem: Problem) {
        if self.list.len() < MAX_ERRORS {
            self.list.push(ExtractError {
                line,
                column: column.map(str::to_owned),
                problem,
            });
        } else {
            self.more += 1;
        }
    }

    fn into_result(mut self) -> ExtractErrors {
        // Problems found after the rows (people repeated) go in their place, in line order.
        self.list.sort_by_key(|e| e.line);
        ExtractErrors {
            errors: self.list,
            more: self.more,
        }
    }
}

/// A value read from a file, with the line it came from.
#[derive(Debug)]
struct Lined<T> {
    value: T,
    line: u64,
}

/// A file read: the values of its right rows, and the mistakes in the others.
#[derive(Debug)]
pub(super) struct Sheet<T> {
    rows: Vec<Lined<T>>,
    errors: Errors,
    layout: Layout,
}

impl<T> Sheet<T> {
    pub(super) fn has(&self, column: Column) -> bool {
        self.layout.has(column)
    }

    /// Reports rows keyed alike (the same person twice) in `column`: each later row names
    /// the line of the first.
    pub(super) fn no_repeats(&mut self, column: Column, key: impl Fn(&T) -> &str) {
        let heading = self.layout.heading(column);
        let mut first: HashMap<&str, u64> = HashMap::with_capacity(self.rows.len());
        for row in &self.rows {
            let line = *first.entry(key(&row.value)).or_insert(row.line);
            if line != row.line {
                let problem = Problem::RepeatedPerson { first: line };
                self.errors.push(row.line, Some(heading), problem);
            }
        }
    }

    /// The values, if no line had a mistake; otherwise every mistake and no values.
    pub(super) fn finish(self) -> Result<Vec<T>, ExtractErrors> {
        let errors = self.errors;
        if errors.list.is_empty() && errors.more == 0 {
            Ok(self.rows.into_iter().map(|r| r.value).collect())
        } else {
            Err(errors.into_result())
        }
    }
}

/// How an extract needs a column.
#[derive(Debug, Clone, Copy)]
pub(super) enum Need {
    Required(Column),
    Optional(Column),
    /// One of the two, or both (the first is preferred where both are given).
    Either(Column, Column),
}

/// Where each column is in the file.
#[derive(Debug)]
pub(super) struct Layout {
    at: [Option<usize>; Column::COUNT],
    headings: Vec<String>,
}

impl Layout {
    fn new(headings: &csv::StringRecord, line: u64, needs: &[Need]) -> Result<Layout, Errors> {
        let mut layout = Layout {
            at: [None; Column::COUNT],
            headings: headings.iter().map(|h| clean(h).to_owned()).collect(),
        };
        let mut errors = Errors::default();
        let wanted: Vec<Column> = needs
            .iter()
            .flat_map(|need| match *need {
                Need::Required(c) | Need::Optional(c) => [Some(c), None],
                Need::Either(a, b) => [Some(a), Some(b)],
            })
            .flatten()
            .collect();
        for (index, heading) in layout.headings.iter().enumerate() {
            let squashed = squash(heading);
            let Some(column) = wanted.iter().find(|c| c.is_headed(&squashed)) else {
                // Not a column this extract reads (names, dates of birth, ...): never read.
                continue;
            };
            let Some(slot) = layout.at.get_mut(*column as usize) else {
                continue;
            };
            match *slot {
                Some(earlier) => errors.push(
                    line,
                    Some(heading),
                    Problem::RepeatedColumn {
                        other: layout.headings.get(earlier).cloned().unwrap_or_default(),
                    },
                ),
                None => *slot = Some(index),
            }
        }
        for need in needs {
            let missing = match *need {
                Need::Required(c) if !layout.has(c) => Some((c, None)),
                Need::Either(a, b) if !layout.has(a) && !layout.has(b) => Some((a, Some(b))),
                _ => None,
            };
            if let Some((column, or)) = missing {
                let mut also = column.also().to_vec();
                if let Some(or) = or {
                    also.push(or.heading());
                    also.extend(or.also());
                }
                errors.push(
                    line,
                    Some(column.heading()),
                    Problem::MissingColumn { also },
                );
            }
        }
        if errors.list.is_empty() {
            Ok(layout)
        } else {
            Err(errors)
        }
    }

    /// Where the column is, if the file has it.
    fn index(&self, column: Column) -> Option<usize> {
        self.at.get(column as usize).copied().flatten()
    }

    pub(super) fn has(&self, column: Column) -> bool {
        self.index(column).is_some()
    }

    fn heading(&self, column: Column) -> &str {
        self.index(column)
            .and_then(|i| self.headings.get(i))
            .map_or(column.heading(), String::as_str)
    }
}

/// Memoised reading of one column: an extract of a million rows has a few dozen different
/// codes or units in a column, so each is read once.
pub(super) struct Memo<V> {
    seen: HashMap<Box<str>, V>,
}

impl<V: Clone> Memo<V> {
    pub(super) fn new() -> Memo<V> {
        Memo {
            seen: HashMap::new(),
        }
    }

    pub(super) fn get(&mut self, text: &str, read: impl FnOnce(&str) -> V) -> V {
        if let Some(known) = self.seen.get(text) {
            return known.clone();
        }
        let value = read(text);
        if self.seen.len() < MEMO_LIMIT {
            self.seen.insert(text.into(), value.clone());
        }
        value
    }
}

/// One row being read: its cells by column, and the mistakes found in it.
pub(super) struct Row<'r> {
    pub line: u64,
    record: &'r csv::StringRecord,
    layout: &'r Layout,
    errors: &'r mut Errors,
    ok: bool,
}

impl<'r> Row<'r> {
    pub(super) fn has(&self, column: Column) -> bool {
        self.layout.has(column)
    }

    /// The cell, trimmed, with Excel's `="..."` unwrapped; "" when the column is absent.
    pub(super) fn text(&self, column: Column) -> &'r str {
        self.layout
            .index(column)
            .and_then(|i| self.record.get(i))
            .map_or("", clean)
    }

    /// Whether every cell read so far was right.
    pub(super) fn ok(&self) -> bool {
        self.ok
    }

    pub(super) fn fail(&mut self, column: Column, problem: Problem) {
        self.ok = false;
        let heading = self.layout.heading(column);
        self.errors.push(self.line, Some(heading), problem);
    }

    /// The cell, which must not be blank.
    pub(super) fn required(&mut self, column: Column) -> Option<&'r str> {
        let text = self.text(column);
        if text.is_empty() {
            self.fail(column, Problem::Blank);
            return None;
        }
        Some(text)
    }

    /// A code; `parse` decides what a blank cell (or an absent column) means. Its error is
    /// usually an [`UnknownCode`].
    pub(super) fn code<T: Copy, E: Clone + Into<Problem>>(
        &mut self,
        column: Column,
        memo: &mut Memo<Result<T, E>>,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        let text = self.text(column);
        match memo.get(text, parse) {
            Ok(value) => Some(value),
            Err(wrong) => {
                self.fail(column, wrong.into());
                None
            }
        }
    }

    /// A code that must be given.
    pub(super) fn required_code<T: Copy, E: Clone + Into<Problem>>(
        &mut self,
        column: Column,
        memo: &mut Memo<Result<T, E>>,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        self.required(column)?;
        self.code(column, memo, parse)
    }

    /// A number from `min` to `max`, or `None` if the cell is blank (or wrong).
    pub(super) fn number(&mut self, column: Column, min: f64, max: f64) -> Option<f64> {
        let text = self.text(column);
        if text.is_empty() {
            return None;
        }
        match text.parse::<f64>() {
            Ok(value) if !value.is_finite() => {
                self.fail(column, Problem::NotANumber(text.to_owned()));
                None
            }
            Ok(value) if value < min || value > max => {
                self.fail(column, Problem::OutOfRange { value, min, max });
                None
            }
            Ok(value) => Some(value),
            Err(_) => {
                self.fail(column, Problem::NotANumber(text.to_owned()));
                None
            }
        }
    }

    /// A date, or `None` if the cell is blank (or wrong).
    pub(super) fn date(&mut self, column: Column) -> Option<Day> {
        let text = self.text(column);
        if text.is_empty() {
            return None;
        }
        let day = parse_day(text);
        if day.is_none() {
            self.fail(column, Problem::NotADate(text.to_owned()));
        }
        day
    }
}

/// A cell as a person meant it: spaces around it dropped, and Excel's `="00123"` (written
/// to keep leading zeros) unwrapped.
fn clean(cell: &str) -> &str {
    let cell = cell.trim().trim_start_matches('\u{feff}');
    match cell.strip_prefix("=\"").and_then(|c| c.strip_suffix('"')) {
        Some(inner) => inner.trim(),
        None => cell,
    }
}

/// Reads a date written 31/03/2026 (UK order: never month first), 2026-03-31 or ESR's
/// 31-MAR-2026 (also 31 Mar 2026 or 31-March-2026). A time of day after it (Excel's
/// "31/03/2026 00:00") is ignored. Two-digit years are refused: "26" could be 1926.
pub(crate) fn parse_day(text: &str) -> Option<Day> {
    let is_time = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
    };
    let mut words = text.split_whitespace();
    let first = words.next()?;
    let rest: Vec<&str> = words.collect();
    match rest.as_slice() {
        [] => {}
        [time] if is_time(time) => {}
        [month, year] => return with_month_name(first, month, year),
        [month, year, time] if is_time(time) => return with_month_name(first, month, year),
        _ => return None,
    }
    // 2026-03-31T00:00:00
    let date = match first.split_once('T') {
        Some((date, time)) if is_time(time) => date,
        _ => first,
    };
    let parts: Vec<&str> = date.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if a.len() == 4 {
        return Day::from_ymd(digits(a)?, digits(b)?, digits(c)?);
    }
    if c.len() != 4 {
        return None;
    }
    let month = digits(b).or_else(|| crate::speakup::month_named(b))?;
    Day::from_ymd(digits(c)?, month, digits(a)?)
}

/// "31 March 2026": the day, the month's name, the year.
fn with_month_name(day: &str, month: &str, year: &str) -> Option<Day> {
    if year.len() != 4 {
        return None;
    }
    Day::from_ymd(
        digits(year)?,
        crate::speakup::month_named(month)?,
        digits(day)?,
    )
}

/// One to four digits.
fn digits(part: &str) -> Option<i64> {
    if part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// The text of the file, or why it is not text: a UTF-16 file (Excel's "Unicode text"),
/// a file in a Windows code page (Excel's plain "CSV"), or anything with NUL bytes.
/// A UTF-8 byte-order mark is dropped. Returns the text and how many bytes came before it.
fn text_of(bytes: &[u8]) -> Result<(&str, u64), ExtractError> {
    let not_text = |at: usize| ExtractError {
        line: 1 + bytes
            .get(..at)
            .map_or(0, |b| b.iter().filter(|c| **c == b'\n').count()) as u64,
        column: None,
        problem: Problem::NotUtf8,
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(not_text(0));
    }
    let (body, skipped) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(body) => (body, 3),
        None => (bytes, 0),
    };
    let text = std::str::from_utf8(body).map_err(|e| not_text(e.valid_up_to() + skipped))?;
    if let Some(at) = body.iter().position(|b| *b == 0) {
        return Err(not_text(at + skipped));
    }
    Ok((text, skipped as u64))
}

/// Reads the file: checks it is text, finds the columns in its heading row, and hands each
/// row that is not blank to `each`, which returns a value when the row is right. Blank rows
/// (Excel leaves some at the end, often as a line of commas) are skipped. Mistakes in the
/// text or the headings stop the reading at once; mistakes in rows are all collected.
pub(super) fn read<T>(
    bytes: &[u8],
    needs: &[Need],
    progress: &mut dyn FnMut(u64),
    mut each: impl FnMut(&mut Row<'_>) -> Option<T>,
) -> Result<Sheet<T>, ExtractErrors> {
    let stop = |errors: Errors| Err(errors.into_result());
    let (text, skipped) = match text_of(bytes) {
        Ok(text) => text,
        Err(error) => {
            return Err(ExtractErrors {
                errors: vec![error],
                more: 0,
            });
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut errors = Errors::default();
    let mut lines = crate::csv_lines::Lines::new(text);
    let mut line_of = |record: &csv::StringRecord| lines.line_of(record.position());

    // The heading row is the first line that is not blank.
    let layout = loop {
        match reader.read_record(&mut record) {
            Ok(true) if record.iter().all(|c| clean(c).is_empty()) => continue,
            Ok(true) => match Layout::new(&record, line_of(&record), needs) {
                Ok(layout) => break layout,
                Err(errors) => return stop(errors),
            },
            Ok(false) => {
                errors.push(1, None, Problem::Empty);
                return stop(errors);
            }
            Err(error) => {
                errors.push(1, None, Problem::Unreadable(error.to_string()));
                return stop(errors);
            }
        }
    };
    let width = layout.headings.len();

    let mut rows = Vec::new();
    let mut seen: u64 = 0;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                errors.push(line, None, Problem::Unreadable(error.to_string()));
                break;
            }
        }
        seen += 1;
        if seen.is_multiple_of(PROGRESS_EVERY) {
            progress(skipped + reader.position().byte());
        }
        if record.iter().all(|c| clean(c).is_empty()) {
            continue;
        }
        let line = line_of(&record);
        if record.len() > width && record.iter().skip(width).any(|c| !clean(c).is_empty()) {
            let problem = Problem::TooManyCells {
                found: record.len(),
                expected: width,
            };
            errors.push(line, None, problem);
            continue;
        }
        let mut row = Row {
            line,
            record: &record,
            layout: &layout,
            errors: &mut errors,
            ok: true,
        };
        let value = each(&mut row);
        if let (Some(value), true) = (value, row.ok) {
            rows.push(Lined { value, line });
        }
    }
    progress(bytes.len() as u64);
    if rows.is_empty() && errors.list.is_empty() {
        errors.push(2, None, Problem::NoRows);
    }
    Ok(Sheet {
        rows,
        errors,
        layout,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_uk_iso_and_esr_forms() {
        let want = Day::from_ymd(2026, 3, 31);
        for text in [
            "31/03/2026",
            "31/3/2026",
            "2026-03-31",
            "31-MAR-2026",
            "31-Mar-2026",
            "31 March 2026",
            "31/03/2026 00:00",
            "2026-03-31T00:00:00",
            "31.03.2026",
        ] {
            assert_eq!(parse_day(text), want, "{text}");
        }
        for bad in [
            "31/03/26",
            "03/31/2026",
            "2026-02-30",
            "31-XYZ-2026",
            "yesterday",
            "31",
            "",
            "1/1/1066",
        ] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }

    #[test]
    fn excel_cells_are_unwrapped() {
        assert_eq!(clean("  =\"00123\" "), "00123");
        assert_eq!(clean("\u{feff}Employee Number"), "Employee Number");
        assert_eq!(clean("=SUM(A1)"), "=SUM(A1)");
    }
}

//! Reading the NHS date input: a day, a month and a year typed in three boxes. Every form
//! that takes a date reads it here, so every date says what is wrong in the same words,
//! naming the date ("the opening date"), as the NHS service manual's date input asks:
//! "Enter the opening date", "The opening date must include a month", "The opening date
//! must be a real date".
//!
//! A problem is reported against the first box, `{id}-day`, where the `date_input` macro
//! in `macros.html` shows it and the error summary's link lands.

use crate::pages::FieldError;
use dignity_domain::speakup::Day;

/// A date as far as it is known: (year, month, day), the month and day only if given.
pub type PartialDate = (i64, Option<u8>, Option<u8>);

/// The three boxes of one date as they were typed, so a page shown again keeps them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Typed {
    pub day: String,
    pub month: String,
    pub year: String,
}

impl Typed {
    pub fn new(day: &str, month: &str, year: &str) -> Typed {
        Typed {
            day: day.into(),
            month: month.into(),
            year: year.into(),
        }
    }

    /// A date as the boxes show it: 1, 4 and 2026.
    pub fn of(day: Day) -> Typed {
        let (y, m, d) = day.ymd();
        Typed {
            day: d.to_string(),
            month: m.to_string(),
            year: y.to_string(),
        }
    }

    /// The day typed, `None` when nothing was typed, or what is wrong in words about
    /// `name` ("the opening date").
    pub fn read(&self, name: &str) -> Result<Option<Day>, String> {
        let (day, month, year) = (self.day.trim(), self.month.trim(), self.year.trim());
        let missing: Vec<&str> = [("day", day), ("month", month), ("year", year)]
            .into_iter()
            .filter(|(_, typed)| typed.is_empty())
            .map(|(part, _)| part)
            .collect();
        let named = capitalised(name);
        match missing.as_slice() {
            [] => {}
            ["day", "month", "year"] => return Ok(None),
            [one] => return Err(format!("{named} must include a {one}")),
            [one, two] => return Err(format!("{named} must include a {one} and {two}")),
            _ => return Err(format!("Enter {name}")),
        }
        if !(year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())) {
            return Err(if year.bytes().all(|b| b.is_ascii_digit()) {
                format!("{named} must include a year with 4 numbers")
            } else {
                format!("{named} must be a real date")
            });
        }
        let real = (|| {
            let day = number(day.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']))?;
            let month = number(month).or_else(|| dignity_domain::speakup::month_named(month))?;
            Day::from_ymd(number(year)?, month, day)
        })();
        real.map(Some)
            .ok_or_else(|| format!("{named} must be a real date"))
    }
}

impl Typed {
    /// A date known only as exactly as someone knows it: a year, a month and year, or a
    /// whole date (when a report was published). `None` when nothing was typed; otherwise
    /// (year, month, day) with the parts given, or what is wrong in words about `name`.
    pub fn read_partial(&self, name: &str) -> Result<Option<PartialDate>, String> {
        let (day, month, year) = (self.day.trim(), self.month.trim(), self.year.trim());
        let named = capitalised(name);
        if day.is_empty() && month.is_empty() && year.is_empty() {
            return Ok(None);
        }
        if year.is_empty() {
            return Err(format!("{named} must include a year"));
        }
        if !day.is_empty() && month.is_empty() {
            return Err(format!("{named} must include a month"));
        }
        if !(year.len() == 4 && year.bytes().all(|b| b.is_ascii_digit())) {
            return Err(format!("{named} must include a year with 4 numbers"));
        }
        let real = || format!("{named} must be a real date");
        let year_number = number(year).ok_or_else(real)?;
        let month_number = if month.is_empty() {
            None
        } else {
            let m = number(month)
                .or_else(|| dignity_domain::speakup::month_named(month))
                .ok_or_else(real)?;
            Some(
                u8::try_from(m)
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(real)?,
            )
        };
        let day_number = if day.is_empty() {
            None
        } else {
            let whole = self.read(name)?.ok_or_else(real)?;
            let (_, _, d) = whole.ymd();
            Some(u8::try_from(d).map_err(|_| real())?)
        };
        Ok(Some((year_number, month_number, day_number)))
    }

    /// The day typed, or what is wrong: "Enter the opening date" when nothing was.
    pub fn required(&self, name: &str) -> Result<Day, String> {
        self.read(name)?.ok_or_else(|| format!("Enter {name}"))
    }
}

/// Whole numbers as people type them: digits only, leading zeros allowed ("01").
fn number(text: &str) -> Option<i64> {
    if text.is_empty() || text.len() > 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The error for the date whose boxes' ids start with `id`, shown at its first box.
pub fn problem(id: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: format!("{id}-day").into(),
        message: message.into(),
    }
}

/// A date that must be given. What is wrong is added to `errors`.
pub fn required(typed: &Typed, id: &str, name: &str, errors: &mut Vec<FieldError>) -> Option<Day> {
    typed
        .required(name)
        .map_err(|message| errors.push(problem(id, message)))
        .ok()
}

/// A date that may be left empty. What is wrong is added to `errors`.
pub fn optional(typed: &Typed, id: &str, name: &str, errors: &mut Vec<FieldError>) -> Option<Day> {
    typed
        .read(name)
        .map_err(|message| errors.push(problem(id, message)))
        .ok()
        .flatten()
}

/// Which boxes to mark, as (day, month, year), for the message the date's error shows.
/// A date missing one or two parts marks only those; any other problem marks all three.
/// Reads the messages [`Typed::read`] writes, and nothing else.
/// Takes the message by reference, as templates pass it.
pub fn marked(message: &Option<&str>) -> (bool, bool, bool) {
    let Some(message) = message else {
        return (false, false, false);
    };
    match message.split_once(" must include a ") {
        Some((_, parts)) => (
            parts.contains("day"),
            parts.contains("month"),
            parts.contains("year"),
        ),
        None => (true, true, true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(day: &str, month: &str, year: &str) -> Result<Option<Day>, String> {
        Typed::new(day, month, year).read("the opening date")
    }

    fn day(y: i64, m: i64, d: i64) -> Option<Day> {
        Day::from_ymd(y, m, d)
    }

    #[test]
    fn a_date_known_in_part_is_read_as_far_as_it_goes() {
        let partial = |d: &str, m: &str, y: &str| Typed::new(d, m, y).read_partial("the date");
        assert_eq!(partial("", "", ""), Ok(None));
        assert_eq!(partial("", "", "2018"), Ok(Some((2018, None, None))));
        assert_eq!(partial("", "11", "2018"), Ok(Some((2018, Some(11), None))));
        assert_eq!(partial("", "Nov", "2018"), Ok(Some((2018, Some(11), None))));
        assert_eq!(
            partial("28", "11", "2018"),
            Ok(Some((2018, Some(11), Some(28))))
        );
        let wrong = |d: &str, m: &str, y: &str| partial(d, m, y).err().unwrap_or_default();
        assert_eq!(wrong("", "11", ""), "The date must include a year");
        assert_eq!(wrong("28", "", "2018"), "The date must include a month");
        assert_eq!(
            wrong("", "", "18"),
            "The date must include a year with 4 numbers"
        );
        assert_eq!(wrong("", "13", "2018"), "The date must be a real date");
        assert_eq!(wrong("31", "2", "2018"), "The date must be a real date");
    }

    #[test]
    fn dates_are_read_as_people_type_them() {
        assert_eq!(read("1", "4", "2026"), Ok(day(2026, 4, 1)));
        assert_eq!(read("01", "04", "2026"), Ok(day(2026, 4, 1)));
        assert_eq!(read(" 1 ", " 4", "2026 "), Ok(day(2026, 4, 1)));
        assert_eq!(read("29", "2", "2028"), Ok(day(2028, 2, 29)));
        assert_eq!(read("1", "April", "2026"), Ok(day(2026, 4, 1)));
        assert_eq!(read("1st", "apr", "2026"), Ok(day(2026, 4, 1)));
        assert_eq!(read("", "", ""), Ok(None));
        assert_eq!(read(" ", "  ", ""), Ok(None));
    }

    #[test]
    fn each_mistake_is_named_with_the_date() {
        let wrong = |d: &str, m: &str, y: &str| read(d, m, y).err().unwrap_or_default();
        assert_eq!(
            wrong("1", "", "2026"),
            "The opening date must include a month"
        );
        assert_eq!(
            wrong("", "4", "2026"),
            "The opening date must include a day"
        );
        assert_eq!(wrong("1", "4", ""), "The opening date must include a year");
        assert_eq!(
            wrong("", "", "2026"),
            "The opening date must include a day and month"
        );
        assert_eq!(
            wrong("1", "", ""),
            "The opening date must include a month and year"
        );
        for (d, m, y) in [
            ("31", "2", "2026"),
            ("29", "2", "2026"),
            ("0", "4", "2026"),
            ("1", "13", "2026"),
            ("one", "4", "2026"),
            ("1", "4", "twenty"),
            ("-1", "4", "2026"),
            ("+1", "4", "2026"),
            ("1.5", "4", "2026"),
            ("99999999999999999999", "4", "2026"),
            ("1", "4", "0026"),
            ("1", "ap", "2026"),
        ] {
            assert_eq!(
                wrong(d, m, y),
                "The opening date must be a real date",
                "{d} {m} {y}"
            );
        }
        assert_eq!(
            wrong("1", "4", "26"),
            "The opening date must include a year with 4 numbers"
        );
        assert_eq!(
            wrong("1", "4", "20266"),
            "The opening date must include a year with 4 numbers"
        );
    }

    #[test]
    fn a_required_date_left_empty_asks_for_it_at_the_day_box() {
        let mut errors = Vec::new();
        let empty = Typed::default();
        assert_eq!(
            required(&empty, "opens", "the opening date", &mut errors),
            None
        );
        assert_eq!(
            optional(&empty, "closes", "the closing date", &mut errors),
            None
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "opens-day");
        assert_eq!(errors[0].message, "Enter the opening date");
        let typed = day(2026, 4, 1).map(Typed::of);
        assert_eq!(typed, Some(Typed::new("1", "4", "2026")));
        let typed = typed.unwrap_or_default();
        assert_eq!(
            required(&typed, "opens", "the opening date", &mut errors),
            day(2026, 4, 1)
        );
    }

    #[test]
    fn only_the_missing_boxes_are_marked() {
        let marks = |d: &str, m: &str, y: &str| marked(&read(d, m, y).err().as_deref());
        assert_eq!(marks("1", "", "2026"), (false, true, false));
        assert_eq!(marks("", "", "2026"), (true, true, false));
        assert_eq!(marks("1", "4", "26"), (false, false, true));
        assert_eq!(marks("31", "2", "2026"), (true, true, true));
        assert_eq!(marks("1", "4", "2026"), (false, false, false));
        assert_eq!(marked(&Some("Enter the opening date")), (true, true, true));
        assert_eq!(
            marked(&Some(
                "The closing date must be the same as or after the opening date"
            )),
            (true, true, true)
        );
    }
}

//! A results table to download, and the one CSV writer: every download of figures (survey
//! results, the pledges scorecard, Speak Up returns, plan actions, attendees) is a
//! [`Table`] written here, so every one is quoted and defused alike. The pages add the
//! Excel workbook and the HTTP headers (`dignity_web::table`).

use dignity_engine::disclosure::Figure;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The download's file name, without its ending.
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// One field of a table. A figure about people can only be a [`Figure`], which only the
/// disclosure module makes; everything else is words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Words that are not a count of people: a name, a title, a label, a date, or a
    /// figure about organisations rather than people (a benchmark position).
    Words(String),
    /// A figure about people, as the disclosure rules let it out.
    Figure(Figure),
}

impl Cell {
    pub fn words(text: impl Into<String>) -> Cell {
        Cell::Words(text.into())
    }

    /// The cell as the CSV and the page read it.
    pub fn text(&self) -> &str {
        match self {
            Cell::Words(text) => text,
            Cell::Figure(figure) => figure.text(),
        }
    }

    /// The number a spreadsheet may hold as a number: only a figure shown exactly.
    pub fn amount(&self) -> Option<u64> {
        match self {
            Cell::Words(_) => None,
            Cell::Figure(figure) => figure.drawn(),
        }
    }
}

impl From<Figure> for Cell {
    fn from(figure: Figure) -> Cell {
        Cell::Figure(figure)
    }
}

/// What a spreadsheet may read as the start of a formula. A leading tab or carriage
/// return is skipped by some spreadsheets, which then see the formula behind it.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A field a spreadsheet would run as a formula gets a leading apostrophe. A field that
/// is only a number (a sign, digits, a decimal point and a per cent sign, nothing else) is
/// left as it is: every spreadsheet reads it as that number and none can run it, and an
/// apostrophe would turn a negative gap or a signed change in a return into text that no
/// sum adds up.
pub fn defused(value: &str) -> String {
    if value.starts_with(FORMULA_STARTS) && !plain_number(value) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// `-20.7`, `+3`, `-0.15%`: a sign, then digits with at most one decimal point between
/// digits, then at most a per cent sign.
fn plain_number(value: &str) -> bool {
    let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
    let number = unsigned.strip_suffix('%').unwrap_or(unsigned);
    let mut parts = number.split('.');
    let digits = |part: Option<&str>| {
        part.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let whole = parts.next();
    match (parts.next(), parts.next()) {
        (None, _) => digits(whole),
        (Some(fraction), None) => digits(whole) && digits(Some(fraction)),
        _ => false,
    }
}

impl Table {
    /// Every field quoted and defused, lines ended by CRLF.
    pub fn csv(&self) -> String {
        let line = |fields: Vec<&str>| {
            fields
                .into_iter()
                .map(|v| format!("\"{}\"", defused(v).replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(",")
                + "\r\n"
        };
        std::iter::once(line(self.header.iter().map(String::as_str).collect()))
            .chain(
                self.rows
                    .iter()
                    .map(|row| line(row.iter().map(Cell::text).collect())),
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_every_field() {
        let table = Table {
            name: "t".into(),
            header: vec!["question".into(), "everyone".into()],
            rows: vec![vec![Cell::words("=HYPERLINK(\"x\")"), Cell::words("23%")]],
        };
        assert_eq!(
            table.csv(),
            "\"question\",\"everyone\"\r\n\"'=HYPERLINK(\"\"x\"\")\",\"23%\"\r\n"
        );
    }

    const DANGEROUS: [&str; 12] = [
        "=1+1",
        "+1+1",
        "-1+1",
        "@SUM(A1)",
        "\t=1+1",
        "\r=1+1",
        "-1.2.3",
        "-.5",
        "-5.",
        "-",
        "-1 points",
        "-2+cmd|' /C calc'!A0",
    ];

    #[test]
    fn csv_keeps_a_plain_number_a_number() {
        for number in ["-20.7", "+1.25", "-1", "-0.15%", "+3%", "12"] {
            assert_eq!(defused(number), number);
        }
    }

    #[test]
    fn csv_defuses_every_formula_start() {
        let table = Table {
            name: "t".into(),
            header: vec!["=header".into()],
            rows: DANGEROUS.iter().map(|v| vec![Cell::words(*v)]).collect(),
        };
        let csv = table.csv();
        let fields: Vec<&str> = csv.split("\"\r\n").filter(|f| !f.is_empty()).collect();
        assert_eq!(fields.len(), DANGEROUS.len() + 1);
        for (field, value) in fields
            .iter()
            .zip(std::iter::once(&"=header").chain(&DANGEROUS))
        {
            assert_eq!(*field, format!("\"'{value}"), "not defused: {value:?}");
        }
    }
}

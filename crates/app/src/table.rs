//! A results table to download, and the one CSV writer: every download of figures (survey
//! results, the pledges scorecard, Speak Up returns, plan actions, attendees) is a
//! [`Table`] written here, so every one is quoted and defused alike. The pages add the
//! Excel workbook and the HTTP headers (`dignity_web::table`).

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The download's file name, without its ending.
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What a spreadsheet may read as the start of a formula. A leading tab or carriage
/// return is skipped by some spreadsheets, which then see the formula behind it.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A field a spreadsheet would run as a formula gets a leading apostrophe.
pub fn defused(value: &str) -> String {
    if value.starts_with(FORMULA_STARTS) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

impl Table {
    /// Every field quoted and defused, lines ended by CRLF.
    pub fn csv(&self) -> String {
        std::iter::once(&self.header)
            .chain(self.rows.iter())
            .map(|row| {
                row.iter()
                    .map(|v| format!("\"{}\"", defused(v).replace('"', "\"\"")))
                    .collect::<Vec<_>>()
                    .join(",")
                    + "\r\n"
            })
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
            rows: vec![vec!["=HYPERLINK(\"x\")".into(), "23%".into()]],
        };
        assert_eq!(
            table.csv(),
            "\"question\",\"everyone\"\r\n\"'=HYPERLINK(\"\"x\"\")\",\"23%\"\r\n"
        );
    }

    const DANGEROUS: [&str; 6] = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"];

    #[test]
    fn csv_defuses_every_formula_start() {
        let table = Table {
            name: "t".into(),
            header: vec!["=header".into()],
            rows: DANGEROUS.iter().map(|v| vec![(*v).to_owned()]).collect(),
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

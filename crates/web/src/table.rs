//! A results table as a download: CSV, or an Excel workbook, with exactly the figures
//! (and the hidden cells) the page shows. The table and its CSV are `dignity_app::table`'s,
//! so the command line writes the same CSV.

use crate::error::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

use dignity_app::table::defused;
pub use dignity_app::table::{Cell, Table};

/// A table as a download: the CSV written by `dignity_app::table`, or an Excel workbook
/// defused the same way.
pub trait Download {
    fn xlsx(&self) -> Result<Vec<u8>, AppError>;
    fn csv_response(&self) -> Response;
    fn xlsx_response(&self) -> Result<Response, AppError>;
}

impl Download for Table {
    /// One worksheet, header in bold. A count the disclosure rules show exactly is a
    /// number, so a spreadsheet can add it up; every other cell is text, defused as in
    /// CSV: a text cell that someone edits and confirms is read again, as a formula if it
    /// looks like one. A hidden count stays words ("fewer than 6"), never a number.
    fn xlsx(&self) -> Result<Vec<u8>, AppError> {
        let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let bold = Format::new().set_bold();
        for (c, title) in self.header.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, defused(title), &bold)
                .map_err(fail)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell.amount() {
                    Some(n) => sheet.write_number(r, c, n as f64),
                    None => sheet.write_string(r, c, defused(cell.text())),
                }
                .map_err(fail)?;
            }
        }
        workbook.save_to_buffer().map_err(fail)
    }

    fn csv_response(&self) -> Response {
        download(
            "text/csv; charset=utf-8",
            &format!("{}.csv", self.name),
            self.csv().into_bytes(),
        )
    }

    fn xlsx_response(&self) -> Result<Response, AppError> {
        Ok(download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{}.xlsx", self.name),
            self.xlsx()?,
        ))
    }
}

fn download(content_type: &str, filename: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsx_is_a_zip() {
        let table = Table {
            name: "t".into(),
            header: vec!["question".into(), "everyone".into()],
            rows: vec![vec![Cell::words("=HYPERLINK(\"x\")"), Cell::words("23%")]],
        };
        let bytes = table.xlsx().unwrap();
        assert_eq!(&bytes[..2], b"PK", "an xlsx file is a zip archive");
    }

    /// An exact count is a number in the workbook; a hidden one stays words.
    #[test]
    fn xlsx_holds_exact_counts_as_numbers_and_hidden_ones_as_words() {
        use dignity_engine::disclosure::{Figure, Kind, Ledger, Minimum};
        let mut ledger = Ledger::new(Minimum::new(Kind::SpeakUpReturns, 6).unwrap());
        let (big, small) = (ledger.shown(40), ledger.shown(2));
        let decided = ledger.decide();
        let row = vec![
            Cell::words("cases"),
            Cell::from(Figure::count(decided.published(big))),
            Cell::from(Figure::count(decided.published(small))),
        ];
        assert_eq!(row[1].amount(), Some(40));
        assert_eq!(row[2].amount(), None);
        let table = Table {
            name: "t".into(),
            header: vec!["measure".into(), "a".into(), "b".into()],
            rows: vec![row],
        };
        let bytes = table.xlsx().unwrap();
        let texts = xlsx_texts(&bytes);
        assert!(texts.iter().any(|t| t == "fewer than 6"), "{texts:?}");
        assert!(!texts.iter().any(|t| t == "40"), "{texts:?}");
        assert!(table.csv().contains("\"cases\",\"40\",\"fewer than 6\""));
    }

    const DANGEROUS: [&str; 6] = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"];

    fn dangerous_table() -> Table {
        Table {
            name: "t".into(),
            header: vec!["=header".into()],
            rows: DANGEROUS.iter().map(|v| vec![Cell::words(*v)]).collect(),
        }
    }

    /// Every text cell in the workbook, as stored (shared strings, XML-escaped).
    fn xlsx_texts(bytes: &[u8]) -> Vec<String> {
        use std::io::Read;
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        archive
            .by_name("xl/sharedStrings.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        xml.split("<t")
            .skip(1)
            .filter_map(|s| {
                s.split_once('>')
                    .and_then(|(_, rest)| rest.split_once("</t>"))
            })
            .map(|(text, _)| text.to_owned())
            .collect()
    }

    #[test]
    fn xlsx_defuses_every_formula_start() {
        let texts = xlsx_texts(&dangerous_table().xlsx().unwrap());
        assert_eq!(texts.len(), DANGEROUS.len() + 1, "{texts:?}");
        for text in &texts {
            assert!(text.starts_with('\''), "not defused: {text:?}");
        }
    }
}

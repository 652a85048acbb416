//! A results table as a download: CSV, or an Excel workbook, with exactly the figures
//! (and the hidden cells) the page shows. The table and its CSV are `dignity_app::table`'s,
//! so the command line writes the same CSV.

use crate::error::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

pub use dignity_app::table::Table;
use dignity_app::table::defused;

/// A table as a download: the CSV written by `dignity_app::table`, or an Excel workbook
/// defused the same way.
pub trait Download {
    fn xlsx(&self) -> Result<Vec<u8>, AppError>;
    fn csv_response(&self) -> Response;
    fn xlsx_response(&self) -> Result<Response, AppError>;
}

impl Download for Table {
    /// One worksheet, header in bold. Cells are written as text, and defused as in CSV:
    /// a text cell that someone edits and confirms is read again, as a formula if it
    /// looks like one.
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
            for (c, value) in row.iter().enumerate() {
                sheet
                    .write_string(r as u32 + 1, c as u16, defused(value))
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
            rows: vec![vec!["=HYPERLINK(\"x\")".into(), "23%".into()]],
        };
        let bytes = table.xlsx().unwrap();
        assert_eq!(&bytes[..2], b"PK", "an xlsx file is a zip archive");
    }

    const DANGEROUS: [&str; 6] = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"];

    fn dangerous_table() -> Table {
        Table {
            name: "t".into(),
            header: vec!["=header".into()],
            rows: DANGEROUS.iter().map(|v| vec![(*v).to_owned()]).collect(),
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

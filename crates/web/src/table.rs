//! A results table as a download: CSV, or an Excel workbook, with exactly the figures
//! (and the hidden cells) the page shows.

use crate::error::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook};

pub struct Table {
    /// The download's file name, without its ending.
    pub name: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A field a spreadsheet would run as a formula gets a leading apostrophe.
fn defused(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

impl Table {
    /// Every field quoted.
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

    /// One worksheet, header in bold. Cells are text, written as text, so nothing in
    /// them is ever run as a formula.
    pub fn xlsx(&self) -> Result<Vec<u8>, AppError> {
        let fail = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        let bold = Format::new().set_bold();
        for (c, title) in self.header.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, title, &bold)
                .map_err(fail)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            for (c, value) in row.iter().enumerate() {
                sheet
                    .write_string(r as u32 + 1, c as u16, value)
                    .map_err(fail)?;
            }
        }
        workbook.save_to_buffer().map_err(fail)
    }

    pub fn csv_response(&self) -> Response {
        download(
            "text/csv; charset=utf-8",
            &format!("{}.csv", self.name),
            self.csv().into_bytes(),
        )
    }

    pub fn xlsx_response(&self) -> Result<Response, AppError> {
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
    fn csv_quotes_and_defuses_formulas_and_xlsx_is_a_zip() {
        let table = Table {
            name: "t".into(),
            header: vec!["question".into(), "everyone".into()],
            rows: vec![vec!["=HYPERLINK(\"x\")".into(), "23%".into()]],
        };
        assert_eq!(
            table.csv(),
            "\"question\",\"everyone\"\r\n\"'=HYPERLINK(\"\"x\"\")\",\"23%\"\r\n"
        );
        let bytes = table.xlsx().unwrap();
        assert_eq!(&bytes[..2], b"PK", "an xlsx file is a zip archive");
    }
}

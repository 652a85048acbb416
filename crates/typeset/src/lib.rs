//! A document of headings, rule-made readings and tables, typeset as a tagged PDF by typst
//! (issue 23: the board pack). Tagged means a screen reader finds the headings, the
//! paragraphs and each table's header cells in the file itself, and the document is checked
//! against PDF/UA-1 as it is written, so a pack that would break the standard is never made.
//!
//! No text of the document is ever written into typst markup: the figures and names go in
//! as a JSON file that the fixed template (`pack.typ`) reads as data, so a plan title such
//! as `#panic()` or `*bold*` is printed as it is, never run.

use std::path::Path;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards};

/// The fixed layout; the document's words come only from `/pack.json`.
const TEMPLATE: &str = include_str!("pack.typ");
const TEMPLATE_PATH: &str = "/pack.typ";
const DATA_PATH: &str = "/pack.json";

/// Where fonts are looked for, in order; the first families found of `FAMILIES` are used.
const FONT_DIRS: &[&str] = &["/usr/share/fonts", "/usr/local/share/fonts"];
/// Arial's metrics (the NHS fallback for Frutiger), then wide-coverage fallbacks for the
/// other scripts people write names and titles in, where the machine has them.
const FAMILIES: &[&str] = &[
    "LiberationSans",
    "DejaVuSans",
    "NotoSans",
    "DroidSansFallback",
];
/// What stands in for a letter no font here can draw: PDF/UA refuses a document with a
/// letter it cannot show, and one title in another script must not stop a board's pack.
const STAND_IN: char = '\u{FFFD}';

#[derive(Debug, thiserror::Error)]
pub enum TypesetError {
    #[error(
        "no fonts were found to typeset the document; install Liberation Sans or DejaVu Sans (Debian: fonts-liberation, fonts-dejavu-core)"
    )]
    NoFonts,
    #[error("the document could not be typeset: {0}")]
    Layout(String),
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
}

/// A document to typeset. Every string is shown as plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub title: String,
    /// Who the document is from, for the PDF's metadata ("Dignity").
    pub author: String,
    /// Lines under the title: the organisation, the period, when it was made.
    pub lines: Vec<String>,
    pub sections: Vec<Section>,
    /// The day the document is dated, as year, month and day.
    pub date: (i32, u8, u8),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub heading: String,
    /// The one-line reading made from the figures by stated rules.
    pub reading: String,
    /// Further lines: why something is left out, what a figure rests on.
    pub notes: Vec<String>,
    pub tables: Vec<Table>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// A short name: the table's sheet in a workbook.
    pub name: String,
    pub caption: String,
    pub header: Vec<String>,
    /// Each row as long as the header.
    pub rows: Vec<Vec<String>>,
    /// Each column's share of the page's width; worked out when typeset.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub widths: Vec<u32>,
}

/// The document as a tagged PDF that meets PDF/UA-1.
pub fn pdf(document: &Document) -> Result<Vec<u8>, TypesetError> {
    let fonts = fonts().ok_or(TypesetError::NoFonts)?;
    let data = serde_json::to_vec(&shaped(document, fonts))
        .map_err(|e| TypesetError::Layout(e.to_string()))?;
    let world = PackWorld::new(data, document.date, fonts)?;
    let compiled = typst::compile::<PagedDocument>(&world);
    let paged = compiled
        .output
        .map_err(|errors| TypesetError::Layout(messages(&errors)))?;
    let standards = PdfStandards::new(&[PdfStandard::Ua_1])
        .map_err(|e| TypesetError::Pdf(e.message().to_string()))?;
    let options = PdfOptions {
        // The same document gets the same identifier, so two issues of one pack match.
        ident: Smart::Custom(document.title.clone()),
        creator: Smart::Custom(Some(document.author.clone())),
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&paged, &options).map_err(|errors| TypesetError::Pdf(messages(&errors)))
}

/// Rows cut or padded to the header's width, so the template's grid always lines up, and
/// every letter one the fonts can draw.
fn shaped(document: &Document, fonts: &Fonts) -> Document {
    let drawable = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_whitespace() || fonts.covers(c) {
                    c
                } else if fonts.covers(STAND_IN) {
                    STAND_IN
                } else {
                    '?'
                }
            })
            .collect()
    };
    let mut shaped = document.clone();
    shaped.title = drawable(&shaped.title);
    shaped.author = drawable(&shaped.author);
    for line in &mut shaped.lines {
        *line = drawable(line);
    }
    for section in &mut shaped.sections {
        section.heading = drawable(&section.heading);
        section.reading = drawable(&section.reading);
        for note in &mut section.notes {
            *note = drawable(note);
        }
        for table in &mut section.tables {
            table.caption = drawable(&table.caption);
            for cell in &mut table.header {
                *cell = drawable(cell);
            }
            let width = table.header.len();
            for row in &mut table.rows {
                row.resize(width, String::new());
                for cell in row.iter_mut() {
                    *cell = drawable(cell);
                }
            }
            table.widths = widths(table);
        }
    }
    shaped
}

/// The width a table has on the page, in points: A4 less the side margins.
const TABLE_WIDTH: f64 = 595.0 - 2.0 * 51.0;
/// A letter's width at the tables' size, in points, with room to spare (bold headings).
const LETTER: f64 = 4.8;
/// A cell's padding, both sides, in points.
const PADDING: f64 = 10.0;

/// Each column's width in points, from what it holds. Every column gets at least its
/// longest word (which cannot be broken well) and, room allowing, its usual cell; what is
/// left goes to the columns with the most to say, so a column of long titles gets room
/// and a column of numbers keeps its heading on a line.
fn widths(table: &Table) -> Vec<u32> {
    let letters = |text: &str| text.chars().count() as f64;
    let longest_word = |text: &str| text.split_whitespace().map(letters).fold(0.0, f64::max);
    let columns: Vec<(f64, f64)> = (0..table.header.len())
        .map(|column| {
            let cells: Vec<&str> = table
                .rows
                .iter()
                .filter_map(|row| row.get(column).map(String::as_str))
                .collect();
            let header = table.header.get(column).map_or("", String::as_str);
            let word = cells
                .iter()
                .map(|c| longest_word(c))
                .fold(longest_word(header), f64::max)
                .min(16.0);
            let usual = if cells.is_empty() {
                0.0
            } else {
                cells.iter().map(|c| letters(c)).sum::<f64>() / cells.len() as f64
            };
            let least = word * LETTER + PADDING;
            let wanted = (usual.min(40.0) * LETTER + PADDING).max(least);
            (least, wanted)
        })
        .collect();
    let least: f64 = columns.iter().map(|c| c.0).sum();
    let wanted: f64 = columns.iter().map(|c| c.1).sum();
    columns
        .iter()
        .map(|&(min, want)| {
            let width = if wanted <= TABLE_WIDTH || least >= TABLE_WIDTH {
                // All fit as wanted (the table is then spread to the page), or not even
                // the longest words do (each then gets its share of them).
                if wanted <= TABLE_WIDTH { want } else { min }
            } else {
                min + (want - min) * (TABLE_WIDTH - least) / (wanted - least)
            };
            width.round().max(1.0) as u32
        })
        .collect()
}

fn messages(errors: &[SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

struct PackWorld {
    library: LazyHash<Library>,
    template: Source,
    data: Bytes,
    date: (i32, u8, u8),
    fonts: &'static Fonts,
}

struct Fonts {
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

impl Fonts {
    fn covers(&self, c: char) -> bool {
        self.fonts
            .iter()
            .any(|f| f.info().coverage.contains(u32::from(c)))
    }
}

fn file_id(path: &str) -> Option<FileId> {
    let path = VirtualPath::new(path).ok()?;
    Some(FileId::new(RootedPath::new(VirtualRoot::Project, path)))
}

impl PackWorld {
    fn new(
        data: Vec<u8>,
        date: (i32, u8, u8),
        fonts: &'static Fonts,
    ) -> Result<PackWorld, TypesetError> {
        let id = file_id(TEMPLATE_PATH)
            .ok_or_else(|| TypesetError::Layout("the template has no path".into()))?;
        Ok(PackWorld {
            // `a11y-extras` gives `pdf.header-cell`, which tags a row's first cell as
            // its header; typst keeps it behind a flag while its API may still change.
            library: LazyHash::new(
                Library::builder()
                    .with_features([typst::Feature::A11yExtras].into_iter().collect())
                    .build(),
            ),
            template: Source::new(id, TEMPLATE.to_owned()),
            data: Bytes::new(data),
            date,
            fonts,
        })
    }
}

impl World for PackWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.template.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.template.id() {
            Ok(self.template.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if Some(id) == file_id(DATA_PATH) {
            Ok(self.data.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        let (year, month, day) = self.date;
        Datetime::from_ymd(year, month, day)
    }
}

/// The fonts, found once per process: reading them is slow and they do not change.
fn fonts() -> Option<&'static Fonts> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut fonts = Vec::new();
            for dir in FONT_DIRS {
                load_fonts(Path::new(dir), &mut fonts, 0);
            }
            if fonts.is_empty() {
                return None;
            }
            let book = LazyHash::new(FontBook::from_fonts(&fonts));
            Some(Fonts { book, fonts })
        })
        .as_ref()
}

/// Font files of the families used, found under `dir` (at most a few folders deep).
fn load_fonts(dir: &Path, into: &mut Vec<Font>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    // Sorted so the same machine always lists the same fonts in the same order.
    paths.sort();
    for path in paths {
        if path.is_dir() {
            if depth < 4 {
                load_fonts(&path, into, depth + 1);
            }
            continue;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let wanted = FAMILIES.iter().any(|family| name.starts_with(family));
        if wanted
            && [".ttf", ".otf", ".ttc"]
                .iter()
                .any(|end| name.ends_with(end))
            && let Ok(bytes) = std::fs::read(&path)
        {
            into.extend(Font::iter(Bytes::new(bytes)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(title: &str) -> Document {
        Document {
            title: title.into(),
            author: "Dignity".into(),
            lines: vec!["Trust A, July to September 2026".into()],
            sections: vec![Section {
                heading: "Speaking up".into(),
                reading: "Fewer concerns were raised than last quarter.".into(),
                notes: vec!["Counts under 10 are hidden.".into()],
                tables: vec![Table {
                    name: "speak-up".into(),
                    caption: "Concerns by quarter".into(),
                    header: vec!["Quarter".into(), "Concerns".into()],
                    rows: vec![
                        vec!["2026 Q2".into(), "14".into()],
                        vec!["2026 Q3".into(), "fewer than 10".into(), "extra".into()],
                    ],
                    widths: Vec::new(),
                }],
            }],
            date: (2026, 10, 1),
        }
    }

    #[test]
    fn writes_a_pdf_that_claims_pdf_ua() {
        let bytes = pdf(&sample("Board pack")).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("/StructTreeRoot"),
            "a tagged PDF has a tag tree"
        );
        assert!(text.contains("pdfuaid"), "the PDF says it meets PDF/UA");
        assert!(
            text.contains("/Scope/Row"),
            "a row's first cell is tagged as the header of its row"
        );
    }

    #[test]
    fn markup_in_the_words_is_printed_not_run() {
        // Were the title read as markup, `#panic` would stop the compile.
        let bytes = pdf(&sample("#panic(\"no\") *bold* $x$ <label> @ref")).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
    }

    #[test]
    fn letters_no_font_can_draw_stand_in_rather_than_stop_the_pack() {
        // Chinese, Devanagari, a private-use letter and an emoji: PDF/UA refuses a letter
        // it cannot show, so these must never reach the typesetter as they are.
        let bytes = pdf(&sample("Respect at work 尊重 सम्मान \u{E000} 🙂")).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let mut row = sample("Board pack");
        row.sections[0].tables[0].rows[0][0] = "\u{E000}".into();
        assert!(pdf(&row).is_ok());
    }

    #[test]
    fn a_column_gets_room_for_its_longest_word_and_its_usual_cell() {
        let table = Table {
            name: "t".into(),
            caption: String::new(),
            header: vec!["Action".into(), "Due".into()],
            rows: vec![vec![
                "Train every manager in how to hold a fair and kind conversation".into(),
                "1 May".into(),
            ]],
            widths: Vec::new(),
        };
        let w = widths(&table);
        // The due date keeps "May" whole; the action takes what it needs.
        assert!(w[1] as f64 >= 3.0 * LETTER + PADDING, "{w:?}");
        assert!(w[0] > 4 * w[1], "{w:?}");
    }

    #[test]
    fn the_same_document_makes_the_same_bytes() {
        assert_eq!(
            pdf(&sample("Board pack")).unwrap(),
            pdf(&sample("Board pack")).unwrap()
        );
    }
}

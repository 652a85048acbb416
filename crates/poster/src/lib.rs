//! A one-page progress poster of a partnership plan (seed 001: organisations share posters
//! of their work on bullying, then follow-up posters charting progress). The poster is
//! laid out once as SVG, then turned into a PDF (svg2pdf, text kept as text) and a PNG
//! (resvg), so both always match.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use resvg::usvg;

pub mod board_return;
pub mod summary;

/// A4 portrait in PDF points.
const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN: f32 = 36.0;
/// NHS colours: blue, dark grey text, pale grey, green, warm yellow, red.
const BLUE: &str = "#005eb8";
const TEXT: &str = "#212b32";
const PALE: &str = "#d8dde0";
const GREEN: &str = "#007f3b";
const YELLOW: &str = "#ffb81c";
const RED: &str = "#d5281b";
const GREY: &str = "#768692";
/// Actions and measures that fit on one page; more are summarised in a line.
const MOST_ACTIONS: usize = 8;
const MOST_MEASURES: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum PosterError {
    #[error(
        "no fonts were found to draw the poster's text; install a sans-serif font (Debian: fonts-dejavu-core)"
    )]
    NoFonts,
    #[error("the poster could not be laid out: {0}")]
    Layout(String),
    #[error("the PDF could not be made: {0}")]
    Pdf(String),
    #[error("the PNG could not be made: {0}")]
    Png(String),
}

/// How an action's bar is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warning,
    Bad,
    Neutral,
}

impl Tone {
    fn colour(self) -> &'static str {
        match self {
            Tone::Good => GREEN,
            Tone::Warning => YELLOW,
            Tone::Bad => RED,
            Tone::Neutral => GREY,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PosterAction {
    pub title: String,
    /// Where it stands, in words ("On track").
    pub status: String,
    pub tone: Tone,
    /// Per cent done, 0 to 100.
    pub progress: u8,
}

#[derive(Debug, Clone)]
pub struct PosterMeasure {
    pub title: String,
    pub baseline: String,
    pub latest: String,
    pub target: String,
}

/// What goes on the poster, already in words.
#[derive(Debug, Clone)]
pub struct Poster {
    pub organisation: String,
    pub title: String,
    /// "Progress on 26 November 2026".
    pub as_of: String,
    pub actions: Vec<PosterAction>,
    pub measures: Vec<PosterMeasure>,
    /// Who signed for each side, and when.
    pub signed: String,
    /// The public page the QR code leads to.
    pub url: String,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML cannot hold at all: controls and the non-characters.
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c if (u32::from(c) & 0xfffe) == 0xfffe => {}
            c => out.push(c),
        }
    }
    out
}

/// A character's width as a share of the font size, a little over DejaVu Sans's, so a
/// line measured with it never runs past the edge: wide letters (W, M, m, w) and capitals
/// take more room than narrow ones (i, l, t), and anything beyond Latin a full em.
fn glyph_width(c: char) -> f32 {
    match c {
        'W' | 'M' | 'm' | 'w' | '@' | '%' => 0.95,
        'i' | 'l' | 'j' | 't' | 'f' | 'r' | 'I' | '.' | ',' | '\'' | ':' | ';' | '!' | '|'
        | ' ' => 0.42,
        c if c.is_ascii_uppercase() || c.is_ascii_digit() => 0.76,
        c if c.is_ascii() => 0.64,
        c if c.is_alphabetic() && (c as u32) < 0x2E80 => 0.76,
        _ => 1.0,
    }
}

/// How wide `text` is drawn at `size`, by [`glyph_width`].
fn width_of(text: &str, size: f32) -> f32 {
    text.chars().map(|c| glyph_width(c) * size).sum()
}

/// Splits text into lines that fit `width` at `size`, at most `most` lines (the last one
/// cut short with an ellipsis). A word too long for a line is broken across lines, so
/// nothing runs past the edge, however it is written.
fn wrap(text: &str, size: f32, width: f32, most: usize) -> Vec<String> {
    let fits = |line: &str| width_of(line, size) <= width;
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let joined = if current.is_empty() {
            word.to_owned()
        } else {
            format!("{current} {word}")
        };
        if fits(&joined) {
            current = joined;
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        // Break a word longer than a line into pieces that fit.
        for c in word.chars() {
            current.push(c);
            if !fits(&current) {
                current.pop();
                lines.push(std::mem::take(&mut current));
                current.push(c);
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > most {
        lines.truncate(most);
        if let Some(last) = lines.last_mut() {
            while !last.is_empty() && !fits(&format!("{last}…")) {
                last.pop();
            }
            last.push('…');
        }
    }
    lines
}

/// The top of a one-page document: an A4 page with a blue band of `band` points holding
/// the organisation's name and a title of up to two lines. Returns the SVG so far and
/// where the line under the title goes.
fn page_head(organisation: &str, title: &str, band: f32) -> (String, f32) {
    let inner = WIDTH - 2.0 * MARGIN;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">
<title>{}</title>
<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>
<rect width="{WIDTH}" height="{band}" fill="{BLUE}"/>
"#,
        escape(&format!("{organisation}: {title}"))
    );
    text(
        &mut svg,
        MARGIN,
        38.0,
        12.0,
        "normal",
        "white",
        organisation,
    );
    let mut y = 62.0;
    // Bold letters are wider: measured a tenth larger.
    for line in wrap(title, 19.8, inner, 2) {
        text(&mut svg, MARGIN, y, 18.0, "bold", "white", &line);
        y += 22.0;
    }
    (svg, y)
}

fn text(svg: &mut String, x: f32, y: f32, size: f32, weight: &str, fill: &str, body: &str) {
    let _ = writeln!(
        svg,
        r#"<text x="{x}" y="{y}" font-family="DejaVu Sans, sans-serif" font-size="{size}" font-weight="{weight}" fill="{fill}">{}</text>"#,
        escape(body)
    );
}

/// The QR code's dark modules as one path, in a square of `side` at (x, y).
fn qr(svg: &mut String, data: &str, x: f32, y: f32, side: f32) -> Result<(), PosterError> {
    let code = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M)
        .map_err(|e| PosterError::Layout(format!("QR code: {e}")))?;
    let n = code.width();
    // Four modules of quiet zone on each side, as scanners expect.
    let unit = side / (n as f32 + 8.0);
    let _ = write!(
        svg,
        r#"<rect x="{x}" y="{y}" width="{side}" height="{side}" fill="white"/><path fill="black" d=""#
    );
    for (i, colour) in code.to_colors().iter().enumerate() {
        if *colour == qrcode::Color::Dark {
            let (cx, cy) = ((i % n) as f32 + 4.0, (i / n) as f32 + 4.0);
            let _ = write!(
                svg,
                "M{:.2} {:.2}h{unit:.2}v{unit:.2}h-{unit:.2}z",
                x + cx * unit,
                y + cy * unit
            );
        }
    }
    svg.push_str("\"/>\n");
    Ok(())
}

/// The poster as SVG, on an A4 page.
pub fn svg(poster: &Poster) -> Result<String, PosterError> {
    let inner = WIDTH - 2.0 * MARGIN;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">
<title>{}</title>
<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>
<rect width="{WIDTH}" height="150" fill="{BLUE}"/>
"#,
        escape(&format!("{}: {}", poster.organisation, poster.title))
    );
    text(
        &mut svg,
        MARGIN,
        46.0,
        13.0,
        "normal",
        "white",
        &poster.organisation,
    );
    let mut y = 78.0;
    // Bold text is measured a tenth larger: its letters are wider.
    for line in wrap(&poster.title, 24.2, inner, 2) {
        text(&mut svg, MARGIN, y, 22.0, "bold", "white", &line);
        y += 27.0;
    }
    text(
        &mut svg,
        MARGIN,
        136.0,
        12.0,
        "normal",
        "white",
        &poster.as_of,
    );

    y = 182.0;
    text(&mut svg, MARGIN, y, 15.0, "bold", TEXT, "What we are doing");
    y += 22.0;
    if poster.actions.is_empty() {
        text(&mut svg, MARGIN, y, 11.0, "normal", TEXT, "No actions yet.");
        y += 18.0;
    }
    // Whatever does not fit above the foot is left to the web page, and the poster says so.
    let qr_side = 110.0;
    let foot = HEIGHT - MARGIN - qr_side;
    let room = |y: f32, needed: f32| y + needed < foot - 60.0;
    let bar_width = inner - 120.0;
    let mut shown = 0;
    for action in poster.actions.iter().take(MOST_ACTIONS) {
        if !room(y, 48.0) {
            break;
        }
        shown += 1;
        for line in wrap(&action.title, 12.1, inner, 2) {
            text(&mut svg, MARGIN, y, 11.0, "bold", TEXT, &line);
            y += 14.0;
        }
        let filled = bar_width * f32::from(action.progress.min(100)) / 100.0;
        let _ = writeln!(
            svg,
            r#"<rect x="{MARGIN}" y="{}" width="{bar_width}" height="10" rx="2" fill="{PALE}"/><rect x="{MARGIN}" y="{}" width="{filled}" height="10" rx="2" fill="{}"/>"#,
            y - 8.0,
            y - 8.0,
            action.tone.colour()
        );
        text(
            &mut svg,
            MARGIN + bar_width + 8.0,
            y + 1.0,
            10.0,
            "normal",
            TEXT,
            &format!("{}%, {}", action.progress, action.status),
        );
        y += 20.0;
    }
    if poster.actions.len() > shown {
        text(
            &mut svg,
            MARGIN,
            y,
            10.0,
            "normal",
            TEXT,
            &format!(
                "And {} more actions on the plan's web page.",
                poster.actions.len() - shown
            ),
        );
        y += 18.0;
    }

    if !poster.measures.is_empty() {
        y += 8.0;
        text(
            &mut svg,
            MARGIN,
            y,
            15.0,
            "bold",
            TEXT,
            "What staff tell us",
        );
        y += 20.0;
        let mut shown = 0;
        for m in poster.measures.iter().take(MOST_MEASURES) {
            if !room(y, 48.0) {
                break;
            }
            shown += 1;
            for line in wrap(&m.title, 10.5, inner, 2) {
                text(&mut svg, MARGIN, y, 10.5, "normal", TEXT, &line);
                y += 13.0;
            }
            text(
                &mut svg,
                MARGIN,
                y + 2.0,
                12.0,
                "bold",
                BLUE,
                &format!(
                    "Start {}, latest {}, target {}",
                    m.baseline, m.latest, m.target
                ),
            );
            y += 22.0;
        }
        if poster.measures.len() > shown {
            text(
                &mut svg,
                MARGIN,
                y,
                10.0,
                "normal",
                TEXT,
                &format!(
                    "And {} more measures on the plan's web page.",
                    poster.measures.len() - shown
                ),
            );
        }
    }

    // The foot: who signed, and the QR code to the public page.
    let _ = writeln!(
        svg,
        r##"<rect x="0" y="{}" width="{WIDTH}" height="{}" fill="#f0f4f5"/>"##,
        foot - 14.0,
        HEIGHT - foot + 14.0
    );
    let mut sy = foot + 8.0;
    text(
        &mut svg,
        MARGIN,
        sy,
        12.0,
        "bold",
        TEXT,
        "Agreed in partnership",
    );
    sy += 16.0;
    for line in wrap(&poster.signed, 10.0, inner - qr_side - 16.0, 4) {
        text(&mut svg, MARGIN, sy, 10.0, "normal", TEXT, &line);
        sy += 13.0;
    }
    sy += 4.0;
    text(
        &mut svg,
        MARGIN,
        sy,
        10.0,
        "normal",
        TEXT,
        "Follow our progress:",
    );
    for line in wrap(&poster.url, 10.0, inner - qr_side - 16.0, 2) {
        sy += 13.0;
        text(&mut svg, MARGIN, sy, 10.0, "bold", BLUE, &line);
    }
    qr(
        &mut svg,
        &poster.url,
        WIDTH - MARGIN - qr_side,
        foot - 6.0,
        qr_side,
    )?;
    svg.push_str("</svg>\n");
    Ok(svg)
}

/// Fonts are found once per process: scanning the system's fonts is slow.
fn options() -> Result<usvg::Options<'static>, PosterError> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        db.set_sans_serif_family("DejaVu Sans");
        Arc::new(db)
    });
    if fonts.is_empty() {
        return Err(PosterError::NoFonts);
    }
    Ok(usvg::Options {
        fontdb: Arc::clone(fonts),
        ..usvg::Options::default()
    })
}

fn tree(poster: &Poster) -> Result<usvg::Tree, PosterError> {
    tree_of(&svg(poster)?)
}

fn tree_of(svg: &str) -> Result<usvg::Tree, PosterError> {
    usvg::Tree::from_str(svg, &options()?).map_err(|e| PosterError::Layout(e.to_string()))
}

/// The poster as a one-page PDF, its text kept as text.
pub fn pdf(poster: &Poster) -> Result<Vec<u8>, PosterError> {
    pdf_of(&tree(poster)?)
}

fn pdf_of(tree: &usvg::Tree) -> Result<Vec<u8>, PosterError> {
    svg2pdf::to_pdf(
        tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions::default(),
    )
    .map_err(|e| PosterError::Pdf(e.to_string()))
}

/// The poster as a PNG, `scale` pixels per point (2 gives 1190 by 1684).
pub fn png(poster: &Poster, scale: f32) -> Result<Vec<u8>, PosterError> {
    let tree = tree(poster)?;
    let (w, h) = (
        (WIDTH * scale).round() as u32,
        (HEIGHT * scale).round() as u32,
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| PosterError::Png(format!("a {w} by {h} image is not possible")))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| PosterError::Png(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_and_titles_are_wrapped_and_cut() {
        let lines = wrap(&"word ".repeat(200), 11.0, 523.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines[1].ends_with('…'));
        assert!(lines.iter().all(|l| width_of(l, 11.0) <= 523.0));
        // One unbroken word is broken across the lines it may have, never past the edge,
        // however wide its letters (an outside review's title of 200 Ws ran off the page).
        for word in ["x".repeat(500), "W".repeat(200), "漢".repeat(100)] {
            let cut = wrap(&word, 20.0, 523.0, 2);
            assert_eq!(cut.len(), 2, "{word}");
            assert!(cut.iter().all(|l| width_of(l, 20.0) <= 523.0), "{cut:?}");
            assert!(cut[1].ends_with('…'));
        }
        assert_eq!(wrap("A short title", 20.0, 523.0, 2), ["A short title"]);
        assert!(wrap("", 11.0, 100.0, 2).is_empty());
    }

    #[test]
    fn text_is_escaped_for_svg() {
        assert_eq!(escape("<a & \"b\">\u{0}"), "&lt;a &amp; &quot;b&quot;&gt;");
        // An outside review's title with U+FFFF made the PDF fail to draw.
        assert_eq!(escape("a\u{fffe}b\u{ffff}c\u{10ffff}"), "abc");
    }
}

//! A board's fit and proper person annual return on one page (issue 21), for its region:
//! a line a board member with their seats and the chair's conclusion. Drawn as SVG and
//! turned into a PDF the same way as the poster, so its text stays text.

use super::{GREY, HEIGHT, MARGIN, PALE, PosterError, TEXT, WIDTH, text, wrap};
use std::fmt::Write as _;

/// One board member, already in words.
#[derive(Debug, Clone)]
pub struct ReturnLine {
    pub name: String,
    pub seats: String,
    pub conclusion: String,
    pub concluded_on: String,
    /// What the region should see beside the conclusion ("Concluded without every
    /// check"), or empty.
    pub flags: String,
}

#[derive(Debug, Clone)]
pub struct BoardReturn {
    pub organisation: String,
    /// "Fit and proper person annual return, 2026".
    pub title: String,
    /// "Signed by the chair on 3 March 2026".
    pub signed: String,
    /// "8 board members: 7 fit and proper, 1 not fit and proper".
    pub totals: String,
    pub lines: Vec<ReturnLine>,
}

/// Column edges, from the left margin.
const SEATS_AT: f32 = 125.0;
const CONCLUSION_AT: f32 = 280.0;
const ON_AT: f32 = 430.0;
const SIZE: f32 = 9.0;
const LEADING: f32 = 11.5;

/// The return as SVG, on an A4 page.
pub fn svg(form: &BoardReturn) -> Result<String, PosterError> {
    let inner = WIDTH - 2.0 * MARGIN;
    let (mut svg, mut y) = super::page_head(&form.organisation, &form.title, 120.0);
    for line in wrap(&form.signed, 10.0, inner, 1) {
        text(&mut svg, MARGIN, y, 10.0, "normal", "white", &line);
    }

    y = 146.0;
    for line in wrap(&form.totals, 12.0, inner, 2) {
        text(&mut svg, MARGIN, y, 12.0, "bold", TEXT, &line);
        y += 15.0;
    }
    y += 10.0;
    for (at, heading) in [
        (0.0, "Board member"),
        (SEATS_AT, "Seats"),
        (CONCLUSION_AT, "Conclusion"),
        (ON_AT, "Concluded on"),
    ] {
        text(&mut svg, MARGIN + at, y, SIZE, "bold", TEXT, heading);
    }
    y += 5.0;
    let _ = writeln!(
        svg,
        r#"<rect x="{MARGIN}" y="{y}" width="{inner}" height="1" fill="{TEXT}"/>"#
    );
    y += 14.0;

    let foot = HEIGHT - MARGIN - 40.0;
    let mut shown = 0;
    for line in &form.lines {
        let name = wrap(&line.name, SIZE, SEATS_AT - 8.0, 2);
        let seats = wrap(&line.seats, SIZE, CONCLUSION_AT - SEATS_AT - 8.0, 3);
        let mut conclusion = wrap(&line.conclusion, SIZE, ON_AT - CONCLUSION_AT - 8.0, 2);
        conclusion.extend(wrap(&line.flags, SIZE, ON_AT - CONCLUSION_AT - 8.0, 3));
        let on = wrap(&line.concluded_on, SIZE, inner - ON_AT, 1);
        let tallest = [name.len(), seats.len(), conclusion.len(), on.len()]
            .into_iter()
            .max()
            .unwrap_or(1)
            .max(1);
        let height = tallest as f32 * LEADING;
        // Keep room for the line saying how many more there are.
        if y + height > foot - 18.0 {
            break;
        }
        shown += 1;
        for (at, cell, colour) in [
            (0.0, &name, TEXT),
            (SEATS_AT, &seats, TEXT),
            (CONCLUSION_AT, &conclusion, TEXT),
            (ON_AT, &on, TEXT),
        ] {
            for (n, words) in cell.iter().enumerate() {
                // The flags under a conclusion are bold, so that they are not missed.
                let weight = if at == CONCLUSION_AT && n > 0 {
                    "bold"
                } else {
                    "normal"
                };
                text(
                    &mut svg,
                    MARGIN + at,
                    y + n as f32 * LEADING,
                    SIZE,
                    weight,
                    colour,
                    words,
                );
            }
        }
        y += height - LEADING + 6.0;
        let _ = writeln!(
            svg,
            r#"<rect x="{MARGIN}" y="{y}" width="{inner}" height="0.5" fill="{PALE}"/>"#
        );
        y += 14.0;
    }
    if form.lines.len() > shown {
        text(
            &mut svg,
            MARGIN,
            y,
            10.0,
            "bold",
            TEXT,
            &format!(
                "And {} more board members. The CSV download lists every one.",
                form.lines.len() - shown
            ),
        );
    }
    let note = "This return names the board's members and what was concluded about each. \
        It is for the organisation and its region. The public register shows only what may be published.";
    let mut fy = foot + 6.0;
    for line in wrap(note, 8.5, inner, 3) {
        text(&mut svg, MARGIN, fy, 8.5, "normal", GREY, &line);
        fy += 11.0;
    }
    svg.push_str("</svg>\n");
    Ok(svg)
}

/// The return as a one-page PDF, its text kept as text.
pub fn pdf(form: &BoardReturn) -> Result<Vec<u8>, PosterError> {
    super::pdf_of(&super::tree_of(&svg(form)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(members: usize) -> BoardReturn {
        BoardReturn {
            organisation: "Leeds & District <NHS> Trust".into(),
            title: "Fit and proper person annual return, 2026".into(),
            signed: "Signed on 3 March 2026".into(),
            totals: format!("{members} board members"),
            lines: (0..members)
                .map(|n| ReturnLine {
                    name: format!("Member {n}"),
                    seats: "Chief executive (Executive)".into(),
                    conclusion: "Fit and proper".into(),
                    concluded_on: "2 March 2026".into(),
                    flags: if n % 2 == 0 {
                        "Concluded without every check".into()
                    } else {
                        String::new()
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn text_is_escaped_and_every_member_of_a_usual_board_drawn() {
        let svg = svg(&example(16)).unwrap();
        assert!(svg.contains("Leeds &amp; District &lt;NHS&gt; Trust"));
        assert!(svg.contains("Member 15"));
        assert!(!svg.contains("more board members"));
    }

    /// A board too big for the page says how many are left out, and where they are.
    #[test]
    fn a_board_too_big_for_the_page_says_so() {
        let mut board = example(30);
        for line in &mut board.lines {
            line.seats = "Chief executive (Executive); Deputy chair of the quality and safety committee (Non-executive)".into();
        }
        let svg = svg(&board).unwrap();
        assert!(svg.contains("more board members. The CSV download lists every one."));
        assert!(!svg.contains("Member 29<"));
    }

    #[test]
    fn the_pdf_is_one_page() {
        let pdf = pdf(&example(20)).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        // A page object is "/Type /Page" not followed by "s" (that is the page tree).
        let marker = b"/Type /Page";
        let pages = pdf
            .windows(marker.len() + 1)
            .filter(|w| w.starts_with(marker) && w[marker.len()] != b's')
            .count();
        assert_eq!(pages, 1);
    }
}

//! A one-page summary of a self-assessment round (issue 19), for a board paper or a
//! partnership forum: each part's level as a bar with last round's level marked, then
//! what to look at. Drawn as SVG and turned into a PDF the same way as the poster, so
//! its text stays text.

use super::{BLUE, GREY, HEIGHT, MARGIN, PALE, PosterError, TEXT, WIDTH, text, wrap};
use std::fmt::Write as _;

/// One part of the framework, already in words.
#[derive(Debug, Clone)]
pub struct Part {
    pub title: String,
    /// The level it is rated at, 1 to the scale's top; `None` before anyone has sent.
    pub level: Option<f64>,
    /// Its level in the last signed-off round, if there was one.
    pub last: Option<f64>,
    /// The figures beside the bar ("3.5, last round 3").
    pub shown: String,
}

#[derive(Debug, Clone)]
pub struct Summary {
    pub organisation: String,
    pub title: String,
    /// "Health and wellbeing framework, version 1".
    pub framework: String,
    /// "Summary made on 5 December 2026".
    pub as_of: String,
    /// The scale's top level; levels start at 1.
    pub top: u8,
    /// The scale's levels, lowest first ("1. Not started").
    pub levels: Vec<String>,
    pub parts: Vec<Part>,
    /// What to look at, one line each: weak parts, flags, sides apart, actions.
    pub notes: Vec<String>,
    /// Who signed for each side, or that it is not signed off yet.
    pub signed: String,
}

const LABEL: f32 = 170.0;
const BARS: f32 = 230.0;

/// The summary as SVG, on an A4 page.
pub fn svg(summary: &Summary) -> Result<String, PosterError> {
    let inner = WIDTH - 2.0 * MARGIN;
    let top = f32::from(summary.top.max(1));
    // The title takes up to two lines; the lines under it move down to make room.
    let (mut svg, mut y) = super::page_head(&summary.organisation, &summary.title, 136.0);
    for line in wrap(&summary.framework, 10.0, inner, 1)
        .into_iter()
        .chain(wrap(&summary.as_of, 10.0, inner, 2))
    {
        text(&mut svg, MARGIN, y, 10.0, "normal", "white", &line);
        y += 13.0;
    }

    y = 160.0;
    text(
        &mut svg,
        MARGIN,
        y,
        14.0,
        "bold",
        TEXT,
        "How each part is rated",
    );
    y += 16.0;
    let key = format!(
        "Each bar is the level a part is rated at, from 1 to {}. A black line marks its level in the last signed-off round.",
        summary.top
    );
    for line in wrap(&key, 9.0, inner, 2) {
        text(&mut svg, MARGIN, y, 9.0, "normal", TEXT, &line);
        y += 12.0;
    }
    // The scale's levels, numbered above the bars.
    y += 8.0;
    let x0 = MARGIN + LABEL;
    let at = |level: f64| x0 + BARS * (level as f32).clamp(0.0, top) / top;
    for level in 1..=summary.top {
        let x = at(f64::from(level));
        let _ = writeln!(
            svg,
            r#"<text x="{x}" y="{y}" font-family="DejaVu Sans, sans-serif" font-size="8" text-anchor="middle" fill="{GREY}">{level}</text>"#
        );
    }
    y += 6.0;
    // Rows shrink to fit a long framework on the page.
    let room = 330.0;
    let row = (room / summary.parts.len().max(1) as f32).clamp(16.0, 30.0);
    let chart_top = y;
    let chart_bottom = y + row * summary.parts.len() as f32;
    for level in 1..=summary.top {
        let x = at(f64::from(level));
        let _ = writeln!(
            svg,
            r#"<rect x="{x}" y="{chart_top}" width="0.5" height="{}" fill="{PALE}"/>"#,
            chart_bottom - chart_top
        );
    }
    let label_size = if row < 24.0 { 8.0 } else { 9.0 };
    for part in &summary.parts {
        let middle = y + row / 2.0;
        let lines = wrap(
            &part.title,
            label_size,
            LABEL - 8.0,
            if row < 24.0 { 1 } else { 2 },
        );
        let first = middle + 3.0 - (lines.len() as f32 - 1.0) * (label_size + 1.0) / 2.0;
        for (n, line) in lines.iter().enumerate() {
            text(
                &mut svg,
                MARGIN,
                first + n as f32 * (label_size + 1.0),
                label_size,
                "normal",
                TEXT,
                line,
            );
        }
        let height = (row * 0.45).min(12.0);
        let _ = writeln!(
            svg,
            r#"<rect x="{x0}" y="{}" width="{BARS}" height="{height}" fill="{PALE}"/>"#,
            middle - height / 2.0
        );
        if let Some(level) = part.level {
            let _ = writeln!(
                svg,
                r#"<rect x="{x0}" y="{}" width="{}" height="{height}" fill="{BLUE}"/>"#,
                middle - height / 2.0,
                at(level) - x0
            );
        }
        if let Some(last) = part.last {
            let _ = writeln!(
                svg,
                r#"<rect x="{}" y="{}" width="2" height="{}" fill="black"/>"#,
                at(last) - 1.0,
                middle - height / 2.0 - 3.0,
                height + 6.0
            );
        }
        text(
            &mut svg,
            x0 + BARS + 8.0,
            middle + 3.0,
            8.5,
            "normal",
            TEXT,
            &part.shown,
        );
        y += row;
    }

    y += 26.0;
    text(&mut svg, MARGIN, y, 14.0, "bold", TEXT, "What to look at");
    y += 18.0;
    let foot = HEIGHT - MARGIN - 52.0;
    if summary.notes.is_empty() {
        text(
            &mut svg,
            MARGIN,
            y,
            10.0,
            "normal",
            TEXT,
            "Nothing stands out: no part is weak, flagged or split between the sides.",
        );
        y += 14.0;
    }
    let mut shown = 0;
    for note in &summary.notes {
        let lines = wrap(note, 10.0, inner - 12.0, 3);
        if y + 14.0 * lines.len() as f32 > foot - 16.0 {
            break;
        }
        shown += 1;
        text(&mut svg, MARGIN, y, 10.0, "bold", BLUE, "•");
        for line in lines {
            text(&mut svg, MARGIN + 12.0, y, 10.0, "normal", TEXT, &line);
            y += 13.0;
        }
        y += 3.0;
    }
    if summary.notes.len() > shown {
        text(
            &mut svg,
            MARGIN,
            y,
            10.0,
            "normal",
            TEXT,
            &format!(
                "And {} more on the round's web page.",
                summary.notes.len() - shown
            ),
        );
    }

    let mut fy = foot;
    let scale = format!("Levels: {}.", summary.levels.join(", "));
    for line in wrap(&scale, 8.5, inner, 2) {
        text(&mut svg, MARGIN, fy, 8.5, "normal", GREY, &line);
        fy += 11.0;
    }
    for line in wrap(&summary.signed, 9.5, inner, 2) {
        text(&mut svg, MARGIN, fy + 4.0, 9.5, "bold", TEXT, &line);
        fy += 12.0;
    }
    svg.push_str("</svg>\n");
    Ok(svg)
}

/// The summary as a one-page PDF, its text kept as text.
pub fn pdf(summary: &Summary) -> Result<Vec<u8>, PosterError> {
    super::pdf_of(&super::tree_of(&svg(summary)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(parts: usize) -> Summary {
        Summary {
            organisation: "Leeds & District <NHS> Trust".into(),
            title: "Health and wellbeing 2026".into(),
            framework: "Health and wellbeing framework, version 1".into(),
            as_of: "Summary made on 5 December 2026".into(),
            top: 5,
            levels: (1..=5).map(|l| format!("{l}. Level {l}")).collect(),
            parts: (0..parts)
                .map(|n| Part {
                    title: format!("Part {n} with a long name that needs two lines to fit"),
                    level: (n > 0).then_some(2.5),
                    last: Some(3.0),
                    shown: "2.5, last round 3".into(),
                })
                .collect(),
            notes: (0..40).map(|n| format!("Note {n}")).collect(),
            signed: "Signed off for the employer side by A and for the union side by B".into(),
        }
    }

    #[test]
    fn text_is_escaped_and_every_part_drawn() {
        let svg = svg(&example(7)).unwrap();
        assert!(svg.contains("Leeds &amp; District &lt;NHS&gt; Trust"));
        assert!(svg.contains("Part 6 with"));
        // Six rated parts have a level bar; all seven a last-round line.
        assert_eq!(svg.matches(r#"fill="black""#).count(), 7);
        assert!(svg.contains("And "), "notes that do not fit are counted");
    }

    /// Twenty parts, the most a framework has, still fit above the notes.
    #[test]
    fn the_longest_framework_fits_on_the_page() {
        let svg = svg(&example(20)).unwrap();
        assert!(svg.contains("Part 19 with"));
        assert!(svg.contains("What to look at"));
    }
}

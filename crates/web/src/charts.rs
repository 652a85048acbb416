//! Bar charts drawn on the server as SVG: no JavaScript, no third-party library, crisp on a
//! phone. Each chart is a picture of a data table that sits beside it, so the table is
//! what screen readers use; the SVG carries a title and a one-line summary.

use std::fmt::Write;

/// One bar. `None` is a hidden value (too small to show): drawn as a label, not a bar.
pub struct Bar {
    pub label: String,
    pub value: Option<u64>,
    pub shown: String,
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The longest line of a label, in characters, that fits beside the bars.
const LINE: usize = 30;

/// A label as at most two lines, broken between words, never inside one. What does not fit
/// ends in "…" (the table beside the chart gives every label in full).
fn label_lines(label: &str) -> Vec<String> {
    let mut lines: Vec<String> = vec![String::new()];
    let mut cut = false;
    for word in label.split_whitespace() {
        let Some(line) = lines.last_mut() else { break };
        if line.is_empty() || line.chars().count() + 1 + word.chars().count() <= LINE {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        } else if lines.len() < 2 {
            lines.push(word.to_owned());
        } else {
            cut = true;
            break;
        }
    }
    for line in &mut lines {
        // One word longer than a line (rare: a long place name) is shortened too.
        if line.chars().count() > LINE {
            *line = line.chars().take(LINE - 1).collect();
            cut = true;
        }
    }
    if cut && let Some(last) = lines.last_mut() {
        while last.chars().count() > LINE - 1 {
            match last.rfind(' ') {
                Some(space) => last.truncate(space),
                None => *last = last.chars().take(LINE - 1).collect(),
            }
        }
        last.push('…');
    }
    lines
}

/// A bar's label, its lines right-aligned at `right` and centred on `middle`.
fn label(svg: &mut String, right: f64, middle: f64, lines: &[String]) {
    let _ = write!(
        svg,
        r##"<text x="{right}" y="{}" text-anchor="end" font-size="14" fill="#212b32">"##,
        middle + 5.0 - 8.0 * (lines.len() as f64 - 1.0),
    );
    for (n, line) in lines.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<tspan x="{right}" dy="{}">{}</tspan>"##,
            if n == 0 { 0 } else { 16 },
            escape(line)
        );
    }
    svg.push_str("</text>");
}

/// A horizontal bar chart. Horizontal so long labels read on narrow screens.
pub fn bar_chart(id: &str, title: &str, summary: &str, bars: &[Bar]) -> String {
    const LABEL_WIDTH: u64 = 230;
    const BAR_AREA: u64 = 300;
    let labels: Vec<Vec<String>> = bars.iter().map(|b| label_lines(&b.label)).collect();
    // Rows grow to hold two lines when any label needs them.
    let row: u64 = if labels.iter().any(|l| l.len() > 1) {
        40
    } else {
        30
    };
    let width = LABEL_WIDTH + BAR_AREA + 110;
    let height = row * bars.len().max(1) as u64 + 10;
    let max = bars
        .iter()
        .filter_map(|b| b.value)
        .max()
        .unwrap_or(0)
        .max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="dignity-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(summary)
    );
    for ((i, bar), lines) in bars.iter().enumerate().zip(&labels) {
        let y = i as u64 * row + 5;
        let middle = y + row / 2;
        label(&mut svg, (LABEL_WIDTH - 8) as f64, middle as f64, lines);
        match bar.value {
            Some(value) => {
                let length = (value * BAR_AREA) / max;
                if length > 0 {
                    let _ = write!(
                        svg,
                        r##"<rect x="{LABEL_WIDTH}" y="{}" width="{length}" height="20" fill="#005eb8"/>"##,
                        middle - 10,
                    );
                }
                let _ = write!(
                    svg,
                    r##"<text x="{}" y="{}" font-size="14" fill="#212b32">{}</text>"##,
                    LABEL_WIDTH + length + 6,
                    middle + 5,
                    escape(&bar.shown)
                );
            }
            None => {
                let _ = write!(
                    svg,
                    r##"<text x="{}" y="{}" font-size="14" fill="#4c6272">{}</text>"##,
                    LABEL_WIDTH + 4,
                    middle + 5,
                    escape(&bar.shown)
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One part of a self-assessment: its level on the scale, and last round's.
pub struct LevelBar {
    pub label: String,
    pub level: Option<f64>,
    pub last: Option<f64>,
    pub shown: String,
}

/// Levels on a fixed scale from 0 to `top`, with a faint line at each level and a black
/// mark at last round's level. The scale is fixed, not fitted to the bars, so a part that
/// is weak looks weak.
pub fn level_chart(id: &str, title: &str, summary: &str, top: u8, bars: &[LevelBar]) -> String {
    const LABEL_WIDTH: f64 = 230.0;
    const BAR_AREA: f64 = 300.0;
    let labels: Vec<Vec<String>> = bars.iter().map(|b| label_lines(&b.label)).collect();
    let row: f64 = if labels.iter().any(|l| l.len() > 1) {
        40.0
    } else {
        30.0
    };
    let top = f64::from(top.max(1));
    let at = |level: f64| LABEL_WIDTH + BAR_AREA * level.clamp(0.0, top) / top;
    let width = LABEL_WIDTH + BAR_AREA + 170.0;
    let scale_height = 20.0;
    let height = scale_height + row * bars.len().max(1) as f64 + 10.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="dignity-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(summary)
    );
    for level in 1..=(top as u8) {
        let x = at(f64::from(level));
        let _ = write!(
            svg,
            r##"<text x="{x}" y="14" text-anchor="middle" font-size="13" fill="#4c6272">{level}</text><rect x="{}" y="{scale_height}" width="1" height="{}" fill="#d8dde0"/>"##,
            x - 0.5,
            height - scale_height - 5.0,
        );
    }
    for (i, (bar, lines)) in bars.iter().zip(&labels).enumerate() {
        let y = scale_height + i as f64 * row;
        let middle = y + row / 2.0;
        label(&mut svg, LABEL_WIDTH - 8.0, middle, lines);
        if let Some(level) = bar.level {
            let length = at(level) - LABEL_WIDTH;
            let _ = write!(
                svg,
                r##"<rect x="{LABEL_WIDTH}" y="{}" width="{length}" height="18" fill="#005eb8"/>"##,
                middle - 9.0,
            );
        }
        if let Some(last) = bar.last {
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="3" height="26" fill="#000000"/>"##,
                at(last) - 1.5,
                middle - 13.0,
            );
        }
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="14" fill="#212b32">{}</text>"##,
            LABEL_WIDTH + BAR_AREA + 10.0,
            middle + 5.0,
            escape(&bar.shown)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One organisation on a scatter chart.
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A value at a chart's edge, short enough to sit under an axis.
fn tick(value: f64) -> String {
    if value.abs() >= 100.0 || value.fract() == 0.0 {
        format!("{value:.0}")
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

// The plotting area of the two-figure charts, in the SVG's own units.
const PLOT_LEFT: f64 = 70.0;
const PLOT_TOP: f64 = 15.0;
const PLOT_WIDTH: f64 = 460.0;
const PLOT_HEIGHT: f64 = 300.0;
const PLOT_BOTTOM: f64 = PLOT_TOP + PLOT_HEIGHT;

/// The start of a two-figure chart: the SVG with its title and summary, both axes, and
/// what each axis shows. The caller adds the marks and closes the SVG.
fn two_figure_frame(
    id: &str,
    title: &str,
    summary: &str,
    (x_label, y_label): (&str, &str),
) -> String {
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="dignity-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        PLOT_LEFT + PLOT_WIDTH + 20.0,
        PLOT_BOTTOM + 75.0,
        escape(title),
        escape(summary)
    );
    let _ = write!(
        svg,
        r##"<path d="M{PLOT_LEFT} {PLOT_TOP}V{PLOT_BOTTOM} H{}" fill="none" stroke="#4c6272" stroke-width="1.5"/>"##,
        PLOT_LEFT + PLOT_WIDTH
    );
    let x_lines = label_lines(&format!("Across: {x_label}"));
    label(
        &mut svg,
        PLOT_LEFT + PLOT_WIDTH,
        PLOT_BOTTOM + 42.0 + 8.0 * (x_lines.len() as f64 - 1.0),
        &x_lines,
    );
    let _ = write!(
        svg,
        r##"<text x="{PLOT_LEFT}" y="{}" font-size="13" fill="#4c6272" text-anchor="start">Up: {}</text>"##,
        PLOT_BOTTOM + 68.0,
        escape(y_label)
    );
    svg
}

/// Words at each end of both axes: (left, right) under the horizontal one, (bottom, top)
/// beside the vertical one.
fn axis_ends(svg: &mut String, (left, right): (&str, &str), (bottom, top): (&str, &str)) {
    for (words, anchor, at) in [
        (left, "start", PLOT_LEFT),
        (right, "end", PLOT_LEFT + PLOT_WIDTH),
    ] {
        let _ = write!(
            svg,
            r##"<text x="{at}" y="{}" font-size="13" fill="#212b32" text-anchor="{anchor}">{}</text>"##,
            PLOT_BOTTOM + 18.0,
            escape(words)
        );
    }
    for (words, at) in [(bottom, PLOT_BOTTOM), (top, PLOT_TOP + 10.0)] {
        let _ = write!(
            svg,
            r##"<text x="{}" y="{at}" font-size="13" fill="#212b32" text-anchor="end">{}</text>"##,
            PLOT_LEFT - 6.0,
            escape(words)
        );
    }
}

/// A scatter chart: each point an organisation, one figure across and another up. A
/// picture of the table beside it, like every chart here.
pub fn scatter_chart(
    id: &str,
    title: &str,
    summary: &str,
    labels: (&str, &str),
    points: &[Point],
) -> String {
    let span = |values: &mut dyn Iterator<Item = f64>| {
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if !lo.is_finite() {
            (0.0, 1.0)
        } else if hi - lo < 1e-9 {
            (lo - 1.0, hi + 1.0)
        } else {
            // A little room so no point sits on an axis.
            let pad = (hi - lo) * 0.05;
            (lo - pad, hi + pad)
        }
    };
    let (x_lo, x_hi) = span(&mut points.iter().map(|p| p.x));
    let (y_lo, y_hi) = span(&mut points.iter().map(|p| p.y));
    let at_x = |v: f64| PLOT_LEFT + (v - x_lo) / (x_hi - x_lo) * PLOT_WIDTH;
    let at_y = |v: f64| PLOT_TOP + PLOT_HEIGHT - (v - y_lo) / (y_hi - y_lo) * PLOT_HEIGHT;
    let mut svg = two_figure_frame(id, title, summary, labels);
    // The axes' ends are the padded ends, so each label sits where its value is.
    axis_ends(
        &mut svg,
        (&tick(x_lo), &tick(x_hi)),
        (&tick(y_lo), &tick(y_hi)),
    );
    for p in points {
        let _ = write!(
            svg,
            r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="#005eb8" fill-opacity="0.75" stroke="#ffffff" stroke-width="1"/>"##,
            at_x(p.x),
            at_y(p.y)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One organisation's place on two figures at once, each from the lowest organisation (0)
/// to the highest (1), with dashed lines at the quarters. Places only: no figure of any
/// other organisation is drawn or written, so nothing here can be worked back to one.
pub fn place_chart(
    id: &str,
    title: &str,
    summary: &str,
    labels: (&str, &str),
    (x, y): (f64, f64),
) -> String {
    let at_x = |v: f64| PLOT_LEFT + 10.0 + v.clamp(0.0, 1.0) * (PLOT_WIDTH - 20.0);
    let at_y = |v: f64| PLOT_BOTTOM - 10.0 - v.clamp(0.0, 1.0) * (PLOT_HEIGHT - 20.0);
    let mut svg = two_figure_frame(id, title, summary, labels);
    for q in [0.25, 0.5, 0.75] {
        let _ = write!(
            svg,
            r##"<path d="M{:.1} {PLOT_TOP}V{PLOT_BOTTOM}M{PLOT_LEFT} {:.1}H{}" stroke="#768692" stroke-width="1" stroke-dasharray="4 4"/>"##,
            at_x(q),
            at_y(q),
            PLOT_LEFT + PLOT_WIDTH
        );
    }
    axis_ends(&mut svg, ("Lowest", "Highest"), ("Lowest", "Highest"));
    let _ = write!(
        svg,
        r##"<rect x="{:.1}" y="{:.1}" width="14" height="14" fill="#d5281b" stroke="#212b32" stroke-width="2"/>"##,
        at_x(x) - 7.0,
        at_y(y) - 7.0
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_text_and_skip_hidden_bars() {
        let svg = bar_chart(
            "c",
            "Cases <2026>",
            "A summary",
            &[
                Bar {
                    label: "A & B".into(),
                    value: Some(10),
                    shown: "10".into(),
                },
                Bar {
                    label: "C".into(),
                    value: None,
                    shown: "fewer than 6".into(),
                },
            ],
        );
        assert!(svg.contains("Cases &lt;2026&gt;"));
        assert!(svg.contains("A &amp; B"));
        assert_eq!(svg.matches("<rect").count(), 1);
        assert!(svg.contains("fewer than 6"));
        assert!(svg.contains(r#"role="img""#));
    }

    #[test]
    fn level_charts_draw_on_a_fixed_scale_with_last_round_marked() {
        let svg = level_chart(
            "l",
            "Levels",
            "Each part",
            4,
            &[
                LevelBar {
                    label: "Teams <&>".into(),
                    level: Some(2.0),
                    last: Some(3.0),
                    shown: "2 (last round 3)".into(),
                },
                LevelBar {
                    label: "Nobody yet".into(),
                    level: None,
                    last: None,
                    shown: "None yet".into(),
                },
            ],
        );
        assert!(svg.contains("Teams &lt;&amp;&gt;"));
        // Level 2 of 4 is half the 300-wide bar area.
        assert!(svg.contains(r#"width="150""#), "{svg}");
        assert_eq!(svg.matches("#005eb8").count(), 1);
        assert_eq!(svg.matches("#000000").count(), 1);
        assert!(svg.contains(">4</text>"));
    }

    /// Long labels break between words onto a second line, and what still does not fit
    /// ends in "…" at a word's end: never cut mid-word.
    #[test]
    fn long_labels_wrap_between_words() {
        assert_eq!(label_lines("Patient safety"), ["Patient safety"]);
        assert_eq!(
            label_lines("Bullying or harassment by a manager or colleague"),
            ["Bullying or harassment by a", "manager or colleague"]
        );
        let long = label_lines(
            "Worker safety or wellbeing, including violence and aggression from members of the public",
        );
        assert_eq!(long.len(), 2);
        assert!(long[1].ends_with('…'), "{long:?}");
        for line in &long {
            assert!(line.chars().count() <= LINE, "{line}");
        }
        let words: Vec<&str> = "Worker safety or wellbeing, including violence and aggression from members of the public"
            .split(' ')
            .collect();
        for line in &long {
            for word in line.trim_end_matches('…').split(' ') {
                assert!(words.contains(&word), "{word} was cut");
            }
        }
        let svg = bar_chart(
            "c",
            "t",
            "s",
            &[Bar {
                label: "Bullying or harassment by a manager or colleague".into(),
                value: Some(3),
                shown: "3".into(),
            }],
        );
        assert!(svg.contains(">manager or colleague</tspan>"), "{svg}");
    }
}

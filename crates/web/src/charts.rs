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

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A horizontal bar chart. Horizontal so long labels read on narrow screens.
pub fn bar_chart(id: &str, title: &str, summary: &str, bars: &[Bar]) -> String {
    const LABEL_WIDTH: u64 = 230;
    const BAR_AREA: u64 = 300;
    const ROW: u64 = 30;
    let width = LABEL_WIDTH + BAR_AREA + 110;
    let height = ROW * bars.len().max(1) as u64 + 10;
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
    for (i, bar) in bars.iter().enumerate() {
        let y = i as u64 * ROW + 5;
        let label: String = bar.label.chars().take(34).collect();
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="end" font-size="14" fill="#212b32">{}</text>"##,
            LABEL_WIDTH - 8,
            y + 18,
            escape(&label)
        );
        match bar.value {
            Some(value) => {
                let length = (value * BAR_AREA) / max;
                if length > 0 {
                    let _ = write!(
                        svg,
                        r##"<rect x="{LABEL_WIDTH}" y="{}" width="{length}" height="{}" fill="#005eb8"/>"##,
                        y + 4,
                        ROW - 10
                    );
                }
                let _ = write!(
                    svg,
                    r##"<text x="{}" y="{}" font-size="14" fill="#212b32">{}</text>"##,
                    LABEL_WIDTH + length + 6,
                    y + 18,
                    escape(&bar.shown)
                );
            }
            None => {
                let _ = write!(
                    svg,
                    r##"<text x="{}" y="{}" font-size="14" fill="#4c6272">{}</text>"##,
                    LABEL_WIDTH + 4,
                    y + 18,
                    escape(&bar.shown)
                );
            }
        }
    }
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
}

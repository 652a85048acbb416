//! The poster drawn for real: the PNG is decoded and looked at, the PDF is checked to be
//! one page.

// Tests stop at the first surprise: they may unwrap, expect, panic and index.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dignity_poster::{Poster, PosterAction, PosterMeasure, Tone, pdf, png, svg};

fn sample(actions: usize) -> Poster {
    let tones = [Tone::Good, Tone::Warning, Tone::Bad, Tone::Neutral];
    Poster {
        organisation: "Demo Teaching Hospitals NHS Foundation Trust".into(),
        title: "Respect at work: our plan to tackle bullying, 2026 to 2027".into(),
        as_of: "Progress on 26 November 2026".into(),
        actions: (0..actions)
            .map(|i| PosterAction {
                title: format!("Action {i}: civility training for every team leader <b>& manager</b>"),
                status: "On track".into(),
                tone: tones[i % 4],
                progress: (i * 15 % 101) as u8,
            })
            .collect(),
        measures: (0..actions / 2)
            .map(|_| PosterMeasure {
                title: "Staff who have been bullied or harassed by colleagues in the last year"
                    .into(),
                baseline: "26%".into(),
                latest: "24.5%".into(),
                target: "20%".into(),
            })
            .collect(),
        signed: "Signed for the employer by Ezra Evans and for the trade unions by Uma Patel on 1 October 2026 (version 3).".into(),
        url: "https://dignity.example.nhs.uk/plans/DEMO1".into(),
    }
}

#[test]
fn the_png_is_a_page_with_bars_text_and_a_qr_code() -> Result<(), Box<dyn std::error::Error>> {
    let poster = sample(10);
    let bytes = png(&poster, 2.0)?;
    std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("poster.png"),
        &bytes,
    )?;
    let image = image::load_from_memory(&bytes)?.to_rgba8();
    assert_eq!((image.width(), image.height()), (1190, 1684));
    let pixels: Vec<[u8; 4]> = image.pixels().map(|p| p.0).collect();
    let count = |wanted: [u8; 3]| {
        pixels
            .iter()
            .filter(|p| p[0] == wanted[0] && p[1] == wanted[1] && p[2] == wanted[2])
            .count()
    };
    // The blue header, green/yellow/red bars, and plenty of dark text and QR modules.
    assert!(count([0x00, 0x5e, 0xb8]) > 1190 * 250, "the blue header");
    for bar in [[0x00, 0x7f, 0x3b], [0xff, 0xb8, 0x1c], [0xd5, 0x28, 0x1b]] {
        assert!(count(bar) > 500, "a bar coloured {bar:?}");
    }
    assert!(count([0, 0, 0]) > 5_000, "the QR code's modules");
    let dark_text = pixels
        .iter()
        .filter(|p| p[0] < 80 && p[1] < 80 && p[2] < 80)
        .count();
    assert!(dark_text > 20_000, "text was drawn: {dark_text}");
    Ok(())
}

#[test]
fn the_pdf_is_one_page_with_its_text() -> Result<(), Box<dyn std::error::Error>> {
    let bytes = pdf(&sample(3))?;
    // However much a plan holds, it fits on the page.
    for many in [0, 40] {
        let drawn = svg(&sample(many))?;
        assert!(drawn.contains("</svg>"));
    }
    assert!(bytes.starts_with(b"%PDF-"));
    let raw = String::from_utf8_lossy(&bytes);
    assert_eq!(
        raw.matches("/Type /Page\n").count()
            + raw.matches("/Type /Page/").count()
            + raw.matches("/Type /Page ").count(),
        1,
        "one page"
    );
    assert!(
        raw.contains("FontFile"),
        "the font is embedded, so text stays text"
    );
    Ok(())
}

#[test]
fn hostile_text_stays_text_in_the_svg() -> Result<(), Box<dyn std::error::Error>> {
    let mut poster = sample(1);
    poster.title = "<script>alert(1)</script>".into();
    let drawn = svg(&poster)?;
    assert!(!drawn.contains("<script>"));
    assert!(drawn.contains("&lt;script&gt;"));
    Ok(())
}

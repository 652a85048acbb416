//! The quarterly board pack, on both databases: every section on the page, the same words
//! in the tagged PDF (read back with pdftotext) and in the workbook, issuing that keeps
//! the pack unchanged with its digest in the audit log and mails a link to each reader,
//! the schedule issuing once on a quarter's first working day, and who may do what.

use crate::board::survey_for;
use crate::support::{TestApp, TestResult};
use axum::http::StatusCode;
use dignity_app::admin::Operator;
use dignity_app::board::import_outcomes;
use dignity_app::board::pack;
use dignity_domain::identity::Role;
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::Quarter;
use sha2::{Digest, Sha256};
use std::process::Command;

dignity_store::on_both_backends!(
    crate::support::run;
    a_pack_says_the_same_on_its_page_its_pdf_and_its_workbook,
    an_issued_pack_is_kept_unchanged_mailed_and_audited,
    the_schedule_issues_each_pack_once_on_the_first_working_day,
);

const SECTIONS: [&str; 8] = [
    "Speaking up",
    "Staff survey",
    "Race and disability equality",
    "Fairness in employee relations",
    "Action plan progress",
    "Culture self-assessment",
    "Staff voice",
    "Outcomes for patients and staff",
];

/// The last quarter to end, as the pages choose it.
fn last_quarter() -> Quarter {
    Quarter::of(Day::from_unix_seconds(dignity_app::clock::system_now())).previous()
}

/// Outcomes for RJ1 in the last quarter and the one before, and a survey with too few
/// answers to show.
async fn some_figures(app: &TestApp) -> TestResult {
    let q = last_quarter();
    let before = q.previous();
    let file = format!(
        "ODS code,Period,Measure,Value\n\
         RJ1,{q},sickness_absence,5.2\nRJ1,{before},sickness_absence,4.8\n\
         RJ1,{q},vacancy_rate,7.0\nRJ1,{before},vacancy_rate,8.0\n"
    );
    let operator = Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli");
    import_outcomes(&operator, file.as_bytes()).await?;
    // Five people answered: too few to show anything of.
    survey_for(app, &app.org, 5, 3).await?;
    Ok(())
}

/// The text of `html` with tags dropped and the few entities askama writes undone.
fn unescaped(html: &str) -> String {
    html.replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Each "What this shows" line on a page.
fn readings(body: &str) -> Vec<String> {
    body.split("<strong>What this shows:</strong> ")
        .skip(1)
        .filter_map(|rest| rest.split("</p>").next())
        .map(unescaped)
        .collect()
}

fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One part of a workbook (a zip archive), as text.
fn part_of(xlsx: &[u8], name: &str) -> Result<String, Box<dyn std::error::Error>> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx))?;
    let mut xml = String::new();
    archive.by_name(name)?.read_to_string(&mut xml)?;
    Ok(xml)
}

/// Runs a poppler tool on a PDF written to a scratch file.
fn poppler(tool: &str, args: &[&str], pdf: &[u8]) -> Result<String, Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join(format!(
        "dignity-pack-{}-{}",
        std::process::id(),
        dignity_crypto::token::random_token()
    ));
    std::fs::create_dir_all(&dir)?;
    let file = dir.join("pack.pdf");
    std::fs::write(&file, pdf)?;
    let file_arg = file.to_string_lossy().into_owned();
    let mut all: Vec<&str> = args.to_vec();
    all.push(&file_arg);
    let out_prefix = dir.join("page").to_string_lossy().into_owned();
    if tool == "pdftoppm" {
        all.push(&out_prefix);
    } else if tool == "pdftotext" {
        all.push("-");
    }
    let out = Command::new(tool).args(&all).output().map_err(|e| {
        format!("{tool} is needed for this test (Debian: poppler-utils); it could not run: {e}")
    })?;
    assert!(
        out.status.success(),
        "{tool} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = String::from_utf8(out.stdout)?;
    if tool == "pdftoppm" {
        let mut pngs: Vec<String> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "png"))
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        pngs.sort();
        for png in &pngs {
            let bytes = std::fs::read(png)?;
            assert!(bytes.starts_with(b"\x89PNG"), "{png} is a PNG");
            assert!(bytes.len() > 5_000, "{png} has something drawn on it");
        }
        text = pngs.len().to_string();
        // Kept for a person to look at when asked to.
        if let Ok(keep) = std::env::var("DIGNITY_KEEP_PACK_PAGES") {
            for png in &pngs {
                let name = std::path::Path::new(png)
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                std::fs::copy(png, std::path::Path::new(&keep).join(name))?;
            }
        }
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(text)
}

async fn a_pack_says_the_same_on_its_page_its_pdf_and_its_workbook(app: &TestApp) -> TestResult {
    some_figures(app).await?;
    let executive = app.person("exec@nhs.uk", Some(Role::Executive)).await?;
    let mut browser = app.signed_in_browser(&executive).await?;
    let page = browser.get("/orgs/RJ1/board-pack").await?;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for section in SECTIONS {
        assert!(
            page.body.contains(&format!("\">{section}</h2>")),
            "{section}"
        );
    }
    let lines = readings(&page.body);
    assert_eq!(lines.len(), SECTIONS.len(), "a reading for every section");
    let q = last_quarter();
    assert!(
        lines.iter().any(|l| l
            .contains("of the 2 measures compared, sickness absence got worse, 1 got better and 0 hardly changed")),
        "{lines:?}"
    );

    let pdf = browser
        .get(&format!("/orgs/RJ1/board-pack.pdf?quarter={q}"))
        .await?;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.bytes.starts_with(b"%PDF-"));
    let text =
        squeezed(&poppler("pdftotext", &["-layout", "-q"], &pdf.bytes)?.replace('\u{c}', " "));
    let text_plain = squeezed(&poppler("pdftotext", &["-q"], &pdf.bytes)?.replace('\u{c}', " "));
    for line in &lines {
        assert!(
            text_plain.contains(&squeezed(line)) || text.contains(&squeezed(line)),
            "the PDF says what the page says: {line}\n{text_plain}"
        );
    }
    for section in SECTIONS {
        assert!(text_plain.contains(section), "{section} in the PDF");
    }
    assert!(text_plain.contains("5.2%") && text_plain.contains("4.8%"));
    // Tagged, and says it meets PDF/UA-1.
    let info = poppler("pdfinfo", &[], &pdf.bytes)?;
    assert!(
        info.contains("Tagged:")
            && info
                .lines()
                .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
        "{info}"
    );
    assert!(
        info.contains("Title:") && info.contains("Board pack: Trust RJ1"),
        "{info}"
    );
    let pages: usize = poppler("pdftoppm", &["-png", "-r", "40"], &pdf.bytes)?.parse()?;
    assert!(pages >= 2, "{pages} pages");

    let xlsx = browser
        .get(&format!("/orgs/RJ1/board-pack.xlsx?quarter={q}"))
        .await?;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"));
    let sheets = part_of(&xlsx.bytes, "xl/workbook.xml")?;
    assert!(sheets.contains("<sheet name=\"readings\""), "{sheets}");
    assert!(
        sheets.contains("<sheet name=\"outcomes-figures\""),
        "{sheets}"
    );
    let words = unescaped(&part_of(&xlsx.bytes, "xl/sharedStrings.xml")?);
    for line in &lines {
        assert!(
            words.contains(line.as_str()),
            "the workbook says what the page says: {line}"
        );
    }

    // A quarter under way has no pack; a quarter that is not one is refused.
    let now = Quarter::of(Day::from_unix_seconds(dignity_app::clock::system_now()));
    let under_way = browser
        .get(&format!("/orgs/RJ1/board-pack?quarter={now}"))
        .await?;
    assert_eq!(under_way.status, StatusCode::BAD_REQUEST);
    assert!(under_way.body.contains("Choose a quarter from the list"));
    let old = browser.get("/orgs/RJ1/board-pack?quarter=2000-Q1").await?;
    assert_eq!(old.status, StatusCode::BAD_REQUEST);
    let junk = browser.get("/orgs/RJ1/board-pack?quarter=2026-Q9").await?;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);
    // Nobody reads another organisation's pack.
    let elsewhere = browser.get("/orgs/RJ2/board-pack").await?;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    Ok(())
}

async fn an_issued_pack_is_kept_unchanged_mailed_and_audited(app: &TestApp) -> TestResult {
    some_figures(app).await?;
    let executive = app.person("exec@nhs.uk", Some(Role::Executive)).await?;
    let union = app.person("union@nhs.uk", Some(Role::UnionPartner)).await?;
    app.person("guardian@nhs.uk", Some(Role::Guardian)).await?;
    let q = last_quarter();

    // A union partner reads packs but does not issue them.
    let mut partner = app.signed_in_browser(&union).await?;
    let page = partner.get("/orgs/RJ1/board-pack").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Issue the pack"));
    let refused = partner
        .post("/orgs/RJ1/board-pack/issue", &[("quarter", &q.to_string())])
        .await?;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut board = app.signed_in_browser(&executive).await?;
    let page = board.get("/orgs/RJ1/board-pack").await?;
    assert!(page.body.contains("Issue the pack"));
    let junk = board
        .post("/orgs/RJ1/board-pack/issue", &[("quarter", "soon")])
        .await?;
    assert_eq!(junk.status, StatusCode::BAD_REQUEST);
    // Pressed twice at once (a double click, or two tabs): one pack, mailed once (the
    // mails are counted below).
    let mut same_again = app.signed_in_browser(&executive).await?;
    let quarter = q.to_string();
    let form = [("quarter", quarter.as_str())];
    let (issued, twin) = tokio::join!(
        board.post("/orgs/RJ1/board-pack/issue", &form),
        same_again.post("/orgs/RJ1/board-pack/issue", &form),
    );
    let (issued, twin) = (issued?, twin?);
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.body);
    assert_eq!(twin.status, StatusCode::SEE_OTHER, "{}", twin.body);
    let href = issued.location.clone().unwrap_or_default();
    assert!(href.starts_with("/orgs/RJ1/board-packs/"), "{href}");
    assert_eq!(twin.location.as_deref(), Some(href.as_str()));

    let first_pdf = board.get(&format!("{href}/pack.pdf")).await?;
    assert_eq!(first_pdf.content_type, "application/pdf");
    let digest = hex::encode(Sha256::digest(&first_pdf.bytes));
    let kept_page = board.get(&href).await?;
    assert!(
        kept_page.body.contains(&digest),
        "the page shows the fingerprint"
    );
    assert!(kept_page.body.contains("exactly as it was issued"));
    // The audit log holds the same fingerprint.
    let entries = dignity_store::audit::list_for_organisation(&app.db, "RJ1", None, 50).await?;
    let issue = entries
        .iter()
        .find(|e| e.action == "board_pack.issue")
        .ok_or("an audit entry")?;
    assert!(issue.detail.contains(&digest), "{}", issue.detail);
    assert_eq!(issue.actor, "exec@nhs.uk");

    // Each reader is mailed a link and the fingerprint, never the pack; the guardian is not.
    let mails: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT to_address, body, attachment_name FROM mail_outbox WHERE purpose LIKE 'board-pack:%' ORDER BY to_address",
    )
    .fetch_all(app.db.pool())
    .await?;
    let to: Vec<&str> = mails.iter().map(|m| m.0.as_str()).collect();
    assert_eq!(to, vec!["exec@nhs.uk", "union@nhs.uk"]);
    for (_, body, attachment) in &mails {
        assert!(body.contains(&href) && body.contains(&digest), "{body}");
        assert!(attachment.is_empty());
    }

    // A copy of the database without the installation secret shows neither the PDF nor
    // the words.
    let (pdf_kept, words_kept): (Vec<u8>, Vec<u8>) =
        sqlx::query_as("SELECT pdf, content FROM board_packs")
            .fetch_one(app.db.pool())
            .await?;
    assert!(!pdf_kept.windows(5).any(|w| w == b"%PDF-"));
    for plain in [&b"Sickness"[..], b"What this shows", b"Trust RJ1", b"5.2%"] {
        assert!(!words_kept.windows(plain.len()).any(|w| w == plain));
        assert!(!pdf_kept.windows(plain.len()).any(|w| w == plain));
    }

    // Pressed again with nothing changed: the same pack, and nobody is mailed twice.
    let twice = board
        .post("/orgs/RJ1/board-pack/issue", &[("quarter", &q.to_string())])
        .await?;
    assert_eq!(twice.location.as_deref(), Some(href.as_str()));
    let (mailed,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM mail_outbox WHERE purpose LIKE 'board-pack:%'")
            .fetch_one(app.db.pool())
            .await?;
    assert_eq!(mailed, 2);

    // The figures change; the issued pack does not, and the live one does.
    let file = format!("ODS code,Period,Measure,Value\nRJ1,{q},sickness_absence,9.9\n");
    let operator = Operator::new(app.db.clone(), dignity_app::Clock::system(), "cli");
    import_outcomes(&operator, file.as_bytes()).await?;
    let again = board.get(&format!("{href}/pack.pdf")).await?;
    assert_eq!(again.bytes, first_pdf.bytes, "an issued pack never changes");
    let kept_again = board.get(&href).await?;
    assert!(!kept_again.body.contains("9.9%"));
    let live = board.get("/orgs/RJ1/board-pack").await?;
    assert!(live.body.contains("9.9%"));
    assert!(
        live.body.contains(&href),
        "the list of packs issued links to it"
    );
    let xlsx = board.get(&format!("{href}/pack.xlsx")).await?;
    assert!(xlsx.bytes.starts_with(b"PK"));

    // Each issue mails every reader: at most five a day.
    for (n, value) in ["8.1", "8.2", "8.3", "8.4", "8.5"].iter().enumerate() {
        let file = format!("ODS code,Period,Measure,Value\nRJ1,{q},sickness_absence,{value}\n");
        import_outcomes(&operator, file.as_bytes()).await?;
        let page = board
            .post("/orgs/RJ1/board-pack/issue", &[("quarter", &q.to_string())])
            .await?;
        if n < 4 {
            assert_eq!(page.status, StatusCode::SEE_OTHER, "issue {}", n + 2);
        } else {
            assert_eq!(page.status, StatusCode::CONFLICT);
            assert!(
                page.body.contains("no more can be issued until tomorrow"),
                "{}",
                page.body
            );
        }
    }
    // At the limit, an unchanged pack is still the issued one, not a refusal.
    let file = format!("ODS code,Period,Measure,Value\nRJ1,{q},sickness_absence,8.4\n");
    import_outcomes(&operator, file.as_bytes()).await?;
    let page = board
        .post("/orgs/RJ1/board-pack/issue", &[("quarter", &q.to_string())])
        .await?;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.body);

    // Another organisation's reader cannot reach it, even by its number.
    let outsider = app
        .person_in("other@nhs.uk", Some(Role::Executive), &app.other_org)
        .await?;
    let mut other = app.signed_in_browser(&outsider).await?;
    let id = href.rsplit('/').next().unwrap_or_default();
    let page = other.get(&format!("/orgs/RJ2/board-packs/{id}")).await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = other
        .get(&format!("/orgs/RJ2/board-packs/{id}/pack.pdf"))
        .await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    Ok(())
}

/// Noon on `day`, as a fixed clock.
fn noon(day: &str) -> Result<dignity_app::Clock, Box<dyn std::error::Error>> {
    let day = Day::parse(day)?;
    let since = day.days_since(Day::from_unix_seconds(0));
    Ok(dignity_app::Clock::fixed(since * 86_400 + 43_200))
}

async fn the_schedule_issues_each_pack_once_on_the_first_working_day(app: &TestApp) -> TestResult {
    app.person("exec@nhs.uk", Some(Role::Executive)).await?;
    // RJ2 has nobody to read a pack: none is made for it.
    let mut ctx = app.state.app.clone();
    let count = || async {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM board_packs WHERE scheduled = 1")
            .fetch_one(app.db.pool())
            .await?;
        Ok::<i64, Box<dyn std::error::Error>>(n)
    };
    // Wednesday 30 September 2026: the quarter has not ended.
    ctx.clock = noon("2026-09-30")?;
    assert_eq!(pack::issue_due(&ctx, "https://dignity.test").await?, 0);
    // Thursday 1 October 2026, the first working day: July to September's pack.
    ctx.clock = noon("2026-10-01")?;
    assert_eq!(pack::issue_due(&ctx, "https://dignity.test").await?, 1);
    assert_eq!(
        pack::issue_due(&ctx, "https://dignity.test").await?,
        0,
        "once"
    );
    // A second server running it too issues nothing more.
    let mut elsewhere = app.browser_on_another_server()?;
    let _ = elsewhere.get("/").await?;
    assert_eq!(count().await?, 1);
    let (quarter, by): (String, String) =
        sqlx::query_as("SELECT quarter, issued_by FROM board_packs")
            .fetch_one(app.db.pool())
            .await?;
    assert_eq!((quarter.as_str(), by.as_str()), ("2026-Q3", "schedule"));
    // Weeks later, a missed pack is not issued on the schedule any more.
    ctx.clock = noon("2027-01-29")?;
    assert_eq!(pack::issue_due(&ctx, "https://dignity.test").await?, 0);
    Ok(())
}

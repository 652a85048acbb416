//! `dignity assure anonymity`: a scripted anonymous session against a real `dignity serve`
//! (a concern with an attachment, a follow-up with the receipt code, and a survey answered
//! with an invitation code), sent from a loopback address of its own, through a forwarding
//! header the server is told to trust, with a telltale user agent and referrer. Then the
//! database, the server's log (at debug level) and every temporary file it made are
//! searched for any of them, for the words of the attachment, and (in the database) for
//! any number equal to a second of the session. Nothing may be found.

use anyhow::{Context, bail};
use dignity_app::assure::{Cell, ScratchDb};
use dignity_app::data::Backend;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The reporter's own loopback address: nothing else in the session uses it.
const REPORTER_ADDRESS: &str = "127.0.0.77";
const FORWARDED_FOR: &str = "198.51.100.23";
const USER_AGENT: &str = "DignityAnonymityCheck/7.1 (Reporter Laptop)";
const REFERRER: &str = "https://intranet.example.nhs.uk/staff/ruth-reporter";
const ATTACHMENT: &str = "Shift notes kept by the reporter: the charge nurse on Ward 9.";
const CONCERN: &str = "I am shouted at in front of patients at handover.";
const REPLY: &str = "It happened again on the late shift by the linen cupboard.";

pub async fn run(backend: Backend) -> anyhow::Result<()> {
    let work = crate::assure::work_dir("anonymity")?;
    let test_db = ScratchDb::new(backend)
        .await
        .with_context(|| format!("could not make a {backend:?} database"))?;
    let outcome = session_and_scan(&test_db, &work).await;
    test_db.finish().await;
    let _ = std::fs::remove_dir_all(&work);
    let line = outcome?;
    println!("{line}");
    Ok(())
}

async fn session_and_scan(test_db: &ScratchDb, work: &Path) -> anyhow::Result<String> {
    let server_tmp = work.join("server-tmp");
    let client = work.join("client");
    std::fs::create_dir_all(&server_tmp)?;
    std::fs::create_dir_all(&client)?;
    let db = &test_db.db;
    let ods = crate::bench::speakup_trust(db).await?;
    let survey = crate::assure::survey_campaign(db, &ods, 1).await?;
    let code = survey
        .codes
        .first()
        .cloned()
        .context("no invitation code")?;

    let port = crate::assure::free_port()?;
    let log = work.join("server.log");
    let mut server = Command::new(std::env::current_exe()?)
        .arg("serve")
        .env("DIGNITY_DATABASE_URL", &test_db.url)
        .env("DIGNITY_SECRET_KEY", crate::assure::run_secret())
        .env("DIGNITY_BIND", format!("127.0.0.1:{port}"))
        .env("DIGNITY_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("DIGNITY_LOG_LEVEL", "debug")
        .env("DIGNITY_LOG_FORMAT", "json")
        .env("DIGNITY_TRUST_FORWARDED_FOR", "true")
        .env("TMPDIR", &server_tmp)
        .env_remove("DIGNITY_SMTP_URL")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(work.join("server.out"))?)
        .stderr(std::fs::File::create(&log)?)
        .spawn()
        .context("could not start dignity serve")?;
    let outcome = async {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .build()
            .into();
        crate::assure::wait_until_ready(&agent, port)?;
        // Times are kept to the second: let the set-up's second pass, so any number of
        // this second or the next can only be the session's.
        std::thread::sleep(Duration::from_millis(1_100));
        let from = dignity_app::clock::system_now();
        anonymous_session(port, &ods, &code, survey.pages, &client)?;
        let until = dignity_app::clock::system_now();
        Ok::<_, anyhow::Error>((from, until))
    }
    .await;
    // A graceful stop, so the log is complete.
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();
    let (from, until) = outcome?;

    let needles = [
        REPORTER_ADDRESS,
        FORWARDED_FOR,
        USER_AGENT,
        "DignityAnonymityCheck",
        "intranet.example",
        "ruth-reporter",
        "charge nurse on Ward 9",
        // Content is stored only as ciphertext.
        "shouted at in front of patients",
        "linen cupboard",
    ];
    let mut found = Vec::new();
    let (tables, numbers) = scan_tables(test_db, &needles, from, until, &mut found).await?;
    let stored = stored_copy(test_db, work)?;
    scan_bytes(
        "the database as stored",
        &std::fs::read(&stored)?,
        &needles,
        &mut found,
    );
    let log_text = std::fs::read(&log)?;
    let log_lines = log_text.iter().filter(|b| **b == b'\n').count();
    if log_lines == 0 {
        bail!("the server wrote no log at all, so the log check would prove nothing");
    }
    scan_bytes("the server's log", &log_text, &needles, &mut found);
    // At debug level the log must not hold the statements the anonymous session caused
    // either: each line carries a time to the microsecond.
    let statements = [
        "INSERT INTO cases",
        "INSERT INTO case_entries",
        "survey_drafts",
        "survey_pending",
        "survey_tokens",
    ];
    scan_bytes("the server's log", &log_text, &statements, &mut found);
    scan_bytes(
        "the server's output",
        &std::fs::read(work.join("server.out"))?,
        &needles,
        &mut found,
    );
    let temporary = files_under(&server_tmp);
    for file in &temporary {
        scan_bytes(
            &file.display().to_string(),
            &std::fs::read(file)?,
            &needles,
            &mut found,
        );
    }
    let line = format!(
        "anonymity ({:?}): a concern with an attachment, a follow-up with a reply and a survey answer from {REPORTER_ADDRESS} (forwarded for {FORWARDED_FOR}); searched {tables} tables ({numbers} numbers for the session's seconds), the database as stored, {log_lines} log lines at debug level and {} temporary files: {} found",
        test_db.db.backend(),
        temporary.len(),
        found.len()
    );
    if !found.is_empty() {
        bail!("{line}: {}", found.join("; "));
    }
    Ok(line)
}

/// The session, with curl: it can send from a chosen local address, as a reporter's own
/// machine would.
fn anonymous_session(
    port: u16,
    ods: &str,
    code: &str,
    pages: usize,
    client: &Path,
) -> anyhow::Result<()> {
    let base = format!("http://127.0.0.1:{port}");
    let jar = client.join("cookies");
    let curl = |args: &[&str]| -> anyhow::Result<String> {
        let output = Command::new("curl")
            .args(["--silent", "--show-error", "--interface", REPORTER_ADDRESS])
            .args(["--cookie-jar"])
            .arg(&jar)
            .args(["--cookie"])
            .arg(&jar)
            .args(["--user-agent", USER_AGENT, "--referer", REFERRER])
            .args(["--header", &format!("X-Forwarded-For: {FORWARDED_FOR}")])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .context("curl could not be run (apt-get install curl)")?;
        if !output.status.success() {
            bail!("curl failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    curl(&[&format!("{base}/speak-up/{ods}")])?;
    let jar_text = std::fs::read_to_string(&jar)?;
    let token = jar_text
        .lines()
        .find_map(|l| {
            let fields: Vec<&str> = l.split('\t').collect();
            match fields.get(5..7) {
                Some(&["dignity_csrf", value]) => Some(value.to_owned()),
                _ => None,
            }
        })
        .context("no form token cookie")?;
    let notes = client.join("shift-notes.txt");
    std::fs::write(&notes, ATTACHMENT)?;
    let page = curl(&[
        "--form",
        "identity=anonymous",
        "--form",
        &format!("what_happened={CONCERN}"),
        "--form",
        "patient_safety=not_sure",
        "--form",
        &format!("attachments=@{};type=text/plain", notes.display()),
        &format!("{base}/speak-up/{ods}?csrf_token={token}"),
    ])?;
    let receipt = crate::assure::receipt(&page).context("the concern got no receipt")?;
    let open_conversation = || {
        curl(&[
            "--data-urlencode",
            &format!("csrf_token={token}"),
            "--data-urlencode",
            &format!("code={receipt}"),
            &format!("{base}/speak-up/follow-up"),
        ])
    };
    let page = open_conversation()?;
    // The wrong-code page also mentions messages: only the concern's own words prove the
    // follow-up opened it.
    if !page.contains("What you told us") || !page.contains(CONCERN) {
        bail!("the follow-up with the receipt code did not open the concern");
    }
    // A reply from the reporter, so that path is searched too.
    let page = curl(&[
        "--location",
        "--data-urlencode",
        &format!("csrf_token={token}"),
        "--data-urlencode",
        &format!("code={receipt}"),
        "--data-urlencode",
        &format!("message={REPLY}"),
        &format!("{base}/speak-up/follow-up/reply"),
    ])?;
    if !page.contains(REPLY) && !open_conversation()?.contains(REPLY) {
        bail!("the reporter's reply did not reach their conversation");
    }
    let page = curl(&[
        "--data-urlencode",
        &format!("csrf_token={token}"),
        "--data-urlencode",
        &format!("code={code}"),
        "--data-urlencode",
        &format!("page={pages}"),
        "--data-urlencode",
        "go=send",
        // Sending redirects to the thank-you page; curl follows it as a browser would.
        "--location",
        &format!("{base}/survey"),
    ])?;
    if !page.contains("Your answers have been sent") {
        bail!("the survey answer was not sent");
    }
    Ok(())
}

/// Every text, binary and number value in every table: returns (tables, numbers checked).
async fn scan_tables(
    test_db: &ScratchDb,
    needles: &[&str],
    from: i64,
    until: i64,
    found: &mut Vec<String>,
) -> anyhow::Result<(usize, usize)> {
    let mut numbers = 0;
    let tables = dignity_app::assure::every_cell(&test_db.db, |table, column, cell| match cell {
        Cell::Number(n) => {
            numbers += 1;
            if (from..=until).contains(&n) {
                found.push(format!("{table}.{column} holds the session's time"));
            }
        }
        Cell::Text(text) => {
            for needle in needles {
                if text.contains(needle) {
                    found.push(format!("{table}.{column} holds {needle}"));
                }
            }
        }
    })
    .await?;
    Ok((tables, numbers))
}

/// The database as a thief would take it: the SQLite file (after folding in its log), or a
/// `pg_dump`.
fn stored_copy(test_db: &ScratchDb, work: &Path) -> anyhow::Result<PathBuf> {
    let copy = work.join("stored");
    match test_db.db.backend() {
        Backend::Sqlite => {
            let path = test_db
                .url
                .strip_prefix("sqlite://")
                .context("not a SQLite address")?;
            let mut bytes = std::fs::read(path)?;
            if let Ok(wal) = std::fs::read(format!("{path}-wal")) {
                bytes.extend_from_slice(&wal);
            }
            std::fs::write(&copy, bytes)?;
        }
        Backend::Postgres => {
            let dump = Command::new("pg_dump")
                .args(["--dbname", &test_db.url, "--file"])
                .arg(&copy)
                .stdin(Stdio::null())
                .output()
                .context("pg_dump could not be run (apt-get install postgresql-client)")?;
            if !dump.status.success() {
                bail!("pg_dump failed: {}", String::from_utf8_lossy(&dump.stderr));
            }
        }
    }
    Ok(copy)
}

fn scan_bytes(what: &str, bytes: &[u8], needles: &[&str], found: &mut Vec<String>) {
    let text = String::from_utf8_lossy(bytes);
    for needle in needles {
        if text.contains(needle) {
            found.push(format!("{what} holds {needle}"));
        }
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

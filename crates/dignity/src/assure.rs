//! `dignity assure`: the reliability checks of the assurance campaign (docs/assurance.md)
//! that need the real server as a separate process.
//!
//! `crash`: concerns are sent to a real `dignity serve` over loopback by several senders
//! at once, while the server is killed with SIGKILL at random moments and started again.
//! Every concern whose receipt came back must be in the database afterwards, and no
//! concern may be half written (missing a seal or its text).

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use dignity_store::Backend;
use dignity_store::testing::TestDb;
use rand::Rng;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Which {
    Sqlite,
    Postgres,
}

#[derive(Debug, Subcommand)]
pub enum AssureCommand {
    /// Kill the server at random moments under load; check that nothing acknowledged was
    /// lost and nothing was half written. Exits with failure if anything was.
    Crash {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Which,
        /// How many times the server is killed.
        #[arg(long, default_value_t = 20)]
        kills: usize,
        /// Senders at once.
        #[arg(long, default_value_t = 8)]
        senders: usize,
    },
}

pub async fn run(command: AssureCommand) -> anyhow::Result<()> {
    let AssureCommand::Crash {
        backend,
        kills,
        senders,
    } = command;
    let backend = match backend {
        Which::Sqlite => Backend::Sqlite,
        Which::Postgres => Backend::Postgres,
    };
    let test_db = TestDb::new(backend)
        .await
        .with_context(|| format!("could not make a {backend:?} database"))?;
    let outcome = crash(&test_db, kills, senders).await;
    test_db.finish().await;
    let report = outcome?;
    println!(
        "crash durability ({backend:?}): {} kills, {} sent, {} acknowledged, {} found, {} lost, {} half written",
        report.kills,
        report.sent,
        report.acknowledged,
        report.found,
        report.lost,
        report.half_written
    );
    if report.lost > 0 || report.half_written > 0 {
        bail!("acknowledged concerns were lost or half written");
    }
    Ok(())
}

struct Report {
    kills: usize,
    sent: usize,
    acknowledged: usize,
    found: usize,
    lost: usize,
    half_written: usize,
}

/// A free port on loopback.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

fn start_server(url: &str, port: u16) -> anyhow::Result<Child> {
    Command::new(std::env::current_exe()?)
        .arg("serve")
        .env("DIGNITY_DATABASE_URL", url)
        .env("DIGNITY_BIND", format!("127.0.0.1:{port}"))
        .env("DIGNITY_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("DIGNITY_LOG_LEVEL", "error")
        .env("DIGNITY_SPEAKUP_MAX_PER_HOUR", "1000000")
        .env_remove("DIGNITY_SMTP_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("could not start dignity serve")
}

fn wait_until_ready(agent: &ureq::Agent, port: u16) -> anyhow::Result<()> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if agent
            .get(&format!("http://127.0.0.1:{port}/readyz"))
            .call()
            .is_ok()
        {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("the server did not become ready within a minute")
}

/// The receipt code on the page a successful submission returns.
fn receipt(page: &str) -> Option<String> {
    let start = page.find("class=\"dignity-receipt\">")? + "class=\"dignity-receipt\">".len();
    let end = page[start..].find('<')? + start;
    Some(page[start..end].trim().to_owned())
}

async fn crash(test_db: &TestDb, kills: usize, senders: usize) -> anyhow::Result<Report> {
    let db = &test_db.db;
    let ods = crate::bench::speakup_trust(db).await?;
    let port = free_port()?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut server = start_server(&test_db.url, port)?;
    wait_until_ready(&agent, port)?;

    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let codes = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut threads = Vec::new();
    for sender in 0..senders.max(1) {
        let (stop, sent, codes, agent) = (stop.clone(), sent.clone(), codes.clone(), agent.clone());
        let url = format!("http://127.0.0.1:{port}/speak-up/{ods}");
        threads.push(std::thread::spawn(move || {
            let token = dignity_crypto::token::random_token();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                sent.fetch_add(1, Ordering::Relaxed);
                let body = format!(
                    "csrf_token={token}&identity=anonymous&patient_safety=not_sure&what_happened=Assurance+concern+{sender}-{n}%2C+written+to+be+found+after+a+crash."
                );
                let response = agent
                    .post(&url)
                    .header("Cookie", &format!("dignity_csrf={token}"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .send(body.as_str());
                let Ok(mut response) = response else {
                    // The server was killed mid-request: not acknowledged.
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                if response.status().as_u16() != 200 {
                    continue;
                }
                let code = response
                    .body_mut()
                    .read_to_string()
                    .ok()
                    .as_deref()
                    .and_then(receipt);
                if let (Some(code), Ok(mut all)) = (code, codes.lock()) {
                    all.push(code);
                }
            }
        }));
    }

    let mut rng = rand::thread_rng();
    for _ in 0..kills {
        std::thread::sleep(Duration::from_millis(rng.gen_range(300..1_500)));
        server.kill().context("could not kill the server")?;
        server.wait()?;
        server = start_server(&test_db.url, port)?;
        wait_until_ready(&agent, port)?;
    }
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    for thread in threads {
        let _ = thread.join();
    }
    // The last kill comes with no warning too; the database is checked after it.
    server.kill()?;
    server.wait()?;

    let codes = codes.lock().map(|c| c.clone()).unwrap_or_default();
    let mut lost = 0;
    for code in &codes {
        let parsed = dignity_crypto::speakup::ReceiptCode::parse(code)
            .map_err(|e| anyhow::anyhow!("a receipt could not be read: {e}"))?;
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM cases WHERE receipt_lookup = $1")
                .bind(parsed.lookup())
                .fetch_optional(db.pool())
                .await?;
        if found.is_none() {
            lost += 1;
        }
    }
    let found: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
        .fetch_one(db.pool())
        .await?;
    // Every case has its four seals (receipt, recovery key, two guardians) and its text.
    let half_written: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM cases c WHERE (SELECT COUNT(*) FROM case_seals s WHERE s.case_id = c.id) <> 4 \
         OR NOT EXISTS (SELECT 1 FROM case_entries e WHERE e.case_id = c.id)",
    )
    .fetch_one(db.pool())
    .await?;
    if db.backend() == Backend::Sqlite {
        let check: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(db.pool())
            .await?;
        if check != "ok" {
            bail!("SQLite's integrity check failed: {check}");
        }
    }
    Ok(Report {
        kills,
        sent: sent.load(Ordering::Relaxed),
        acknowledged: codes.len(),
        found: found.max(0) as usize,
        lost,
        half_written: half_written.max(0) as usize,
    })
}

//! `dignity assure`: the reliability checks of the assurance campaign (docs/assurance.md)
//! that need the real server as a separate process.
//!
//! `crash`: concerns are sent to a real `dignity serve` over loopback by several senders
//! at once, while the server is killed with SIGKILL at random moments and started again.
//! Every concern whose receipt came back must be in the database afterwards, and no
//! concern may be half written (missing a seal or its text). Survey answers sent with
//! invitation codes run alongside: every acknowledged code must be used up, and every used
//! code must have exactly one stored response.

use anyhow::{Context, bail};
use clap::{Subcommand, ValueEnum};
use dignity_app::admin::Operator;
use dignity_app::assure::{self, Fingerprint, ScratchDb, Snapshot};
use dignity_app::data::{self, Backend, DbOptions};
use dignity_app::survey::campaigns::NewCampaign;
use dignity_app::{Clock, Db};
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
    /// An anonymous session (a concern with an attachment, a follow-up, a survey answer)
    /// against a real server, then the database, the log and the temporary files searched
    /// for anything that could identify the sender. Exits with failure if anything is found.
    Anonymity {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Which,
    },
    /// Back up a database while concerns are being written, restore the copy into a fresh
    /// database, and check that every concern acknowledged before the backup began is in
    /// it and that the restored rows match the backup, table by table. SQLite is backed up
    /// with `dignity backup`, PostgreSQL with `pg_dump` (docs/operations.md).
    Backup {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Which,
        /// Senders at once during the backup.
        #[arg(long, default_value_t = 8)]
        senders: usize,
    },
}

pub async fn run(command: AssureCommand) -> anyhow::Result<()> {
    let (backend, kills, senders) = match command {
        AssureCommand::Crash {
            backend,
            kills,
            senders,
        } => (backend, kills, senders),
        AssureCommand::Backup { backend, senders } => return backup_check(backend, senders).await,
        AssureCommand::Anonymity { backend } => {
            return crate::assure_anonymity::run(match backend {
                Which::Sqlite => Backend::Sqlite,
                Which::Postgres => Backend::Postgres,
            })
            .await;
        }
    };
    let backend = match backend {
        Which::Sqlite => Backend::Sqlite,
        Which::Postgres => Backend::Postgres,
    };
    let test_db = ScratchDb::new(backend)
        .await
        .with_context(|| format!("could not make a {backend:?} database"))?;
    let outcome = crash(&test_db, kills, senders).await;
    test_db.finish().await;
    let report = outcome?;
    println!(
        "crash durability ({backend:?}): {} kills; concerns: {} sent, {} acknowledged, {} found, {} lost, {} half written; survey answers: {} sent, {} acknowledged, {} found, {} lost, {} half written",
        report.kills,
        report.sent,
        report.acknowledged,
        report.found,
        report.lost,
        report.half_written,
        report.answers_sent,
        report.answers_acknowledged,
        report.answers_found,
        report.answers_lost,
        report.answers_half_written
    );
    if report.lost + report.half_written + report.answers_lost + report.answers_half_written > 0 {
        bail!("acknowledged concerns or survey answers were lost or half written");
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
    answers_sent: usize,
    answers_acknowledged: usize,
    answers_found: usize,
    answers_lost: usize,
    answers_half_written: usize,
}

/// A free port on loopback.
pub(crate) fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// One installation secret for every server this run starts, so a restarted server can
/// still open what an earlier one sealed (PostgreSQL servers have no secret file).
pub(crate) fn run_secret() -> &'static str {
    static SECRET: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SECRET.get_or_init(crate::admin::generate_secret)
}

fn start_server(url: &str, port: u16) -> anyhow::Result<Child> {
    Command::new(std::env::current_exe()?)
        .arg("serve")
        .env("DIGNITY_DATABASE_URL", url)
        .env("DIGNITY_SECRET_KEY", run_secret())
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

pub(crate) fn wait_until_ready(agent: &ureq::Agent, port: u16) -> anyhow::Result<()> {
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
pub(crate) fn receipt(page: &str) -> Option<String> {
    let start = page.find("class=\"dignity-receipt\">")? + "class=\"dignity-receipt\">".len();
    let end = page[start..].find('<')? + start;
    Some(page[start..end].trim().to_owned())
}

/// Senders posting concerns to the server over loopback, each keeping the receipt code of
/// every concern acknowledged. Requests that fail (the server is down) are not counted.
struct Load {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicUsize>,
    codes: Arc<Mutex<Vec<String>>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(agent: &ureq::Agent, port: u16, ods: &str, senders: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicUsize::new(0));
        let codes = Arc::new(Mutex::new(Vec::<String>::new()));
        let mut threads = Vec::new();
        for sender in 0..senders.max(1) {
            let (stop, sent, codes, agent) =
                (stop.clone(), sent.clone(), codes.clone(), agent.clone());
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

        Load {
            stop,
            sent,
            codes,
            threads,
        }
    }

    /// Receipts acknowledged so far.
    fn acknowledged(&self) -> Vec<String> {
        self.codes.lock().map(|c| c.clone()).unwrap_or_default()
    }

    /// Stops the senders: (requests sent, receipts acknowledged).
    fn stop(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads {
            let _ = thread.join();
        }
        let codes = self.codes.lock().map(|c| c.clone()).unwrap_or_default();
        (self.sent.load(Ordering::Relaxed), codes)
    }
}

/// Senders answering the survey with invitation codes, each keeping the codes whose
/// answers the server said were sent. A code is tried once; if the server was down, it
/// is left unused.
struct SurveyLoad {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicUsize>,
    acknowledged: Arc<Mutex<Vec<String>>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl SurveyLoad {
    fn start(
        agent: &ureq::Agent,
        port: u16,
        survey: &SurveyCampaign,
        senders: usize,
    ) -> SurveyLoad {
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicUsize::new(0));
        let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
        let codes = Arc::new(Mutex::new(survey.codes.clone()));
        let mut threads = Vec::new();
        for _ in 0..senders.max(1) {
            let (stop, sent, acknowledged, codes, agent) = (
                stop.clone(),
                sent.clone(),
                acknowledged.clone(),
                codes.clone(),
                agent.clone(),
            );
            let url = format!("http://127.0.0.1:{port}/survey");
            let last_page = survey.pages;
            threads.push(std::thread::spawn(move || {
                let token = dignity_crypto::token::random_token();
                while !stop.load(Ordering::Relaxed) {
                    let Some(code) = codes.lock().ok().and_then(|mut c| c.pop()) else {
                        return;
                    };
                    sent.fetch_add(1, Ordering::Relaxed);
                    // The last page, answered and sent: the earlier pages are left blank.
                    let body = format!("csrf_token={token}&code={code}&page={last_page}&go=send");
                    // Sending redirects to the thank-you page only once the answers are
                    // taken; the redirect itself is the acknowledgement.
                    let response = agent
                        .post(&url)
                        .config()
                        .max_redirects(0)
                        .build()
                        .header("Cookie", &format!("dignity_csrf={token}"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .send(body.as_str());
                    let Ok(response) = response else {
                        std::thread::sleep(Duration::from_millis(20));
                        continue;
                    };
                    let sent_page = response.status().as_u16() == 303
                        && response
                            .headers()
                            .get("location")
                            .is_some_and(|l| l.as_bytes() == b"/survey/sent");
                    if sent_page && let Ok(mut all) = acknowledged.lock() {
                        all.push(code);
                    }
                }
            }));
        }
        SurveyLoad {
            stop,
            sent,
            acknowledged,
            threads,
        }
    }

    /// Stops the senders: (answers sent, codes acknowledged).
    fn stop(self) -> (usize, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        for thread in self.threads {
            let _ = thread.join();
        }
        let codes = self
            .acknowledged
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default();
        (self.sent.load(Ordering::Relaxed), codes)
    }
}

/// An open survey campaign for the trust, with invitation codes to answer it with.
pub(crate) struct SurveyCampaign {
    id: i64,
    pub(crate) pages: usize,
    pub(crate) codes: Vec<String>,
}

pub(crate) async fn survey_campaign(
    db: &Db,
    ods: &str,
    codes: usize,
) -> anyhow::Result<SurveyCampaign> {
    use dignity_crypto::survey::InvitationCode;
    use dignity_domain::survey::{DEFAULT_BANK, Participation, parse};
    let now = dignity_app::clock::system_now();
    let operator = Operator::new(db.clone(), Clock::fixed(now), "assure");
    let organisation = operator
        .organisation(&dignity_domain::identity::OdsCode::parse(ods)?)
        .await?;
    let definition = parse(DEFAULT_BANK)?;
    let survey_id = operator.save_survey(&definition, DEFAULT_BANK).await?;
    let today = dignity_domain::speakup::Day::from_unix_seconds(now);
    let campaign = operator
        .create_campaign(
            &organisation,
            &NewCampaign::new(
                survey_id,
                "Assurance survey",
                today,
                today.plus_days(30),
                Participation::Tokens,
            )?,
        )
        .await?;
    let secret = dignity_crypto::secret::InstallationSecret::from_hex(run_secret())
        .ok_or_else(|| anyhow::anyhow!("the run's installation secret does not read"))?;
    let codes = operator
        .issue_codes(&organisation, &campaign, codes, &secret)
        .await?;
    Ok(SurveyCampaign {
        id: campaign.id,
        pages: definition.sections.len(),
        codes: codes.iter().map(InvitationCode::display).collect(),
    })
}

/// After a crash: acknowledged survey answers whose code is still unused (lost), and the
/// gap between codes used and responses stored, waiting or written (each used code must
/// have exactly one), plus any gap between written responses and the campaign's counter.
async fn survey_outcome(
    db: &Db,
    survey: &SurveyCampaign,
    acknowledged: &[String],
) -> anyhow::Result<(usize, usize, usize)> {
    let secret = dignity_crypto::secret::InstallationSecret::from_hex(run_secret())
        .ok_or_else(|| anyhow::anyhow!("the run's installation secret does not read"))?;
    let mut lost = 0;
    for code in acknowledged {
        let digest = dignity_crypto::survey::InvitationCode::parse(code)
            .map(|c| c.keyed_digest(&secret))
            .unwrap_or_default();
        if assure::code_unused(db, &digest).await? {
            lost += 1;
        }
    }
    let unused = assure::codes_unused(db, survey.id).await? as usize;
    let used = survey.codes.len() - unused;
    // A used code's answers are either still waiting, sealed, for their batch, or written
    // as a response; the counter counts only written ones.
    let (written, waiting) = assure::responses_stored(db, survey.id).await?;
    let (written, waiting) = (written.max(0) as usize, waiting.max(0) as usize);
    let counted = assure::responses_counted(db, survey.id).await? as usize;
    let stored = written + waiting;
    let half_written = used.abs_diff(stored) + written.abs_diff(counted);
    Ok((stored, lost, half_written))
}

/// How many of these receipts have no concern in the database.
async fn missing(db: &Db, codes: &[String]) -> anyhow::Result<usize> {
    let mut lost = 0;
    for code in codes {
        let parsed = dignity_crypto::speakup::ReceiptCode::parse(code)
            .map_err(|e| anyhow::anyhow!("a receipt could not be read: {e}"))?;
        if !assure::concern_stored(db, parsed.lookup()).await? {
            lost += 1;
        }
    }
    Ok(lost)
}

/// A trust taking concerns, served by a real `dignity serve` on a free loopback port.
struct Running {
    ods: String,
    port: u16,
    agent: ureq::Agent,
    server: Child,
}

async fn running(test_db: &ScratchDb) -> anyhow::Result<Running> {
    let ods = crate::bench::speakup_trust(&test_db.db).await?;
    let port = free_port()?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let server = start_server(&test_db.url, port)?;
    wait_until_ready(&agent, port)?;
    Ok(Running {
        ods,
        port,
        agent,
        server,
    })
}

async fn crash(test_db: &ScratchDb, kills: usize, senders: usize) -> anyhow::Result<Report> {
    let db = &test_db.db;
    let Running {
        ods,
        port,
        agent,
        mut server,
    } = running(test_db).await?;

    let survey = survey_campaign(db, &ods, 50_000).await?;
    let load = Load::start(&agent, port, &ods, senders);
    let answers = SurveyLoad::start(&agent, port, &survey, senders.div_ceil(2));
    let mut rng = rand::thread_rng();
    for _ in 0..kills {
        std::thread::sleep(Duration::from_millis(rng.gen_range(300..1_500)));
        server.kill().context("could not kill the server")?;
        server.wait()?;
        server = start_server(&test_db.url, port)?;
        wait_until_ready(&agent, port)?;
    }
    std::thread::sleep(Duration::from_millis(500));
    let (sent, codes) = load.stop();
    let (answers_sent, answers_acknowledged) = answers.stop();
    // The last kill comes with no warning too; the database is checked after it.
    server.kill()?;
    server.wait()?;

    let lost = missing(db, &codes).await?;
    let found = assure::concerns(db).await?;
    // Every case has its four seals (receipt, recovery key, two guardians) and its text.
    let half_written = assure::half_written_concerns(db, 4).await?;
    if db.backend() == Backend::Sqlite {
        let check = data::integrity_check(db).await?;
        if check != "ok" {
            bail!("SQLite's integrity check failed: {check}");
        }
    }
    let (answers_found, answers_lost, answers_half_written) =
        survey_outcome(db, &survey, &answers_acknowledged).await?;
    Ok(Report {
        kills,
        sent,
        acknowledged: codes.len(),
        found: found.max(0) as usize,
        lost,
        half_written: half_written.max(0) as usize,
        answers_sent,
        answers_acknowledged: answers_acknowledged.len(),
        answers_found,
        answers_lost,
        answers_half_written,
    })
}

async fn backup_check(backend: Which, senders: usize) -> anyhow::Result<()> {
    let backend = match backend {
        Which::Sqlite => Backend::Sqlite,
        Which::Postgres => Backend::Postgres,
    };
    let test_db = ScratchDb::new(backend)
        .await
        .with_context(|| format!("could not make a {backend:?} database"))?;
    let outcome = match backend {
        Backend::Sqlite => backup_under_load(&test_db, senders).await,
        Backend::Postgres => dump_under_load(&test_db, senders).await,
    };
    test_db.finish().await;
    let line = outcome?;
    println!("{line}");
    Ok(())
}

/// A real server with `senders` senders writing concerns to it, two seconds in.
async fn under_load(test_db: &ScratchDb, senders: usize) -> anyhow::Result<(Child, Load)> {
    let Running {
        ods,
        port,
        agent,
        server,
    } = running(test_db).await?;
    let load = Load::start(&agent, port, &ods, senders);
    std::thread::sleep(Duration::from_secs(2));
    Ok((server, load))
}

/// An empty folder of this process's own for a check's files.
pub(crate) fn work_dir(check: &str) -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("dignity-assure-{check}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

async fn backup_under_load(test_db: &ScratchDb, senders: usize) -> anyhow::Result<String> {
    let (mut server, load) = under_load(test_db, senders).await?;
    let dir = work_dir("backup")?;
    let copy = dir.join("backup.db");
    let before = load.acknowledged();
    let started = Instant::now();
    let backed_up = Command::new(std::env::current_exe()?)
        .args(["backup", "--to"])
        .arg(&copy)
        .env("DIGNITY_DATABASE_URL", &test_db.url)
        .stdin(Stdio::null())
        .output()?;
    let took = started.elapsed();
    std::thread::sleep(Duration::from_millis(500));
    let (_, all) = load.stop();
    server.kill()?;
    server.wait()?;
    if !backed_up.status.success() {
        bail!(
            "the backup failed: {}",
            String::from_utf8_lossy(&backed_up.stderr)
        );
    }

    let options = DbOptions::default();
    let backup_url = format!("sqlite://{}", copy.display());
    let backup = Db::connect(&backup_url, &options).await?;
    let check = data::integrity_check(&backup).await?;
    if check != "ok" {
        bail!("the backup's integrity check failed: {check}");
    }
    let lost = missing(&backup, &before).await?;
    let in_backup = assure::concerns(&backup).await?;

    // Restore: copy every row of the backup into a fresh database, then compare.
    let restored_url = format!("sqlite://{}", dir.join("restored.db").display());
    let restored = Command::new(std::env::current_exe()?)
        .args(["migrate-data", "--from", &backup_url, "--to", &restored_url])
        .stdin(Stdio::null())
        .output()?;
    if !restored.status.success() {
        bail!(
            "the restore failed: {}",
            String::from_utf8_lossy(&restored.stderr)
        );
    }
    let restored_db = Db::connect(&restored_url, &options).await?;
    let (a, b) = (
        assure::fingerprint(&backup).await?,
        assure::fingerprint(&restored_db).await?,
    );
    backup.close().await;
    restored_db.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Verdict {
        backup: "backup under load: backup",
        restore: "restored",
        took,
        acknowledged: all.len(),
        before: before.len(),
        lost,
        in_backup,
        expected: a,
        restored: b,
    }
    .line()
}

/// PostgreSQL is backed up with `pg_dump`, which reads one snapshot while the server keeps
/// writing. The check exports a snapshot, has `pg_dump` use it, and takes the fingerprint
/// of the live database inside the same snapshot: so the restored copy must match it
/// exactly, row for row, though concerns kept arriving throughout.
async fn dump_under_load(test_db: &ScratchDb, senders: usize) -> anyhow::Result<String> {
    let (mut server, load) = under_load(test_db, senders).await?;
    let dir = work_dir("dump")?;
    let dump = dir.join("dignity.dump");
    let before = load.acknowledged();
    let mut live = Snapshot::export(&test_db.url).await?;
    let started = Instant::now();
    let dumped = Command::new("pg_dump")
        .args([
            "--format=custom",
            "--no-owner",
            "--snapshot",
            live.name(),
            "--file",
        ])
        .arg(&dump)
        .arg(&test_db.url)
        .stdin(Stdio::null())
        .output()
        .context("pg_dump could not be run (apt-get install postgresql-client)")?;
    let took = started.elapsed();
    let at_snapshot = live.fingerprint().await;
    live.finish().await?;
    let (_, all) = load.stop();
    server.kill()?;
    server.wait()?;
    if !dumped.status.success() {
        bail!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&dumped.stderr)
        );
    }
    let at_snapshot = at_snapshot?;

    let fresh = ScratchDb::empty(Backend::Postgres).await?;
    let outcome = async {
        let restored = Command::new("pg_restore")
            .args(["--no-owner", "--exit-on-error", "--dbname", &fresh.url])
            .arg(&dump)
            .stdin(Stdio::null())
            .output()
            .context("pg_restore could not be run (apt-get install postgresql-client)")?;
        if !restored.status.success() {
            bail!(
                "pg_restore failed: {}",
                String::from_utf8_lossy(&restored.stderr)
            );
        }
        let lost = missing(&fresh.db, &before).await?;
        let in_backup = assure::concerns(&fresh.db).await?;
        let after = assure::fingerprint(&fresh.db).await?;
        Ok((lost, in_backup, after))
    }
    .await;
    fresh.finish().await;
    let _ = std::fs::remove_dir_all(&dir);
    let (lost, in_backup, after) = outcome?;
    Verdict {
        backup: "pg_dump under load: dump",
        restore: "restored with pg_restore",
        took,
        acknowledged: all.len(),
        before: before.len(),
        lost,
        in_backup,
        expected: at_snapshot,
        restored: after,
    }
    .line()
}

/// What a backup check found: the line to report, or a failure naming the tables whose
/// restored rows differ from what was backed up.
struct Verdict {
    backup: &'static str,
    restore: &'static str,
    took: Duration,
    acknowledged: usize,
    before: usize,
    lost: usize,
    in_backup: i64,
    expected: Fingerprint,
    restored: Fingerprint,
}

impl Verdict {
    fn line(self) -> anyhow::Result<String> {
        let differing: Vec<&str> = self
            .expected
            .iter()
            .zip(&self.restored)
            .filter(|(x, y)| x != y)
            .map(|(x, _)| x.0.as_str())
            .collect();
        let rows: i64 = self.expected.iter().map(|(_, n, _)| n).sum();
        let line = format!(
            "{} took {:.2} s while {} concerns were acknowledged in all; {} acknowledged before it began, {} missing from it; {} concerns and {rows} rows in {} tables {}, {} tables differ",
            self.backup,
            self.took.as_secs_f64(),
            self.acknowledged,
            self.before,
            self.lost,
            self.in_backup,
            self.expected.len(),
            self.restore,
            differing.len()
        );
        if self.lost > 0 || !differing.is_empty() {
            bail!("{line} ({})", differing.join(", "));
        }
        Ok(line)
    }
}

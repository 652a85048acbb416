//! `dignity bench workforce`: every organisation's staff-in-post extract imported into a
//! fresh SQLite database, through the same use-case as `dignity import workforce`
//! (`dignity_app::workforce::import`), so what is timed is what an operator waits for:
//! finding the organisation and its units, checking every line, digesting every employee
//! number, and replacing the snapshot in one audited transaction.
//!
//! The extracts are made in memory by the generator `dignity synth workforce` writes out
//! (`synth_workforce`), one organisation at a time, and making them is not timed. Each run
//! imports into a database of its own, so every run measures the same work: a year's
//! first import of every organisation.

use crate::bench::percentile;
use crate::synth_workforce::{self, DEFAULT_AS_AT, Organisation};
use anyhow::{Context as _, ensure};
use dignity_app::admin::{NewOrganisation, Operator};
use dignity_app::assure::ScratchDb;
use dignity_app::data::Backend;
use dignity_app::workforce::{self, Kind, standards};
use dignity_app::{Clock, Db};
use dignity_crypto::secret::InstallationSecret;
use dignity_domain::identity::{Name, OdsCode, OrgUnitKind};
use dignity_domain::speakup::Day;
use dignity_engine::disclosure::Minimums;
use std::time::{Duration, Instant};

/// The goal for a national import on two cores.
const GOAL_ROWS_PER_SECOND: f64 = 100_000.0;

pub async fn run(orgs: usize, people: usize, runs: usize, seed: u64) -> anyhow::Result<()> {
    ensure!(
        (1..=synth_workforce::MAX_ORGANISATIONS).contains(&orgs) && runs > 0 && people > 0,
        "--orgs must be from 1 to {}, and --people and --runs at least 1",
        synth_workforce::MAX_ORGANISATIONS
    );
    let (y, m, d) = DEFAULT_AS_AT;
    let as_at = Day::from_ymd(y, m, d).context("the benchmark's day")?;
    let organisations = synth_workforce::organisations(orgs, people, seed);
    let largest = organisations.iter().map(|o| o.headcount).max().unwrap_or(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "Workforce import: {people} staff in post in {orgs} organisations (largest {largest}), \
         each organisation's staff-in-post extract imported through dignity_app::workforce::import \
         into a fresh SQLite database, {runs} runs, {threads} cores."
    );
    println!(
        "parse: reading and checking every line and digesting each employee number; \
         store: the rest (the snapshot replaced in one audited transaction)."
    );
    let secret = InstallationSecret::generate();
    let mut measured: Vec<Run> = Vec::with_capacity(runs);
    println!(
        "{:>4} {:>9} {:>9} {:>9} {:>9} {:>12} {:>12} {:>12}  {:<16} {:<16}",
        "run",
        "rows",
        "MB read",
        "MB wrote",
        "seconds",
        "rows/s",
        "parse rows/s",
        "store rows/s",
        "load before",
        "load after"
    );
    let mut held = String::new();
    let mut snapshots = Ok(Duration::ZERO);
    for run in 1..=runs {
        let scratch = ScratchDb::new(Backend::Sqlite)
            .await
            .context("could not make a SQLite database for the benchmark")?;
        let outcome = one_run(&scratch.db, &secret, &organisations, as_at).await;
        if run == runs && outcome.is_ok() {
            held = memory();
            snapshots = indicators(&scratch.db, &organisations).await;
        }
        scratch.finish().await;
        let result = outcome?;
        println!(
            "{:>4} {:>9} {:>9.1} {:>9.0} {:>9.2} {:>12.0} {:>12.0} {:>12.0}  {:<16} {:<16}",
            run,
            result.rows,
            result.bytes as f64 / 1e6,
            result.written as f64 / 1e6,
            result.whole.as_secs_f64(),
            result.rate(result.whole),
            result.rate(result.parse),
            result.rate(result.store),
            result.load_before,
            result.load_after
        );
        measured.push(result);
    }
    let indicators_took = snapshots?;
    println!(
        "every WRES and WDES measure of all {orgs} organisations worked out in {:.0} ms \
         (goal: under 1,000 ms; {})",
        crate::bench::ms(indicators_took),
        if indicators_took < Duration::from_secs(1) {
            "met"
        } else {
            "NOT met"
        }
    );
    let spread = |time: fn(&Run) -> Duration| {
        let mut rates: Vec<f64> = measured.iter().map(|r| r.rate(time(r))).collect();
        rates.sort_by(f64::total_cmp);
        (
            rates.get(rates.len() / 2).copied().unwrap_or_default(),
            rates.first().copied().unwrap_or_default(),
            rates.last().copied().unwrap_or_default(),
        )
    };
    let (whole, low, high) = spread(|r| r.whole);
    let (parse, parse_low, parse_high) = spread(|r| r.parse);
    let (store, store_low, store_high) = spread(|r| r.store);
    println!(
        "whole import: {whole:.0} rows a second, the median of {runs} runs (range {low:.0} to {high:.0})"
    );
    println!(
        "parse alone: {parse:.0} rows a second (range {parse_low:.0} to {parse_high:.0}); store alone: {store:.0} rows a second (range {store_low:.0} to {store_high:.0})"
    );
    let mut each_import: Vec<Duration> = measured.iter().flat_map(|r| r.each.clone()).collect();
    each_import.sort();
    println!(
        "one organisation's import: {:.0} ms median, {:.0} ms at the 95th percentile, {:.0} ms the longest",
        crate::bench::ms(percentile(&each_import, 0.5)),
        crate::bench::ms(percentile(&each_import, 0.95)),
        crate::bench::ms(percentile(&each_import, 1.0)),
    );
    println!("memory: {held}; one organisation's extract is made and held at a time");
    println!(
        "Goal (at least {GOAL_ROWS_PER_SECOND:.0} rows a second): {} ({whole:.0} a second).",
        if whole >= GOAL_ROWS_PER_SECOND {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(())
}

/// What one run took.
struct Run {
    rows: usize,
    /// The extracts' size.
    bytes: usize,
    /// What the process wrote meanwhile (the database, its log and their checkpoints).
    written: u64,
    whole: Duration,
    parse: Duration,
    store: Duration,
    /// Each organisation's import, parse and store together.
    each: Vec<Duration>,
    load_before: String,
    load_after: String,
}

impl Run {
    fn rate(&self, time: Duration) -> f64 {
        self.rows as f64 / time.as_secs_f64().max(1e-9)
    }
}

/// Creates every organisation and its units, then imports each one's staff in post.
async fn one_run(
    db: &Db,
    secret: &InstallationSecret,
    organisations: &[Organisation],
    as_at: Day,
) -> anyhow::Result<Run> {
    let operator = Operator::new(db.clone(), Clock::system(), "bench");
    let mut codes = Vec::with_capacity(organisations.len());
    for org in organisations {
        codes.push(create(&operator, org).await?);
    }
    let load_before = load_average();
    let written_before = written();
    let (mut rows, mut bytes) = (0, 0);
    let (mut whole, mut parse, mut store) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut each = Vec::with_capacity(organisations.len());
    for (org, ods) in organisations.iter().zip(&codes) {
        let extract = org.workforce(as_at).staff_csv();
        let size = extract.len() as u64;
        let started = Instant::now();
        let mut parsed = None;
        // The parser reports the whole file read once every line is checked.
        let imported = workforce::import(
            &operator,
            secret,
            ods,
            Kind::Staff,
            as_at,
            &extract,
            &mut |read| {
                if read >= size {
                    parsed = Some(Instant::now());
                }
            },
        )
        .await
        .with_context(|| format!("importing {}'s staff in post", org.ods))?;
        let finished = Instant::now();
        let parsed = parsed.unwrap_or(finished);
        parse += parsed - started;
        store += finished - parsed;
        whole += finished - started;
        each.push(finished - started);
        ensure!(
            imported.rows == org.headcount,
            "{} had {} staff in post but {} rows were kept",
            org.ods,
            org.headcount,
            imported.rows
        );
        rows += imported.rows;
        bytes += extract.len();
    }
    Ok(Run {
        rows,
        bytes,
        written: written().saturating_sub(written_before),
        whole,
        parse,
        store,
        each,
        load_before,
        load_after: load_average(),
    })
}

/// The organisation and its units, as `organisations.csv` lists them for
/// `dignity admin create-org` and `add-unit`.
async fn create(operator: &Operator, org: &Organisation) -> anyhow::Result<OdsCode> {
    let created = operator
        .create_organisation(&NewOrganisation {
            ods_code: OdsCode::parse(&org.ods)?,
            name: Name::parse(&org.name, "name")?,
            org_type: org.org_type,
            region: org.region,
            benchmark_group: Name::parse(&org.benchmark_group, "group")?,
        })
        .await?;
    for unit in &org.units {
        operator
            .add_unit(
                &created,
                None,
                OrgUnitKind::Division,
                &Name::parse(unit, "unit")?,
            )
            .await?;
    }
    Ok(OdsCode::parse(&created.ods_code)?)
}

/// Every organisation's WRES and WDES measures worked out from the snapshots the last run
/// imported, as the pages and the national view work them out
/// (`dignity_app::workforce::standards`): counted in the database, then decided by the
/// engine. Returns the time taken, after checking each organisation's whole workforce.
async fn indicators(db: &Db, organisations: &[Organisation]) -> anyhow::Result<Duration> {
    let operator = Operator::new(db.clone(), Clock::system(), "bench");
    let minimum = Minimums::default().workforce();
    let started = Instant::now();
    for org in organisations {
        let years =
            standards::every_year_of(&operator, &OdsCode::parse(&org.ods)?, minimum).await?;
        let counted: u64 = years
            .iter()
            .flat_map(|y| &y.indicators.wres.staff.rows)
            .map(|row| {
                row.staff
                    .groups
                    .iter()
                    .map(|g| g.count.exact().unwrap_or(0))
                    .sum::<u64>()
            })
            .sum();
        ensure!(
            years.len() == 1 && counted <= org.headcount as u64,
            "{} has {} years of measures counting {counted} people, not one year of at most {}",
            org.ods,
            years.len(),
            org.headcount
        );
    }
    Ok(started.elapsed())
}

/// The machine's load averages over 1, 5 and 15 minutes.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}

/// Bytes this process has written with system calls so far (`wchar` in /proc/self/io).
fn written() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|io| {
            io.lines()
                .find_map(|l| l.strip_prefix("wchar:"))
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The most memory this process has held (VmHWM in /proc/self/status), and what it holds
/// now, apart (RssAnon, its own; RssFile, files mapped into it, such as the database
/// SQLite reads through mmap).
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let megabytes = |field: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or_else(
                || "unknown".to_owned(),
                |kb| format!("{:.0} MB", kb / 1024.0),
            )
    };
    format!(
        "peak {} (VmHWM); now {} of its own (RssAnon) and {} of mapped files (RssFile, the database read through mmap among them)",
        megabytes("VmHWM:"),
        megabytes("RssAnon:"),
        megabytes("RssFile:")
    )
}

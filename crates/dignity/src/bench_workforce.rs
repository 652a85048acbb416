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
//!
//! After the timed import, each run imports every other extract the measures need (last
//! year's staff in post, leavers, recruitment, training, the board and both years'
//! formal-process counts) untimed, then times every organisation's WRES and WDES measures
//! for both years as the pages and the national view work them out
//! (`dignity_app::workforce::standards`).

use crate::bench::percentile;
use crate::import::{self, Extract as Holds};
use crate::synth_workforce::{self, DEFAULT_AS_AT, Organisation};
use anyhow::{Context as _, ensure};
use dignity_app::admin::{NewOrganisation, Operator};
use dignity_app::assure::ScratchDb;
use dignity_app::data::Backend;
use dignity_app::workforce::standards::{self, ReportingYear, YearFigures};
use dignity_app::workforce::{self, Kind};
use dignity_app::{Clock, Db};
use dignity_crypto::secret::InstallationSecret;
use dignity_domain::identity::{Name, OdsCode, OrgUnitKind};
use dignity_domain::speakup::Day;
use dignity_engine::disclosure::Minimums;
use std::time::{Duration, Instant};

/// The goals on two cores: a national import, and every organisation's measures.
const GOAL_ROWS_PER_SECOND: f64 = 100_000.0;
const GOAL_MEASURES: Duration = Duration::from_secs(1);

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
         store: the rest (the snapshot replaced in one audited transaction). \
         Then, untimed, every other extract of every organisation; \
         measures: every WRES and WDES measure of every organisation for both years, \
         as the national view works them out (each organisation's sealed counts read, then \
         every organisation-year decided on every core by \
         dignity_app::workforce::standards::decide_all), checked untimed against each \
         organisation's own pages' way (every_year_of)."
    );
    let secret = InstallationSecret::generate();
    let mut measured: Vec<Run> = Vec::with_capacity(runs);
    println!(
        "{:>4} {:>9} {:>9} {:>9} {:>9} {:>12} {:>12} {:>12}  {:<16} {:<16} {:>11} {:>11} {:>8} {:>9}",
        "run",
        "rows",
        "MB read",
        "MB wrote",
        "seconds",
        "rows/s",
        "parse rows/s",
        "store rows/s",
        "load before",
        "load after",
        "other rows",
        "measures ms",
        "reads ms",
        "engine ms"
    );
    let mut held = String::new();
    let mut appointment = Appointment::default();
    for run in 1..=runs {
        let scratch = ScratchDb::new(Backend::Sqlite)
            .await
            .context("could not make a SQLite database for the benchmark")?;
        // The scratch database is removed whatever happens, before any error is returned.
        let outcome: anyhow::Result<(Run, Appointment)> = async {
            let mut result = one_run(&scratch.db, &secret, &organisations, as_at).await?;
            let (took, shown) = measures(&scratch.db, &secret, &organisations, as_at).await?;
            result.measures = took;
            Ok((result, shown))
        }
        .await;
        if run == runs {
            held = memory();
        }
        scratch.finish().await;
        let (result, shown) = outcome?;
        appointment = shown;
        println!(
            "{:>4} {:>9} {:>9.1} {:>9.0} {:>9.2} {:>12.0} {:>12.0} {:>12.0}  {:<16} {:<16} {:>11} {:>11.0} {:>8.0} {:>9.1}",
            run,
            result.rows,
            result.bytes as f64 / 1e6,
            result.written as f64 / 1e6,
            result.whole.as_secs_f64(),
            result.rate(result.whole),
            result.rate(result.parse),
            result.rate(result.store),
            result.load_before,
            result.load_after,
            result.other_rows,
            crate::bench::ms(result.measures.whole),
            crate::bench::ms(result.measures.reads),
            crate::bench::ms(result.measures.decisions)
        );
        measured.push(result);
    }
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
    // The middle run, as for the rates above (the upper of the two middle ones for an even
    // number of runs), and the range.
    let times = |time: fn(&Run) -> Duration| {
        let mut took: Vec<Duration> = measured.iter().map(time).collect();
        took.sort();
        (
            took.get(took.len() / 2).copied().unwrap_or_default(),
            took.first().copied().unwrap_or_default(),
            took.last().copied().unwrap_or_default(),
        )
    };
    let ms = crate::bench::ms;
    let (median, fastest, slowest) = times(|r| r.measures.whole);
    println!(
        "measures: every WRES and WDES measure of all {orgs} organisations, both years, in \
         {:.0} ms, the median of {runs} runs (range {:.0} to {:.0} ms); WRES 2 in the latest \
         year: a likelihood for {} organisations, hidden with its reason for {}",
        ms(median),
        ms(fastest),
        ms(slowest),
        appointment.shown,
        appointment.hidden,
    );
    let (reads, reads_low, reads_high) = times(|r| r.measures.reads);
    let (decisions, decisions_low, decisions_high) = times(|r| r.measures.decisions);
    println!(
        "in its two steps: reading the counts from the database {:.0} ms \
         (range {:.0} to {:.0}), the engine's decisions {:.1} ms (range {:.1} to {:.1})",
        ms(reads),
        ms(reads_low),
        ms(reads_high),
        ms(decisions),
        ms(decisions_low),
        ms(decisions_high),
    );
    println!("memory: {held}; one organisation's extracts are made and held at a time");
    println!(
        "Goal (at least {GOAL_ROWS_PER_SECOND:.0} rows a second): {} ({whole:.0} a second).",
        if whole >= GOAL_ROWS_PER_SECOND {
            "met"
        } else {
            "NOT met"
        }
    );
    println!(
        "Goal (every organisation's measures in under {:.0} ms): {} ({:.0} ms, the median).",
        ms(GOAL_MEASURES),
        if median < GOAL_MEASURES {
            "met"
        } else {
            "NOT met"
        },
        crate::bench::ms(median)
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
    /// Rows of the other extracts, imported untimed for the measures.
    other_rows: usize,
    /// Every organisation's measures worked out.
    measures: Measures,
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
    // Each extract is imported a week after its day, as a trust does, so that whatever day
    // the benchmark runs on, no year it loads has settled (a settled year refuses files).
    let today = Clock::system().today();
    let importer = import::importer_a_week_after(db, as_at, today, "bench");
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
            &importer,
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
    let written = written().saturating_sub(written_before);
    let load_after = load_average();
    // Everything else the measures are made from, imported after the timed import so that
    // the import figure stays comparable with the runs before the measures were timed.
    let mut other_rows = 0;
    for (org, ods) in organisations.iter().zip(&codes) {
        for extract in org.workforce(as_at).extracts() {
            if extract.kind == Holds::Staff && extract.as_at == as_at {
                continue;
            }
            let imported = import::import_extract(
                &import::importer_a_week_after(db, extract.as_at, today, "bench"),
                secret,
                ods,
                extract.kind,
                extract.as_at,
                &extract.csv,
                &mut |_| {},
            )
            .await
            .with_context(|| format!("importing {}'s {}", org.ods, extract.file_name()))?;
            other_rows += imported.rows;
        }
    }
    Ok(Run {
        rows,
        bytes,
        written,
        whole,
        parse,
        store,
        each,
        load_before,
        load_after,
        other_rows,
        measures: Measures::default(),
    })
}

/// The organisation and its units, as `organisations.csv` lists them for
/// `dignity admin create-org` and `add-unit`.
pub(crate) async fn create(operator: &Operator, org: &Organisation) -> anyhow::Result<OdsCode> {
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

/// How many organisations' WRES 2 (appointment from shortlisting) showed a likelihood in
/// the latest year, and how many hid it with a reason.
#[derive(Debug, Default, Clone, Copy)]
struct Appointment {
    shown: usize,
    hidden: usize,
}

/// What working out every organisation's measures took.
#[derive(Debug, Default, Clone, Copy)]
struct Measures {
    /// Reading every organisation's counts and deciding them, as the national view does.
    whole: Duration,
    /// Its two steps: reading the counts from the database (the sealed counts made at
    /// import), and the engine's decisions on them, on every core.
    reads: Duration,
    decisions: Duration,
}

/// Every organisation's WRES and WDES measures for both years, as the pages and the
/// national view work them out (`dignity_app::workforce::standards`): counted in the
/// database, then decided by the engine. Returns the time taken, whole and in its two
/// steps, after checking that every organisation has both years and that each measure
/// found its extract.
async fn measures(
    db: &Db,
    secret: &InstallationSecret,
    organisations: &[Organisation],
    as_at: Day,
) -> anyhow::Result<(Measures, Appointment)> {
    let operator = Operator::new(db.clone(), Clock::system(), "bench");
    let minimum = Minimums::default().workforce();
    let codes = organisations
        .iter()
        .map(|org| OdsCode::parse(&org.ods))
        .collect::<Result<Vec<_>, _>>()?;
    // As the national view works them out: every organisation's counts read, then every
    // organisation-year decided on every core (`standards::decide_all`).
    let started = Instant::now();
    let counted = standards::every_year_counted_of_all(&operator, secret, &codes).await?;
    let reads = started.elapsed();
    let deciding = Instant::now();
    let worked_out = standards::decide_all(counted, minimum).await?;
    let decisions = deciding.elapsed();
    let whole = started.elapsed();

    // Untimed: one organisation at a time, one core, as its own pages work them out; the
    // two ways must agree to the last figure.
    for (ods, together) in codes.iter().zip(&worked_out) {
        let alone = standards::every_year_of(&operator, secret, ods, minimum).await?;
        ensure!(
            &alone == together,
            "{ods}'s measures decided alone differ from those decided together"
        );
    }

    let latest = ReportingYear::of(as_at);
    let mut appointment = Appointment::default();
    for (org, years) in organisations.iter().zip(&worked_out) {
        let [this_year, year_before] = &years[..] else {
            anyhow::bail!("{} has {} years of measures, not two", org.ods, years.len());
        };
        ensure!(
            this_year.year == latest && year_before.year == latest.before(),
            "{}'s measures are for {} and {}, not {} and {}",
            org.ods,
            this_year.year.label(),
            year_before.year.label(),
            latest.label(),
            latest.before().label()
        );
        check_year(org, this_year, true)?;
        check_year(org, year_before, false)?;
        let Some(wres2) = &this_year.indicators.wres.appointment else {
            anyhow::bail!("{} has no WRES 2 for {}", org.ods, latest.label());
        };
        if wres2.likelihood.is_shown() {
            appointment.shown += 1;
        } else {
            ensure!(
                wres2.hidden_because.is_some(),
                "{}'s WRES 2 has neither a likelihood nor a reason for hiding it",
                org.ods
            );
            appointment.hidden += 1;
        }
    }
    Ok((
        Measures {
            whole,
            reads,
            decisions,
        },
        appointment,
    ))
}

/// One year's measures were made from every extract imported for it, none was left out,
/// and the staff counted are no more than there are.
fn check_year(org: &Organisation, year: &YearFigures, latest: bool) -> anyhow::Result<()> {
    let label = year.year.label();
    ensure!(
        year.problems.is_empty(),
        "{}'s measures for {label} left some out: {}",
        org.ods,
        year.problems.join("; ")
    );
    let sources = &year.sources;
    let found = if latest {
        sources.staff.is_some()
            && sources.recruitment.is_some()
            && sources.training.is_some()
            && sources.board.is_some()
            && sources.formal.is_some()
            && sources.formal_year_before.is_some()
    } else {
        // Last year has staff in post and formal-process counts, but no year before it.
        sources.staff.is_some() && sources.formal.is_some()
    };
    ensure!(
        found,
        "{}'s measures for {label} did not find every extract: {sources:?}",
        org.ods
    );
    let counted: u64 = year
        .indicators
        .wres
        .staff
        .rows
        .iter()
        .map(|row| {
            row.staff
                .groups
                .iter()
                .map(|g| g.count.exact().unwrap_or(0))
                .sum::<u64>()
        })
        .sum();
    ensure!(
        counted > 0 && counted <= org.headcount as u64,
        "{}'s WRES 1 for {label} counts {counted} people, with {} in post",
        org.ods,
        org.headcount
    );
    // The latest year adds last year's cases, unless that would give a small count of
    // this year's back (then it is this year's alone: `engine::workforce`).
    let wres3 = year.indicators.wres.disciplinary.as_ref().map(|c| c.years);
    ensure!(
        match wres3 {
            Some(2) => latest,
            Some(1) => true,
            _ => false,
        },
        "{}'s WRES 3 for {label} covers {wres3:?} years",
        org.ods
    );
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole benchmark at a small size: its checks fail if any organisation's
    /// measures are missing a year or an extract.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn bench_workforce_works_out_every_measure_of_every_organisation() {
        run(3, 2_400, 1, 7).await.unwrap();
    }
}

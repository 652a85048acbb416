//! `dignity`: the Dignity server and the operator's command line.

mod admin;
mod assure;
mod assure_anonymity;
mod backup;
mod bench;
mod bench_answers;
mod bench_board;
mod bench_casework;
mod bench_diagnostics;
mod bench_leadership;
mod bench_library;
mod bench_staff_groups;
mod bench_unit_tables;
mod bench_voice;
mod bench_workforce;

mod demo;
mod demo_board;
mod demo_diagnostics;
mod demo_justculture;
mod demo_leadership;
mod demo_plans;
mod demo_survey;
mod demo_voice;
mod demo_workforce;
mod import;
mod library_links;
mod serve;
mod starter;
mod synth;
mod synth_workforce;

use anyhow::Context;
use clap::{Parser, Subcommand};
use dignity::config::{self, Config};
use dignity_app::Db;
use dignity_app::data::{self, redact_url};
use std::path::PathBuf;
use std::process::ExitCode;

/// Dignity: tackling bullying and harassment in the NHS, in partnership.
///
/// Settings come from dignity.toml (or --config), then from DIGNITY_* environment variables.
/// See docs/operations.md.
#[derive(Debug, Parser)]
#[command(name = "dignity", version, about, long_about)]
struct Cli {
    /// The settings file. Without this, ./dignity.toml is read if it exists.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server. Applies any database migrations first.
    Serve,
    /// Apply database migrations, then stop.
    Migrate,
    /// Run the web server with a demo installation: organisations, structure and one account
    /// for each role. Seeds only an empty database, and prints the address and the accounts.
    Demo,
    /// Manage organisations, people and roles, and check the audit log.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Load data gathered elsewhere, such as survey responses from a CSV file.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Look after the library, such as checking its links.
    #[command(subcommand)]
    Library(library_links::LibraryCommand),
    /// Write a realistic synthetic national survey dataset as CSV (for demos, benchmarks
    /// and scripts/compare-engines.py), or with `workforce`, made-up workforce extracts.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Synth {
        #[command(subcommand)]
        what: Option<SynthCommand>,
        #[arg(long, default_value_t = 1_500_000)]
        respondents: usize,
        #[arg(long, default_value_t = 260)]
        orgs: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Where to write the CSV.
        #[arg(long, value_name = "FILE", required = true)]
        out: Option<std::path::PathBuf>,
    },
    /// Check Dignity under attack and fault (the assurance campaign; docs/assurance.md).
    #[command(subcommand)]
    Assure(assure::AssureCommand),
    /// Measure how fast Dignity is. See docs/benchmarks.md.
    #[command(subcommand)]
    Bench(bench::BenchCommand),
    /// Copy a running SQLite database to a file, safely and consistently.
    Backup {
        /// Where to write the copy. Must not exist yet.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// Copy every row from one database to another (for example SQLite to PostgreSQL), then
    /// check that each table has the same number of rows. The target must be empty.
    MigrateData {
        /// The database to copy from, such as sqlite://dignity.db
        #[arg(long, value_name = "URL")]
        from: String,
        /// The database to copy into, such as postgres://dignity@db.example/dignity
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

#[derive(Debug, Subcommand)]
enum SynthCommand {
    /// Write made-up ESR extracts for made-up organisations, in the format
    /// `dignity import workforce` reads (docs/workforce.md): organisations.csv lists each
    /// organisation and its units, and a folder per organisation holds last year's and
    /// this year's staff in post, the year's leavers, shortlisted applicants and training,
    /// and the board.
    Workforce {
        #[arg(long, default_value_t = 260)]
        orgs: usize,
        /// Staff in post on the day, across all the organisations.
        #[arg(long, default_value_t = 1_500_000)]
        people: usize,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// The day of the latest extracts.
        #[arg(long, value_name = "DATE", default_value = "2026-03-31")]
        as_at: String,
        /// The folder to write into (made if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env: std::collections::BTreeMap<String, String> = std::env::vars().collect();
    let (path, explicit) = match &cli.config {
        Some(path) => (path.clone(), true),
        None => (PathBuf::from("dignity.toml"), false),
    };
    let config = match Config::load(&path, explicit, &env) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("dignity: the settings are not valid. {e}");
            return ExitCode::from(2);
        }
    };
    serve::init_logging(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("dignity: could not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dignity: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn connect(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect_and_migrate(config.database_url.expose(), &config.db_options())
        .await
        .with_context(|| format!("could not open the database {}", config.database_url))?;
    seal_earlier_workforce_imports(&db, config).await?;
    Ok(db)
}

/// Workforce extracts imported before they were kept sealed still have a row per person in
/// the clear: seal them as soon as the schema allows, which needs the installation secret.
async fn seal_earlier_workforce_imports(db: &Db, config: &Config) -> anyhow::Result<()> {
    if !dignity_app::workforce::sealed::earlier_imports_waiting(db).await? {
        return Ok(());
    }
    let secret = config.installation_secret().context(
        "this database holds workforce extracts imported before extracts were kept sealed, \
         and sealing them needs the installation secret",
    )?;
    let sealed = dignity_app::workforce::sealed::seal_earlier_imports(db, &secret).await?;
    eprintln!("Sealed {sealed} workforce extracts imported before extracts were kept sealed.");
    Ok(())
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => serve::serve(&config, connect(&config).await?).await,
        Command::Migrate => {
            connect(&config).await?;
            println!("The database {} is up to date.", config.database_url);
            Ok(())
        }
        Command::Demo => {
            // Made-up data: a key for this run turns on open-link surveys.
            let mut config = config;
            config.secret_beside_database = true;
            if config.survey_participation_key.0.is_empty() {
                config.survey_participation_key =
                    config::Secret(dignity_crypto::survey::ParticipationKey::generate_hex());
            }
            let db = connect(&config).await?;
            let seeded = demo::seed(&db, &config.installation_secret()?).await?;
            demo::print_welcome(&config, &seeded);
            serve::serve(&config, db).await
        }
        Command::Admin(admin::AdminCommand::GenerateSecret) => {
            println!("{}", admin::generate_secret());
            Ok(())
        }
        Command::Admin(command) => admin::run(command, &connect(&config).await?).await,
        Command::Bench(command) => bench::run(command).await,
        Command::Assure(command) => assure::run(command).await,
        Command::Import(command) => import::run(command, &connect(&config).await?, &config).await,
        Command::Library(command) => library_links::run(command, &connect(&config).await?).await,
        Command::Synth {
            what:
                Some(SynthCommand::Workforce {
                    orgs,
                    people,
                    seed,
                    as_at,
                    out,
                }),
            ..
        } => {
            anyhow::ensure!(
                (1..=synth_workforce::MAX_ORGANISATIONS).contains(&orgs),
                "--orgs: from 1 to {}",
                synth_workforce::MAX_ORGANISATIONS
            );
            let as_at = dignity_domain::speakup::Day::parse(&as_at).map_err(|_| {
                anyhow::anyhow!("--as-at: write the day as year-month-day, such as 2026-03-31")
            })?;
            let (orgs, people) = synth_workforce::write_files(&out, orgs, people, seed, as_at)?;
            println!(
                "Wrote made-up workforce extracts for {orgs} organisations, {people} staff in post on {}, to {}.",
                as_at.long(),
                out.display()
            );
            Ok(())
        }
        Command::Synth {
            what: None,
            respondents,
            orgs,
            seed,
            out,
        } => {
            let out = out.context("--out: say where to write the CSV")?;
            let columns = dignity_engine::synth::generate(respondents, orgs, seed);
            synth::write_csv(&columns, &out)?;
            println!(
                "Wrote {} responses from {orgs} organisations to {}.",
                columns.rows(),
                out.display()
            );
            Ok(())
        }
        Command::Backup { to } => backup::backup(&config, &to).await,
        Command::MigrateData { from, to } => {
            let options = config.db_options();
            let source = Db::connect_and_migrate(&from, &options)
                .await
                .with_context(|| format!("could not open {}", redact_url(&from)))?;
            let target = Db::connect_and_migrate(&to, &options)
                .await
                .with_context(|| format!("could not open {}", redact_url(&to)))?;
            let counts = data::copy_all(&source, &target, |c| {
                println!("Copied {:>8} rows of {}", c.rows, c.table)
            })
            .await?;
            let total: i64 = counts.iter().map(|c| c.rows).sum();
            println!(
                "Done: {total} rows in {} tables, and every table's row count matches.",
                counts.len()
            );
            Ok(())
        }
    }
}

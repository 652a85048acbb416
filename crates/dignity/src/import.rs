//! `dignity import survey-responses`: responses gathered elsewhere (on paper, or in another
//! tool) loaded into a campaign from CSV. `dignity import workforce`: an extract from payroll
//! (ESR) kept as an organisation's snapshot for a day. Every row is checked first; if any row
//! is wrong, each mistake is reported with its line and nothing is stored. Then all rows are
//! stored in one transaction, so an import is never half done. (`--extract formal` keeps
//! counts of staff entering formal processes rather than a snapshot.)

use crate::config::Config;
use anyhow::{Context, bail};
use clap::Subcommand;
use dignity_app::Db;
use dignity_app::admin::{IntoClosed, NewResponse, Operator};
use dignity_app::workforce::{self, ImportError, Kind};
use dignity_crypto::secret::InstallationSecret;
use dignity_domain::identity::OdsCode;
use dignity_domain::speakup::Day;
use dignity_domain::survey::{self as definition, import};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Add responses to a survey campaign from a CSV file (format: docs/survey.md).
    SurveyResponses {
        /// The campaign's number, as in its web address.
        #[arg(long)]
        campaign: i64,
        /// The CSV file: a header row of question keys, then one row per person.
        file: PathBuf,
        /// Add to a campaign that has closed, although its published results will move
        /// (the import is audited either way).
        #[arg(long)]
        into_closed_campaign: bool,
    },
    /// Keep a workforce extract from payroll (ESR) as the organisation's snapshot for a day,
    /// or a list of staff entering formal processes as counts, replacing an earlier import
    /// of the same extract and day (format: docs/workforce.md).
    Workforce {
        /// The organisation's ODS code.
        #[arg(long, value_name = "ODS")]
        org: String,
        /// The day the extract describes, such as 2026-03-31.
        #[arg(long, value_name = "DATE")]
        as_at: String,
        /// What the file holds.
        #[arg(long, value_enum, default_value_t = Extract::Staff)]
        extract: Extract,
        /// Replace an extract of a year whose figures have settled (from 1 May after it
        /// ends), to put it right. Its settled figures then change,
        /// and the audit log says so; without this, such a replacement is refused.
        #[arg(long)]
        correct_settled_year: bool,
        /// The CSV file, as the report exported it.
        file: PathBuf,
    },
    /// Keep published figures about organisations (care rating, sickness absence,
    /// turnover...) by year or quarter, replacing any kept for the same organisation,
    /// measure and period (format: docs/board.md).
    Outcomes {
        /// The CSV file: one row per organisation, period and measure.
        file: PathBuf,
    },
}

/// Someone importing an extract a week after the day it describes (or `today`, if
/// sooner), as a trust does: before the year it ends settles. The demo and the benchmarks
/// load made-up years this way, whatever day they run on.
pub fn importer_a_week_after(db: &Db, day: Day, today: Day, actor: &'static str) -> Operator {
    let week_after = day.plus_days(7).min(today);
    Operator::new(
        db.clone(),
        dignity_app::Clock::fixed(
            week_after.days_since(Day::from_unix_seconds(0)) * 86_400 + 43_200,
        ),
        actor,
    )
}

/// The extracts `dignity import workforce` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Extract {
    /// Staff in post on the day.
    Staff,
    /// People who left in the period ending on the day, each with a leaving date.
    Leavers,
    /// Shortlisted applicants, and whether each was appointed.
    Recruitment,
    /// Whether each member of staff accessed non-mandatory training or development.
    Training,
    /// The board's members: voting or not, executive or not.
    Board,
    /// Staff who entered the formal disciplinary process, or the capability process on
    /// grounds of performance, in the period ending on the day (kept only as counts).
    Formal,
}

impl Extract {
    /// The snapshot the extract is kept as; `None` for formal processes, which are kept as
    /// counts beside the snapshots.
    pub fn snapshot(self) -> Option<Kind> {
        match self {
            Extract::Staff => Some(Kind::Staff),
            Extract::Leavers => Some(Kind::Leavers),
            Extract::Recruitment => Some(Kind::Recruitment),
            Extract::Training => Some(Kind::Training),
            Extract::Board => Some(Kind::Board),
            Extract::Formal => None,
        }
    }

    /// The value `--extract` takes, which also begins a file's name in `dignity synth
    /// workforce`.
    pub fn code(self) -> &'static str {
        match self.snapshot() {
            Some(kind) => kind.code(),
            None => "formal",
        }
    }

    /// What the file holds, in the words the command prints.
    pub fn words(self) -> &'static str {
        match self.snapshot() {
            Some(kind) => kind.words(),
            None => "staff entering formal processes",
        }
    }
}

/// Keeps `bytes` as the extract for `ods` on `as_at`, as `dignity import workforce` does.
pub async fn import_extract(
    operator: &Operator,
    secret: &InstallationSecret,
    ods: &OdsCode,
    extract: Extract,
    as_at: Day,
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
) -> Result<workforce::Imported, ImportError> {
    match extract.snapshot() {
        Some(kind) => workforce::import(operator, secret, ods, kind, as_at, bytes, progress).await,
        None => workforce::import_formal(operator, secret, ods, as_at, bytes, progress).await,
    }
}

/// [`import_extract`], replacing a settled year's extract on purpose.
async fn import_extract_correcting(
    operator: &Operator,
    secret: &InstallationSecret,
    ods: &OdsCode,
    extract: Extract,
    as_at: Day,
    bytes: &[u8],
    progress: &mut dyn FnMut(u64),
) -> Result<workforce::Imported, ImportError> {
    match extract.snapshot() {
        Some(kind) => {
            workforce::import_correcting_settled_year(
                operator, secret, ods, kind, as_at, bytes, progress,
            )
            .await
        }
        None => {
            workforce::import_formal_correcting_settled_year(
                operator, secret, ods, as_at, bytes, progress,
            )
            .await
        }
    }
}

/// Most mistakes listed before the rest are only counted.
const SHOWN_ERRORS: usize = 50;

fn bar(len: u64, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    bar
}

pub async fn run(command: ImportCommand, db: &Db, config: &Config) -> anyhow::Result<()> {
    let operator = Operator::new(
        db.clone(),
        dignity_app::Clock::system(),
        crate::admin::ACTOR,
    )
    .with_minimums(config.minimums()?);
    match command {
        ImportCommand::SurveyResponses {
            campaign,
            file,
            into_closed_campaign,
        } => survey_responses(&operator, campaign, &file, into_closed_campaign).await,
        ImportCommand::Workforce {
            org,
            as_at,
            extract,
            correct_settled_year,
            file,
        } => {
            workforce_extract(
                &operator,
                config,
                (&org, &as_at),
                extract,
                correct_settled_year,
                &file,
            )
            .await
        }
        ImportCommand::Outcomes { file } => outcomes(&operator, &file).await,
    }
}

async fn outcomes(operator: &Operator, file: &Path) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
    match dignity_app::board::import_outcomes(operator, &bytes).await {
        Ok(imported) => {
            println!(
                "Kept {} {} for {} {}{}.",
                imported.figures,
                if imported.figures == 1 {
                    "figure"
                } else {
                    "figures"
                },
                imported.organisations,
                if imported.organisations == 1 {
                    "organisation"
                } else {
                    "organisations"
                },
                match imported.replaced {
                    0 => String::new(),
                    n => format!(", {n} of them replacing figures kept before"),
                }
            );
            Ok(())
        }
        Err(dignity_app::board::ImportError::File(errors)) => {
            for line in errors.to_string().lines() {
                eprintln!("{}: {line}", file.display());
            }
            bail!("the file has mistakes, so nothing was stored. Correct them and run this again.")
        }
        Err(other) => Err(other.into()),
    }
}

async fn workforce_extract(
    operator: &Operator,
    config: &Config,
    (org, as_at): (&str, &str),
    extract: Extract,
    correct_settled_year: bool,
    file: &Path,
) -> anyhow::Result<()> {
    let ods = OdsCode::parse(org).map_err(|e| anyhow::anyhow!("--org: {e}"))?;
    let as_at = Day::parse(as_at).map_err(|_| {
        anyhow::anyhow!("--as-at: write the day as year-month-day, such as 2026-03-31")
    })?;
    let secret = config.installation_secret()?;
    let bytes =
        std::fs::read(file).with_context(|| format!("could not read {}", file.display()))?;
    let checking = bar(bytes.len() as u64, "Checking");
    let mut progress = |read| checking.set_position(read);
    let imported = if correct_settled_year {
        import_extract_correcting(
            operator,
            &secret,
            &ods,
            extract,
            as_at,
            &bytes,
            &mut progress,
        )
        .await
    } else {
        import_extract(
            operator,
            &secret,
            &ods,
            extract,
            as_at,
            &bytes,
            &mut progress,
        )
        .await
    };
    checking.finish_and_clear();
    match imported {
        Ok(imported) => {
            println!(
                "Kept {} {} of {} for {} as at {}{}.",
                imported.rows,
                if imported.rows == 1 { "row" } else { "rows" },
                extract.words(),
                ods,
                as_at.long(),
                if imported.replaced {
                    ", replacing the earlier import for that day"
                } else {
                    ""
                }
            );
            let leavers = imported.leavers;
            if leavers.ended > 0 {
                println!(
                    "Ended the roles here and the sessions of {} {} who left by today.",
                    leavers.ended,
                    if leavers.ended == 1 {
                        "person"
                    } else {
                        "people"
                    }
                );
            }
            if leavers.no_administrator_left {
                eprintln!(
                    "Warning: {ods} now has no administrator whose account is on, because a \
                     leaver was its last. A platform administrator must give someone the role \
                     (People, roles and accounts)."
                );
            }
            if leavers.kept_for_later > 0 {
                println!(
                    "{} {} leaving later: their roles here go and their sessions end on their leaving day.",
                    leavers.kept_for_later,
                    if leavers.kept_for_later == 1 {
                        "person is"
                    } else {
                        "people are"
                    }
                );
            }
            if leavers.called_off > 0 {
                println!(
                    "Called off the leaving day of {} {} the extract lists as staying.",
                    leavers.called_off,
                    if leavers.called_off == 1 {
                        "person"
                    } else {
                        "people"
                    }
                );
            }
            if let Some(beside) = imported.held_beside {
                println!(
                    "It is kept but not shown: its figures moved by fewer than {} people from \
                     those of the extract as at {}, so setting the two pages side by side \
                     would show those people's details. {}",
                    operator.minimums().workforce(),
                    beside.long(),
                    if imported.replaced {
                        "The file it replaced is no longer shown either: it is kept only to \
                         compare later files with."
                    } else {
                        "Pages keep showing what they showed."
                    }
                );
            }
            Ok(())
        }
        Err(ImportError::File(errors)) => {
            for line in errors.to_string().lines() {
                eprintln!("{}: {line}", file.display());
            }
            bail!("the file has mistakes, so nothing was stored. Correct them and run this again.")
        }
        Err(other) => Err(other.into()),
    }
}

async fn survey_responses(
    operator: &Operator,
    campaign: i64,
    file: &Path,
    into_closed_campaign: bool,
) -> anyhow::Result<()> {
    let campaign = operator.campaign(campaign).await?;
    let text = operator.survey_text(campaign.survey_id).await?;
    let definition =
        definition::parse_stored(&text).context("the campaign's survey cannot be read")?;
    let units =
        dignity_app::survey::load::units_in_order(operator.units(campaign.organisation_id).await?);
    let unit_names: Vec<String> = units.into_iter().map(|u| u.name).collect();

    let size = std::fs::metadata(file)
        .with_context(|| format!("could not read {}", file.display()))?
        .len();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(file)
        .with_context(|| format!("could not open {}", file.display()))?;
    let header: Vec<String> = reader
        .headers()
        .with_context(|| format!("{}: line 1 cannot be read", file.display()))?
        .iter()
        .map(str::to_owned)
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let plan = import::plan(&definition, &header_refs)
        .map_err(|e| anyhow::anyhow!("{}: line 1: {e}", file.display()))?;

    let checking = bar(size, "Checking");
    let mut responses = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        checking.set_position(record.position().map_or(0, |p| p.byte()));
        let cells: Vec<&str> = record.iter().collect();
        match import::read_row(&definition, &plan, &cells, &unit_names) {
            Ok(answers) => responses.push(NewResponse {
                id: dignity_crypto::token::random_token(),
                answers: answers.codes,
                groupings: dignity_app::survey::load::encode_groupings(&answers.groupings),
                comments: answers.comments,
            }),
            Err(e) => errors.push(format!("line {line}: {e}")),
        }
    }
    checking.finish_and_clear();
    if !errors.is_empty() {
        for e in errors.iter().take(SHOWN_ERRORS) {
            eprintln!("{}: {e}", file.display());
        }
        if errors.len() > SHOWN_ERRORS {
            eprintln!("... and {} more.", errors.len() - SHOWN_ERRORS);
        }
        bail!(
            "{} rows have mistakes, so nothing was imported. Correct them and run this again.",
            errors.len()
        );
    }
    if responses.is_empty() {
        bail!("{} has no responses after its header row.", file.display());
    }
    // Shuffled, so the order people are stored in says nothing about the order of the file.
    responses.sort_by(|a, b| a.id.cmp(&b.id));
    let storing = bar(responses.len() as u64, "Storing");
    let closed = if into_closed_campaign {
        IntoClosed::Allow
    } else {
        IntoClosed::Refuse
    };
    operator
        .import_responses(&campaign, &responses, closed, |n| {
            storing.set_position(n as u64)
        })
        .await?;
    storing.finish_and_clear();
    println!(
        "Imported {} responses into {} (campaign {}).",
        responses.len(),
        campaign.title,
        campaign.id
    );
    Ok(())
}

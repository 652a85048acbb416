//! `dignity admin`: the operator's commands. Every change is written to the audit log with
//! the actor `cli`.

use anyhow::{Context, bail};
use clap::Subcommand;
use dignity_app::Db;
use dignity_app::admin::{NewOrganisation, Operator, Verification};
use dignity_domain::identity::{
    Email, Name, OdsCode, OrgType, OrgUnitKind, Region, Role, RoleScope,
};
use std::io::BufRead;
use zeroize::Zeroize;

pub(crate) const ACTOR: &str = "cli";

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Add an organisation.
    CreateOrg {
        /// Its ODS code, such as RJ1.
        #[arg(long)]
        ods: String,
        /// Its full name.
        #[arg(long)]
        name: String,
        /// acute, acute_specialist, mental_health, community, ambulance or icb.
        #[arg(long = "type")]
        org_type: String,
        /// north_east_and_yorkshire, north_west, midlands, east_of_england, london, south_east or south_west.
        #[arg(long)]
        region: String,
        /// The group it is compared with, such as "Acute and acute & community trusts".
        #[arg(long)]
        benchmark_group: String,
    },
    /// List organisations.
    ListOrgs,
    /// Put an organisation in an integrated care board's area, for the board's system
    /// leads to see (or take it out with --icb none).
    SetIcb {
        /// The organisation's ODS code.
        #[arg(long)]
        org: String,
        /// The integrated care board's ODS code, or none.
        #[arg(long)]
        icb: String,
    },
    /// Add a division, directorate or team to an organisation.
    AddUnit {
        #[arg(long)]
        org: String,
        /// division, directorate or team.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        /// The id of the unit it sits in (a division for a directorate, a directorate for a team).
        #[arg(long)]
        parent: Option<i64>,
    },
    /// Add a person. Prints a new random passphrase for them unless --passphrase-stdin is given.
    CreatePerson {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read the passphrase from the first line of standard input instead.
        #[arg(long)]
        passphrase_stdin: bool,
    },
    /// Give a person a role. Organisation roles need --org, regional_director needs
    /// --region; national_analyst and platform_admin need neither.
    GrantRole {
        #[arg(long)]
        email: String,
        /// staff, guardian, er_lead, investigator, union_partner, executive, org_admin,
        /// moderator, chair, company_secretary, senior_independent_director, system_lead
        /// (in an integrated care board), regional_director, national_analyst or
        /// platform_admin.
        #[arg(long)]
        role: String,
        /// The organisation's ODS code.
        #[arg(long)]
        org: Option<String>,
        /// The region's code, such as london or north_west (regional_director only).
        #[arg(long)]
        region: Option<String>,
    },
    /// Set a new passphrase for a person and end their sessions. Prints a new random
    /// passphrase unless --passphrase-stdin is given.
    ResetPassphrase {
        #[arg(long)]
        email: String,
        #[arg(long)]
        passphrase_stdin: bool,
    },
    /// Remove a person's second sign-in step (for a lost phone). They set it up again at next sign-in.
    ResetTwoFactor {
        #[arg(long)]
        email: String,
    },
    /// Check every link of the audit log's hash chain. Exits with an error if it is broken.
    VerifyAudit,
    /// Print a new installation secret for `secret_key` (needs no database). Every server
    /// of one installation must share it; keep it apart from database backups.
    GenerateSecret,
    /// On PostgreSQL, rewrite stored survey responses and participants in random-key order,
    /// so the order rows sit on disk says nothing about who answered when. Run after a
    /// campaign closes (it locks the tables briefly). SQLite needs nothing: it already
    /// keeps them in key order.
    SurveyShuffle,
    /// Add a survey from a TOML file (format: docs/survey.md). The file is checked first,
    /// and a mistake is reported with its line. Organisations can then run it.
    SurveyAdd {
        /// The survey file.
        file: std::path::PathBuf,
    },
    /// Load a self-assessment framework from a TOML file (format: docs/diagnostics.md). The
    /// file is checked first, and a mistake is reported with its line. A changed file needs
    /// a higher version: rounds keep the version they started with.
    DiagnosticAdd {
        /// The framework file, such as crates/domain/src/diagnostics/health_and_wellbeing.toml.
        file: std::path::PathBuf,
    },
    /// Turn on Speak Up for an organisation. Prints the organisation's recovery key once:
    /// print it or write it down and keep it somewhere safe and offline. Only its public
    /// half is stored.
    SpeakupInit {
        #[arg(long)]
        org: String,
        /// Working days guardians have to acknowledge a new concern.
        #[arg(long, default_value_t = 2)]
        acknowledge_days: u32,
    },
    /// Give a guardian access to every case of an organisation using the recovery key,
    /// read from standard input. The guardian must have signed in once, so that they have
    /// a case key.
    SpeakupRecover {
        #[arg(long)]
        org: String,
        /// The guardian's email address.
        #[arg(long)]
        email: String,
    },
    /// Give a chair, company secretary or board member the board records they cannot open
    /// yet, using the organisation's recovery key (read from standard input). Use it when
    /// every reader of a record has changed since it was last opened.
    BoardRecover {
        #[arg(long)]
        org: String,
        /// Their email address.
        #[arg(long)]
        email: String,
    },
}

/// A passphrase from standard input, or a new random one of four words' strength.
fn new_passphrase(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("could not read standard input")?;
        let passphrase = line.trim_end_matches(['\r', '\n']).to_owned();
        Ok((passphrase, false))
    } else {
        // 144 random bits, shown in groups so it can be read out or typed.
        let token = dignity_crypto::token::random_token();
        let groups: Vec<String> = token
            .as_bytes()
            .chunks(6)
            .take(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        Ok((groups.join("-"), true))
    }
}

pub async fn run(command: AdminCommand, db: &Db) -> anyhow::Result<()> {
    let operator = Operator::new(db.clone(), dignity_app::Clock::system(), ACTOR);
    match command {
        AdminCommand::CreateOrg {
            ods,
            name,
            org_type,
            region,
            benchmark_group,
        } => {
            let new = NewOrganisation {
                ods_code: OdsCode::parse(&ods)?,
                name: Name::parse(&name, "Give the organisation's name")?,
                org_type: org_type.parse::<OrgType>()?,
                region: region.parse::<Region>()?,
                benchmark_group: Name::parse(&benchmark_group, "Give the benchmark group")?,
            };
            let org = operator.create_organisation(&new).await?;
            println!("Created {} ({}).", org.name, org.ods_code);
        }
        AdminCommand::SetIcb { org, icb } => {
            let organisation = operator.organisation(&OdsCode::parse(&org)?).await?;
            if icb.trim().eq_ignore_ascii_case("none") {
                operator.set_icb(&organisation, None).await?;
                println!(
                    "{} is in no integrated care board's area.",
                    organisation.name
                );
            } else {
                let board = operator.organisation(&OdsCode::parse(&icb)?).await?;
                operator.set_icb(&organisation, Some(&board)).await?;
                println!("{} is in the area of {}.", organisation.name, board.name);
            }
        }
        AdminCommand::ListOrgs => {
            for org in operator.organisations().await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    org.ods_code,
                    org.name,
                    org.org_type.code(),
                    org.region.code(),
                    org.benchmark_group
                );
            }
        }
        AdminCommand::AddUnit {
            org,
            kind,
            name,
            parent,
        } => {
            let organisation = operator.organisation(&OdsCode::parse(&org)?).await?;
            let unit = operator
                .add_unit(
                    &organisation,
                    parent,
                    kind.parse::<OrgUnitKind>()?,
                    &Name::parse(&name, "Give the unit's name")?,
                )
                .await?;
            println!(
                "Added {} {} (id {}).",
                unit.kind.label().to_lowercase(),
                unit.name,
                unit.id
            );
        }
        AdminCommand::CreatePerson {
            email,
            name,
            passphrase_stdin,
        } => {
            let email = Email::parse(&email)?;
            let name = Name::parse(&name, "Give the person's name")?;
            let (passphrase, generated) = new_passphrase(passphrase_stdin)?;
            let hash = operator.hash_passphrase(&passphrase)?;
            let person = operator.create_person(&email, &name, &hash).await?;
            println!(
                "Created an account for {} (id {}).",
                person.email, person.id
            );
            if generated {
                println!("Their passphrase, shown only now: {passphrase}");
            }
        }
        AdminCommand::GrantRole {
            email,
            role,
            org,
            region,
        } => {
            let person = operator.person(&Email::parse(&email)?).await?;
            let role = role.parse::<Role>()?;
            let organisation = match (&org, role.scope()) {
                (Some(code), _) => Some(operator.organisation(&OdsCode::parse(code)?).await?),
                (None, RoleScope::Organisation) => bail!(
                    "the role {} is held in one organisation: add --org CODE",
                    role.code()
                ),
                (None, RoleScope::Platform) => None,
                (None, RoleScope::Region) => {
                    let Some(region) = region else {
                        bail!(
                            "the role {} is held in one region: add --region CODE",
                            role.code()
                        );
                    };
                    let region = region.parse::<Region>()?;
                    operator.grant_region_role(&person, role, region).await?;
                    println!(
                        "{} is now {} in the {} region.",
                        person.email,
                        role.label(),
                        region.label()
                    );
                    return Ok(());
                }
            };
            if region.is_some() {
                bail!("only the role regional_director is held in a region: leave out --region");
            }
            operator
                .grant_role(&person, role, organisation.as_ref())
                .await?;
            match organisation {
                Some(org) => println!("{} is now {} in {}.", person.email, role.label(), org.name),
                None => println!("{} is now {}.", person.email, role.label()),
            }
        }
        AdminCommand::ResetPassphrase {
            email,
            passphrase_stdin,
        } => {
            let person = operator.person(&Email::parse(&email)?).await?;
            let (passphrase, generated) = new_passphrase(passphrase_stdin)?;
            let hash = operator.hash_passphrase(&passphrase)?;
            operator.set_passphrase(&person, &hash).await?;
            println!(
                "Set a new passphrase for {} and ended their sessions.",
                person.email
            );
            if generated {
                println!("Their passphrase, shown only now: {passphrase}");
            }
        }
        AdminCommand::ResetTwoFactor { email } => {
            let person = operator.person(&Email::parse(&email)?).await?;
            operator.set_second_step(&person, None).await?;
            println!(
                "{} will set up their second sign-in step again when they next sign in.",
                person.email
            );
        }
        AdminCommand::GenerateSecret => println!("{}", generate_secret()),
        AdminCommand::VerifyAudit => match operator.verify_audit().await? {
            Verification::Intact { entries, last_hash } => {
                println!("The audit log is intact: {entries} entries. Latest hash: {last_hash}");
                println!(
                    "Keep that hash somewhere else: if it ever stops matching, the log was rewritten."
                );
            }
            Verification::Broken(broken) => {
                bail!("the audit log has been tampered with: {broken:?}")
            }
        },
        AdminCommand::SurveyShuffle => {
            operator.shuffle_survey_storage().await?;
            println!("Survey responses and participants are stored in random order.");
        }
        AdminCommand::SurveyAdd { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("could not read {}: {e}", file.display()))?;
            let survey = dignity_domain::survey::parse(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let id = operator.save_survey(&survey, &text).await?;
            println!(
                "Added the survey {} ({}) with {} questions, as survey {id}.",
                survey.key,
                survey.title,
                survey.questions().count()
            );
        }
        AdminCommand::DiagnosticAdd { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow::anyhow!("could not read {}: {e}", file.display()))?;
            let framework = dignity_domain::diagnostics::parse(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let statements = framework.statements().count();
            match operator.save_framework(&framework, &text).await? {
                dignity_app::admin::Added::New(id) => println!(
                    "Loaded version {} of the framework {} ({}): {} elements, {statements} statements, as framework {id}.",
                    framework.version,
                    framework.key,
                    framework.title,
                    framework.elements.len()
                ),
                dignity_app::admin::Added::Already(id) => println!(
                    "Version {} of the framework {} is loaded already, as framework {id}. Nothing changed.",
                    framework.version, framework.key
                ),
            }
        }
        AdminCommand::SpeakupInit {
            org,
            acknowledge_days,
        } => {
            let organisation = operator.organisation(&OdsCode::parse(&org)?).await?;
            let recovery = operator
                .turn_on_speakup(&organisation, acknowledge_days)
                .await?;
            println!("Speak Up is on for {}.", organisation.name);
            println!();
            println!(
                "This is the organisation's recovery key. It is shown only now and is not stored."
            );
            println!(
                "Print it or write it down, and keep it offline somewhere safe, such as the board secretary's safe."
            );
            println!("It opens every concern, so treat it like the guardians' own keys.");
            println!();
            println!(
                "{}",
                dignity_crypto::speakup::identity_text(&recovery).as_str()
            );
        }
        AdminCommand::BoardRecover { org, email } => {
            let organisation = operator.organisation(&OdsCode::parse(&org)?).await?;
            let person = operator.person(&Email::parse(&email)?).await?;
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("could not read the recovery key from standard input")?;
            let recovery = dignity_crypto::speakup::parse_identity(line.trim())
                .map_err(|_| anyhow::anyhow!("that is not a recovery key"));
            line.zeroize();
            let recovery = recovery?;
            let count =
                dignity_app::leadership::recover(&operator, &organisation, &person, &recovery)
                    .await?;
            println!(
                "{} can now open {count} more board records of {}.",
                person.email, organisation.name
            );
        }
        AdminCommand::SpeakupRecover { org, email } => {
            let organisation = operator.organisation(&OdsCode::parse(&org)?).await?;
            let person = operator.person(&Email::parse(&email)?).await?;
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("could not read the recovery key from standard input")?;
            let recovery = dignity_crypto::speakup::parse_identity(line.trim())
                .map_err(|_| anyhow::anyhow!("that is not a recovery key"));
            line.zeroize();
            let recovery = recovery?;
            let count = operator
                .recover_cases(&organisation, &person, &recovery)
                .await?;
            let records = operator
                .recover_guide_records(&organisation, &person, &recovery)
                .await?;
            println!(
                "{} can now open {count} more cases and {records} more decision guide records of {}.",
                person.email, organisation.name
            );
        }
    }
    Ok(())
}

/// A new installation secret as 64 hexadecimal characters.
pub fn generate_secret() -> String {
    dignity_crypto::secret::InstallationSecret::generate()
        .to_hex()
        .to_string()
}

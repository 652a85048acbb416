//! The `dignity` binary, run as an operator would run it.

// Tests stop at the first surprise: they may unwrap, expect, panic and index.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dignity_store::Backend;
use dignity_store::scratch::ScratchDb;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The command as an operator runs it, on `database_url`, in `dir`.
fn command(dir: &Path, database_url: &str, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dignity"));
    command
        .args(args)
        .current_dir(dir)
        .env("DIGNITY_DATABASE_URL", database_url)
        .env_remove("DIGNITY_BIND");
    command
}

fn dignity(dir: &Path, database_url: &str, args: &[&str]) -> Result<Output, std::io::Error> {
    command(dir, database_url, args)
        .stdin(Stdio::null())
        .output()
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Result<TempDir, std::io::Error> {
        let path = std::env::temp_dir().join(format!("dignity-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn help_explains_each_command() -> TestResult {
    let dir = TempDir::new("help")?;
    let output = dignity(&dir.0, "sqlite://x.db", &["--help"])?;
    let help = text(&output);
    for command in [
        "serve",
        "migrate",
        "demo",
        "admin",
        "backup",
        "migrate-data",
    ] {
        assert!(help.contains(command), "{help}");
    }
    let output = dignity(&dir.0, "sqlite://x.db", &["admin", "grant-role", "--help"])?;
    assert!(text(&output).contains("national_analyst"));
    Ok(())
}

#[test]
fn bad_settings_are_named_before_anything_runs() -> TestResult {
    let dir = TempDir::new("settings")?;
    std::fs::write(
        dir.0.join("dignity.toml"),
        "bind = \"127.0.0.1:1\"\nport = 80\n",
    )?;
    let output = dignity(&dir.0, "sqlite://x.db", &["migrate"])?;
    assert_eq!(output.status.code(), Some(2));
    let message = text(&output);
    assert!(message.contains("unknown field `port`"), "{message}");
    let output = dignity(
        &dir.0,
        "mysql://nope",
        &["--config", "/nonexistent.toml", "migrate"],
    )?;
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output).contains("/nonexistent.toml"));
    assert!(!dir.0.join("x.db").exists(), "nothing was created");
    Ok(())
}

#[tokio::test]
async fn admin_commands_audit_backup_and_copy_to_postgres() -> TestResult {
    let dir = TempDir::new("admin")?;
    let url = format!("sqlite://{}", dir.0.join("dignity.db").display());
    let run = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
        let output = dignity(&dir.0, &url, args)?;
        let out = text(&output);
        if !output.status.success() {
            return Err(format!("{args:?} failed: {out}").into());
        }
        Ok(out)
    };
    run(&["migrate"])?;
    run(&[
        "admin",
        "create-org",
        "--ods",
        "rj1",
        "--name",
        "Test Trust",
        "--type",
        "acute",
        "--region",
        "london",
        "--benchmark-group",
        "Acute trusts",
    ])?;
    let out = run(&[
        "admin", "add-unit", "--org", "RJ1", "--kind", "division", "--name", "Surgery",
    ])?;
    assert!(out.contains("Added division Surgery"), "{out}");
    let out = run(&[
        "admin",
        "create-person",
        "--email",
        "Ann@Trust.nhs.uk",
        "--name",
        "Ann",
    ])?;
    assert!(out.contains("Their passphrase, shown only now:"), "{out}");
    run(&[
        "admin",
        "grant-role",
        "--email",
        "ann@trust.nhs.uk",
        "--role",
        "guardian",
        "--org",
        "RJ1",
    ])?;
    run(&[
        "admin",
        "grant-role",
        "--email",
        "ann@trust.nhs.uk",
        "--role",
        "national_analyst",
    ])?;
    run(&["admin", "reset-passphrase", "--email", "ann@trust.nhs.uk"])?;
    run(&["admin", "reset-two-factor", "--email", "ann@trust.nhs.uk"])?;
    assert!(run(&["admin", "list-orgs"])?.contains("RJ1\tTest Trust\tacute"));

    // Mistakes are explained and change nothing.
    for (args, says) in [
        (
            &[
                "admin",
                "create-org",
                "--ods",
                "RJ1",
                "--name",
                "Again",
                "--type",
                "acute",
                "--region",
                "london",
                "--benchmark-group",
                "A",
            ][..],
            "already exists",
        ),
        (
            &[
                "admin",
                "create-org",
                "--ods",
                "RJ9",
                "--name",
                "X",
                "--type",
                "hospital",
                "--region",
                "london",
                "--benchmark-group",
                "A",
            ][..],
            "'hospital' is not a known organisation type",
        ),
        (
            &[
                "admin",
                "grant-role",
                "--email",
                "ann@trust.nhs.uk",
                "--role",
                "staff",
            ][..],
            "add --org CODE",
        ),
        (
            &[
                "admin",
                "grant-role",
                "--email",
                "nobody@trust.nhs.uk",
                "--role",
                "staff",
                "--org",
                "RJ1",
            ][..],
            "There is no account for nobody@trust.nhs.uk",
        ),
        (
            &[
                "admin",
                "grant-role",
                "--email",
                "ann@trust.nhs.uk",
                "--role",
                "staff",
                "--org",
                "ZZZ",
            ][..],
            "There is no organisation with ODS code ZZZ",
        ),
        (
            &[
                "admin",
                "create-person",
                "--email",
                "ann@trust.nhs.uk",
                "--name",
                "Twin",
            ][..],
            "already has an account",
        ),
    ] {
        let output = dignity(&dir.0, &url, args)?;
        assert!(!output.status.success(), "{args:?}");
        assert!(text(&output).contains(says), "{args:?}: {}", text(&output));
    }

    let out = run(&["admin", "verify-audit"])?;
    assert!(out.contains("The audit log is intact: 7 entries"), "{out}");

    let backup = dir.0.join("backup.db");
    let out = run(&["backup", "--to", backup.to_str().unwrap_or_default()])?;
    assert!(out.contains("checked it"), "{out}");
    let again = dignity(
        &dir.0,
        &url,
        &["backup", "--to", backup.to_str().unwrap_or_default()],
    )?;
    assert!(text(&again).contains("already exists"));
    let backup_url = format!("sqlite://{}", backup.display());
    assert!(
        text(&dignity(&dir.0, &backup_url, &["admin", "verify-audit"])?)
            .contains("intact: 7 entries")
    );

    // Move the whole installation to PostgreSQL.
    let target = ScratchDb::new(Backend::Postgres).await?;
    let outcome = (|| {
        let out = run(&["migrate-data", "--from", &url, "--to", &target.url])?;
        assert!(out.contains("every table's row count matches"), "{out}");
        let out = text(&dignity(&dir.0, &target.url, &["admin", "verify-audit"])?);
        assert!(out.contains("intact: 7 entries"), "{out}");
        Ok::<_, Box<dyn std::error::Error>>(())
    })();
    target.finish().await;
    outcome?;

    // Someone edits the log directly: verification fails loudly.
    let db = dignity_store::Db::connect(&url, &dignity_store::DbOptions::default()).await?;
    sqlx::raw_sql("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'someone else' WHERE seq = 2")
        .execute(db.pool())
        .await?;
    db.close().await;
    let output = dignity(&dir.0, &url, &["admin", "verify-audit"])?;
    assert!(!output.status.success());
    assert!(text(&output).contains("tampered"), "{}", text(&output));
    Ok(())
}

#[tokio::test]
async fn demo_seeds_serves_and_stops_cleanly() -> TestResult {
    let dir = TempDir::new("demo")?;
    let url = format!("sqlite://{}", dir.0.join("demo.db").display());
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    drop(listener);
    let child = Command::new(env!("CARGO_BIN_EXE_dignity"))
        .arg("demo")
        .current_dir(&dir.0)
        .env("DIGNITY_DATABASE_URL", &url)
        .env("DIGNITY_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut ready = false;
    // The demo seeds its data before it listens: give a loaded machine time.
    for _ in 0..600 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // SIGTERM: the server must stop cleanly.
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let output = child.wait_with_output()?;
    assert!(ready, "the demo server did not start");
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.contains(&format!("http://127.0.0.1:{port}")), "{out}");
    assert!(out.contains("guardian@demo.nhs.uk"), "{out}");
    assert!(
        output.status.success(),
        "graceful stop: {:?}",
        output.status
    );
    assert!(
        out.contains("Answer it at"),
        "the open survey's codes are printed: {out}"
    );
    let out = text(&dignity(&dir.0, &url, &["admin", "list-orgs"])?);
    // Three with accounts, ten more that only take part in surveys and rate themselves,
    // and the integrated care board whose system lead looks across two of them.
    assert_eq!(out.lines().count(), 14, "{out}");
    assert!(out.contains("DEMOI\t"), "{out}");
    assert!(out.contains("DEMO1") && out.contains("DEMO7"), "{out}");

    // Every organisation has its workforce extracts: staff in post on two year ends a year apart,
    // and the latest year's leavers, shortlisted applicants, training and board.
    let db = dignity_store::Db::connect(&url, &dignity_store::DbOptions::default()).await?;
    let snapshots: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT o.ods_code, s.kind, s.as_at, s.row_count FROM workforce_snapshots s \
         JOIN organisations o ON o.id = s.organisation_id ORDER BY o.ods_code, s.kind, s.as_at",
    )
    .fetch_all(db.pool())
    .await?;
    let trusts: std::collections::BTreeSet<&str> = snapshots.iter().map(|s| s.0.as_str()).collect();
    // The integrated care board employs staff too, so it has its extracts as well.
    assert_eq!(trusts.len(), 14, "{snapshots:?}");
    for trust in trusts {
        let kinds: Vec<(&str, &str)> = snapshots
            .iter()
            .filter(|s| s.0 == trust)
            .map(|s| (s.1.as_str(), s.2.as_str()))
            .collect();
        assert_eq!(kinds.len(), 6, "{trust}: {kinds:?}");
        let latest = kinds.iter().find(|k| k.0 == "board").map(|k| k.1).unwrap();
        assert!(latest.ends_with("-03-31"), "{trust}: {latest}");
        let year: i64 = latest[..4].parse()?;
        for kind in ["leavers", "recruitment", "training"] {
            assert!(kinds.contains(&(kind, latest)), "{trust}: {kind} {kinds:?}");
        }
        assert!(kinds.contains(&("staff", latest)), "{trust}: {kinds:?}");
        let last_year = format!("{}-03-31", year - 1);
        assert!(
            kinds.contains(&("staff", last_year.as_str())),
            "{trust}: {kinds:?}"
        );
    }
    // And the staff entering formal processes in each of those two years.
    let formal: Vec<(String, String)> = sqlx::query_as(
        "SELECT o.ods_code, f.as_at FROM workforce_formal_sealed f \
         JOIN organisations o ON o.id = f.organisation_id ORDER BY o.ods_code, f.as_at",
    )
    .fetch_all(db.pool())
    .await?;
    for trust in snapshots.iter().map(|s| s.0.as_str()) {
        let days: Vec<&str> = snapshots
            .iter()
            .filter(|s| s.0 == trust && s.1 == "staff")
            .map(|s| s.2.as_str())
            .collect();
        let formal_days: Vec<&str> = formal
            .iter()
            .filter(|f| f.0 == trust)
            .map(|f| f.1.as_str())
            .collect();
        assert_eq!(formal_days, days, "{trust}");
    }
    let staff: i64 = snapshots
        .iter()
        .filter(|s| s.1 == "staff")
        .map(|s| s.3)
        .sum();
    assert!(
        (5_000..=60_000).contains(&staff),
        "a few thousand people a trust: {staff}"
    );
    db.close().await;
    Ok(())
}

fn dignity_with_input(
    dir: &Path,
    database_url: &str,
    args: &[&str],
    input: &str,
) -> Result<Output, Box<dyn std::error::Error>> {
    use std::io::Write;
    let mut child = command(dir, database_url, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(input.as_bytes())?;
    Ok(child.wait_with_output()?)
}

#[tokio::test]
async fn speakup_init_prints_a_recovery_key_that_recovers_cases() -> TestResult {
    use dignity_crypto::speakup::{ConcernKey, SecretKey, public_key, wrap_identity};
    use dignity_domain::identity::{Email, Name, Role};
    use dignity_domain::speakup::{CaseType, Day, IdentityLevel, PatientSafety};
    use dignity_store::{identity, speakup};

    let dir = TempDir::new("speakup")?;
    let url = format!("sqlite://{}", dir.0.join("dignity.db").display());
    let run = |args: &[&str]| dignity(&dir.0, &url, args);
    run(&[
        "admin",
        "create-org",
        "--ods",
        "RJ1",
        "--name",
        "Test Trust",
        "--type",
        "acute",
        "--region",
        "london",
        "--benchmark-group",
        "Acute",
    ])?;
    // The days to acknowledge are checked by the same rule as everywhere (the app's).
    let output = run(&[
        "admin",
        "speakup-init",
        "--org",
        "RJ1",
        "--acknowledge-days",
        "21",
    ])?;
    let out = text(&output);
    assert!(!output.status.success(), "{out}");
    assert!(out.contains("from 1 to 20 working days"), "{out}");
    assert!(!out.contains("AGE-SECRET-KEY"), "{out}");
    let output = run(&["admin", "speakup-init", "--org", "RJ1"])?;
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    let recovery = out
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"))
        .ok_or("no recovery key printed")?
        .to_owned();
    assert!(
        !text(&run(&["admin", "speakup-init", "--org", "RJ1"])?).contains("AGE-SECRET-KEY"),
        "a second init prints nothing new"
    );

    // A case sealed only to the recovery key, and a guardian with a case key.
    let db = dignity_store::Db::connect(&url, &dignity_store::DbOptions::default()).await?;
    let org =
        identity::get_organisation(&db, &dignity_domain::identity::OdsCode::parse("RJ1")?).await?;
    let settings = speakup::settings(&db, org.id).await?.ok_or("not set up")?;
    let stored_recovery: String =
        sqlx::query_scalar("SELECT recovery_public_key FROM speakup_settings")
            .fetch_one(db.pool())
            .await?;
    assert!(
        stored_recovery.starts_with("age1"),
        "only the public half is stored"
    );
    let case_key = ConcernKey::generate();
    let today = Day::from_unix_seconds(dignity_web::now());
    let case_id = speakup::create_case(
        &db,
        &speakup::NewCase {
            organisation_id: org.id,
            case_type: CaseType::Concern,
            identity_level: IdentityLevel::Anonymous,
            public_key: case_key.public_key(),
            receipt_lookup: "TESTCASE".into(),
            receipt_salt: vec![0; 16],
            receipt_verifier: vec![0; 32],
            org_unit_id: None,
            patient_safety: PatientSafety::No,
            received_on: today,
            acknowledge_by: today,
            seals: vec![(
                speakup::RECOVERY_HOLDER.into(),
                case_key.seal_to(&settings.recovery_public_key)?,
            )],
            report: case_key.encrypt(b"the report")?,
            stage: None,
            attachments: Vec::new(),
        },
    )
    .await?;
    let guardian_key = SecretKey::generate();
    let gina = identity::create_person(
        &db,
        "test",
        1,
        &Email::parse("gina@trust.nhs.uk")?,
        &Name::parse("Gina", "n")?,
        "h",
    )
    .await?;
    identity::grant_role(&db, "test", 1, &gina, Role::Guardian, Some(&org)).await?;
    let wrapped = wrap_identity(
        &guardian_key,
        "unused",
        dignity_crypto::passphrase::HashCost::FAST_FOR_TESTS,
    )?;
    speakup::save_caseworker_key(
        &db,
        "test",
        1,
        gina.id,
        &public_key(&guardian_key),
        &wrapped,
    )
    .await?;

    let wrong = dignity_with_input(
        &dir.0,
        &url,
        &[
            "admin",
            "speakup-recover",
            "--org",
            "RJ1",
            "--email",
            "gina@trust.nhs.uk",
        ],
        &format!(
            "{}\n",
            dignity_crypto::speakup::identity_text(&SecretKey::generate()).as_str()
        ),
    )?;
    assert!(!wrong.status.success());
    assert!(
        text(&wrong).contains("not Test Trust's recovery key"),
        "{}",
        text(&wrong)
    );

    let output = dignity_with_input(
        &dir.0,
        &url,
        &[
            "admin",
            "speakup-recover",
            "--org",
            "RJ1",
            "--email",
            "gina@trust.nhs.uk",
        ],
        &format!("{recovery}\n"),
    )?;
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("can now open 1 more cases"),
        "{}",
        text(&output)
    );
    let sealed = speakup::seal_for(&db, case_id, &speakup::person_holder(gina.id))
        .await?
        .ok_or("not re-sealed")?;
    let opened = ConcernKey::unseal(&sealed, &guardian_key)?;
    let report = speakup::entries(&db, case_id).await?.remove(0);
    assert_eq!(
        opened.decrypt(&report.ciphertext)?.as_slice(),
        b"the report"
    );
    db.close().await;
    Ok(())
}

#[tokio::test]
async fn survey_responses_import_from_csv_all_or_nothing() -> TestResult {
    use dignity_domain::speakup::Day;
    use dignity_domain::survey::{DEFAULT_BANK, Participation};
    use dignity_store::{identity, survey};

    let dir = TempDir::new("import")?;
    let url = format!("sqlite://{}", dir.0.join("dignity.db").display());
    let run = |args: &[&str]| dignity(&dir.0, &url, args);
    let created = run(&[
        "admin",
        "create-org",
        "--ods",
        "RJ1",
        "--name",
        "Test Trust",
        "--type",
        "acute",
        "--region",
        "london",
        "--benchmark-group",
        "Acute",
    ])?;
    assert!(created.status.success(), "{}", text(&created));
    let db = dignity_store::Db::connect(&url, &dignity_store::DbOptions::default()).await?;
    let org =
        identity::get_organisation(&db, &dignity_domain::identity::OdsCode::parse("RJ1")?).await?;
    let survey_id =
        survey::save_survey(&db, "test", 1, "dignity-culture", "Culture", DEFAULT_BANK).await?;
    let campaign = survey::create_campaign(
        &db,
        "test",
        1,
        &org,
        &survey::Campaign {
            id: 0,
            survey_id,
            organisation_id: org.id,
            title: "Paper survey".into(),
            opens_on: Day::parse("2026-01-01")?,
            closes_on: Day::parse("2026-01-31")?,
            year: 2026,
            participation: Participation::Tokens,
        },
    )
    .await?;
    let id = campaign.id.to_string();
    let file = dir.0.join("responses.csv");

    // Line 3 has an answer the question does not have: nothing is stored.
    std::fs::write(
        &file,
        "safe_to_speak_up,staff_group,anything_else\n\
         Agree,Nursing and midwifery,More breaks\n\
         Sometimes,2,\n\
         5,,\n",
    )?;
    let output = run(&[
        "import",
        "survey-responses",
        "--campaign",
        &id,
        "responses.csv",
    ])?;
    let out = text(&output);
    assert!(!output.status.success(), "{out}");
    assert!(
        out.contains("line 3") && out.contains("'Sometimes'"),
        "{out}"
    );
    assert!(out.contains("nothing was imported"), "{out}");
    assert_eq!(survey::response_count(&db, campaign.id).await?, 0);

    // An unknown column is named.
    std::fs::write(&file, "shoe_size\n42\n")?;
    let out = text(&run(&[
        "import",
        "survey-responses",
        "--campaign",
        &id,
        "responses.csv",
    ])?);
    assert!(
        out.contains("line 1") && out.contains("'shoe_size'"),
        "{out}"
    );

    std::fs::write(
        &file,
        "safe_to_speak_up,staff_group,anything_else\n\
         Agree,Nursing and midwifery,More breaks\n\
         strongly disagree,2,\n\
         5,,\n",
    )?;
    // The campaign has closed, so its results are published: an import would move them,
    // and is refused unless the operator says they mean it.
    let output = run(&[
        "import",
        "survey-responses",
        "--campaign",
        &id,
        "responses.csv",
    ])?;
    let out = text(&output);
    assert!(!output.status.success(), "{out}");
    assert!(out.contains("--into-closed-campaign"), "{out}");
    assert_eq!(survey::response_count(&db, campaign.id).await?, 0);
    let output = run(&[
        "import",
        "survey-responses",
        "--campaign",
        &id,
        "responses.csv",
        "--into-closed-campaign",
    ])?;
    let out = text(&output);
    assert!(output.status.success(), "{out}");
    assert!(out.contains("Imported 3 responses"), "{out}");
    let audited = dignity_store::audit::list_for_organisation(&db, "RJ1", None, 100).await?;
    assert!(
        audited.iter().any(|e| e.action == "survey.import"
            && e.detail
                .contains("Imported 3 responses into the closed campaign")),
        "{audited:?}"
    );
    assert_eq!(survey::response_count(&db, campaign.id).await?, 3);
    assert_eq!(
        survey::comments(&db, campaign.id, "anything_else").await?,
        ["More breaks"]
    );

    // Survey files are checked, with the line of a mistake, before they are added.
    std::fs::write(
        dir.0.join("pulse.toml"),
        "key = \"pulse\"\ntitle = \"Pulse\"\n\n[[sections]]\ntitle = \"Now\"\n\n[[sections.questions]]\nkey = \"ok\"\nkind = \"agreement\"\nbetter = \"higher\"\ntext = \"I am OK at work.\"\ntheme = \"nothing\"\n",
    )?;
    let out = text(&run(&["admin", "survey-add", "pulse.toml"])?);
    assert!(out.contains("line 12") && out.contains("nothing"), "{out}");
    let fixed =
        std::fs::read_to_string(dir.0.join("pulse.toml"))?.replace("theme = \"nothing\"\n", "");
    std::fs::write(dir.0.join("pulse.toml"), fixed)?;
    let output = run(&["admin", "survey-add", "pulse.toml"])?;
    assert!(output.status.success(), "{}", text(&output));
    assert!(survey::survey_id_by_key(&db, "pulse").await?.is_some());
    Ok(())
}

// Two threads: the test server answers while this thread waits for the command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_links_are_checked_and_reported_without_changing_anything() -> TestResult {
    use dignity_domain::library::{Audience, Kind, Topic};
    use dignity_domain::speakup::Day;
    use dignity_store::library::{self, CaseStudy, NewResource};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    // A small web server: /ok and the home page answer 200, anything else 404.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let server = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = [0u8; 2048];
            let n = stream.read(&mut buffer).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..n]);
            let status = if request.contains(" /ok ") || request.contains(" / ") {
                "200 OK"
            } else {
                "404 Not Found"
            };
            let _ = stream
                .write_all(
                    format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await;
        }
    });

    let dir = TempDir::new("links")?;
    let url = format!("sqlite://{}", dir.0.join("dignity.db").display());
    let migrated = dignity(&dir.0, &url, &["migrate"])?;
    assert!(migrated.status.success(), "{}", text(&migrated));
    let db = dignity_store::Db::connect(&url, &dignity_store::DbOptions::default()).await?;
    let resource = |title: &str, link: String| NewResource {
        kind: Kind::Guide,
        title: title.into(),
        summary: "A guide.".into(),
        publisher: "Someone".into(),
        link,
        audiences: vec![Audience::Staff],
        topics: vec![Topic::Civility],
        published: None,
        review_on: Day::from_unix_seconds(2_000_000_000),
        case: CaseStudy::default(),
    };
    library::add_resources(
        &db,
        "test",
        None,
        1,
        &[
            resource("Still there", format!("http://127.0.0.1:{port}/ok")),
            resource("Gone away", format!("http://127.0.0.1:{port}/gone")),
            resource("No such site", "http://127.0.0.1:9/nothing".into()),
            resource("Not online yet", String::new()),
            resource("Publisher only", format!("http://127.0.0.1:{port}/")),
        ],
    )
    .await?;
    let before = library::last_change(&db).await?;
    let output = dignity(&dir.0, &url, &["library", "check-links", "--timeout", "5"])?;
    let said = text(&output);
    assert!(output.status.success(), "reports, never fails: {said}");
    assert!(said.contains("2 of 4 links did not work"), "{said}");
    assert!(
        said.contains("Gone away") && said.contains("answered 404"),
        "{said}"
    );
    // Where a curator puts each one right, and the resources with no address at all.
    let gone = library::all_resources(&db)
        .await?
        .into_iter()
        .find(|r| r.fields.title == "Gone away")
        .ok_or("the dead one")?;
    assert!(
        said.contains(&format!("change it at /library/{}/edit", gone.id)),
        "{said}"
    );
    assert!(
        said.contains("1 resource has no web address yet") && said.contains("/library/manage"),
        "{said}"
    );
    assert!(
        said.contains("1 resource links only to a website's home page"),
        "{said}"
    );
    assert!(said.contains("No such site"), "{said}");
    assert!(!said.contains("Still there"), "{said}");
    assert_eq!(
        library::last_change(&db).await?,
        before,
        "nothing was changed"
    );
    server.abort();
    Ok(())
}

/// Runs `dignity` with an installation secret given in the settings, as PostgreSQL
/// installations must.
fn dignity_with_secret(
    dir: &Path,
    database_url: &str,
    secret: &str,
    args: &[&str],
) -> Result<Output, std::io::Error> {
    command(dir, database_url, args)
        .env("DIGNITY_SECRET_KEY", secret)
        .stdin(Stdio::null())
        .output()
}

/// Every stored value of every table, as text, to search for what must not be there.
async fn every_stored_value(db: &dignity_store::Db) -> Result<String, Box<dyn std::error::Error>> {
    use sqlx::Row;
    let tables: Vec<String> = match db.backend() {
        Backend::Sqlite => {
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(db.pool())
                .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
            )
            .fetch_all(db.pool())
            .await?
        }
    };
    let mut all = String::new();
    for table in tables {
        let sql = match db.backend() {
            // Every column as text, joined: SQLite has no row-to-text cast.
            Backend::Sqlite => {
                let columns: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                        .fetch_all(db.pool())
                        .await?;
                let joined: Vec<String> = columns
                    .iter()
                    .map(|c| {
                        format!(
                            "COALESCE(CASE typeof(\"{c}\") WHEN 'blob' THEN hex(\"{c}\") \
                             ELSE CAST(\"{c}\" AS TEXT) END, '')"
                        )
                    })
                    .collect();
                format!("SELECT {} FROM \"{table}\"", joined.join(" || '|' || "))
            }
            Backend::Postgres => format!("SELECT CAST(t AS TEXT) FROM \"{table}\" t"),
        };
        for row in sqlx::query(&sql).fetch_all(db.pool()).await? {
            let text: Option<String> = row.try_get(0)?;
            all.push_str(&text.unwrap_or_default());
            all.push('\n');
        }
    }
    Ok(all)
}

/// Every snapshot of `kind` kept for `as_at`, opened as the app opens them with `secret`
/// (hex): what a thief with the database and the secret would see.
async fn opened_snapshots(
    db: &dignity_store::Db,
    secret: &str,
    kind: dignity_store::workforce::Kind,
    as_at: &str,
) -> Result<Vec<dignity_store::workforce::Rows>, Box<dyn std::error::Error>> {
    let secret = dignity_crypto::secret::InstallationSecret::from_hex(secret).ok_or("a secret")?;
    let key = dignity_app::workforce::sealed::SnapshotKey::new(&secret);
    let organisations: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT organisation_id FROM workforce_snapshots")
            .fetch_all(db.pool())
            .await?;
    let mut found = Vec::new();
    for organisation in organisations {
        for snapshot in dignity_store::workforce::snapshots(db, organisation).await? {
            if snapshot.kind == kind && snapshot.as_at.to_string() == as_at {
                found.push(key.rows(db, &snapshot).await?);
            }
        }
    }
    Ok(found)
}

/// Every organisation's counts of staff entering formal processes, opened with `secret`.
async fn opened_formal(
    db: &dignity_store::Db,
    secret: &str,
) -> Result<Vec<dignity_store::workforce::FormalCount>, Box<dyn std::error::Error>> {
    let secret = dignity_crypto::secret::InstallationSecret::from_hex(secret).ok_or("a secret")?;
    let key = dignity_app::workforce::sealed::SnapshotKey::new(&secret);
    let organisations: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT organisation_id FROM workforce_formal_sealed")
            .fetch_all(db.pool())
            .await?;
    let mut found = Vec::new();
    for organisation in organisations {
        found.extend(key.formal(db, organisation).await?);
    }
    Ok(found)
}

/// The digests of the staff in post kept for `as_at`.
async fn sealed_persons(
    db: &dignity_store::Db,
    secret: &str,
    as_at: &str,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    use dignity_store::workforce::{Kind, Rows};
    let mut found = Vec::new();
    for rows in opened_snapshots(db, secret, Kind::Staff, as_at).await? {
        if let Rows::Staff { people, .. } = rows {
            found.extend(people.into_iter().map(|p| p.person));
        }
    }
    found.sort();
    Ok(found)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workforce_extracts_import_all_or_nothing_and_keep_no_one_by_name_or_number() -> TestResult
{
    const SECRET: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const OTHER_SECRET: &str = "2222222222222222222222222222222222222222222222222222222222222222";
    const HEADER: &str = "Employee Number,Full Name,Organisation,Staff Group,Pay Band,Ethnic Origin,Disability Flag,Gender,Age Band,Date First Hired,Contracted WTE,FTE Days Lost";
    let people = [
        "40001234,Zebedee Quillfeather,Surgery,Nursing and Midwifery Registered,Band 5,A White - British,No,Female,26-30,01/04/2020,1,3.5",
        "40005678,Ottoline Marchbanks,Medicine,Nursing and Midwifery Registered,Band 6,H Asian or Asian British - Indian,Yes,Male,31-35,2019-09-01,0.8,0",
        "40009999,Peregrine Ashdown,Medicine,Medical and Dental,Consultant,N Black or Black British - African,No,Male,46-50,15/01/2012,1,12",
    ];
    let numbers = ["40001234", "40005678", "40009999"];
    let names = [
        "Zebedee",
        "Quillfeather",
        "Ottoline",
        "Marchbanks",
        "Peregrine",
        "Ashdown",
    ];

    for backend in [Backend::Sqlite, Backend::Postgres] {
        let scratch = ScratchDb::new(backend).await?;
        let dir = TempDir::new(&format!("workforce-{backend:?}"))?;
        let run =
            |secret: &str, args: &[&str]| dignity_with_secret(&dir.0, &scratch.url, secret, args);
        let ok = |secret: &str, args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
            let output = run(secret, args)?;
            let out = text(&output);
            if !output.status.success() {
                return Err(format!("{args:?} failed: {out}").into());
            }
            Ok(out)
        };
        ok(
            SECRET,
            &[
                "admin",
                "create-org",
                "--ods",
                "RJ1",
                "--name",
                "Test Trust",
                "--type",
                "acute",
                "--region",
                "london",
                "--benchmark-group",
                "Acute",
            ],
        )?;
        for unit in ["Surgery", "Medicine"] {
            ok(
                SECRET,
                &[
                    "admin", "add-unit", "--org", "RJ1", "--kind", "division", "--name", unit,
                ],
            )?;
        }
        let file = dir.0.join("staff.csv");
        let import = |secret: &str, day: &str| {
            run(
                secret,
                &[
                    "import",
                    "workforce",
                    "--org",
                    "RJ1",
                    "--as-at",
                    day,
                    "staff.csv",
                ],
            )
        };
        let persons = || sealed_persons(&scratch.db, SECRET, "2026-03-31");

        // A misspelt unit and an unknown code: each named by line and column, nothing kept.
        std::fs::write(
            &file,
            format!(
                "{HEADER}\n{}\n{}\n{}\n",
                people[0].replace("Surgery", "Surgry"),
                people[1].replace("H Asian or Asian British - Indian", "Q"),
                people[2]
            ),
        )?;
        let output = import(SECRET, "2026-03-31")?;
        let out = text(&output);
        assert!(!output.status.success(), "{out}");
        assert!(
            out.contains("line 2") && out.contains("Surgery"),
            "the closest unit is offered: {out}"
        );
        assert!(
            out.contains("line 3") && out.contains("Ethnic Origin"),
            "{out}"
        );
        assert!(out.contains("nothing was stored"), "{out}");
        assert!(persons().await?.is_empty());

        // Right: all three kept, under digests.
        std::fs::write(&file, format!("{HEADER}\n{}\n", people.join("\n")))?;
        let out = ok(
            SECRET,
            &[
                "import",
                "workforce",
                "--org",
                "RJ1",
                "--as-at",
                "2026-03-31",
                "staff.csv",
            ],
        )?;
        assert!(
            out.contains("Kept 3 rows of staff in post for RJ1 as at 31 March 2026."),
            "{out}"
        );
        let first = persons().await?;
        assert_eq!(first.len(), 3);

        // The same day again: the year has settled (its figures must not move), so that
        // is refused unless it is put right on purpose; the same people then get the same
        // digests.
        let refused = import(SECRET, "2026-03-31")?;
        assert!(!refused.status.success());
        assert!(
            text(&refused).contains("--correct-settled-year"),
            "{}",
            text(&refused)
        );
        let out = ok(
            SECRET,
            &[
                "import",
                "workforce",
                "--org",
                "RJ1",
                "--as-at",
                "2026-03-31",
                "--correct-settled-year",
                "staff.csv",
            ],
        )?;
        assert!(
            out.contains("replacing the earlier import for that day"),
            "{out}"
        );
        assert_eq!(
            persons().await?,
            first,
            "a person's digest is stable across imports"
        );

        // Another secret gives other digests for the same people. It does not open the
        // extracts kept before, so a new one cannot be checked against them and is refused.
        // (A day of a year not yet settled: the year before a settled one is refused
        // before any comparison.)
        std::fs::write(&file, format!("{HEADER}\n{}\n", people[0]))?;
        let refused = import(OTHER_SECRET, "2026-04-30")?;
        assert!(!refused.status.success());
        assert!(
            text(&refused).contains("does not open with this installation's secret"),
            "{}",
            text(&refused)
        );
        ok(
            OTHER_SECRET,
            &[
                "admin",
                "create-org",
                "--ods",
                "RJ2",
                "--name",
                "Other Trust",
                "--type",
                "acute",
                "--region",
                "london",
                "--benchmark-group",
                "Acute",
            ],
        )?;
        ok(
            OTHER_SECRET,
            &[
                "admin", "add-unit", "--org", "RJ2", "--kind", "division", "--name", "Surgery",
            ],
        )?;
        let out = ok(
            OTHER_SECRET,
            &[
                "import",
                "workforce",
                "--org",
                "RJ2",
                "--as-at",
                "2025-03-31",
                "staff.csv",
            ],
        )?;
        assert!(out.contains("Kept 1 row"), "{out}");
        let with_other = sealed_persons(&scratch.db, OTHER_SECRET, "2025-03-31").await?;
        assert_eq!(with_other.len(), 1);
        assert!(
            sealed_persons(&scratch.db, SECRET, "2025-03-31")
                .await
                .is_err(),
            "a snapshot sealed under one secret does not open under another"
        );
        assert!(
            !first.contains(&with_other[0]),
            "the digest changes with the key"
        );

        // No employee number and no name anywhere in the database, nor a person's digest
        // or any row of theirs: snapshots are sealed.
        let stored = every_stored_value(&scratch.db).await?;
        assert!(stored.contains("RJ1"), "the search reads what is stored");
        let codes = ["nursing_midwifery_registered".to_owned()];
        for needle in numbers
            .iter()
            .chain(names.iter())
            .map(|n| n.to_string())
            .chain(first.iter().cloned())
            .chain(codes)
        {
            assert!(
                !stored.contains(needle.as_str()),
                "{needle} is stored on {backend:?}"
            );
        }
        if backend == Backend::Sqlite {
            // Nor in the files, free pages and log included.
            let path = scratch.url.trim_start_matches("sqlite://");
            let path = path.split('?').next().unwrap_or(path);
            for file in [path.to_owned(), format!("{path}-wal")] {
                if let Ok(bytes) = std::fs::read(&file) {
                    let bytes = String::from_utf8_lossy(&bytes);
                    let digests = first.iter().map(String::as_str);
                    for needle in numbers.iter().chain(names.iter()).copied().chain(digests) {
                        assert!(!bytes.contains(needle), "{needle} is in {file}");
                    }
                }
            }
        }
        scratch.finish().await;
    }
    Ok(())
}

/// A database with a staff-in-post extract imported before extracts were sealed (its rows
/// in the clear, as version 0022 kept them) is sealed at the next start with the secret:
/// the rows leave the table and file, and the same people come back from the sealed
/// record; the same for counts of staff entering formal processes. Without the secret the
/// command refuses, saying why, and the rows stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workforce_extracts_kept_in_the_clear_before_are_sealed_at_the_next_start() -> TestResult {
    const SECRET: &str = "4444444444444444444444444444444444444444444444444444444444444444";
    let dir = TempDir::new("workforce-upgrade")?;
    let path = dir.0.join("old.db");
    let url = format!("sqlite://{}", path.display());
    let db = dignity_store::Db::connect(&url, &dignity_store::DbOptions::default()).await?;
    db.migrate_below(23).await?;
    sqlx::query(
        "INSERT INTO organisations (ods_code, name, org_type, region, benchmark_group, created_at) \
         VALUES ('RJ1', 'Test Trust', 'acute', 'london', 'Acute', 0)",
    )
    .execute(db.pool())
    .await?;
    let snapshot: i64 = sqlx::query_scalar(
        "INSERT INTO workforce_snapshots (organisation_id, kind, as_at, imported_on, row_count) \
         SELECT id, 'staff', '2025-03-31', '2025-04-02', 2 FROM organisations RETURNING id",
    )
    .fetch_one(db.pool())
    .await?;
    let digests = [
        "d1gest0ne0000000000000000000000a",
        "d1gest7w00000000000000000000000b",
    ];
    for digest in digests {
        sqlx::query(
            "INSERT INTO workforce_staff (snapshot_id, person, staff_group, pay_grade, clinical, \
             ethnicity, disability, sex, age_band, wte) \
             VALUES ($1, $2, 'nursing_midwifery_registered', 'band_5', 1, 'A', 'no', 'female', \
             '26_30', 1.0)",
        )
        .bind(snapshot)
        .bind(digest)
        .execute(db.pool())
        .await?;
    }
    sqlx::query(
        "INSERT INTO workforce_formal (organisation_id, as_at, imported_on, process, ethnicity, \
         disability, entered) SELECT id, '2025-03-31', '2025-04-02', 'disciplinary', 'N', 'no', 1 \
         FROM organisations",
    )
    .execute(db.pool())
    .await?;
    db.pool().close().await;

    let refused = dignity_with_secret(&dir.0, &url, "", &["migrate"])?;
    let out = text(&refused);
    assert!(!refused.status.success(), "{out}");
    assert!(out.contains("needs the installation secret"), "{out}");

    let done = dignity_with_secret(&dir.0, &url, SECRET, &["migrate"])?;
    let out = text(&done);
    assert!(done.status.success(), "{out}");
    assert!(
        out.contains("Sealed 2 workforce extracts imported before extracts were kept sealed."),
        "{out}"
    );
    let db = dignity_store::Db::connect(&url, &dignity_store::DbOptions::default()).await?;
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workforce_staff")
        .fetch_one(db.pool())
        .await?;
    assert_eq!(left, 0);
    assert_eq!(
        sealed_persons(&db, SECRET, "2025-03-31").await?,
        digests.map(String::from),
        "the same people, sealed"
    );
    let formal = opened_formal(&db, SECRET).await?;
    assert_eq!(formal.len(), 1);
    assert_eq!(
        (
            formal[0].process.as_str(),
            formal[0].ethnicity.as_str(),
            formal[0].entered
        ),
        ("disciplinary", "N", 1)
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workforce_formal")
        .fetch_one(db.pool())
        .await?;
    assert_eq!(left, 0);
    db.pool().close().await;
    for file in [path.clone(), dir.0.join("old.db-wal")] {
        if let Ok(bytes) = std::fs::read(&file) {
            let bytes = String::from_utf8_lossy(&bytes);
            for digest in digests {
                assert!(!bytes.contains(digest), "{digest} is left in {file:?}");
            }
        }
    }

    let again = text(&dignity_with_secret(&dir.0, &url, SECRET, &["migrate"])?);
    assert!(
        !again.contains("Sealed"),
        "nothing is left to seal: {again}"
    );
    Ok(())
}

/// `dignity synth workforce` writes files that `dignity import workforce` takes, every
/// kind, for organisations and units made from its own list of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn synthetic_workforce_extracts_import_for_every_kind() -> TestResult {
    const SECRET: &str = "3333333333333333333333333333333333333333333333333333333333333333";
    let dir = TempDir::new("synth-workforce")?;
    let url = format!("sqlite://{}", dir.0.join("synth.db").display());
    let run = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
        let output = dignity_with_secret(&dir.0, &url, SECRET, args)?;
        let out = text(&output);
        if !output.status.success() {
            return Err(format!("{args:?} failed: {out}").into());
        }
        Ok(out)
    };
    let out = run(&[
        "synth",
        "workforce",
        "--orgs",
        "2",
        "--people",
        "1500",
        "--seed",
        "7",
        "--out",
        "extracts",
    ])?;
    assert!(
        out.contains("Wrote made-up workforce extracts for 2 organisations, 1500 staff in post"),
        "{out}"
    );

    // The list names each organisation once per unit, as create-org and add-unit take them.
    let list = std::fs::read_to_string(dir.0.join("extracts/organisations.csv"))?;
    let mut created = std::collections::BTreeSet::new();
    for line in list.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        let [ods, name, org_type, region, group, unit] = cells[..] else {
            panic!("{line}");
        };
        if created.insert(ods.to_owned()) {
            run(&[
                "admin",
                "create-org",
                "--ods",
                ods,
                "--name",
                name,
                "--type",
                org_type,
                "--region",
                region,
                "--benchmark-group",
                group,
            ])?;
        }
        run(&[
            "admin", "add-unit", "--org", ods, "--kind", "division", "--name", unit,
        ])?;
    }
    assert_eq!(created.len(), 2);

    let mut kinds = std::collections::BTreeSet::new();
    let mut staff = 0;
    for ods in &created {
        let folder = dir.0.join("extracts").join(ods);
        let mut files: Vec<_> = std::fs::read_dir(&folder)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        // As a trust loading settled years for the first time must: the older year first,
        // and each year's staff in post last (docs/workforce.md, "Settled years").
        files.sort_by_key(|file| {
            let stem = file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            let (kind, day) = stem.split_once('-').unwrap_or_default();
            (day.to_owned(), kind == "staff", kind.to_owned())
        });
        assert_eq!(files.len(), 8, "{files:?}");
        for file in files {
            // staff-2026-03-31.csv: the kind, then the day.
            let stem = file.file_stem().unwrap().to_str().unwrap();
            let (kind, day) = stem.split_once('-').unwrap();
            let lines = std::fs::read_to_string(&file)?.lines().count() - 1;
            let out = run(&[
                "import",
                "workforce",
                "--org",
                ods,
                "--as-at",
                day,
                "--extract",
                kind,
                file.to_str().unwrap(),
            ])?;
            assert!(out.contains(&format!("for {ods} as at")), "{out}");
            // Every extract says how many lines it kept, even those kept as counts by
            // group (applicants, staff entering formal processes).
            assert!(out.contains(&format!("Kept {lines} rows")), "{stem}: {out}");
            if kind == "staff" && day == "2026-03-31" {
                staff += lines;
            }
            kinds.insert(kind.to_owned());
        }
    }
    assert_eq!(staff, 1500);
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "board",
            "formal",
            "leavers",
            "recruitment",
            "staff",
            "training"
        ]
    );

    // Every applicant is counted once.
    let db = dignity_store::Db::connect(&url, &dignity_store::DbOptions::default()).await?;
    let mut counted = 0;
    let recruitment = dignity_store::workforce::Kind::Recruitment;
    for rows in opened_snapshots(&db, SECRET, recruitment, "2026-03-31").await? {
        if let dignity_store::workforce::Rows::Recruitment(groups) = rows {
            counted += groups.iter().map(|g| g.shortlisted).sum::<i64>();
        }
    }
    let mut applicants = 0;
    for ods in &created {
        let file = dir
            .0
            .join("extracts")
            .join(ods)
            .join("recruitment-2026-03-31.csv");
        applicants += std::fs::read_to_string(file)?.lines().count() - 1;
    }
    assert_eq!(usize::try_from(counted)?, applicants);

    // Every member of staff entering a formal process is counted once, for both years.
    let mut by_day: std::collections::BTreeMap<String, i64> = Default::default();
    for count in opened_formal(&db, SECRET).await? {
        *by_day.entry(count.as_at.to_string()).or_default() += count.entered;
    }
    let entered: Vec<(String, i64)> = by_day.into_iter().collect();
    let mut lines = Vec::new();
    for day in ["2025-03-31", "2026-03-31"] {
        let mut n = 0;
        for ods in &created {
            let file = dir
                .0
                .join("extracts")
                .join(ods)
                .join(format!("formal-{day}.csv"));
            n += std::fs::read_to_string(file)?.lines().count() - 1;
        }
        lines.push((day.to_owned(), i64::try_from(n)?));
    }
    assert_eq!(entered, lines);
    db.close().await;
    Ok(())
}

/// `dignity import workforce --extract formal` keeps counts of the staff entering formal
/// processes, replaces them when the same day comes again, and names a wrong line and
/// column, keeping nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workforce_formal_processes_import_as_counts() -> TestResult {
    const SECRET: &str = "4444444444444444444444444444444444444444444444444444444444444444";
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let scratch = ScratchDb::new(backend).await?;
        let dir = TempDir::new(&format!("workforce-formal-{backend:?}"))?;
        let run = |args: &[&str]| dignity_with_secret(&dir.0, &scratch.url, SECRET, args);
        let ok = |args: &[&str]| -> Result<String, Box<dyn std::error::Error>> {
            let output = run(args)?;
            let out = text(&output);
            if !output.status.success() {
                return Err(format!("{args:?} failed: {out}").into());
            }
            Ok(out)
        };
        ok(&[
            "admin",
            "create-org",
            "--ods",
            "RJ1",
            "--name",
            "Test Trust",
            "--type",
            "acute",
            "--region",
            "london",
            "--benchmark-group",
            "Acute",
        ])?;
        let file = dir.0.join("formal.csv");
        let import = || {
            run(&[
                "import",
                "workforce",
                "--org",
                "RJ1",
                "--as-at",
                "2026-03-31",
                "--extract",
                "formal",
                "formal.csv",
            ])
        };
        let counts = || async {
            let mut counts: Vec<(String, String, String, i64)> = opened_formal(&scratch.db, SECRET)
                .await?
                .into_iter()
                .map(|c| (c.process, c.ethnicity, c.disability, c.entered))
                .collect();
            counts.sort();
            Ok::<_, Box<dyn std::error::Error>>(counts)
        };
        std::fs::write(
            &file,
            "Employee Number,Ethnic Origin,Disability Flag,Formal Process\n\
             40001234,A White - British,No,Disciplinary\n\
             40005678,N Black or Black British - African,No,Misconduct\n\
             40009999,N,No,Conduct\n\
             40004444,H,Yes,Capability - Performance\n",
        )?;
        let out = text(&import()?);
        assert!(
            out.contains(
                "Kept 4 rows of staff entering formal processes for RJ1 as at 31 March 2026."
            ),
            "{out}"
        );
        let row = |p: &str, e: &str, d: &str, n| (p.to_owned(), e.to_owned(), d.to_owned(), n);
        assert_eq!(
            counts().await?,
            [
                row("capability", "H", "yes", 1),
                row("disciplinary", "A", "no", 1),
                row("disciplinary", "N", "no", 2),
            ]
        );
        // Only counts: no employee number is read, so none is kept; and the counts are
        // sealed, so a copy of the database does not hold them (nor the audit log).
        let stored = every_stored_value(&scratch.db).await?;
        assert!(!stored.contains("40001234"), "{backend:?}");
        assert!(
            !stored.contains("capability") && !stored.contains("people)"),
            "{backend:?}: {stored}"
        );

        // The same day again replaces the counts whole: ten more, so every table moved by
        // at least the minimum and the new counts are shown (docs/workforce.md).
        std::fs::write(
            &file,
            format!(
                "Ethnicity,Disability,Case Type\nA,No,Disciplinary\nN,No,Misconduct\n\
                 N,No,Conduct\nH,Yes,Performance\n{}",
                "B White - Irish,Not Declared,Performance\n".repeat(10)
            ),
        )?;
        // The year has settled, so that is refused unless put right on purpose.
        let refused = import()?;
        assert!(!refused.status.success());
        assert!(
            text(&refused).contains("--correct-settled-year"),
            "{}",
            text(&refused)
        );
        let out = ok(&[
            "import",
            "workforce",
            "--org",
            "RJ1",
            "--as-at",
            "2026-03-31",
            "--extract",
            "formal",
            "--correct-settled-year",
            "formal.csv",
        ])?;
        assert!(
            out.contains(
                "Kept 14 rows of staff entering formal processes for RJ1 as at 31 March 2026, \
                 replacing the earlier import for that day."
            ) && !out.contains("not shown"),
            "{out}"
        );
        let corrected = [
            row("capability", "B", "not_declared", 10),
            row("capability", "H", "yes", 1),
            row("disciplinary", "A", "no", 1),
            row("disciplinary", "N", "no", 2),
        ];
        assert_eq!(counts().await?, corrected);

        // Ill-health capability and an unknown process: named by line and column, and the
        // counts already kept stay as they were.
        std::fs::write(
            &file,
            "Ethnic Origin,Disability Flag,Formal Process\n\
             A,No,Disciplinary\n\
             A,Yes,Capability - Ill Health\n\
             M,No,Grievance\n",
        )?;
        let output = import()?;
        let out = text(&output);
        assert!(!output.status.success(), "{out}");
        assert!(
            out.contains(
                "line 3, column \"Formal Process\": \"Capability - Ill Health\" is capability on grounds of ill health, which WDES metric 3 does not count"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "line 4, column \"Formal Process\": \"Grievance\" is not a formal process"
            ),
            "{out}"
        );
        assert!(out.contains("nothing was stored"), "{out}");
        assert_eq!(counts().await?, corrected);
        scratch.finish().await;
    }
    Ok(())
}

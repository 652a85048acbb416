//! A copy of the database taken while invitations go out and people answer, before the
//! campaign's first batch is written (issue 13). The attack: read the SQLite file and its
//! write-ahead log for who was invited (the mail outbox holds each address beside its
//! code), for the codes, and for what people wrote; and compare the lengths of the sealed
//! records, which once picked out a long comment.

use crate::support::{SmtpSink, TestApp, TestResult};
use axum::http::StatusCode;
use dignity_crypto::survey::InvitationCode;
use dignity_domain::identity::Role;
use dignity_domain::survey::{DEFAULT_BANK, QuestionKind, parse};
use dignity_store::Backend;
use dignity_web::mail::{MailSettings, Mailer, send_due};

dignity_store::on_both_backends!(
    crate::support::run;
    a_copy_before_the_first_batch_ties_no_one_to_their_mail_or_answers);

const ADDRESSES: [&str; 3] = [
    "okapi.first@trust.nhs.uk",
    "okapi.second@trust.nhs.uk",
    "okapi.third@trust.nhs.uk",
];
const SHORT_COMMENT: &str = "KINGFISHER short";

/// The database file and its log, as a thief would copy them.
async fn sqlite_copy(app: &TestApp) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let path: String =
        sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .fetch_one(app.db.pool())
            .await?;
    let mut bytes = std::fs::read(&path)?;
    bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
    Ok(bytes)
}

fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn sealed_lengths(app: &TestApp, table: &str) -> Result<Vec<usize>, sqlx::Error> {
    let rows: Vec<Vec<u8>> = sqlx::query_scalar(&format!("SELECT sealed FROM {table}"))
        .fetch_all(app.db.pool())
        .await?;
    Ok(rows.iter().map(Vec::len).collect())
}

/// Writes to drafts noted by the test's triggers (SQLite only; 0 elsewhere).
async fn draft_writes(app: &TestApp) -> Result<i64, sqlx::Error> {
    if app.db.backend() != Backend::Sqlite {
        return Ok(0);
    }
    sqlx::query_scalar("SELECT COUNT(*) FROM draft_writes")
        .fetch_one(app.db.pool())
        .await
}

async fn a_copy_before_the_first_batch_ties_no_one_to_their_mail_or_answers(
    app: &TestApp,
) -> TestResult {
    let definition = parse(DEFAULT_BANK)?;
    let (campaign, _) = crate::survey::open_campaign(app, 0).await?;

    // The organisation's administrator sends invitations by email.
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let list = format!("email\n{}\n", ADDRESSES.join("\n"));
    let page = crate::survey::upload_invitations(&mut browser, campaign.id, &list).await?;
    assert!(page.redirects_to("/orgs/RJ1/surveys/"), "{page:?}");
    let sink = SmtpSink::start().await?;
    let mailer = Mailer::new(&MailSettings {
        host: "127.0.0.1".into(),
        port: sink.port,
        from: "Dignity <no-reply@dignity.test>".into(),
    })?;
    assert_eq!(
        send_due(&app.state.app, &mailer, dignity_web::now()).await?,
        (3, 0)
    );
    let sqlite = app.db.backend() == Backend::Sqlite;
    if sqlite {
        // Once the mail has gone, a copy holds neither address: not in the file's free
        // space, nor in an older copy of the outbox's page in the log.
        let copy = sqlite_copy(app).await?;
        for address in ADDRESSES {
            assert!(
                !holds(&copy, address.as_bytes()),
                "a sent invitation's address survives in the files"
            );
        }
        // Every write to a draft is noted, to show that sending writes none.
        sqlx::query("CREATE TABLE draft_writes (n INTEGER)")
            .execute(app.db.pool())
            .await?;
        for event in ["INSERT", "UPDATE"] {
            sqlx::query(&format!(
                "CREATE TRIGGER noted_{event} AFTER {event} ON survey_drafts \
                 BEGIN INSERT INTO draft_writes VALUES (1); END"
            ))
            .execute(app.db.pool())
            .await?;
        }
    }
    let codes: Vec<String> = sink
        .received()
        .iter()
        .map(|mail| crate::survey::code_in(mail).ok_or("a code in each mail"))
        .collect::<Result<_, _>>()?;

    // Two people answer: one writes a few words, the other nearly the most allowed. Each
    // saves a draft on the way, then sends.
    let comment = definition
        .questions()
        .find(|q| q.kind == QuestionKind::FreeText)
        .ok_or("the bank has a free-text question")?;
    let comment_page = definition
        .sections
        .iter()
        .position(|s| s.questions.iter().any(|q| q.key == comment.key))
        .ok_or("the comment's page")?
        + 1;
    let long_comment = format!("KINGFISHER long {}", "the rota is unfair. ".repeat(95));
    let field = format!("q-{}", comment.key);
    let page_number = comment_page.to_string();
    let last = definition.sections.len().to_string();
    let mut drafts = Vec::new();
    // The third person does not answer.
    for (code, words) in codes.iter().zip([SHORT_COMMENT, long_comment.as_str()]) {
        let mut person = app.browser();
        let page = person
            .post(
                "/survey",
                &[
                    ("code", code),
                    ("page", &page_number),
                    (&field, words),
                    ("go", "next"),
                ],
            )
            .await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        drafts.extend(sealed_lengths(app, "survey_drafts").await?);
        let written = draft_writes(app).await?;
        let page = person
            .post(
                "/survey",
                &[("code", code), ("page", &last), ("go", "send")],
            )
            .await?;
        assert!(page.redirects_to("/survey/sent"), "{page:?}");
        assert_eq!(
            draft_writes(app).await?,
            written,
            "sending saved the finished answers as a draft first"
        );
    }

    // Sealed drafts and waiting responses are all one length, however much was written.
    assert!(drafts.len() >= 2);
    assert!(drafts.iter().all(|l| *l == drafts[0]), "drafts: {drafts:?}");
    let waiting = sealed_lengths(app, "survey_pending").await?;
    assert_eq!(waiting.len(), 2, "no batch yet");
    assert_eq!(waiting[0], waiting[1], "waiting responses: {waiting:?}");
    println!(
        "sealed survey records: drafts {drafts:?}, waiting responses {waiting:?} bytes; comments of {} and {} characters",
        SHORT_COMMENT.chars().count(),
        long_comment.chars().count()
    );
    assert_eq!(sealed_lengths(app, "survey_drafts").await?.len(), 0);

    if sqlite {
        assert!(
            draft_writes(app).await? >= 2,
            "the drafts on the way were noted"
        );
        let copy = sqlite_copy(app).await?;
        // The search works: the organisation's name is in the copy.
        assert!(holds(&copy, app.org.name.as_bytes()));
        for address in ADDRESSES {
            assert!(
                !holds(&copy, address.as_bytes()),
                "an invited address survives in the files"
            );
        }
        let secret = &app.state.settings.secret;
        for code in &codes[..2] {
            let parsed = InvitationCode::parse(code).ok_or("a code")?;
            for form in [
                code.clone(),
                parsed.display(),
                parsed.digest(),
                parsed.keyed_digest(secret),
            ] {
                assert!(!holds(&copy, form.as_bytes()), "a used code survives");
            }
        }
        // Someone with the letters and this copy cannot tell who has not answered: the
        // unused code is kept under a digest only the secret gives.
        let unused = InvitationCode::parse(&codes[2]).ok_or("a code")?;
        assert!(
            !holds(&copy, unused.digest().as_bytes()),
            "a plain digest of a code is in the copy"
        );
        assert!(holds(&copy, unused.keyed_digest(secret).as_bytes()));
        assert!(
            !holds(&copy, b"KINGFISHER"),
            "a comment in plain text before its batch"
        );
    }
    Ok(())
}

//! Every repository, tested against real SQLite and real PostgreSQL.

// Tests stop at the first surprise: they may unwrap, expect, panic and index.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use dignity_domain::audit::ChainBreak;
use dignity_domain::identity::{Email, Name, OdsCode, OrgType, OrgUnitKind, Region, Role};
use dignity_domain::speakup::{
    CaseStatus, CaseType, Day, Element, EntryKind, Feedback, IdentityLevel, PatientSafety,
};
use dignity_store::audit::{self, NewEntry, Verification};
use dignity_store::identity::{self, NewOrganisation, Organisation};
use dignity_store::scratch::ScratchDb;
use dignity_store::speakup::{self, CaseChange, NewCase};
use dignity_store::{Backend, Db, StoreError, sessions, survey, throttle, transfer};

type TestResult = Result<(), Box<dyn std::error::Error>>;

#[path = "store/unordered_ids.rs"]
mod unordered_ids;
use unordered_ids::{anonymous_rows_carry_no_order, conversations_read_in_order_within_a_day};

use dignity_store::on_both_backends;

#[path = "store/schema.rs"]
mod schema;

#[path = "store/copies.rs"]
mod copies;
use copies::{
    copies_during_a_campaign_link_no_answer_to_anyone,
    sent_records_leave_the_files_after_their_batch,
};

#[path = "store/audit_pages.rs"]
mod audit_pages;
use audit_pages::audit_log_filters_counts_and_pages;

#[path = "store/workforce.rs"]
mod workforce;
use workforce::{
    earlier_plain_snapshots_are_read_and_sealed_in_place,
    formal_process_counts_replace_by_day_and_are_audited,
    workforce_snapshots_replace_whole_and_are_audited,
};

#[path = "store/diagnostics.rs"]
mod diagnostics;
use diagnostics::framework_versions_are_kept_and_never_change;

#[path = "store/voice.rs"]
mod voice;
use voice::{
    followers_are_told_once_under_concurrency,
    leaders_updates_take_moderated_comments_and_tell_followers,
    moderation_decides_once_and_keeps_its_reasons, posting_limits_hold_under_concurrency,
    support_is_once_per_person_under_concurrency,
    voice_keeps_ideas_support_once_and_comments_one_deep,
};

#[path = "store/return_signoffs.rs"]
mod return_signoffs;
use return_signoffs::return_sign_offs_go_in_order_once_and_are_audited;

pub(crate) async fn run<F, Fut>(backend: Backend, body: F) -> TestResult
where
    F: FnOnce(Db) -> Fut,
    Fut: std::future::Future<Output = TestResult>,
{
    let test_db = ScratchDb::new(backend).await?;
    let outcome = body(test_db.db.clone()).await;
    test_db.finish().await;
    outcome
}

on_both_backends!(
    crate::run;
    mail_waits_longer_after_each_failure_never_gives_up_and_goes_once,
    concurrent_bookings_never_overfill_an_event,
    organisations_are_created_found_and_unique,
    org_units_form_a_checked_tree,
    people_roles_and_memberships,
    passphrase_reset_ends_sessions,
    sessions_expire_when_idle_or_old,
    throttle_counts_failures_per_key,
    totp_steps_cannot_be_reused,
    audit_chain_verifies_and_detects_tampering,
    concurrent_audit_appends_keep_one_chain,
    audit_log_filters_counts_and_pages,
    copy_all_moves_everything_and_counts_match,
    transfer_table_list_covers_the_schema,
    speakup_is_set_up_once_per_organisation,
    return_sign_offs_go_in_order_once_and_are_audited,
    workforce_snapshots_replace_whole_and_are_audited,
    earlier_plain_snapshots_are_read_and_sealed_in_place,
    formal_process_counts_replace_by_day_and_are_audited,
    speakup_cases_keep_seals_entries_and_status,
    passphrase_reset_drops_the_case_key_and_its_seals,
    disabled_accounts_hold_no_case_key,
    survey_tokens_and_people_answer_once,
    concurrent_flushes_write_each_response_once,
    writes_together_each_get_their_own_outcome,
    copies_during_a_campaign_link_no_answer_to_anyone,
    sent_records_leave_the_files_after_their_batch,
    stored_responses_keep_no_order_time_or_link,
    plans_need_both_sides_to_sign_the_same_version,
    anonymous_rows_carry_no_order,
    conversations_read_in_order_within_a_day,
    framework_versions_are_kept_and_never_change,
    voice_keeps_ideas_support_once_and_comments_one_deep,
    support_is_once_per_person_under_concurrency,
    posting_limits_hold_under_concurrency,
    moderation_decides_once_and_keeps_its_reasons,
    followers_are_told_once_under_concurrency,
    leaders_updates_take_moderated_comments_and_tell_followers,
);

mod migration_keeps_cases_and_copies_keep_ids {
    use super::unordered_ids::migration_keeps_cases_and_copies_keep_ids as body;
    use dignity_store::Backend;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() -> super::TestResult {
        body(Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() -> super::TestResult {
        body(Backend::Postgres).await
    }
}

async fn demo_org(db: &Db, code: &str) -> Result<Organisation, StoreError> {
    identity::create_organisation(
        db,
        "cli",
        1_000,
        &NewOrganisation {
            ods_code: OdsCode::parse(code)?,
            name: Name::parse(&format!("Test Trust {code}"), "name")?,
            org_type: OrgType::Acute,
            region: Region::London,
            benchmark_group: Name::parse("Acute and acute & community trusts", "group")?,
        },
    )
    .await
}

async fn organisations_are_created_found_and_unique(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    assert_eq!(org.ods_code, "RJ1");
    let found = identity::find_organisation(&db, &OdsCode::parse("rj1")?).await?;
    assert_eq!(found.as_ref(), Some(&org));
    let again = demo_org(&db, "RJ1").await;
    assert!(
        matches!(again, Err(StoreError::Conflict(ref m)) if m.contains("RJ1 already exists")),
        "{again:?}"
    );
    let missing = identity::get_organisation(&db, &OdsCode::parse("ZZZ")?).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
    assert_eq!(identity::list_organisations(&db).await?.len(), 1);
    // Only the successful create was audited: the failed one left nothing behind.
    let entries = audit::list_for_organisation(&db, "RJ1", None, 10).await?;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "organisation.create");
    Ok(())
}

async fn org_units_form_a_checked_tree(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let name = |s: &str| Name::parse(s, "name");
    let surgery = identity::create_org_unit(
        &db,
        "cli",
        1,
        &org,
        None,
        OrgUnitKind::Division,
        &name("Surgery")?,
    )
    .await?;
    let theatres = identity::create_org_unit(
        &db,
        "cli",
        1,
        &org,
        Some(surgery.id),
        OrgUnitKind::Directorate,
        &name("Theatres")?,
    )
    .await?;
    identity::create_org_unit(
        &db,
        "cli",
        1,
        &org,
        Some(theatres.id),
        OrgUnitKind::Team,
        &name("Recovery")?,
    )
    .await?;
    let misplaced = identity::create_org_unit(
        &db,
        "cli",
        1,
        &org,
        Some(surgery.id),
        OrgUnitKind::Team,
        &name("Ward 1")?,
    )
    .await;
    assert!(
        matches!(misplaced, Err(StoreError::Invalid(_))),
        "{misplaced:?}"
    );
    let twin = identity::create_org_unit(
        &db,
        "cli",
        1,
        &org,
        None,
        OrgUnitKind::Division,
        &name("surgery")?,
    )
    .await;
    assert!(matches!(twin, Err(StoreError::Conflict(_))), "{twin:?}");
    let other = demo_org(&db, "RJ2").await?;
    let foreign_parent = identity::create_org_unit(
        &db,
        "cli",
        1,
        &other,
        Some(surgery.id),
        OrgUnitKind::Directorate,
        &name("X")?,
    )
    .await;
    assert!(
        matches!(foreign_parent, Err(StoreError::NotFound(_))),
        "{foreign_parent:?}"
    );
    let units = identity::list_org_units(&db, org.id).await?;
    let names: Vec<_> = units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Surgery", "Theatres", "Recovery"]);
    Ok(())
}

async fn people_roles_and_memberships(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let email = Email::parse("Ann@Trust.nhs.uk")?;
    let ann =
        identity::create_person(&db, "cli", 1, &email, &Name::parse("Ann", "n")?, "hash").await?;
    let twin = identity::create_person(
        &db,
        "cli",
        1,
        &Email::parse("ann@trust.nhs.uk")?,
        &Name::parse("Ann", "n")?,
        "hash",
    )
    .await;
    assert!(matches!(twin, Err(StoreError::Conflict(_))), "{twin:?}");
    identity::grant_role(&db, "cli", 1, &ann, Role::Guardian, Some(&org)).await?;
    identity::grant_role(&db, "cli", 1, &ann, Role::Staff, Some(&org)).await?;
    identity::grant_role(&db, "cli", 1, &ann, Role::NationalAnalyst, None).await?;
    let dup = identity::grant_role(&db, "cli", 1, &ann, Role::Guardian, Some(&org)).await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    assert!(matches!(
        identity::grant_role(&db, "cli", 1, &ann, Role::Staff, None).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        identity::grant_role(&db, "cli", 1, &ann, Role::PlatformAdmin, Some(&org)).await,
        Err(StoreError::Invalid(_))
    ));
    let roles: Vec<_> = identity::memberships(&db, ann.id)
        .await?
        .into_iter()
        .map(|m| m.role)
        .collect();
    assert_eq!(roles, [Role::NationalAnalyst, Role::Guardian, Role::Staff]);
    let members = identity::list_members(&db, org.id).await?;
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].roles, [Role::Guardian, Role::Staff]);
    assert_eq!(identity::get_person_by_email(&db, &email).await?.id, ann.id);
    Ok(())
}

async fn passphrase_reset_ends_sessions(db: Db) -> TestResult {
    let ann = identity::create_person(
        &db,
        "cli",
        1,
        &Email::parse("ann@x.nhs.uk")?,
        &Name::parse("Ann", "n")?,
        "old",
    )
    .await?;
    sessions::create(&db, "digest", ann.id, 100, 10_000).await?;
    identity::set_passphrase(&db, "cli", 200, &ann, "new").await?;
    assert_eq!(sessions::find_live(&db, "digest", 201, 1_800).await?, None);
    assert_eq!(
        identity::get_person(&db, ann.id).await?.passphrase_hash,
        "new"
    );
    Ok(())
}

async fn sessions_expire_when_idle_or_old(db: Db) -> TestResult {
    let ann = identity::create_person(
        &db,
        "cli",
        1,
        &Email::parse("ann@x.nhs.uk")?,
        &Name::parse("Ann", "n")?,
        "h",
    )
    .await?;
    sessions::create(&db, "d1", ann.id, 1_000, 5_000).await?;
    let live = sessions::find_live(&db, "d1", 1_100, 600).await?;
    assert!(live.as_ref().is_some_and(|s| !s.second_factor_done));
    sessions::mark_second_factor_done(&db, "d1").await?;
    assert!(
        sessions::find_live(&db, "d1", 1_600, 600)
            .await?
            .is_some_and(|s| s.second_factor_done)
    );
    // Used at 1_600, so idle expiry is now 2_200.
    assert!(sessions::find_live(&db, "d1", 2_300, 600).await?.is_none());
    sessions::create(&db, "d2", ann.id, 1_000, 1_500).await?;
    assert!(
        sessions::find_live(&db, "d2", 1_501, 10_000)
            .await?
            .is_none(),
        "absolute expiry"
    );
    assert_eq!(sessions::purge_expired(&db, 2_300, 600).await?, 2);
    sessions::create(&db, "d3", ann.id, 3_000, 9_000).await?;
    sessions::delete(&db, "d3").await?;
    assert!(sessions::find_live(&db, "d3", 3_001, 600).await?.is_none());
    Ok(())
}

async fn throttle_counts_failures_per_key(db: Db) -> TestResult {
    let window = 100;
    throttle::record_failure(&db, &["account:a", "client:1"], 130, window).await?;
    throttle::record_failure(&db, &["account:a", "client:2"], 250, window).await?;
    assert_eq!(
        throttle::recent_failures(&db, "account:a", 250, window).await?,
        2
    );
    // The failure at 130 counts for its window and the next, then no more.
    assert_eq!(
        throttle::recent_failures(&db, "account:a", 310, window).await?,
        1
    );
    assert_eq!(
        throttle::recent_failures(&db, "client:1", 299, window).await?,
        1
    );
    assert_eq!(
        throttle::recent_failures(&db, "client:1", 300, window).await?,
        0
    );
    // Only the window's start is kept, never the moment.
    let stored: Vec<i64> = sqlx::query_scalar("SELECT at FROM login_failures ORDER BY at")
        .fetch_all(db.pool())
        .await?;
    assert_eq!(stored, [100, 100, 200, 200]);
    throttle::clear(&db, "account:a").await?;
    assert_eq!(
        throttle::recent_failures(&db, "account:a", 250, window).await?,
        0
    );
    // Expired failures are deleted: by the housekeeping, and by the next failure.
    assert_eq!(throttle::purge_expired(&db, 310, window).await?, 1);
    throttle::record_failure(&db, &["client:3"], 420, window).await?;
    let left: Vec<String> = sqlx::query_scalar("SELECT throttle_key FROM login_failures")
        .fetch_all(db.pool())
        .await?;
    assert_eq!(left, ["client:3"]);
    Ok(())
}

async fn totp_steps_cannot_be_reused(db: Db) -> TestResult {
    let ann = identity::create_person(
        &db,
        "cli",
        1,
        &Email::parse("ann@x.nhs.uk")?,
        &Name::parse("Ann", "n")?,
        "h",
    )
    .await?;
    identity::set_totp(&db, "cli", 1, &ann, Some("SECRET"), Some(10)).await?;
    assert!(!identity::use_totp_step(&db, ann.id, 10).await?);
    assert!(identity::use_totp_step(&db, ann.id, 11).await?);
    assert!(!identity::use_totp_step(&db, ann.id, 11).await?);
    let stored = identity::get_person(&db, ann.id).await?;
    assert_eq!(stored.totp_secret.as_deref(), Some("SECRET"));
    Ok(())
}

async fn audit_chain_verifies_and_detects_tampering(db: Db) -> TestResult {
    demo_org(&db, "RJ1").await?;
    for i in 0..5 {
        audit::record(
            &db,
            2_000 + i,
            &NewEntry {
                actor: "cli",
                organisation: Some("RJ1"),
                action: "test.event",
                detail: &format!("event {i}"),
            },
        )
        .await?;
    }
    assert!(matches!(
        audit::verify(&db).await?,
        Verification::Intact { entries: 6, .. }
    ));
    // The application cannot change an entry...
    let refused = sqlx::query("UPDATE audit_log SET detail = 'x' WHERE seq = 3")
        .execute(db.pool())
        .await;
    assert!(
        refused.is_err(),
        "the append-only trigger must refuse updates"
    );
    let refused = sqlx::query("DELETE FROM audit_log WHERE seq = 3")
        .execute(db.pool())
        .await;
    assert!(
        refused.is_err(),
        "the append-only trigger must refuse deletes"
    );
    let refused = sqlx::query("DELETE FROM audit_log")
        .execute(db.pool())
        .await;
    assert!(refused.is_err(), "nor may the whole log be emptied");
    if db.backend() == Backend::Postgres {
        let refused = sqlx::query("TRUNCATE audit_log").execute(db.pool()).await;
        assert!(
            refused.is_err(),
            "TRUNCATE skips row triggers, so it has its own"
        );
    }
    // ...but someone with the database can, and verification then finds it.
    let drop_triggers = match db.backend() {
        Backend::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
    };
    sqlx::raw_sql(drop_triggers).execute(db.pool()).await?;
    sqlx::query("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 3")
        .execute(db.pool())
        .await?;
    assert_eq!(
        audit::verify(&db).await?,
        Verification::Broken(ChainBreak::Altered { seq: 3 })
    );
    Ok(())
}

async fn concurrent_audit_appends_keep_one_chain(db: Db) -> TestResult {
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                let detail = format!("worker {worker} event {i}");
                audit::record(
                    &db,
                    1,
                    &NewEntry {
                        actor: "cli",
                        organisation: None,
                        action: "test.event",
                        detail: &detail,
                    },
                )
                .await?;
            }
            Ok::<_, StoreError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    assert!(matches!(
        audit::verify(&db).await?,
        Verification::Intact { entries: 80, .. }
    ));
    Ok(())
}

async fn copy_all_moves_everything_and_counts_match(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let ann = identity::create_person(
        &db,
        "cli",
        1,
        &Email::parse("ann@x.nhs.uk")?,
        &Name::parse("Ann", "n")?,
        "h",
    )
    .await?;
    identity::grant_role(&db, "cli", 1, &ann, Role::Staff, Some(&org)).await?;
    identity::create_org_unit(
        &db,
        "cli",
        1,
        &org,
        None,
        OrgUnitKind::Division,
        &Name::parse("Surgery", "n")?,
    )
    .await?;
    // Copy into the other backend, so both directions of SQLite <-> PostgreSQL are exercised.
    let other = match db.backend() {
        Backend::Sqlite => Backend::Postgres,
        Backend::Postgres => Backend::Sqlite,
    };
    let target = ScratchDb::new(other).await?;
    let outcome = async {
        let mut seen = Vec::new();
        let counts = transfer::copy_all(&db, &target.db, |c| seen.push(c.table)).await?;
        assert_eq!(seen.len(), counts.len());
        assert!(matches!(
            audit::verify(&target.db).await?,
            Verification::Intact { entries: 4, .. }
        ));
        assert_eq!(identity::memberships(&target.db, ann.id).await?.len(), 1);
        // New rows after the copy get fresh ids, not ones that clash with copied rows.
        let org2 = demo_org(&target.db, "RJ2").await?;
        assert!(org2.id > org.id);
        // A second copy into a database that now has data is refused.
        let again = transfer::copy_all(&db, &target.db, |_| {}).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))));
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    target.finish().await;
    outcome
}

async fn transfer_table_list_covers_the_schema(db: Db) -> TestResult {
    let mut listed: Vec<String> = transfer::table_names().map(str::to_owned).collect();
    listed.sort();
    assert_eq!(transfer::schema_tables(&db).await?, listed);
    // Every column too: one left out of the copy would be dropped without a word.
    let schema = transfer::schema_columns(&db).await?;
    let copied = transfer::column_names();
    let missing: Vec<_> = schema.iter().filter(|c| !copied.contains(c)).collect();
    let unknown: Vec<_> = copied.iter().filter(|c| !schema.contains(c)).collect();
    assert!(
        missing.is_empty() && unknown.is_empty(),
        "migrate-data must copy exactly the schema's columns; not copied: {missing:?}; not in the schema: {unknown:?}"
    );
    Ok(())
}

/// The two migration folders must build the same tables with the same columns, so a query
/// written once runs on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_have_the_same_tables_and_columns() -> TestResult {
    let sqlite = ScratchDb::new(Backend::Sqlite).await?;
    let postgres = ScratchDb::new(Backend::Postgres).await?;
    let outcome = async {
        let on_sqlite = transfer::schema_columns(&sqlite.db).await?;
        let on_postgres = transfer::schema_columns(&postgres.db).await?;
        let only_sqlite: Vec<_> = on_sqlite
            .iter()
            .filter(|c| !on_postgres.contains(c))
            .collect();
        let only_postgres: Vec<_> = on_postgres
            .iter()
            .filter(|c| !on_sqlite.contains(c))
            .collect();
        assert!(
            only_sqlite.is_empty() && only_postgres.is_empty(),
            "only on SQLite: {only_sqlite:?}; only on PostgreSQL: {only_postgres:?}"
        );
        assert!(
            on_sqlite.len() > 100,
            "the schema was read: {}",
            on_sqlite.len()
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    sqlite.finish().await;
    postgres.finish().await;
    outcome
}

async fn speakup_is_set_up_once_per_organisation(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    assert_eq!(speakup::settings(&db, org.id).await?, None);
    speakup::init(&db, "cli", 1, &org, "age1recovery", 2).await?;
    let settings = speakup::settings(&db, org.id).await?;
    assert_eq!(
        settings.map(|s| (s.recovery_public_key, s.acknowledge_working_days)),
        Some(("age1recovery".to_string(), 2))
    );
    let again = speakup::init(&db, "cli", 1, &org, "age1other", 2).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    Ok(())
}

fn new_case(org_id: i64, lookup: &str) -> Result<NewCase, Box<dyn std::error::Error>> {
    let received = Day::parse("2026-11-27")?;
    Ok(NewCase {
        organisation_id: org_id,
        case_type: CaseType::Concern,
        identity_level: IdentityLevel::Anonymous,
        public_key: "age1case".into(),
        receipt_lookup: lookup.into(),
        receipt_salt: vec![1; 16],
        receipt_verifier: vec![2; 32],
        org_unit_id: None,
        patient_safety: PatientSafety::NotSure,
        received_on: received,
        acknowledge_by: received.plus_working_days(2),
        seals: vec![
            ("receipt".into(), vec![3; 10]),
            ("recovery".into(), vec![4; 10]),
        ],
        report: vec![5; 40],
        stage: None,
        attachments: Vec::new(),
    })
}

async fn speakup_cases_keep_seals_entries_and_status(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let id = speakup::create_case(&db, &new_case(org.id, "ABCDEFGH")?).await?;
    assert!(matches!(
        speakup::create_case(&db, &new_case(org.id, "ABCDEFGH")?).await,
        Err(StoreError::Conflict(_))
    ));
    let case = speakup::case_by_lookup(&db, "ABCDEFGH")
        .await?
        .ok_or("case not found")?;
    assert_eq!(
        (case.id, case.status, case.acknowledge_by.to_string()),
        (id, CaseStatus::New, "2026-12-01".to_string())
    );
    assert_eq!(case.receipt_verifier, vec![2; 32]);
    assert_eq!(
        speakup::seal_for(&db, id, "receipt").await?,
        Some(vec![3; 10])
    );
    assert_eq!(
        speakup::cases_without_holder(&db, org.id, "person:7", None).await?,
        vec![id]
    );
    speakup::add_seals(
        &db,
        id,
        &[
            ("person:7".into(), vec![6; 10]),
            ("receipt".into(), vec![9; 10]),
        ],
    )
    .await?;
    assert_eq!(
        speakup::cases_without_holder(&db, org.id, "person:7", None).await?,
        Vec::<i64>::new()
    );
    assert_eq!(
        speakup::seal_for(&db, id, "receipt").await?,
        Some(vec![3; 10]),
        "existing seals are kept"
    );

    speakup::add_entry(
        &db,
        id,
        EntryKind::FromReporter,
        None,
        Day::parse("2026-11-28")?,
        &[7; 20],
    )
    .await?;
    let entries = speakup::entries(&db, id).await?;
    assert_eq!(
        entries.iter().map(|e| e.kind).collect::<Vec<_>>(),
        [EntryKind::Report, EntryKind::FromReporter]
    );

    let wrong = speakup::change_case(
        &db,
        "g@x.nhs.uk",
        1,
        &org,
        id,
        &CaseChange::Status(CaseStatus::New),
    )
    .await;
    assert!(matches!(wrong, Err(StoreError::Invalid(_))), "{wrong:?}");
    let now = 1_795_545_600; // 2026-11-24
    speakup::change_case(
        &db,
        "g@x.nhs.uk",
        now,
        &org,
        id,
        &CaseChange::Status(CaseStatus::Acknowledged),
    )
    .await?;
    speakup::change_case(
        &db,
        "g@x.nhs.uk",
        now,
        &org,
        id,
        &CaseChange::Record {
            elements: vec![Element::Bullying],
            professional_group: Some("Doctors".into()),
        },
    )
    .await?;
    speakup::change_case(
        &db,
        "g@x.nhs.uk",
        now,
        &org,
        id,
        &CaseChange::Status(CaseStatus::Closed),
    )
    .await?;
    speakup::record_feedback(&db, id, Feedback::Maybe).await?;
    let case = speakup::case_in_organisation(&db, org.id, id).await?;
    assert_eq!(
        case.acknowledged_on.map(|d| d.to_string()).as_deref(),
        Some("2026-11-24")
    );
    assert_eq!(
        case.closed_on.map(|d| d.to_string()).as_deref(),
        Some("2026-11-24")
    );
    assert_eq!(
        case.detriment_check_due.map(|d| d.to_string()).as_deref(),
        Some("2027-02-22")
    );
    assert_eq!(case.elements, [Element::Bullying]);
    assert_eq!(case.feedback, Some(Feedback::Maybe));
    let other = demo_org(&db, "RJ2").await?;
    assert!(matches!(
        speakup::case_in_organisation(&db, other.id, id).await,
        Err(StoreError::NotFound(_))
    ));
    let changes = audit::list_for_organisation(&db, "RJ1", None, 50).await?;
    assert_eq!(
        changes
            .iter()
            .filter(|e| e.action == "speakup.case_change")
            .count(),
        3
    );
    Ok(())
}

async fn passphrase_reset_drops_the_case_key_and_its_seals(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let gina = identity::create_person(
        &db,
        "cli",
        1,
        &Email::parse("gina@x.nhs.uk")?,
        &Name::parse("Gina", "n")?,
        "h",
    )
    .await?;
    identity::grant_role(&db, "cli", 1, &gina, Role::Guardian, Some(&org)).await?;
    speakup::save_caseworker_key(&db, "cli", 1, gina.id, "age1gina", &[1, 2, 3]).await?;
    assert_eq!(
        speakup::key_holders(&db, org.id).await?,
        vec![speakup::KeyHolder {
            person_id: gina.id,
            public_key: "age1gina".into(),
            roles: vec![Role::Guardian],
        }]
    );
    let id = speakup::create_case(&db, &new_case(org.id, "ZZZZZZZZ")?).await?;
    speakup::add_seals(&db, id, &[(speakup::person_holder(gina.id), vec![1])]).await?;
    identity::set_passphrase(&db, "cli", 2, &gina, "new hash").await?;
    assert_eq!(speakup::caseworker_key(&db, gina.id).await?, None);
    assert_eq!(
        speakup::seal_for(&db, id, &speakup::person_holder(gina.id)).await?,
        None
    );
    assert!(
        speakup::seal_for(&db, id, "recovery").await?.is_some(),
        "other holders keep theirs"
    );
    Ok(())
}

/// A disabled account cannot sign in, so no new case is sealed to it; the people who
/// hold a key are listed with every role they hold in the organisation.
async fn disabled_accounts_hold_no_case_key(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let elsewhere = demo_org(&db, "RJ2").await?;
    let mut people = Vec::new();
    for name in ["gina", "hana"] {
        let person = identity::create_person(
            &db,
            "cli",
            1,
            &Email::parse(&format!("{name}@x.nhs.uk"))?,
            &Name::parse(name, "n")?,
            "h",
        )
        .await?;
        identity::grant_role(&db, "cli", 1, &person, Role::Guardian, Some(&org)).await?;
        let key = format!("age1{name}");
        speakup::save_caseworker_key(&db, "cli", 1, person.id, &key, &[1]).await?;
        people.push(person);
    }
    let (gina, hana) = (&people[0], &people[1]);
    identity::grant_role(&db, "cli", 1, hana, Role::ErLead, Some(&org)).await?;
    identity::grant_role(&db, "cli", 1, gina, Role::Executive, Some(&elsewhere)).await?;
    let holders = |db: Db| async move { speakup::key_holders(&db, org.id).await };
    let listed = holders(db.clone()).await?;
    assert_eq!(
        listed
            .iter()
            .map(|h| (h.person_id, h.roles.clone()))
            .collect::<Vec<_>>(),
        vec![
            (gina.id, vec![Role::Guardian]),
            (hana.id, vec![Role::ErLead, Role::Guardian]),
        ],
        "roles elsewhere are not roles here"
    );
    sqlx::query("UPDATE people SET disabled = 1 WHERE id = $1")
        .bind(hana.id)
        .execute(db.pool())
        .await?;
    let listed = holders(db.clone()).await?;
    assert_eq!(
        listed.iter().map(|h| h.person_id).collect::<Vec<_>>(),
        vec![gina.id]
    );
    Ok(())
}

async fn campaign(
    db: &Db,
    participation: dignity_domain::survey::Participation,
) -> Result<survey::Campaign, Box<dyn std::error::Error>> {
    let org = match identity::find_organisation(db, &OdsCode::parse("RJ1")?).await? {
        Some(org) => org,
        None => demo_org(db, "RJ1").await?,
    };
    let survey_id =
        match sqlx::query_scalar::<_, i64>("SELECT id FROM surveys WHERE key = 'culture'")
            .fetch_optional(db.pool())
            .await?
        {
            Some(id) => id,
            None => {
                survey::save_survey(db, "cli", 1, "culture", "Culture", "key = \"culture\"").await?
            }
        };
    let template = survey::Campaign {
        id: 0,
        survey_id,
        organisation_id: org.id,
        title: "Autumn 2026".into(),
        opens_on: Day::parse("2026-10-01")?,
        closes_on: Day::parse("2026-11-30")?,
        year: 2026,
        participation,
    };
    Ok(survey::create_campaign(db, "cli", 1, &org, &template).await?)
}

fn response(i: usize) -> survey::NewResponse {
    survey::NewResponse {
        id: dignity_crypto::token::random_token(),
        answers: vec![(i % 5) as u8 + 1; 10],
        groupings: vec![1, 0, (i % 7) as u8, 0],
        comments: Vec::new(),
    }
}

/// The key waiting responses are sealed under in these tests (the server derives its own
/// from the installation secret).
const PENDING_KEY: [u8; 32] = [9; 32];

fn sealed(r: &survey::NewResponse) -> Vec<u8> {
    dignity_crypto::sealed::seal(&PENDING_KEY, b"pending", &r.to_bytes()).unwrap()
}

fn unseal(record: &[u8]) -> Result<Vec<u8>, StoreError> {
    dignity_crypto::sealed::open(&PENDING_KEY, b"pending", record)
        .map(|plain| plain.to_vec())
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Flushes as the server does after each submission: only whole batches of 11 while open.
async fn flush(db: &Db, campaign_id: i64, closed: bool) -> Result<u64, StoreError> {
    survey::flush(db, campaign_id, 11, closed, unseal).await
}

async fn survey_tokens_and_people_answer_once(db: Db) -> TestResult {
    use dignity_domain::survey::Participation;
    let tokens = campaign(&db, Participation::Tokens).await?;
    assert!(
        tokens.is_open(Day::parse("2026-11-24")?) && !tokens.is_open(Day::parse("2026-12-01")?)
    );
    assert_eq!(survey::get_campaign(&db, tokens.id).await?, tokens);
    survey::add_tokens(&db, "cli", 1, &tokens, "RJ1", &["d1".into(), "d2".into()]).await?;
    assert!(matches!(
        survey::add_tokens(&db, "cli", 1, &tokens, "RJ1", &["d3".into(), "d1".into()]).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        !survey::token_is_valid(&db, tokens.id, "d3").await?,
        "a failed batch adds nothing"
    );
    assert_eq!(survey::codes_not_used_yet(&db, tokens.id).await?, 2);
    assert!(survey::submit_with_token(&db, tokens.id, "d1", &sealed(&response(1))).await?);
    assert!(
        !survey::submit_with_token(&db, tokens.id, "d1", &sealed(&response(2))).await?,
        "a token works once"
    );
    assert!(!survey::submit_with_token(&db, tokens.id, "nope", &sealed(&response(3))).await?);
    assert!(!survey::token_is_valid(&db, tokens.id, "d1").await?);
    // Sent, but waiting for a batch: nothing written, nothing counted, and the figure an
    // administrator sees has not moved.
    assert_eq!(survey::pending_count(&db, tokens.id).await?, 1);
    assert_eq!(survey::unused_tokens(&db, tokens.id).await?, 1);
    assert_eq!(survey::codes_not_used_yet(&db, tokens.id).await?, 2);
    assert_eq!(flush(&db, tokens.id, false).await?, 0, "not a whole batch");
    assert!(survey::responses(&db, tokens.id).await?.is_empty());
    assert_eq!(survey::response_count(&db, tokens.id).await?, 0);

    // A half-answered survey is kept (sealed by the caller) between pages, replaced as
    // pages are saved, and gone once the response is sent.
    assert!(survey::save_draft(&db, tokens.id, "d2", b"first sealed draft", true).await?);
    assert!(survey::save_draft(&db, tokens.id, "d2", b"second sealed draft", true).await?);
    assert_eq!(
        survey::get_draft(&db, tokens.id, "d2").await?,
        Some(b"second sealed draft".to_vec())
    );
    assert_eq!(survey::get_draft(&db, tokens.id + 1, "d2").await?, None);
    let draft = survey::Draft {
        answers: vec![3; 10],
        groupings: vec![1, 0, 2, 0],
        comments: vec![("better".into(), "More breaks".into())],
    };
    assert_eq!(survey::Draft::from_bytes(&draft.to_bytes())?, draft);
    let finished = survey::NewResponse {
        comments: draft.comments.clone(),
        ..response(7)
    };
    assert!(survey::submit_with_token(&db, tokens.id, "d2", &sealed(&finished)).await?);
    assert_eq!(survey::get_draft(&db, tokens.id, "d2").await?, None);
    assert_eq!(survey::codes_not_used_yet(&db, tokens.id).await?, 2);

    // Once the campaign has closed, whatever waits is written, whole and counted once,
    // with the comments apart from the responses.
    assert_eq!(flush(&db, tokens.id, true).await?, 2);
    assert_eq!(flush(&db, tokens.id, true).await?, 0, "written once");
    assert_eq!(survey::pending_count(&db, tokens.id).await?, 0);
    assert_eq!(survey::response_count(&db, tokens.id).await?, 2);
    let mut written = survey::responses(&db, tokens.id).await?;
    written.sort();
    let mut expected = vec![
        (response(1).answers, response(1).groupings),
        (finished.answers.clone(), finished.groupings.clone()),
    ];
    expected.sort();
    assert_eq!(written, expected);
    assert_eq!(
        survey::comments(&db, tokens.id, "better").await?,
        ["More breaks"]
    );
    assert_eq!(survey::codes_not_used_yet(&db, tokens.id).await?, 0);

    let open = campaign(&db, Participation::OpenLink).await?;
    let person = |i: usize| format!("person-{i:02}");
    assert!(survey::submit_as_person(&db, open.id, &person(0), &sealed(&response(4))).await?);
    assert!(
        !survey::submit_as_person(&db, open.id, &person(0), &sealed(&response(5))).await?,
        "one response per person"
    );
    // Responses are written only in whole batches while the campaign is open, and the
    // counter moves by the batch.
    for i in 1..10 {
        assert!(survey::submit_as_person(&db, open.id, &person(i), &sealed(&response(i))).await?);
        assert_eq!(flush(&db, open.id, false).await?, 0);
    }
    assert_eq!(survey::response_count(&db, open.id).await?, 0);
    assert!(survey::submit_as_person(&db, open.id, &person(10), &sealed(&response(10))).await?);
    assert_eq!(flush(&db, open.id, false).await?, 11);
    assert_eq!(survey::responses(&db, open.id).await?.len(), 11);
    assert_eq!(survey::response_count(&db, open.id).await?, 11);
    // A record that does not open writes nothing and loses nothing.
    assert!(survey::submit_as_person(&db, open.id, &person(11), b"not sealed").await?);
    assert!(flush(&db, open.id, true).await.is_err());
    assert_eq!(survey::pending_count(&db, open.id).await?, 1);
    assert_eq!(survey::response_count(&db, open.id).await?, 11);

    let bad = survey::Campaign {
        closes_on: Day::parse("2026-09-01")?,
        ..open.clone()
    };
    let org = identity::get_organisation(&db, &OdsCode::parse("RJ1")?).await?;
    assert!(matches!(
        survey::create_campaign(&db, "cli", 1, &org, &bad).await,
        Err(StoreError::Invalid(_))
    ));
    Ok(())
}

/// Two servers flushing the same campaign at once write each waiting response once.
async fn concurrent_flushes_write_each_response_once(db: Db) -> TestResult {
    use dignity_domain::survey::Participation;
    let open = campaign(&db, Participation::OpenLink).await?;
    for i in 0..40 {
        survey::submit_as_person(&db, open.id, &format!("p{i}"), &sealed(&response(i))).await?;
    }
    let flushers: Vec<_> = (0..4)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { flush(&db, open.id, false).await })
        })
        .collect();
    let mut written = 0;
    for f in flushers {
        written += f.await??;
    }
    assert_eq!(written, 40);
    assert_eq!(survey::responses(&db, open.id).await?.len(), 40);
    assert_eq!(survey::response_count(&db, open.id).await?, 40);
    assert_eq!(survey::pending_count(&db, open.id).await?, 0);
    Ok(())
}

/// The attack an outside review made: one long reader (a backup, an operator's shell)
/// held the log, and the checkpoint after each survey write then held SQLite's write lock
/// for the whole busy timeout waiting for it, so every other write on the server (sign-ins)
/// failed with "database is locked". A checkpoint now never waits: it copies what it can
/// and returns, and other writes go on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkpoint_never_waits_for_a_long_reader() -> TestResult {
    use dignity_domain::survey::Participation;
    let scratch = ScratchDb::new(Backend::Sqlite).await?;
    let outcome = async {
        let db = Db::connect(
            &scratch.url,
            &dignity_store::DbOptions {
                busy_timeout: std::time::Duration::from_secs(3),
                ..Default::default()
            },
        )
        .await?;
        let tokens = campaign(&db, Participation::Tokens).await?;
        survey::add_tokens(&db, "cli", 1, &tokens, "RJ1", &["t1".into()]).await?;
        // A reader holds its snapshot of the log open.
        let mut reader = db.pool().begin().await?;
        let _: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM survey_tokens")
            .fetch_one(&mut *reader)
            .await?;
        assert!(survey::save_draft(&db, tokens.id, "t1", b"a draft", true).await?);
        let started = std::time::Instant::now();
        db.checkpoint().await?;
        let waited = started.elapsed();
        // Another write goes through while the reader still reads.
        assert!(survey::save_draft(&db, tokens.id, "t1", b"a second draft", true).await?);
        assert!(
            waited < std::time::Duration::from_millis(1_500),
            "the checkpoint waited {waited:?} for the reader, holding the write lock"
        );
        reader.rollback().await?;
        // With the reader gone, the log empties.
        db.checkpoint().await?;
        db.close().await;
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    scratch.finish().await;
    outcome
}

/// The attack an outside review made on PostgreSQL with two servers: one server's writer
/// is part way through sending a code when a second tab saves a page through the other
/// server. The save's check still saw the code unused, and its upsert then inserted a
/// fresh draft once the send committed: a draft outlived its code. Writers for the same
/// code now take turns, so the save sees the send and saves nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_saved_on_another_server_while_its_code_is_sent_leaves_no_draft() -> TestResult {
    use dignity_domain::survey::Participation;
    use survey::AnswerWrite;
    let scratch = ScratchDb::new(Backend::Postgres).await?;
    let db = scratch.db.clone();
    let outcome = async {
        let tokens = campaign(&db, Participation::Tokens).await?;
        survey::add_tokens(&db, "cli", 1, &tokens, "RJ1", &["t1".into()]).await?;
        assert!(survey::save_draft(&db, tokens.id, "t1", b"page 1", true).await?);
        // Server A's writer, sending t1, holds its transaction open.
        let mut sending = db.begin_write().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind("t1")
            .execute(&mut *sending)
            .await?;
        sqlx::query("DELETE FROM survey_tokens WHERE token_digest = 't1'")
            .execute(&mut *sending)
            .await?;
        sqlx::query("DELETE FROM survey_drafts WHERE holder_digest = 't1'")
            .execute(&mut *sending)
            .await?;
        // Server B saves the second tab's page meanwhile.
        let other = db.clone();
        let campaign_id = tokens.id;
        let saving = tokio::spawn(async move {
            let page = [AnswerWrite::Draft {
                campaign_id,
                holder: "t1".into(),
                sealed: b"page 2 from another tab".to_vec(),
                by_code: true,
            }];
            survey::write_together(&other, &page, None).await
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        sending.commit().await?;
        let saved = saving.await?;
        assert!(matches!(saved.as_slice(), [Ok(false)]), "{saved:?}");
        assert_eq!(survey::get_draft(&db, tokens.id, "t1").await?, None);
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    scratch.finish().await;
    outcome
}

/// Many people's saved pages and sends written in one transaction: each gets its own
/// outcome, a used code or a second send by one person is refused without spoiling the
/// others, and the campaign and its drafts, read back in one go, are what was written.
async fn writes_together_each_get_their_own_outcome(db: Db) -> TestResult {
    use dignity_domain::survey::Participation;
    use survey::AnswerWrite;
    let tokens = campaign(&db, Participation::Tokens).await?;
    let open = campaign(&db, Participation::OpenLink).await?;
    survey::add_tokens(&db, "cli", 1, &tokens, "RJ1", &["t1".into(), "t2".into()]).await?;
    assert!(survey::save_draft(&db, tokens.id, "t2", b"draft of t2", true).await?);
    assert!(
        !survey::save_draft(&db, tokens.id, "t9", b"no such code", true).await?,
        "no draft for a code that is not issued"
    );
    let (found, draft) = survey::campaign_and_draft_for_token(&db, "t2")
        .await?
        .ok_or("t2 is unused")?;
    assert_eq!(
        (found, draft),
        (tokens.clone(), Some(b"draft of t2".to_vec()))
    );
    assert_eq!(
        survey::campaign_and_draft_for_token(&db, "t1").await?,
        Some((tokens.clone(), None))
    );
    assert_eq!(survey::campaign_and_draft_for_token(&db, "t9").await?, None);

    let writes = vec![
        AnswerWrite::Draft {
            campaign_id: open.id,
            holder: "p1".into(),
            sealed: b"draft of p1".to_vec(),
            by_code: false,
        },
        AnswerWrite::WithToken {
            campaign_id: tokens.id,
            token: "t1".into(),
            sealed: sealed(&response(1)),
        },
        // Used by the write before it, in the same transaction.
        AnswerWrite::WithToken {
            campaign_id: tokens.id,
            token: "t1".into(),
            sealed: sealed(&response(2)),
        },
        AnswerWrite::WithToken {
            campaign_id: tokens.id,
            token: "never issued".into(),
            sealed: sealed(&response(3)),
        },
        AnswerWrite::AsPerson {
            campaign_id: open.id,
            person: "p2".into(),
            sealed: sealed(&response(4)),
        },
        AnswerWrite::AsPerson {
            campaign_id: open.id,
            person: "p2".into(),
            sealed: sealed(&response(5)),
        },
        AnswerWrite::WithToken {
            campaign_id: tokens.id,
            token: "t2".into(),
            sealed: sealed(&response(6)),
        },
    ];
    let outcomes: Vec<bool> = survey::write_together(&db, &writes, None)
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    assert_eq!(outcomes, [true, true, false, false, true, false, true]);
    // A page saved after its code or person has sent (from another page) leaves no draft.
    let late = [
        AnswerWrite::Draft {
            campaign_id: tokens.id,
            holder: "t1".into(),
            sealed: b"late draft".to_vec(),
            by_code: true,
        },
        AnswerWrite::Draft {
            campaign_id: open.id,
            holder: "p2".into(),
            sealed: b"late draft".to_vec(),
            by_code: false,
        },
    ];
    let outcomes: Vec<bool> = survey::write_together(&db, &late, None)
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    assert_eq!(outcomes, [false, false]);
    assert_eq!(survey::get_draft(&db, tokens.id, "t1").await?, None);
    assert_eq!(survey::pending_count(&db, tokens.id).await?, 2);
    assert_eq!(survey::pending_count(&db, open.id).await?, 1);
    assert_eq!(survey::unused_tokens(&db, tokens.id).await?, 0);
    assert_eq!(
        survey::get_draft(&db, tokens.id, "t2").await?,
        None,
        "sent: draft gone"
    );
    assert_eq!(
        survey::participation_and_draft(&db, open.id, "p1").await?,
        (false, Some(b"draft of p1".to_vec()))
    );
    assert_eq!(
        survey::participation_and_draft(&db, open.id, "p2").await?,
        (true, None)
    );

    // A write the database refuses (a campaign that does not exist) fails alone: the
    // others in its transaction are written one by one instead.
    let writes = vec![
        AnswerWrite::Draft {
            campaign_id: open.id,
            holder: "p3".into(),
            sealed: b"draft of p3".to_vec(),
            by_code: false,
        },
        AnswerWrite::AsPerson {
            campaign_id: open.id + tokens.id + 1_000,
            person: "p4".into(),
            sealed: sealed(&response(7)),
        },
        AnswerWrite::AsPerson {
            campaign_id: open.id,
            person: "p5".into(),
            sealed: sealed(&response(8)),
        },
    ];
    let outcomes = survey::write_together(&db, &writes, None).await;
    assert!(matches!(outcomes[0], Ok(true)), "{:?}", outcomes[0]);
    assert!(outcomes[1].is_err(), "{:?}", outcomes[1]);
    assert!(matches!(outcomes[2], Ok(true)), "{:?}", outcomes[2]);
    assert_eq!(survey::pending_count(&db, open.id).await?, 2);
    assert_eq!(
        survey::participation_and_draft(&db, open.id, "p3").await?,
        (false, Some(b"draft of p3".to_vec()))
    );

    // Nine more make a whole batch of 11, which only a flush writes: a transaction of
    // answering writes never holds plain answers.
    let writes: Vec<AnswerWrite> = (10..19)
        .map(|i| AnswerWrite::AsPerson {
            campaign_id: open.id,
            person: format!("p{i}"),
            sealed: sealed(&response(i)),
        })
        .collect();
    let outcomes = survey::write_together(&db, &writes, None).await;
    assert!(
        outcomes.iter().all(|o| matches!(o, Ok(true))),
        "{outcomes:?}"
    );
    assert_eq!(survey::pending_count(&db, open.id).await?, 11);
    assert!(survey::responses(&db, open.id).await?.is_empty());
    assert_eq!(flush(&db, open.id, false).await?, 11);
    assert_eq!(survey::pending_count(&db, open.id).await?, 0);
    assert_eq!(survey::response_count(&db, open.id).await?, 11);

    // A send or a page that reaches the writer after the campaign closed takes nothing:
    // the campaign's last answers may already be written and its results published.
    survey::add_tokens(&db, "cli", 1, &tokens, "RJ1", &["late".into()]).await?;
    let after = tokens.closes_on.plus_days(1);
    let late = [
        AnswerWrite::Draft {
            campaign_id: tokens.id,
            holder: "late".into(),
            sealed: b"a late draft".to_vec(),
            by_code: true,
        },
        AnswerWrite::WithToken {
            campaign_id: tokens.id,
            token: "late".into(),
            sealed: sealed(&response(30)),
        },
        AnswerWrite::AsPerson {
            campaign_id: open.id,
            person: "p30".into(),
            sealed: sealed(&response(31)),
        },
    ];
    let outcomes: Vec<bool> = survey::write_together(&db, &late, Some(after))
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    assert_eq!(outcomes, [false, false, false]);
    assert!(survey::token_is_valid(&db, tokens.id, "late").await?);
    let on_the_last_day: Vec<bool> =
        survey::write_together(&db, &late[1..2], Some(tokens.closes_on))
            .await
            .into_iter()
            .collect::<Result<_, _>>()?;
    assert_eq!(on_the_last_day, [true]);

    // Once closed, drafts never sent and codes never used are forgotten, and only then.
    survey::add_tokens(&db, "cli", 1, &tokens, "RJ1", &["never".into()]).await?;
    assert!(survey::save_draft(&db, tokens.id, "never", b"half done", true).await?);
    assert_eq!(
        survey::forget_after_close(&db, tokens.closes_on).await?,
        (0, 0)
    );
    assert_eq!(
        survey::forget_after_close(&db, tokens.closes_on.plus_days(1)).await?,
        (3, 1),
        "p1's and p3's open-link drafts and the code's draft; the one unused code"
    );
    assert_eq!(survey::get_draft(&db, tokens.id, "never").await?, None);
    assert_eq!(survey::unused_tokens(&db, tokens.id).await?, 0);
    assert_eq!(survey::responses(&db, open.id).await?.len(), 11);
    Ok(())
}

/// The stored rows must not reveal who answered, when, or in what order.
async fn stored_responses_keep_no_order_time_or_link(db: Db) -> TestResult {
    use dignity_domain::survey::Participation;
    let open = campaign(&db, Participation::OpenLink).await?;
    let mut ids = Vec::new();
    for i in 0..200 {
        let r = survey::NewResponse {
            // The answers say who sent them, so the test can tell where each one went.
            answers: (i as u32).to_le_bytes().to_vec(),
            ..response(i)
        };
        ids.push(r.answers.clone());
        survey::submit_as_person(&db, open.id, &format!("person-{i:03}"), &sealed(&r)).await?;
        flush(&db, open.id, false).await?;
    }
    flush(&db, open.id, true).await?;
    survey::shuffle_storage(&db).await?;
    // Columns: nothing but the random key, the campaign, the answers and the groupings.
    let columns: Vec<String> = match db.backend() {
        Backend::Sqlite => sqlx::query_scalar("SELECT name FROM pragma_table_info('survey_responses') ORDER BY name").fetch_all(db.pool()).await?,
        Backend::Postgres => sqlx::query_scalar("SELECT column_name::text FROM information_schema.columns WHERE table_name = 'survey_responses' ORDER BY 1").fetch_all(db.pool()).await?,
    };
    assert_eq!(columns, ["answers", "campaign_id", "groupings", "id"]);
    // Storage order (no ORDER BY) against the order people answered in.
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT answers FROM survey_responses")
        .fetch_all(db.pool())
        .await?;
    assert_eq!(stored.len(), 200);
    let participants: Vec<String> =
        sqlx::query_scalar("SELECT person_digest FROM survey_participants")
            .fetch_all(db.pool())
            .await?;
    let answered_at = |a: &Vec<u8>| ids.iter().position(|x| x == a).unwrap_or(0) as f64;
    let positions: Vec<f64> = stored.iter().map(answered_at).collect();
    let n = positions.len() as f64;
    let mean = (n - 1.0) / 2.0;
    let correlation = positions
        .iter()
        .enumerate()
        .map(|(i, p)| (i as f64 - mean) * (p - mean))
        .sum::<f64>()
        / positions
            .iter()
            .enumerate()
            .map(|(i, _)| (i as f64 - mean).powi(2))
            .sum::<f64>();
    assert!(
        correlation.abs() < 0.3,
        "storage order follows answering order (correlation {correlation})"
    );
    // The participant list is in its own key order, so row i of it says nothing about row i
    // of the responses.
    let mut sorted = participants.clone();
    sorted.sort();
    assert_eq!(participants, sorted);
    Ok(())
}

async fn plans_need_both_sides_to_sign_the_same_version(db: Db) -> TestResult {
    use dignity_domain::plans::{ActionStatus, Dates, Percent, Side};
    use dignity_store::plans::{self, Editor, NewAction, NewPlan, Report, Signed};

    let org = demo_org(&db, "RJ1").await?;
    let other = demo_org(&db, "RJ2").await?;
    let exec = identity::create_person(
        &db,
        "cli",
        1,
        &Email::parse("exec@x.nhs.uk")?,
        &Name::parse("Ezra", "n")?,
        "h",
    )
    .await?;
    let union = identity::create_person(
        &db,
        "cli",
        1,
        &Email::parse("uma@x.nhs.uk")?,
        &Name::parse("Uma", "n")?,
        "h",
    )
    .await?;
    let editor = Editor {
        actor: "ada@x.nhs.uk",
        now: 1_000,
        organisation: &org,
    };
    let day = |s: &str| Day::parse(s);
    let plan = plans::create_plan(
        &db,
        editor,
        &NewPlan {
            title: "Respect at work 2026-27".into(),
            period: Dates::new(day("2026-04-01")?, day("2027-03-31")?)?,
            summary: "What we will do together".into(),
        },
    )
    .await?;
    assert_eq!(plan.version, 1);
    assert_eq!(plan.published_version, None);
    let groups = plans::groups(&db, plan.id).await?;
    assert_eq!(groups.len(), 3, "the three commitments");

    let new_action =
        |title: &str, parent: Option<i64>| -> Result<NewAction, Box<dyn std::error::Error>> {
            Ok(NewAction {
                group_id: groups[0].id,
                parent_id: parent,
                title: title.into(),
                description: "".into(),
                owner: "Director of People".into(),
                employer_lead: "Ezra".into(),
                union_lead: "Uma".into(),
                dates: Dates::new(day("2026-05-01")?, day("2026-09-30")?)?,
                weight: None,
            })
        };
    let training = plans::add_action(
        &db,
        editor,
        plan.id,
        &new_action("Civility training for managers", None)?,
    )
    .await?;
    let wave = plans::add_action(
        &db,
        editor,
        plan.id,
        &new_action("First wave", Some(training.id))?,
    )
    .await?;
    assert_eq!(
        plans::get_plan(&db, plan.id).await?.version,
        3,
        "each action is a content change"
    );
    // Another organisation's editor cannot add to this plan.
    let outsider = Editor {
        organisation: &other,
        ..editor
    };
    assert!(matches!(
        plans::add_action(&db, outsider, plan.id, &new_action("Sneaky", None)?).await,
        Err(StoreError::NotFound(_))
    ));

    // Both sides sign version 3: it is published.
    assert_eq!(
        plans::approve(&db, editor, plan.id, exec.id, Side::Employer, 3).await?,
        Signed::Waiting
    );
    // Pressing approve again records nothing more (outside review: a second history and
    // audit row "Approved version 3 for the employer side").
    let history_then = plans::history(&db, plan.id, None).await?.len();
    let audit_then: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(db.pool())
        .await?;
    assert_eq!(
        plans::approve(&db, editor, plan.id, exec.id, Side::Employer, 3).await?,
        Signed::Waiting
    );
    assert_eq!(
        plans::history(&db, plan.id, None).await?.len(),
        history_then
    );
    let audit_now: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log")
        .fetch_one(db.pool())
        .await?;
    assert_eq!(audit_now, audit_then);
    // The union partner opened version 2: refused as a conflict, not moved to 3.
    assert!(matches!(
        plans::approve(&db, editor, plan.id, union.id, Side::Union, 2).await,
        Err(StoreError::Conflict(m)) if m.contains("version 2")
    ));
    assert_eq!(plans::get_plan(&db, plan.id).await?.published_version, None);
    assert_eq!(
        plans::approve(&db, editor, plan.id, union.id, Side::Union, 3).await?,
        Signed::Published
    );
    let published = plans::get_plan(&db, plan.id).await?;
    assert_eq!(published.published_version, Some(3));
    assert_eq!(
        plans::approve(&db, editor, plan.id, union.id, Side::Union, 3).await?,
        Signed::Published,
        "a second press after publishing says it is published, and records nothing"
    );

    // Progress is reporting: no new version, still published.
    let report = Report {
        status: ActionStatus::OnTrack,
        reason: String::new(),
        progress: Percent::parse("40")?,
    };
    plans::report_progress(&db, editor, wave.id, &report).await?;
    assert_eq!(plans::get_plan(&db, plan.id).await?.version, 3);
    let dropped = Report {
        status: ActionStatus::Dropped,
        reason: " ".into(),
        progress: Percent::parse("0")?,
    };
    assert!(matches!(
        plans::report_progress(&db, editor, wave.id, &dropped).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        plans::report_progress(&db, outsider, wave.id, &report).await,
        Err(StoreError::NotFound(_))
    ));
    let actions = plans::actions(&db, plan.id).await?;
    assert_eq!(actions.len(), 2);
    assert_eq!(actions[1].progress.value(), 40);
    assert_eq!(actions[1].parent_id, Some(training.id));
    assert_eq!(
        actions
            .iter()
            .map(|a| a.added_in_version)
            .collect::<Vec<_>>(),
        [2, 3]
    );

    // A content change needs both again; the published version stays the signed one.
    plans::add_action(&db, editor, plan.id, &new_action("Exit interviews", None)?).await?;
    let changed = plans::get_plan(&db, plan.id).await?;
    assert_eq!((changed.version, changed.published_version), (4, Some(3)));

    // A measure with a baseline and a target is a promise: a content change.
    let measure = plans::NewIndicator {
        code: "harassment_colleagues".into(),
        baseline: 26.5,
        target: 20.0,
        latest: Some(24.0),
        source: "Staff survey 2025".into(),
    };
    plans::add_indicator(&db, editor, training.id, &measure, "Harassment").await?;
    assert_eq!(plans::get_plan(&db, plan.id).await?.version, 5);
    let measures = plans::indicators(&db, plan.id).await?;
    assert_eq!(measures.len(), 1);
    assert_eq!(
        (measures[0].baseline, measures[0].target, measures[0].latest),
        (26.5, 20.0, Some(24.0))
    );
    assert!(matches!(
        plans::add_indicator(&db, outsider, training.id, &measure, "Harassment").await,
        Err(StoreError::NotFound(_))
    ));

    // A milestone is a promise; ticking it off is progress.
    plans::add_milestone(
        &db,
        editor,
        training.id,
        "Pilot with two wards",
        day("2026-06-30")?,
    )
    .await?;
    assert_eq!(plans::get_plan(&db, plan.id).await?.version, 6);
    let steps = plans::milestones(&db, plan.id).await?;
    assert_eq!((steps.len(), steps[0].done), (1, false));
    plans::set_milestone_done(&db, editor, steps[0].id, true).await?;
    assert!(plans::milestones(&db, plan.id).await?[0].done);
    assert_eq!(plans::get_plan(&db, plan.id).await?.version, 6);
    assert!(matches!(
        plans::set_milestone_done(&db, outsider, steps[0].id, false).await,
        Err(StoreError::NotFound(_))
    ));

    // The history of the plan, and of one action.
    // Eight changes and the two approvals that counted (the stale one is not recorded).
    let history = plans::history(&db, plan.id, None).await?;
    assert_eq!(history.len(), 10, "{history:?}");
    // Who, as recorded while the address is nobody's account; by name once it is one.
    assert!(
        history.iter().all(|h| h.actor == "ada@x.nhs.uk"),
        "{history:?}"
    );
    identity::create_person(
        &db,
        "cli",
        1,
        &Email::parse("ada@x.nhs.uk")?,
        &Name::parse("Ada Lovelace", "n")?,
        "h",
    )
    .await?;
    let history = plans::history(&db, plan.id, None).await?;
    assert!(
        history.iter().all(|h| h.actor == "Ada Lovelace"),
        "{history:?}"
    );
    assert!(
        history
            .iter()
            .any(|h| h.summary == "Approved version 3 for the trade union side")
    );
    let of_wave = plans::history(&db, plan.id, Some(wave.id)).await?;
    assert_eq!(of_wave.len(), 2);
    assert_eq!(
        plans::history(&db, plan.id, Some(training.id)).await?.len(),
        4,
        "added, a measure, a milestone and reaching it"
    );
    assert!(of_wave[1].summary.contains("On track at 40%"));
    Ok(())
}

/// Ten people book three places at the same moment: three places, seven waiting, never
/// more places than the event has.
async fn concurrent_bookings_never_overfill_an_event(db: Db) -> TestResult {
    use dignity_domain::library::EventFormat;
    use dignity_store::events::{self, NewEvent, Place};
    use dignity_store::mail::NewMail;
    let id = events::create_event(
        &db,
        "organiser@nhs.uk",
        1,
        &NewEvent {
            title: "Webinar".into(),
            description: "About civility.".into(),
            format: EventFormat::Webinar,
            starts_at: 10_000,
            ends_at: 15_000,
            location: String::new(),
            joining: "https://meet.example/x".into(),
            capacity: 3,
        },
    )
    .await?;
    let mut tasks = Vec::new();
    for i in 0..10 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mail = |_: &events::Event, b: &events::Booking| {
                Some(NewMail {
                    purpose: "event".into(),
                    to: b.email.clone(),
                    subject: "Booking".into(),
                    body: String::new(),
                    attachment: None,
                })
            };
            events::book(&db, id, "Someone", &format!("p{i}@example.com"), 2, &mail).await
        }));
    }
    for task in tasks {
        task.await??;
    }
    let people = events::attendees(&db, id).await?;
    let booked = people.iter().filter(|p| p.place == Place::Booked).count();
    assert_eq!((booked, people.len()), (3, 10));
    let event = events::get_event(&db, id).await?;
    assert_eq!((event.booked, event.waiting), (3, 7));
    Ok(())
}

/// The outbox's promises: a failed mail waits 30 seconds, then twice as long each time up
/// to an hour, is never given up on, and two servers claiming at once never both get it.
async fn mail_waits_longer_after_each_failure_never_gives_up_and_goes_once(db: Db) -> TestResult {
    use dignity_store::mail::{self, NewMail};
    let new = |to: String| NewMail {
        purpose: "test".into(),
        to,
        subject: "Hello".into(),
        body: "Body".into(),
        attachment: None,
    };
    let mut tx = db.begin_write().await?;
    mail::enqueue(&mut tx, 1_000, &[new("one@example.com".into())]).await?;
    tx.commit().await?;

    let mut now = 1_000;
    // The wait doubles from 30 seconds up to an hour, and stays there.
    let expected = [
        30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600, 3600,
    ];
    for (attempt, wait) in expected.into_iter().enumerate() {
        let claimed = mail::claim_due(&db, now, 60, 10).await?;
        assert_eq!(claimed.len(), 1, "attempt {attempt}: the mail is due again");
        assert_eq!(claimed[0].attempts, attempt as i64);
        // While it is leased, another server finds nothing to send.
        assert!(mail::claim_due(&db, now, 60, 10).await?.is_empty());
        mail::failed(&db, &claimed[0], now, "relay down").await?;
        assert!(
            mail::claim_due(&db, now + wait - 1, 0, 10)
                .await?
                .is_empty(),
            "attempt {attempt}: not due before {wait} seconds"
        );
        now += wait;
    }
    assert_eq!(mail::waiting(&db, "test").await?, 1, "never given up on");
    let last = mail::claim_due(&db, now, 60, 10).await?;
    mail::sent(&db, last[0].id).await?;
    assert_eq!(mail::waiting(&db, "test").await?, 0, "forgotten once sent");

    // Two servers claim 40 mails at the same moment: each mail goes to exactly one.
    let mut tx = db.begin_write().await?;
    let many: Vec<NewMail> = (0..40).map(|i| new(format!("p{i}@example.com"))).collect();
    mail::enqueue(&mut tx, 50_000, &many).await?;
    tx.commit().await?;
    let servers: Vec<_> = (0..2)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { mail::claim_due(&db, 50_000, 60, 100).await })
        })
        .collect();
    let mut claimed = Vec::new();
    for server in servers {
        claimed.extend(server.await??.into_iter().map(|m| m.to));
    }
    let total = claimed.len();
    claimed.sort();
    claimed.dedup();
    assert_eq!(total, 40, "every mail was claimed once in all");
    assert_eq!(claimed.len(), 40, "no mail was claimed by both servers");
    Ok(())
}

/// `migrate-data` carries every column of every table, with its value intact: a SQLite
/// database with one row in every table and a value in every column is copied to
/// PostgreSQL and read back column by column.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copying_to_postgres_carries_every_column_of_every_table() -> TestResult {
    use sqlx::{Connection, Row};
    let source = ScratchDb::new(Backend::Sqlite).await?;
    let target = ScratchDb::new(Backend::Postgres).await?;
    let outcome = async {
        // The columns come from the schema itself, not from the copy's own list, so a
        // column the copy forgets is filled here and found missing there.
        let mut tables: Vec<(String, Vec<(String, &str)>)> = Vec::new();
        for table in transfer::table_names() {
            let rows = sqlx::query(&format!(
                "SELECT name, type FROM pragma_table_info('{table}') ORDER BY cid"
            ))
            .fetch_all(source.db.pool())
            .await?;
            let mut columns = Vec::new();
            for row in &rows {
                let declared: String = row.try_get("type")?;
                let declared = declared.to_uppercase();
                let kind = if declared.contains("INT") {
                    "int"
                } else if declared.contains("REAL") || declared.contains("DOUBLE") {
                    "real"
                } else if declared.contains("BLOB") {
                    "blob"
                } else {
                    "text"
                };
                columns.push((row.try_get::<String, _>("name")?, kind));
            }
            tables.push((table.to_owned(), columns));
        }
        assert_eq!(
            tables.iter().map(|(_, c)| c.len()).sum::<usize>(),
            transfer::schema_columns(&source.db).await?.len(),
            "every column of the schema is filled"
        );
        // Every id and reference is 1, so each row's parents are the rows of their tables.
        let value = |table: &str, column: &str, kind: &str| match kind {
            // A column whose CHECK takes only its own words.
            _ if (table, column) == ("workforce_snapshots", "kind") => Value::Text("staff".into()),
            _ if column == "moderation" && table.starts_with("voice_") => {
                Value::Text("shown".into())
            }
            _ if (table, column) == ("voice_ideas", "state") => Value::Text("open".into()),
            _ if column == "post_kind" => Value::Text("idea".into()),
            _ if (table, column) == ("voice_decisions", "action") => Value::Text("hide".into()),
            _ if (table, column) == ("workforce_formal", "process") => {
                Value::Text("disciplinary".into())
            }
            _ if (table, column) == ("equality_reports", "standard") => Value::Text("wres".into()),
            _ if (table, column) == ("equality_report_signatures", "side") => {
                Value::Text("union".into())
            }
            // A checked record of a formal decision satisfies every CHECK of jc_guides.
            _ if (table, column) == ("jc_guides", "answers") => Value::Text("ynyny".into()),
            _ if table == "jc_guides" && ["recommended", "decided"].contains(&column) => {
                Value::Text("formal".into())
            }
            _ if (table, column) == ("jc_guides", "check_state") => Value::Text("agreed".into()),
            // A closed conduct case from a guide record satisfies every CHECK of er_cases.
            _ if (table, column) == ("er_cases", "case_type") => Value::Text("conduct".into()),
            _ if ["er_cases", "er_case_stages"].contains(&table) && column == "stage" => {
                Value::Text("closed".into())
            }
            _ if (table, column) == ("er_cases", "outcome") => Value::Text("dismissal".into()),
            _ if (table, column) == ("er_cases", "appeal_outcome") => {
                Value::Text("not_upheld".into())
            }
            _ if (table, column) == ("er_case_entries", "kind") => Value::Text("note".into()),
            _ if (table, column) == ("er_suspensions", "kind") => Value::Text("suspension".into()),
            // A follow is of a challenge or of an idea, never both: the idea is left empty
            // (the copy carries it as it carries every column, from the one list).
            _ if (table, column) == ("voice_follows", "idea_id") => Value::Null,
            // Comments and events are on an idea or an update, never both.
            _ if ["voice_comments", "voice_events"].contains(&table) && column == "update_id" => {
                Value::Null
            }
            _ if (table, column) == ("voice_events", "kind") => Value::Text("answer".into()),
            _ if (table, column) == ("board_seats", "kind") => Value::Text("executive".into()),
            // A seat ends after it starts.
            _ if (table, column) == ("board_seats", "starts_on") => {
                Value::Text("2025-01-01".into())
            }
            _ if (table, column) == ("board_seats", "ends_on") => Value::Text("2026-01-01".into()),
            _ if (table, column) == ("board_checks", "kind") => {
                Value::Text("criminal_records".into())
            }
            _ if (table, column) == ("board_assessments", "conclusion") => {
                Value::Text("fit".into())
            }
            "int" => Value::Int(1),
            "real" => Value::Real(1.5),
            "blob" => Value::Blob(format!("{table}.{column}").into_bytes()),
            _ => Value::Text(format!("{table}.{column}")),
        };
        {
            let mut conn = source.db.pool().acquire().await?;
            // Parents are filled before children, but some tables point at each other.
            sqlx::query("PRAGMA foreign_keys = OFF")
                .execute(&mut *conn)
                .await?;
            let mut tx = conn.begin().await?;
            for (table, columns) in &tables {
                sqlx::query(&format!("DELETE FROM {table}"))
                    .execute(&mut *tx)
                    .await
                    .ok();
                let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
                let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
                let sql = format!(
                    "INSERT INTO {table} ({}) VALUES ({})",
                    names.join(", "),
                    marks.join(", ")
                );
                let mut query = sqlx::query(&sql);
                for (column, kind) in columns {
                    query = match value(table, column, kind) {
                        Value::Int(v) => query.bind(v),
                        Value::Real(v) => query.bind(v),
                        Value::Text(v) => query.bind(v),
                        Value::Blob(v) => query.bind(v),
                        Value::Null => query.bind(None::<i64>),
                    };
                }
                query
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| format!("filling {table}: {e}"))?;
            }
            tx.commit().await?;
            sqlx::query("PRAGMA foreign_keys = ON")
                .execute(&mut *conn)
                .await?;
        }
        transfer::copy_all(&source.db, &target.db, |_| {}).await?;
        for (table, columns) in &tables {
            let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
            let rows = sqlx::query(&format!("SELECT {} FROM {table}", names.join(", ")))
                .fetch_all(target.db.pool())
                .await?;
            assert_eq!(rows.len(), 1, "{table} has its one row on PostgreSQL");
            for (column, kind) in columns {
                let column = column.as_str();
                let found = match *kind {
                    "int" if value(table, column, kind) == Value::Null => rows[0]
                        .try_get::<Option<i64>, _>(column)?
                        .map_or(Value::Null, Value::Int),
                    "int" => Value::Int(rows[0].try_get(column)?),
                    "real" => Value::Real(rows[0].try_get(column)?),
                    "blob" => Value::Blob(rows[0].try_get(column)?),
                    _ => Value::Text(rows[0].try_get(column)?),
                };
                assert_eq!(found, value(table, column, kind), "{table}.{column}");
            }
        }
        assert!(
            tables.len() > 40,
            "every table was filled: {}",
            tables.len()
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    source.finish().await;
    target.finish().await;
    outcome
}

#[derive(Debug, PartialEq)]
enum Value {
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    Null,
}

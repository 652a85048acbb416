//! Issue 13, item 4: rows an anonymous reporter causes carry no order. With counter ids a
//! reporter's reply sat between the ids of the guardian entries written before and after
//! it, and a new case's id placed it between two audited sign-ins. These tests perform
//! those attacks on both backends.

use super::{TestResult, demo_org, new_case};
use dignity_domain::identity::{Email, Name, Role};
use dignity_domain::speakup::{Day, EntryKind, Feedback};
use dignity_store::audit::{self, NewEntry};
use dignity_store::identity;
use dignity_store::scratch::ScratchDb;
use dignity_store::speakup;
use dignity_store::{Backend, Db, transfer};

const ROUNDS: usize = 24;

async fn audited(db: &Db, action: &str) -> Result<i64, Box<dyn std::error::Error>> {
    let entry = NewEntry {
        actor: "gina@x.nhs.uk",
        organisation: Some("RJ1"),
        action,
        detail: "an audited action",
    };
    Ok(audit::record(db, 1_795_545_600, &entry).await?)
}

async fn row_counts(db: &Db) -> Result<Vec<(String, i64)>, Box<dyn std::error::Error>> {
    let mut counts = Vec::new();
    for table in transfer::table_names() {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.pool())
            .await?;
        counts.push((table.to_owned(), n));
    }
    Ok(counts)
}

fn is_sorted_either_way(ids: &[i64]) -> bool {
    ids.windows(2).all(|w| w[0] < w[1]) || ids.windows(2).all(|w| w[0] > w[1])
}

pub async fn anonymous_rows_carry_no_order(db: Db) -> TestResult {
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
    let day = Day::parse("2026-11-28")?;
    let conversation = speakup::create_case(&db, &new_case(org.id, "CONVERSE")?).await?;

    // New cases between two sign-ins; replies between two guardians' audited entries.
    let (mut cases, mut placed_between) = (Vec::new(), 0);
    for round in 0..ROUNDS {
        audited(&db, "session.sign_in").await?;
        cases
            .push(speakup::create_case(&db, &new_case(org.id, &format!("CASE{round:04}"))?).await?);
        audited(&db, "session.sign_in").await?;

        let before = speakup::add_entry(
            &db,
            conversation,
            EntryKind::ToReporter,
            Some(gina.id),
            day,
            b"q",
        )
        .await?;
        audited(&db, "speakup.case_change").await?;
        let reply =
            speakup::add_entry(&db, conversation, EntryKind::FromReporter, None, day, b"r").await?;
        audited(&db, "speakup.case_change").await?;
        let after = speakup::add_entry(
            &db,
            conversation,
            EntryKind::ToReporter,
            Some(gina.id),
            day,
            b"a",
        )
        .await?;
        if before.min(after) < reply && reply < before.max(after) {
            placed_between += 1;
        }
    }
    assert!(
        !is_sorted_either_way(&cases),
        "case ids follow arrival: {cases:?}"
    );
    // By chance a third of replies fall between; with counters every one did.
    assert!(
        placed_between < ROUNDS,
        "every reply's id sits between its neighbours"
    );
    let entries: Vec<i64> = speakup::entries(&db, conversation)
        .await?
        .iter()
        .map(|e| e.id)
        .collect();
    assert!(!is_sorted_either_way(&entries), "entry ids follow arrival");

    // Storage order: on SQLite the id is the rowid, so rows sit in id order, not arrival
    // order; sealed keys keep no hidden rowid at all.
    if db.backend() == Backend::Sqlite {
        // NOT INDEXED: the table's own order. (Since cases grew wider, SQLite answers a
        // bare "SELECT id" from the narrower receipt-lookup index, in lookup order, which
        // here is CASE0000, CASE0001, ...: arrival order by the test's own naming.)
        let stored: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM cases NOT INDEXED WHERE id <> $1")
                .bind(conversation)
                .fetch_all(db.pool())
                .await?;
        assert_ne!(stored, cases, "cases are stored in arrival order");
        let mut sorted = cases.clone();
        sorted.sort_unstable();
        assert_eq!(stored, sorted, "storage order is the random id order");
        let rowid = sqlx::query("SELECT rowid FROM case_seals")
            .fetch_all(db.pool())
            .await;
        assert!(rowid.is_err(), "case_seals has a hidden rowid counter");
        let counters: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sqlite_sequence WHERE name IN ('cases', 'case_entries')",
        )
        .fetch_one(db.pool())
        .await?;
        assert_eq!(
            counters, 0,
            "cases or entries still have an AUTOINCREMENT counter"
        );
    } else {
        let counters: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.columns WHERE table_name IN ('cases', 'case_entries') \
             AND column_name = 'id' AND (is_identity = 'YES' OR column_default IS NOT NULL)",
        )
        .fetch_one(db.pool())
        .await?;
        assert_eq!(
            counters, 0,
            "cases or entries still take ids from a sequence"
        );
    }

    // An anonymous act writes its own rows and nothing else: no audit entry, no counter.
    let before = row_counts(&db).await?;
    let case = speakup::create_case(&db, &new_case(org.id, "LASTCASE")?).await?;
    speakup::add_entry(&db, case, EntryKind::FromReporter, None, day, b"r").await?;
    speakup::record_feedback(&db, case, Feedback::Yes).await?;
    let after = row_counts(&db).await?;
    let changed: Vec<(String, i64)> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|(b, a)| (b.0.clone(), a.1 - b.1))
        .collect();
    assert_eq!(
        changed,
        [
            ("cases".to_string(), 1),
            ("case_seals".to_string(), 2),
            ("case_entries".to_string(), 2)
        ]
    );
    Ok(())
}

pub async fn conversations_read_in_order_within_a_day(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let case = speakup::create_case(&db, &new_case(org.id, "ORDERED1")?).await?;
    let day = Day::parse("2026-11-28")?;
    for i in 1..=12u8 {
        let kind = if i % 2 == 0 {
            EntryKind::FromReporter
        } else {
            EntryKind::ToReporter
        };
        speakup::add_entry(&db, case, kind, None, day, &[i]).await?;
    }
    let entries = speakup::entries(&db, case).await?;
    let written: Vec<Vec<u8>> = entries
        .iter()
        .skip(1)
        .map(|e| e.ciphertext.clone())
        .collect();
    assert_eq!(written, (1..=12u8).map(|i| vec![i]).collect::<Vec<_>>());
    assert_eq!(entries.first().map(|e| e.kind), Some(EntryKind::Report));
    Ok(())
}

/// Migration 0015 keeps every existing case, seal and entry under its old id, numbers the
/// entries in their old order, and new rows get random ids. Then a copy to the other
/// backend keeps ids and places.
pub async fn migration_keeps_cases_and_copies_keep_ids(backend: Backend) -> TestResult {
    let old = ScratchDb::empty(backend).await?;
    let outcome = async {
        let db = &old.db;
        db.migrate_below(15).await?;
        let org = demo_org(db, "RJ1").await?;
        for lookup in ["OLDCASE1", "OLDCASE2"] {
            sqlx::query(
                "INSERT INTO cases (organisation_id, case_type, identity_level, public_key, receipt_lookup, receipt_salt, \
                 receipt_verifier, status, patient_safety, received_on, acknowledge_by) \
                 VALUES ($1, 'concern', 'anonymous', 'age1case', $2, $3, $3, 'new', 'no', '2026-11-02', '2026-11-04')",
            )
            .bind(org.id)
            .bind(lookup)
            .bind(vec![1u8; 16])
            .execute(db.pool())
            .await?;
        }
        let old_ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM cases ORDER BY id").fetch_all(db.pool()).await?;
        for (i, case_id) in [old_ids[0], old_ids[1], old_ids[0], old_ids[0]].iter().enumerate() {
            sqlx::query(
                "INSERT INTO case_entries (case_id, kind, author_person_id, written_on, ciphertext) VALUES ($1, 'report', NULL, '2026-11-02', $2)",
            )
            .bind(case_id)
            .bind(vec![u8::try_from(i)?; 4])
            .execute(db.pool())
            .await?;
            sqlx::query("INSERT INTO case_seals (case_id, holder, sealed) VALUES ($1, $2, $3)")
                .bind(case_id)
                .bind(format!("holder{i}"))
                .bind(vec![9u8; 4])
                .execute(db.pool())
                .await?;
        }
        db.migrate().await?;

        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM cases ORDER BY id").fetch_all(db.pool()).await?;
        assert_eq!(ids, old_ids);
        let first: Vec<Vec<u8>> = speakup::entries(db, old_ids[0]).await?.into_iter().map(|e| e.ciphertext).collect();
        assert_eq!(first, [vec![0u8; 4], vec![2; 4], vec![3; 4]]);
        let seals: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_seals").fetch_one(db.pool()).await?;
        assert_eq!(seals, 4);
        let reply = speakup::add_entry(db, old_ids[0], EntryKind::FromReporter, None, Day::parse("2026-11-03")?, b"r").await?;
        let entries = speakup::entries(db, old_ids[0]).await?;
        assert_eq!(entries.last().map(|e| e.id), Some(reply), "a new entry follows the old ones");
        let new = speakup::create_case(db, &new_case(org.id, "NEWCASE1")?).await?;
        assert_ne!(new, old_ids[1] + 1, "the next case took a counter's id");

        // A copy to the other backend keeps ids and places, and needs no sequence for them.
        let other = match backend {
            Backend::Sqlite => Backend::Postgres,
            Backend::Postgres => Backend::Sqlite,
        };
        let target = ScratchDb::new(other).await?;
        let copied = async {
            transfer::copy_all(db, &target.db, |_| {}).await?;
            let copied = speakup::entries(&target.db, old_ids[0]).await?;
            assert_eq!(copied, entries);
            let later = speakup::add_entry(&target.db, new, EntryKind::FromReporter, None, Day::parse("2026-11-03")?, b"s").await?;
            let places: Vec<i64> = speakup::entries(&target.db, new).await?.iter().map(|e| e.id).collect();
            assert_eq!(places.last(), Some(&later));
            Ok::<_, Box<dyn std::error::Error>>(())
        }
        .await;
        target.finish().await;
        copied
    }
    .await;
    old.finish().await;
    outcome
}

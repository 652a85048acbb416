//! Workforce snapshots: stored whole as the app sealed them, replaced whole when the same
//! kind and day come again, audited; snapshots imported before sealing read back from
//! their rows and sealed in place. Counts of staff entering formal processes: stored whole
//! (many rows a statement, so the chunking is exercised across a statement's edge),
//! replaced by organisation and day.

use crate::{TestResult, demo_org};
use dignity_domain::speakup::Day;
use dignity_store::workforce::{self, Importer, Kind, Rows, Sealed, SeenRecord, Staff, Verdict};
use dignity_store::{Db, audit};

fn person(n: usize) -> Staff {
    Staff {
        person: format!("{n:032x}"),
        unit_id: None,
        staff_group: "nursing_registered".into(),
        pay_grade: if n.is_multiple_of(2) {
            "band_5"
        } else {
            "band_6"
        }
        .into(),
        clinical: !n.is_multiple_of(3),
        ethnicity: "A".into(),
        disability: "no".into(),
        sex: "female".into(),
        age_band: "26_30".into(),
        started_on: Some("2020-04-01".into()),
        wte: Some(if n.is_multiple_of(4) { 0.6 } else { 1.0 }),
        days_lost: Some((n % 700) as f64 / 4.0),
        left_on: None,
        leaving_reason: None,
    }
}

pub(crate) async fn workforce_snapshots_replace_whole_and_are_audited(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let importer = Importer {
        actor: "cli",
        ods_code: "RJ1",
        correcting_settled_year: false,
    };
    let march = Day::parse("2026-03-31")?;
    let now = 1_775_044_800;
    // The store keeps what the app sealed, byte for byte; it cannot read it.
    let sealed = |kind, row_count, rows: &'static [u8], counts: &'static [u8]| Sealed {
        kind,
        row_count,
        rows,
        counts,
        tables: Some(counts),
    };
    let first = workforce::replace(
        &db,
        importer,
        org.id,
        march,
        now,
        sealed(Kind::Staff, 1_200, b"sealed rows one", b"sealed counts one"),
        None,
    )
    .await?;
    assert!(!first.replaced);
    let snapshots = workforce::snapshots(&db, org.id).await?;
    assert_eq!(snapshots.len(), 1);
    assert_eq!(snapshots[0].kind, Kind::Staff);
    assert_eq!(snapshots[0].as_at, march);
    assert_eq!(snapshots[0].row_count, 1_200);
    assert_eq!(
        workforce::sealed_rows(&db, snapshots[0].id).await?,
        b"sealed rows one"
    );
    assert_eq!(
        workforce::sealed_counts(&db, snapshots[0].id).await?,
        b"sealed counts one"
    );

    // The same day again replaces the snapshot whole.
    let second = workforce::replace(
        &db,
        importer,
        org.id,
        march,
        now + 60,
        sealed(Kind::Staff, 10, b"sealed rows two", b"sealed counts two"),
        None,
    )
    .await?;
    assert!(second.replaced);
    let snapshots = workforce::snapshots(&db, org.id).await?;
    assert_eq!(snapshots.len(), 1);
    assert_eq!(snapshots[0].row_count, 10);
    assert_eq!(
        workforce::sealed_rows(&db, snapshots[0].id).await?,
        b"sealed rows two"
    );

    // Another day, and the other kinds, sit beside it; nothing goes into the old tables.
    let september = Day::parse("2025-09-30")?;
    for kind in [
        Kind::Leavers,
        Kind::Recruitment,
        Kind::Training,
        Kind::Board,
    ] {
        workforce::replace(
            &db,
            importer,
            org.id,
            september,
            now,
            sealed(kind, 1, b"rows", b"counts"),
            None,
        )
        .await?;
    }
    assert_eq!(workforce::snapshots(&db, org.id).await?.len(), 5);

    // A staff extract too close to one readers have seen is kept but held: no page reads it.
    let october = Day::parse("2025-10-31")?;
    let close_to_march = |_: Day, seen: SeenRecord<'_>| -> Result<Verdict, String> {
        Ok(Verdict {
            too_close: seen.tables == Some(b"sealed counts two".as_slice()),
            same: false,
        })
    };
    let held = workforce::replace(
        &db,
        importer,
        org.id,
        october,
        now,
        sealed(Kind::Staff, 11, b"sealed rows three", b"counts three"),
        Some(&close_to_march),
    )
    .await?;
    assert_eq!(held.held_beside, Some(march));
    assert_eq!(workforce::snapshots(&db, org.id).await?.len(), 5);
    assert_eq!(workforce::every_snapshot(&db).await?.len(), 5);
    assert_eq!(
        workforce::held(&db, org.id).await?,
        vec![workforce::Held {
            kind: Some(Kind::Staff),
            as_at: october,
            beside: march
        }]
    );
    assert_eq!(
        workforce::every_day_of(&db, org.id, Kind::Staff)
            .await?
            .len(),
        2
    );

    // Replacing a shown one remembers it, and later imports are compared with it too; a
    // held one is never compared with, since nobody saw it.
    let never = |_: Day, _: SeenRecord<'_>| -> Result<Verdict, String> { Ok(Verdict::default()) };
    let replaced = workforce::replace(
        &db,
        importer,
        org.id,
        march,
        now,
        sealed(Kind::Staff, 12, b"sealed rows four", b"counts four"),
        Some(&never),
    )
    .await?;
    assert!(replaced.replaced && replaced.held_beside.is_none());
    let seen = std::sync::Mutex::new(Vec::new());
    let record = |day: Day, record: SeenRecord<'_>| -> Result<Verdict, String> {
        if let (Ok(mut seen), Some(bytes)) = (seen.lock(), record.tables) {
            seen.push((day, bytes.to_vec()));
        }
        Ok(Verdict::default())
    };
    workforce::replace(
        &db,
        importer,
        org.id,
        Day::parse("2025-11-30")?,
        now,
        sealed(Kind::Staff, 12, b"sealed rows five", b"counts five"),
        Some(&record),
    )
    .await?;
    let seen = seen.into_inner().map_err(|_| "poisoned")?;
    assert_eq!(
        seen,
        vec![
            (march, b"counts four".to_vec()),
            (march, b"sealed counts two".to_vec()),
        ],
        "each seen extract once, the held one never"
    );
    // The same tables again: nothing to remember the replaced one for.
    let same = |_: Day, _: SeenRecord<'_>| -> Result<Verdict, String> {
        Ok(Verdict {
            too_close: false,
            same: true,
        })
    };
    workforce::replace(
        &db,
        importer,
        org.id,
        march,
        now,
        sealed(Kind::Staff, 12, b"sealed rows four", b"counts four"),
        Some(&same),
    )
    .await?;
    type Kept = (Option<Vec<u8>>, Option<Vec<u8>>);
    let remembered: Vec<Kept> =
        sqlx::query_as("SELECT sealed_tables, sealed_rows FROM workforce_remembered")
            .fetch_all(db.pool())
            .await?;
    assert_eq!(
        remembered,
        vec![(
            Some(b"sealed counts two".to_vec()),
            Some(b"sealed rows two".to_vec())
        )]
    );
    for table in PLAIN_TABLES {
        let left: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(db.pool())
            .await?;
        assert_eq!(left, 0, "{table} holds no row of a sealed snapshot");
    }
    assert!(workforce::unsealed(&db).await?.is_empty());

    let imports: Vec<String> = audit::list_for_organisation(&db, "RJ1", None, 100)
        .await?
        .into_iter()
        .filter(|e| e.action == "workforce.import")
        .map(|e| e.detail)
        .collect();
    assert_eq!(imports.len(), 10);
    assert!(
        imports.contains(
            &"Imported 10 rows of staff in post as at 31 March 2026, replacing the earlier import for that day".to_owned()
        ),
        "{imports:?}"
    );
    assert!(
        imports.contains(
            &"Imported staff in post as at 31 October 2025; held, not shown: its figures moved by too few people from the extract as at 31 March 2026".to_owned()
        ),
        "{imports:?}"
    );
    Ok(())
}

const PLAIN_TABLES: [&str; 4] = [
    "workforce_staff",
    "workforce_recruitment",
    "workforce_training",
    "workforce_board",
];

/// A snapshot imported before snapshots were sealed (migration 0023) is read back from its
/// rows in the clear, and sealing it in place deletes them.
pub(crate) async fn earlier_plain_snapshots_are_read_and_sealed_in_place(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let snapshot_id: i64 = sqlx::query_scalar(
        "INSERT INTO workforce_snapshots (organisation_id, kind, as_at, imported_on, row_count) \
         VALUES ($1, 'staff', '2025-03-31', '2025-04-02', 3) RETURNING id",
    )
    .bind(org.id)
    .fetch_one(db.pool())
    .await?;
    for n in [2usize, 0, 1] {
        let p = person(n);
        sqlx::query(
            "INSERT INTO workforce_staff (snapshot_id, person, unit_id, staff_group, pay_grade, \
             clinical, ethnicity, disability, sex, age_band, started_on, wte, days_lost, \
             left_on, leaving_reason) \
             VALUES ($1, $2, NULL, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL)",
        )
        .bind(snapshot_id)
        .bind(p.person.as_str())
        .bind(p.staff_group.as_str())
        .bind(p.pay_grade.as_str())
        .bind(i64::from(p.clinical))
        .bind(p.ethnicity.as_str())
        .bind(p.disability.as_str())
        .bind(p.sex.as_str())
        .bind(p.age_band.as_str())
        .bind(p.started_on.as_deref())
        .bind(p.wte)
        .bind(p.days_lost)
        .execute(db.pool())
        .await?;
    }
    let waiting = workforce::unsealed(&db).await?;
    assert_eq!(waiting.len(), 1);
    let Rows::Staff {
        leavers: false,
        people,
    } = workforce::plain_rows(&db, &waiting[0]).await?
    else {
        panic!("staff in post come back as staff in post");
    };
    assert_eq!(people, vec![person(0), person(1), person(2)]);
    assert!(
        workforce::sealed_rows(&db, snapshot_id).await.is_err(),
        "not sealed yet"
    );

    workforce::seal_in_place(&db, snapshot_id, b"sealed", b"counted").await?;
    workforce::forget_plain_rows(&db).await?;
    assert!(workforce::unsealed(&db).await?.is_empty());
    assert_eq!(workforce::sealed_rows(&db, snapshot_id).await?, b"sealed");
    assert_eq!(
        workforce::sealed_counts(&db, snapshot_id).await?,
        b"counted"
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workforce_staff")
        .fetch_one(db.pool())
        .await?;
    assert_eq!(left, 0);
    Ok(())
}

pub(crate) async fn formal_process_counts_replace_by_day_and_are_audited(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let other = demo_org(&db, "RJ2").await?;
    let importer = Importer {
        actor: "cli",
        ods_code: "RJ1",
        correcting_settled_year: false,
    };
    let march = Day::parse("2026-03-31")?;
    let last_march = Day::parse("2025-03-31")?;
    let now = 1_775_044_800;

    // The store keeps the app's sealed record for each organisation and day.
    let apart = |_: Day, _: SeenRecord<'_>| -> Result<Verdict, String> { Ok(Verdict::default()) };
    let stored =
        workforce::replace_formal(&db, importer, org.id, march, now, b"first", &apart).await?;
    assert!(!stored.replaced);
    assert_eq!(stored.snapshot_id, None);
    workforce::replace_formal(&db, importer, org.id, last_march, now, b"earlier", &apart).await?;
    // Another organisation's counts for the same day are its own.
    workforce::replace_formal(
        &db,
        Importer {
            actor: "cli",
            ods_code: "RJ2",
            correcting_settled_year: false,
        },
        other.id,
        march,
        now,
        b"theirs",
        &apart,
    )
    .await?;

    // Newest day first.
    let kept = workforce::formal_sealed(&db, org.id).await?;
    assert_eq!(
        kept,
        [
            (march, b"first".to_vec()),
            (last_march, b"earlier".to_vec())
        ]
    );
    assert_eq!(
        workforce::formal_days(&db, org.id).await?,
        [march, last_march]
    );
    let imported_on: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT imported_on FROM workforce_formal_sealed")
            .fetch_all(db.pool())
            .await?;
    assert_eq!(imported_on, [Day::from_unix_seconds(now).to_string()]);

    // The same day again replaces that day's record; the other day stays.
    let stored =
        workforce::replace_formal(&db, importer, org.id, march, now + 60, b"second", &apart)
            .await?;
    assert!(stored.replaced);
    assert_eq!(
        workforce::formal_sealed(&db, org.id).await?,
        [
            (march, b"second".to_vec()),
            (last_march, b"earlier".to_vec())
        ]
    );
    assert_eq!(workforce::formal_sealed(&db, other.id).await?.len(), 1);

    // The audit log says what was imported, never how many: a count of one is one person.
    let imports: Vec<String> = audit::list_for_organisation(&db, "RJ1", None, 100)
        .await?
        .into_iter()
        .filter(|e| e.action == "workforce.import")
        .map(|e| e.detail)
        .collect();
    assert_eq!(
        imports,
        [
            "Imported counts of staff entering formal processes as at 31 March 2026, replacing the earlier import for that day",
            "Imported counts of staff entering formal processes as at 31 March 2025",
            "Imported counts of staff entering formal processes as at 31 March 2026",
        ]
    );

    // Counts too close to counts readers have seen are kept but held: nothing reads them.
    let close = |_: Day, _: SeenRecord<'_>| -> Result<Verdict, String> {
        Ok(Verdict {
            too_close: true,
            same: false,
        })
    };
    let june = Day::parse("2026-06-30")?;
    let held =
        workforce::replace_formal(&db, importer, org.id, june, now, b"close", &close).await?;
    assert_eq!(held.held_beside, Some(march), "the nearest seen, by day");
    assert_eq!(workforce::formal_sealed(&db, org.id).await?.len(), 2);
    assert_eq!(workforce::formal_days(&db, org.id).await?.len(), 2);
    assert!(
        workforce::held(&db, org.id)
            .await?
            .iter()
            .any(|h| h.kind.is_none()
                && h.as_at == june
                && h.words() == "staff entering formal processes")
    );

    // Counts imported before they were sealed are read back and sealed in place.
    sqlx::query(
        "INSERT INTO workforce_formal (organisation_id, as_at, imported_on, process, ethnicity, \
         disability, entered) VALUES ($1, '2024-03-31', '2024-04-03', 'disciplinary', 'A', 'no', 3)",
    )
    .bind(org.id)
    .execute(db.pool())
    .await?;
    let year_before = Day::parse("2024-03-31")?;
    assert_eq!(
        workforce::formal_unsealed(&db).await?,
        [(org.id, year_before)]
    );
    let plain = workforce::formal_plain(&db, org.id, year_before).await?;
    assert_eq!(plain.len(), 1);
    assert_eq!(
        (plain[0].process.as_str(), plain[0].entered),
        ("disciplinary", 3)
    );
    workforce::seal_formal_in_place(&db, org.id, year_before, b"sealed later").await?;
    assert!(workforce::formal_unsealed(&db).await?.is_empty());
    assert_eq!(
        workforce::formal_sealed(&db, org.id).await?.last(),
        Some(&(year_before, b"sealed later".to_vec()))
    );
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workforce_formal")
        .fetch_one(db.pool())
        .await?;
    assert_eq!(left, 0);
    Ok(())
}

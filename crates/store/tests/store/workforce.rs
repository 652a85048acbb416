//! Workforce snapshots: stored whole, replaced whole when the same kind and day come again,
//! audited, and read back as they went in (many rows a statement, so the chunking is
//! exercised across a statement's edge). Counts of staff entering formal processes: the
//! same, by organisation and day.

use crate::{TestResult, demo_org};
use dignity_domain::speakup::Day;
use dignity_store::workforce::{
    self, BoardSeat, FormalCount, Importer, Kind, Recruitment, Rows, Staff, Training,
};
use dignity_store::{Db, StoreError, audit};

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
    };
    let march = Day::parse("2026-03-31")?;
    let now = 1_775_044_800;
    // More people than one statement holds (8,000 values / 15 columns = 533 a statement).
    let people: Vec<Staff> = (0..1_200).map(person).collect();
    let first = workforce::replace(
        &db,
        importer,
        org.id,
        march,
        now,
        &Rows::Staff {
            leavers: false,
            people: people.clone(),
        },
    )
    .await?;
    assert!(!first.replaced);
    let snapshots = workforce::snapshots(&db, org.id).await?;
    assert_eq!(snapshots.len(), 1);
    assert_eq!(snapshots[0].kind, Kind::Staff);
    assert_eq!(snapshots[0].as_at, march);
    assert_eq!(snapshots[0].row_count, 1_200);
    let Rows::Staff {
        leavers: false,
        people: back,
    } = workforce::rows(&db, &snapshots[0]).await?
    else {
        panic!("staff in post come back as staff in post");
    };
    let mut sorted = people.clone();
    sorted.sort_by(|a, b| a.person.cmp(&b.person));
    assert_eq!(back, sorted, "every field of every person as it went in");

    // The same day again replaces the snapshot whole: no row of the first is left.
    let second = workforce::replace(
        &db,
        importer,
        org.id,
        march,
        now + 60,
        &Rows::Staff {
            leavers: false,
            people: people[..10].to_vec(),
        },
    )
    .await?;
    assert!(second.replaced);
    let snapshots = workforce::snapshots(&db, org.id).await?;
    assert_eq!(snapshots.len(), 1);
    assert_eq!(snapshots[0].row_count, 10);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workforce_staff")
        .fetch_one(db.pool())
        .await?;
    assert_eq!(left, 10);

    // Another day, and the other kinds, sit beside it.
    let september = Day::parse("2025-09-30")?;
    for rows in [
        Rows::Staff {
            leavers: true,
            people: vec![Staff {
                left_on: Some("2025-08-01".into()),
                leaving_reason: Some("resigned".into()),
                ..person(7)
            }],
        },
        Rows::Recruitment(vec![Recruitment {
            ethnicity: "A".into(),
            disability: "no".into(),
            shortlisted: 40,
            appointed: 9,
        }]),
        Rows::Training(vec![Training {
            person: person(3).person,
            ethnicity: "H".into(),
            accessed: true,
        }]),
        Rows::Board(vec![BoardSeat {
            seat: 1,
            ethnicity: "M".into(),
            disability: "yes".into(),
            voting: true,
            executive: false,
        }]),
    ] {
        workforce::replace(&db, importer, org.id, september, now, &rows).await?;
        let stored = workforce::snapshots(&db, org.id)
            .await?
            .into_iter()
            .find(|s| s.kind == rows.kind() && s.as_at == september)
            .expect("stored");
        assert_eq!(workforce::rows(&db, &stored).await?, rows);
    }
    assert_eq!(workforce::snapshots(&db, org.id).await?.len(), 5);

    // A recruitment count cannot appoint more than were shortlisted.
    let refused = workforce::replace(
        &db,
        importer,
        org.id,
        september,
        now,
        &Rows::Recruitment(vec![Recruitment {
            ethnicity: "A".into(),
            disability: "no".into(),
            shortlisted: 1,
            appointed: 2,
        }]),
    )
    .await;
    assert!(refused.is_err());
    assert_eq!(
        workforce::snapshots(&db, org.id).await?.len(),
        5,
        "a refused import leaves the one it would have replaced"
    );

    let imports: Vec<String> = audit::list_for_organisation(&db, "RJ1", None, 100)
        .await?
        .into_iter()
        .filter(|e| e.action == "workforce.import")
        .map(|e| e.detail)
        .collect();
    assert_eq!(imports.len(), 6);
    assert!(
        imports.contains(
            &"Imported 10 rows of staff in post as at 31 March 2026, replacing the earlier import for that day".to_owned()
        ),
        "{imports:?}"
    );
    Ok(())
}

fn count(
    as_at: Day,
    process: &str,
    ethnicity: &str,
    disability: &str,
    entered: i64,
) -> FormalCount {
    FormalCount {
        as_at,
        process: process.into(),
        ethnicity: ethnicity.into(),
        disability: disability.into(),
        entered,
    }
}

pub(crate) async fn formal_process_counts_replace_by_day_and_are_audited(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let other = demo_org(&db, "RJ2").await?;
    let importer = Importer {
        actor: "cli",
        ods_code: "RJ1",
    };
    let march = Day::parse("2026-03-31")?;
    let last_march = Day::parse("2025-03-31")?;
    let now = 1_775_044_800;

    let first = vec![
        count(march, "capability", "A", "yes", 1),
        count(march, "disciplinary", "A", "no", 4),
        count(march, "disciplinary", "N", "no", 3),
    ];
    let stored = workforce::replace_formal(&db, importer, org.id, march, now, &first).await?;
    assert!(!stored.replaced);
    assert_eq!(stored.snapshot_id, None);
    let earlier = vec![count(last_march, "disciplinary", "H", "not_declared", 2)];
    workforce::replace_formal(&db, importer, org.id, last_march, now, &earlier).await?;
    // Another organisation's counts for the same day are its own.
    workforce::replace_formal(
        &db,
        Importer {
            actor: "cli",
            ods_code: "RJ2",
        },
        other.id,
        march,
        now,
        &[count(march, "capability", "Z", "no", 9)],
    )
    .await?;

    // Newest day first, then by process, ethnicity and disability.
    let mut want = first.clone();
    want.extend(earlier.clone());
    assert_eq!(workforce::formal_counts(&db, org.id).await?, want);
    assert_eq!(
        workforce::formal_days(&db, org.id).await?,
        [march, last_march]
    );
    let imported_on: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT imported_on FROM workforce_formal")
            .fetch_all(db.pool())
            .await?;
    assert_eq!(imported_on, [Day::from_unix_seconds(now).to_string()]);

    // The same day again replaces that day's counts whole; the other day stays.
    let second = vec![count(march, "disciplinary", "B", "no", 2)];
    let stored = workforce::replace_formal(&db, importer, org.id, march, now + 60, &second).await?;
    assert!(stored.replaced);
    let mut want = second.clone();
    want.extend(earlier);
    assert_eq!(workforce::formal_counts(&db, org.id).await?, want);
    assert_eq!(workforce::formal_counts(&db, other.id).await?.len(), 1);

    // A count of nobody, a process the table does not know, or a count for another day is
    // refused, and the counts it would have replaced stay.
    for bad in [
        count(march, "disciplinary", "A", "no", 0),
        count(march, "ill_health", "A", "no", 1),
    ] {
        let refused = workforce::replace_formal(&db, importer, org.id, march, now, &[bad]).await;
        assert!(refused.is_err(), "{refused:?}");
    }
    let refused = workforce::replace_formal(
        &db,
        importer,
        org.id,
        march,
        now,
        &[count(last_march, "disciplinary", "A", "no", 1)],
    )
    .await;
    assert!(
        matches!(refused, Err(StoreError::Invalid(_))),
        "{refused:?}"
    );
    assert_eq!(workforce::formal_counts(&db, org.id).await?, want);

    let imports: Vec<String> = audit::list_for_organisation(&db, "RJ1", None, 100)
        .await?
        .into_iter()
        .filter(|e| e.action == "workforce.import")
        .map(|e| e.detail)
        .collect();
    assert_eq!(
        imports,
        [
            "Imported 1 row of staff entering formal processes (2 people) as at 31 March 2026, replacing the earlier import for that day",
            "Imported 1 row of staff entering formal processes (2 people) as at 31 March 2025",
            "Imported 3 rows of staff entering formal processes (8 people) as at 31 March 2026",
        ]
    );
    Ok(())
}

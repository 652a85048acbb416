//! Workforce snapshots: stored whole, replaced whole when the same kind and day come again,
//! audited, and read back as they went in (many rows a statement, so the chunking is
//! exercised across a statement's edge).

use crate::{TestResult, demo_org};
use dignity_domain::speakup::Day;
use dignity_store::workforce::{
    self, BoardSeat, Importer, Kind, Recruitment, Rows, Staff, Training,
};
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

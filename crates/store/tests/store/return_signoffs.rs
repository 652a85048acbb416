//! Signing off the quarterly Speak Up return, marking it as sent and withdrawing a
//! sign-off: each once, in order, audited in the same transaction.

use crate::{TestResult, demo_org};
use dignity_domain::identity::{Email, Name};
use dignity_domain::speakup::Day;
use dignity_domain::speakup_returns::Quarter;
use dignity_store::speakup_returns::{self as returns, Actor};
use dignity_store::{Db, StoreError, audit, identity};

pub(crate) async fn return_sign_offs_go_in_order_once_and_are_audited(db: Db) -> TestResult {
    let org = demo_org(&db, "RJ1").await?;
    let other = demo_org(&db, "RJ2").await?;
    let person = |email: &'static str, name: &'static str| {
        let db = db.clone();
        async move {
            identity::create_person(
                &db,
                "cli",
                1,
                &Email::parse(email)?,
                &Name::parse(name, "n")?,
                "h",
            )
            .await
            .map_err(Box::<dyn std::error::Error>::from)
        }
    };
    let gina = person("gina@x.nhs.uk", "Gina Guardian").await?;
    let sam = person("sam@x.nhs.uk", "Sam Second").await?;
    let gina_acts = Actor {
        person_id: gina.id,
        email: &gina.email,
    };
    let sam_acts = Actor {
        person_id: sam.id,
        email: &sam.email,
    };
    let q1 = Quarter::parse("2026-Q1")?;
    let q2 = Quarter::parse("2026-Q2")?;
    // 1 April 2026, midday, and a week later.
    let april = 1_775_044_800;
    let week = 7 * 86_400;
    let entries = || async {
        Ok::<_, StoreError>(
            audit::list_for_organisation(&db, "RJ1", None, 100)
                .await?
                .into_iter()
                .filter(|e| e.action.starts_with("speakup.return"))
                .map(|e| (e.actor, e.action, e.detail))
                .collect::<Vec<_>>(),
        )
    };

    assert_eq!(returns::sign_off(&db, org.id, q1).await?, None);
    // Nothing to send or withdraw before a sign-off, and nothing written trying.
    let early = returns::record_sent(&db, gina_acts, april, &org, q1, "abc").await;
    assert!(matches!(early, Err(StoreError::NotFound(_))), "{early:?}");
    let early = returns::withdraw_sign_off(&db, gina_acts, april, &org, q1).await;
    assert!(matches!(early, Err(StoreError::NotFound(_))), "{early:?}");
    assert!(entries().await?.is_empty());

    returns::record_sign_off(&db, gina_acts, april, &org, q1, "abc").await?;
    let signed = returns::sign_off(&db, org.id, q1)
        .await?
        .ok_or("signed off")?;
    assert_eq!(signed.signed_off_by, gina.id);
    assert_eq!(signed.signed_off_by_name.as_deref(), Some("Gina Guardian"));
    assert_eq!(signed.signed_off_on, Day::parse("2026-04-01")?);
    assert_eq!(signed.figures_digest, "abc");
    assert_eq!((signed.sent_by, signed.sent_on), (None, None));
    // Keyed by organisation and quarter: the next quarter and another organisation's
    // return are untouched.
    assert_eq!(returns::sign_off(&db, org.id, q2).await?, None);
    assert_eq!(returns::sign_off(&db, other.id, q1).await?, None);

    // Once only.
    let again = returns::record_sign_off(&db, sam_acts, april, &org, q1, "def").await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    // Sent only as the figures signed off.
    let changed = returns::record_sent(&db, sam_acts, april, &org, q1, "def").await;
    assert!(
        matches!(changed, Err(StoreError::Conflict(_))),
        "{changed:?}"
    );

    // Withdrawn, then signed off again by someone else.
    returns::withdraw_sign_off(&db, gina_acts, april + week, &org, q1).await?;
    assert_eq!(returns::sign_off(&db, org.id, q1).await?, None);
    returns::record_sign_off(&db, sam_acts, april + week, &org, q1, "def").await?;

    returns::record_sent(&db, gina_acts, april + 2 * week, &org, q1, "def").await?;
    let sent = returns::sign_off(&db, org.id, q1)
        .await?
        .ok_or("signed off")?;
    assert_eq!(sent.signed_off_by_name.as_deref(), Some("Sam Second"));
    assert_eq!(sent.signed_off_on, Day::parse("2026-04-08")?);
    assert_eq!(sent.sent_by, Some(gina.id));
    assert_eq!(sent.sent_by_name.as_deref(), Some("Gina Guardian"));
    assert_eq!(sent.sent_on, Some(Day::parse("2026-04-15")?));

    // Sent is final: not again, and no withdrawing.
    let twice = returns::record_sent(&db, sam_acts, april + 3 * week, &org, q1, "def").await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    let late = returns::withdraw_sign_off(&db, sam_acts, april + 3 * week, &org, q1).await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
    assert_eq!(
        returns::sign_off(&db, org.id, q1).await?,
        Some(sent),
        "refusals change nothing"
    );

    // One entry per change, newest first, by the person's address as the log records it.
    let gina_email = gina.email.clone();
    let sam_email = sam.email.clone();
    assert_eq!(
        entries().await?,
        vec![
            (
                gina_email.clone(),
                "speakup.return_sent".to_owned(),
                "Marked the Speak Up return for January to March 2026 as sent to the National Guardian's Office"
                    .to_owned()
            ),
            (
                sam_email,
                "speakup.return_signed_off".to_owned(),
                "Signed off the Speak Up return for January to March 2026".to_owned()
            ),
            (
                gina_email.clone(),
                "speakup.return_sign_off_withdrawn".to_owned(),
                "Withdrew the sign-off of the Speak Up return for January to March 2026".to_owned()
            ),
            (
                gina_email,
                "speakup.return_signed_off".to_owned(),
                "Signed off the Speak Up return for January to March 2026".to_owned()
            ),
        ]
    );
    assert!(matches!(
        audit::verify(&db).await?,
        audit::Verification::Intact { .. }
    ));
    Ok(())
}

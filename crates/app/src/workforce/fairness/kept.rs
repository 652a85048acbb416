//! Settled years' fairness figures, decided once and kept in this server's memory.
//!
//! Deciding them is the slow part of the fairness pages (each staff row's digest, and a
//! disclosure decision over hundreds of small counts), and a settled year's figures do
//! not change. So each organisation's decided years are kept under a fingerprint of
//! everything they are worked out from; a page whose fingerprint matches reads them, and
//! any change (a snapshot imported again, a case stage, a unit renamed, a year settling)
//! makes a new fingerprint and a new decision. The fingerprint reads only small rows: the
//! sealed records' random versions stand for their contents, so nothing sealed is opened
//! to check it.
//!
//! Kept figures are the same figures a fresh decision gives (the decision is a function of
//! these inputs alone), so keeping them shows no reader anything a fresh page would not.

use super::{CaseEvent, YearDecided};
use crate::survey::cache::{Entries, lock};
use dignity_domain::speakup::Day;
use dignity_engine::disclosure::Minimum;
use dignity_store::identity::OrgUnit;
use dignity_store::workforce::Snapshot;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use super::super::standards::ReportingYear;

/// Every organisation's figures are kept, one entry each, replaced when its inputs change:
/// only platform administrators make organisations, so their number bounds the memory. A
/// smaller limit would make the national view, which reads every organisation in turn,
/// push out the entry it needs next on every request once there were more organisations
/// than the limit (an outside review measured every request missing with 406).
const ORGANISATIONS_KEPT: usize = usize::MAX;

/// One organisation's decided years and the fingerprint they were decided from.
type Held = (Fingerprint, Arc<Vec<YearDecided>>);

/// Every organisation's decided years, by organisation.
pub struct KeptFairness {
    entries: Mutex<Entries<i64, Held>>,
}

impl Default for KeptFairness {
    fn default() -> Self {
        KeptFairness {
            entries: Mutex::new(Entries::keeping(ORGANISATIONS_KEPT)),
        }
    }
}

impl KeptFairness {
    /// The organisation's decided years, if they were decided from these inputs.
    pub(super) fn get(
        &self,
        organisation_id: i64,
        print: &Fingerprint,
    ) -> Option<Arc<Vec<YearDecided>>> {
        let hit = lock(&self.entries).get(organisation_id)?;
        (hit.0 == *print).then(|| hit.1.clone())
    }

    pub(super) fn put(
        &self,
        organisation_id: i64,
        print: Fingerprint,
        decided: Arc<Vec<YearDecided>>,
    ) {
        lock(&self.entries).put(organisation_id, Arc::new((print, decided)));
    }
}

/// A digest of everything one organisation's decided years are worked out from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Fingerprint([u8; 32]);

/// What a fingerprint is made from, as read for a page.
pub(super) struct Inputs<'a> {
    pub organisation_id: i64,
    pub minimum: Minimum,
    pub today: Day,
    pub snapshots: &'a [Snapshot],
    /// Each day of imported formal-process counts, with its version.
    pub formal: &'a [(String, Option<String>)],
    pub events: &'a [CaseEvent],
    pub units: &'a [OrgUnit],
}

/// The newest reporting year settled by `today`: every older one is settled too, and no
/// newer one is, so this says which years are decided and which formal entries count.
fn newest_settled(today: Day) -> ReportingYear {
    let mut year = ReportingYear::of(today);
    // A year settles a month after it ends, so this steps back at most twice.
    for _ in 0..3 {
        if year.cases_counted_from().is_some_and(|from| from <= today) {
            break;
        }
        year = year.before();
    }
    year
}

/// Whether a settled year counts `event`: it is dated in a year settled by now, and was
/// written into Dignity before that year settled.
fn counted(event: &CaseEvent, settled: ReportingYear) -> bool {
    let year = ReportingYear::of(event.on);
    year <= settled
        && year
            .cases_counted_from()
            .is_some_and(|from| event.recorded_on < from)
}

/// Feeds text to a digest without building it first.
struct Hashing(Sha256);

impl std::fmt::Write for Hashing {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// The fingerprint of `inputs`; `None` when a sealed record has no version (only one
/// written by hand after migration 0030), so its figures are decided every time.
///
/// Written with `Debug`, which names every field: a field added to any input changes the
/// fingerprint without anyone remembering to add it here. The fingerprint lives only in
/// this server's memory, so it never has to match another build's.
pub(super) fn fingerprint(inputs: &Inputs<'_>) -> Option<Fingerprint> {
    let settled = newest_settled(inputs.today);
    let mut h = Hashing(Sha256::new());
    let mut put = |text: std::fmt::Arguments<'_>| {
        // Writing to a digest cannot fail.
        let _ = h.write_fmt(text);
        let _ = h.write_str("\u{1f}");
    };
    put(format_args!(
        "{} {:?} {}",
        inputs.organisation_id,
        inputs.minimum,
        settled.label()
    ));
    for s in inputs.snapshots {
        put(format_args!(
            "snapshot {} {} {} {}",
            s.id,
            s.kind.code(),
            s.as_at,
            s.version.as_deref()?
        ));
    }
    for (day, version) in inputs.formal {
        put(format_args!("formal {day} {}", version.as_deref()?));
    }
    // Only the events the settled years count: dated in one, and written before it
    // settled (as `tally` and the standards count them). Anything written later moves no
    // figure, and a page that was slower after it (a new decision) would tell a reader
    // that a lead had just written something (an outside review timed it).
    let mut events: Vec<String> = inputs
        .events
        .iter()
        .filter(|e| counted(e, settled))
        .map(|e| format!("{e:?}"))
        .collect();
    events.sort_unstable();
    for e in &events {
        put(format_args!("event {e}"));
    }
    for unit in inputs.units {
        put(format_args!("unit {unit:?}"));
    }
    Some(Fingerprint(h.0.finalize().into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_settled_year_turns_on_the_settling_day() {
        let day = |s: &str| Day::parse(s).expect("a day");
        // 2025/26 ends on 31 March 2026 and settles 31 days later.
        let before = newest_settled(day("2026-04-30"));
        let after = newest_settled(day("2026-05-01"));
        assert_eq!(before, after.before());
        assert_eq!(after, ReportingYear::of(day("2026-03-31")));
        assert_eq!(newest_settled(day("2026-12-05")), after);
    }

    /// What a reader could time: only an event a settled year counts changes the
    /// fingerprint (and so makes the next page decide again).
    #[test]
    fn only_counted_events_change_the_fingerprint() -> Result<(), Box<dyn std::error::Error>> {
        use dignity_domain::er_cases::CaseType;
        use dignity_store::er_cases::CaseEventKind;
        let event =
            |on: &str, recorded_on: &str| -> Result<CaseEvent, Box<dyn std::error::Error>> {
                Ok(CaseEvent {
                    case_id: 7,
                    case_type: CaseType::Conduct,
                    person_digest: "p".into(),
                    kind: CaseEventKind::Investigation,
                    on: Day::parse(on)?,
                    recorded_on: Day::parse(recorded_on)?,
                })
            };
        let print = |events: &[CaseEvent]| {
            fingerprint(&Inputs {
                organisation_id: 1,
                minimum: dignity_engine::disclosure::Minimums::default().workforce(),
                today: Day::parse("2026-12-05").unwrap_or(Day::from_unix_seconds(0)),
                snapshots: &[],
                formal: &[],
                events,
                units: &[],
            })
        };
        let before = print(&[]).ok_or("a fingerprint")?;
        for late in [
            // Dated in the settled 2025/26, written after it settled on 1 May 2026.
            event("2025-07-15", "2026-12-05")?,
            event("2025-07-15", "2026-05-01")?,
            // Dated in the year still open.
            event("2026-11-20", "2026-11-20")?,
        ] {
            assert_eq!(print(std::slice::from_ref(&late)), Some(before), "{late:?}");
        }
        let counted = event("2025-07-15", "2026-04-30")?;
        assert_ne!(print(&[counted]), Some(before));
        Ok(())
    }
}

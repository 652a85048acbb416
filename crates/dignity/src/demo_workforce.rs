//! Demo workforce data: made-up ESR extracts for every demo trust (last year's and this
//! year's staff in post, the year's leavers, shortlisted applicants and training, the
//! board, and the staff entering formal processes in each of the two years, so WRES
//! indicator 3 and WDES metric 3 have two years to compare), made by the generator
//! `dignity synth workforce` uses and kept through the same use-cases as `dignity import
//! workforce`, so the workforce pages have figures to show.
//! A trust with no units yet gets the divisions a trust of its kind usually has, since
//! every member of staff works in one.

use crate::{import, synth_workforce};
use dignity_app::admin::Operator;
use dignity_crypto::secret::InstallationSecret;
use dignity_domain::identity::{Name, OdsCode, OrgUnitKind};
use dignity_domain::speakup::Day;

/// The demo's own seed: the same trusts get the same people on every start.
const SEED: u64 = 2026;

/// Staff in post in each demo trust: a few hundred, enough for every figure to show and
/// small enough that the demo (and every browser test, which starts one) starts quickly.
fn headcount(ods: &str) -> usize {
    match ods {
        "DEMO1" => 800,
        "DEMO2" => 400,
        "DEMO3" => 300,
        other => 150 + other.bytes().map(usize::from).sum::<usize>() * 37 % 150,
    }
}

/// The end of the latest NHS year that has ended: 31 March this year, or last year's
/// before April.
fn year_end(today: Day) -> Day {
    let (year, _, _) = today.ymd();
    Day::from_ymd(year, 3, 31)
        .filter(|end| *end <= today)
        .or_else(|| Day::from_ymd(year - 1, 3, 31))
        .unwrap_or(today)
}

/// What the demo's workforce holds: the day of the latest extracts, and the main trust's staff in post then (employee number and WRES group).
pub struct Seeded {
    pub as_at: Day,
    pub main_staff: Vec<(String, dignity_domain::workforce::WresGroup)>,
    /// The main trust's leavers dismissed for their conduct in the year, with the day.
    pub main_dismissed: Vec<(String, dignity_domain::workforce::WresGroup, Day)>,
}

/// Imports every extract of every demo trust.
pub async fn seed(
    operator: &Operator,
    secret: &InstallationSecret,
    main: &str,
) -> anyhow::Result<Seeded> {
    let as_at = year_end(operator.clock().today());
    let (mut main_staff, mut main_dismissed) = (Vec::new(), Vec::new());
    for org in operator.organisations().await? {
        let mut units: Vec<String> = operator
            .units(org.id)
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect();
        if units.is_empty() {
            for name in synth_workforce::unit_names(org.org_type) {
                let unit = operator
                    .add_unit(
                        &org,
                        None,
                        OrgUnitKind::Division,
                        &Name::parse(name, "name")?,
                    )
                    .await?;
                units.push(unit.name);
            }
        }
        let made_up = synth_workforce::Organisation::existing(
            &org.ods_code,
            &org.name,
            org.org_type,
            org.region,
            units,
            headcount(&org.ods_code),
            SEED,
        );
        let ods = OdsCode::parse(&org.ods_code)?;
        let workforce = made_up.workforce(as_at);
        if org.ods_code == main {
            main_staff = workforce.staff_numbers();
            main_dismissed = workforce.dismissed_for_conduct();
        }
        for extract in workforce.extracts() {
            // Imported a week after the day it was taken, as a trust would: a leavers
            // extract imported after its year settled would not count in the year's
            // fairness figures.
            let importer = import::importer_a_week_after(
                operator.db(),
                extract.as_at,
                operator.clock().today(),
                crate::admin::ACTOR,
            );
            import::import_extract(
                &importer,
                secret,
                &ods,
                extract.kind,
                extract.as_at,
                &extract.csv,
                &mut |_| {},
            )
            .await
            .map_err(|e| anyhow::anyhow!("the demo's {} for {ods}: {e}", extract.file_name()))?;
        }
    }
    Ok(Seeded {
        as_at,
        main_staff,
        main_dismissed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_year_end_is_never_after_today() {
        let day = |y, m, d| Day::from_ymd(y, m, d).unwrap();
        assert_eq!(year_end(day(2026, 3, 31)), day(2026, 3, 31));
        assert_eq!(year_end(day(2026, 3, 30)), day(2025, 3, 31));
        assert_eq!(year_end(day(2026, 11, 5)), day(2026, 3, 31));
        for ods in ["DEMO1", "DEMO4", "DEMOB"] {
            assert!((150..=800).contains(&headcount(ods)), "{ods}");
        }
    }
}

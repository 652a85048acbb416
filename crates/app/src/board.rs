//! What boards read together: outcomes (published figures about each organisation) kept
//! from the operator's imports, and how culture relates to them across organisations
//! (`culture`).

pub mod culture;
pub mod pack;

use crate::Error;
use crate::admin::Operator;
use dignity_domain::board::{self as rules, Measure, OutcomeErrors, Period, Problem};
use dignity_domain::identity::Role;
use dignity_store::board::{self as store, OrganisationOutcomes, StoredOutcome};
use dignity_store::identity as orgs;
use std::collections::BTreeMap;

/// Who reads an organisation's culture beside its outcomes: its board and the union side.
pub const READERS: &[Role] = &[
    Role::Executive,
    Role::Chair,
    Role::UnionPartner,
    Role::OrgAdmin,
];

/// Why an outcomes import kept nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file's mistakes, each with its line and column.
    #[error("{0}")]
    File(OutcomeErrors),
    #[error(transparent)]
    Failed(#[from] Error),
}

impl From<dignity_store::StoreError> for ImportError {
    fn from(e: dignity_store::StoreError) -> ImportError {
        ImportError::Failed(e.into())
    }
}

/// What an import kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub figures: usize,
    pub organisations: usize,
    /// Figures that replaced ones kept before for the same organisation, measure and period.
    pub replaced: u64,
}

/// Keeps an outcomes file (docs/board.md): every line is checked, organisations included,
/// and nothing is kept unless every line is right. Audited in each organisation's log.
pub async fn import_outcomes(operator: &Operator, bytes: &[u8]) -> Result<Imported, ImportError> {
    let read = rules::parse_outcomes(bytes).map_err(ImportError::File)?;
    let organisations = orgs::list_organisations(operator.db()).await?;
    let by_code: BTreeMap<&str, &orgs::Organisation> = organisations
        .iter()
        .map(|o| (o.ods_code.as_str(), o))
        .collect();
    let unknown: Vec<(u64, &'static str, Problem)> = read
        .iter()
        .filter(|o| !by_code.contains_key(o.ods_code.as_str()))
        .map(|o| {
            (
                o.line,
                rules::ODS_COLUMN,
                Problem::UnknownOrganisation(o.ods_code.to_string()),
            )
        })
        .collect();
    if !unknown.is_empty() {
        return Err(ImportError::File(rules::refuse(unknown)));
    }
    let mut grouped: BTreeMap<&str, Vec<StoredOutcome>> = BTreeMap::new();
    for o in &read {
        let Some(organisation) = by_code.get(o.ods_code.as_str()) else {
            continue;
        };
        grouped
            .entry(organisation.ods_code.as_str())
            .or_default()
            .push(StoredOutcome {
                organisation_id: organisation.id,
                measure: o.measure.code().to_owned(),
                period: o.period.to_string(),
                value: o.value,
                rated_on: o.rated_on.map(|d| d.to_string()),
            });
    }
    let batches: Vec<OrganisationOutcomes> = grouped
        .into_iter()
        .filter_map(|(code, outcomes)| {
            let organisation = by_code.get(code)?;
            Some(OrganisationOutcomes {
                organisation_id: organisation.id,
                ods_code: organisation.ods_code.as_str(),
                outcomes,
            })
        })
        .collect();
    let replaced = store::keep(
        operator.db(),
        operator.actor(),
        operator.clock().now(),
        &batches,
    )
    .await?;
    Ok(Imported {
        figures: read.len(),
        organisations: batches.len(),
        replaced,
    })
}

/// One kept figure, read back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Kept {
    pub measure: Measure,
    pub period: Period,
    pub value: f64,
}

fn read_back(stored: &StoredOutcome) -> Option<(i64, Kept)> {
    Some((
        stored.organisation_id,
        Kept {
            measure: stored.measure.parse().ok()?,
            period: Period::parse(&stored.period)?,
            value: stored.value,
        },
    ))
}

/// Each organisation's figures, by organisation id.
pub(crate) async fn every_kept(db: &crate::Db) -> Result<BTreeMap<i64, Vec<Kept>>, Error> {
    let mut by_organisation: BTreeMap<i64, Vec<Kept>> = BTreeMap::new();
    for stored in store::every(db).await? {
        if let Some((id, kept)) = read_back(&stored) {
            by_organisation.entry(id).or_default().push(kept);
        }
    }
    Ok(by_organisation)
}

/// An organisation's figure for a measure in a calendar year: the year's own figure if
/// given. Otherwise, from its quarters: for a rating the latest quarter's (a rating is a
/// step, not an amount); for anything else only all four quarters make a year (a part
/// year is not set beside whole ones), added up for never events (a count) and averaged
/// for the rest (rates and scores).
pub fn for_year(kept: &[Kept], measure: Measure, year: i64) -> Option<f64> {
    let mine = kept
        .iter()
        .filter(|k| k.measure == measure && k.period.year() == year);
    if let Some(whole) = mine.clone().find(|k| k.period == Period::Year(year)) {
        return Some(whole.value);
    }
    let mut quarters: Vec<&Kept> = mine.collect();
    if quarters.is_empty() {
        return None;
    }
    quarters.sort_by_key(|k| k.period);
    match measure {
        Measure::CareRating => quarters.last().map(|k| k.value),
        _ if quarters.len() < 4 => None,
        Measure::NeverEvents => Some(quarters.iter().map(|k| k.value).sum()),
        _ => Some(quarters.iter().map(|k| k.value).sum::<f64>() / 4.0),
    }
}

/// The calendar years any figure is kept for, newest first.
pub fn years_of(kept: &BTreeMap<i64, Vec<Kept>>) -> Vec<i64> {
    let mut years: Vec<i64> = kept
        .values()
        .flat_map(|ks| ks.iter().map(|k| k.period.year()))
        .collect();
    years.sort_by(|a, b| b.cmp(a));
    years.dedup();
    years
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(measure: Measure, period: &str, value: f64) -> Kept {
        Kept {
            measure,
            period: Period::parse(period).unwrap(),
            value,
        }
    }

    #[test]
    fn a_year_is_its_own_figure_else_its_quarters() {
        let ks = [
            kept(Measure::SicknessAbsence, "2026-Q1", 4.0),
            kept(Measure::SicknessAbsence, "2026-Q2", 5.0),
            kept(Measure::SicknessAbsence, "2026-Q3", 4.0),
            kept(Measure::SicknessAbsence, "2026-Q4", 5.0),
            kept(Measure::NeverEvents, "2026-Q1", 1.0),
            kept(Measure::NeverEvents, "2026-Q2", 1.0),
            kept(Measure::NeverEvents, "2026-Q3", 0.0),
            kept(Measure::NeverEvents, "2026-Q4", 2.0),
            kept(Measure::VacancyRate, "2026-Q1", 8.0),
            kept(Measure::SicknessAbsence, "2025", 3.0),
            kept(Measure::SicknessAbsence, "2025-Q4", 9.0),
            kept(Measure::CareRating, "2026-Q3", 2.0),
            kept(Measure::CareRating, "2026-Q1", 4.0),
        ];
        assert_eq!(for_year(&ks, Measure::SicknessAbsence, 2026), Some(4.5));
        assert_eq!(for_year(&ks, Measure::SicknessAbsence, 2025), Some(3.0));
        assert_eq!(for_year(&ks, Measure::CareRating, 2026), Some(2.0));
        assert_eq!(for_year(&ks, Measure::NeverEvents, 2026), Some(4.0));
        assert_eq!(for_year(&ks, Measure::NeverEvents, 2025), None);
        // One quarter is not a year.
        assert_eq!(for_year(&ks, Measure::VacancyRate, 2026), None);
    }
}

//! From stored responses to the engine's columns.
//!
//! A response stores one code per counted question (survey order) and, as little-endian
//! `u16`s, one value per demographic question (survey order) then the org unit (its
//! position, from 1, among the organisation's units in the order they were made, which
//! never changes as units are added; 0 = not given).

use dignity_domain::survey::{DEMOGRAPHICS, Survey};
use dignity_engine::{Columns, DimMeta, ItemMeta};
use dignity_store::identity::{OrgUnit, Organisation};

/// An organisation's units in the order responses number them.
pub fn units_in_order(mut units: Vec<OrgUnit>) -> Vec<OrgUnit> {
    units.sort_by_key(|u| u.id);
    units
}

/// Reads stored groupings back into values.
pub fn decode_groupings(groupings: &[u8]) -> Vec<u16> {
    let (pairs, _) = groupings.as_chunks::<2>();
    pairs.iter().map(|pair| u16::from_le_bytes(*pair)).collect()
}

/// The engine's view of a survey: its items (see `Survey::items`) and its groupings.
pub fn schema(survey: &Survey, unit_names: &[String]) -> (Vec<ItemMeta>, Vec<DimMeta>) {
    let items = survey
        .items()
        .iter()
        .map(|item| ItemMeta {
            key: item.key.clone(),
            codes: item.codes() as u8,
            positive: Survey::item_positive_mask(item),
        })
        .collect();
    let mut dims: Vec<DimMeta> = survey
        .demographic_questions()
        .map(|q| {
            let demographic = q.demographic.clone().unwrap_or_default();
            let labels = DEMOGRAPHICS
                .iter()
                .find(|(k, _)| *k == demographic)
                .map(|(_, l)| l.iter().map(|s| (*s).to_owned()).collect())
                .unwrap_or_default();
            DimMeta {
                key: demographic,
                labels,
            }
        })
        .collect();
    dims.push(DimMeta {
        key: "org_unit".into(),
        labels: unit_names.to_vec(),
    });
    (items, dims)
}

/// Loads responses; one that does not fit the survey is skipped and counted, never allowed
/// to stop the others.
pub fn columns(
    survey: &Survey,
    unit_names: &[String],
    responses: &[(Vec<u8>, Vec<u8>)],
) -> (Columns, usize) {
    let (items, dims) = schema(survey, unit_names);
    let mut columns = Columns::new(items, dims);
    columns.reserve(responses.len());
    let mut skipped = 0;
    for (answers, groupings) in responses {
        if columns.push(answers, &decode_groupings(groupings)).is_err() {
            skipped += 1;
        }
    }
    (columns, skipped)
}

/// Stored responses: (answers, groupings).
pub type Stored = Vec<(Vec<u8>, Vec<u8>)>;

/// Many organisations' responses together: the organisation and its benchmark group come
/// first, then the survey's demographic groupings (org units are each organisation's own,
/// so they are left out). `sets` pairs a position in `organisations` with its responses;
/// responses that do not fit are skipped.
pub fn national_columns(
    survey: &Survey,
    organisations: &[Organisation],
    sets: &[(usize, Stored)],
) -> Columns {
    let (items, mut demographics) = schema(survey, &[]);
    demographics.pop();
    let mut groups: Vec<String> = organisations
        .iter()
        .map(|o| o.benchmark_group.clone())
        .collect();
    groups.sort();
    groups.dedup();
    let mut dims = vec![
        DimMeta {
            key: "organisation".into(),
            labels: organisations.iter().map(|o| o.name.clone()).collect(),
        },
        DimMeta {
            key: "benchmark_group".into(),
            labels: groups.clone(),
        },
    ];
    dims.extend(demographics);
    let mut columns = Columns::new(items, dims);
    columns.reserve(sets.iter().map(|(_, r)| r.len()).sum());
    for (position, responses) in sets {
        let Some(org) = organisations.get(*position) else {
            continue;
        };
        let group = groups
            .iter()
            .position(|g| *g == org.benchmark_group)
            .map_or(0, |g| g as u16 + 1);
        for (answers, groupings) in responses {
            let mut values = vec![*position as u16 + 1, group];
            let own = decode_groupings(groupings);
            values.extend(own.iter().take(own.len().saturating_sub(1)));
            // A response that does not fit is left out, as for one organisation.
            let _ = columns.push(answers, &values);
        }
    }
    columns
}

/// Encodes groupings for storage.
pub fn encode_groupings(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

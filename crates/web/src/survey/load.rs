//! From stored responses to the engine's columns.
//!
//! A response stores one code per counted question (survey order) and, as little-endian
//! `u16`s, one value per demographic question (survey order) then the org unit (its
//! position in the organisation's unit list, from 1; 0 = not given).

use dignity_domain::survey::{DEMOGRAPHICS, Survey};
use dignity_engine::{Columns, DimMeta, ItemMeta};

/// The engine's view of a survey: its counted questions and its groupings.
pub fn schema(survey: &Survey, unit_names: &[String]) -> (Vec<ItemMeta>, Vec<DimMeta>) {
    let items = survey
        .counted_questions()
        .map(|q| ItemMeta {
            key: q.key.clone(),
            codes: q.choices.len() as u8,
            positive: Survey::positive_mask(q),
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
        let values: Vec<u16> = groupings
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        if columns.push(answers, &values).is_err() {
            skipped += 1;
        }
    }
    (columns, skipped)
}

/// Encodes groupings for storage.
pub fn encode_groupings(values: &[u16]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

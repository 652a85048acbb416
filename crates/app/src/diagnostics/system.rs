//! The system view (issue 19): every organisation in an integrated care board's area, a
//! region or the nation, each at its newest signed-off round on one framework, set side
//! by side per part, with the spread of levels and the gaps they share. This is what
//! systems today put together by hand from each organisation's spreadsheet.
//!
//! The figures are about organisations, not people: a level is an organisation's agreed
//! rating, signed off by both its sides, and each count is a count of organisations.

use super::{framework_of, weak_level};
use crate::identity::{CurrentSession, Organisation};
use crate::{Context, Error};
use dignity_domain::diagnostics::{Element, Framework, rounds};
use dignity_domain::identity::{OrgType, Region, Role};
use dignity_store::diagnostics as store;
use std::collections::HashMap;
use std::sync::Arc;

/// Who looks across an integrated care board's area: its system leads.
pub const SYSTEM_LEADS: &[Role] = &[Role::SystemLead];
/// Who looks across any region or the nation.
pub const ANALYSTS: &[Role] = &[Role::NationalAnalyst];

/// Where the view looks.
#[derive(Debug, Clone)]
pub enum Area {
    /// The organisations in an integrated care board's area.
    Icb(Organisation),
    Region(Region),
    Nation,
}

impl Area {
    pub fn name(&self) -> String {
        match self {
            Area::Icb(icb) => format!("the area of {}", icb.name),
            Area::Region(region) => format!("the {} region", region.label()),
            Area::Nation => "England".to_owned(),
        }
    }
}

/// One organisation at its newest signed-off round.
#[derive(Debug, Clone)]
pub struct OrganisationRow {
    pub organisation: Organisation,
    pub round_title: String,
    pub signed_on: String,
    /// Each part's level (the median of its agreed ratings), in the framework's order;
    /// `None` for a part its round's version did not have.
    pub levels: Vec<Option<f64>>,
}

/// One part across the organisations.
#[derive(Debug, Clone)]
pub struct PartSpread {
    pub element: Element,
    /// How many organisations are at each level, level 1 first; a level between two
    /// (2.5) counts at the lower.
    pub spread: Vec<u32>,
    /// The median of the organisations' levels.
    pub median: Option<f64>,
    /// How many organisations are weak on it (the rounds' rule: a level of 2 or lower,
    /// below the scale's top two).
    pub weak: u32,
}

#[derive(Debug, Clone)]
pub struct SystemView {
    pub area: Area,
    /// Every framework there is a newest version of: key and title.
    pub frameworks: Vec<(String, String)>,
    /// The framework shown (its newest version), when there is one.
    pub framework: Option<Arc<Framework>>,
    /// Organisations in the area.
    pub organisations: usize,
    pub rows: Vec<OrganisationRow>,
    /// Organisations in the area with no signed-off round on the framework, by name.
    pub without: Vec<String>,
    pub parts: Vec<PartSpread>,
}

impl SystemView {
    /// The parts weak at any organisation, most often weak first: the gaps in common.
    pub fn common_gaps(&self) -> Vec<&PartSpread> {
        let mut gaps: Vec<&PartSpread> = self.parts.iter().filter(|p| p.weak > 0).collect();
        gaps.sort_by_key(|p| std::cmp::Reverse(p.weak));
        gaps
    }
}

/// The integrated care boards an analyst may choose as an area.
pub async fn boards(ctx: &Context) -> Result<Vec<Organisation>, Error> {
    Ok(dignity_store::identity::integrated_care_boards(&ctx.db).await?)
}

/// The organisations an area holds; an integrated care board is never one of its own.
async fn organisations_in(ctx: &Context, area: &Area) -> Result<Vec<Organisation>, Error> {
    Ok(match area {
        Area::Icb(icb) => dignity_store::identity::organisations_in_icb(&ctx.db, icb.id).await?,
        Area::Region(region) => dignity_store::identity::list_organisations(&ctx.db)
            .await?
            .into_iter()
            .filter(|o| o.region == *region && o.org_type != OrgType::Icb)
            .collect(),
        Area::Nation => dignity_store::identity::list_organisations(&ctx.db)
            .await?
            .into_iter()
            .filter(|o| o.org_type != OrgType::Icb)
            .collect(),
    })
}

/// The view of `area` on framework `key` (the first framework when blank or unknown).
/// A system lead sees only their own board's area; analysts see any.
pub async fn system_view(
    ctx: &Context,
    session: &CurrentSession,
    area: Area,
    key: &str,
) -> Result<SystemView, Error> {
    match &area {
        Area::Icb(icb) => {
            let analyst = session.has_platform_role(ANALYSTS);
            if !analyst && !session.has_org_role(&icb.ods_code, SYSTEM_LEADS) {
                return Err(Error::Forbidden);
            }
            if icb.org_type != OrgType::Icb {
                return Err(Error::NotFound(format!(
                    "{} is not an integrated care board",
                    icb.name
                )));
            }
        }
        Area::Region(_) | Area::Nation => {
            if !session.has_platform_role(ANALYSTS) {
                return Err(Error::Forbidden);
            }
        }
    }
    let newest = store::newest_frameworks(&ctx.db).await?;
    let frameworks: Vec<(String, String)> = newest
        .iter()
        .map(|f| (f.key.clone(), f.title.clone()))
        .collect();
    let organisations = organisations_in(ctx, &area).await?;
    let in_area: HashMap<i64, &Organisation> = organisations.iter().map(|o| (o.id, o)).collect();
    // Asked for none (or one not loaded), the framework most organisations in the area
    // have signed off a round on (the first, on a tie).
    let mut chosen = newest.iter().find(|f| f.key == key);
    let mut signed = Vec::new();
    if chosen.is_none() {
        for framework in &newest {
            let rounds = in_area_only(
                store::newest_signed_rounds(&ctx.db, &framework.key).await?,
                &in_area,
            );
            if chosen.is_none() || rounds.len() > signed.len() {
                chosen = Some(framework);
                signed = rounds;
            }
        }
    } else if let Some(framework) = chosen {
        signed = in_area_only(
            store::newest_signed_rounds(&ctx.db, &framework.key).await?,
            &in_area,
        );
    }
    let Some(chosen) = chosen.or_else(|| newest.first()) else {
        return Ok(SystemView {
            area,
            frameworks,
            framework: None,
            organisations: organisations.len(),
            rows: Vec::new(),
            without: organisations.into_iter().map(|o| o.name).collect(),
            parts: Vec::new(),
        });
    };
    let framework = framework_of(&chosen.definition)?;
    // Each round's parts' levels, kept when it closed; a round closed before levels were
    // kept has its worked out from its agreed ratings, as its own page does. Reading the
    // kept levels, not every agreed rating, is what keeps the national view fast.
    let mut kept: HashMap<i64, HashMap<String, f64>> = signed
        .iter()
        .filter_map(|r| {
            let levels = r.levels.as_deref()?;
            Some((r.id, store::read_levels(levels).into_iter().collect()))
        })
        .collect();
    let unkept: Vec<i64> = signed
        .iter()
        .filter(|r| r.levels.is_none())
        .map(|r| r.id)
        .collect();
    let mut agreed: HashMap<i64, HashMap<String, u8>> = HashMap::new();
    for (round, statement, rating) in store::agreed_of(&ctx.db, &unkept).await? {
        if let Ok(rating) = u8::try_from(rating) {
            agreed.entry(round).or_default().insert(statement, rating);
        }
    }
    // Each round's own version says which statements make up each part.
    let mut versions: HashMap<i64, Arc<Framework>> = HashMap::new();
    let mut rows = Vec::new();
    for round in &signed {
        let version = match versions.get(&round.framework_id) {
            Some(v) => v.clone(),
            None => {
                let stored = store::framework(&ctx.db, round.framework_id).await?;
                let parsed = framework_of(&stored.definition)?;
                versions.insert(round.framework_id, parsed.clone());
                parsed
            }
        };
        if version.top() != framework.top() {
            continue;
        }
        let worked_out: HashMap<String, f64> = match (kept.remove(&round.id), agreed.get(&round.id))
        {
            (Some(levels), _) => levels,
            (None, Some(ratings)) => rounds::part_levels(&version, ratings).into_iter().collect(),
            (None, None) => HashMap::new(),
        };
        // Parts by key, in the newest version's order; a part the round's version lacked
        // has no level.
        let levels = framework
            .elements
            .iter()
            .map(|element| {
                version
                    .elements
                    .iter()
                    .any(|e| e.key == element.key)
                    .then(|| worked_out.get(&element.key).copied())
                    .flatten()
            })
            .collect();
        if let Some(organisation) = in_area.get(&round.organisation_id) {
            rows.push(OrganisationRow {
                organisation: (*organisation).clone(),
                round_title: round.title.clone(),
                signed_on: round.signed_on.clone(),
                levels,
            });
        }
    }
    rows.sort_by(|a, b| a.organisation.name.cmp(&b.organisation.name));
    let top = framework.top();
    let parts = framework
        .elements
        .iter()
        .enumerate()
        .map(|(at, element)| {
            let levels: Vec<f64> = rows
                .iter()
                .filter_map(|r| r.levels.get(at).copied().flatten())
                .collect();
            let mut spread = vec![0u32; usize::from(top)];
            for level in &levels {
                let bin = (level.floor() as usize).clamp(1, usize::from(top)) - 1;
                if let Some(count) = spread.get_mut(bin) {
                    *count += 1;
                }
            }
            PartSpread {
                element: element.clone(),
                spread,
                median: median_of(&levels),
                weak: levels.iter().filter(|l| weak_level(**l, top)).count() as u32,
            }
        })
        .collect();
    let counted: Vec<i64> = rows.iter().map(|r| r.organisation.id).collect();
    let without = organisations
        .iter()
        .filter(|o| !counted.contains(&o.id))
        .map(|o| o.name.clone())
        .collect();
    Ok(SystemView {
        area,
        frameworks,
        framework: Some(framework),
        organisations: organisations.len(),
        rows,
        without,
        parts,
    })
}

fn in_area_only(
    rounds: Vec<store::SignedRound>,
    in_area: &HashMap<i64, &Organisation>,
) -> Vec<store::SignedRound> {
    rounds
        .into_iter()
        .filter(|r| in_area.contains_key(&r.organisation_id))
        .collect()
}

/// The median of levels that may themselves be halves.
fn median_of(levels: &[f64]) -> Option<f64> {
    let mut sorted = levels.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let upper = sorted.get(n / 2).copied()?;
    if n % 2 == 1 {
        Some(upper)
    } else {
        Some((sorted.get(n / 2 - 1).copied()? + upper) / 2.0)
    }
}

/// The view as a table to download: a row per organisation, a column per part.
pub fn system_table(view: &SystemView) -> crate::table::Table {
    use crate::table::{Cell, Table};
    let mut header = vec![
        "Organisation".to_owned(),
        "ODS code".to_owned(),
        "Round".to_owned(),
        "Signed off".to_owned(),
    ];
    if let Some(framework) = &view.framework {
        header.extend(framework.elements.iter().map(|e| e.title.clone()));
    }
    let rows = view
        .rows
        .iter()
        .map(|row| {
            let mut cells = vec![
                Cell::words(&row.organisation.name),
                Cell::words(&row.organisation.ods_code),
                Cell::words(&row.round_title),
                Cell::words(&row.signed_on),
            ];
            cells.extend(
                row.levels
                    .iter()
                    .map(|l| Cell::words(rounds::median_words(*l))),
            );
            cells
        })
        .collect();
    Table {
        name: "self-assessments-across-organisations".to_owned(),
        header,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_levels_takes_halves() {
        assert_eq!(median_of(&[]), None);
        assert_eq!(median_of(&[3.0, 1.0, 2.5]), Some(2.5));
        assert_eq!(median_of(&[1.0, 2.0, 3.5, 4.0]), Some(2.75));
    }
}

//! The regional view (docs/leadership.md): where each board in a region stands with its
//! yearly fit and proper round, and each signed annual return, for the region's director
//! and for national analysts. It reads only what signed returns kept, never a record.

use super::rounds::{SignedReturn, Tally};
use crate::identity::{ANALYSTS, CurrentSession, Organisation};
use crate::table::{Cell, Table};
use crate::{Context, Error};
use dignity_domain::identity::{Region, Role};
use dignity_domain::speakup::Day;
use dignity_store::identity as identity_store;
use dignity_store::leadership::rounds as rounds_store;

/// Who looks across a region's returns: its regional directors.
pub const REGIONAL: &[Role] = &[Role::RegionalDirector];

/// The region's director, or a national analyst, who sees every region.
pub fn may_see(session: &CurrentSession, region: Region) -> bool {
    session.has_region_role(region, REGIONAL) || session.has_platform_role(ANALYSTS)
}

/// Where one board stands in the year.
#[derive(Debug, Clone)]
pub enum Standing {
    /// No round opened this year.
    NotOpened,
    /// Opened and not yet signed.
    Open {
        due_on: Day,
    },
    Signed(SignedReturn),
}

#[derive(Debug, Clone)]
pub struct RegionalLine {
    pub organisation: Organisation,
    pub standing: Standing,
}

impl RegionalLine {
    pub fn tally(&self) -> Option<Tally> {
        match &self.standing {
            Standing::Signed(signed) => Some(signed.tally()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct RegionalSummary {
    pub region: Region,
    pub year: i64,
    /// Every year any board in the region opened a round, newest first.
    pub years: Vec<i64>,
    /// Every organisation in the region, by name.
    pub lines: Vec<RegionalLine>,
}

impl RegionalSummary {
    pub fn signed(&self) -> usize {
        self.lines
            .iter()
            .filter(|l| matches!(l.standing, Standing::Signed(_)))
            .count()
    }

    /// The summary as a download: a row an organisation.
    pub fn table(&self) -> Table {
        let rows = self
            .lines
            .iter()
            .map(|line| {
                let (state, day) = match &line.standing {
                    Standing::NotOpened => ("not opened", String::new()),
                    Standing::Open { due_on } => ("open, not signed", due_on.to_string()),
                    Standing::Signed(signed) => ("signed", signed.signed_on.to_string()),
                };
                let tally = line.tally();
                let count = |pick: fn(&Tally) -> usize| {
                    Cell::words(
                        tally
                            .as_ref()
                            .map_or_else(String::new, |t| pick(t).to_string()),
                    )
                };
                vec![
                    Cell::words(line.organisation.ods_code.as_str()),
                    Cell::words(line.organisation.name.clone()),
                    Cell::words(line.organisation.org_type.label()),
                    Cell::words(state),
                    Cell::words(day),
                    count(|t| t.members),
                    count(|t| t.fit),
                    count(|t| t.not_fit),
                    count(|t| t.without_every_check),
                    count(|t| t.serious_misconduct),
                ]
            })
            .collect();
        Table {
            name: format!(
                "fit-and-proper-returns-{}-{}",
                self.region.code().replace('_', "-"),
                self.year
            ),
            header: [
                "ODS code",
                "Organisation",
                "Type",
                "Return",
                "Signed on, or due on",
                "Board members on the return",
                "Fit and proper",
                "Not fit and proper",
                "Concluded without every check",
                "Finding of serious misconduct",
            ]
            .map(String::from)
            .to_vec(),
            rows,
        }
    }
}

/// Where every board in `region` stands in `year` (the newest year with a round when
/// `None`, or this year when there is none).
pub async fn regional_summary(
    ctx: &Context,
    session: &CurrentSession,
    region: Region,
    year: Option<i64>,
) -> Result<RegionalSummary, Error> {
    if !may_see(session, region) {
        return Err(Error::Forbidden);
    }
    let rounds = rounds_store::rounds_in_region(&ctx.db, region.code()).await?;
    let mut years: Vec<i64> = rounds.iter().map(|r| r.year).collect();
    years.dedup();
    let year = year
        .or_else(|| years.first().copied())
        .unwrap_or_else(|| ctx.clock.today().ymd().0);
    let mut lines = Vec::new();
    for organisation in identity_store::list_organisations(&ctx.db).await? {
        if organisation.region != region {
            continue;
        }
        let round = rounds
            .iter()
            .find(|r| r.organisation_id == organisation.id && r.year == year);
        let standing = match round {
            None => Standing::NotOpened,
            Some(round) => match SignedReturn::of(&organisation, round)? {
                Some(signed) => Standing::Signed(signed),
                None => Standing::Open {
                    due_on: round.due_on,
                },
            },
        };
        lines.push(RegionalLine {
            organisation,
            standing,
        });
    }
    lines.sort_by(|a, b| a.organisation.name.cmp(&b.organisation.name));
    Ok(RegionalSummary {
        region,
        year,
        years,
        lines,
    })
}

/// One board's signed return for `year`, for its region's director and national analysts.
pub async fn regional_return(
    ctx: &Context,
    session: &CurrentSession,
    region: Region,
    organisation: &Organisation,
    year: i64,
) -> Result<SignedReturn, Error> {
    if !may_see(session, region) {
        return Err(Error::Forbidden);
    }
    // A board in another region is not in this view, whoever asks.
    if organisation.region != region {
        return Err(Error::NotFound(format!(
            "{} is not in the {} region",
            organisation.name,
            region.label()
        )));
    }
    let round = rounds_store::round_of_year(&ctx.db, organisation.id, year).await?;
    round
        .map(|round| SignedReturn::of(organisation, &round))
        .transpose()?
        .flatten()
        .ok_or_else(|| {
            Error::NotFound(format!(
                "{} has no signed return for {year}",
                organisation.name
            ))
        })
}

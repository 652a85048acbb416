//! Publishing an organisation's WRES or WDES report in partnership. An administrator or
//! executive writes a version: the year's return, frozen as it reads then, the
//! organisation's own words about it, and the partnership plan actions that answer it. An
//! executive signs for the employer and a union partner for the union side, each for the
//! version they read (as plans are signed: `dignity_domain::plans`); once both have signed
//! one version it is public, and stays so until both sign a later one.

use super::standards::{self, ReportingYear, Standard};
use crate::identity::{CurrentSession, Organisation};
use crate::plans;
use crate::plans::signing::{sides_for, signer_role};
use crate::table::Table;
use crate::{Context, Error};
use dignity_domain::identity::{InvalidValue, Role};
use dignity_domain::plans::{ActionStatus, Side, check_approval};
use dignity_store::workforce::reports::{self as store, Actor, NewReport};

pub use dignity_store::workforce::reports::{Report, Signature};

/// Who writes a report's versions: those who keep and lead the organisation.
pub const WRITERS: &[Role] = &[Role::OrgAdmin, Role::Executive];

/// The longest summary a version may have, in characters.
pub const SUMMARY_MAX: usize = 10_000;

/// One report (an organisation, a standard, a year) as its page shows it.
#[derive(Debug, Clone)]
pub struct ReportState {
    /// Newest first.
    pub versions: Vec<Report>,
    /// Who has signed the newest version.
    pub signatures: Vec<Signature>,
    /// The sides this person may sign for.
    pub may_sign: Vec<Side>,
    pub may_write: bool,
    /// Actions of the organisation's plans, to choose from: (id, title).
    pub action_choices: Vec<(i64, String)>,
    /// The newest version's frozen return, as [`Published::lines`]: what signing it
    /// signs, which the live pages may no longer show (an outside review signed one
    /// figure while the standard's page showed another).
    pub newest_lines: Vec<[String; 4]>,
}

impl ReportState {
    pub fn newest(&self) -> Option<&Report> {
        self.versions.first()
    }

    /// The newest version both sides signed.
    pub fn published(&self) -> Option<&Report> {
        self.versions.iter().find(|v| v.published_on.is_some())
    }

    pub fn signed_by(&self, side: Side) -> Option<&Signature> {
        self.signatures.iter().find(|s| s.side == side.code())
    }
}

fn may_write(session: &CurrentSession, organisation: &Organisation) -> bool {
    session.has_org_role(&organisation.ods_code, WRITERS)
}

/// The report's versions and signatures, for those who may read the standards.
pub async fn state(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    standard: Standard,
    year: ReportingYear,
) -> Result<ReportState, Error> {
    if !standards::may_read(session, organisation) {
        return Err(Error::Forbidden);
    }
    let versions =
        store::versions(&ctx.db, organisation.id, standard.code(), year.end_year()).await?;
    let signatures = match versions.first() {
        Some(newest) => store::signatures(&ctx.db, newest.id).await?,
        None => Vec::new(),
    };
    let writes = may_write(session, organisation);
    let newest_lines = match versions.first() {
        Some(newest) => return_lines(&newest.figures)?,
        None => Vec::new(),
    };
    Ok(ReportState {
        newest_lines,
        versions,
        signatures,
        may_sign: sides_for(session, organisation),
        may_write: writes,
        action_choices: if writes {
            action_choices(ctx, organisation).await?
        } else {
            Vec::new()
        },
    })
}

async fn action_choices(
    ctx: &Context,
    organisation: &Organisation,
) -> Result<Vec<(i64, String)>, Error> {
    let mut choices = Vec::new();
    for plan in plans::plans_for(ctx, organisation.id).await? {
        for action in plans::actions(ctx, plan.id).await? {
            choices.push((action.id, format!("{}: {}", plan.title, action.title)));
        }
    }
    Ok(choices)
}

/// Why a version was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("Write what the figures show and what you will do about them")]
    NoSummary,
    #[error("The summary is too long: keep it under {SUMMARY_MAX} characters")]
    SummaryTooLong,
    #[error("Choose actions from your organisation's plans")]
    UnknownAction,
    #[error(transparent)]
    App(#[from] Error),
}

/// What a new version says.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    pub standard: Standard,
    pub year: ReportingYear,
    pub summary: &'a str,
    /// The year's return as the pages make it; frozen in the version.
    pub figures: &'a Table,
    pub plan_actions: &'a [i64],
}

/// Writes a new version with `figures` (the year's return as the pages make it) frozen in
/// it. Signatures belong to a version, so both sides sign again.
pub async fn write(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    draft: &Draft<'_>,
) -> Result<Report, WriteError> {
    let Draft {
        standard,
        year,
        summary,
        figures,
        plan_actions,
    } = *draft;
    if !may_write(session, organisation) {
        return Err(Error::Forbidden.into());
    }
    let summary = summary.trim();
    if summary.is_empty() {
        return Err(WriteError::NoSummary);
    }
    if summary.chars().count() > SUMMARY_MAX {
        return Err(WriteError::SummaryTooLong);
    }
    let choices = action_choices(ctx, organisation).await?;
    if plan_actions
        .iter()
        .any(|id| !choices.iter().any(|(c, _)| c == id))
    {
        return Err(WriteError::UnknownAction);
    }
    let mut actions = plan_actions.to_vec();
    actions.sort_unstable();
    actions.dedup();
    // The return's lines after the two that name the organisation and year, as words.
    let lines: Vec<Vec<&str>> = figures
        .rows
        .iter()
        .map(|row| row.iter().skip(2).map(|cell| cell.text()).collect())
        .collect();
    let figures = serde_json::to_string(&lines)
        .map_err(|e| Error::Internal(format!("a report's figures: {e}")))?;
    Ok(store::write_version(
        &ctx.db,
        Actor {
            email: &session.person.email,
            ods_code: &organisation.ods_code,
        },
        &NewReport {
            organisation_id: organisation.id,
            standard: standard.code(),
            year: year.end_year(),
            summary,
            figures: &figures,
            plan_actions: &actions,
            written_by: session.person.id,
        },
        ctx.clock.now(),
    )
    .await
    .map_err(Error::from)?)
}

/// Signs the newest version for `side`, as it was at `seen_version` when they read it.
/// Returns whether it is now published.
pub async fn sign(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    standard: Standard,
    year: ReportingYear,
    side: Side,
    seen_version: i64,
) -> Result<bool, Error> {
    if !session.has_org_role(&organisation.ods_code, &[signer_role(side)]) {
        return Err(Error::Forbidden);
    }
    let versions =
        store::versions(&ctx.db, organisation.id, standard.code(), year.end_year()).await?;
    let newest = versions
        .first()
        .ok_or_else(|| Error::NotFound("There is no report to sign yet".into()))?;
    check_approval(seen_version, newest.version)
        .map_err(|e| Error::Conflict(e.to_string().replace("plan", "report")))?;
    Ok(store::sign(
        &ctx.db,
        Actor {
            email: &session.person.email,
            ods_code: &organisation.ods_code,
        },
        newest.id,
        side.code(),
        session.person.id,
        ctx.clock.now(),
    )
    .await?)
}

/// A plan action a published report names, as the plan's public page shows it.
#[derive(Debug, Clone)]
pub struct LinkedAction {
    pub title: String,
    pub status: ActionStatus,
    pub progress: u8,
}

/// A published version, with the actions it names that are in a published plan (an
/// action of a plan not yet signed is not public, so it is left out).
#[derive(Debug, Clone)]
pub struct Published {
    pub report: Report,
    pub actions: Vec<LinkedAction>,
    /// The return's lines after its heading: (indicator, row, measure, value).
    pub lines: Vec<[String; 4]>,
}

/// Every published version of the organisation's reports on `standard`, newest year
/// first. For anyone: these are public.
pub async fn published(
    ctx: &Context,
    organisation: &Organisation,
    standard: Standard,
) -> Result<Vec<Published>, Error> {
    let reports = store::published(&ctx.db, organisation.id, standard.code()).await?;
    let mut public_actions = Vec::new();
    for plan in plans::plans_for(ctx, organisation.id).await? {
        if let Some(signed) = plans::signed(ctx, &plan).await? {
            let live = plans::actions(ctx, plan.id).await?;
            public_actions.extend(
                live.into_iter()
                    .filter(|a| signed.actions.iter().any(|s| s.id == a.id)),
            );
        }
    }
    reports
        .into_iter()
        .map(|report| {
            let wanted = report.plan_action_ids();
            let actions = public_actions
                .iter()
                .filter(|a| wanted.contains(&a.id))
                .map(|a| LinkedAction {
                    title: a.title.clone(),
                    status: a.status,
                    progress: a.progress.value(),
                })
                .collect();
            let lines = return_lines(&report.figures)?;
            Ok(Published {
                report,
                actions,
                lines,
            })
        })
        .collect()
}

/// Reads back the frozen return: (indicator, row, measure, value) a line.
fn return_lines(json: &str) -> Result<Vec<[String; 4]>, Error> {
    serde_json::from_str(json).map_err(|_| {
        Error::Invalid(InvalidValue::Message(
            "A stored report's figures cannot be read",
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_figures_must_be_whole_lines() {
        let lines = return_lines(r#"[["WRES 9","Voting members: all","Members","12"]]"#).unwrap();
        assert_eq!(lines[0][3], "12");
        assert!(return_lines(r#"[["WRES 9","short"]]"#).is_err());
    }
}

//! The public face of plans: no sign-in, a stable address per organisation, and only what
//! both sides of the partnership signed, with the progress reported since.

use super::{ActionRow, rows};
use crate::error::AppError;
use crate::forms::{PathData, QueryData};
use crate::identity::orgs::organisation;
use crate::pages::{Chrome, render};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use dignity_app::identity::Organisation;
use dignity_app::plans::{self, Plan, SignedPlan};
use dignity_domain::identity::{OrgType, Region};
use dignity_domain::plans::ActionStatus;
use dignity_domain::plans::Side;
use dignity_domain::speakup::Day;
use dignity_poster::Poster;
use serde::Deserialize;

pub struct Listed {
    pub organisation: Organisation,
    /// The signed title.
    pub title: String,
    pub counts: Vec<(&'static str, usize)>,
}

#[derive(Template)]
#[template(path = "plans/index.html")]
struct IndexPage {
    chrome: Chrome,
    listed: Vec<Listed>,
    totals: Vec<(&'static str, usize)>,
    organisations: usize,
    regions: &'static [Region],
    types: &'static [OrgType],
    query: IndexQuery,
}

/// Filters on the national index; empty means all.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IndexQuery {
    region: String,
    org_type: String,
}

fn status_counts(actions: &[plans::Action]) -> Vec<(&'static str, usize)> {
    ActionStatus::ALL
        .iter()
        .map(|s| (s.label(), actions.iter().filter(|a| a.status == *s).count()))
        .collect()
}

/// Every organisation's signed plan, and how many actions nationally are on track, at risk
/// or off track.
pub async fn index(
    State(state): State<AppState>,
    chrome: Chrome,
    QueryData(query): QueryData<IndexQuery>,
) -> Result<Response, AppError> {
    // An unknown filter value matches nothing rather than failing the page.
    let region = (!query.region.is_empty()).then(|| query.region.parse::<Region>().ok());
    let org_type = (!query.org_type.is_empty()).then(|| query.org_type.parse::<OrgType>().ok());
    let organisations: Vec<Organisation> =
        dignity_app::identity::organisations::organisations(&state.app)
            .await?
            .into_iter()
            .filter(|o| region.is_none_or(|r| r == Some(o.region)))
            .filter(|o| org_type.is_none_or(|t| t == Some(o.org_type)))
            .collect();
    let mut listed = Vec::new();
    let mut all_actions = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for plan in plans::published(&state.app).await? {
        // The newest signed plan of each organisation.
        if !seen.insert(plan.organisation_id) {
            continue;
        }
        let Some(organisation) = organisations.iter().find(|o| o.id == plan.organisation_id) else {
            continue;
        };
        let signed = signed(&state, &plan).await?;
        listed.push(Listed {
            organisation: organisation.clone(),
            counts: status_counts(&signed.actions),
            title: signed.title,
        });
        all_actions.extend(signed.actions);
    }
    listed.sort_by(|a, b| a.organisation.name.cmp(&b.organisation.name));
    Ok(render(&IndexPage {
        chrome: chrome.titled("Tackling bullying: organisations' plans"),
        totals: status_counts(&all_actions),
        organisations: organisations.len(),
        listed,
        regions: Region::ALL,
        types: OrgType::ALL,
        query,
    })?
    .into_response())
}

/// What both sides signed, with today's progress.
async fn signed(state: &AppState, plan: &Plan) -> Result<SignedPlan, AppError> {
    plans::signed(&state.app, plan)
        .await?
        .ok_or_else(|| AppError::NotFound("This plan has not been published.".into()))
}

/// The actions of the version both sides signed.
async fn signed_actions(state: &AppState, plan: &Plan) -> Result<Vec<plans::Action>, AppError> {
    Ok(signed(state, plan).await?.actions)
}

pub struct PublicGroup {
    pub title: String,
    pub rows: Vec<ActionRow>,
}

/// A signed version's commitments that have actions, each with its actions in order.
fn public_groups(signed: &SignedPlan) -> Vec<PublicGroup> {
    signed
        .groups
        .iter()
        .map(|g| PublicGroup {
            rows: rows(&signed.actions, g.id),
            title: g.title.clone(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect()
}

#[derive(Template)]
#[template(path = "plans/public.html")]
struct PublicPage {
    chrome: Chrome,
    organisation: Organisation,
    plan: Plan,
    signed: SignedPlan,
    signed_on: String,
    signatories: Vec<(Side, String)>,
    groups: Vec<PublicGroup>,
    updates: Vec<plans::Update>,
    indicators: Vec<super::IndicatorView>,
    milestones: Vec<plans::Milestone>,
    /// Staff comments an administrator published.
    comments: Vec<plans::Comment>,
    /// Every version both sides signed, newest first, each with its own page.
    versions: Vec<plans::PublishedVersion>,
}

impl PublicPage {
    fn day(&self, at: &i64) -> String {
        Day::from_unix_seconds(*at).long()
    }
}

/// The organisation's newest published plan.
async fn published(state: &AppState, organisation: &Organisation) -> Result<Plan, AppError> {
    plans::plans_for(&state.app, organisation.id)
        .await?
        .into_iter()
        .find(|p| p.published_version.is_some())
        .ok_or_else(|| AppError::NotSetUp {
            organisation: organisation.name.clone(),
            service: dignity_app::error::Service::PublishedPlan,
        })
}

/// Updates on the actions the public can see.
async fn public_updates(state: &AppState, plan: &Plan) -> Result<Vec<plans::Update>, AppError> {
    let shown = signed_actions(state, plan).await?;
    Ok(plans::updates(&state.app, plan.id)
        .await?
        .into_iter()
        .filter_map(|u| {
            // Named as signed: a renamed action keeps its signed name until both sign.
            let signed = shown.iter().find(|a| a.id == u.action_id)?;
            Some(plans::Update {
                action_title: signed.title.clone(),
                ..u
            })
        })
        .collect())
}

/// An Atom feed of a plan's progress updates, so people can follow it in a feed reader.
pub async fn feed(
    State(state): State<AppState>,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    use atom_syndication::{Entry, Feed, FixedDateTime, Link, Text};
    let organisation = organisation(&state, &ods).await?;
    let plan = published(&state, &organisation).await?;
    let base = state.settings.public_url.clone();
    let page = format!("{base}/plans/{}", organisation.ods_code);
    let time = crate::feeds::time;
    let updates = public_updates(&state, &plan).await?;
    let title = signed(&state, &plan).await?.title;
    // Every progress update and every version both sides signed is an entry, newest
    // first; the feed is as new as its newest entry.
    let mut entries: Vec<Entry> = updates
        .iter()
        .take(50)
        .map(|u| Entry {
            title: Text::plain(format!("{}: {}", u.action_title, u.written_on.long())),
            id: format!("{page}#update-{}", u.id),
            updated: time(u.at),
            links: vec![Link {
                href: format!("{page}#update-{}", u.id),
                ..Link::default()
            }],
            summary: Some(Text::plain(u.body.clone())),
            ..Entry::default()
        })
        .collect();
    let versions = plans::published_versions(&state.app, plan.id).await?;
    for version in &versions {
        let who = signed_by(version);
        // Each version's entry leads to that version's own page; the plan page shows only
        // the version the public sees now.
        let now = if Some(version.version) == plan.published_version {
            "The plan page shows this version.".to_owned()
        } else {
            let next = versions
                .iter()
                .find(|v| v.version > version.version)
                .map(|v| format!("Version {} replaced it.", v.version))
                .unwrap_or_default();
            format!("{next} Its page shows what it said.")
                .trim()
                .to_owned()
        };
        entries.push(Entry {
            title: Text::plain(format!(
                "Version {} of the plan signed by both sides: {}",
                version.version,
                Day::from_unix_seconds(version.at).long()
            )),
            id: format!("{page}#version-{}", version.version),
            updated: time(version.at),
            links: vec![Link {
                href: format!("{page}/versions/{}", version.version),
                ..Link::default()
            }],
            summary: Some(Text::plain(format!("Signed by {who}. {now}"))),
            ..Entry::default()
        });
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.updated));
    let updated: FixedDateTime = entries
        .first()
        .map(|e| e.updated)
        .unwrap_or_else(|| time(plan.published_at.unwrap_or(0)));
    let feed = Feed {
        // Atom needs an author for the feed (or for every entry): the organisation.
        authors: vec![atom_syndication::Person {
            name: organisation.name.clone(),
            uri: Some(page.clone()),
            ..atom_syndication::Person::default()
        }],
        title: Text::plain(format!("{}: {}", organisation.name, title)),
        id: page.clone(),
        updated,
        links: vec![
            Link {
                href: page.clone(),
                ..Link::default()
            },
            Link {
                href: format!("{page}/feed.atom"),
                rel: "self".into(),
                ..Link::default()
            },
        ],
        entries,
        ..Feed::default()
    };
    Ok((
        [(
            axum::http::header::CONTENT_TYPE,
            "application/atom+xml; charset=utf-8",
        )],
        feed.to_string(),
    )
        .into_response())
}

/// Who signed a version, for each side, in words.
fn signed_by(version: &plans::PublishedVersion) -> String {
    version
        .signatories
        .iter()
        .map(|(side, name)| format!("{name} for the {}", side.label().to_lowercase()))
        .collect::<Vec<_>>()
        .join(" and ")
}

#[derive(Template)]
#[template(path = "plans/version.html")]
struct VersionPage {
    chrome: Chrome,
    organisation: Organisation,
    version: plans::PublishedVersion,
    signed_on: String,
    signed_by: String,
    /// The version that replaced this one and when, or none when the public sees it now.
    replaced_by: Option<(i64, String)>,
    signed: SignedPlan,
    groups: Vec<PublicGroup>,
}

/// One version both sides signed, as it was signed: what it promised, with who signed it
/// and when. Each version in the plan's feed leads here.
pub async fn version(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData((ods, number)): PathData<(String, i64)>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let plan = published(&state, &organisation).await?;
    let versions = plans::published_versions(&state.app, plan.id).await?;
    let not_signed =
        || AppError::NotFound("Both sides have not signed a version with that number.".into());
    let version = versions
        .iter()
        .find(|v| v.version == number)
        .cloned()
        .ok_or_else(not_signed)?;
    let as_signed = Plan {
        published_version: Some(number),
        ..plan.clone()
    };
    let signed = plans::signed(&state.app, &as_signed)
        .await?
        .ok_or_else(not_signed)?;
    let replaced_by = versions
        .iter()
        .find(|v| v.version > number)
        .map(|v| (v.version, Day::from_unix_seconds(v.at).long()));
    let groups = public_groups(&signed);
    let chrome = chrome
        .titled(format!(
            "Version {number}: {}: {}",
            organisation.name, signed.title
        ))
        .under(
            format!("/plans/{}", organisation.ods_code),
            format!(
                "{}: {}",
                organisation.name,
                plan_title(&state, &plan).await?
            ),
        );
    Ok(render(&VersionPage {
        signed_on: Day::from_unix_seconds(version.at).long(),
        signed_by: signed_by(&version),
        version,
        replaced_by,
        signed,
        groups,
        organisation,
        chrome,
    })?
    .into_response())
}

/// The title of the version the public sees now, as its page names it.
async fn plan_title(state: &AppState, plan: &Plan) -> Result<String, AppError> {
    Ok(signed(state, plan).await?.title)
}

pub async fn plan(
    State(state): State<AppState>,
    chrome: Chrome,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    plan_page(&state, chrome, organisation).await
}

/// The organisation's published plan page (with any problems `chrome` carries).
pub async fn plan_page(
    state: &AppState,
    chrome: Chrome,
    organisation: Organisation,
) -> Result<Response, AppError> {
    let state = state.clone();
    let plan = published(&state, &organisation).await?;
    let version = plan.published_version.unwrap_or(0);
    let signatories = plans::approvals(&state.app, plan.id)
        .await?
        .into_iter()
        .filter(|(v, ..)| *v == version)
        .map(|(_, side, name, _)| (side, name))
        .collect();
    let mut signed = signed(&state, &plan).await?;
    let groups = public_groups(&signed);
    let signed_on = plan
        .published_at
        .map(|t| Day::from_unix_seconds(t).long())
        .unwrap_or_default();
    let updates = public_updates(&state, &plan)
        .await?
        .into_iter()
        .take(10)
        .collect();
    let indicators = super::indicator_views(&state, &organisation, &signed.indicators).await?;
    let milestones = std::mem::take(&mut signed.milestones);
    let comments = plans::comments(&state.app, organisation.id, plans::CommentState::Published)
        .await?
        .into_iter()
        .filter(|c| c.plan_id == plan.id)
        .collect();
    let mut versions = plans::published_versions(&state.app, plan.id).await?;
    versions.reverse();
    Ok(render(&PublicPage {
        versions,
        comments,
        milestones,
        chrome: chrome
            .titled(format!("{}: {}", organisation.name, signed.title))
            .with_feed(
                format!("/plans/{}/feed.atom", organisation.ods_code),
                format!("Progress on {}'s plan", organisation.name),
            ),
        organisation,
        plan,
        signed,
        signed_on,
        signatories,
        groups,
        updates,
        indicators,
    })?
    .into_response())
}

/// The signed plan as a one-page poster: headline actions with progress bars, measures,
/// signatories and a QR code to the public page.
async fn poster_of(state: &AppState, ods: &str) -> Result<Poster, AppError> {
    use dignity_poster::{PosterAction, PosterMeasure, Tone};
    let organisation = organisation(state, ods).await?;
    let plan = published(state, &organisation).await?;
    let signed = signed(state, &plan).await?;
    let actions = signed
        .groups
        .iter()
        .flat_map(|g| rows(&signed.actions, g.id))
        .filter(|row| row.depth == 0)
        .map(|row| PosterAction {
            tone: match row.action.status {
                ActionStatus::OnTrack | ActionStatus::Done => Tone::Good,
                ActionStatus::AtRisk => Tone::Warning,
                ActionStatus::OffTrack => Tone::Bad,
                ActionStatus::NotStarted | ActionStatus::Dropped => Tone::Neutral,
            },
            status: row.action.status.label().to_owned(),
            progress: row.progress.value(),
            title: row.action.title,
        })
        .collect();
    let measures = super::indicator_views(state, &organisation, &signed.indicators)
        .await?
        .into_iter()
        .map(|m| PosterMeasure {
            title: m.title,
            baseline: m.baseline,
            latest: m.latest,
            target: m.target,
        })
        .collect();
    let version = plan.published_version.unwrap_or(0);
    let names: Vec<(Side, String)> = plans::approvals(&state.app, plan.id)
        .await?
        .into_iter()
        .filter(|(v, ..)| *v == version)
        .map(|(_, side, name, _)| (side, name))
        .collect();
    let name = |side: Side| {
        names
            .iter()
            .find(|(s, _)| *s == side)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    let signed_on = plan
        .published_at
        .map(|t| Day::from_unix_seconds(t).long())
        .unwrap_or_default();
    Ok(Poster {
        title: signed.title,
        as_of: format!(
            "Progress on {}",
            Day::from_unix_seconds(state.app.clock.now()).long()
        ),
        actions,
        measures,
        signed: format!(
            "Signed for the employer by {} and for the trade unions by {} on {signed_on} (version {version}).",
            name(Side::Employer),
            name(Side::Union)
        ),
        url: format!(
            "{}/plans/{}",
            state.settings.public_url, organisation.ods_code
        ),
        organisation: organisation.name,
    })
}

/// Draws the poster away from the async workers: laying out text takes a while.
async fn draw(
    poster: Poster,
    make: fn(&Poster) -> Result<Vec<u8>, dignity_poster::PosterError>,
    content_type: &'static str,
    name: String,
) -> Result<Response, AppError> {
    let bytes = tokio::task::spawn_blocking(move || make(&poster))
        .await
        .map_err(|e| AppError::Internal(format!("poster: {e}")))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, content_type.to_owned()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn poster_pdf(
    State(state): State<AppState>,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let poster = poster_of(&state, &ods).await?;
    let name = format!("plan-poster-{}.pdf", ods.to_ascii_uppercase());
    draw(poster, dignity_poster::pdf, "application/pdf", name).await
}

pub async fn poster_png(
    State(state): State<AppState>,
    PathData(ods): PathData<String>,
) -> Result<Response, AppError> {
    let poster = poster_of(&state, &ods).await?;
    let name = format!("plan-poster-{}.png", ods.to_ascii_uppercase());
    draw(poster, |p| dignity_poster::png(p, 2.0), "image/png", name).await
}

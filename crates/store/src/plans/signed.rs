//! What a published version promised. When both sides sign, the plan's content is kept as
//! it stood, so the public page shows what was signed while the next version is drafted.
//! Progress (status, per cent, milestones reached, latest figures) is always today's.

use super::{
    Action, Group, Indicator, Milestone, PLAN_COLUMNS, Plan, Rows, action_rows, day, group_rows,
    indicator_rows, milestone_rows, plan_from,
};
use crate::{Db, StoreError};
use dignity_domain::plans::Dates;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct SignedGroup {
    id: i64,
    position: i64,
    title: String,
}

#[derive(Serialize, Deserialize)]
struct SignedAction {
    id: i64,
    group_id: i64,
    parent_id: Option<i64>,
    title: String,
    description: String,
    owner: String,
    employer_lead: String,
    union_lead: String,
    starts_on: String,
    due_on: String,
    weight: Option<u32>,
}

#[derive(Serialize, Deserialize)]
struct SignedIndicator {
    id: i64,
    action_id: i64,
    code: String,
    baseline: f64,
    target: f64,
}

#[derive(Serialize, Deserialize)]
struct SignedMilestone {
    id: i64,
    action_id: i64,
    title: String,
    due_on: String,
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    title: String,
    summary: String,
    period_start: String,
    period_end: String,
    groups: Vec<SignedGroup>,
    actions: Vec<SignedAction>,
    indicators: Vec<SignedIndicator>,
    milestones: Vec<SignedMilestone>,
}

/// A published plan as the public sees it: the signed content with today's progress.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedPlan {
    pub title: String,
    pub summary: String,
    pub period: Dates,
    pub groups: Vec<Group>,
    pub actions: Vec<Action>,
    pub indicators: Vec<Indicator>,
    pub milestones: Vec<Milestone>,
}

/// Keeps the plan's current content as the signed content of `version`, inside the
/// approval's transaction.
pub(super) async fn keep(
    conn: &mut sqlx::AnyConnection,
    plan_id: i64,
    version: i64,
) -> Result<(), StoreError> {
    let plan = sqlx::query(&format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1"))
        .bind(plan_id)
        .fetch_one(&mut *conn)
        .await?;
    let plan = plan_from(&plan)?;
    let snapshot = Snapshot {
        title: plan.title,
        summary: plan.summary,
        period_start: plan.period_start.to_string(),
        period_end: plan.period_end.to_string(),
        groups: group_rows(&mut *conn, plan_id, Rows::Live)
            .await?
            .into_iter()
            .map(|g| SignedGroup {
                id: g.id,
                position: g.position,
                title: g.title,
            })
            .collect(),
        actions: action_rows(&mut *conn, plan_id, Rows::Live)
            .await?
            .into_iter()
            .map(|a| SignedAction {
                id: a.id,
                group_id: a.group_id,
                parent_id: a.parent_id,
                title: a.title,
                description: a.description,
                owner: a.owner,
                employer_lead: a.employer_lead,
                union_lead: a.union_lead,
                starts_on: a.dates.starts_on.to_string(),
                due_on: a.dates.due_on.to_string(),
                weight: a.weight,
            })
            .collect(),
        indicators: indicator_rows(&mut *conn, plan_id, Rows::Live)
            .await?
            .into_iter()
            .map(|i| SignedIndicator {
                id: i.id,
                action_id: i.action_id,
                code: i.code,
                baseline: i.baseline,
                target: i.target,
            })
            .collect(),
        milestones: milestone_rows(&mut *conn, plan_id, Rows::Live)
            .await?
            .into_iter()
            .map(|m| SignedMilestone {
                id: m.id,
                action_id: m.action_id,
                title: m.title,
                due_on: m.due_on.to_string(),
            })
            .collect(),
    };
    let content = serde_json::to_string(&snapshot)
        .map_err(|e| StoreError::Corrupt(format!("signed plan: {e}")))?;
    sqlx::query(
        "INSERT INTO plan_signed (plan_id, version, content) VALUES ($1, $2, $3) ON CONFLICT (plan_id, version) DO NOTHING",
    )
    .bind(plan_id)
    .bind(version)
    .bind(content)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The published version of a plan with today's progress; None when it is not published.
pub async fn signed_plan(db: &Db, plan: &Plan) -> Result<Option<SignedPlan>, StoreError> {
    let Some(version) = plan.published_version else {
        return Ok(None);
    };
    let pool = db.pool();
    let live_actions = action_rows(pool, plan.id, Rows::All).await?;
    let live_indicators = indicator_rows(pool, plan.id, Rows::All).await?;
    let live_milestones = milestone_rows(pool, plan.id, Rows::All).await?;
    let content: Option<String> =
        sqlx::query_scalar("SELECT content FROM plan_signed WHERE plan_id = $1 AND version = $2")
            .bind(plan.id)
            .bind(version)
            .fetch_optional(pool)
            .await?;
    let Some(content) = content else {
        // Plans signed before signed content was kept could only ever add, so what the
        // signed version held is what was added up to it.
        return Ok(Some(SignedPlan {
            title: plan.title.clone(),
            summary: plan.summary.clone(),
            period: Dates::new(plan.period_start, plan.period_end)
                .map_err(|e| StoreError::Corrupt(format!("plan period: {e}")))?,
            groups: group_rows(pool, plan.id, Rows::All).await?,
            actions: live_actions
                .into_iter()
                .filter(|a| a.added_in_version <= version)
                .collect(),
            indicators: live_indicators
                .into_iter()
                .filter(|i| i.added_in_version <= version)
                .collect(),
            milestones: live_milestones
                .into_iter()
                .filter(|m| m.added_in_version <= version)
                .collect(),
        }));
    };
    let snapshot: Snapshot = serde_json::from_str(&content)
        .map_err(|e| StoreError::Corrupt(format!("signed plan {}: {e}", plan.id)))?;
    let mut actions = Vec::new();
    for s in snapshot.actions {
        let Some(live) = live_actions.iter().find(|a| a.id == s.id) else {
            continue;
        };
        actions.push(Action {
            group_id: s.group_id,
            parent_id: s.parent_id,
            title: s.title,
            description: s.description,
            owner: s.owner,
            employer_lead: s.employer_lead,
            union_lead: s.union_lead,
            dates: Dates::new(day(s.starts_on)?, day(s.due_on)?)
                .map_err(|e| StoreError::Corrupt(format!("signed action dates: {e}")))?,
            weight: s.weight,
            ..live.clone()
        });
    }
    let indicators = snapshot
        .indicators
        .into_iter()
        .filter_map(|s| {
            let live = live_indicators.iter().find(|i| i.id == s.id)?;
            Some(Indicator {
                code: s.code,
                baseline: s.baseline,
                target: s.target,
                ..live.clone()
            })
        })
        .collect();
    let mut milestones = Vec::new();
    for s in snapshot.milestones {
        let Some(live) = live_milestones.iter().find(|m| m.id == s.id) else {
            continue;
        };
        milestones.push(Milestone {
            title: s.title,
            due_on: day(s.due_on)?,
            ..live.clone()
        });
    }
    milestones.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.id.cmp(&b.id)));
    Ok(Some(SignedPlan {
        title: snapshot.title,
        summary: snapshot.summary,
        period: Dates::new(day(snapshot.period_start)?, day(snapshot.period_end)?)
            .map_err(|e| StoreError::Corrupt(format!("signed plan period: {e}")))?,
        groups: snapshot
            .groups
            .into_iter()
            .map(|g| Group {
                id: g.id,
                position: g.position,
                title: g.title,
            })
            .collect(),
        actions,
        indicators,
        milestones,
    }))
}

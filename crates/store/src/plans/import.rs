//! Adding many actions at once (from a spreadsheet) and copying a plan into a new period.
//! Both happen in one transaction: all of it is saved, or none.

use super::{
    Editor, NewAction, NewPlan, Plan, PlanEdit, Rows, action_rows, get_plan, group_rows,
    indicator_rows, milestone_rows,
};
use crate::{Db, StoreError};
use dignity_domain::plans::{ActionStatus, Change, Dates, Percent, check_status};

/// One action read from a spreadsheet, already checked.
#[derive(Debug, Clone)]
pub struct ImportedAction {
    /// Where it came from, for messages.
    pub line: usize,
    /// The commitment's title; a new one is added to the plan if it has none by that name.
    pub commitment: String,
    /// The title of the action it is part of: earlier in the file, or already in the plan.
    pub part_of: Option<String>,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub employer_lead: String,
    pub union_lead: String,
    pub dates: Dates,
    pub weight: Option<u32>,
    pub status: ActionStatus,
    pub reason: String,
    pub progress: Percent,
}

/// Inserts one action row; returns its id.
#[allow(clippy::too_many_arguments)]
async fn insert_action(
    conn: &mut sqlx::AnyConnection,
    plan_id: i64,
    group_id: i64,
    parent_id: Option<i64>,
    action: &NewAction,
    status: ActionStatus,
    reason: &str,
    progress: Percent,
    version: i64,
) -> Result<i64, StoreError> {
    let position: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plan_actions WHERE plan_id = $1")
        .bind(plan_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar(
        "INSERT INTO plan_actions (plan_id, group_id, parent_id, title, description, owner, employer_lead, union_lead, starts_on, due_on, status, status_reason, progress, weight, position, added_in_version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(plan_id)
    .bind(group_id)
    .bind(parent_id)
    .bind(&action.title)
    .bind(&action.description)
    .bind(&action.owner)
    .bind(&action.employer_lead)
    .bind(&action.union_lead)
    .bind(action.dates.starts_on.to_string())
    .bind(action.dates.due_on.to_string())
    .bind(status.code())
    .bind(reason)
    .bind(i64::from(progress.value()))
    .bind(action.weight.map(i64::from))
    .bind(position + 1)
    .bind(version)
    .fetch_one(&mut *conn)
    .await?)
}

/// A group of the plan with this title, added at the end when there is none.
async fn group_named(
    conn: &mut sqlx::AnyConnection,
    plan_id: i64,
    title: &str,
) -> Result<i64, StoreError> {
    let groups = group_rows(&mut *conn, plan_id, Rows::Live).await?;
    if let Some(g) = groups.iter().find(|g| g.title.eq_ignore_ascii_case(title)) {
        return Ok(g.id);
    }
    let last = groups.iter().map(|g| g.position).max().unwrap_or(0);
    Ok(sqlx::query_scalar(
        "INSERT INTO plan_groups (plan_id, position, title) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(plan_id)
    .bind(last + 1)
    .bind(title)
    .fetch_one(&mut *conn)
    .await?)
}

/// Adds the actions to the plan as one change (one new version). A part goes under the
/// commitment of the action it is part of. If anything is wrong, nothing is saved and the
/// error names the line.
pub async fn import_actions(
    db: &Db,
    editor: Editor<'_>,
    plan_id: i64,
    rows: &[ImportedAction],
) -> Result<usize, StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let owned: Option<i64> =
        sqlx::query_scalar("SELECT id FROM plans WHERE id = $1 AND organisation_id = $2")
            .bind(plan_id)
            .bind(editor.organisation.id)
            .fetch_optional(&mut *tx)
            .await?;
    if owned.is_none() {
        return Err(StoreError::NotFound(format!("There is no plan {plan_id}")));
    }
    let version = tx.next_version(plan_id, Change::Content).await?;
    // Titles to (id, group): the plan's actions, then each one added.
    let mut known: Vec<(String, i64, i64)> = action_rows(&mut *tx, plan_id, Rows::Live)
        .await?
        .into_iter()
        .map(|a| (a.title.to_lowercase(), a.id, a.group_id))
        .collect();
    for row in rows {
        check_status(row.status, &row.reason)
            .map_err(|e| StoreError::Conflict(format!("Line {}: {e}", row.line)))?;
        let (parent_id, group_id) = match &row.part_of {
            Some(parent) => {
                let wanted = parent.to_lowercase();
                let (_, id, group) = known.iter().find(|(t, ..)| *t == wanted).ok_or_else(|| {
                    StoreError::Conflict(format!(
                        "Line {}: there is no action called \"{parent}\" above it or in the plan",
                        row.line
                    ))
                })?;
                (Some(*id), *group)
            }
            None => (None, group_named(&mut tx, plan_id, &row.commitment).await?),
        };
        let action = NewAction {
            group_id,
            parent_id,
            title: row.title.clone(),
            description: row.description.clone(),
            owner: row.owner.clone(),
            employer_lead: row.employer_lead.clone(),
            union_lead: row.union_lead.clone(),
            dates: row.dates,
            weight: row.weight,
        };
        let id = insert_action(
            &mut tx,
            plan_id,
            group_id,
            parent_id,
            &action,
            row.status,
            row.reason.trim(),
            row.progress,
            version,
        )
        .await?;
        known.push((row.title.to_lowercase(), id, group_id));
        let snapshot = serde_json::json!({
            "line": row.line,
            "title": row.title,
            "owner": row.owner,
            "starts_on": row.dates.starts_on.to_string(),
            "due_on": row.dates.due_on.to_string(),
            "status": row.status.code(),
            "progress": row.progress.value(),
        });
        sqlx::query(
            "INSERT INTO plan_history (plan_id, action_id, version, at, actor, summary, snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(plan_id)
        .bind(id)
        .bind(version)
        .bind(editor.now)
        .bind(editor.actor)
        .bind(format!("Added the action {} from a spreadsheet", row.title))
        .bind(snapshot.to_string())
        .execute(&mut *tx)
        .await?;
    }
    tx.record(
        plan_id,
        None,
        version,
        &format!("Added {} actions from a spreadsheet", rows.len()),
        serde_json::json!({ "imported": rows.len() }),
    )
    .await?;
    tx.commit().await?;
    Ok(rows.len())
}

/// Copies a plan into a new period: its commitments, actions, measures and milestones,
/// with every date moved by the same number of days as the start of the period, all
/// progress back to the start, and nothing signed. Returns the new plan.
pub async fn copy_plan(
    db: &Db,
    editor: Editor<'_>,
    from: i64,
    to: &NewPlan,
) -> Result<Plan, StoreError> {
    let source = get_plan(db, from).await?;
    if source.organisation_id != editor.organisation.id {
        return Err(StoreError::NotFound(format!("There is no plan {from}")));
    }
    let shift = to.period.starts_on.days_since(source.period_start);
    let moved = |d: Dates| Dates {
        starts_on: d.starts_on.plus_days(shift),
        due_on: d.due_on.plus_days(shift),
    };
    let mut tx = PlanEdit::begin(db, editor).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO plans (organisation_id, title, period_start, period_end, summary, version, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
    )
    .bind(editor.organisation.id)
    .bind(&to.title)
    .bind(to.period.starts_on.to_string())
    .bind(to.period.due_on.to_string())
    .bind(&to.summary)
    .bind(editor.now)
    .fetch_one(&mut *tx)
    .await?;
    let mut groups = Vec::new();
    for g in group_rows(&mut *tx, from, Rows::Live).await? {
        let new: i64 = sqlx::query_scalar(
            "INSERT INTO plan_groups (plan_id, position, title) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(id)
        .bind(g.position)
        .bind(&g.title)
        .fetch_one(&mut *tx)
        .await?;
        groups.push((g.id, new));
    }
    let mut actions: Vec<(i64, i64)> = Vec::new();
    let zero = Percent::new(0).ok_or_else(|| StoreError::Corrupt("0 per cent".into()))?;
    // Parents come before their parts in the stored order only if written first, so copy
    // in rounds: each round copies the actions whose parent is already copied.
    let mut waiting = action_rows(&mut *tx, from, Rows::Live).await?;
    while !waiting.is_empty() {
        let before = waiting.len();
        let mut later = Vec::new();
        for a in waiting {
            let parent = match a.parent_id {
                None => None,
                Some(p) => match actions.iter().find(|(old, _)| *old == p) {
                    Some((_, new)) => Some(*new),
                    None => {
                        later.push(a);
                        continue;
                    }
                },
            };
            let group = groups
                .iter()
                .find(|(old, _)| *old == a.group_id)
                .map(|(_, new)| *new)
                .ok_or_else(|| StoreError::Corrupt(format!("action {} has no group", a.id)))?;
            let copy = NewAction {
                group_id: group,
                parent_id: parent,
                title: a.title.clone(),
                description: a.description.clone(),
                owner: a.owner.clone(),
                employer_lead: a.employer_lead.clone(),
                union_lead: a.union_lead.clone(),
                dates: moved(a.dates),
                weight: a.weight,
            };
            let new = insert_action(
                &mut tx,
                id,
                group,
                parent,
                &copy,
                ActionStatus::NotStarted,
                "",
                zero,
                1,
            )
            .await?;
            actions.push((a.id, new));
        }
        if later.len() == before {
            return Err(StoreError::Corrupt(format!(
                "plan {from} has actions whose parents are missing"
            )));
        }
        waiting = later;
    }
    let new_action = |old: i64| {
        actions
            .iter()
            .find(|(o, _)| *o == old)
            .map(|(_, n)| *n)
            .ok_or_else(|| StoreError::Corrupt(format!("action {old} was not copied")))
    };
    for m in indicator_rows(&mut *tx, from, Rows::Live).await? {
        sqlx::query(
            "INSERT INTO plan_indicators (plan_id, action_id, code, baseline, target, latest, source, added_in_version) VALUES ($1, $2, $3, $4, $5, NULL, '', 1)",
        )
        .bind(id)
        .bind(new_action(m.action_id)?)
        .bind(&m.code)
        .bind(m.baseline)
        .bind(m.target)
        .execute(&mut *tx)
        .await?;
    }
    for m in milestone_rows(&mut *tx, from, Rows::Live).await? {
        sqlx::query(
            "INSERT INTO plan_milestones (plan_id, action_id, title, due_on, done, added_in_version) VALUES ($1, $2, $3, $4, 0, 1)",
        )
        .bind(id)
        .bind(new_action(m.action_id)?)
        .bind(&m.title)
        .bind(m.due_on.plus_days(shift).to_string())
        .execute(&mut *tx)
        .await?;
    }
    tx.record(
        id,
        None,
        1,
        &format!(
            "Started the plan {} as a copy of {}",
            to.title, source.title
        ),
        serde_json::json!({ "copied_from": from, "days_moved": shift }),
    )
    .await?;
    tx.commit().await?;
    get_plan(db, id).await
}

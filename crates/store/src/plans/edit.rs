//! Changing what a plan promises after it was written: its details, its groups, its
//! actions, measures and milestones. Each real change moves the plan to a new version that
//! both sides must sign; saving something unchanged moves nothing. Removed rows are kept,
//! marked with the version that removed them, because updates and history point at them.

use super::{ACTION_COLUMNS, ActionRow, Editor, NewAction, NewPlan, PlanEdit, Rows, action_rows};
use crate::{Db, StoreError};
use dignity_domain::plans::Change;

/// Changes a plan's title, period and summary. Returns whether anything changed.
pub async fn edit_plan(
    db: &Db,
    editor: Editor<'_>,
    plan_id: i64,
    plan: &NewPlan,
) -> Result<bool, StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let before: (String, String, String, String) = sqlx::query_as(
        "SELECT title, period_start, period_end, summary FROM plans WHERE id = $1 AND organisation_id = $2",
    )
    .bind(plan_id)
    .bind(editor.organisation.id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no plan {plan_id}")))?;
    let (start, end) = (
        plan.period.starts_on.to_string(),
        plan.period.due_on.to_string(),
    );
    if before
        == (
            plan.title.clone(),
            start.clone(),
            end.clone(),
            plan.summary.clone(),
        )
    {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE plans SET title = $1, period_start = $2, period_end = $3, summary = $4 WHERE id = $5",
    )
    .bind(&plan.title)
    .bind(&start)
    .bind(&end)
    .bind(&plan.summary)
    .bind(plan_id)
    .execute(&mut *tx)
    .await?;
    let version = tx.next_version(plan_id, Change::Content).await?;
    tx.record(
        plan_id,
        None,
        version,
        &format!("Changed the plan's details: {}", plan.title),
        serde_json::json!({
            "title": plan.title,
            "period_start": start,
            "period_end": end,
            "summary": plan.summary,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The plan a live group of this organisation belongs to, and the group's title.
async fn group_in(
    conn: &mut sqlx::AnyConnection,
    editor: Editor<'_>,
    group_id: i64,
) -> Result<(i64, String), StoreError> {
    sqlx::query_as(
        "SELECT g.plan_id, g.title FROM plan_groups g JOIN plans p ON p.id = g.plan_id WHERE g.id = $1 AND p.organisation_id = $2 AND g.removed_in_version IS NULL",
    )
    .bind(group_id)
    .bind(editor.organisation.id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound("That group is not part of this plan".into()))
}

/// Adds a group (a commitment) at the end of the plan's list.
pub async fn add_group(
    db: &Db,
    editor: Editor<'_>,
    plan_id: i64,
    title: &str,
) -> Result<i64, StoreError> {
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
    let last: Option<i64> =
        sqlx::query_scalar("SELECT MAX(position) FROM plan_groups WHERE plan_id = $1")
            .bind(plan_id)
            .fetch_one(&mut *tx)
            .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO plan_groups (plan_id, position, title) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(plan_id)
    .bind(last.unwrap_or(0) + 1)
    .bind(title)
    .fetch_one(&mut *tx)
    .await?;
    let version = tx.next_version(plan_id, Change::Content).await?;
    tx.record(
        plan_id,
        None,
        version,
        &format!("Added the commitment {title}"),
        serde_json::json!({ "group": id, "title": title }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Renames a group. Returns whether anything changed.
pub async fn rename_group(
    db: &Db,
    editor: Editor<'_>,
    group_id: i64,
    title: &str,
) -> Result<bool, StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let (plan_id, before) = group_in(&mut tx, editor, group_id).await?;
    if before == title {
        return Ok(false);
    }
    sqlx::query("UPDATE plan_groups SET title = $1 WHERE id = $2")
        .bind(title)
        .bind(group_id)
        .execute(&mut *tx)
        .await?;
    let version = tx.next_version(plan_id, Change::Content).await?;
    tx.record(
        plan_id,
        None,
        version,
        &format!("Renamed the commitment {before} to {title}"),
        serde_json::json!({ "group": group_id, "title": title }),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes an empty group. A group that still has actions is refused, so no action is
/// left without a commitment.
pub async fn remove_group(db: &Db, editor: Editor<'_>, group_id: i64) -> Result<(), StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let (plan_id, title) = group_in(&mut tx, editor, group_id).await?;
    let in_use: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM plan_actions WHERE group_id = $1 AND removed_in_version IS NULL",
    )
    .bind(group_id)
    .fetch_one(&mut *tx)
    .await?;
    if in_use > 0 {
        return Err(StoreError::Conflict(format!(
            "{title} still has actions. Move or remove them first."
        )));
    }
    let version = tx.next_version(plan_id, Change::Content).await?;
    sqlx::query("UPDATE plan_groups SET removed_in_version = $1 WHERE id = $2")
        .bind(version)
        .bind(group_id)
        .execute(&mut *tx)
        .await?;
    tx.record(
        plan_id,
        None,
        version,
        &format!("Removed the commitment {title}"),
        serde_json::json!({ "group": group_id, "removed": true }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A live action of this organisation.
async fn action_in(
    conn: &mut sqlx::AnyConnection,
    editor: Editor<'_>,
    action_id: i64,
) -> Result<super::Action, StoreError> {
    sqlx::query_as::<_, ActionRow>(&format!(
        "SELECT {} FROM plan_actions a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1 AND p.organisation_id = $2 AND a.removed_in_version IS NULL",
        ACTION_COLUMNS
            .split(", ")
            .map(|c| format!("a.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(action_id)
    .bind(editor.organisation.id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no action {action_id}")))?
    .try_into()
}

/// Changes what an action is: its words, people, dates, weight, and where it sits. An
/// action can move under another action (never under itself or one of its own parts), or
/// to another commitment; its parts move with it. Returns whether anything changed.
pub async fn edit_action(
    db: &Db,
    editor: Editor<'_>,
    action_id: i64,
    change: &NewAction,
) -> Result<bool, StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let before = action_in(&mut tx, editor, action_id).await?;
    let plan_id = before.plan_id;
    let all = action_rows(&mut *tx, plan_id, Rows::Live).await?;
    let group_id = match change.parent_id {
        Some(parent) => {
            let mut cursor = Some(parent);
            while let Some(id) = cursor {
                if id == action_id {
                    return Err(StoreError::Conflict(
                        "An action cannot be part of itself or of one of its own parts".into(),
                    ));
                }
                cursor = all.iter().find(|a| a.id == id).and_then(|a| a.parent_id);
            }
            all.iter()
                .find(|a| a.id == parent)
                .map(|a| a.group_id)
                .ok_or_else(|| {
                    StoreError::NotFound("That parent action is not part of this plan".into())
                })?
        }
        None => change.group_id,
    };
    let group_ok: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM plan_groups WHERE id = $1 AND plan_id = $2 AND removed_in_version IS NULL",
    )
    .bind(group_id)
    .bind(plan_id)
    .fetch_optional(&mut *tx)
    .await?;
    if group_ok.is_none() {
        return Err(StoreError::NotFound(
            "That group is not part of this plan".into(),
        ));
    }
    let after = super::Action {
        group_id,
        parent_id: change.parent_id,
        title: change.title.clone(),
        description: change.description.clone(),
        owner: change.owner.clone(),
        employer_lead: change.employer_lead.clone(),
        union_lead: change.union_lead.clone(),
        dates: change.dates,
        weight: change.weight,
        ..before.clone()
    };
    if after == before {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE plan_actions SET group_id = $1, parent_id = $2, title = $3, description = $4, owner = $5, employer_lead = $6, union_lead = $7, starts_on = $8, due_on = $9, weight = $10 WHERE id = $11",
    )
    .bind(group_id)
    .bind(change.parent_id)
    .bind(&change.title)
    .bind(&change.description)
    .bind(&change.owner)
    .bind(&change.employer_lead)
    .bind(&change.union_lead)
    .bind(change.dates.starts_on.to_string())
    .bind(change.dates.due_on.to_string())
    .bind(change.weight.map(i64::from))
    .bind(action_id)
    .execute(&mut *tx)
    .await?;
    // Parts sit under the same commitment as the action they belong to.
    if group_id != before.group_id {
        let mut moving = vec![action_id];
        while let Some(id) = moving.pop() {
            for part in all.iter().filter(|a| a.parent_id == Some(id)) {
                sqlx::query("UPDATE plan_actions SET group_id = $1 WHERE id = $2")
                    .bind(group_id)
                    .bind(part.id)
                    .execute(&mut *tx)
                    .await?;
                moving.push(part.id);
            }
        }
    }
    let version = tx.next_version(plan_id, Change::Content).await?;
    tx.record(
        plan_id,
        Some(action_id),
        version,
        &format!("Changed the action {}", change.title),
        serde_json::json!({
            "group": group_id,
            "parent": change.parent_id,
            "title": change.title,
            "description": change.description,
            "owner": change.owner,
            "employer_lead": change.employer_lead,
            "union_lead": change.union_lead,
            "starts_on": change.dates.starts_on.to_string(),
            "due_on": change.dates.due_on.to_string(),
            "weight": change.weight,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Removes an action, with its measures and milestones. An action that still has parts is
/// refused, so no part is left hanging.
pub async fn remove_action(db: &Db, editor: Editor<'_>, action_id: i64) -> Result<(), StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let action = action_in(&mut tx, editor, action_id).await?;
    let parts: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM plan_actions WHERE parent_id = $1 AND removed_in_version IS NULL",
    )
    .bind(action_id)
    .fetch_one(&mut *tx)
    .await?;
    if parts > 0 {
        return Err(StoreError::Conflict(format!(
            "{} has actions under it. Move or remove them first.",
            action.title
        )));
    }
    let version = tx.next_version(action.plan_id, Change::Content).await?;
    for table in ["plan_indicators", "plan_milestones"] {
        sqlx::query(&format!(
            "UPDATE {table} SET removed_in_version = $1 WHERE action_id = $2 AND removed_in_version IS NULL"
        ))
        .bind(version)
        .bind(action_id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE plan_actions SET removed_in_version = $1 WHERE id = $2")
        .bind(version)
        .bind(action_id)
        .execute(&mut *tx)
        .await?;
    tx.record(
        action.plan_id,
        Some(action_id),
        version,
        &format!("Removed the action {}", action.title),
        serde_json::json!({ "removed": true }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a measure or a milestone (`table` is one of the two, never input).
async fn remove_part(
    db: &Db,
    editor: Editor<'_>,
    table: &'static str,
    what: &str,
    id: i64,
) -> Result<(), StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let action_id: i64 = sqlx::query_scalar(&format!(
        "SELECT action_id FROM {table} WHERE id = $1 AND removed_in_version IS NULL"
    ))
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no {what} {id}")))?;
    let action = action_in(&mut tx, editor, action_id).await?;
    let version = tx.next_version(action.plan_id, Change::Content).await?;
    sqlx::query(&format!(
        "UPDATE {table} SET removed_in_version = $1 WHERE id = $2"
    ))
    .bind(version)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.record(
        action.plan_id,
        Some(action_id),
        version,
        &format!("Removed a {what} from {}", action.title),
        serde_json::json!({ what: id, "removed": true }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a measure from its action.
pub async fn remove_indicator(db: &Db, editor: Editor<'_>, id: i64) -> Result<(), StoreError> {
    remove_part(db, editor, "plan_indicators", "measure", id).await
}

/// Removes a milestone from its action.
pub async fn remove_milestone(db: &Db, editor: Editor<'_>, id: i64) -> Result<(), StoreError> {
    remove_part(db, editor, "plan_milestones", "milestone", id).await
}

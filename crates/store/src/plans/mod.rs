//! Partnership action plans: plans, their groups and actions, both sides' approvals and
//! the history of every change. Content changes move the plan to a new version, which
//! needs both sides' signatures again before it is published; progress does not.

use crate::column::Flag;
use crate::identity::Organisation;
use crate::{Db, StoreError};
use dignity_domain::plans::{
    ActionStatus, Approval, COMMITMENTS, Change, Dates, Percent, Side, check_approval,
    check_status, signed_by_both,
};
use dignity_domain::speakup::Day;

mod change;
mod comments;
mod edit;
mod follow;
mod import;
mod signed;

use change::{Audited, PlanEdit};
pub use comments::*;
pub use edit::*;
pub use follow::*;
pub use import::*;
pub use signed::{SignedPlan, signed_plan};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Plan {
    pub id: i64,
    pub organisation_id: i64,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub period_start: Day,
    #[sqlx(try_from = "String")]
    pub period_end: Day,
    pub summary: String,
    pub version: i64,
    pub published_version: Option<i64>,
    pub published_at: Option<i64>,
}

/// What a new plan needs.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub title: String,
    pub period: Dates,
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Group {
    pub id: i64,
    pub position: i64,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub id: i64,
    pub plan_id: i64,
    pub group_id: i64,
    pub parent_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub employer_lead: String,
    pub union_lead: String,
    pub dates: Dates,
    pub status: ActionStatus,
    pub status_reason: String,
    pub progress: Percent,
    pub weight: Option<u32>,
    /// The plan version that added the action.
    pub added_in_version: i64,
}

/// What an action is, as written by the plan's authors.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub group_id: i64,
    pub parent_id: Option<i64>,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub employer_lead: String,
    pub union_lead: String,
    pub dates: Dates,
    pub weight: Option<u32>,
}

/// Who is changing a plan, for which organisation, and when.
#[derive(Debug, Clone, Copy)]
pub struct Editor<'a> {
    pub actor: &'a str,
    pub now: i64,
    pub organisation: &'a Organisation,
}

/// A progress report on an action.
#[derive(Debug, Clone)]
pub struct Report {
    pub status: ActionStatus,
    /// Needed when the action is dropped.
    pub reason: String,
    pub progress: Percent,
}

fn corrupt(what: &str) -> impl Fn(dignity_domain::identity::InvalidValue) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("stored {what}: {e}"))
}

/// A date from a signed snapshot (see `signed`).
fn day(text: String) -> Result<Day, StoreError> {
    Day::parse(&text).map_err(|_| StoreError::Corrupt(format!("stored date '{text}'")))
}

fn percent(value: i64) -> Result<Percent, StoreError> {
    u8::try_from(value)
        .ok()
        .and_then(Percent::new)
        .ok_or_else(|| StoreError::Corrupt(format!("stored progress {value}")))
}

const PLAN_COLUMNS: &str = "id, organisation_id, title, period_start, period_end, summary, version, published_version, published_at";

/// How `signed` reads the plan it keeps.
fn plan_from(row: &sqlx::any::AnyRow) -> Result<Plan, StoreError> {
    Ok(sqlx::FromRow::from_row(row)?)
}

/// A new plan, with the call to action's commitments as its groups.
pub async fn create_plan(db: &Db, editor: Editor<'_>, plan: &NewPlan) -> Result<Plan, StoreError> {
    let (now, organisation) = (editor.now, editor.organisation);
    let mut tx = PlanEdit::begin(db, editor).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO plans (organisation_id, title, period_start, period_end, summary, version, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
    )
    .bind(organisation.id)
    .bind(&plan.title)
    .bind(plan.period.starts_on.to_string())
    .bind(plan.period.due_on.to_string())
    .bind(&plan.summary)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for (position, title) in COMMITMENTS.iter().enumerate() {
        sqlx::query("INSERT INTO plan_groups (plan_id, position, title) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(position as i64 + 1)
            .bind(*title)
            .execute(&mut *tx)
            .await?;
    }
    let snapshot = serde_json::json!({
        "title": plan.title,
        "period_start": plan.period.starts_on.to_string(),
        "period_end": plan.period.due_on.to_string(),
        "summary": plan.summary,
    });
    tx.record(
        id,
        None,
        1,
        &format!("Started the plan {}", plan.title),
        snapshot,
    )
    .await?;
    tx.commit().await?;
    get_plan(db, id).await
}

pub async fn get_plan(db: &Db, id: i64) -> Result<Plan, StoreError> {
    sqlx::query_as(&format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("There is no plan {id}")))
}

/// Which of a plan's rows to read: what it holds now, or also what was removed since (the
/// signed version may still show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    Live,
    All,
}

impl Rows {
    fn filter(self) -> &'static str {
        match self {
            Rows::Live => " AND removed_in_version IS NULL",
            Rows::All => "",
        }
    }
}

/// A plan's groups, in order.
pub async fn groups(db: &Db, plan_id: i64) -> Result<Vec<Group>, StoreError> {
    group_rows(db.pool(), plan_id, Rows::Live).await
}

pub(crate) async fn group_rows<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    plan_id: i64,
    rows: Rows,
) -> Result<Vec<Group>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT id, position, title FROM plan_groups WHERE plan_id = $1{} ORDER BY position, id",
        rows.filter()
    ))
    .bind(plan_id)
    .fetch_all(e)
    .await?)
}

const ACTION_COLUMNS: &str = "id, plan_id, group_id, parent_id, title, description, owner, employer_lead, union_lead, starts_on, due_on, status, status_reason, progress, weight, added_in_version";

/// An action as stored: its dates in two columns, its progress and weight as integers.
#[derive(sqlx::FromRow)]
struct ActionRow {
    id: i64,
    plan_id: i64,
    group_id: i64,
    parent_id: Option<i64>,
    title: String,
    description: String,
    owner: String,
    employer_lead: String,
    union_lead: String,
    #[sqlx(try_from = "String")]
    starts_on: Day,
    #[sqlx(try_from = "String")]
    due_on: Day,
    #[sqlx(try_from = "String")]
    status: ActionStatus,
    status_reason: String,
    progress: i64,
    weight: Option<i64>,
    added_in_version: i64,
}

impl TryFrom<ActionRow> for Action {
    type Error = StoreError;
    fn try_from(row: ActionRow) -> Result<Action, StoreError> {
        Ok(Action {
            id: row.id,
            plan_id: row.plan_id,
            group_id: row.group_id,
            parent_id: row.parent_id,
            title: row.title,
            description: row.description,
            owner: row.owner,
            employer_lead: row.employer_lead,
            union_lead: row.union_lead,
            dates: Dates::new(row.starts_on, row.due_on).map_err(corrupt("action dates"))?,
            status: row.status,
            status_reason: row.status_reason,
            progress: percent(row.progress)?,
            weight: row.weight.and_then(|w| u32::try_from(w).ok()),
            added_in_version: row.added_in_version,
        })
    }
}

/// An action a self-assessment round added to a plan, as the plan holds it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundAction {
    /// The framework part it answers.
    pub element: String,
    pub plan_title: String,
    /// Taken out of the plan since (it stays listed, so nothing vanishes unexplained).
    pub removed: bool,
    /// Not in the plan as both sides last signed it. The store leaves this false; the
    /// application layer, which reads the signed plan, sets it.
    pub draft: bool,
    pub action: Action,
}

/// The actions `round_id` added to its organisation's plans, oldest first.
pub async fn actions_for_round(db: &Db, round_id: i64) -> Result<Vec<RoundAction>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Link {
        element: String,
        plan_title: String,
        removed_in_version: Option<i64>,
        #[sqlx(flatten)]
        action: ActionRow,
    }
    let columns = ACTION_COLUMNS
        .split(", ")
        .map(|c| format!("a.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query_as::<_, Link>(&format!(
        "SELECT d.element, p.title AS plan_title, \
         a.removed_in_version, {columns} \
         FROM diagnostic_actions d JOIN plan_actions a ON a.id = d.action_id \
         JOIN plans p ON p.id = a.plan_id WHERE d.round_id = $1 ORDER BY a.id"
    ))
    .bind(round_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|link| {
        Ok(RoundAction {
            element: link.element,
            plan_title: link.plan_title,
            removed: link.removed_in_version.is_some(),
            draft: false,
            action: link.action.try_into()?,
        })
    })
    .collect()
}

/// A plan's actions, in the order they were written.
pub async fn actions(db: &Db, plan_id: i64) -> Result<Vec<Action>, StoreError> {
    action_rows(db.pool(), plan_id, Rows::Live).await
}

pub(crate) async fn action_rows<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    plan_id: i64,
    rows: Rows,
) -> Result<Vec<Action>, StoreError> {
    sqlx::query_as::<_, ActionRow>(&format!(
        "SELECT {ACTION_COLUMNS} FROM plan_actions WHERE plan_id = $1{} ORDER BY position, id",
        rows.filter()
    ))
    .bind(plan_id)
    .fetch_all(e)
    .await?
    .into_iter()
    .map(Action::try_from)
    .collect()
}

/// Moves the plan to its next content version; returns it.
async fn bump(
    conn: &mut sqlx::AnyConnection,
    plan_id: i64,
    change: Change,
) -> Result<i64, StoreError> {
    let current: i64 = sqlx::query_scalar("SELECT version FROM plans WHERE id = $1")
        .bind(plan_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("There is no plan {plan_id}")))?;
    let next = change.next_version(current);
    if next != current {
        sqlx::query("UPDATE plans SET version = $1 WHERE id = $2")
            .bind(next)
            .bind(plan_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(next)
}

/// Adds an action (a content change: the plan needs signing again).
pub async fn add_action(
    db: &Db,
    editor: Editor<'_>,
    plan_id: i64,
    action: &NewAction,
) -> Result<Action, StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let id = insert_action(&mut tx, editor, plan_id, action).await?;
    tx.commit().await?;
    action_by_id(db, id).await
}

/// Adds an action that answers a part of a self-assessment round (issue 19), and links
/// the two, in one write: an action is never kept without its link, nor a link without
/// its action. The round must be the editor's organisation's.
pub async fn add_action_for_round(
    db: &Db,
    editor: Editor<'_>,
    plan_id: i64,
    action: &NewAction,
    round_id: i64,
    element: &str,
) -> Result<Action, StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let round: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM diagnostic_rounds WHERE id = $1 AND organisation_id = $2",
    )
    .bind(round_id)
    .bind(editor.organisation.id)
    .fetch_optional(&mut *tx)
    .await?;
    if round.is_none() {
        return Err(StoreError::NotFound(format!(
            "There is no self-assessment round {round_id}"
        )));
    }
    // The same form sent twice (a double press, or the back button) adds one action. The
    // same words are the same action, whatever their case or spacing.
    let words = |title: &str| {
        title
            .split_whitespace()
            .map(str::to_lowercase)
            .collect::<Vec<_>>()
    };
    let titles: Vec<String> = sqlx::query_scalar(
        "SELECT a.title FROM diagnostic_actions d JOIN plan_actions a ON a.id = d.action_id \
         WHERE d.round_id = $1 AND d.element = $2 AND a.removed_in_version IS NULL",
    )
    .bind(round_id)
    .bind(element)
    .fetch_all(&mut *tx)
    .await?;
    if titles.iter().any(|t| words(t) == words(&action.title)) {
        return Err(StoreError::Conflict(format!(
            "The action {} is already in the plan for this part",
            action.title
        )));
    }
    let id = insert_action(&mut tx, editor, plan_id, action).await?;
    sqlx::query(
        "INSERT INTO diagnostic_actions (round_id, element, action_id) VALUES ($1, $2, $3)",
    )
    .bind(round_id)
    .bind(element)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.audit(Audited {
        action: "diagnostic.action_added",
        detail: &format!(
            "Added action {id} to plan {plan_id} for part {element} of round {round_id}"
        ),
    })
    .await?;
    tx.commit().await?;
    action_by_id(db, id).await
}

async fn action_by_id(db: &Db, id: i64) -> Result<Action, StoreError> {
    sqlx::query_as::<_, ActionRow>(&format!(
        "SELECT {ACTION_COLUMNS} FROM plan_actions WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(db.pool())
    .await?
    .try_into()
}

/// The new action's id; the change is recorded, not yet committed.
async fn insert_action(
    tx: &mut PlanEdit<'_>,
    editor: Editor<'_>,
    plan_id: i64,
    action: &NewAction,
) -> Result<i64, StoreError> {
    let owned: Option<i64> =
        sqlx::query_scalar("SELECT id FROM plans WHERE id = $1 AND organisation_id = $2")
            .bind(plan_id)
            .bind(editor.organisation.id)
            .fetch_optional(&mut **tx)
            .await?;
    if owned.is_none() {
        return Err(StoreError::NotFound(format!("There is no plan {plan_id}")));
    }
    // A part of another action sits under the same commitment as it.
    let group_id = match action.parent_id {
        Some(parent) => sqlx::query_scalar::<_, i64>(
            "SELECT group_id FROM plan_actions WHERE id = $1 AND plan_id = $2 AND removed_in_version IS NULL",
        )
        .bind(parent)
        .bind(plan_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound("That parent action is not part of this plan".into())
        })?,
        None => action.group_id,
    };
    let group_ok: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM plan_groups WHERE id = $1 AND plan_id = $2 AND removed_in_version IS NULL",
    )
    .bind(group_id)
    .bind(plan_id)
    .fetch_optional(&mut **tx)
    .await?;
    if group_ok.is_none() {
        return Err(StoreError::NotFound(
            "That group is not part of this plan".into(),
        ));
    }
    let version = tx.next_version(plan_id, Change::Content).await?;
    let position: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM plan_actions WHERE plan_id = $1")
        .bind(plan_id)
        .fetch_one(&mut **tx)
        .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO plan_actions (plan_id, group_id, parent_id, title, description, owner, employer_lead, union_lead, starts_on, due_on, status, status_reason, progress, weight, position, added_in_version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, '', 0, $12, $13, $14) RETURNING id",
    )
    .bind(plan_id)
    .bind(group_id)
    .bind(action.parent_id)
    .bind(&action.title)
    .bind(&action.description)
    .bind(&action.owner)
    .bind(&action.employer_lead)
    .bind(&action.union_lead)
    .bind(action.dates.starts_on.to_string())
    .bind(action.dates.due_on.to_string())
    .bind(ActionStatus::NotStarted.code())
    .bind(action.weight.map(i64::from))
    .bind(position + 1)
    .bind(version)
    .fetch_one(&mut **tx)
    .await?;
    let snapshot = serde_json::json!({
        "title": action.title,
        "description": action.description,
        "owner": action.owner,
        "employer_lead": action.employer_lead,
        "union_lead": action.union_lead,
        "starts_on": action.dates.starts_on.to_string(),
        "due_on": action.dates.due_on.to_string(),
        "weight": action.weight,
    });
    tx.record(
        plan_id,
        Some(id),
        version,
        &format!("Added the action {}", action.title),
        snapshot,
    )
    .await?;
    Ok(id)
}

/// Reports progress on an action: its status (with a reason when dropped) and per cent.
/// Progress is what the plan publishes, so it needs no new signatures.
pub async fn report_progress(
    db: &Db,
    editor: Editor<'_>,
    action_id: i64,
    report: &Report,
) -> Result<(), StoreError> {
    let Report {
        status,
        reason,
        progress,
    } = report;
    let (status, reason, progress) = (*status, reason.as_str(), *progress);
    check_status(status, reason)?;
    let mut tx = PlanEdit::begin(db, editor).await?;
    let (plan_id, old_status, old_progress): (i64, String, i64) = sqlx::query_as(
        "SELECT a.plan_id, a.status, a.progress FROM plan_actions a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1 AND p.organisation_id = $2 AND a.removed_in_version IS NULL",
    )
    .bind(action_id)
    .bind(editor.organisation.id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no action {action_id}")))?;
    let before = (
        old_status.parse().map_err(corrupt("action status"))?,
        percent(old_progress)?,
    );
    follow::note_change(&mut tx, action_id, editor.now, before, (status, progress)).await?;
    if before != (status, progress) {
        crate::voice::follow::record_action_change(
            &mut tx,
            action_id,
            &format!("{}, {}% done", status.label(), progress.value()),
            editor.now,
        )
        .await?;
    }
    sqlx::query(
        "UPDATE plan_actions SET status = $1, status_reason = $2, progress = $3 WHERE id = $4",
    )
    .bind(status.code())
    .bind(reason.trim())
    .bind(i64::from(progress.value()))
    .bind(action_id)
    .execute(&mut *tx)
    .await?;
    let version = tx.next_version(plan_id, Change::Progress).await?;
    let snapshot = serde_json::json!({
        "status": status.code(),
        "progress": progress.value(),
        "reason": reason.trim(),
    });
    tx.record(
        plan_id,
        Some(action_id),
        version,
        &format!(
            "Action {action_id}: {} at {}%",
            status.label(),
            progress.value()
        ),
        snapshot,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What an approval led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signed {
    /// Waiting for the other side.
    Waiting,
    /// Both sides have signed this version: it is published.
    Published,
}

/// Records one side's approval of the version the person read. If the plan changed since,
/// the approval is refused (a conflict), never moved to the new version.
pub async fn approve(
    db: &Db,
    editor: Editor<'_>,
    plan_id: i64,
    person_id: i64,
    side: Side,
    seen_version: i64,
) -> Result<Signed, StoreError> {
    let Editor {
        now, organisation, ..
    } = editor;
    let mut tx = PlanEdit::begin(db, editor).await?;
    let current: i64 =
        sqlx::query_scalar("SELECT version FROM plans WHERE id = $1 AND organisation_id = $2")
            .bind(plan_id)
            .bind(organisation.id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("There is no plan {plan_id}")))?;
    check_approval(seen_version, current).map_err(|e| StoreError::Conflict(e.to_string()))?;
    let added = sqlx::query(
        "INSERT INTO plan_approvals (plan_id, version, side, person_id, approved_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (plan_id, version, side) DO NOTHING",
    )
    .bind(plan_id)
    .bind(current)
    .bind(side.code())
    .bind(person_id)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if added == 0 {
        // This side approved this version already (a second press, or a colleague on the
        // same side): nothing new to record, so no second history or audit entry. The
        // transaction is dropped, which writes nothing.
        let published: Option<i64> =
            sqlx::query_scalar("SELECT published_version FROM plans WHERE id = $1")
                .bind(plan_id)
                .fetch_one(&mut *tx)
                .await?;
        return Ok(if published == Some(current) {
            Signed::Published
        } else {
            Signed::Waiting
        });
    }
    let approvals: Vec<Approval> = sqlx::query_as::<_, (i64, String)>(
        "SELECT version, side FROM plan_approvals WHERE plan_id = $1 AND version = $2",
    )
    .bind(plan_id)
    .bind(current)
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|(version, side)| {
        let side = side.parse().map_err(corrupt("approval side"))?;
        Ok(Approval { version, side })
    })
    .collect::<Result<_, StoreError>>()?;
    let side_name = side.label().to_lowercase();
    // A signature moves no version: it is written to the history at the version signed.
    tx.record_audited(
        plan_id,
        None,
        current,
        &format!("Approved version {current} for the {side_name} side"),
        serde_json::json!({ "approved": side.code() }),
        Audited {
            action: "plan.approve",
            detail: &format!(
                "Approved version {current} of plan {plan_id} for the {side_name} side"
            ),
        },
    )
    .await?;
    let outcome = if signed_by_both(current, &approvals) {
        sqlx::query("UPDATE plans SET published_version = $1, published_at = $2 WHERE id = $3")
            .bind(current)
            .bind(now)
            .bind(plan_id)
            .execute(&mut *tx)
            .await?;
        signed::keep(&mut tx, plan_id, current).await?;
        tx.audit(Audited {
            action: "plan.publish",
            detail: &format!("Published version {current} of plan {plan_id}, signed by both sides"),
        })
        .await?;
        Signed::Published
    } else {
        Signed::Waiting
    };
    tx.commit().await?;
    Ok(outcome)
}

/// One entry of a plan's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HistoryEntry {
    pub action_id: Option<i64>,
    pub version: i64,
    pub at: i64,
    /// Who did it: the person's name where the address is a person's account, else what
    /// was recorded (an address, or `cli`).
    pub actor: String,
    pub summary: String,
}

/// A plan's history, oldest first; or one action's, when `action_id` is given.
pub async fn history(
    db: &Db,
    plan_id: i64,
    action_id: Option<i64>,
) -> Result<Vec<HistoryEntry>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT h.action_id, h.version, h.at, COALESCE(p.display_name, h.actor) AS actor, h.summary \
         FROM plan_history h LEFT JOIN people p ON p.email = h.actor \
         WHERE h.plan_id = $1 AND ($2 IS NULL OR h.action_id = $2) ORDER BY h.id",
    )
    .bind(plan_id)
    .bind(action_id)
    .fetch_all(db.pool())
    .await?)
}

/// An organisation's plans, newest first.
pub async fn plans_for(db: &Db, organisation_id: i64) -> Result<Vec<Plan>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PLAN_COLUMNS} FROM plans WHERE organisation_id = $1 ORDER BY period_start DESC, id DESC"
    ))
    .bind(organisation_id)
    .fetch_all(db.pool())
    .await?)
}

/// Every published plan, newest first.
pub async fn published_plans(db: &Db) -> Result<Vec<Plan>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {PLAN_COLUMNS} FROM plans WHERE published_version IS NOT NULL ORDER BY period_start DESC, id DESC"
    ))
    .fetch_all(db.pool())
    .await?)
}

/// Who approved which version, and when: (version, side, person's name, approved at).
pub async fn approvals(db: &Db, plan_id: i64) -> Result<Vec<(i64, Side, String, i64)>, StoreError> {
    sqlx::query_as::<_, (i64, String, String, i64)>(
        "SELECT a.version, a.side, p.display_name, a.approved_at FROM plan_approvals a JOIN people p ON p.id = a.person_id WHERE a.plan_id = $1 ORDER BY a.version, a.side",
    )
    .bind(plan_id)
    .fetch_all(db.pool())
    .await?
    .into_iter()
    .map(|(version, side, name, at)| {
        let side = side.parse().map_err(corrupt("approval side"))?;
        Ok((version, side, name, at))
    })
    .collect()
}

/// A dated progress update on an action.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Update {
    pub id: i64,
    pub action_id: i64,
    pub action_title: String,
    #[sqlx(try_from = "String")]
    pub written_on: Day,
    pub at: i64,
    pub author: String,
    pub body: String,
    #[sqlx(try_from = "Lines")]
    pub links: Vec<String>,
}

/// A list stored one item a line.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct Lines(String);

impl From<Lines> for Vec<String> {
    fn from(lines: Lines) -> Vec<String> {
        lines
            .0
            .lines()
            .map(str::to_owned)
            .filter(|l| !l.is_empty())
            .collect()
    }
}

/// Adds a progress update (links already checked). Like other progress, it needs no new
/// signature.
pub async fn add_update(
    db: &Db,
    editor: Editor<'_>,
    action_id: i64,
    author: &str,
    body: &str,
    links: &[String],
) -> Result<(), StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let plan_id = plan_of_action(&mut tx, editor, action_id).await?;
    sqlx::query(
        "INSERT INTO plan_updates (plan_id, action_id, written_on, at, author, body, links) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(plan_id)
    .bind(action_id)
    .bind(Day::from_unix_seconds(editor.now).to_string())
    .bind(editor.now)
    .bind(author)
    .bind(body)
    .bind(links.join("\n"))
    .execute(&mut *tx)
    .await?;
    let version = tx.next_version(plan_id, Change::Progress).await?;
    tx.record(
        plan_id,
        Some(action_id),
        version,
        &format!("Update on action {action_id}"),
        serde_json::json!({ "update": body, "links": links }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A plan's updates, newest first.
pub async fn updates(db: &Db, plan_id: i64) -> Result<Vec<Update>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT u.id, u.action_id, a.title AS action_title, u.written_on, u.at, u.author, u.body, u.links FROM plan_updates u JOIN plan_actions a ON a.id = u.action_id WHERE u.plan_id = $1 ORDER BY u.id DESC",
    )
    .bind(plan_id)
    .fetch_all(db.pool())
    .await?)
}

/// A measure an action is meant to move.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Indicator {
    pub id: i64,
    pub action_id: i64,
    /// A survey question's key.
    pub code: String,
    pub baseline: f64,
    pub target: f64,
    /// Typed in, with its source, until survey results exist.
    pub latest: Option<f64>,
    pub source: String,
    pub added_in_version: i64,
}

/// What a new indicator holds (code and figures already checked).
#[derive(Debug, Clone)]
pub struct NewIndicator {
    pub code: String,
    pub baseline: f64,
    pub target: f64,
    pub latest: Option<f64>,
    pub source: String,
}

/// Links a measure to an action. A target is a promise, so this is a content change.
/// `named` is what the plan's history calls the measure (its question, in words).
pub async fn add_indicator(
    db: &Db,
    editor: Editor<'_>,
    action_id: i64,
    indicator: &NewIndicator,
    named: &str,
) -> Result<(), StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let plan_id = plan_of_action(&mut tx, editor, action_id).await?;
    let version = tx.next_version(plan_id, Change::Content).await?;
    sqlx::query(
        "INSERT INTO plan_indicators (plan_id, action_id, code, baseline, target, latest, source, added_in_version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(plan_id)
    .bind(action_id)
    .bind(&indicator.code)
    .bind(indicator.baseline)
    .bind(indicator.target)
    .bind(indicator.latest)
    .bind(&indicator.source)
    .bind(version)
    .execute(&mut *tx)
    .await?;
    tx.record(
        plan_id,
        Some(action_id),
        version,
        &format!(
            "Linked the measure “{named}” to action {action_id}: from {}% to {}%",
            indicator.baseline, indicator.target
        ),
        serde_json::json!({
            "code": indicator.code,
            "baseline": indicator.baseline,
            "target": indicator.target,
            "latest": indicator.latest,
            "source": indicator.source,
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A plan's indicators, in the order they were added.
pub async fn indicators(db: &Db, plan_id: i64) -> Result<Vec<Indicator>, StoreError> {
    indicator_rows(db.pool(), plan_id, Rows::Live).await
}

pub(crate) async fn indicator_rows<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    plan_id: i64,
    rows: Rows,
) -> Result<Vec<Indicator>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT id, action_id, code, baseline, target, latest, source, added_in_version FROM plan_indicators WHERE plan_id = $1{} ORDER BY id",
        rows.filter()
    ))
    .bind(plan_id)
    .fetch_all(e)
    .await?)
}

/// A step on the way to an action's end.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Milestone {
    pub id: i64,
    pub action_id: i64,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub due_on: Day,
    #[sqlx(try_from = "Flag")]
    pub done: bool,
    pub added_in_version: i64,
}

/// The plan an action of this organisation belongs to.
async fn plan_of_action(
    conn: &mut sqlx::AnyConnection,
    editor: Editor<'_>,
    action_id: i64,
) -> Result<i64, StoreError> {
    sqlx::query_scalar(
        "SELECT a.plan_id FROM plan_actions a JOIN plans p ON p.id = a.plan_id WHERE a.id = $1 AND p.organisation_id = $2 AND a.removed_in_version IS NULL",
    )
    .bind(action_id)
    .bind(editor.organisation.id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no action {action_id}")))
}

/// Adds a milestone to an action (a content change).
pub async fn add_milestone(
    db: &Db,
    editor: Editor<'_>,
    action_id: i64,
    title: &str,
    due_on: Day,
) -> Result<(), StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let plan_id = plan_of_action(&mut tx, editor, action_id).await?;
    let version = tx.next_version(plan_id, Change::Content).await?;
    sqlx::query(
        "INSERT INTO plan_milestones (plan_id, action_id, title, due_on, done, added_in_version) VALUES ($1, $2, $3, $4, 0, $5)",
    )
    .bind(plan_id)
    .bind(action_id)
    .bind(title)
    .bind(due_on.to_string())
    .bind(version)
    .execute(&mut *tx)
    .await?;
    tx.record(
        plan_id,
        Some(action_id),
        version,
        &format!("Added the milestone {title}, due {due_on}"),
        serde_json::json!({ "milestone": title, "due_on": due_on.to_string() }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Marks a milestone done or not done (progress: no new signature).
pub async fn set_milestone_done(
    db: &Db,
    editor: Editor<'_>,
    milestone_id: i64,
    done: bool,
) -> Result<(), StoreError> {
    let mut tx = PlanEdit::begin(db, editor).await?;
    let (action_id, title): (i64, String) = sqlx::query_as(
        "SELECT action_id, title FROM plan_milestones WHERE id = $1 AND removed_in_version IS NULL",
    )
    .bind(milestone_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| StoreError::NotFound(format!("There is no milestone {milestone_id}")))?;
    let plan_id = plan_of_action(&mut tx, editor, action_id).await?;
    sqlx::query("UPDATE plan_milestones SET done = $1 WHERE id = $2")
        .bind(i64::from(done))
        .bind(milestone_id)
        .execute(&mut *tx)
        .await?;
    let version = tx.next_version(plan_id, Change::Progress).await?;
    let summary = if done {
        format!("Milestone reached: {title}")
    } else {
        format!("Milestone not reached after all: {title}")
    };
    tx.record(
        plan_id,
        Some(action_id),
        version,
        &summary,
        serde_json::json!({ "milestone": title, "done": done }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A plan's milestones, by due date.
pub async fn milestones(db: &Db, plan_id: i64) -> Result<Vec<Milestone>, StoreError> {
    milestone_rows(db.pool(), plan_id, Rows::Live).await
}

pub(crate) async fn milestone_rows<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    plan_id: i64,
    rows: Rows,
) -> Result<Vec<Milestone>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT id, action_id, title, due_on, done, added_in_version FROM plan_milestones WHERE plan_id = $1{} ORDER BY due_on, id",
        rows.filter()
    ))
    .bind(plan_id)
    .fetch_all(e)
    .await?)
}

//! The one shape every change to a plan takes: a write transaction opened for an editor,
//! rows changed, the plan moved to its next version (for a content change; progress
//! moves no version), the change written to the plan's history and the audit log, then
//! committed. Nothing is kept unless all of it is, and a change that was not recorded
//! cannot be committed.

use super::{Editor, bump};
use crate::audit::{self, NewEntry};
use crate::{Db, StoreError};
use dignity_domain::plans::Change;
use sqlx::{Any, AnyConnection, Transaction};

/// An audit entry's action and detail.
pub(super) struct Audited<'a> {
    pub action: &'a str,
    pub detail: &'a str,
}

pub(super) struct PlanEdit<'e> {
    tx: Transaction<'static, Any>,
    editor: Editor<'e>,
    recorded: bool,
}

impl<'e> PlanEdit<'e> {
    pub(super) async fn begin(db: &Db, editor: Editor<'e>) -> Result<PlanEdit<'e>, StoreError> {
        Ok(PlanEdit {
            tx: db.begin_write().await?,
            editor,
            recorded: false,
        })
    }

    /// Moves the plan to the version this kind of change needs; returns it.
    pub(super) async fn next_version(
        &mut self,
        plan_id: i64,
        change: Change,
    ) -> Result<i64, StoreError> {
        bump(&mut self.tx, plan_id, change).await
    }

    /// Writes the change to the plan's history and, under `plan.change` with the same
    /// words, the audit log.
    pub(super) async fn record(
        &mut self,
        plan_id: i64,
        action_id: Option<i64>,
        version: i64,
        summary: &str,
        snapshot: serde_json::Value,
    ) -> Result<(), StoreError> {
        let audited = Audited {
            action: "plan.change",
            detail: summary,
        };
        self.record_audited(plan_id, action_id, version, summary, snapshot, audited)
            .await
    }

    /// Writes the change to the plan's history and the audit log, the audit entry with
    /// its own action and detail (a signature is audited as `plan.approve`).
    pub(super) async fn record_audited(
        &mut self,
        plan_id: i64,
        action_id: Option<i64>,
        version: i64,
        summary: &str,
        snapshot: serde_json::Value,
        audited: Audited<'_>,
    ) -> Result<(), StoreError> {
        let Editor {
            actor,
            now,
            organisation,
        } = self.editor;
        sqlx::query(
            "INSERT INTO plan_history (plan_id, action_id, version, at, actor, summary, snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(plan_id)
        .bind(action_id)
        .bind(version)
        .bind(now)
        .bind(actor)
        .bind(summary)
        .bind(snapshot.to_string())
        .execute(&mut *self.tx)
        .await?;
        audit::append(
            &mut self.tx,
            now,
            &NewEntry {
                actor,
                organisation: Some(&organisation.ods_code),
                action: audited.action,
                detail: audited.detail,
            },
        )
        .await?;
        self.recorded = true;
        Ok(())
    }

    /// A further audit entry in the same transaction, for what the change led to (a plan
    /// published once both sides signed).
    pub(super) async fn audit(&mut self, audited: Audited<'_>) -> Result<(), StoreError> {
        let Editor {
            actor,
            now,
            organisation,
        } = self.editor;
        audit::append(
            &mut self.tx,
            now,
            &NewEntry {
                actor,
                organisation: Some(&organisation.ods_code),
                action: audited.action,
                detail: audited.detail,
            },
        )
        .await?;
        Ok(())
    }

    /// Keeps the change. Refused if nothing was recorded: every change has its history.
    pub(super) async fn commit(self) -> Result<(), StoreError> {
        if !self.recorded {
            return Err(StoreError::Corrupt(
                "a plan change was about to be kept without its history".into(),
            ));
        }
        self.tx.commit().await?;
        Ok(())
    }
}

impl std::ops::Deref for PlanEdit<'_> {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for PlanEdit<'_> {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

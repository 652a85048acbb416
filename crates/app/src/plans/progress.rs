//! A plan's progress as every page shows it: each action's own figure, or, for an action
//! with children, the roll-up of theirs (`dignity_domain::plans::derived_progress`); a
//! done action with no children counts as 100%.

use dignity_domain::plans::{ActionStatus, ChildProgress, Percent, derived_progress};
use dignity_store::plans::Action;

/// One action as pages show it, with its progress (derived from its children when it has
/// any) and how deep it sits.
#[derive(Debug, Clone)]
pub struct ActionRow {
    pub action: Action,
    pub progress: Percent,
    /// Whether `progress` was rolled up from the action's children.
    pub derived: bool,
    pub depth: usize,
}

/// An action's progress as shown, and whether it was rolled up from its children.
pub fn progress_of(action: &Action, actions: &[Action]) -> (Percent, bool) {
    let children: Vec<ChildProgress> = actions
        .iter()
        .filter(|c| c.parent_id == Some(action.id))
        .map(|c| ChildProgress {
            progress: c.progress,
            status: c.status,
            weight: c.weight,
        })
        .collect();
    match derived_progress(&children) {
        Some(derived) => (derived, true),
        None if action.status == ActionStatus::Done => {
            (Percent::new(100).unwrap_or(action.progress), false)
        }
        None => (action.progress, false),
    }
}

/// A plan's actions under one group, parents before their children.
pub fn rows(actions: &[Action], group_id: i64) -> Vec<ActionRow> {
    fn walk(actions: &[Action], parent: Option<i64>, depth: usize, out: &mut Vec<ActionRow>) {
        for action in actions.iter().filter(|a| a.parent_id == parent) {
            let (progress, derived) = progress_of(action, actions);
            out.push(ActionRow {
                action: action.clone(),
                progress,
                derived,
                depth,
            });
            walk(actions, Some(action.id), depth + 1, out);
        }
    }
    let in_group: Vec<Action> = actions
        .iter()
        .filter(|a| a.group_id == group_id)
        .cloned()
        .collect();
    let mut out = Vec::new();
    walk(&in_group, None, 0, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dignity_domain::plans::Dates;
    use dignity_domain::speakup::Day;

    fn action(id: i64, group_id: i64, parent_id: Option<i64>, progress: u8) -> Action {
        let day = |d| Day::parse(d).unwrap();
        Action {
            id,
            plan_id: 1,
            group_id,
            parent_id,
            title: format!("Action {id}"),
            description: String::new(),
            owner: String::new(),
            employer_lead: String::new(),
            union_lead: String::new(),
            dates: Dates::new(day("2026-04-01"), day("2027-03-31")).unwrap(),
            status: ActionStatus::OnTrack,
            status_reason: String::new(),
            progress: Percent::new(progress).unwrap(),
            weight: None,
            added_in_version: 1,
        }
    }

    #[test]
    fn a_parent_rolls_up_its_children_and_rows_come_parents_first() {
        let mut done = action(4, 1, Some(1), 0);
        done.status = ActionStatus::Done;
        let mut dropped = action(5, 1, Some(1), 90);
        dropped.status = ActionStatus::Dropped;
        let mut heavy = action(2, 1, Some(1), 40);
        heavy.weight = Some(2);
        let mut finished = action(7, 1, None, 30);
        finished.status = ActionStatus::Done;
        let actions = vec![
            action(1, 1, None, 10),
            heavy,
            action(3, 1, Some(2), 70),
            done,
            dropped,
            action(6, 2, None, 55),
            finished,
        ];
        let shown: Vec<(i64, u8, bool, usize)> = rows(&actions, 1)
            .iter()
            .map(|r| (r.action.id, r.progress.value(), r.derived, r.depth))
            .collect();
        // Action 2's one child gives it 70%; action 1 is (40 x 2 + 100) / 3 = 60% from its
        // children's own figures, the dropped child left out. A done action with no
        // children counts as 100%.
        assert_eq!(
            shown,
            vec![
                (1, 60, true, 0),
                (2, 70, true, 1),
                (3, 70, false, 2),
                (4, 100, false, 1),
                (5, 90, false, 1),
                (7, 100, false, 0),
            ]
        );
        assert_eq!(rows(&actions, 2).len(), 1, "only the group's own actions");
    }
}

//! Partnership action plans (seed 001): an organisation's plan to tackle bullying, its
//! actions grouped under the call to action's commitments, and the rules for progress and
//! for employer and union sign-off.

use crate::identity::InvalidValue;
use crate::speakup::Day;

code_list!(
    /// Where an action stands.
    ActionStatus, "action status", {
        NotStarted => "not_started", "Not started";
        OnTrack => "on_track", "On track";
        AtRisk => "at_risk", "At risk";
        OffTrack => "off_track", "Off track";
        Done => "done", "Done";
        Dropped => "dropped", "Dropped";
    }
);

code_list!(
    /// The two sides of the partnership that must both sign a plan.
    Side, "side of the partnership", {
        Employer => "employer", "Employer";
        Union => "union", "Trade union";
    }
);

/// The call to action's three commitments: a new plan's groups, which the organisation
/// can rename, add to or remove.
pub const COMMITMENTS: [&str; 3] = [
    "Leadership and culture change to tackle bullying",
    "Helping staff to challenge poor behaviour respectfully",
    "Publishing our plan and our progress",
];

/// Progress in per cent, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(u8);

impl Percent {
    pub fn parse(raw: &str) -> Result<Percent, InvalidValue> {
        let trimmed = raw.trim().trim_end_matches('%').trim();
        match trimmed.parse::<u8>() {
            Ok(n) if n <= 100 => Ok(Percent(n)),
            _ => Err(InvalidValue::Message(
                "Progress must be a whole number from 0 to 100",
            )),
        }
    }

    pub fn new(value: u8) -> Option<Percent> {
        (value <= 100).then_some(Percent(value))
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

/// When an action starts and when it is due; the due day is never before the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dates {
    pub starts_on: Day,
    pub due_on: Day,
}

impl Dates {
    pub fn new(starts_on: Day, due_on: Day) -> Result<Dates, InvalidValue> {
        if due_on < starts_on {
            return Err(InvalidValue::Message(
                "The due date must be the same as or after the start date",
            ));
        }
        Ok(Dates { starts_on, due_on })
    }
}

/// A change of status. Dropping an action needs a reason, so readers know why.
pub fn check_status(status: ActionStatus, reason: &str) -> Result<(), InvalidValue> {
    if status == ActionStatus::Dropped && reason.trim().is_empty() {
        return Err(InvalidValue::Message("Say why the action was dropped"));
    }
    Ok(())
}

/// Evidence links for a progress update, one a line: web addresses only (http or https),
/// at most five, so no link can run script or point at a local file.
pub fn parse_links(text: &str) -> Result<Vec<String>, InvalidValue> {
    let links: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    if links.len() > 5 {
        return Err(InvalidValue::Message("Give at most five links"));
    }
    for link in &links {
        let lower = link.to_ascii_lowercase();
        let web = lower.starts_with("https://") || lower.starts_with("http://");
        let clean = !link.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\' | '`')
        });
        if !web || !clean || link.len() > 500 || link.len() < 10 {
            return Err(InvalidValue::Message(
                "Each link must be a full web address starting with https://",
            ));
        }
    }
    Ok(links)
}

/// A figure in per cent, such as an indicator's baseline or target: 0 to 100, at most one
/// decimal place kept.
pub fn parse_figure(raw: &str, what: &'static str) -> Result<f64, InvalidValue> {
    let text = raw.trim().trim_end_matches('%').trim();
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => Ok((v * 10.0).round() / 10.0),
        _ => Err(InvalidValue::Message(what)),
    }
}

/// A child action as its parent's progress sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildProgress {
    pub progress: Percent,
    pub status: ActionStatus,
    /// Relative weight; children without one count as 1.
    pub weight: Option<u32>,
}

/// A parent action's progress, from its children: their weighted mean, rounded. Dropped
/// children do not count, and a done child counts as 100. None when no child counts, so
/// the parent's own figure is used.
pub fn derived_progress(children: &[ChildProgress]) -> Option<Percent> {
    let (sum, weights) = children
        .iter()
        .filter(|c| c.status != ActionStatus::Dropped)
        .fold((0u64, 0u64), |(sum, weights), c| {
            let weight = u64::from(c.weight.unwrap_or(1));
            let progress = if c.status == ActionStatus::Done {
                100
            } else {
                u64::from(c.progress.value())
            };
            (sum + progress * weight, weights + weight)
        });
    if weights == 0 {
        return None;
    }
    Percent::new(((sum + weights / 2) / weights).min(100) as u8)
}

/// An approval of one version of a plan by one side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub version: i64,
    pub side: Side,
}

/// Why an approval was not recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error(
        "The plan has changed since you opened it (you saw version {seen}; it is now version {current}). Read the changes, then approve again."
    )]
    Changed { seen: i64, current: i64 },
}

/// An approval counts only for the version the person read: if the plan changed in the
/// meantime, the approval is refused, never silently moved to the new version.
pub fn check_approval(seen: i64, current: i64) -> Result<(), ApprovalError> {
    if seen != current {
        return Err(ApprovalError::Changed { seen, current });
    }
    Ok(())
}

/// A version is published once both the employer and the union side have approved it.
pub fn signed_by_both(version: i64, approvals: &[Approval]) -> bool {
    [Side::Employer, Side::Union].iter().all(|side| {
        approvals
            .iter()
            .any(|a| a.version == version && a.side == *side)
    })
}

/// What a change touches. Content (what the plan promises: titles, owners, dates, actions
/// added or removed, targets) is material and needs both sides to sign again; progress
/// (status, per cent, updates, milestones ticked off) is the reporting the plan exists to
/// publish, and does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Content,
    Progress,
}

impl Change {
    /// The version after this change.
    pub fn next_version(self, version: i64) -> i64 {
        match self {
            Change::Content => version + 1,
            Change::Progress => version,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(progress: u8, status: ActionStatus, weight: Option<u32>) -> ChildProgress {
        ChildProgress {
            progress: Percent::new(progress).unwrap(),
            status,
            weight,
        }
    }

    #[test]
    fn progress_is_checked_and_derived_from_children() {
        assert_eq!(Percent::parse(" 45% ").unwrap().value(), 45);
        assert!(Percent::parse("101").is_err());
        assert!(Percent::parse("-1").is_err());
        assert!(Percent::parse("half").is_err());
        let children = [
            child(50, ActionStatus::OnTrack, Some(3)),
            child(0, ActionStatus::Done, None),
            child(10, ActionStatus::Dropped, Some(10)),
        ];
        // (50 * 3 + 100 * 1) / 4 = 62.5, rounded to 63; the dropped child does not count.
        assert_eq!(derived_progress(&children).unwrap().value(), 63);
        assert_eq!(
            derived_progress(&[child(10, ActionStatus::Dropped, None)]),
            None
        );
        assert_eq!(derived_progress(&[]), None);
    }

    #[test]
    fn dates_and_dropping_are_checked() {
        let (a, b) = (
            Day::parse("2026-01-01").unwrap(),
            Day::parse("2026-03-01").unwrap(),
        );
        assert!(Dates::new(a, b).is_ok());
        assert!(Dates::new(a, a).is_ok());
        assert!(Dates::new(b, a).is_err());
        assert!(check_status(ActionStatus::Dropped, " ").is_err());
        assert!(check_status(ActionStatus::Dropped, "Merged into action 3").is_ok());
        assert!(check_status(ActionStatus::AtRisk, "").is_ok());
    }

    #[test]
    fn figures_are_per_cent() {
        assert_eq!(parse_figure(" 23.46% ", "x").unwrap(), 23.5);
        for bad in ["", "-1", "100.1", "NaN", "inf", "lots"] {
            assert!(parse_figure(bad, "x").is_err(), "{bad}");
        }
    }

    #[test]
    fn only_web_links_are_evidence() {
        assert_eq!(
            parse_links("https://example.nhs.uk/report\n\n http://a.example/b ").unwrap(),
            ["https://example.nhs.uk/report", "http://a.example/b"]
        );
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT://x%0aalert(1)",
            "file:///etc/passwd",
            "https://x.example/\"onmouseover=\"x",
            "https://x.example/<script>",
            "data:text/html,hi",
        ] {
            assert!(parse_links(bad).is_err(), "{bad}");
        }
        assert!(parse_links(&"https://x.example/a\n".repeat(6)).is_err());
    }

    #[test]
    fn both_sides_must_sign_the_same_version() {
        let employer = Approval {
            version: 2,
            side: Side::Employer,
        };
        let union_old = Approval {
            version: 1,
            side: Side::Union,
        };
        assert!(!signed_by_both(2, &[employer.clone(), union_old]));
        let union = Approval {
            version: 2,
            side: Side::Union,
        };
        assert!(signed_by_both(2, &[employer, union]));
        assert_eq!(
            check_approval(2, 3),
            Err(ApprovalError::Changed {
                seen: 2,
                current: 3
            })
        );
        assert!(check_approval(3, 3).is_ok());
        assert_eq!(Change::Content.next_version(3), 4);
        assert_eq!(Change::Progress.next_version(3), 3);
    }
}

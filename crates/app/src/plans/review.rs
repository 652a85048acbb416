//! What a signatory checks before approving: how the version waiting for approval differs
//! from the version last published, in words a page can show as they are.
//!
//! Signatures cover what the plan promises (its content). Status, reasons and milestones
//! reached are progress, published at once without signatures, so the kept published
//! version carries today's progress (`dignity_store::plans::signed`) and they rarely differ
//! here; when two versions given to [`compare`] do differ in them, they are named too.

use super::{Action, Group, Indicator, Milestone, Plan, SignedPlan};
use crate::{Context, Error};
use dignity_domain::plans::Dates;
use dignity_domain::speakup::Day;
use dignity_store::plans as store;

/// What happened to an action, a milestone, a measure or a commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Added,
    Removed,
    Changed,
}

impl Kind {
    /// The word a page marks it with (in text, not only in colour).
    pub fn label(self) -> &'static str {
        match self {
            Kind::Added => "New",
            Kind::Removed => "Removed",
            Kind::Changed => "Changed",
        }
    }
}

/// One field, in words. `before` is None for something new; `after` None for something
/// removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A milestone, a measure or a commitment that was added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub kind: Kind,
    /// What it is called in the version waiting (in the published one, when removed).
    pub name: String,
    /// For something added, what it says; for something changed, what changed.
    pub fields: Vec<Field>,
}

/// An action that was added, removed or changed, or whose milestones or measures were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionChange {
    pub id: i64,
    pub title: String,
    /// The commitment it is under (was under, when removed).
    pub commitment: String,
    /// None when the action itself is the same and only its milestones or measures changed.
    pub kind: Option<Kind>,
    pub fields: Vec<Field>,
    pub milestones: Vec<Part>,
    pub measures: Vec<Part>,
}

/// Every difference between the published version and the one waiting for approval.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changes {
    /// The plan's title, period and summary.
    pub plan: Vec<Field>,
    pub commitments: Vec<Part>,
    pub actions: Vec<ActionChange>,
}

impl Changes {
    /// Whether the two versions promise the same.
    pub fn is_empty(&self) -> bool {
        self.plan.is_empty() && self.commitments.is_empty() && self.actions.is_empty()
    }
}

/// What a plan holds now: its content as the next signatures would approve it.
pub async fn draft(ctx: &Context, plan: &Plan) -> Result<SignedPlan, Error> {
    Ok(SignedPlan {
        title: plan.title.clone(),
        summary: plan.summary.clone(),
        period: Dates::new(plan.period_start, plan.period_end)?,
        groups: store::groups(&ctx.db, plan.id).await?,
        actions: store::actions(&ctx.db, plan.id).await?,
        indicators: store::indicators(&ctx.db, plan.id).await?,
        milestones: store::milestones(&ctx.db, plan.id).await?,
    })
}

/// How the plan as it is now differs from its published version (everything is new when
/// it was never published).
pub async fn since_published(ctx: &Context, plan: &Plan) -> Result<Changes, Error> {
    let published = store::signed_plan(&ctx.db, plan).await?;
    let draft = draft(ctx, plan).await?;
    Ok(compare(
        published.as_ref(),
        &draft,
        &super::measures::measures(),
    ))
}

/// Words for a piece of text that may be empty.
fn words(text: &str) -> String {
    if text.trim().is_empty() {
        "Not given".into()
    } else {
        text.to_owned()
    }
}

fn date(day: Day) -> String {
    day.long()
}

fn per_cent(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}%")
    } else {
        format!("{v:.1}%")
    }
}

/// A field as [`Side`] describes it: its name, what is compared, and what is shown. The two
/// differ where a name stands for an id, so that renaming a commitment is not a move.
type Described = Vec<(&'static str, String, String)>;

fn plain(name: &'static str, text: String) -> (&'static str, String, String) {
    (name, text.clone(), text)
}

/// The fields of a whole version of something, all new.
fn all_new(fields: Described) -> Vec<Field> {
    fields
        .into_iter()
        .map(|(name, _, after)| Field {
            name,
            before: None,
            after: Some(after),
        })
        .collect()
}

/// Only the fields that differ between two versions of the same thing.
fn differing(before: Described, after: Described) -> Vec<Field> {
    before
        .into_iter()
        .zip(after)
        .filter(|((_, b, _), (_, a, _))| b != a)
        .map(|((name, _, b), (_, _, a))| Field {
            name,
            before: Some(b),
            after: Some(a),
        })
        .collect()
}

/// One version of the plan, with the words it needs to name things.
struct Side<'a> {
    plan: &'a SignedPlan,
    measures: &'a [(String, String)],
}

impl Side<'_> {
    fn group(&self, id: i64) -> String {
        self.plan
            .groups
            .iter()
            .find(|g| g.id == id)
            .map_or_else(|| "Not known".into(), |g| g.title.clone())
    }

    fn parent(&self, id: Option<i64>) -> String {
        match id {
            None => "No, it stands on its own".into(),
            Some(id) => self
                .plan
                .actions
                .iter()
                .find(|a| a.id == id)
                .map_or_else(|| "Not known".into(), |a| a.title.clone()),
        }
    }

    fn measure(&self, code: &str) -> String {
        self.measures
            .iter()
            .find(|(key, _)| key == code)
            .map_or_else(|| code.to_owned(), |(_, text)| text.clone())
    }

    /// An action's content, then its progress, in the order a page lists them.
    fn action(&self, a: &Action) -> Described {
        vec![
            ("Commitment", a.group_id.to_string(), self.group(a.group_id)),
            (
                "Part of",
                format!("{:?}", a.parent_id),
                self.parent(a.parent_id),
            ),
            plain("Title", a.title.clone()),
            plain("Description", words(&a.description)),
            plain("Owner", words(&a.owner)),
            plain("Employer lead", words(&a.employer_lead)),
            plain("Union lead", words(&a.union_lead)),
            plain("Starts on", date(a.dates.starts_on)),
            plain("Due on", date(a.dates.due_on)),
            plain(
                "Weight",
                a.weight
                    .map_or_else(|| "Not given".into(), |w| w.to_string()),
            ),
            plain("Status", a.status.label().to_owned()),
            plain("Reason", words(&a.status_reason)),
        ]
    }

    fn milestone(&self, m: &Milestone) -> Described {
        vec![
            plain("Milestone", m.title.clone()),
            plain("Due on", date(m.due_on)),
            plain("Reached", if m.done { "Yes" } else { "Not yet" }.to_owned()),
        ]
    }

    fn indicator(&self, i: &Indicator) -> Described {
        vec![
            ("Measure", i.code.clone(), self.measure(&i.code)),
            plain("Starting figure", per_cent(i.baseline)),
            plain("Target", per_cent(i.target)),
        ]
    }
}

/// Compares the parts (milestones, measures or commitments) of one thing, matched by id.
/// Something new lists what `describe(_, true)` says of it; something changed lists only
/// what changed.
fn parts<T>(
    before: &[&T],
    after: &[&T],
    id: impl Fn(&T) -> i64,
    name: impl Fn(&T) -> String,
    describe: impl Fn(&T, bool) -> Described,
) -> Vec<Part> {
    let mut out = Vec::new();
    for a in after {
        match before.iter().find(|b| id(b) == id(a)) {
            None => out.push(Part {
                kind: Kind::Added,
                name: name(a),
                fields: all_new(describe(a, true)),
            }),
            Some(b) => {
                let fields = differing(describe(b, false), describe(a, false));
                if !fields.is_empty() {
                    out.push(Part {
                        kind: Kind::Changed,
                        name: name(a),
                        fields,
                    });
                }
            }
        }
    }
    for b in before {
        if !after.iter().any(|a| id(a) == id(b)) {
            out.push(Part {
                kind: Kind::Removed,
                name: name(b),
                fields: Vec::new(),
            });
        }
    }
    out
}

/// The milestones or measures of one action.
fn of_action<T>(items: &[T], action_id: i64, owner: impl Fn(&T) -> i64) -> Vec<&T> {
    items.iter().filter(|i| owner(i) == action_id).collect()
}

/// How `draft` differs from `published`, in words. With no published version, everything
/// in the draft is new. `measures` names the survey measures: (key, question).
pub fn compare(
    published: Option<&SignedPlan>,
    draft: &SignedPlan,
    measures: &[(String, String)],
) -> Changes {
    let empty = SignedPlan {
        title: String::new(),
        summary: String::new(),
        period: draft.period,
        groups: Vec::new(),
        actions: Vec::new(),
        indicators: Vec::new(),
        milestones: Vec::new(),
    };
    let old = Side {
        plan: published.unwrap_or(&empty),
        measures,
    };
    let new = Side {
        plan: draft,
        measures,
    };
    let details = |p: &SignedPlan| {
        vec![
            plain("Title", p.title.clone()),
            plain("Starts on", date(p.period.starts_on)),
            plain("Ends on", date(p.period.due_on)),
            plain("Summary", words(&p.summary)),
        ]
    };
    let plan = match published {
        Some(p) => differing(details(p), details(draft)),
        None => all_new(details(draft)),
    };

    let commitments = parts(
        &old.plan.groups.iter().collect::<Vec<&Group>>(),
        &new.plan.groups.iter().collect::<Vec<&Group>>(),
        |g| g.id,
        |g| g.title.clone(),
        // A new commitment is named by its title; listing it again as a field says nothing.
        |g, added| {
            if added {
                Vec::new()
            } else {
                vec![plain("Commitment", g.title.clone())]
            }
        },
    );

    // Actions in the order of the draft's commitments, as the editor lists them; removed
    // ones after.
    let position = |group_id: i64| {
        draft
            .groups
            .iter()
            .position(|g| g.id == group_id)
            .unwrap_or(usize::MAX)
    };
    let mut ordered: Vec<&Action> = draft.actions.iter().collect();
    ordered.sort_by_key(|a| position(a.group_id));
    let mut actions = Vec::new();
    let compare_parts = |id: i64| {
        let milestones = parts(
            &of_action(&old.plan.milestones, id, |m| m.action_id),
            &of_action(&new.plan.milestones, id, |m| m.action_id),
            |m| m.id,
            |m| m.title.clone(),
            |m, added| {
                let mut f = new.milestone(m);
                if added {
                    // A new milestone is named by its text and not yet reached.
                    f.retain(|(name, _, _)| *name == "Due on");
                }
                f
            },
        );
        let measures = parts(
            &of_action(&old.plan.indicators, id, |i| i.action_id),
            &of_action(&new.plan.indicators, id, |i| i.action_id),
            |i| i.id,
            |i| new.measure(&i.code),
            |i, added| {
                let mut f = new.indicator(i);
                if added {
                    f.retain(|(name, _, _)| *name != "Measure");
                }
                f
            },
        );
        (milestones, measures)
    };
    for a in ordered {
        let (milestones, measures) = compare_parts(a.id);
        let (kind, fields) = match old.plan.actions.iter().find(|b| b.id == a.id) {
            None => {
                let mut f = new.action(a);
                // What a new action promises. Its title and commitment name it already;
                // its status starts as not started, and it stands on its own unless it is
                // part of another.
                f.retain(|(name, _, value)| match *name {
                    "Title" | "Commitment" | "Status" | "Reason" => false,
                    "Part of" => a.parent_id.is_some(),
                    "Description" | "Employer lead" | "Union lead" | "Weight" => {
                        value != "Not given"
                    }
                    _ => true,
                });
                (Some(Kind::Added), all_new(f))
            }
            Some(b) => {
                let f = differing(old.action(b), new.action(a));
                ((!f.is_empty()).then_some(Kind::Changed), f)
            }
        };
        if kind.is_some() || !milestones.is_empty() || !measures.is_empty() {
            actions.push(ActionChange {
                id: a.id,
                title: a.title.clone(),
                commitment: new.group(a.group_id),
                kind,
                fields,
                milestones,
                measures,
            });
        }
    }
    for b in &old.plan.actions {
        if draft.actions.iter().any(|a| a.id == b.id) {
            continue;
        }
        let (milestones, measures) = compare_parts(b.id);
        actions.push(ActionChange {
            id: b.id,
            title: b.title.clone(),
            commitment: old.group(b.group_id),
            kind: Some(Kind::Removed),
            fields: Vec::new(),
            milestones,
            measures,
        });
    }
    Changes {
        plan,
        commitments,
        actions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dignity_domain::plans::{ActionStatus, Percent};

    fn day(text: &str) -> Day {
        Day::parse(text).unwrap()
    }

    fn action(id: i64, group_id: i64, parent_id: Option<i64>, title: &str) -> Action {
        Action {
            id,
            plan_id: 1,
            group_id,
            parent_id,
            title: title.into(),
            description: String::new(),
            owner: "HR".into(),
            employer_lead: String::new(),
            union_lead: String::new(),
            dates: Dates::new(day("2026-05-01"), day("2026-09-30")).unwrap(),
            status: ActionStatus::NotStarted,
            status_reason: String::new(),
            progress: Percent::new(0).unwrap(),
            weight: None,
            added_in_version: 1,
        }
    }

    fn milestone(id: i64, action_id: i64, title: &str, due: &str) -> Milestone {
        Milestone {
            id,
            action_id,
            title: title.into(),
            due_on: day(due),
            done: false,
            added_in_version: 1,
        }
    }

    fn measure(id: i64, action_id: i64, code: &str, baseline: f64, target: f64) -> Indicator {
        Indicator {
            id,
            action_id,
            code: code.into(),
            baseline,
            target,
            latest: None,
            source: String::new(),
            added_in_version: 1,
        }
    }

    fn names() -> Vec<(String, String)> {
        vec![(
            "harassment_colleagues".into(),
            "Harassment, bullying or abuse from colleagues".into(),
        )]
    }

    /// Published: three actions (the second part of the first), two milestones, two
    /// measures.
    fn published() -> SignedPlan {
        SignedPlan {
            title: "Respect at work".into(),
            summary: "What we will do together.".into(),
            period: Dates::new(day("2026-04-01"), day("2027-03-31")).unwrap(),
            groups: vec![Group {
                id: 10,
                position: 1,
                title: "Leadership".into(),
            }],
            actions: vec![
                action(1, 10, None, "Civility training"),
                action(2, 10, Some(1), "Train the trainers"),
                action(3, 10, None, "Exit interviews"),
            ],
            milestones: vec![
                milestone(20, 1, "First course", "2026-07-01"),
                milestone(21, 2, "Ten trainers ready", "2026-06-01"),
            ],
            indicators: vec![
                measure(30, 1, "harassment_colleagues", 26.0, 20.0),
                measure(31, 3, "harassment_colleagues", 30.0, 25.5),
            ],
        }
    }

    fn field(name: &'static str, before: Option<&str>, after: Option<&str>) -> Field {
        Field {
            name,
            before: before.map(str::to_owned),
            after: after.map(str::to_owned),
        }
    }

    #[test]
    fn added_removed_and_changed_are_named_and_the_unchanged_left_out() {
        let before = published();
        let mut after = before.clone();
        after.title = "Respect at work, refreshed".into();
        after.groups[0].title = "Leading by example".into();
        // Action 1: renamed, new owner, later, at risk; its milestone moved and reached;
        // its measure removed.
        let civility = &mut after.actions[0];
        civility.title = "Civility training for managers".into();
        civility.owner = "Director of People".into();
        civility.dates.due_on = day("2026-10-31");
        civility.status = ActionStatus::AtRisk;
        civility.status_reason = "Short of trainers".into();
        after.milestones[0].due_on = day("2026-08-01");
        after.milestones[0].done = true;
        after.indicators.retain(|i| i.id != 30);
        // Action 3 removed, with its measure; action 4 added with a milestone and measure.
        after.actions.retain(|a| a.id != 3);
        after.indicators.retain(|i| i.id != 31);
        let mut listening = action(4, 10, None, "Listening sessions");
        listening.description = "Every ward, every quarter.".into();
        after.actions.push(listening);
        after
            .milestones
            .push(milestone(22, 4, "First sessions", "2026-06-30"));
        after
            .indicators
            .push(measure(32, 4, "harassment_colleagues", 26.0, 22.0));

        let changes = compare(Some(&before), &after, &names());
        assert_eq!(
            changes.plan,
            [field(
                "Title",
                Some("Respect at work"),
                Some("Respect at work, refreshed")
            )]
        );
        assert_eq!(
            changes.commitments,
            [Part {
                kind: Kind::Changed,
                name: "Leading by example".into(),
                fields: vec![field(
                    "Commitment",
                    Some("Leadership"),
                    Some("Leading by example")
                )],
            }]
        );
        let ids: Vec<i64> = changes.actions.iter().map(|a| a.id).collect();
        assert_eq!(
            ids,
            [1, 4, 3],
            "action 2 is the same (its parent's new name is not a move), so not listed"
        );

        let civility = &changes.actions[0];
        assert_eq!(civility.kind, Some(Kind::Changed));
        assert_eq!(civility.title, "Civility training for managers");
        assert_eq!(civility.commitment, "Leading by example");
        assert_eq!(
            civility.fields,
            [
                field(
                    "Title",
                    Some("Civility training"),
                    Some("Civility training for managers")
                ),
                field("Owner", Some("HR"), Some("Director of People")),
                field("Due on", Some("30 September 2026"), Some("31 October 2026")),
                field("Status", Some("Not started"), Some("At risk")),
                field("Reason", Some("Not given"), Some("Short of trainers")),
            ]
        );
        assert_eq!(
            civility.milestones,
            [Part {
                kind: Kind::Changed,
                name: "First course".into(),
                fields: vec![
                    field("Due on", Some("1 July 2026"), Some("1 August 2026")),
                    field("Reached", Some("Not yet"), Some("Yes")),
                ],
            }]
        );
        assert_eq!(
            civility.measures,
            [Part {
                kind: Kind::Removed,
                name: "Harassment, bullying or abuse from colleagues".into(),
                fields: Vec::new(),
            }]
        );

        let listening = &changes.actions[1];
        assert_eq!(listening.kind, Some(Kind::Added));
        assert_eq!(listening.commitment, "Leading by example");
        assert_eq!(
            listening.fields,
            [
                field("Description", None, Some("Every ward, every quarter.")),
                field("Owner", None, Some("HR")),
                field("Starts on", None, Some("1 May 2026")),
                field("Due on", None, Some("30 September 2026")),
            ]
        );
        assert_eq!(
            listening.milestones,
            [Part {
                kind: Kind::Added,
                name: "First sessions".into(),
                fields: vec![field("Due on", None, Some("30 June 2026"))],
            }]
        );
        assert_eq!(
            listening.measures,
            [Part {
                kind: Kind::Added,
                name: "Harassment, bullying or abuse from colleagues".into(),
                fields: vec![
                    field("Starting figure", None, Some("26%")),
                    field("Target", None, Some("22%")),
                ],
            }]
        );

        let exit = &changes.actions[2];
        assert_eq!(exit.kind, Some(Kind::Removed));
        assert_eq!(exit.title, "Exit interviews");
        assert_eq!(exit.commitment, "Leadership", "named as it was published");
        assert_eq!(exit.measures.len(), 1);
        assert_eq!(exit.measures[0].kind, Kind::Removed);
        assert!(!changes.is_empty());
    }

    #[test]
    fn a_part_changed_alone_lists_its_action_without_marking_the_action() {
        let before = published();
        let mut after = before.clone();
        after.milestones[1].title = "Twelve trainers ready".into();
        after.indicators[1].target = 24.0;
        let changes = compare(Some(&before), &after, &names());
        let listed: Vec<(i64, Option<Kind>)> =
            changes.actions.iter().map(|a| (a.id, a.kind)).collect();
        assert_eq!(listed, [(2, None), (3, None)]);
        assert_eq!(
            changes.actions[0].milestones[0].fields,
            [field(
                "Milestone",
                Some("Ten trainers ready"),
                Some("Twelve trainers ready")
            )]
        );
        assert_eq!(
            changes.actions[1].measures[0].fields,
            [field("Target", Some("25.5%"), Some("24%"))]
        );
    }

    #[test]
    fn the_same_content_has_no_changes() {
        let plan = published();
        let changes = compare(Some(&plan), &plan.clone(), &names());
        assert!(changes.is_empty(), "{changes:?}");
    }

    #[test]
    fn a_plan_never_published_is_all_new() {
        let plan = published();
        let changes = compare(None, &plan, &names());
        assert_eq!(
            changes.plan,
            [
                field("Title", None, Some("Respect at work")),
                field("Starts on", None, Some("1 April 2026")),
                field("Ends on", None, Some("31 March 2027")),
                field("Summary", None, Some("What we will do together.")),
            ]
        );
        assert_eq!(changes.commitments.len(), 1);
        assert_eq!(changes.commitments[0].kind, Kind::Added);
        assert!(changes.actions.iter().all(|a| a.kind == Some(Kind::Added)));
        assert_eq!(changes.actions.len(), 3);
        let part = &changes.actions[1];
        assert!(
            part.fields
                .contains(&field("Part of", None, Some("Civility training"))),
            "{part:?}"
        );
        let milestones: usize = changes.actions.iter().map(|a| a.milestones.len()).sum();
        let measures: usize = changes.actions.iter().map(|a| a.measures.len()).sum();
        assert_eq!((milestones, measures), (2, 2));
        assert!(
            changes
                .actions
                .iter()
                .flat_map(|a| a.milestones.iter().chain(&a.measures))
                .all(|p| p.kind == Kind::Added)
        );
    }
}

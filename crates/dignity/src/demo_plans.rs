//! A demo partnership plan for the main demo trust, signed by both sides, with progress
//! reported since, so its public page has something to show.

use dignity_app::admin::Operator;
use dignity_app::identity::Organisation;
use dignity_app::plans::{NewAction, NewIndicator, NewPlan, Report};
use dignity_domain::plans::{ActionStatus, Dates, Percent, Side};
use dignity_domain::speakup::Day;

/// (commitment, title, owner, due, status, per cent)
const ACTIONS: &[(usize, &str, &str, &str, ActionStatus, u8)] = &[
    (
        0,
        "Board members hear staff stories of bullying at every public board meeting",
        "Chief Executive",
        "2026-12-31",
        ActionStatus::OnTrack,
        50,
    ),
    (
        0,
        "Civility and respect training for every line manager",
        "Director of People",
        "2027-03-31",
        ActionStatus::AtRisk,
        30,
    ),
    (
        1,
        "Train 40 staff as respect champions, with the unions",
        "Head of Organisational Development",
        "2026-11-30",
        ActionStatus::OnTrack,
        70,
    ),
    (
        1,
        "A short guide for staff on challenging poor behaviour safely",
        "Freedom to Speak Up Guardian",
        "2026-08-31",
        ActionStatus::Done,
        100,
    ),
    (
        2,
        "Publish progress on this plan every three months",
        "Director of Communications",
        "2027-03-31",
        ActionStatus::OnTrack,
        25,
    ),
];

pub async fn seed(
    operator: &Operator,
    main: &Organisation,
    executive: i64,
    union: i64,
    weakest: Option<(i64, String)>,
) -> anyhow::Result<()> {
    let desk = dignity_app::demo::plans(operator, main);
    let plan = desk
        .create_plan(&NewPlan {
            title: "Respect at work 2026 to 2027".into(),
            period: Dates::new(Day::parse("2026-04-01")?, Day::parse("2027-03-31")?)?,
            summary: "Our trust and our trade unions will work together to stop bullying, help staff to speak up, and tell everyone how we are doing.".into(),
        })
        .await?;
    let groups = desk.groups(plan.id).await?;
    let mut added = Vec::new();
    for (group, title, owner, due, status, progress) in ACTIONS {
        let Some(group) = groups.get(*group) else {
            continue;
        };
        let action = desk
            .add_action(
                plan.id,
                &NewAction {
                    group_id: group.id,
                    parent_id: None,
                    title: (*title).into(),
                    description: String::new(),
                    owner: (*owner).into(),
                    employer_lead: "Ezra Executive".into(),
                    union_lead: "Uma Union".into(),
                    dates: Dates::new(Day::parse("2026-04-01")?, Day::parse(due)?)?,
                    weight: None,
                },
            )
            .await?;
        added.push((action.id, *status, *progress));
    }
    // An action added from last year's self-assessment, for its weakest part.
    if let (Some((round, part)), Some(group)) = (weakest, groups.first()) {
        let action = desk
            .add_action_for_round(
                plan.id,
                &NewAction {
                    group_id: group.id,
                    parent_id: None,
                    title: "Act on the weakest part of our health and wellbeing self-assessment"
                        .into(),
                    description: "From the self-assessment Health and wellbeing, last year.".into(),
                    owner: "Wellbeing lead".into(),
                    employer_lead: "Ezra Executive".into(),
                    union_lead: "Uma Union".into(),
                    dates: Dates::new(Day::parse("2026-04-01")?, Day::parse("2027-03-31")?)?,
                    weight: None,
                },
                round,
                &part,
            )
            .await?;
        added.push((action.id, ActionStatus::OnTrack, 30));
    }
    // The training is measured by harassment from colleagues in the staff survey; its
    // latest figure comes from the demo trust's survey results.
    if let Some((training, ..)) = added.get(1) {
        desk.add_indicator(
            *training,
            &NewIndicator {
                code: "harassment_colleagues".into(),
                baseline: 24.0,
                target: 18.0,
                latest: None,
                source: String::new(),
            },
        )
        .await?;
    }
    let version = desk.plan(plan.id).await?.version;
    desk.approve(plan.id, executive, Side::Employer, version)
        .await?;
    desk.approve(plan.id, union, Side::Union, version).await?;
    let first = added.first().map(|(id, ..)| *id);
    for (id, status, progress) in added {
        let report = Report {
            status,
            reason: String::new(),
            progress: Percent::parse(&progress.to_string())?,
        };
        desk.report_progress(id, &report).await?;
    }
    if let Some(first) = first {
        desk.add_update(
            first,
            "Ezra Executive",
            "Two staff stories were heard at the September board meeting. The board agreed to visit the teams involved.",
            &[],
        )
        .await?;
    }
    Ok(())
}

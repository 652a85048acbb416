//! The demo's decision guide records and employee relations cases (issue 18): made-up
//! incidents and people, in made-up words.

use dignity_app::admin::Operator;
use dignity_app::demo::{DemoStep, DemoSuspension};
use dignity_app::er_cases::OpenForm;
use dignity_app::identity::Organisation;
use dignity_app::justculture::GuideForm;
use dignity_crypto::secret::InstallationSecret;
use dignity_domain::er_cases::{AppealOutcome, CaseType, Outcome, Stage, SuspensionKind};
use dignity_domain::speakup::Day;

fn form(
    name: &str,
    incident: &str,
    answers: [(&str, &str); 5],
    decided: &str,
    why: &str,
) -> GuideForm {
    GuideForm {
        person_name: name.into(),
        employee_number: String::new(),
        unit: String::new(),
        incident: incident.into(),
        answers: answers.map(|(a, _)| a.to_owned()),
        reasons: answers.map(|(_, r)| r.to_owned()),
        decided: decided.into(),
        decision_reason: why.into(),
    }
}

/// One record waiting for its independent check, and one the guide settled on the system.
pub async fn seed(
    operator: &Operator,
    secret: &InstallationSecret,
    organisation: &Organisation,
    manager_id: i64,
    manager_email: &str,
) -> anyhow::Result<()> {
    let waiting = form(
        "Jordan Demo",
        "Shouted at a student nurse in front of a patient during the morning handover, the third time this month.",
        [
            ("no", "They were angry, but did not set out to hurt anyone."),
            ("no", "Says they are well; no absence or signs of strain."),
            (
                "yes",
                "Our respect at work policy is clear, known to everyone and followed on the ward.",
            ),
            ("no", "No one else on the team behaves like this."),
            ("no", "Staffing and workload were normal that week."),
        ],
        "formal",
        "Two informal talks have not changed anything.",
    );
    let system = form(
        "Casey Demo",
        "Gave a drug an hour late on the day surgery unit.",
        [
            ("no", "A mistake: they were caring for another patient."),
            ("no", "No health problem."),
            (
                "no",
                "The drug round and the admissions list clash at 10am, so nobody can follow the timing rule.",
            ),
            ("", ""),
            ("", ""),
        ],
        "system_fix",
        "",
    );
    for record in [waiting, system] {
        dignity_app::demo::decision_guide(
            operator,
            secret,
            organisation,
            manager_id,
            manager_email,
            &record,
        )
        .await?;
    }
    Ok(())
}

fn case(
    case_type: CaseType,
    name: &str,
    number: &str,
    first_stage: Stage,
    opened_on: Day,
    fast_track: bool,
    summary: &str,
) -> OpenForm {
    OpenForm {
        case_type: case_type.code().into(),
        person_name: name.into(),
        employee_number: number.into(),
        first_stage: first_stage.code().into(),
        opened_on: Some(opened_on),
        fast_track,
        summary: summary.into(),
        ..OpenForm::default()
    }
}

/// The operator as of noon on `day`, so a case is written on the day it says it opened.
fn operator_at_noon(db: &dignity_app::Db, day: Day) -> Operator {
    Operator::new(
        db.clone(),
        dignity_app::Clock::fixed(day.days_since(Day::from_unix_seconds(0)) * 86_400 + 43_200),
        "demo",
    )
}

fn step(to: Stage, after_days: i64) -> DemoStep {
    DemoStep {
        to,
        after_days,
        outcome: None,
        appeal_outcome: None,
    }
}

/// Made-up employee relations cases: one closed after an appeal, one on the fast-track
/// past its time limit, one with a suspension review due, and one informal.
pub async fn seed_cases(
    operator: &Operator,
    secret: &InstallationSecret,
    organisation: &Organisation,
    lead_id: i64,
    lead_email: &str,
    investigator: Option<i64>,
) -> anyhow::Result<()> {
    let today = operator.clock().today();
    let closed = case(
        CaseType::BullyingComplaint,
        "Morgan Demo",
        "D1001",
        Stage::Investigation,
        today.plus_days(-150),
        false,
        "Two porters say a supervisor mocked their accents over several weeks.",
    );
    let closed_steps = [
        step(Stage::Hearing, 40),
        DemoStep {
            outcome: Some(Outcome::FirstWrittenWarning),
            ..step(Stage::Outcome, 55)
        },
        step(Stage::Appeal, 62),
        DemoStep {
            appeal_outcome: Some(AppealOutcome::NotUpheld),
            ..step(Stage::AppealOutcome, 80)
        },
        step(Stage::Closed, 82),
    ];
    // Investigated by the demo's investigating officer, who reads it and no other.
    let late = OpenForm {
        investigator: investigator.map(|id| id.to_string()).unwrap_or_default(),
        ..case(
            CaseType::Grievance,
            "Riley Demo",
            "D1002",
            Stage::Investigation,
            today.plus_days(-30),
            true,
            "Says their requests for flexible working were refused without a reason.",
        )
    };
    let suspended = case(
        CaseType::CapabilityIllHealth,
        "Avery Demo",
        "D1003",
        Stage::Informal,
        today.plus_days(-20),
        false,
        "Has been off sick three times this year with back pain; cannot do manual handling for now.",
    );
    let informal = case(
        CaseType::CapabilityPerformance,
        "Quinn Demo",
        "D1004",
        Stage::Informal,
        today.plus_days(-5),
        false,
        "Discharge letters are often late; agreed a plan with extra time for training.",
    );
    let cases: [(&OpenForm, &[DemoStep], Option<DemoSuspension<'_>>); 4] = [
        (&closed, &closed_steps, None),
        (&late, &[], None),
        (
            &suspended,
            &[],
            Some(DemoSuspension {
                kind: SuspensionKind::RestrictedDuties,
                after_days: 6,
                review_after_days: 20,
                reason: "No manual handling until occupational health has seen them.",
            }),
        ),
        (&informal, &[], None),
    ];
    for (form, steps, suspension) in cases {
        dignity_app::demo::er_case(
            operator,
            secret,
            organisation,
            lead_id,
            lead_email,
            form,
            steps,
            suspension,
        )
        .await?;
    }
    Ok(())
}

/// Whether the person with this employee number is picked, about `per_thousand` times in a
/// thousand: the same people every time the demo is made.
fn picked(number: &str, salt: u64, per_thousand: u64) -> bool {
    // FNV-1a over the number, then splitmix64's finaliser with the salt, so that picks
    // with different salts are independent of each other.
    let mut h = number.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    h ^= salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    h % 1_000 < per_thousand
}

/// A year of made-up conduct cases and decision guide records about the main trust's
/// staff in post, each written on its own day, so that the year has settled and the
/// fairness figures and the panel at the check have something to show. Black and minority
/// ethnic staff are picked more often, as the seeds say they are in many trusts, so the
/// figures show what a concern looks like.
pub async fn seed_history(
    db: &dignity_app::Db,
    secret: &InstallationSecret,
    organisation: &Organisation,
    lead: (i64, &str),
    manager: (i64, &str),
    workforce: &crate::demo_workforce::Seeded,
) -> anyhow::Result<()> {
    use dignity_domain::workforce::WresGroup;
    let year_start = workforce.as_at.plus_days(-364);
    let answers = [
        ("no", "They did not mean to cause harm."),
        ("no", "No health problem is known."),
        (
            "yes",
            "The procedure is clear and everyone on the team follows it.",
        ),
        ("no", "Colleagues with the same training did not do this."),
        ("no", "Nothing unusual about staffing or support that week."),
    ];
    let mut picked_cases = 0usize;
    // Staff in post, then the year's leavers dismissed for their conduct, whose cases
    // ended in the dismissal (the fairness figures find them in the leavers extract).
    let people = workforce
        .main_staff
        .iter()
        .map(|(number, group)| (number, group, None))
        .chain(
            workforce
                .main_dismissed
                .iter()
                .map(|(number, group, left)| (number, group, Some(*left))),
        );
    for (at, (number, group, left)) in people.enumerate() {
        let (formal_rate, other_rate) = match group {
            WresGroup::BlackAndMinorityEthnic => (60, 20),
            _ => (25, 20),
        };
        let formal = left.is_some() || picked(number, 1, formal_rate);
        let other = !formal && picked(number, 2, other_rate);
        if !formal && !other {
            continue;
        }
        picked_cases += 1;
        let opened = match left {
            // Started about three months before they left, and never before the year.
            Some(left) => left.plus_days(-90).max(year_start.plus_days(10)),
            None => year_start.plus_days((at as i64 * 37) % 290 + 10),
        };
        let mut record = form(
            "A member of staff",
            "Made-up incident for the demo.",
            answers,
            if formal {
                "formal"
            } else {
                "support_and_learning"
            },
            if formal {
                "Earlier informal steps did not work."
            } else {
                ""
            },
        );
        record.employee_number = number.clone();
        if !formal {
            // The guide recommends formal; the manager chose support and says why.
            record.decision_reason = "A first mistake; support will fix it.".into();
        }
        let guide = dignity_app::demo::agreed_guide(
            db,
            secret,
            organisation,
            manager,
            lead,
            &record,
            opened.plus_days(-6),
            opened.plus_days(-2),
        )
        .await?;
        if !formal {
            continue;
        }
        let sanction = match group {
            WresGroup::BlackAndMinorityEthnic => picked(number, 3, 700),
            _ => picked(number, 3, 350),
        };
        let mut steps = Vec::new();
        if let Some(left) = left {
            let days = left.days_since(opened).max(2);
            steps.push(step(Stage::Hearing, days / 2));
            steps.push(DemoStep {
                outcome: Some(Outcome::Dismissal),
                ..step(Stage::Outcome, days)
            });
        } else if sanction {
            steps.push(step(Stage::Hearing, 30));
            steps.push(DemoStep {
                outcome: Some(if picked(number, 4, 300) {
                    Outcome::FinalWrittenWarning
                } else {
                    Outcome::FirstWrittenWarning
                }),
                ..step(Stage::Outcome, 40 + (at as i64 % 20))
            });
        } else {
            steps.push(DemoStep {
                outcome: Some(Outcome::NoCaseToAnswer),
                ..step(Stage::Outcome, 25 + (at as i64 % 20))
            });
        }
        let last = steps.last().map_or(0, |s| s.after_days);
        steps.push(step(Stage::Closed, last.max(65) + 5));
        let suspension = picked(number, 5, 250).then_some(DemoSuspension {
            kind: SuspensionKind::Suspension,
            after_days: 1,
            review_after_days: 15,
            reason: "Made-up reason for the demo.",
        });
        let mut case_form = case(
            CaseType::Conduct,
            "A member of staff",
            number,
            Stage::Investigation,
            opened,
            false,
            "Made-up conduct case for the demo.",
        );
        case_form.guide = guide.to_string();
        dignity_app::demo::er_case(
            &operator_at_noon(db, opened),
            secret,
            organisation,
            lead.0,
            lead.1,
            &case_form,
            &steps,
            suspension,
        )
        .await?;
    }
    // Formal bullying complaints and grievances through the year, settled informally, so
    // the cost of bullying has real cases to count (at least the workforce minimum).
    for (at, (number, _)) in workforce.main_staff.iter().enumerate().step_by(23).take(14) {
        let opened = year_start.plus_days((at as i64 * 13) % 300 + 5);
        let case_type = if at % 2 == 0 {
            CaseType::BullyingComplaint
        } else {
            CaseType::Grievance
        };
        let case_form = case(
            case_type,
            "A member of staff",
            number,
            Stage::Informal,
            opened,
            false,
            "Made-up complaint for the demo.",
        );
        dignity_app::demo::er_case(
            &operator_at_noon(db, opened),
            secret,
            organisation,
            lead.0,
            lead.1,
            &case_form,
            &[step(Stage::Closed, 35)],
            None,
        )
        .await?;
    }
    tracing::debug!(picked_cases, "demo history of cases");
    Ok(())
}

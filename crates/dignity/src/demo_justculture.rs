//! The demo's decision guide records (issue 18): made-up incidents, in made-up words.

use dignity_app::admin::Operator;
use dignity_app::identity::Organisation;
use dignity_app::justculture::GuideForm;
use dignity_crypto::secret::InstallationSecret;

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

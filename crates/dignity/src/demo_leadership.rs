//! The demo's boards (issue 21): made-up board members with their seats, checks, history
//! and declarations, in made-up words, so the company secretary's list shows what is due
//! and the chair has records to read.

use dignity_app::admin::Operator;
use dignity_app::demo::{DemoBoardMember, board_member, board_round};
use dignity_app::identity::Organisation;
use dignity_domain::identity::{Email, Name, Role};
use dignity_domain::leadership::{CheckKind, CheckResult, Conclusion, Job, Seat, SeatKind};
use dignity_domain::speakup::Day;

fn seat(kind: SeatKind, title: &str, starts_on: Day) -> Seat {
    Seat {
        kind,
        title: title.into(),
        voting: true,
        interim: false,
        starts_on,
        ends_on: None,
    }
}

fn job(employer: &str, role: &str, from: Day, to: Option<Day>) -> Job {
    Job {
        employer: employer.into(),
        role: role.into(),
        from,
        to,
    }
}

pub const CHAIR_EMAIL: &str = "chair@demo.nhs.uk";
/// The second trust's company secretary, who releases its references.
pub const SECOND_SECRETARY_EMAIL: &str = "secretary.ambulance@demo.nhs.uk";

/// The people the demo's boards are made of, by their demo account ids.
pub struct Board {
    pub chair: i64,
    pub secretary: i64,
    pub executive: i64,
}

/// Four members on the main trust's board, and the chair on a second trust's board too.
pub async fn seed(
    operator: &Operator,
    passphrase_hash: &str,
    main: &Organisation,
    second: &Organisation,
    board: &Board,
    today: Day,
) -> anyhow::Result<()> {
    let ago = |days: i64| today.plus_days(-days);
    let day = |text: &str| Day::parse(text);
    // Two members without a demo sign-in of their own.
    let mut others = [0; 2];
    for (slot, (email, name)) in others.iter_mut().zip([
        ("priya.nonexec@demo.nhs.uk", "Priya Nonexec"),
        ("tom.nurse@demo.nhs.uk", "Tom Nurse"),
    ]) {
        let person = operator
            .create_person(
                &Email::parse(email)?,
                &Name::parse(name, "name")?,
                passphrase_hash,
            )
            .await?;
        operator
            .grant_role(&person, Role::Staff, Some(main))
            .await?;
        if email.starts_with("priya") {
            // The senior independent director concludes about the chair each year.
            operator
                .grant_role(&person, Role::SeniorIndependentDirector, Some(main))
                .await?;
            operator
                .set_second_step(&person, Some(crate::demo::DEMO_TOTP_SECRET))
                .await?;
        }
        *slot = person.id;
    }
    let [nonexec, nurse] = others;
    let satisfactory = CheckResult::Satisfactory;
    let chief_executive = [seat(SeatKind::Executive, "Chief executive", ago(900))];
    let history = [
        job(
            "Millbrook Community Trust (demo)",
            "Director of operations",
            day("2012-04-01")?,
            Some(day("2019-08-31")?),
        ),
        job(
            "Northfield Hospitals NHS Foundation Trust (demo)",
            "Chief operating officer",
            day("2020-03-02")?,
            None,
        ),
    ];
    let gap = [(
        day("2019-08-31")?,
        day("2020-03-02")?,
        "Took six months to care for a family member.",
    )];
    let checks = [
        (
            CheckKind::CriminalRecords,
            ago(300),
            satisfactory,
            "Enhanced certificate seen, dated as recorded.",
        ),
        (
            CheckKind::Insolvency,
            ago(200),
            satisfactory,
            "Searched the individual insolvency register. No entries.",
        ),
        (
            CheckKind::DisqualifiedDirectors,
            ago(200),
            satisfactory,
            "Searched the register of disqualified directors. No entries.",
        ),
        (
            CheckKind::EmploymentTribunal,
            ago(200),
            satisfactory,
            "Searched published tribunal decisions by name. None found.",
        ),
        (
            CheckKind::ProfessionalRegister,
            ago(200),
            CheckResult::NotApplicable,
            "Not on a professional register: the role does not need it.",
        ),
        (
            CheckKind::SocialMedia,
            ago(420),
            satisfactory,
            "Looked at public posts on three sites. Nothing of concern.",
        ),
        (
            CheckKind::References,
            ago(900),
            satisfactory,
            "Two references on the standard form, from the last two employers.",
        ),
    ];
    let executive = board_member(
        operator,
        main,
        &DemoBoardMember {
            person_id: board.executive,
            added_on: ago(900),
            seats: &chief_executive,
            qualifications: "Master of Business Administration (demo university)",
            registration: "Not registered",
            jobs: &history,
            gap_reasons: &gap,
            checks: &checks,
            declaration: Some((ago(200), true, true, "")),
            recorded_by: board.secretary,
        },
    )
    .await?;

    let chair_seat = [seat(SeatKind::NonExecutive, "Chair", ago(700))];
    let chair_checks = [
        (
            CheckKind::CriminalRecords,
            ago(700),
            satisfactory,
            "Standard certificate seen.",
        ),
        (
            CheckKind::References,
            ago(700),
            satisfactory,
            "Two references on the standard form.",
        ),
    ];
    let chair_record = board_member(
        operator,
        main,
        &DemoBoardMember {
            person_id: board.chair,
            added_on: ago(700),
            seats: &chair_seat,
            qualifications: "Degree in economics (demo university)",
            registration: "Not registered",
            jobs: &[],
            gap_reasons: &[],
            checks: &chair_checks,
            declaration: Some((ago(500), true, true, "")),
            recorded_by: board.secretary,
        },
    )
    .await?;

    let nonexec_seat = [seat(
        SeatKind::NonExecutive,
        "Non-executive director, chair of audit",
        ago(120),
    )];
    board_member(
        operator,
        main,
        &DemoBoardMember {
            person_id: nonexec,
            added_on: ago(120),
            seats: &nonexec_seat,
            qualifications: "Chartered accountant",
            registration: "Institute of Chartered Accountants, member number made up for the demo",
            jobs: &[],
            gap_reasons: &[],
            checks: &[(
                CheckKind::SocialMedia,
                ago(100),
                CheckResult::Concern,
                "A post from 2015 used language about colleagues that the chair should discuss with her.",
            )],
            declaration: None,
            recorded_by: board.secretary,
        },
    )
    .await?;

    let nurse_seat = [Seat {
        interim: true,
        ..seat(SeatKind::Executive, "Chief nurse", ago(60))
    }];
    board_member(
        operator,
        main,
        &DemoBoardMember {
            person_id: nurse,
            added_on: ago(60),
            seats: &nurse_seat,
            qualifications: "Registered nurse (adult), master's degree in leadership",
            registration: "Nursing and Midwifery Council, number made up for the demo",
            jobs: &[],
            gap_reasons: &[],
            checks: &[],
            declaration: Some((ago(50), true, true, "")),
            recorded_by: board.secretary,
        },
    )
    .await?;

    // Last year's round, concluded and signed (the chair's own conclusion by the senior
    // independent director), so the public register shows the board; this year's is open.
    board_round(
        operator,
        main,
        (ago(400), ago(340), board.secretary),
        &[
            (executive, Conclusion::Fit, board.chair),
            (chair_record, Conclusion::Fit, nonexec),
        ],
        Some((ago(335), board.chair)),
    )
    .await?;
    board_round(
        operator,
        main,
        (ago(5), today.plus_days(40), board.secretary),
        &[],
        None,
    )
    .await?;

    // The chair also chairs the second trust's audit committee as a non-executive.
    let chair = operator.person(&Email::parse(CHAIR_EMAIL)?).await?;
    operator
        .grant_role(&chair, Role::Staff, Some(second))
        .await?;
    // Its records need a recovery key. The demo does not print this one: only the main
    // trust's is shown at start.
    operator.turn_on_speakup(second, 2).await?;
    // Its company secretary, with a key before its records are made, so each is sealed
    // to her.
    let ola = operator
        .create_person(
            &Email::parse(SECOND_SECRETARY_EMAIL)?,
            &Name::parse("Ola Secretary", "name")?,
            passphrase_hash,
        )
        .await?;
    operator
        .grant_role(&ola, Role::CompanySecretary, Some(second))
        .await?;
    operator
        .set_second_step(&ola, Some(crate::demo::DEMO_TOTP_SECRET))
        .await?;
    crate::demo::give_key(operator, ola.id).await?;
    // Tom Nurse was its director of nursing until he joined the main trust. It wrote his
    // reference when he left; the main trust has not asked for it yet.
    let tom = operator
        .person(&Email::parse("tom.nurse@demo.nhs.uk")?)
        .await?;
    operator.grant_role(&tom, Role::Staff, Some(second)).await?;
    let tom_there = [Seat {
        ends_on: Some(ago(75)),
        ..seat(
            SeatKind::Executive,
            "Director of nursing and quality",
            ago(1400),
        )
    }];
    let record = board_member(
        operator,
        second,
        &DemoBoardMember {
            person_id: nurse,
            added_on: ago(1400),
            seats: &tom_there,
            qualifications: "Registered nurse (adult)",
            registration: "Nursing and Midwifery Council, registered",
            jobs: &[],
            gap_reasons: &[],
            checks: &[],
            declaration: None,
            recorded_by: ola.id,
        },
    )
    .await?;
    dignity_app::demo::board_reference(
        operator,
        second,
        (record, ago(70), ola.id),
        &dignity_app::leadership::references::Reference {
            organisation: second.name.clone(),
            written_on: ago(70),
            seats: vec![format!(
                "Director of nursing and quality (Executive), {} to {}",
                ago(1400).long(),
                ago(75).long()
            )],
            concerns: false,
            concerns_detail: String::new(),
            investigations: false,
            investigations_detail: String::new(),
            misconduct: false,
            misconduct_detail: String::new(),
            other: "Led the trust's work to cut the time patients wait at hospital doors. (Demo words.)"
                .into(),
        },
    )
    .await?;
    let second_seat = [seat(
        SeatKind::NonExecutive,
        "Non-executive director",
        ago(400),
    )];
    board_member(
        operator,
        second,
        &DemoBoardMember {
            person_id: board.chair,
            added_on: ago(400),
            seats: &second_seat,
            qualifications: "Degree in economics (demo university)",
            registration: "Not registered",
            jobs: &[],
            gap_reasons: &[],
            checks: &[],
            declaration: None,
            recorded_by: board.secretary,
        },
    )
    .await?;
    Ok(())
}

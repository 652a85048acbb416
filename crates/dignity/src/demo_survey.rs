//! Demo survey data: the shared culture survey run in 2025 and 2026 by the demo trusts and
//! by ten more made-up trusts, so results, benchmarks, oversight and the pledges
//! scorecard all have something to show; and an open pulse survey to try answering.
//! Answers are made up but hang together: people who feel supported report less
//! harassment, and each trust has its own culture.

use crate::demo::org;
use dignity_app::admin::{IntoClosed, NewResponse, Operator};
use dignity_app::identity::Organisation;
use dignity_app::survey::campaigns::NewCampaign;
use dignity_crypto::survey::InvitationCode;
use dignity_domain::identity::{OrgType, Region};
use dignity_domain::speakup::Day;
use dignity_domain::survey::{
    DEFAULT_BANK, DEMOGRAPHICS, Participation, QuestionKind, Survey, parse,
};
use dignity_engine::rng::Rng;

const ACUTE: &str = "Acute and acute & community trusts";

/// Made-up trusts that only take part in surveys: name, ODS code, region, culture
/// (positive is better) and how many people answer.
const OTHER_TRUSTS: &[(&str, &str, Region, f64, usize)] = &[
    (
        "DEMO4",
        "Eastbrook University Hospitals NHS Trust (demo)",
        Region::EastOfEngland,
        0.3,
        900,
    ),
    (
        "DEMO5",
        "Hillcrest General Hospital NHS Trust (demo)",
        Region::London,
        -0.1,
        650,
    ),
    (
        "DEMO6",
        "Lakeside Community and Acute NHS Trust (demo)",
        Region::NorthEastAndYorkshire,
        0.15,
        500,
    ),
    (
        "DEMO7",
        "Seaview Hospitals NHS Foundation Trust (demo)",
        Region::SouthEast,
        -0.45,
        700,
    ),
    (
        "DEMO8",
        "Oakdale Teaching Hospitals NHS Trust (demo)",
        Region::Midlands,
        0.05,
        1100,
    ),
    (
        "DEMO9",
        "Millbrook Acute NHS Trust (demo)",
        Region::NorthWest,
        0.0,
        420,
    ),
    (
        "DEMOA",
        "Kingsmead Hospitals NHS Trust (demo)",
        Region::SouthWest,
        0.2,
        380,
    ),
    (
        "DEMOB",
        "Fenside Hospital NHS Foundation Trust (demo)",
        Region::EastOfEngland,
        -0.25,
        560,
    ),
    // Two more, so an organisation's own culture-and-care page (which says nothing among
    // fewer than ten organisations) has enough to place the demo trust.
    (
        "DEMOC",
        "Brookvale Hospitals NHS Trust (demo)",
        Region::London,
        0.1,
        600,
    ),
    (
        "DEMOD",
        "Westmoor General Hospital NHS Foundation Trust (demo)",
        Region::NorthWest,
        -0.3,
        480,
    ),
];

/// How good a demo trust's culture is (positive is better), as its made-up answers show.
pub fn culture_of(ods: &str) -> Option<f64> {
    if ods == "DEMO1" {
        return Some(MAIN_CULTURE);
    }
    OTHER_TRUSTS
        .iter()
        .find(|(code, ..)| *code == ods)
        .map(|(_, _, _, culture, _)| *culture)
}

const MAIN_CULTURE: f64 = -0.05;

/// Seeds every demo survey and returns codes for the open pulse survey.
pub async fn seed(
    operator: &Operator,
    main: &Organisation,
    secret: &dignity_crypto::secret::InstallationSecret,
) -> anyhow::Result<Vec<String>> {
    let definition = parse(DEFAULT_BANK)?;
    let survey_id = operator.save_survey(&definition, DEFAULT_BANK).await?;
    let mut trusts = vec![(main.clone(), MAIN_CULTURE, 1_200)];
    for (code, name, region, culture, size) in OTHER_TRUSTS {
        let trust = org(operator, code, name, OrgType::Acute, *region, ACUTE).await?;
        trusts.push((trust, *culture, *size));
    }
    let mut rng = Rng::new(2026);
    for (trust, culture, size) in &trusts {
        let units = operator.units(trust.id).await?.len() as u64;
        for (year, drift) in [(2025, -0.1), (2026, 0.0)] {
            let template = NewCampaign::new(
                survey_id,
                &format!("Culture survey {year}"),
                Day::parse(&format!("{year}-09-01"))?,
                Day::parse(&format!("{year}-10-31"))?,
                Participation::Tokens,
            )?;
            let campaign = operator.create_campaign(trust, &template).await?;
            // Trusts that worked on their culture improve more between years.
            let culture = culture + drift * (1.0 - culture);
            let responses: Vec<NewResponse> = (0..*size)
                .map(|_| made_up_response(&definition, units, culture, &mut rng))
                .collect();
            // Last years' campaigns are closed already: their made-up answers go in as
            // an audited import would.
            operator
                .import_responses(&campaign, &responses, IntoClosed::Allow, |_| {})
                .await?;
        }
    }

    // An open pulse survey for the main trust, answered with invitation codes.
    let today = operator.clock().today();
    let pulse = operator
        .create_campaign(
            main,
            &NewCampaign::new(
                survey_id,
                "Pulse survey",
                today,
                today.plus_days(60),
                Participation::Tokens,
            )?,
        )
        .await?;
    let codes = operator.issue_codes(main, &pulse, 5, secret).await?;
    Ok(codes.iter().map(InvitationCode::display).collect())
}

/// One made-up response. `culture` moves everyone's experience up or down.
pub(crate) fn made_up_response(
    definition: &Survey,
    units: u64,
    culture: f64,
    rng: &mut Rng,
) -> NewResponse {
    let wellbeing = rng.normal() + culture;
    let bme = rng.unit() < 0.25;
    let disabled = rng.unit() < 0.2;
    // Few ambulance staff in an acute trust: a group the results must hide, with a partner.
    let staff_group = rng.weighted(&[0.3, 0.1, 0.12, 0.12, 0.2, 0.06, 0.004, 0.05, 0.03]) as u16;
    let answers: Vec<u8> = definition
        .items()
        .iter()
        .map(|item| {
            let q = item.question;
            if item.choice.is_some() {
                // Each choice of a multiple-choice question: chosen or not.
                return 1 + rng.below(2) as u8;
            }
            if rng.unit() < 0.03 {
                return 0;
            }
            let lean = wellbeing + if q.scores_reversed() { 0.0 } else { 0.3 };
            match q.kind {
                QuestionKind::Agreement => {
                    let score = 3.4 + 1.1 * lean + rng.normal() * 0.8;
                    let code = score.round().clamp(1.0, 5.0) as u8;
                    // Reverse-scored statements (burnout, leaving) agree when things are bad.
                    if q.scores_reversed() { 6 - code } else { code }
                }
                QuestionKind::Frequency => {
                    let risk =
                        0.22 + if bme { 0.05 } else { 0.0 } + if disabled { 0.08 } else { 0.0 }
                            - 0.1 * wellbeing;
                    if rng.unit() < risk.clamp(0.02, 0.9) {
                        2 + rng.below(4) as u8
                    } else {
                        1
                    }
                }
                // Bad experiences asked as yes or no (unfair treatment, pressure to work
                // when unwell) are the less common answer, and more common for staff
                // the equality standards watch.
                QuestionKind::YesNo if q.scores_reversed() => {
                    let risk =
                        0.12 + if bme { 0.07 } else { 0.0 } + if disabled { 0.06 } else { 0.0 }
                            - 0.06 * wellbeing;
                    if rng.unit() < risk.clamp(0.02, 0.9) {
                        1
                    } else if rng.unit() < 0.9 {
                        2
                    } else {
                        3
                    }
                }
                QuestionKind::YesNo => {
                    if rng.unit() < (0.55 + 0.15 * lean).clamp(0.05, 0.95) {
                        1
                    } else if rng.unit() < 0.8 {
                        2
                    } else {
                        3
                    }
                }
                QuestionKind::Scale => {
                    (6.0 + 1.8 * lean + rng.normal()).round().clamp(0.0, 10.0) as u8 + 1
                }
                _ => 1 + rng.below(q.choices.len().max(1) as u64) as u8,
            }
        })
        .collect();
    let mut values: Vec<u16> = definition
        .demographic_questions()
        .map(|q| match q.demographic.as_deref() {
            Some("ethnicity") => {
                if bme {
                    2
                } else {
                    1
                }
            }
            Some("disability") => {
                if disabled {
                    1
                } else {
                    2
                }
            }
            Some("staff_group") => 1 + staff_group,
            _ => {
                let options = DEMOGRAPHICS
                    .iter()
                    .find(|(k, _)| Some(*k) == q.demographic.as_deref())
                    .map_or(1, |(_, l)| l.len());
                1 + rng.below(options as u64) as u16
            }
        })
        .collect();
    values.push(if units == 0 {
        0
    } else {
        1 + rng.below(units) as u16
    });
    NewResponse {
        id: dignity_crypto::token::random_token(),
        answers,
        groupings: dignity_app::survey::load::encode_groupings(&values),
        comments: Vec::new(),
    }
}

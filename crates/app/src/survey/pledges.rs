//! The staff pledges scorecard: the NHS Constitution's seven pledges to staff, each with
//! the survey questions that evidence it and a score from 0 to 10. Organisations can
//! change which questions evidence which pledge; a mapping is saved only once it reads
//! against the shared culture survey. Every figure is decided by
//! `dignity_engine::disclosure`; a pledge's score is worked out from shown scores alone.

use crate::identity::Organisation;
use crate::{Context, Error};
use dignity_domain::survey::pledges::{DEFAULT_MAPPING, Pledge, parse_mapping, pledge_score};
use dignity_domain::survey::{
    DEFAULT_BANK, DefinitionError, Direction, Survey, answer_score, parse,
};
use dignity_engine::aggregate::{indicator, reports};
use dignity_engine::disclosure::{self, Answers, Disclosed, Minimum};
use dignity_engine::{Bitmap, Columns};
use dignity_store::survey::{self, Campaign};

use super::results::answers_of;

/// One question evidencing a pledge.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub text: String,
    /// Everyone's answers, for the share answering positively.
    pub positive: Disclosed<Answers>,
    /// The question's mean score, 0 to 10.
    pub score: Disclosed<f64>,
}

/// One pledge with its evidence.
#[derive(Debug, Clone)]
pub struct PledgeScore {
    pub number: u8,
    pub summary: String,
    /// The mean of its questions' shown scores; hidden when no score is shown.
    pub score: Disclosed<f64>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone)]
pub struct Scorecard {
    pub minimum: Minimum,
    /// Whether the organisation's own mapping was used, rather than Dignity's.
    pub own_mapping: bool,
    pub pledges: Vec<PledgeScore>,
}

/// The organisation's own mapping from questions to pledges, if it has saved one.
pub async fn saved_mapping(
    ctx: &Context,
    organisation: &Organisation,
) -> Result<Option<String>, Error> {
    Ok(survey::pledge_mapping(&ctx.db, organisation.id).await?)
}

/// A mapping as people read it: each pledge with its questions' own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPledge {
    pub number: u8,
    pub summary: String,
    pub questions: Vec<String>,
}

/// Each question a mapping can name, as (text, key).
pub type NameableQuestions = Vec<(String, String)>;

/// What the mapping page shows beside the text being edited: the pledges it sets out, in
/// words (none when the text does not read), and each question a mapping can name, as
/// (text, key), in survey order. The key is what the mapping is written with.
pub fn mapping_in_words(mapping: &str) -> Result<(Vec<ReadPledge>, NameableQuestions), Error> {
    let survey =
        parse(DEFAULT_BANK).map_err(|e| Error::Internal(format!("default survey: {e}")))?;
    let text_of = |key: &str| {
        survey
            .questions()
            .find(|q| q.key == key)
            .map_or_else(|| key.to_owned(), |q| q.text.clone())
    };
    let mut pledges: Vec<ReadPledge> = parse_mapping(mapping, &survey)
        .map(|pledges| {
            pledges
                .into_iter()
                .map(|p| ReadPledge {
                    number: p.number,
                    summary: p.summary,
                    questions: p.questions.iter().map(|q| text_of(q)).collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    pledges.sort_by_key(|p| p.number);
    let questions = survey
        .questions()
        .filter(|q| q.better != Direction::Neither)
        .map(|q| (q.text.clone(), q.key.clone()))
        .collect();
    Ok((pledges, questions))
}

/// The organisation's mapping if it has one that fits this survey, else Dignity's.
pub async fn mapping_for(
    ctx: &Context,
    organisation: &Organisation,
    survey: &Survey,
) -> Result<(Vec<Pledge>, bool), Error> {
    if let Some(text) = saved_mapping(ctx, organisation).await?
        && let Ok(pledges) = parse_mapping(&text, survey)
    {
        return Ok((pledges, true));
    }
    let pledges = parse_mapping(DEFAULT_MAPPING, survey).map_err(|e| {
        Error::NotFound(format!(
            "The staff pledges scorecard needs the questions of the shared culture survey: {e}"
        ))
    })?;
    Ok((pledges, false))
}

/// Why a mapping was not saved.
#[derive(Debug, thiserror::Error)]
pub enum MappingRefused {
    /// It does not read against the shared culture survey; the text says where.
    #[error("The mapping could not be used: {0}")]
    Unreadable(DefinitionError),
    #[error(transparent)]
    Failed(#[from] Error),
}

/// Saves the organisation's mapping, audited, once it reads correctly against the shared
/// culture survey.
pub async fn save_mapping(
    ctx: &Context,
    actor: &str,
    organisation: &Organisation,
    mapping: &str,
) -> Result<(), MappingRefused> {
    let survey =
        parse(DEFAULT_BANK).map_err(|e| Error::Internal(format!("default survey: {e}")))?;
    parse_mapping(mapping, &survey).map_err(MappingRefused::Unreadable)?;
    survey::save_pledge_mapping(&ctx.db, actor, ctx.clock.now(), organisation, mapping)
        .await
        .map_err(Error::from)?;
    Ok(())
}

/// A closed campaign's scorecard. A campaign still open loads as no responses (see
/// `cache`), so every figure is hidden.
pub async fn scorecard(
    ctx: &Context,
    organisation: &Organisation,
    campaign: &Campaign,
) -> Result<Scorecard, Error> {
    let loaded = ctx.surveys.campaign(ctx, campaign).await?;
    let (definition, columns) = (&loaded.definition, &loaded.columns);
    let (mapping, own_mapping) = mapping_for(ctx, organisation, definition).await?;
    let minimum = ctx.minimums.survey();
    Ok(Scorecard {
        minimum,
        own_mapping,
        pledges: score(&mapping, definition, columns, minimum)?,
    })
}

/// Each pledge's evidence and score over every respondent in `columns`.
fn score(
    mapping: &[Pledge],
    definition: &Survey,
    columns: &Columns,
    minimum: Minimum,
) -> Result<Vec<PledgeScore>, Error> {
    let whole = disclosure::population(columns.rows() as u64, minimum);
    let counted = definition.items();
    let items: Vec<usize> = (0..counted.len()).collect();
    let all = Bitmap::full(columns.rows());
    let report =
        reports(columns, &all, &items, &[None], 2).map_err(|e| Error::Internal(e.to_string()))?;
    let Some(report) = report.first() else {
        return Err(Error::Internal("the engine returned no report".into()));
    };
    Ok(mapping
        .iter()
        .map(|pledge| {
            let evidence: Vec<Evidence> = pledge
                .questions
                .iter()
                .filter_map(|key| {
                    let j = counted.iter().position(|item| item.key == *key)?;
                    Some((j, counted.get(j)?.question, columns.items().get(j)?))
                })
                .map(|(j, question, meta)| {
                    let hist = report.histogram(0, j);
                    let i = indicator(meta, hist);
                    let (sum, n) = hist.iter().enumerate().skip(1).fold(
                        (0.0, 0u64),
                        |(sum, n), (code, &count)| match u8::try_from(code)
                            .ok()
                            .and_then(|code| answer_score(question, code))
                        {
                            Some(s) => (sum + s * f64::from(count), n + u64::from(count)),
                            None => (sum, n),
                        },
                    );
                    Evidence {
                        text: question.text.clone(),
                        positive: disclosure::overall(answers_of(&i), &whole, minimum),
                        score: disclosure::mean(sum, n, &whole, minimum),
                    }
                })
                .collect();
            let score = Disclosed::those_shown(evidence.iter().map(|e| e.score))
                .map(|shown| pledge_score(&shown.into_iter().map(Some).collect::<Vec<_>>()))
                .flatten();
            PledgeScore {
                number: pledge.number,
                summary: pledge.summary.clone(),
                score,
                evidence,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::admin::Operator;
    use crate::clock::Clock;
    use crate::data::Backend;
    use dignity_domain::identity::{Name, OdsCode, OrgType, Region};
    use dignity_store::identity::NewOrganisation;

    fn everyone_answering(people: usize) -> (Survey, Columns) {
        let survey = parse(DEFAULT_BANK).unwrap();
        let (mut columns, _) = super::super::load::columns(&survey, &[], &[]);
        let answers = vec![1u8; columns.items().len()];
        let groupings = vec![0u16; columns.dims().len()];
        for _ in 0..people {
            columns.push(&answers, &groupings).unwrap();
        }
        (survey, columns)
    }

    #[test]
    fn a_mapping_reads_in_the_questions_own_words() {
        let (pledges, questions) = mapping_in_words(DEFAULT_MAPPING).unwrap();
        assert_eq!(
            pledges.iter().map(|p| p.number).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6, 7]
        );
        let survey = parse(DEFAULT_BANK).unwrap();
        for pledge in &pledges {
            for text in &pledge.questions {
                assert!(survey.questions().any(|q| &q.text == text), "{text}");
            }
        }
        assert!(questions.iter().any(|(_, key)| key == "safe_to_speak_up"));
        let (unread, _) = mapping_in_words("not a mapping").unwrap();
        assert!(unread.is_empty());
    }

    #[test]
    fn a_pledge_is_scored_only_from_figures_the_minimum_lets_show() {
        let minimum = Minimum::default_for(disclosure::Kind::SurveyResults);
        let people = usize::try_from(minimum.people()).unwrap();
        let (survey, columns) = everyone_answering(people);
        let mapping = parse_mapping(DEFAULT_MAPPING, &survey).unwrap();
        let shown = score(&mapping, &survey, &columns, minimum).unwrap();
        assert_eq!(shown.len(), 7);
        for pledge in &shown {
            assert!(!pledge.evidence.is_empty());
            let scores: Vec<f64> = pledge
                .evidence
                .iter()
                .map(|e| {
                    assert!(e.positive.is_shown(), "{}", e.text);
                    *e.score.value().unwrap()
                })
                .collect();
            let mean = scores.iter().sum::<f64>() / scores.len() as f64;
            assert_eq!(pledge.score.into_value(), Some(mean));
        }

        let (survey, columns) = everyone_answering(people - 1);
        let hidden = score(&mapping, &survey, &columns, minimum).unwrap();
        for pledge in &hidden {
            assert!(!pledge.score.is_shown(), "pledge {}", pledge.number);
            assert!(
                pledge
                    .evidence
                    .iter()
                    .all(|e| !e.positive.is_shown() && !e.score.is_shown())
            );
        }
    }

    async fn a_mapping_is_saved_only_once_it_reads(
        backend: Backend,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let test_db = dignity_store::scratch::ScratchDb::new(backend).await?;
        let ctx = Context::new(test_db.db.clone(), crate::Settings::default())?;
        let operator = Operator::new(ctx.db.clone(), Clock::fixed(1_800_000_000), "cli");
        let organisation = operator
            .create_organisation(&NewOrganisation {
                ods_code: OdsCode::parse("RJ1")?,
                name: Name::parse("Test Trust", "name")?,
                org_type: OrgType::Acute,
                region: Region::London,
                benchmark_group: Name::parse("Acute", "group")?,
            })
            .await?;
        let survey = parse(DEFAULT_BANK)?;

        let refused = save_mapping(
            &ctx,
            "admin@example.nhs.uk",
            &organisation,
            "[[pledge]]\nnumber = \"one\"",
        )
        .await
        .unwrap_err();
        assert!(
            matches!(refused, MappingRefused::Unreadable(_)),
            "{refused}"
        );
        assert!(
            refused
                .to_string()
                .starts_with("The mapping could not be used: ")
        );
        assert_eq!(saved_mapping(&ctx, &organisation).await?, None);
        let (_, own) = mapping_for(&ctx, &organisation, &survey).await?;
        assert!(!own, "Dignity's mapping until one is saved");

        save_mapping(&ctx, "admin@example.nhs.uk", &organisation, DEFAULT_MAPPING).await?;
        assert_eq!(
            saved_mapping(&ctx, &organisation).await?.as_deref(),
            Some(DEFAULT_MAPPING)
        );
        let (pledges, own) = mapping_for(&ctx, &organisation, &survey).await?;
        assert!(own);
        assert_eq!(pledges.len(), 7);
        test_db.finish().await;
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_mapping_is_saved_only_once_it_reads_on_sqlite()
    -> Result<(), Box<dyn std::error::Error>> {
        a_mapping_is_saved_only_once_it_reads(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_mapping_is_saved_only_once_it_reads_on_postgres()
    -> Result<(), Box<dyn std::error::Error>> {
        a_mapping_is_saved_only_once_it_reads(Backend::Postgres).await
    }
}

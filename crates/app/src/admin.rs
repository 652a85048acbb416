//! The operator's use-cases, for the command line: organisations and their places, people,
//! roles, passphrases and second steps, the audit log, surveys, campaigns and imported
//! responses, the library's catalogue, and turning Speak Up on and recovering its cases.
//!
//! Each is a function on an [`Operator`]: the database, a clock and the name changes are
//! audited under (`cli` for `dignity admin`). The command line has no installation secret
//! (only servers need one), so unlike a [`Context`](crate::Context) an operator holds none,
//! and nothing here needs one.

use crate::clock::Clock;
use crate::identity::{OrgUnit, Organisation, Person};
use crate::library::{NewResource, Pin, Resource};
use crate::speakup::{Opener, Recipient, casework};
use crate::survey::campaigns::NewCampaign;
use crate::{Db, Error};
use dignity_crypto::speakup::{SecretKey, public_key};
use dignity_crypto::survey::InvitationCode;
use dignity_domain::identity::{Email, Name, OdsCode, OrgUnitKind, Region, Role};
use dignity_domain::speakup::{CaseType, Day};
use dignity_domain::survey::Survey;
use dignity_engine::disclosure::Minimums;
use dignity_store::audit::{self, NewEntry};
use dignity_store::speakup::{RECOVERY_HOLDER, person_holder};
use dignity_store::{identity, library, speakup, survey};

pub use dignity_store::audit::Verification;
pub use dignity_store::diagnostics::Added;
pub use dignity_store::identity::NewOrganisation;
pub use dignity_store::survey::{Campaign, NewResponse};

/// Whether an import may add to a campaign that has closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntoClosed {
    Refuse,
    /// The operator knows the campaign's published results will move.
    Allow,
}

/// Why an import stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportRefused {
    #[error(
        "campaign {campaign} closed on {closed_on}, so its results are published: adding responses now would move them. To import anyway, say so with --into-closed-campaign"
    )]
    Closed { campaign: i64, closed_on: Day },
    #[error(transparent)]
    Failed(#[from] Error),
}

/// Someone looking after the installation from the command line: what they change is
/// audited under `actor` and dated by `clock`.
#[derive(Debug, Clone)]
pub struct Operator {
    db: Db,
    clock: Clock,
    actor: &'static str,
    minimums: Minimums,
}

impl Operator {
    pub fn new(db: Db, clock: Clock, actor: &'static str) -> Operator {
        Operator {
            db,
            clock,
            actor,
            minimums: Minimums::default(),
        }
    }

    /// The installation's smallest groups, where they are not the defaults: an import
    /// decides with them whether a new extract may be shown beside earlier ones.
    pub fn with_minimums(mut self, minimums: Minimums) -> Operator {
        self.minimums = minimums;
        self
    }

    pub fn minimums(&self) -> &Minimums {
        &self.minimums
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The name changes are audited under.
    pub fn actor(&self) -> &'static str {
        self.actor
    }

    fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Adds an organisation, audited.
    pub async fn create_organisation(&self, new: &NewOrganisation) -> Result<Organisation, Error> {
        Ok(identity::create_organisation(&self.db, self.actor, self.now(), new).await?)
    }

    /// Puts an organisation in an integrated care board's area, or in none; audited.
    pub async fn set_icb(
        &self,
        organisation: &Organisation,
        icb: Option<&Organisation>,
    ) -> Result<(), Error> {
        Ok(identity::set_icb(&self.db, self.actor, self.now(), organisation, icb).await?)
    }

    /// Every organisation on this installation.
    pub async fn organisations(&self) -> Result<Vec<Organisation>, Error> {
        Ok(identity::list_organisations(&self.db).await?)
    }

    /// The organisation with this ODS code; `NotFound` if it is not here.
    pub async fn organisation(&self, code: &OdsCode) -> Result<Organisation, Error> {
        Ok(identity::get_organisation(&self.db, code).await?)
    }

    /// Adds a division, directorate or team under `parent` (or at the top), audited.
    pub async fn add_unit(
        &self,
        organisation: &Organisation,
        parent: Option<i64>,
        kind: OrgUnitKind,
        name: &Name,
    ) -> Result<OrgUnit, Error> {
        Ok(identity::create_org_unit(
            &self.db,
            self.actor,
            self.now(),
            organisation,
            parent,
            kind,
            name,
        )
        .await?)
    }

    /// The places of the organisation with this id.
    pub async fn units(&self, organisation_id: i64) -> Result<Vec<OrgUnit>, Error> {
        Ok(identity::list_org_units(&self.db, organisation_id).await?)
    }

    /// A new passphrase's hash, at the cost servers check passphrases at, once it meets
    /// the rule for new passphrases (the same as the pages').
    pub fn hash_passphrase(&self, passphrase: &str) -> Result<String, Error> {
        dignity_domain::identity::check_new_passphrase(passphrase)?;
        Ok(dignity_crypto::passphrase::hash(
            passphrase,
            crate::context::PASSPHRASE_COST,
        )?)
    }

    /// Adds a person with this passphrase hash ([`Operator::hash_passphrase`]), audited.
    pub async fn create_person(
        &self,
        email: &Email,
        name: &Name,
        passphrase_hash: &str,
    ) -> Result<Person, Error> {
        Ok(identity::create_person(
            &self.db,
            self.actor,
            self.now(),
            email,
            name,
            passphrase_hash,
        )
        .await?)
    }

    /// The person with this email address; `NotFound` if there is none.
    pub async fn person(&self, email: &Email) -> Result<Person, Error> {
        Ok(identity::get_person_by_email(&self.db, email).await?)
    }

    /// Gives a person a role, in an organisation or (for platform roles) none, audited. A
    /// role they already hold is a `Conflict`.
    pub async fn grant_role(
        &self,
        person: &Person,
        role: Role,
        organisation: Option<&Organisation>,
    ) -> Result<(), Error> {
        Ok(
            identity::grant_role(&self.db, self.actor, self.now(), person, role, organisation)
                .await?,
        )
    }

    /// Gives a person a role held in a region (a regional director's), audited.
    pub async fn grant_region_role(
        &self,
        person: &Person,
        role: Role,
        region: Region,
    ) -> Result<(), Error> {
        Ok(
            identity::grant_region_role(&self.db, self.actor, self.now(), person, role, region)
                .await?,
        )
    }

    /// Sets a person's passphrase hash and ends their sessions, audited.
    pub async fn set_passphrase(
        &self,
        person: &Person,
        passphrase_hash: &str,
    ) -> Result<(), Error> {
        Ok(
            identity::set_passphrase(&self.db, self.actor, self.now(), person, passphrase_hash)
                .await?,
        )
    }

    /// Sets a person's second-step secret, or removes it (`None`) so that they set it up
    /// again when they next sign in, audited.
    pub async fn set_second_step(
        &self,
        person: &Person,
        secret: Option<&str>,
    ) -> Result<(), Error> {
        Ok(identity::set_totp(&self.db, self.actor, self.now(), person, secret, None).await?)
    }

    /// Checks every link of the audit log's hash chain.
    pub async fn verify_audit(&self) -> Result<Verification, Error> {
        Ok(audit::verify(&self.db).await?)
    }

    /// Saves a survey (its definition, already checked, and the text it was read from),
    /// audited. Returns its id.
    pub async fn save_survey(&self, definition: &Survey, text: &str) -> Result<i64, Error> {
        Ok(survey::save_survey(
            &self.db,
            self.actor,
            self.now(),
            &definition.key,
            &definition.title,
            text,
        )
        .await?)
    }

    /// Loads a self-assessment framework checked by `dignity_domain::diagnostics::parse`,
    /// from its file's `text`.
    pub async fn save_framework(
        &self,
        framework: &dignity_domain::diagnostics::Framework,
        text: &str,
    ) -> Result<dignity_store::diagnostics::Added, Error> {
        Ok(dignity_store::diagnostics::add_framework(
            &self.db,
            self.actor,
            self.now(),
            &framework.key,
            i64::from(framework.version),
            &framework.title,
            text,
        )
        .await?)
    }

    /// On PostgreSQL, rewrites stored survey responses and participants in random-key
    /// order; SQLite already keeps them so.
    pub async fn shuffle_survey_storage(&self) -> Result<(), Error> {
        Ok(survey::shuffle_storage(&self.db).await?)
    }

    /// Sets up a campaign of a survey for an organisation, audited.
    pub async fn create_campaign(
        &self,
        organisation: &Organisation,
        campaign: &NewCampaign,
    ) -> Result<Campaign, Error> {
        Ok(survey::create_campaign(
            &self.db,
            self.actor,
            self.now(),
            organisation,
            &campaign.for_organisation(organisation),
        )
        .await?)
    }

    pub async fn campaign(&self, id: i64) -> Result<Campaign, Error> {
        Ok(survey::get_campaign(&self.db, id).await?)
    }

    /// The text a survey was saved from.
    pub async fn survey_text(&self, survey_id: i64) -> Result<String, Error> {
        let (_, _, text) = survey::get_survey(&self.db, survey_id).await?;
        Ok(text)
    }

    /// Makes `count` new invitation codes for the campaign, audited, and returns them to
    /// hand out. Without the installation secret the command line keeps each code's plain
    /// digest, which answering still accepts (`survey::answering::by_code`).
    pub async fn issue_codes(
        &self,
        organisation: &Organisation,
        campaign: &Campaign,
        count: usize,
        secret: &dignity_crypto::secret::InstallationSecret,
    ) -> Result<Vec<InvitationCode>, Error> {
        let codes: Vec<InvitationCode> = (0..count).map(|_| InvitationCode::generate()).collect();
        // Kept under a digest only the installation secret gives, as the campaign page
        // keeps them: with a plain digest, a copy of the database and the printed codes
        // would say who has answered and who has a draft.
        let digests: Vec<String> = codes.iter().map(|c| c.keyed_digest(secret)).collect();
        survey::add_tokens(
            &self.db,
            self.actor,
            self.now(),
            campaign,
            &organisation.ods_code,
            &digests,
        )
        .await?;
        Ok(codes)
    }

    /// Stores responses gathered elsewhere (on paper, in another tool) in one
    /// transaction, all or none, telling `progress` how many are written every thousand,
    /// and returns how many were stored. Every import is audited. A closed campaign's
    /// results are published and must not move (docs/architecture.md, "Linked tables"):
    /// adding to one shows whoever can compare the figures before and after what the
    /// added people answered, so it is refused unless `closed` says the operator means it.
    ///
    /// The audit entry is written in the same transaction as the responses.
    pub async fn import_responses(
        &self,
        campaign: &Campaign,
        responses: &[NewResponse],
        closed: IntoClosed,
        progress: impl FnMut(usize),
    ) -> Result<u64, ImportRefused> {
        let today = self.clock.today();
        let is_closed = campaign.has_closed(today);
        if is_closed && closed == IntoClosed::Refuse {
            return Err(ImportRefused::Closed {
                campaign: campaign.id,
                closed_on: campaign.closes_on,
            });
        }
        let ods = identity::list_organisations(&self.db)
            .await
            .map_err(Error::from)?
            .into_iter()
            .find(|o| o.id == campaign.organisation_id)
            .map(|o| o.ods_code);
        let detail = format!(
            "Imported {} responses into {}campaign {} ({})",
            responses.len(),
            if is_closed { "the closed " } else { "" },
            campaign.id,
            campaign.title
        );
        let entry = NewEntry {
            actor: self.actor,
            organisation: ods.as_deref(),
            action: "survey.import",
            detail: &detail,
        };
        Ok(survey::insert_responses_audited(
            &self.db,
            campaign.id,
            responses,
            self.now(),
            &entry,
            progress,
        )
        .await
        .map_err(Error::from)?)
    }

    /// Whether the library has ever had anything in it.
    pub async fn library_ever_changed(&self) -> Result<bool, Error> {
        Ok(library::last_change(&self.db).await? > 0)
    }

    /// Adds resources to the national catalogue in one transaction, audited.
    pub async fn add_resources(&self, resources: &[NewResource]) -> Result<(), Error> {
        library::add_resources(&self.db, self.actor, None, self.now(), resources).await?;
        Ok(())
    }

    /// Every resource in the catalogue, retired ones too.
    pub async fn resources(&self) -> Result<Vec<Resource>, Error> {
        Ok(library::all_resources(&self.db).await?)
    }

    /// An organisation's pinned items.
    pub async fn pins(&self, organisation: &Organisation) -> Result<Vec<Pin>, Error> {
        Ok(library::pins(&self.db, organisation.id).await?)
    }

    /// Turns Speak Up on for an organisation, guardians having `acknowledge_days` working
    /// days to acknowledge a concern (`speakup::acknowledge_days`), audited. Returns the organisation's new recovery
    /// key: only its public half is stored, so it is the caller's to show once.
    pub async fn turn_on_speakup(
        &self,
        organisation: &Organisation,
        acknowledge_days: u32,
    ) -> Result<SecretKey, Error> {
        let acknowledge_days = crate::speakup::acknowledge_days(acknowledge_days)?;
        let recovery = SecretKey::generate();
        speakup::init(
            &self.db,
            self.actor,
            self.now(),
            organisation,
            &public_key(&recovery),
            acknowledge_days,
        )
        .await?;
        Ok(recovery)
    }

    /// Saves a caseworker's case key: its public half, and its secret half wrapped under
    /// their passphrase, audited.
    pub async fn save_case_key(
        &self,
        person_id: i64,
        public_key: &str,
        wrapped_secret: &[u8],
    ) -> Result<(), Error> {
        speakup::save_caseworker_key(
            &self.db,
            self.actor,
            self.now(),
            person_id,
            public_key,
            wrapped_secret,
        )
        .await?;
        Ok(())
    }

    /// Seals every case of the organisation the guardian cannot open yet to their key,
    /// opening each with the organisation's recovery key, audited. Returns how many cases
    /// they gained. Speak Up not set up, or a guardian without a case key yet, is
    /// `NotFound`; a key that is not the organisation's, or someone who is not its
    /// guardian, is a `Conflict`.
    pub async fn recover_cases(
        &self,
        organisation: &Organisation,
        person: &Person,
        recovery: &SecretKey,
    ) -> Result<usize, Error> {
        let Some(settings) = speakup::settings(&self.db, organisation.id).await? else {
            return Err(Error::NotFound(format!(
                "Speak Up is not set up for {}",
                organisation.name
            )));
        };
        if settings.recovery_public_key != public_key(recovery) {
            return Err(Error::Conflict(format!(
                "that is not {}'s recovery key",
                organisation.name
            )));
        }
        // The kinds of case this person may read there, by the one rule.
        let memberships = identity::memberships(&self.db, person.id).await?;
        let roles = casework::roles_in(&memberships, organisation.id);
        let readable: Vec<CaseType> = CaseType::ALL
            .iter()
            .copied()
            .filter(|t| casework::reads(&roles, *t))
            .collect();
        if readable.is_empty() {
            return Err(Error::Conflict(format!(
                "{} does not read Speak Up cases at {} (guardians read every case, employee relations leads read grievances)",
                person.email, organisation.name
            )));
        }
        let Some(key) = speakup::caseworker_key(&self.db, person.id).await? else {
            return Err(Error::NotFound(format!(
                "{} has no case key yet: they must sign in once first",
                person.email
            )));
        };
        let holder = person_holder(person.id);
        let mut cases = Vec::new();
        for case_type in readable {
            cases.extend(
                speakup::cases_without_holder(&self.db, organisation.id, &holder, Some(case_type))
                    .await?,
            );
        }
        let count = crate::speakup::reseal(
            &self.db,
            &cases,
            &Opener {
                holder: RECOVERY_HOLDER,
                key: recovery,
            },
            &Recipient {
                holder: &holder,
                public_key: &key.public_key,
            },
        )
        .await?;
        audit::record(
            &self.db,
            self.now(),
            &NewEntry {
                actor: self.actor,
                organisation: Some(&organisation.ods_code),
                action: "speakup.recover",
                detail: &format!(
                    "Used the recovery key to give {} access to {count} cases",
                    person.email
                ),
            },
        )
        .await?;
        Ok(count)
    }

    /// Seals to an employee relations lead every decision guide record of the
    /// organisation they cannot open yet, opening each with the recovery key, audited:
    /// records kept before any lead had a case key are sealed to the recovery key alone,
    /// and this is the only way to reach them. Returns how many records they gained. Run
    /// after [`Operator::recover_cases`], which checks the key and the person's case key.
    pub async fn recover_guide_records(
        &self,
        organisation: &Organisation,
        person: &Person,
        recovery: &SecretKey,
    ) -> Result<usize, Error> {
        use dignity_store::justculture as guides;
        let memberships = identity::memberships(&self.db, person.id).await?;
        let roles = casework::roles_in(&memberships, organisation.id);
        if !roles
            .iter()
            .any(|r| crate::justculture::CHECKERS.contains(r))
        {
            return Ok(0);
        }
        let Some(key) = speakup::caseworker_key(&self.db, person.id).await? else {
            return Err(Error::NotFound(format!(
                "{} has no case key yet: they must sign in once first",
                person.email
            )));
        };
        let holder = person_holder(person.id);
        let waiting =
            guides::guides_to_share(&self.db, organisation.id, RECOVERY_HOLDER, &holder).await?;
        let mut seals = Vec::new();
        for guide_id in &waiting {
            let Some(sealed) = guides::seal_for(&self.db, *guide_id, RECOVERY_HOLDER).await? else {
                continue;
            };
            let record_key = dignity_crypto::speakup::ConcernKey::unseal(&sealed, recovery)?;
            seals.push((
                *guide_id,
                holder.clone(),
                record_key.seal_to(&key.public_key)?,
            ));
        }
        if !seals.is_empty() {
            guides::add_seals(
                &self.db,
                self.actor,
                self.now(),
                organisation,
                &seals,
                &format!(
                    "Used the recovery key to give {} access to {} decision guide records",
                    person.email,
                    seals.len()
                ),
            )
            .await?;
        }
        Ok(seals.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Backend;
    use dignity_domain::identity::{OrgType, Region};
    use dignity_store::StoreError;
    use dignity_store::scratch::ScratchDb;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn recovery_is_refused_until_everything_is_in_place_and_audited() {
        let test_db = ScratchDb::new(Backend::Sqlite).await.unwrap();
        let operator = Operator::new(test_db.db.clone(), Clock::fixed(1_800_000_000), "cli");
        let org = operator
            .create_organisation(&NewOrganisation {
                ods_code: OdsCode::parse("RJ1").unwrap(),
                name: Name::parse("Test Trust", "name").unwrap(),
                org_type: OrgType::Acute,
                region: Region::London,
                benchmark_group: Name::parse("Acute", "group").unwrap(),
            })
            .await
            .unwrap();
        let email = Email::parse("g@example.nhs.uk").unwrap();
        let person = operator
            .create_person(&email, &Name::parse("Gina", "name").unwrap(), "x")
            .await
            .unwrap();
        let refused = |e: Error| e.to_string();

        let stray = SecretKey::generate();
        let e = operator
            .recover_cases(&org, &person, &stray)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::NotFound(_)), "{e}");
        assert_eq!(refused(e), "Speak Up is not set up for Test Trust");

        let recovery = operator.turn_on_speakup(&org, 2).await.unwrap();
        let e = operator
            .recover_cases(&org, &person, &stray)
            .await
            .unwrap_err();
        assert_eq!(refused(e), "that is not Test Trust's recovery key");
        let e = operator
            .recover_cases(&org, &person, &recovery)
            .await
            .unwrap_err();
        assert_eq!(
            refused(e),
            "g@example.nhs.uk does not read Speak Up cases at Test Trust (guardians read every case, employee relations leads read grievances)"
        );
        // An employee relations lead reads grievances, so may be given them.
        let lead_email = Email::parse("er@example.nhs.uk").unwrap();
        let lead = operator
            .create_person(&lead_email, &Name::parse("Erin", "name").unwrap(), "x")
            .await
            .unwrap();
        operator
            .grant_role(&lead, Role::ErLead, Some(&org))
            .await
            .unwrap();
        operator
            .save_case_key(lead.id, &public_key(&SecretKey::generate()), b"unused")
            .await
            .unwrap();
        assert_eq!(
            operator
                .recover_cases(&org, &lead, &recovery)
                .await
                .unwrap(),
            0
        );

        operator
            .grant_role(&person, Role::Guardian, Some(&org))
            .await
            .unwrap();
        let e = operator
            .recover_cases(&org, &person, &recovery)
            .await
            .unwrap_err();
        assert!(matches!(e, Error::NotFound(_)), "{e}");

        let key = SecretKey::generate();
        operator
            .save_case_key(person.id, &public_key(&key), b"unused")
            .await
            .unwrap();
        assert_eq!(
            operator
                .recover_cases(&org, &person, &recovery)
                .await
                .unwrap(),
            0
        );
        match operator.verify_audit().await.unwrap() {
            Verification::Intact { entries, .. } => assert!(entries >= 6, "{entries}"),
            Verification::Broken(broken) => panic!("{broken:?}"),
        }
        test_db.finish().await;
    }

    async fn an_import_is_audited_and_refused_into_a_closed_campaign_unless_meant(
        backend: Backend,
    ) -> Result<(), Box<dyn std::error::Error>> {
        use dignity_domain::survey::{DEFAULT_BANK, Participation, parse};
        let test_db = ScratchDb::new(backend).await?;
        // 2027-01-15: the campaign below closed a fortnight before.
        let operator = Operator::new(test_db.db.clone(), Clock::fixed(1_800_000_000), "cli");
        let org = operator
            .create_organisation(&NewOrganisation {
                ods_code: OdsCode::parse("RJ1")?,
                name: Name::parse("Test Trust", "name")?,
                org_type: OrgType::Acute,
                region: Region::London,
                benchmark_group: Name::parse("Acute", "group")?,
            })
            .await?;
        let survey_id = operator
            .save_survey(&parse(DEFAULT_BANK)?, DEFAULT_BANK)
            .await?;
        let today = operator.clock().today();
        let campaign = operator
            .create_campaign(
                &org,
                &NewCampaign::new(
                    survey_id,
                    "Paper survey",
                    today.plus_days(-40),
                    today.plus_days(-1),
                    Participation::Tokens,
                )?,
            )
            .await?;
        let responses = vec![NewResponse {
            id: "a".into(),
            answers: vec![1],
            groupings: Vec::new(),
            comments: Vec::new(),
        }];
        let refused = operator
            .import_responses(&campaign, &responses, IntoClosed::Refuse, |_| {})
            .await
            .unwrap_err();
        assert!(matches!(refused, ImportRefused::Closed { .. }), "{refused}");
        assert_eq!(survey::response_count(operator.db(), campaign.id).await?, 0);
        let imports = || async {
            Ok::<_, StoreError>(
                audit::list_for_organisation(operator.db(), "RJ1", None, 100)
                    .await?
                    .into_iter()
                    .filter(|e| e.action == "survey.import")
                    .map(|e| e.detail)
                    .collect::<Vec<_>>(),
            )
        };
        assert!(
            imports().await?.is_empty(),
            "a refused import writes nothing"
        );

        let stored = operator
            .import_responses(&campaign, &responses, IntoClosed::Allow, |_| {})
            .await?;
        assert_eq!(stored, 1);
        assert_eq!(survey::response_count(operator.db(), campaign.id).await?, 1);
        assert_eq!(
            imports().await?,
            [format!(
                "Imported 1 responses into the closed campaign {} (Paper survey)",
                campaign.id
            )]
        );
        test_db.finish().await;
        Ok(())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_import_is_audited_and_refused_into_a_closed_campaign_unless_meant_on_sqlite()
    -> Result<(), Box<dyn std::error::Error>> {
        an_import_is_audited_and_refused_into_a_closed_campaign_unless_meant(Backend::Sqlite).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_import_is_audited_and_refused_into_a_closed_campaign_unless_meant_on_postgres()
    -> Result<(), Box<dyn std::error::Error>> {
        an_import_is_audited_and_refused_into_a_closed_campaign_unless_meant(Backend::Postgres)
            .await
    }
}

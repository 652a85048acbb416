//! Organisations, org units, people and roles.

use serde::Serialize;
use std::fmt;
use thiserror::Error;

/// Why a value from outside was refused. The message is written for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InvalidValue {
    #[error("{0}")]
    Message(&'static str),
    #[error("'{value}' is not a known {what}. Use one of: {allowed}")]
    NotInList {
        what: &'static str,
        value: String,
        allowed: String,
    },
}

/// An NHS Organisation Data Service code, such as `RJ1` or `X26`.
/// Stored upper case so that look-ups never depend on how it was typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct OdsCode(String);

impl OdsCode {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let code = raw.trim().to_ascii_uppercase();
        if !(3..=5).contains(&code.len()) {
            return Err(InvalidValue::Message(
                "An ODS code is 3 to 5 letters and numbers, like RJ1",
            ));
        }
        if !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(InvalidValue::Message(
                "An ODS code can only contain letters and numbers, like RJ1",
            ));
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address used to sign in. Lower-cased so that one person has one account.
/// The check is deliberately loose: the only proof an address works is a message reaching it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err(InvalidValue::Message("Enter an email address"));
        }
        if email.len() > 254 {
            return Err(InvalidValue::Message(
                "An email address must be 254 characters or fewer",
            ));
        }
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && !email.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if !valid {
            return Err(InvalidValue::Message(
                "Enter an email address in the correct format, like name@example.nhs.uk",
            ));
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A name shown to people: trimmed, not empty, not absurdly long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Name(String);

impl Name {
    pub fn parse(raw: &str, what: &'static str) -> Result<Self, InvalidValue> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(InvalidValue::Message(what));
        }
        if name.chars().count() > 200 {
            return Err(InvalidValue::Message(
                "A name must be 200 characters or fewer",
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(InvalidValue::Message(
                "A name cannot contain control characters",
            ));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The smallest passphrase we accept. Length matters more than symbols (NCSC advice),
/// so we ask for length and refuse nothing else.
pub const MIN_PASSPHRASE_CHARS: usize = 12;
/// Argon2 work grows with input, so a cap stops a huge passphrase being used to tie up the server.
pub const MAX_PASSPHRASE_CHARS: usize = 200;

pub fn check_new_passphrase(passphrase: &str) -> Result<(), InvalidValue> {
    let chars = passphrase.chars().count();
    if chars < MIN_PASSPHRASE_CHARS {
        return Err(InvalidValue::Message(
            "Your passphrase must be at least 12 characters. Three random words work well",
        ));
    }
    if chars > MAX_PASSPHRASE_CHARS {
        return Err(InvalidValue::Message(
            "Your passphrase must be 200 characters or fewer",
        ));
    }
    Ok(())
}

code_list!(
    /// The kind of NHS organisation, used to compare like with like.
    OrgType, "organisation type", {
        Acute => "acute", "Acute trust";
        AcuteSpecialist => "acute_specialist", "Acute specialist trust";
        MentalHealth => "mental_health", "Mental health and learning disability trust";
        Community => "community", "Community trust";
        Ambulance => "ambulance", "Ambulance trust";
        Icb => "icb", "Integrated care board";
    }
);

code_list!(
    /// NHS England's seven regions.
    Region, "region", {
        NorthEastAndYorkshire => "north_east_and_yorkshire", "North East and Yorkshire";
        NorthWest => "north_west", "North West";
        Midlands => "midlands", "Midlands";
        EastOfEngland => "east_of_england", "East of England";
        London => "london", "London";
        SouthEast => "south_east", "South East";
        SouthWest => "south_west", "South West";
    }
);

code_list!(
    /// A level in an organisation's structure. Each level sits inside the one above it.
    OrgUnitKind, "org unit kind", {
        Division => "division", "Division";
        Directorate => "directorate", "Directorate";
        Team => "team", "Team";
    }
);

impl OrgUnitKind {
    /// The kind a unit of this kind must sit inside, or `None` for the top level.
    pub fn parent_kind(self) -> Option<OrgUnitKind> {
        match self {
            OrgUnitKind::Division => None,
            OrgUnitKind::Directorate => Some(OrgUnitKind::Division),
            OrgUnitKind::Team => Some(OrgUnitKind::Directorate),
        }
    }

    /// Checks that a new unit fits the tree: divisions at the top, directorates in
    /// divisions, teams in directorates.
    pub fn check_parent(self, parent: Option<OrgUnitKind>) -> Result<(), InvalidValue> {
        match (self.parent_kind(), parent) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(InvalidValue::Message(
                "A division is at the top of the structure, so it cannot have a parent",
            )),
            (Some(_), None) => Err(InvalidValue::Message(
                "Choose where this sits: a directorate needs a division and a team needs a directorate",
            )),
            (Some(wanted), Some(actual)) if wanted == actual => Ok(()),
            (Some(_), Some(_)) => Err(InvalidValue::Message(
                "A directorate must sit in a division, and a team must sit in a directorate",
            )),
        }
    }
}

code_list!(
    /// What a person may do. Most roles are held in one organisation; see [`Role::scope`].
    Role, "role", {
        Staff => "staff", "Staff member";
        Guardian => "guardian", "Freedom to Speak Up Guardian";
        ErLead => "er_lead", "Employee relations lead";
        Investigator => "investigator", "Investigating officer";
        UnionPartner => "union_partner", "Trade union partner";
        Executive => "executive", "Executive";
        OrgAdmin => "org_admin", "Organisation administrator";
        Moderator => "moderator", "Staff voice moderator";
        Chair => "chair", "Chair";
        CompanySecretary => "company_secretary", "Company secretary";
        SeniorIndependentDirector => "senior_independent_director", "Senior independent director";
        SystemLead => "system_lead", "System lead";
        RegionalDirector => "regional_director", "Regional director";
        NationalAnalyst => "national_analyst", "National analyst";
        PlatformAdmin => "platform_admin", "Platform administrator";
    }
);

/// Where a role applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleScope {
    /// Held in one organisation.
    Organisation,
    /// Held in one of NHS England's regions (a regional director sees its boards' returns).
    Region,
    /// Held across the installation (national analysts see every organisation's aggregates).
    Platform,
}

impl Role {
    pub fn scope(self) -> RoleScope {
        match self {
            Role::NationalAnalyst | Role::PlatformAdmin => RoleScope::Platform,
            Role::RegionalDirector => RoleScope::Region,
            _ => RoleScope::Organisation,
        }
    }

    /// Roles that reach case content, people's records or every organisation's data must
    /// prove a second factor at sign-in.
    pub fn needs_second_factor(self) -> bool {
        matches!(
            self,
            Role::Guardian
                | Role::ErLead
                | Role::Investigator
                | Role::OrgAdmin
                | Role::Moderator
                | Role::Chair
                | Role::CompanySecretary
                | Role::SeniorIndependentDirector
                | Role::SystemLead
                | Role::RegionalDirector
                | Role::NationalAnalyst
                | Role::PlatformAdmin
        )
    }

    /// The kind of organisation a role may only be held in: a system lead's is the
    /// integrated care board whose area they look across.
    pub fn held_only_in(self) -> Option<OrgType> {
        match self {
            Role::SystemLead => Some(OrgType::Icb),
            _ => None,
        }
    }

    /// What a person holding this role can do, in plain words, for their home page.
    pub fn can_do(self) -> &'static [&'static str] {
        match self {
            Role::Staff => &[
                "Speak up about a concern to your Freedom to Speak Up Guardian",
                "Take part in staff surveys without being identified",
                "Follow and comment on your organisation's action plan",
            ],
            Role::Guardian => &[
                "Read and respond to concerns raised with you",
                "Talk to people who speak up, even when they stay anonymous",
                "See your organisation's quarterly speaking up return, sign it off and record when it is sent",
            ],
            // Only what exists: fairness figures get their card line when they are built.
            Role::ErLead => &[
                "Read and respond to grievances raised with you",
                "Move grievances through their stages, each with its time limit",
                "Check a manager's decision before any formal process starts",
            ],
            Role::Investigator => &[
                "Read the employee relations cases you are asked to investigate",
                "Add your notes and findings to those cases",
            ],
            Role::UnionPartner => &[
                "Approve your organisation's action plan with the employer",
                "See staff survey results for groups large enough to keep people anonymous",
            ],
            Role::Executive => &[
                "Approve your organisation's action plan with union partners",
                "See culture indicators and how they compare with similar organisations",
            ],
            Role::OrgAdmin => &[
                "Manage your organisation's people, roles and structure",
                "Read your organisation's audit log",
            ],
            Role::Moderator => &[
                "Read staff voice posts that were held or reported, and hide or release them with a reason",
                "Find out who wrote a post when you must, with a reason that is recorded",
            ],
            Role::Chair => &[
                "Read the fit and proper person records of your board",
                "Decide whether each board member is fit and proper",
            ],
            Role::CompanySecretary => &[
                "Keep the fit and proper person records of your board",
                "Record each check and see which checks are due",
            ],
            Role::SeniorIndependentDirector => {
                &["Decide whether your chair is fit and proper, in the yearly round"]
            }
            Role::SystemLead => &[
                "See how the organisations in your integrated care board's area rate themselves",
                "Find the gaps they have in common",
            ],
            Role::RegionalDirector => &[
                "See the fit and proper person returns of the boards in your region",
                "Download your region's summary of them",
            ],
            Role::NationalAnalyst => &[
                "Compare culture indicators across organisations",
                "Find organisations that may need support",
            ],
            Role::PlatformAdmin => &[
                "Add organisations and give people their first roles",
                "Run the installation. You cannot read case content",
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ods_codes_are_normalised_and_checked() {
        assert_eq!(
            OdsCode::parse(" rj1 ").map(|c| c.to_string()),
            Ok("RJ1".into())
        );
        assert!(OdsCode::parse("R1").is_err());
        assert!(OdsCode::parse("RJ1-X").is_err());
        assert!(OdsCode::parse("ABCDEF").is_err());
    }

    #[test]
    fn emails_are_lower_cased_and_need_a_domain() {
        assert_eq!(
            Email::parse(" Ann@Trust.NHS.uk").map(|e| e.to_string()),
            Ok("ann@trust.nhs.uk".into())
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@trust.nhs.uk",
            "ann@trust",
            "a n@x.uk",
            "a@b@c.uk",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn codes_round_trip_and_unknown_codes_name_the_choices() {
        for role in Role::ALL {
            assert_eq!(role.code().parse::<Role>(), Ok(*role));
        }
        assert_eq!(
            "Mental health".parse::<OrgType>(),
            Ok(OrgType::MentalHealth)
        );
        let err = "boss"
            .parse::<Role>()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("'boss' is not a known role"), "{err}");
        assert!(err.contains("guardian"), "{err}");
    }

    #[test]
    fn org_units_nest_one_level_at_a_time() {
        assert!(OrgUnitKind::Division.check_parent(None).is_ok());
        assert!(
            OrgUnitKind::Division
                .check_parent(Some(OrgUnitKind::Division))
                .is_err()
        );
        assert!(
            OrgUnitKind::Directorate
                .check_parent(Some(OrgUnitKind::Division))
                .is_ok()
        );
        assert!(
            OrgUnitKind::Team
                .check_parent(Some(OrgUnitKind::Directorate))
                .is_ok()
        );
        assert!(
            OrgUnitKind::Team
                .check_parent(Some(OrgUnitKind::Division))
                .is_err()
        );
        assert!(OrgUnitKind::Team.check_parent(None).is_err());
    }

    #[test]
    fn second_factor_roles_match_the_design() {
        let needing: Vec<_> = Role::ALL
            .iter()
            .filter(|r| r.needs_second_factor())
            .collect();
        assert_eq!(
            needing,
            [
                &Role::Guardian,
                &Role::ErLead,
                &Role::Investigator,
                &Role::OrgAdmin,
                &Role::Moderator,
                &Role::Chair,
                &Role::CompanySecretary,
                &Role::SeniorIndependentDirector,
                &Role::SystemLead,
                &Role::RegionalDirector,
                &Role::NationalAnalyst,
                &Role::PlatformAdmin
            ]
        );
    }

    #[test]
    fn passphrases_need_length_not_symbols() {
        assert!(check_new_passphrase("short").is_err());
        assert!(check_new_passphrase("correct horse battery").is_ok());
        assert!(check_new_passphrase(&"x".repeat(201)).is_err());
    }
}

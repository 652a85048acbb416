//! Dignity's use-cases, one module per capability: what a page, the JSON API and the
//! command line ask for, as functions on a [`Context`]. Nothing here knows about HTTP or
//! templates; `dignity-web` parses a request, calls a function here and renders what it
//! returns, and the command line calls the same functions.
//!
//! Layers (checked by `crates/dignity/tests/layers.rs`): the binary, then `dignity-web`,
//! then this crate, then `dignity-store`, then `dignity-domain`; `dignity-crypto`,
//! `dignity-engine` and `dignity-search` at the bottom.

pub mod admin;
pub mod assure;
pub mod board;
pub mod clock;
pub mod context;
pub mod data;
pub mod demo;
pub mod diagnostics;
pub mod er_cases;
pub mod error;
pub mod events;
pub mod identity;
pub mod justculture;
pub mod leadership;
pub mod library;
pub mod mail;
pub mod news;
pub mod once;
pub mod plans;
pub mod speakup;
pub mod survey;
pub mod table;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod voice;
pub mod work;
pub mod workforce;

pub use clock::Clock;
pub use context::{Context, Settings};
pub use dignity_store::{Db, StoreError};
pub use error::Error;

/// Fixtures shared by the crate's unit tests.
#[cfg(test)]
pub(crate) mod test_fixtures {
    use crate::admin::Operator;
    use crate::identity::{CurrentSession, Membership, Person};
    use dignity_domain::identity::{Name, OdsCode, OrgType, Region, Role};
    use dignity_store::identity::{NewOrganisation, OrgRef, Organisation};

    /// An acute trust in London, not stored anywhere.
    pub(crate) fn organisation(id: i64, ods: &str) -> Organisation {
        Organisation {
            id,
            ods_code: ods.into(),
            name: format!("Trust {ods}"),
            org_type: OrgType::Acute,
            region: Region::London,
            benchmark_group: "Acute".into(),
        }
    }

    /// An acute trust in London, stored.
    pub(crate) async fn stored_organisation(
        operator: &Operator,
        ods: &str,
    ) -> Result<Organisation, Box<dyn std::error::Error>> {
        Ok(operator
            .create_organisation(&NewOrganisation {
                ods_code: OdsCode::parse(ods)?,
                name: Name::parse(&format!("Trust {ods}"), "name")?,
                org_type: OrgType::Acute,
                region: Region::London,
                benchmark_group: Name::parse("Acute", "group")?,
            })
            .await?)
    }

    /// A signed-in person (id 9) holding these roles.
    pub(crate) fn holding(roles: &[(Role, &Organisation)]) -> CurrentSession {
        CurrentSession {
            person: Person {
                id: 9,
                email: "p@example.nhs.uk".into(),
                display_name: "P".into(),
                passphrase_hash: String::new(),
                totp_secret: None,
                totp_last_step: None,
                disabled: false,
            },
            memberships: roles
                .iter()
                .map(|(role, org)| Membership {
                    role: *role,
                    organisation: Some(OrgRef {
                        id: org.id,
                        ods_code: org.ods_code.to_string(),
                        name: org.name.clone(),
                    }),
                    region: None,
                })
                .collect(),
            session_digest: String::new(),
            second_factor_done: true,
            expires_at: 0,
        }
    }
}

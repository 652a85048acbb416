//! Who signs a plan for each side of the partnership: executives for the employer, union
//! partners for the trade union side. Both must sign the same version before the plan is
//! published (`dignity_domain::plans::signed_by_both`).

use super::{Signed, desk};
use crate::identity::{CurrentSession, Organisation};
use crate::{Context, Error};
use dignity_domain::identity::Role;
use dignity_domain::plans::Side;

/// The role that signs for a side.
pub const fn signer_role(side: Side) -> Role {
    match side {
        Side::Employer => Role::Executive,
        Side::Union => Role::UnionPartner,
    }
}

/// Everyone who signs a plan, for one side or the other: who may review it for signing.
pub const SIGNERS: &[Role] = &[signer_role(Side::Employer), signer_role(Side::Union)];

/// The sides this person may sign for in the organisation.
pub fn sides_for(session: &CurrentSession, organisation: &Organisation) -> Vec<Side> {
    Side::ALL
        .iter()
        .copied()
        .filter(|side| session.has_org_role(&organisation.ods_code, &[signer_role(*side)]))
        .collect()
}

/// Signs the plan for `side`, as it was at `seen_version` when they read it. Refused
/// unless they hold that side's role in the organisation; a conflict when the plan has
/// changed since they read it.
pub async fn sign(
    ctx: &Context,
    session: &CurrentSession,
    organisation: &Organisation,
    plan_id: i64,
    side: Side,
    seen_version: i64,
) -> Result<Signed, Error> {
    if !sides_for(session, organisation).contains(&side) {
        return Err(Error::Forbidden);
    }
    desk(ctx, &session.person.email, organisation)
        .approve(plan_id, session.person.id, side, seen_version)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Backend;
    use crate::test_fixtures::{holding, organisation};

    #[test]
    fn the_signers_are_the_roles_that_sign_for_a_side() {
        let roles: Vec<Role> = Side::ALL.iter().map(|side| signer_role(*side)).collect();
        assert_eq!(SIGNERS, roles);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn only_an_executive_signs_for_the_employer_and_a_union_partner_for_the_union() {
        let (rj1, rx1) = (organisation(1, "RJ1"), organisation(2, "RX1"));
        let executive = holding(&[(Role::Executive, &rj1)]);
        let partner = holding(&[(Role::UnionPartner, &rj1)]);
        let both = holding(&[(Role::UnionPartner, &rj1), (Role::Executive, &rj1)]);
        let admin = holding(&[(Role::OrgAdmin, &rj1), (Role::Executive, &rx1)]);
        assert_eq!(sides_for(&executive, &rj1), [Side::Employer]);
        assert_eq!(sides_for(&partner, &rj1), [Side::Union]);
        assert_eq!(sides_for(&both, &rj1), [Side::Employer, Side::Union]);
        assert_eq!(
            sides_for(&admin, &rj1),
            [],
            "an executive elsewhere signs nothing here"
        );

        let test_db = dignity_store::scratch::ScratchDb::new(Backend::Sqlite)
            .await
            .unwrap();
        let ctx = Context::new(test_db.db.clone(), crate::Settings::default()).unwrap();
        for (who, side) in [(&executive, Side::Union), (&partner, Side::Employer)] {
            let refused = sign(&ctx, who, &rj1, 1, side, 1).await.unwrap_err();
            assert!(matches!(refused, Error::Forbidden), "{refused}");
        }
        // Allowed to sign, so the store is asked, and there is no such plan.
        let missing = sign(&ctx, &executive, &rj1, 1, Side::Employer, 1)
            .await
            .unwrap_err();
        assert!(matches!(missing, Error::NotFound(_)), "{missing}");
        test_db.finish().await;
    }
}

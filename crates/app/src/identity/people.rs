//! Looking after people and their roles from the pages (issue 22): an organisation's
//! administrators for the people of their organisation, the platform's administrators for
//! everyone. Every change needs a reason and is audited; nobody changes their own roles
//! here, so one administrator cannot quietly give themselves a guardian's access.

use super::{CurrentSession, Membership, Organisation, Person};
use crate::{Context, Error};
use dignity_domain::identity::{Email, InvalidValue, Region, Role, RoleScope};
use dignity_store::identity as people_store;
use dignity_store::mail::NewMail;
use dignity_store::roles::{self as store, Change, Place};

/// The longest reason kept with a change.
pub const MOST_REASON_CHARS: usize = 500;
/// People on one page of a list.
pub const PAGE_SIZE: i64 = 25;

/// Whose people an administrator is looking after.
#[derive(Debug, Clone)]
pub enum Scope {
    /// One organisation's, by its administrators (or the platform's).
    Organisation(Organisation),
    /// Everyone's, by the platform's administrators.
    Everyone,
}

impl Scope {
    fn organisation(&self) -> Option<&Organisation> {
        match self {
            Scope::Organisation(org) => Some(org),
            Scope::Everyone => None,
        }
    }

    /// Whether the administrator roles it takes are held.
    fn allows(&self, session: &CurrentSession) -> bool {
        let platform = session.has_platform_role(&[Role::PlatformAdmin]);
        match self {
            Scope::Organisation(org) => {
                platform || session.has_org_role(org.ods_code.as_str(), &[Role::OrgAdmin])
            }
            Scope::Everyone => platform,
        }
    }
}

/// Where a role is to be held, as the platform's administrators choose it.
#[derive(Debug, Clone)]
pub enum RolePlace {
    Organisation(Organisation),
    Region(Region),
    Installation,
}

impl RolePlace {
    fn as_place(&self) -> Place<'_> {
        match self {
            RolePlace::Organisation(org) => Place::Organisation(org),
            RolePlace::Region(region) => Place::Region(*region),
            RolePlace::Installation => Place::Installation,
        }
    }

    fn words(&self) -> String {
        match self {
            RolePlace::Organisation(org) => format!(" in {}", org.name),
            RolePlace::Region(region) => format!(" in the {} region", region.label()),
            RolePlace::Installation => " across Dignity".to_owned(),
        }
    }
}

/// A reason as typed: trimmed, said, and short enough to keep.
pub fn check_reason(typed: &str) -> Result<String, Error> {
    let reason = typed.trim();
    if reason.is_empty() {
        return Err(InvalidValue::Message("Say why you are making this change").into());
    }
    if reason.chars().count() > MOST_REASON_CHARS {
        return Err(InvalidValue::Message("Give a reason of 500 characters or fewer").into());
    }
    // Line breaks become spaces: the audit log shows one line per change. Marks that
    // turn text round or hide it would let a reason read differently from what is kept.
    if reason.chars().any(|c| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            || dignity_domain::diagnostics::is_hidden_mark(c)
            || matches!(c, '\u{2800}' | '\u{fffc}' | '\u{fffd}')
    }) {
        return Err(InvalidValue::Message("The reason has a hidden character in it").into());
    }
    // Something a reader can see: a reason of only blank-looking or stacked marks says
    // nothing, however long it is.
    if !reason.chars().any(char::is_alphanumeric) || stacks_marks(reason) {
        return Err(InvalidValue::Message("Say why in words").into());
    }
    Ok(reason.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Whether combining marks pile up on one letter (more than three in a row): text that
/// spills over the lines around it.
fn stacks_marks(text: &str) -> bool {
    let combining = |c: char| {
        matches!(
            c,
            '\u{0300}'..='\u{036f}'
                | '\u{0483}'..='\u{0489}'
                | '\u{1ab0}'..='\u{1aff}'
                | '\u{1dc0}'..='\u{1dff}'
                | '\u{20d0}'..='\u{20ff}'
                | '\u{fe20}'..='\u{fe2f}'
        )
    };
    let mut run = 0;
    for c in text.chars() {
        run = if combining(c) { run + 1 } else { 0 };
        if run > 3 {
            return true;
        }
    }
    false
}

/// A person in a list, with the roles the administrator may see.
#[derive(Debug, Clone)]
pub struct Listed {
    pub person: Person,
    pub roles: Vec<Membership>,
}

/// One page of people.
#[derive(Debug, Clone)]
pub struct PeoplePage {
    pub people: Vec<Listed>,
    /// How many match in all.
    pub total: i64,
    pub page: i64,
}

impl PeoplePage {
    pub fn pages(&self) -> i64 {
        ((self.total + PAGE_SIZE - 1) / PAGE_SIZE).max(1)
    }
}

/// The roles an organisation's administrators see: those held in it. The rest of a
/// person's roles are other organisations' business.
fn visible(scope: &Scope, memberships: Vec<Membership>) -> Vec<Membership> {
    match scope {
        Scope::Organisation(org) => memberships
            .into_iter()
            .filter(|m| m.organisation.as_ref().is_some_and(|o| o.id == org.id))
            .collect(),
        Scope::Everyone => memberships,
    }
}

/// Page `page` (from 1) of the people whose name or address contains `query`.
pub async fn search(
    ctx: &Context,
    session: &CurrentSession,
    scope: &Scope,
    query: &str,
    page: i64,
) -> Result<PeoplePage, Error> {
    if !scope.allows(session) {
        return Err(Error::Forbidden);
    }
    if query.chars().count() > 200 {
        return Err(InvalidValue::Message("Search for 200 characters or fewer").into());
    }
    let page = page.max(1);
    let offset = (page - 1).saturating_mul(PAGE_SIZE);
    let (total, found) = store::search(
        &ctx.db,
        scope.organisation().map(|o| o.id),
        query,
        offset,
        PAGE_SIZE,
    )
    .await?;
    let mut people = Vec::with_capacity(found.len());
    for person in found {
        let roles = visible(scope, people_store::memberships(&ctx.db, person.id).await?);
        people.push(Listed { person, roles });
    }
    Ok(PeoplePage {
        people,
        total,
        page,
    })
}

/// A role held, as an administrator's page shows it.
#[derive(Debug, Clone)]
pub struct HeldRole {
    pub membership: Membership,
    /// Given by the organisation's identity provider from a group: it comes back at their
    /// next sign-in while they are still in the group.
    pub from_provider: bool,
}

/// One person, as their administrator's page shows them.
#[derive(Debug, Clone)]
pub struct PersonView {
    pub person: Person,
    pub roles: Vec<HeldRole>,
    pub has_passphrase: bool,
    pub has_second_step: bool,
    /// The identity providers they sign in with, by the name staff know them by.
    pub providers: Vec<String>,
    /// The organisation's identity provider turned them off there (SCIM).
    pub turned_off_here: bool,
    /// Whether it is the administrator looking at themselves: nothing can be changed.
    pub is_self: bool,
}

async fn find(
    ctx: &Context,
    session: &CurrentSession,
    scope: &Scope,
    person_id: i64,
) -> Result<Person, Error> {
    if !scope.allows(session) {
        return Err(Error::Forbidden);
    }
    let found = match scope {
        Scope::Organisation(org) => store::find_in_organisation(&ctx.db, org.id, person_id).await?,
        Scope::Everyone => Some(people_store::get_person(&ctx.db, person_id).await?),
    };
    // Someone outside the organisation is "not found", so its administrators cannot
    // learn who else has an account.
    found.ok_or_else(|| Error::NotFound("There is nobody with that number here".into()))
}

/// The person `person_id`, if the scope holds them.
pub async fn person(
    ctx: &Context,
    session: &CurrentSession,
    scope: &Scope,
    person_id: i64,
) -> Result<PersonView, Error> {
    let person = find(ctx, session, scope, person_id).await?;
    let roles = store::held(&ctx.db, person.id)
        .await?
        .into_iter()
        .filter(|held| match scope {
            Scope::Organisation(org) => held
                .membership
                .organisation
                .as_ref()
                .is_some_and(|o| o.id == org.id),
            Scope::Everyone => true,
        })
        .map(|held| HeldRole {
            membership: held.membership,
            from_provider: held.from_provider,
        })
        .collect();
    let providers = store::linked_issuers(&ctx.db, person.id)
        .await?
        .into_iter()
        .map(|issuer| {
            ctx.single_sign_on
                .providers
                .iter()
                .find(|p| p.issuer == issuer)
                .map(|p| p.label.clone())
                .unwrap_or(issuer)
        })
        .collect();
    let turned_off_here = match scope {
        Scope::Organisation(org) => {
            dignity_store::provisioning::turned_off_in(&ctx.db, org.id, person.id).await?
        }
        Scope::Everyone => false,
    };
    Ok(PersonView {
        has_passphrase: !person.passphrase_hash.is_empty(),
        has_second_step: person.totp_secret.is_some(),
        is_self: person.id == session.person.id,
        person,
        roles,
        providers,
        turned_off_here,
    })
}

fn not_yourself(session: &CurrentSession, person: &Person) -> Result<(), Error> {
    if person.id == session.person.id {
        return Err(Error::Conflict(
            "You cannot change your own roles or sessions here. Ask another administrator".into(),
        ));
    }
    Ok(())
}

/// Where a change in `scope` may put a role: an organisation's administrators only in
/// their organisation.
fn place_in_scope(scope: &Scope, place: RolePlace) -> Result<RolePlace, Error> {
    match (scope, &place) {
        (Scope::Everyone, _) => Ok(place),
        (Scope::Organisation(org), RolePlace::Organisation(chosen)) if chosen.id == org.id => {
            Ok(place)
        }
        (Scope::Organisation(_), _) => Err(Error::Forbidden),
    }
}

/// The mail a role change sends: to the person, so a change they did not expect does not
/// go unseen; and, when the role reaches cases, people's records or every organisation's
/// data, to the place's other administrators, so no single administrator can hand such
/// access out unnoticed.
async fn notices(
    ctx: &Context,
    admin: Admin<'_>,
    person: &Person,
    role: Role,
    place: &RolePlace,
    given: bool,
    reason: &str,
) -> Result<Vec<NewMail>, Error> {
    if !admin.mail_on {
        return Ok(Vec::new());
    }
    let session = admin.session;
    let purpose = format!("roles:{}", person.id);
    let where_words = place.words();
    let (subject, what) = if given {
        (
            "You have a new role in Dignity",
            format!("You now have the role {}{where_words}.", role.label()),
        )
    } else {
        (
            "A role has been taken away in Dignity",
            format!("You no longer have the role {}{where_words}.", role.label()),
        )
    };
    let mut mails = vec![NewMail {
        purpose: purpose.clone(),
        to: person.email.clone(),
        subject: subject.into(),
        body: format!(
            "Hello {},\n\n{what}\n\n{} made this change. The reason they gave: {reason}\n\nIf you did not expect this, speak to your organisation's Dignity administrators.\n",
            person.display_name, session.person.display_name
        ),
        attachment: None,
    }];
    if role.needs_second_factor() {
        let (admin_role, organisation_id) = match place {
            RolePlace::Organisation(org) => (Role::OrgAdmin, Some(org.id)),
            RolePlace::Region(_) | RolePlace::Installation => (Role::PlatformAdmin, None),
        };
        let changed = if given { "gave" } else { "took away" };
        for to in store::holders(&ctx.db, admin_role, organisation_id, session.person.id).await? {
            if to == person.email {
                continue;
            }
            mails.push(NewMail {
                purpose: purpose.clone(),
                to,
                subject: "A role that reaches sensitive information has changed".into(),
                body: format!(
                    "{} {changed} the role {}{where_words} for {} ({}).\n\nThe reason they gave: {reason}\n\nYou are told because you are an administrator there. If this is not right, change it back and tell your information governance lead.\n",
                    session.person.display_name,
                    role.label(),
                    person.display_name,
                    person.email
                ),
                attachment: None,
            });
        }
    }
    Ok(mails)
}

/// Who is making a change, and whether this installation can send mail (without a mail
/// relay, nobody is told by mail rather than mail left that never goes).
#[derive(Debug, Clone, Copy)]
pub struct Admin<'a> {
    pub session: &'a CurrentSession,
    pub mail_on: bool,
}

/// Gives `person_id` a role, audited with the reason; the person and, for sensitive
/// roles, the other administrators are told by mail.
pub async fn give_role(
    ctx: &Context,
    admin: Admin<'_>,
    scope: &Scope,
    person_id: i64,
    role: Role,
    place: RolePlace,
    typed_reason: &str,
) -> Result<(), Error> {
    let person = find(ctx, admin.session, scope, person_id).await?;
    give(ctx, admin, scope, &person, role, place, typed_reason).await
}

async fn give(
    ctx: &Context,
    admin: Admin<'_>,
    scope: &Scope,
    person: &Person,
    role: Role,
    place: RolePlace,
    typed_reason: &str,
) -> Result<(), Error> {
    let session = admin.session;
    let place = place_in_scope(scope, place)?;
    let reason = check_reason(typed_reason)?;
    not_yourself(session, person)?;
    if person.disabled {
        return Err(Error::Conflict(
            "Their account is turned off, so a role would do nothing. A platform administrator can turn it on"
                .into(),
        ));
    }
    if let RolePlace::Organisation(org) = &place
        && dignity_store::provisioning::turned_off_in(&ctx.db, org.id, person.id).await?
    {
        return Err(Error::Conflict(format!(
            "{}'s identity provider turned them off there. Turn them on in the provider first",
            org.name
        )));
    }
    let mails = notices(ctx, admin, person, role, &place, true, &reason).await?;
    let change = Change {
        person,
        role,
        place: place.as_place(),
        reason: Some(&reason),
    };
    store::grant(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        &change,
        &mails,
    )
    .await?;
    Ok(())
}

/// Gives the role to whoever has an account with this address, in the organisation, so
/// they join its people. Returns who it was.
pub async fn give_role_by_email(
    ctx: &Context,
    admin: Admin<'_>,
    organisation: &Organisation,
    typed_email: &str,
    role: Role,
    typed_reason: &str,
) -> Result<i64, Error> {
    let scope = Scope::Organisation(organisation.clone());
    if !scope.allows(admin.session) {
        return Err(Error::Forbidden);
    }
    let email = Email::parse(typed_email.trim())?;
    if role.scope() != RoleScope::Organisation {
        return Err(InvalidValue::Message("Choose a role held in this organisation").into());
    }
    // Only someone already here, at one of the organisation's own addresses, or with no
    // role anywhere: another organisation's people are added by a platform
    // administrator. The same answer for every other address, so the form does not tell
    // who has an account elsewhere (outside attack, December 2026: an organisation's
    // administrator pulled another trust's executive in, then signed them out).
    let found = people_store::find_person_by_email(&ctx.db, &email).await?;
    let mut addable = None;
    if let Some(person) = found {
        let own_address = ctx.single_sign_on.providers.iter().any(|p| {
            p.organisation
                .eq_ignore_ascii_case(organisation.ods_code.as_str())
                && p.speaks_for(&email)
        });
        let here = store::find_in_organisation(&ctx.db, organisation.id, person.id)
            .await?
            .is_some();
        let nowhere = people_store::memberships(&ctx.db, person.id)
            .await?
            .is_empty();
        // A turned-off account gets the same answer too: it cannot be given a role.
        if (own_address || here || nowhere) && !person.disabled {
            addable = Some(person);
        }
    }
    let Some(person) = addable else {
        return Err(Error::NotFound(
            "We could not find an account with that address that you can add here. Staff get an account the first time they sign in with their work account. Someone from another organisation is added by a platform administrator"
                .into(),
        ));
    };
    give(
        ctx,
        admin,
        &scope,
        &person,
        role,
        RolePlace::Organisation(organisation.clone()),
        typed_reason,
    )
    .await?;
    Ok(person.id)
}

/// Takes a role away, audited with the reason; the person and, for sensitive roles, the
/// other administrators are told. Any case key the person unlocked is dropped: if they
/// still hold a role that uses it, they unlock it again.
pub async fn take_role(
    ctx: &Context,
    admin: Admin<'_>,
    scope: &Scope,
    person_id: i64,
    role: Role,
    place: RolePlace,
    typed_reason: &str,
) -> Result<(), Error> {
    let session = admin.session;
    let person = find(ctx, session, scope, person_id).await?;
    let place = place_in_scope(scope, place)?;
    let reason = check_reason(typed_reason)?;
    not_yourself(session, &person)?;
    let mails = notices(ctx, admin, &person, role, &place, false, &reason).await?;
    let change = Change {
        person: &person,
        role,
        place: place.as_place(),
        reason: Some(&reason),
    };
    let sessions = store::revoke(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        &change,
        &mails,
    )
    .await?;
    for digest in sessions {
        ctx.keys.remove(&digest);
    }
    Ok(())
}

/// Signs the person out everywhere, audited with the reason, and drops any key they
/// unlocked.
pub async fn end_sessions(
    ctx: &Context,
    session: &CurrentSession,
    scope: &Scope,
    person_id: i64,
    typed_reason: &str,
) -> Result<(), Error> {
    let person = find(ctx, session, scope, person_id).await?;
    let reason = check_reason(typed_reason)?;
    not_yourself(session, &person)?;
    // Sessions are not an organisation's: one organisation's administrators do not sign
    // out someone who also works for another.
    if let Scope::Organisation(org) = scope
        && people_store::memberships(&ctx.db, person.id)
            .await?
            .iter()
            .any(|m| m.organisation.as_ref().is_none_or(|o| o.id != org.id))
    {
        return Err(Error::Conflict(format!(
            "They also have a role outside {}, so only a platform administrator can sign them out everywhere. Taking away their roles here stops them using those roles at once",
            org.name
        )));
    }
    let ended = store::end_sessions(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        &person,
        scope.organisation(),
        &reason,
    )
    .await?;
    for digest in ended {
        ctx.keys.remove(&digest);
    }
    Ok(())
}

/// Turns an account off (signed out everywhere; it cannot sign in) or on again, by the
/// platform's administrators only, audited with the reason. Its roles are kept.
pub async fn set_account_on(
    ctx: &Context,
    session: &CurrentSession,
    person_id: i64,
    on: bool,
    typed_reason: &str,
) -> Result<(), Error> {
    let person = find(ctx, session, &Scope::Everyone, person_id).await?;
    let reason = check_reason(typed_reason)?;
    not_yourself(session, &person)?;
    if person.disabled != on {
        return Err(Error::Conflict(if on {
            "Their account is already on".into()
        } else {
            "Their account is already off".into()
        }));
    }
    let ended = store::set_account_on(
        &ctx.db,
        &session.person.email,
        ctx.clock.now(),
        &person,
        on,
        &reason,
    )
    .await?;
    for digest in ended {
        ctx.keys.remove(&digest);
    }
    Ok(())
}

/// The organisation with this ODS code, for a role the platform's administrators place.
pub async fn organisation_for_role(ctx: &Context, typed: &str) -> Result<Organisation, Error> {
    let code = dignity_domain::identity::OdsCode::parse(typed.trim()).map_err(|_| {
        Error::Invalid(InvalidValue::Message(
            "Enter the ODS code of an organisation on Dignity, such as RJ1",
        ))
    })?;
    people_store::find_organisation(&ctx.db, &code)
        .await?
        .ok_or_else(|| {
            Error::Invalid(InvalidValue::Message(
                "There is no organisation with that ODS code on Dignity",
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::check_reason as reason;

    #[test]
    fn reasons_are_said_kept_short_and_on_one_line() {
        assert!(reason("   ").is_err());
        assert!(reason(&"a".repeat(501)).is_err());
        assert!(reason("bad\u{7}bell").is_err());
        assert!(reason("fine\u{202e}enif").is_err());
        assert!(reason("\u{2800}").is_err());
        assert!(reason("...").is_err());
        assert!(reason(&format!("a{}", "\u{301}".repeat(40))).is_err());
        assert!(reason("Café owner, naïve").is_ok());
        assert_eq!(
            reason(" New guardian,\r\nappointed by the board ").ok(),
            Some("New guardian, appointed by the board".to_owned())
        );
    }
}

//! The public home page, the signed-in home page, and the pages every site must have.

use crate::access::{Access, CurrentUser};
use crate::error::AppError;
use crate::pages::{Chrome, render};
use crate::routes::Routes;
use crate::state::AppState;
use askama::Template;
use axum::Extension;
use axum::extract::State;
use axum::response::Html;
use dignity_app::speakup::casework;
use dignity_app::speakup::signoff::{self, Progress};
use dignity_domain::identity::Role;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/", Access::Public, public_home)
        .get("/home", Access::SignedIn, signed_in_home)
        .get("/accessibility", Access::Public, accessibility)
        .get("/cookies", Access::Public, cookies)
        .get("/signed-out", Access::Public, signed_out)
}

#[derive(Template)]
#[template(path = "home/public.html")]
struct PublicHome {
    chrome: Chrome,
    signed_in: bool,
}

async fn public_home(chrome: Chrome) -> Result<Html<String>, AppError> {
    let signed_in = chrome.user_name.is_some();
    render(&PublicHome {
        chrome: chrome.titled("Respect at work in the NHS"),
        signed_in,
    })
}

/// One role in one place, with what it lets the person do.
struct RoleCard {
    place: String,
    /// `org-` and the organisation's ODS code on its first card, so an organisation's
    /// pages can lead back up to it (their breadcrumbs name the organisation).
    anchor: Option<String>,
    role: &'static str,
    can_do: &'static [&'static str],
    links: Vec<(String, &'static str)>,
    /// For caseworkers: their open and overdue cases, each linking to the list filtered.
    cases: Option<CaseCounts>,
    /// For employee relations leads: their employee relations cases.
    er: Option<ErCounts>,
    /// For guardians: where the last quarter's return has got to.
    last_return: Option<ReturnLine>,
    /// For employee relations leads: decision guide records waiting for their check, and
    /// where they are listed.
    checks_waiting: Option<(i64, String)>,
}

/// The last quarter's return on a guardian's card: "Return for July to September 2026:
/// not signed off", linking to it.
struct ReturnLine {
    href: String,
    months: String,
    progress: &'static str,
    /// Still to do: shown in bold.
    to_do: bool,
}

async fn return_line(state: &AppState, ods: &str) -> Result<ReturnLine, AppError> {
    let org = casework::organisation(&state.app, ods).await?;
    let (quarter, progress) = signoff::last_return_progress(&state.app, &org).await?;
    let (progress, to_do) = match progress {
        Progress::NotSignedOff => ("not signed off", true),
        Progress::SignedOff => ("signed off, not sent yet", true),
        Progress::Sent => ("sent to the National Guardian's Office", false),
    };
    Ok(ReturnLine {
        href: format!("/orgs/{ods}/speak-up/return?quarter={quarter}"),
        months: quarter.months(),
        progress,
        to_do,
    })
}

/// A caseworker's open and overdue cases, with the filtered list each links to.
struct CaseCounts {
    open: usize,
    overdue: usize,
    open_href: String,
    overdue_href: String,
    /// What the cases are, one and many: an employee relations lead's Speak Up cases are
    /// grievances, not their employee relations cases.
    what: (&'static str, &'static str),
}

/// An employee relations lead's own cases: open, past their time limit, and suspension
/// reviews due, with where each is listed.
struct ErCounts {
    open: usize,
    late: usize,
    reviews_due: usize,
    href: String,
}

async fn er_counts(state: &AppState, user: &CurrentUser, ods: &str) -> Result<ErCounts, AppError> {
    use dignity_app::er_cases::{self, Filter, Order};
    let organisation = crate::identity::orgs::organisation(state, ods).await?;
    let open = er_cases::list(
        &state.app,
        user,
        &organisation,
        Filter {
            open: Some(true),
            ..Filter::default()
        },
        Order::LongestInStage,
    )
    .await?;
    let limits = er_cases::timescales(&state.app, &organisation).await?;
    let today = state.app.clock.today();
    let late = open
        .iter()
        .filter(|c| {
            limits
                .days_over(c.stage, c.stage_since, c.fast_track.0, today)
                .is_some()
        })
        .count();
    let reviews_due = er_cases::reviews_due(&state.app, user, &organisation)
        .await?
        .len();
    Ok(ErCounts {
        open: open.len(),
        late,
        reviews_due,
        href: format!("/orgs/{ods}/er-cases"),
    })
}

/// The counts on a guardian's or employee relations lead's card.
async fn case_counts(
    state: &AppState,
    user: &CurrentUser,
    ods: &str,
) -> Result<CaseCounts, AppError> {
    let org = casework::organisation(&state.app, ods).await?;
    let counts = casework::counts(&state.app, user, &org).await?;
    Ok(CaseCounts {
        open: counts.open,
        overdue: counts.overdue,
        open_href: format!("/orgs/{ods}/speak-up?status=open"),
        overdue_href: format!("/orgs/{ods}/speak-up?overdue=yes"),
        what: if user.has_org_role(ods, &[Role::Guardian]) {
            ("case", "cases")
        } else {
            ("Speak Up grievance", "Speak Up grievances")
        },
    })
}

#[derive(Template)]
#[template(path = "home/signed_in.html")]
struct SignedInHome {
    chrome: Chrome,
    name: String,
    cards: Vec<RoleCard>,
    /// Their organisation's sign-in service, when their account is not joined to it yet.
    join_provider: Option<(String, String)>,
}

async fn signed_in_home(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
) -> Result<Html<String>, AppError> {
    let mut cards: Vec<RoleCard> = user
        .memberships
        .iter()
        .map(|m| {
            let mut links = match (&m.organisation, m.role) {
                (Some(org), Role::Guardian) => vec![
                    (format!("/orgs/{}/speak-up", org.ods_code), "Speak Up cases"),
                    (
                        format!("/orgs/{}/speak-up/return", org.ods_code),
                        "Quarterly Speak Up return",
                    ),
                ],
                (Some(org), Role::Executive | Role::UnionPartner) => vec![
                    (
                        format!("/orgs/{}/surveys", org.ods_code),
                        "Staff survey results",
                    ),
                    (format!("/orgs/{}/plans", org.ods_code), "Action plans"),
                    (
                        format!("/orgs/{}/speak-up/trends", org.ods_code),
                        "Speaking up trends",
                    ),
                    (
                        format!("/orgs/{}/speak-up/return", org.ods_code),
                        "Quarterly Speak Up return",
                    ),
                ],
                (Some(org), Role::ErLead) => {
                    vec![(
                        format!("/orgs/{}/speak-up", org.ods_code),
                        "Speak Up cases: grievances passed to you",
                    )]
                }
                (Some(org), Role::Investigator) => vec![(
                    format!("/orgs/{}/er-cases/investigating", org.ods_code),
                    "Cases you are investigating",
                )],
                (None, Role::NationalAnalyst) => vec![
                    (
                        "/national/speak-up".to_owned(),
                        "Speaking up across organisations",
                    ),
                    ("/national/surveys".to_owned(), "Staff survey oversight"),
                    (
                        "/national/culture-and-care".to_owned(),
                        "Culture and care across organisations",
                    ),
                    (
                        "/national/self-assessments".to_owned(),
                        "Self-assessments across organisations",
                    ),
                    (
                        "/national/boards".to_owned(),
                        "National register of board members",
                    ),
                ],
                (Some(org), Role::SystemLead) => vec![(
                    format!("/orgs/{}/system/self-assessments", org.ods_code),
                    "Self-assessments across your area",
                )],
                (None, Role::PlatformAdmin) => vec![
                    ("/admin/people".to_owned(), "People, roles and accounts"),
                    ("/library/manage".to_owned(), "Look after the library"),
                ],
                (None, Role::RegionalDirector) => m
                    .region
                    .map(|r| {
                        vec![(
                            format!("/regions/{}/boards", r.code()),
                            "Fit and proper returns of the boards in your region",
                        )]
                    })
                    .unwrap_or_default(),
                (Some(org), Role::Staff) => vec![
                    (
                        format!("/speak-up/{}", org.ods_code),
                        "Speak up about a concern",
                    ),
                    ("/survey".to_owned(), "Answer a staff survey with your code"),
                    (
                        format!("/plans/{}", org.ods_code),
                        "Read and comment on our plan to tackle bullying",
                    ),
                    (
                        format!("/library?org={}", org.ods_code),
                        "Our policies, contacts and the library",
                    ),
                ],
                (Some(org), Role::OrgAdmin) => vec![
                    (
                        format!("/orgs/{}/surveys", org.ods_code),
                        "Staff survey results",
                    ),
                    (format!("/orgs/{}/plans", org.ods_code), "Action plans"),
                    (
                        format!("/orgs/{}/plan-comments", org.ods_code),
                        "Staff comments on plans",
                    ),
                    (
                        format!("/orgs/{}/library", org.ods_code),
                        "Our policies and contacts in the library",
                    ),
                    ("/library/manage".to_owned(), "Look after the library"),
                    (format!("/orgs/{}/people", org.ods_code), "People and roles"),
                    (
                        format!("/orgs/{}/structure", org.ods_code),
                        "Divisions, directorates and teams",
                    ),
                    (format!("/orgs/{}/audit", org.ods_code), "Audit log"),
                    (
                        format!("/orgs/{}/privacy/edit", org.ods_code),
                        "Your privacy notice",
                    ),
                ],
                _ => Vec::new(),
            };
            if let Some(org) = &m.organisation
                && dignity_app::workforce::overview::READERS.contains(&m.role)
            {
                links.push((
                    format!("/orgs/{}/workforce", org.ods_code),
                    "Workforce figures",
                ));
            }
            if let Some(org) = &m.organisation
                && dignity_app::justculture::MANAGERS.contains(&m.role)
            {
                links.push((
                    format!("/orgs/{}/just-culture", org.ods_code),
                    if dignity_app::justculture::CHECKERS.contains(&m.role) {
                        "Just culture: decision guide records and checks"
                    } else {
                        "Just culture decision guide, before you take an incident further"
                    },
                ));
            }
            if let Some(org) = &m.organisation
                && dignity_app::board::READERS.contains(&m.role)
            {
                links.push((
                    format!("/orgs/{}/culture-and-care", org.ods_code),
                    "Culture and care: your culture beside your outcomes",
                ));
            }
            if let Some(org) = &m.organisation
                && dignity_app::board::pack::READERS.contains(&m.role)
            {
                links.push((
                    format!("/orgs/{}/board-pack", org.ods_code),
                    "Board pack: every figure for a quarter in one document",
                ));
            }
            if let Some(org) = &m.organisation
                && dignity_app::diagnostics::OVERSEERS.contains(&m.role)
            {
                links.push((
                    format!("/orgs/{}/self-assessments", org.ods_code),
                    "Self-assessments of wellbeing and culture",
                ));
            }
            if let Some(org) = &m.organisation
                && dignity_app::leadership::VIEWERS.contains(&m.role)
            {
                links.push((
                    format!("/orgs/{}/board", org.ods_code),
                    "Board members and their fit and proper person checks",
                ));
            }
            if let Some(org) = &m.organisation
                && dignity_app::er_cases::LEADS.contains(&m.role)
            {
                links.push((
                    format!("/orgs/{}/er-cases", org.ods_code),
                    "Employee relations cases",
                ));
            }
            if let Some(org) = &m.organisation
                && dignity_app::workforce::standards::READERS.contains(&m.role)
            {
                links.push((
                    format!("/orgs/{}/workforce/wres", org.ods_code),
                    "Race equality (WRES) from staff records",
                ));
                links.push((
                    format!("/orgs/{}/workforce/wdes", org.ods_code),
                    "Disability equality (WDES) from staff records",
                ));
            }
            RoleCard {
                anchor: None,
                place: match (&m.organisation, m.region) {
                    (Some(o), _) => o.name.clone(),
                    (None, Some(region)) => format!("{} region", region.label()),
                    (None, None) => "All organisations".into(),
                },
                role: m.role.label(),
                can_do: m.role.can_do(),
                links,
                cases: None,
                er: None,
                last_return: None,
                checks_waiting: None,
            }
        })
        .collect();
    let mut anchored = std::collections::HashSet::new();
    let board_records = dignity_app::leadership::own_records(&state.app, &user).await?;
    for (card, m) in cards.iter_mut().zip(&user.memberships) {
        if let Some(org) = &m.organisation
            && anchored.insert(org.ods_code.clone())
        {
            card.anchor = Some(format!("org-{}", org.ods_code));
            // A board member's own record, on their first card in that organisation.
            for (at, record) in &board_records {
                if at.id == org.id {
                    card.links.push((
                        format!("/orgs/{}/board/members/{}", org.ods_code, record.id),
                        "Your board record and yearly declaration",
                    ));
                }
            }
        }
        if let Some(org) = &m.organisation
            && casework::reads_some_case(&[m.role])
        {
            card.cases = Some(case_counts(&state, &user, org.ods_code.as_str()).await?);
        }
        if let (Some(org), Role::ErLead) = (&m.organisation, m.role) {
            card.er = Some(er_counts(&state, &user, org.ods_code.as_str()).await?);
            let organisation = crate::identity::orgs::organisation(&state, &org.ods_code).await?;
            card.checks_waiting =
                dignity_app::justculture::checks_waiting(&state.app, &user, &organisation)
                    .await?
                    .map(|n| (n, format!("/orgs/{}/just-culture", org.ods_code)));
        }
        if let (Some(org), Role::Guardian) = (&m.organisation, m.role) {
            card.last_return = Some(return_line(&state, org.ods_code.as_str()).await?);
        }
    }
    render(&SignedInHome {
        chrome: chrome.titled("Your home"),
        name: user.person.display_name.clone(),
        cards,
        join_provider: dignity_app::identity::provider::joinable(&state.app, &user).await?,
    })
}

#[derive(Template)]
#[template(path = "home/accessibility.html")]
struct Accessibility {
    chrome: Chrome,
}

async fn accessibility(chrome: Chrome) -> Result<Html<String>, AppError> {
    render(&Accessibility {
        chrome: chrome.titled("Accessibility statement"),
    })
}

#[derive(Template)]
#[template(path = "home/cookies.html")]
struct Cookies {
    chrome: Chrome,
    session_cookie: &'static str,
    form_cookie: &'static str,
    /// Only an installation with organisations' own sign-in services sets the third.
    providers_configured: bool,
    sign_in_cookie: &'static str,
}

/// The cookies page names the cookies as this installation sets them (`__Host-` ones
/// behind HTTPS).
async fn cookies(State(state): State<AppState>, chrome: Chrome) -> Result<Html<String>, AppError> {
    render(&Cookies {
        chrome: chrome.titled("Cookies"),
        session_cookie: crate::session::session_cookie_name(&state.settings),
        form_cookie: crate::csrf::cookie_name(&state),
        providers_configured: !state.app.single_sign_on.providers.is_empty(),
        sign_in_cookie: crate::identity::provider::request_cookie_name(&state.settings),
    })
}

#[derive(Template)]
#[template(path = "signed_out.html")]
struct SignedOut {
    chrome: Chrome,
}

async fn signed_out(chrome: Chrome) -> Result<Html<String>, AppError> {
    render(&SignedOut {
        chrome: chrome.titled("You have signed out"),
    })
}

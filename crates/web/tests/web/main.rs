//! The web layer end to end, on SQLite and PostgreSQL: sign-in, the second step, CSRF,
//! throttling, every route against every role, bad input and faults.

// Tests stop at the first surprise: they may unwrap, expect, panic and index.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod board;
mod board_pack;
mod diagnostics;
mod email_off;
mod er_cases;
mod events;
mod forms;
mod justculture;
mod leadership;
mod library;
mod news;
mod people;
mod plans;
mod price;
mod privacy;
mod scim;
mod sign_in_records;
mod speakup;
mod speakup_casework;
mod speakup_limits;
mod speakup_secrets;
mod support;
mod survey;
mod survey_copies;
mod voice;
mod workforce;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use dignity_domain::identity::{Region, Role};
use dignity_store::audit;
use dignity_web::Access;
use support::{Browser, PASSPHRASE, Page, TestApp, TestResult, current_code};

dignity_store::on_both_backends!(
    crate::support::run;
    every_route_is_checked_for_every_role,
    staff_sign_in_and_out,
    wrong_details_show_the_error_summary_and_save_nothing,
    sensitive_roles_must_pass_the_second_step,
    signing_in_again_does_not_reset_the_count_of_wrong_codes,
    second_step_set_up_saves_a_confirmed_secret,
    forms_without_the_csrf_token_are_refused,
    sign_in_is_throttled_per_account_and_per_client,
    junk_sent_to_every_form_gets_a_clear_4xx,
    control_characters_never_reach_storage,
    line_breaks_cannot_inject_headers,
    sessions_resist_fixation_and_end_on_sign_out,
    org_admin_adds_units_and_sees_them_audited,
    the_audit_log_names_people_given_a_role,
    expired_and_forged_sessions_are_signed_out,
    api_answers_in_json,
    pages_carry_security_headers_and_metrics_use_route_patterns,
    anonymous_routes_are_exactly_these_and_never_read_a_session,
    error_pages_show_who_is_signed_in,
    organisations_without_speak_up_or_a_plan_say_so,
);

/// Who makes a request in the route x role test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Holder(Role),
    /// Someone holding this role in a different organisation from the one in the URL.
    OtherOrg(Role),
}

/// Every kind of caller. Each organisation role is also tried from another organisation.
const EVERYONE: &[Who] = &[
    Who::Anonymous,
    Who::Holder(Role::Staff),
    Who::Holder(Role::Guardian),
    Who::Holder(Role::ErLead),
    Who::Holder(Role::Investigator),
    Who::Holder(Role::UnionPartner),
    Who::Holder(Role::Executive),
    Who::Holder(Role::OrgAdmin),
    Who::Holder(Role::Moderator),
    Who::Holder(Role::Chair),
    Who::Holder(Role::CompanySecretary),
    Who::Holder(Role::SeniorIndependentDirector),
    Who::Holder(Role::SystemLead),
    Who::Holder(Role::RegionalDirector),
    Who::Holder(Role::NationalAnalyst),
    Who::Holder(Role::PlatformAdmin),
    Who::OtherOrg(Role::Staff),
    Who::OtherOrg(Role::Guardian),
    Who::OtherOrg(Role::ErLead),
    Who::OtherOrg(Role::Investigator),
    Who::OtherOrg(Role::UnionPartner),
    Who::OtherOrg(Role::Executive),
    Who::OtherOrg(Role::OrgAdmin),
    Who::OtherOrg(Role::Moderator),
    Who::OtherOrg(Role::Chair),
    Who::OtherOrg(Role::CompanySecretary),
    Who::OtherOrg(Role::SeniorIndependentDirector),
    Who::OtherOrg(Role::SystemLead),
    Who::OtherOrg(Role::RegionalDirector),
];

const SIGNED_IN: &[Who] = &[
    Who::Holder(Role::Staff),
    Who::Holder(Role::Guardian),
    Who::Holder(Role::ErLead),
    Who::Holder(Role::Investigator),
    Who::Holder(Role::UnionPartner),
    Who::Holder(Role::Executive),
    Who::Holder(Role::OrgAdmin),
    Who::Holder(Role::Moderator),
    Who::Holder(Role::Chair),
    Who::Holder(Role::CompanySecretary),
    Who::Holder(Role::SeniorIndependentDirector),
    Who::Holder(Role::SystemLead),
    Who::Holder(Role::RegionalDirector),
    Who::Holder(Role::NationalAnalyst),
    Who::Holder(Role::PlatformAdmin),
    Who::OtherOrg(Role::Staff),
    Who::OtherOrg(Role::Guardian),
    Who::OtherOrg(Role::ErLead),
    Who::OtherOrg(Role::Investigator),
    Who::OtherOrg(Role::UnionPartner),
    Who::OtherOrg(Role::Executive),
    Who::OtherOrg(Role::OrgAdmin),
    Who::OtherOrg(Role::Moderator),
    Who::OtherOrg(Role::Chair),
    Who::OtherOrg(Role::CompanySecretary),
    Who::OtherOrg(Role::SeniorIndependentDirector),
    Who::OtherOrg(Role::SystemLead),
    Who::OtherOrg(Role::RegionalDirector),
];

const RJ1_ADMIN: &[Who] = &[Who::Holder(Role::OrgAdmin)];
/// The library's curators: any organisation's administrators and the platform's.
const CURATORS: &[Who] = &[
    Who::Holder(Role::OrgAdmin),
    Who::Holder(Role::PlatformAdmin),
    Who::OtherOrg(Role::OrgAdmin),
];
const RJ1_CASEWORKERS: &[Who] = &[Who::Holder(Role::Guardian), Who::Holder(Role::ErLead)];
/// Who signs off the Speak Up return and marks it as sent.
const RJ1_GUARDIANS: &[Who] = &[Who::Holder(Role::Guardian)];
/// An organisation's workforce figures: its administrators and executives.
const RJ1_WORKFORCE: &[Who] = &[Who::Holder(Role::OrgAdmin), Who::Holder(Role::Executive)];
/// Its race and disability equality figures before they are published: those, and its
/// union partners, who sign the report off.
/// Who signs a WRES or WDES report: an executive and a union partner.
const RJ1_REPORT_SIGNERS: &[Who] = &[
    Who::Holder(Role::Executive),
    Who::Holder(Role::UnionPartner),
];
const RJ1_STANDARDS: &[Who] = &[
    Who::Holder(Role::OrgAdmin),
    Who::Holder(Role::Executive),
    Who::Holder(Role::UnionPartner),
];
const RJ1_FAIRNESS: &[Who] = &[
    Who::Holder(Role::OrgAdmin),
    Who::Holder(Role::Executive),
    Who::Holder(Role::UnionPartner),
    Who::Holder(Role::ErLead),
];
const RJ1_AGGREGATES: &[Who] = &[
    Who::Holder(Role::Guardian),
    Who::Holder(Role::Executive),
    Who::Holder(Role::UnionPartner),
];
const ANALYSTS: &[Who] = &[Who::Holder(Role::NationalAnalyst)];
const RJ1_BOARD: &[Who] = &[
    Who::Holder(Role::Executive),
    Who::Holder(Role::Chair),
    Who::Holder(Role::UnionPartner),
    Who::Holder(Role::OrgAdmin),
];
/// Who reads the board pack: the board and the union side.
const RJ1_PACK_READERS: &[Who] = &[
    Who::Holder(Role::Executive),
    Who::Holder(Role::Chair),
    Who::Holder(Role::UnionPartner),
];
/// Who issues it (and so mails every reader): the board's own.
const RJ1_PACK_ISSUERS: &[Who] = &[Who::Holder(Role::Executive), Who::Holder(Role::Chair)];
const RJ1_MEMBERS: &[Who] = &[
    Who::Holder(Role::Staff),
    Who::Holder(Role::Guardian),
    Who::Holder(Role::ErLead),
    Who::Holder(Role::UnionPartner),
    Who::Holder(Role::Executive),
    Who::Holder(Role::OrgAdmin),
];
/// Anyone with a role in the organisation: anyone may be asked to rate a self-assessment.
/// Which rounds each sees is decided per round (round 1 does not exist, so all get 404).
const RJ1_EVERYONE_THERE: &[Who] = &[
    Who::Holder(Role::Staff),
    Who::Holder(Role::Guardian),
    Who::Holder(Role::ErLead),
    Who::Holder(Role::Investigator),
    Who::Holder(Role::UnionPartner),
    Who::Holder(Role::Executive),
    Who::Holder(Role::OrgAdmin),
];
const RJ1_SIGNERS: &[Who] = &[
    Who::Holder(Role::Executive),
    Who::Holder(Role::UnionPartner),
];
/// Who may use the just culture decision guide: anyone who may manage staff there.
const RJ1_MANAGERS: &[Who] = &[
    Who::Holder(Role::Staff),
    Who::Holder(Role::ErLead),
    Who::Holder(Role::Executive),
    Who::Holder(Role::OrgAdmin),
];
const RJ1_ER_LEADS: &[Who] = &[Who::Holder(Role::ErLead)];
/// Investigating officers: their own list, and (for their own cases only) the case page
/// and its file; case 1 is not theirs, so the matrix sees them refused there.
const RJ1_INVESTIGATORS: &[Who] = &[Who::Holder(Role::Investigator)];
const RJ1_RESULTS: &[Who] = &[
    Who::Holder(Role::Executive),
    Who::Holder(Role::UnionPartner),
    Who::Holder(Role::OrgAdmin),
];

/// Who may send an idea's official answer: the answerers of any organisation and the
/// platform's administrators (the app checks whose challenge it is). The platform's come
/// first, as the forms' fixture answers a national challenge's idea.
const ANSWERERS: &[Who] = &[
    Who::Holder(Role::PlatformAdmin),
    Who::Holder(Role::Executive),
    Who::Holder(Role::OrgAdmin),
    Who::OtherOrg(Role::Executive),
    Who::OtherOrg(Role::OrgAdmin),
];
const PLATFORM_ADMINS: &[Who] = &[Who::Holder(Role::PlatformAdmin)];
/// Who reads a board's fit and proper person records. Member 1 does not exist: they get
/// "not found", and everyone else, who may not learn which records exist, is refused.
const RJ1_BOARD_READERS: &[Who] = &[
    Who::Holder(Role::Chair),
    Who::Holder(Role::CompanySecretary),
];
/// Who signs the annual return.
const RJ1_CHAIRS: &[Who] = &[Who::Holder(Role::Chair)];
/// Who concludes: the chair, and the senior independent director (about the chair).
const RJ1_CONCLUDERS: &[Who] = &[
    Who::Holder(Role::Chair),
    Who::Holder(Role::SeniorIndependentDirector),
];
/// Who sees the board's list and its rounds: the readers and the senior independent
/// director.
const RJ1_BOARD_VIEWERS: &[Who] = &[
    Who::Holder(Role::Chair),
    Who::Holder(Role::CompanySecretary),
    Who::Holder(Role::SeniorIndependentDirector),
];
/// Who sees the London region's returns: its director and national analysts (another
/// region's director is refused).
const LONDON_VIEWERS: &[Who] = &[
    Who::Holder(Role::RegionalDirector),
    Who::Holder(Role::NationalAnalyst),
];
/// Who keeps those records.
const RJ1_BOARD_KEEPERS: &[Who] = &[Who::Holder(Role::CompanySecretary)];
/// Staff voice's moderators: an organisation's (any organisation may have some) and the
/// platform's administrators, for national challenges.
const MODERATORS: &[Who] = &[
    Who::Holder(Role::Moderator),
    Who::Holder(Role::PlatformAdmin),
    Who::OtherOrg(Role::Moderator),
];

/// Every route, written out by hand: who may use it. A route added to the app without a
/// line here fails the test, and so does a line for a route that no longer exists.
/// Routes for machines with a bearer token: every caller here has none.
const BEARER_ONLY: &[Who] = &[];

const MATRIX: &[(&str, &str, &str, &[Who])] = &[
    ("GET", "/", "/", EVERYONE),
    (
        "GET",
        "/orgs/{ods}/board",
        "/orgs/RJ1/board",
        RJ1_BOARD_VIEWERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members",
        "/orgs/RJ1/board/members",
        RJ1_BOARD_KEEPERS,
    ),
    (
        "GET",
        "/orgs/{ods}/board/members/{id}",
        "/orgs/RJ1/board/members/1",
        RJ1_BOARD_READERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/seats",
        "/orgs/RJ1/board/members/1/seats",
        RJ1_BOARD_KEEPERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/seats/{seat}/end",
        "/orgs/RJ1/board/members/1/seats/1/end",
        RJ1_BOARD_KEEPERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/checks",
        "/orgs/RJ1/board/members/1/checks",
        RJ1_BOARD_KEEPERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/qualifications",
        "/orgs/RJ1/board/members/1/qualifications",
        RJ1_BOARD_KEEPERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/jobs",
        "/orgs/RJ1/board/members/1/jobs",
        RJ1_BOARD_KEEPERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/gaps",
        "/orgs/RJ1/board/members/1/gaps",
        RJ1_BOARD_KEEPERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/declaration",
        "/orgs/RJ1/board/members/1/declaration",
        RJ1_BOARD_READERS,
    ),
    ("GET", "/board-record", "/board-record", SIGNED_IN),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/self-assessment",
        "/orgs/RJ1/board/members/1/self-assessment",
        RJ1_BOARD_READERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/appraisal",
        "/orgs/RJ1/board/members/1/appraisal",
        RJ1_BOARD_KEEPERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/rounds",
        "/orgs/RJ1/board/rounds",
        RJ1_BOARD_KEEPERS,
    ),
    (
        "GET",
        "/orgs/{ods}/board/rounds/{id}",
        "/orgs/RJ1/board/rounds/1",
        RJ1_BOARD_VIEWERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/rounds/{id}/members/{member}/conclude",
        "/orgs/RJ1/board/rounds/1/members/1/conclude",
        RJ1_CONCLUDERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/rounds/{id}/sign",
        "/orgs/RJ1/board/rounds/1/sign",
        RJ1_CHAIRS,
    ),
    (
        "GET",
        "/orgs/{ods}/board/rounds/{id}/return.csv",
        "/orgs/RJ1/board/rounds/1/return.csv",
        RJ1_BOARD_READERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/reference",
        "/orgs/RJ1/board/members/1/reference",
        RJ1_BOARD_KEEPERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/reference-requests",
        "/orgs/RJ1/board/members/1/reference-requests",
        RJ1_BOARD_KEEPERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board/members/{id}/reference-requests/{request}/release",
        "/orgs/RJ1/board/members/1/reference-requests/1/release",
        RJ1_BOARD_READERS,
    ),
    (
        "GET",
        "/orgs/{ods}/board/rounds/{id}/return.pdf",
        "/orgs/RJ1/board/rounds/1/return.pdf",
        RJ1_BOARD_READERS,
    ),
    (
        "GET",
        "/regions/{region}/boards",
        "/regions/london/boards",
        LONDON_VIEWERS,
    ),
    (
        "GET",
        "/regions/{region}/boards.csv",
        "/regions/london/boards.csv",
        LONDON_VIEWERS,
    ),
    (
        "GET",
        "/regions/{region}/boards/{ods}/{year}/return.csv",
        "/regions/london/boards/RJ1/2026/return.csv",
        LONDON_VIEWERS,
    ),
    (
        "GET",
        "/regions/{region}/boards/{ods}/{year}/return.pdf",
        "/regions/london/boards/RJ1/2026/return.pdf",
        LONDON_VIEWERS,
    ),
    ("GET", "/boards", "/boards", EVERYONE),
    ("GET", "/cookies", "/cookies", EVERYONE),
    ("GET", "/boards/{ods}", "/boards/RJ1", EVERYONE),
    ("GET", "/national/boards", "/national/boards", ANALYSTS),
    (
        "GET",
        "/national/boards.csv",
        "/national/boards.csv",
        ANALYSTS,
    ),
    (
        "GET",
        "/orgs/{ods}/just-culture",
        "/orgs/RJ1/just-culture",
        RJ1_MANAGERS,
    ),
    (
        "GET",
        "/orgs/{ods}/self-assessments",
        "/orgs/RJ1/self-assessments",
        RJ1_EVERYONE_THERE,
    ),
    (
        "POST",
        "/orgs/{ods}/self-assessments",
        "/orgs/RJ1/self-assessments",
        RJ1_ADMIN,
    ),
    (
        "GET",
        "/orgs/{ods}/self-assessments/{id}",
        "/orgs/RJ1/self-assessments/1",
        RJ1_EVERYONE_THERE,
    ),
    (
        "POST",
        "/orgs/{ods}/self-assessments/{id}/assessors",
        "/orgs/RJ1/self-assessments/1/assessors",
        RJ1_EVERYONE_THERE,
    ),
    (
        "POST",
        "/orgs/{ods}/self-assessments/{id}/assessors/remove",
        "/orgs/RJ1/self-assessments/1/assessors/remove",
        RJ1_EVERYONE_THERE,
    ),
    (
        "GET",
        "/orgs/{ods}/self-assessments/{id}/rate",
        "/orgs/RJ1/self-assessments/1/rate",
        RJ1_EVERYONE_THERE,
    ),
    (
        "POST",
        "/orgs/{ods}/self-assessments/{id}/rate",
        "/orgs/RJ1/self-assessments/1/rate",
        RJ1_EVERYONE_THERE,
    ),
    (
        "POST",
        "/orgs/{ods}/self-assessments/{id}/agree",
        "/orgs/RJ1/self-assessments/1/agree",
        RJ1_EVERYONE_THERE,
    ),
    (
        "POST",
        "/orgs/{ods}/self-assessments/{id}/sign",
        "/orgs/RJ1/self-assessments/1/sign",
        RJ1_SIGNERS,
    ),
    (
        "GET",
        "/orgs/{ods}/system/self-assessments",
        "/orgs/QJ1/system/self-assessments",
        &[Who::Holder(Role::SystemLead)],
    ),
    (
        "GET",
        "/orgs/{ods}/system/self-assessments.csv",
        "/orgs/QJ1/system/self-assessments.csv",
        &[Who::Holder(Role::SystemLead)],
    ),
    (
        "GET",
        "/national/self-assessments",
        "/national/self-assessments",
        &[Who::Holder(Role::NationalAnalyst)],
    ),
    (
        "GET",
        "/national/self-assessments.csv",
        "/national/self-assessments.csv",
        &[Who::Holder(Role::NationalAnalyst)],
    ),
    (
        "POST",
        "/orgs/{ods}/self-assessments/{id}/plan",
        "/orgs/RJ1/self-assessments/1/plan",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/self-assessments/{id}/download.csv",
        "/orgs/RJ1/self-assessments/1/download.csv",
        RJ1_EVERYONE_THERE,
    ),
    (
        "GET",
        "/orgs/{ods}/self-assessments/{id}/download.xlsx",
        "/orgs/RJ1/self-assessments/1/download.xlsx",
        RJ1_EVERYONE_THERE,
    ),
    (
        "GET",
        "/orgs/{ods}/self-assessments/{id}/summary.pdf",
        "/orgs/RJ1/self-assessments/1/summary.pdf",
        RJ1_EVERYONE_THERE,
    ),
    (
        "GET",
        "/orgs/{ods}/just-culture/guide",
        "/orgs/RJ1/just-culture/guide",
        RJ1_MANAGERS,
    ),
    (
        "POST",
        "/orgs/{ods}/just-culture/guide",
        "/orgs/RJ1/just-culture/guide",
        RJ1_MANAGERS,
    ),
    (
        "GET",
        "/orgs/{ods}/just-culture/guides/{id}",
        "/orgs/RJ1/just-culture/guides/1",
        RJ1_MANAGERS,
    ),
    (
        "POST",
        "/orgs/{ods}/just-culture/share",
        "/orgs/RJ1/just-culture/share",
        RJ1_ER_LEADS,
    ),
    (
        "POST",
        "/orgs/{ods}/just-culture/guides/{id}/check",
        "/orgs/RJ1/just-culture/guides/1/check",
        RJ1_ER_LEADS,
    ),
    (
        "GET",
        "/orgs/{ods}/er-cases",
        "/orgs/RJ1/er-cases",
        RJ1_ER_LEADS,
    ),
    (
        "GET",
        "/orgs/{ods}/er-cases/new",
        "/orgs/RJ1/er-cases/new",
        RJ1_ER_LEADS,
    ),
    (
        "POST",
        "/orgs/{ods}/er-cases/new",
        "/orgs/RJ1/er-cases/new",
        RJ1_ER_LEADS,
    ),
    (
        "GET",
        "/orgs/{ods}/er-cases/time-limits",
        "/orgs/RJ1/er-cases/time-limits",
        RJ1_ER_LEADS,
    ),
    (
        "POST",
        "/orgs/{ods}/er-cases/time-limits",
        "/orgs/RJ1/er-cases/time-limits",
        RJ1_ER_LEADS,
    ),
    (
        "GET",
        "/orgs/{ods}/er-cases/investigating",
        "/orgs/RJ1/er-cases/investigating",
        RJ1_INVESTIGATORS,
    ),
    (
        "GET",
        "/orgs/{ods}/er-cases/{id}",
        "/orgs/RJ1/er-cases/1",
        RJ1_ER_LEADS,
    ),
    (
        "POST",
        "/orgs/{ods}/er-cases/{id}/move",
        "/orgs/RJ1/er-cases/1/move",
        RJ1_ER_LEADS,
    ),
    (
        "POST",
        "/orgs/{ods}/er-cases/{id}/entries",
        "/orgs/RJ1/er-cases/1/entries",
        RJ1_ER_LEADS,
    ),
    (
        "POST",
        "/orgs/{ods}/er-cases/{id}/details",
        "/orgs/RJ1/er-cases/1/details",
        RJ1_ER_LEADS,
    ),
    (
        "POST",
        "/orgs/{ods}/er-cases/{id}/suspension",
        "/orgs/RJ1/er-cases/1/suspension",
        RJ1_ER_LEADS,
    ),
    (
        "POST",
        "/orgs/{ods}/er-cases/{id}/review",
        "/orgs/RJ1/er-cases/1/review",
        RJ1_ER_LEADS,
    ),
    ("GET", "/home", "/home", SIGNED_IN),
    ("GET", "/accessibility", "/accessibility", EVERYONE),
    ("GET", "/privacy", "/privacy", EVERYONE),
    ("GET", "/orgs/{ods}/privacy", "/orgs/RJ1/privacy", EVERYONE),
    (
        "GET",
        "/orgs/{ods}/privacy/edit",
        "/orgs/RJ1/privacy/edit",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/privacy/edit",
        "/orgs/RJ1/privacy/edit",
        RJ1_ADMIN,
    ),
    ("GET", "/signed-out", "/signed-out", EVERYONE),
    ("GET", "/sign-in", "/sign-in", EVERYONE),
    ("POST", "/sign-in", "/sign-in", EVERYONE),
    // Signing in through an organisation's provider starts and ends with no session.
    ("POST", "/sign-in/provider", "/sign-in/provider", EVERYONE),
    ("GET", "/sign-in/callback", "/sign-in/callback", EVERYONE),
    // An identity provider's provisioning, with its bearer token: no person, signed in or
    // not, is let in (scim.rs tests the token holder).
    ("GET", "/scim/v2/Users", "/scim/v2/Users", BEARER_ONLY),
    ("POST", "/scim/v2/Users", "/scim/v2/Users", BEARER_ONLY),
    (
        "GET",
        "/scim/v2/Users/{id}",
        "/scim/v2/Users/1",
        BEARER_ONLY,
    ),
    (
        "PUT",
        "/scim/v2/Users/{id}",
        "/scim/v2/Users/1",
        BEARER_ONLY,
    ),
    (
        "PATCH",
        "/scim/v2/Users/{id}",
        "/scim/v2/Users/1",
        BEARER_ONLY,
    ),
    (
        "DELETE",
        "/scim/v2/Users/{id}",
        "/scim/v2/Users/1",
        BEARER_ONLY,
    ),
    (
        "GET",
        "/sign-in/two-factor",
        "/sign-in/two-factor",
        SIGNED_IN,
    ),
    (
        "POST",
        "/sign-in/two-factor",
        "/sign-in/two-factor",
        SIGNED_IN,
    ),
    (
        "GET",
        "/sign-in/two-factor/set-up",
        "/sign-in/two-factor/set-up",
        SIGNED_IN,
    ),
    (
        "POST",
        "/sign-in/two-factor/set-up",
        "/sign-in/two-factor/set-up",
        SIGNED_IN,
    ),
    ("POST", "/sign-out", "/sign-out", SIGNED_IN),
    ("GET", "/orgs/{ods}/people", "/orgs/RJ1/people", RJ1_ADMIN),
    ("POST", "/orgs/{ods}/people", "/orgs/RJ1/people", RJ1_ADMIN),
    (
        "GET",
        "/orgs/{ods}/people/{id}",
        "/orgs/RJ1/people/1",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/people/{id}/roles",
        "/orgs/RJ1/people/1/roles",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/people/{id}/roles/remove",
        "/orgs/RJ1/people/1/roles/remove",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/people/{id}/sessions/end",
        "/orgs/RJ1/people/1/sessions/end",
        RJ1_ADMIN,
    ),
    ("GET", "/admin/people", "/admin/people", PLATFORM_ADMINS),
    (
        "GET",
        "/admin/people/{id}",
        "/admin/people/1",
        PLATFORM_ADMINS,
    ),
    (
        "POST",
        "/admin/people/{id}/roles",
        "/admin/people/1/roles",
        PLATFORM_ADMINS,
    ),
    (
        "POST",
        "/admin/people/{id}/roles/remove",
        "/admin/people/1/roles/remove",
        PLATFORM_ADMINS,
    ),
    (
        "POST",
        "/admin/people/{id}/sessions/end",
        "/admin/people/1/sessions/end",
        PLATFORM_ADMINS,
    ),
    (
        "POST",
        "/admin/people/{id}/account",
        "/admin/people/1/account",
        PLATFORM_ADMINS,
    ),
    (
        "GET",
        "/orgs/{ods}/structure",
        "/orgs/RJ1/structure",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/structure",
        "/orgs/RJ1/structure",
        RJ1_ADMIN,
    ),
    ("GET", "/orgs/{ods}/audit", "/orgs/RJ1/audit", RJ1_ADMIN),
    (
        "GET",
        "/orgs/{ods}/workforce",
        "/orgs/RJ1/workforce",
        RJ1_WORKFORCE,
    ),
    (
        "GET",
        "/orgs/{ods}/workforce/wres",
        "/orgs/RJ1/workforce/wres",
        RJ1_STANDARDS,
    ),
    (
        "GET",
        "/orgs/{ods}/workforce/fairness",
        "/orgs/RJ1/workforce/fairness",
        RJ1_FAIRNESS,
    ),
    (
        "GET",
        "/orgs/{ods}/workforce/price-of-fear",
        "/orgs/RJ1/workforce/price-of-fear",
        RJ1_STANDARDS,
    ),
    (
        "GET",
        "/orgs/{ods}/workforce/price-of-fear/assumptions",
        "/orgs/RJ1/workforce/price-of-fear/assumptions",
        RJ1_WORKFORCE,
    ),
    (
        "POST",
        "/orgs/{ods}/workforce/price-of-fear/assumptions",
        "/orgs/RJ1/workforce/price-of-fear/assumptions",
        RJ1_WORKFORCE,
    ),
    (
        "GET",
        "/orgs/{ods}/workforce/wres.csv",
        "/orgs/RJ1/workforce/wres.csv",
        RJ1_STANDARDS,
    ),
    (
        "GET",
        "/orgs/{ods}/workforce/wres.xlsx",
        "/orgs/RJ1/workforce/wres.xlsx",
        RJ1_STANDARDS,
    ),
    (
        "GET",
        "/orgs/{ods}/workforce/wdes",
        "/orgs/RJ1/workforce/wdes",
        RJ1_STANDARDS,
    ),
    (
        "GET",
        "/orgs/{ods}/workforce/wdes.csv",
        "/orgs/RJ1/workforce/wdes.csv",
        RJ1_STANDARDS,
    ),
    (
        "GET",
        "/orgs/{ods}/workforce/wdes.xlsx",
        "/orgs/RJ1/workforce/wdes.xlsx",
        RJ1_STANDARDS,
    ),
    ("GET", "/healthz", "/healthz", EVERYONE),
    ("GET", "/readyz", "/readyz", EVERYONE),
    ("GET", "/metrics", "/metrics", EVERYONE),
    (
        "GET",
        "/api/v1/organisations",
        "/api/v1/organisations",
        EVERYONE,
    ),
    ("GET", "/api/v1/me", "/api/v1/me", SIGNED_IN),
    (
        "GET",
        "/api/v1/openapi.json",
        "/api/v1/openapi.json",
        EVERYONE,
    ),
    (
        "GET",
        "/api/v1/orgs/{ods}/speak-up/return",
        "/api/v1/orgs/RJ1/speak-up/return",
        RJ1_AGGREGATES,
    ),
    (
        "GET",
        "/api/v1/national/speak-up",
        "/api/v1/national/speak-up",
        ANALYSTS,
    ),
    ("GET", "/speak-up", "/speak-up", EVERYONE),
    ("GET", "/survey", "/survey", EVERYONE),
    ("GET", "/survey/sent", "/survey/sent", EVERYONE),
    ("GET", "/plans", "/plans", EVERYONE),
    ("GET", "/plans/{ods}", "/plans/RJ1", EVERYONE),
    (
        "GET",
        "/equality/{ods}/{standard}",
        "/equality/RJ1/wres",
        EVERYONE,
    ),
    (
        "GET",
        "/plans/{ods}/feed.atom",
        "/plans/RJ1/feed.atom",
        EVERYONE,
    ),
    (
        "GET",
        "/plans/{ods}/versions/{version}",
        "/plans/RJ1/versions/1",
        EVERYONE,
    ),
    ("GET", "/plans/{ods}/follow", "/plans/RJ1/follow", EVERYONE),
    ("POST", "/plans/{ods}/follow", "/plans/RJ1/follow", EVERYONE),
    ("GET", "/follow/confirm", "/follow/confirm", EVERYONE),
    ("POST", "/follow/confirm", "/follow/confirm", EVERYONE),
    ("GET", "/follow/stop", "/follow/stop", EVERYONE),
    ("GET", "/voice", "/voice", SIGNED_IN),
    ("GET", "/voice/rules", "/voice/rules", EVERYONE),
    ("GET", "/voice/name", "/voice/name", SIGNED_IN),
    ("POST", "/voice/name", "/voice/name", SIGNED_IN),
    ("GET", "/voice/new", "/voice/new", PLATFORM_ADMINS),
    ("POST", "/voice/new", "/voice/new", PLATFORM_ADMINS),
    (
        "GET",
        "/orgs/{ods}/voice/new",
        "/orgs/RJ1/voice/new",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/voice/new",
        "/orgs/RJ1/voice/new",
        RJ1_ADMIN,
    ),
    (
        "GET",
        "/voice/challenges/{id}",
        "/voice/challenges/1",
        SIGNED_IN,
    ),
    (
        "POST",
        "/voice/challenges/{id}/ideas",
        "/voice/challenges/1/ideas",
        SIGNED_IN,
    ),
    (
        "GET",
        "/voice/challenges/{id}/similar",
        "/voice/challenges/1/similar",
        SIGNED_IN,
    ),
    (
        "POST",
        "/voice/challenges/{id}/follow",
        "/voice/challenges/1/follow",
        SIGNED_IN,
    ),
    (
        "GET",
        "/voice/challenges/{id}/updates/new",
        "/voice/challenges/1/updates/new",
        ANSWERERS,
    ),
    (
        "POST",
        "/voice/challenges/{id}/updates",
        "/voice/challenges/1/updates",
        ANSWERERS,
    ),
    ("GET", "/voice/updates/{id}", "/voice/updates/1", SIGNED_IN),
    (
        "POST",
        "/voice/updates/{id}/comments",
        "/voice/updates/1/comments",
        SIGNED_IN,
    ),
    (
        "POST",
        "/voice/updates/{id}/report",
        "/voice/updates/1/report",
        SIGNED_IN,
    ),
    (
        "POST",
        "/voice/updates/{id}/appeal",
        "/voice/updates/1/appeal",
        SIGNED_IN,
    ),
    (
        "GET",
        "/voice/challenges/{id}/figures",
        "/voice/challenges/1/figures",
        SIGNED_IN,
    ),
    ("GET", "/voice/feeds", "/voice/feeds", SIGNED_IN),
    ("POST", "/voice/feeds", "/voice/feeds", SIGNED_IN),
    (
        "GET",
        "/voice/feeds/{key}/{id}",
        "/voice/feeds/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/1",
        EVERYONE,
    ),
    ("GET", "/voice/ideas/{id}", "/voice/ideas/1", SIGNED_IN),
    (
        "POST",
        "/voice/ideas/{id}/follow",
        "/voice/ideas/1/follow",
        SIGNED_IN,
    ),
    (
        "POST",
        "/voice/ideas/{id}/support",
        "/voice/ideas/1/support",
        SIGNED_IN,
    ),
    (
        "POST",
        "/voice/ideas/{id}/support/withdraw",
        "/voice/ideas/1/support/withdraw",
        SIGNED_IN,
    ),
    (
        "POST",
        "/voice/ideas/{id}/comments",
        "/voice/ideas/1/comments",
        SIGNED_IN,
    ),
    (
        "POST",
        "/voice/ideas/{id}/report",
        "/voice/ideas/1/report",
        SIGNED_IN,
    ),
    (
        "POST",
        "/voice/ideas/{id}/answer",
        "/voice/ideas/1/answer",
        ANSWERERS,
    ),
    (
        "POST",
        "/voice/ideas/{id}/appeal",
        "/voice/ideas/1/appeal",
        SIGNED_IN,
    ),
    (
        "POST",
        "/voice/ideas/{id}/action",
        "/voice/ideas/1/action",
        ANSWERERS,
    ),
    ("GET", "/voice/moderation", "/voice/moderation", MODERATORS),
    (
        "POST",
        "/voice/moderation/decide",
        "/voice/moderation/decide",
        MODERATORS,
    ),
    (
        "POST",
        "/voice/moderation/reveal",
        "/voice/moderation/reveal",
        MODERATORS,
    ),
    (
        "POST",
        "/voice/moderation/block",
        "/voice/moderation/block",
        MODERATORS,
    ),
    ("GET", "/library", "/library", EVERYONE),
    ("GET", "/library/{id}", "/library/1", EVERYONE),
    ("GET", "/library/manage", "/library/manage", CURATORS),
    ("GET", "/library/new", "/library/new", CURATORS),
    ("POST", "/library/new", "/library/new", CURATORS),
    ("GET", "/library/{id}/edit", "/library/1/edit", CURATORS),
    ("POST", "/library/{id}/edit", "/library/1/edit", CURATORS),
    (
        "POST",
        "/library/{id}/retire",
        "/library/1/retire",
        CURATORS,
    ),
    (
        "POST",
        "/library/{id}/reviewed",
        "/library/1/reviewed",
        CURATORS,
    ),
    ("GET", "/orgs/{ods}/library", "/orgs/RJ1/library", RJ1_ADMIN),
    (
        "POST",
        "/orgs/{ods}/library",
        "/orgs/RJ1/library",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/library/{pin}/remove",
        "/orgs/RJ1/library/1/remove",
        RJ1_ADMIN,
    ),
    ("GET", "/news", "/news", EVERYONE),
    ("GET", "/news/feed.atom", "/news/feed.atom", EVERYONE),
    ("GET", "/news/{id}", "/news/1", EVERYONE),
    ("GET", "/news/new", "/news/new", CURATORS),
    ("POST", "/news/new", "/news/new", CURATORS),
    ("GET", "/news/subscribe", "/news/subscribe", EVERYONE),
    ("POST", "/news/subscribe", "/news/subscribe", EVERYONE),
    (
        "GET",
        "/news/subscribe/confirm",
        "/news/subscribe/confirm",
        EVERYONE,
    ),
    (
        "POST",
        "/news/subscribe/confirm",
        "/news/subscribe/confirm",
        EVERYONE,
    ),
    ("GET", "/news/unsubscribe", "/news/unsubscribe", EVERYONE),
    ("GET", "/events", "/events", EVERYONE),
    ("GET", "/events/new", "/events/new", CURATORS),
    ("POST", "/events/new", "/events/new", CURATORS),
    ("GET", "/events/booking", "/events/booking", EVERYONE),
    (
        "POST",
        "/events/booking/cancel",
        "/events/booking/cancel",
        EVERYONE,
    ),
    ("GET", "/events/{id}", "/events/1", EVERYONE),
    (
        "GET",
        "/events/{id}/booked",
        "/events/1/booked?waiting=true",
        EVERYONE,
    ),
    ("POST", "/events/{id}/book", "/events/1/book", EVERYONE),
    (
        "GET",
        "/events/{id}/calendar.ics",
        "/events/1/calendar.ics",
        EVERYONE,
    ),
    (
        "GET",
        "/events/{id}/attendees.csv",
        "/events/1/attendees.csv",
        CURATORS,
    ),
    (
        "GET",
        "/plans/{ods}/poster.pdf",
        "/plans/RJ1/poster.pdf",
        EVERYONE,
    ),
    (
        "GET",
        "/plans/{ods}/poster.png",
        "/plans/RJ1/poster.png",
        EVERYONE,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/actions/{action}/milestones",
        "/orgs/RJ1/plans/1/actions/1/milestones",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/milestones/{milestone}",
        "/orgs/RJ1/plans/1/milestones/1",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/actions/{action}/indicators",
        "/orgs/RJ1/plans/1/actions/1/indicators",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/actions/{action}/updates",
        "/orgs/RJ1/plans/1/actions/1/updates",
        RJ1_RESULTS,
    ),
    ("GET", "/orgs/{ods}/plans", "/orgs/RJ1/plans", RJ1_RESULTS),
    ("POST", "/orgs/{ods}/plans", "/orgs/RJ1/plans", RJ1_RESULTS),
    (
        "GET",
        "/orgs/{ods}/plans/{plan}",
        "/orgs/RJ1/plans/1",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/plans/{plan}/actions.csv",
        "/orgs/RJ1/plans/1/actions.csv",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/actions",
        "/orgs/RJ1/plans/1/actions",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/actions/{action}/progress",
        "/orgs/RJ1/plans/1/actions/1/progress",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/plans/{plan}/history",
        "/orgs/RJ1/plans/1/history",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/details",
        "/orgs/RJ1/plans/1/details",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/groups",
        "/orgs/RJ1/plans/1/groups",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/groups/{group}",
        "/orgs/RJ1/plans/1/groups/1",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/groups/{group}/remove",
        "/orgs/RJ1/plans/1/groups/1/remove",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/plans/{plan}/actions/{action}",
        "/orgs/RJ1/plans/1/actions/1",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/actions/{action}",
        "/orgs/RJ1/plans/1/actions/1",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/actions/{action}/remove",
        "/orgs/RJ1/plans/1/actions/1/remove",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/indicators/{indicator}/remove",
        "/orgs/RJ1/plans/1/indicators/1/remove",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/milestones/{milestone}/remove",
        "/orgs/RJ1/plans/1/milestones/1/remove",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/import",
        "/orgs/RJ1/plans/1/import",
        RJ1_RESULTS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/copy",
        "/orgs/RJ1/plans/1/copy",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/plans/{plan}/actions/{action}/comment",
        "/orgs/RJ1/plans/1/actions/1/comment",
        RJ1_MEMBERS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/actions/{action}/comment",
        "/orgs/RJ1/plans/1/actions/1/comment",
        RJ1_MEMBERS,
    ),
    (
        "GET",
        "/orgs/{ods}/plan-comments",
        "/orgs/RJ1/plan-comments",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/plan-comments/{comment}",
        "/orgs/RJ1/plan-comments/1",
        RJ1_ADMIN,
    ),
    (
        "GET",
        "/orgs/{ods}/plans/{plan}/review",
        "/orgs/RJ1/plans/1/review",
        RJ1_SIGNERS,
    ),
    (
        "POST",
        "/orgs/{ods}/plans/{plan}/approve",
        "/orgs/RJ1/plans/1/approve",
        RJ1_SIGNERS,
    ),
    ("POST", "/survey", "/survey", EVERYONE),
    (
        "GET",
        "/speak-up/follow-up",
        "/speak-up/follow-up",
        EVERYONE,
    ),
    (
        "POST",
        "/speak-up/follow-up",
        "/speak-up/follow-up",
        EVERYONE,
    ),
    (
        "POST",
        "/speak-up/follow-up/reply",
        "/speak-up/follow-up/reply",
        EVERYONE,
    ),
    (
        "POST",
        "/speak-up/follow-up/feedback",
        "/speak-up/follow-up/feedback",
        EVERYONE,
    ),
    ("POST", "/speak-up/receipt", "/speak-up/receipt", EVERYONE),
    ("GET", "/speak-up/{ods}", "/speak-up/RJ1", EVERYONE),
    ("POST", "/speak-up/{ods}", "/speak-up/RJ1", EVERYONE),
    ("GET", "/account/unlock", "/account/unlock", SIGNED_IN),
    ("POST", "/account/unlock", "/account/unlock", SIGNED_IN),
    (
        "GET",
        "/orgs/{ods}/speak-up",
        "/orgs/RJ1/speak-up",
        RJ1_CASEWORKERS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/{id}",
        "/orgs/RJ1/speak-up/1",
        RJ1_CASEWORKERS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/{id}/status",
        "/orgs/RJ1/speak-up/1/status",
        RJ1_CASEWORKERS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/{id}/stage",
        "/orgs/RJ1/speak-up/1/stage",
        RJ1_CASEWORKERS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/{id}/assign",
        "/orgs/RJ1/speak-up/1/assign",
        RJ1_CASEWORKERS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/{id}/record",
        "/orgs/RJ1/speak-up/1/record",
        RJ1_CASEWORKERS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/{id}/note",
        "/orgs/RJ1/speak-up/1/note",
        RJ1_CASEWORKERS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/{id}/referral",
        "/orgs/RJ1/speak-up/1/referral",
        RJ1_CASEWORKERS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/{id}/close",
        "/orgs/RJ1/speak-up/1/close",
        RJ1_CASEWORKERS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/{id}/detriment",
        "/orgs/RJ1/speak-up/1/detriment",
        RJ1_CASEWORKERS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/return",
        "/orgs/RJ1/speak-up/return",
        RJ1_AGGREGATES,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/return/sign-off",
        "/orgs/RJ1/speak-up/return/sign-off",
        RJ1_GUARDIANS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/return/sent",
        "/orgs/RJ1/speak-up/return/sent",
        RJ1_GUARDIANS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/return/withdraw",
        "/orgs/RJ1/speak-up/return/withdraw",
        RJ1_GUARDIANS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/return.csv",
        "/orgs/RJ1/speak-up/return.csv",
        RJ1_AGGREGATES,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/trends",
        "/orgs/RJ1/speak-up/trends",
        RJ1_AGGREGATES,
    ),
    ("GET", "/national/speak-up", "/national/speak-up", ANALYSTS),
    (
        "GET",
        "/national/workforce",
        "/national/workforce",
        ANALYSTS,
    ),
    ("GET", "/national/fairness", "/national/fairness", ANALYSTS),
    (
        "GET",
        "/national/culture-and-care",
        "/national/culture-and-care",
        ANALYSTS,
    ),
    (
        "GET",
        "/national/culture-and-care.csv",
        "/national/culture-and-care.csv",
        ANALYSTS,
    ),
    (
        "GET",
        "/orgs/{ods}/culture-and-care",
        "/orgs/RJ1/culture-and-care",
        RJ1_BOARD,
    ),
    (
        "GET",
        "/orgs/{ods}/board-pack",
        "/orgs/RJ1/board-pack",
        RJ1_PACK_READERS,
    ),
    (
        "GET",
        "/orgs/{ods}/board-pack.pdf",
        "/orgs/RJ1/board-pack.pdf",
        RJ1_PACK_READERS,
    ),
    (
        "GET",
        "/orgs/{ods}/board-pack.xlsx",
        "/orgs/RJ1/board-pack.xlsx",
        RJ1_PACK_READERS,
    ),
    (
        "POST",
        "/orgs/{ods}/board-pack/issue",
        "/orgs/RJ1/board-pack/issue",
        RJ1_PACK_ISSUERS,
    ),
    (
        "GET",
        "/orgs/{ods}/board-packs/{id}",
        "/orgs/RJ1/board-packs/1",
        RJ1_PACK_READERS,
    ),
    (
        "GET",
        "/orgs/{ods}/board-packs/{id}/pack.pdf",
        "/orgs/RJ1/board-packs/1/pack.pdf",
        RJ1_PACK_READERS,
    ),
    (
        "GET",
        "/orgs/{ods}/board-packs/{id}/pack.xlsx",
        "/orgs/RJ1/board-packs/1/pack.xlsx",
        RJ1_PACK_READERS,
    ),
    (
        "GET",
        "/national/price-of-fear",
        "/national/price-of-fear",
        ANALYSTS,
    ),
    (
        "GET",
        "/national/workforce.csv",
        "/national/workforce.csv",
        ANALYSTS,
    ),
    (
        "GET",
        "/orgs/{ods}/workforce/report/{standard}",
        "/orgs/RJ1/workforce/report/wres",
        RJ1_STANDARDS,
    ),
    (
        "POST",
        "/orgs/{ods}/workforce/report/{standard}",
        "/orgs/RJ1/workforce/report/wres",
        RJ1_WORKFORCE,
    ),
    (
        "POST",
        "/orgs/{ods}/workforce/report/{standard}/sign",
        "/orgs/RJ1/workforce/report/wres/sign",
        RJ1_REPORT_SIGNERS,
    ),
    (
        "GET",
        "/national/speak-up.csv",
        "/national/speak-up.csv",
        ANALYSTS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys",
        "/orgs/RJ1/surveys",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/{campaign}",
        "/orgs/RJ1/surveys/1",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/{campaign}/benchmark",
        "/orgs/RJ1/surveys/1/benchmark",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/{campaign}/benchmark.csv",
        "/orgs/RJ1/surveys/1/benchmark.csv",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/{campaign}/benchmark.xlsx",
        "/orgs/RJ1/surveys/1/benchmark.xlsx",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/{campaign}/results.xlsx",
        "/orgs/RJ1/surveys/1/results.xlsx",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/national/surveys.xlsx",
        "/national/surveys.xlsx",
        ANALYSTS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/{campaign}/pledges",
        "/orgs/RJ1/surveys/1/pledges",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/{campaign}/pledges.csv",
        "/orgs/RJ1/surveys/1/pledges.csv",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/{campaign}/pledges.xlsx",
        "/orgs/RJ1/surveys/1/pledges.xlsx",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/pledges",
        "/orgs/RJ1/surveys/pledges",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/surveys/pledges",
        "/orgs/RJ1/surveys/pledges",
        RJ1_ADMIN,
    ),
    ("GET", "/national/surveys", "/national/surveys", ANALYSTS),
    (
        "GET",
        "/national/organisations/{ods}",
        "/national/organisations/RJ1",
        ANALYSTS,
    ),
    (
        "GET",
        "/national/surveys.csv",
        "/national/surveys.csv",
        ANALYSTS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/new",
        "/orgs/RJ1/surveys/new",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/surveys/new",
        "/orgs/RJ1/surveys/new",
        RJ1_ADMIN,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/{campaign}/manage",
        "/orgs/RJ1/surveys/1/manage",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/surveys/{campaign}/codes",
        "/orgs/RJ1/surveys/1/codes",
        RJ1_ADMIN,
    ),
    (
        "POST",
        "/orgs/{ods}/surveys/{campaign}/invitations",
        "/orgs/RJ1/surveys/1/invitations",
        RJ1_ADMIN,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/{campaign}/answer",
        "/orgs/RJ1/surveys/1/answer",
        RJ1_MEMBERS,
    ),
    (
        "POST",
        "/orgs/{ods}/surveys/{campaign}/answer",
        "/orgs/RJ1/surveys/1/answer",
        RJ1_MEMBERS,
    ),
    (
        "GET",
        "/orgs/{ods}/surveys/{campaign}/results.csv",
        "/orgs/RJ1/surveys/1/results.csv",
        RJ1_RESULTS,
    ),
    (
        "GET",
        "/orgs/{ods}/speak-up/{id}/attachments/{entry}",
        "/orgs/RJ1/speak-up/1/attachments/1",
        RJ1_CASEWORKERS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/past-cases",
        "/orgs/RJ1/speak-up/past-cases",
        RJ1_CASEWORKERS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/{id}/stage",
        "/orgs/RJ1/speak-up/1/stage",
        RJ1_CASEWORKERS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/{id}/message",
        "/orgs/RJ1/speak-up/1/message",
        RJ1_CASEWORKERS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/{id}/note",
        "/orgs/RJ1/speak-up/1/note",
        RJ1_CASEWORKERS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/{id}/referral",
        "/orgs/RJ1/speak-up/1/referral",
        RJ1_CASEWORKERS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/{id}/status",
        "/orgs/RJ1/speak-up/1/status",
        RJ1_CASEWORKERS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/{id}/assign",
        "/orgs/RJ1/speak-up/1/assign",
        RJ1_CASEWORKERS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/{id}/record",
        "/orgs/RJ1/speak-up/1/record",
        RJ1_CASEWORKERS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/{id}/close",
        "/orgs/RJ1/speak-up/1/close",
        RJ1_CASEWORKERS,
    ),
    (
        "POST",
        "/orgs/{ods}/speak-up/{id}/detriment",
        "/orgs/RJ1/speak-up/1/detriment",
        RJ1_CASEWORKERS,
    ),
];

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Allowed,
    SentToSignIn,
    Refused,
}

fn outcome(page: &Page) -> Outcome {
    match page.status {
        StatusCode::UNAUTHORIZED if !page.body.contains("passphrase is not right") => {
            Outcome::SentToSignIn
        }
        StatusCode::FORBIDDEN => Outcome::Refused,
        _ if page.redirects_to("/sign-in?next=") => Outcome::SentToSignIn,
        _ => Outcome::Allowed,
    }
}

/// The headers every answer must carry, whatever its status (headers.rs).
fn security_headers_are_on(page: &Page, what: &str) {
    let header = |name: &str| {
        page.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let csp = header("content-security-policy");
    assert!(
        csp.contains("script-src 'self'")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-inline"),
        "{what}: content-security-policy {csp:?}"
    );
    assert_eq!(header("referrer-policy"), "no-referrer", "{what}");
    assert_eq!(header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header("x-frame-options"), "DENY", "{what}");
    let cache = header("cache-control");
    let shared_asset = what.contains(" /assets/") && cache == "public, max-age=3600";
    assert!(
        cache == "no-store" || shared_asset,
        "{what}: cache-control {cache:?}"
    );
}

async fn every_route_is_checked_for_every_role(app: &TestApp) -> TestResult {
    // The table must match the app's routes exactly.
    let mut in_app: Vec<(String, &str)> = app
        .routes
        .iter()
        .map(|r| (r.method.to_string(), r.path))
        .collect();
    in_app.sort();
    let mut in_table: Vec<(String, &str)> = MATRIX
        .iter()
        .map(|(m, p, _, _)| (m.to_string(), *p))
        .collect();
    in_table.sort();
    assert_eq!(
        in_app, in_table,
        "every route needs a line in MATRIX, and every line a route"
    );
    assert!(app.routes.iter().all(|r| r.access != Access::Public
        || MATRIX.iter().any(|(m, p, _, who)| *p == r.path
            && *m == r.method.as_str()
            && who.contains(&Who::Anonymous))));

    let mut people = Vec::new();
    for (i, who) in EVERYONE.iter().enumerate() {
        let person = match who {
            Who::Anonymous => None,
            Who::Holder(role) => Some(app.person(&format!("p{i}@x.nhs.uk"), Some(*role)).await?),
            // RJ1 and RJ2 are both in London: "another" regional director is another
            // region's.
            Who::OtherOrg(Role::RegionalDirector) => Some(
                app.person_in_region(
                    &format!("p{i}@x.nhs.uk"),
                    Role::RegionalDirector,
                    Region::NorthWest,
                )
                .await?,
            ),
            Who::OtherOrg(role) => Some(
                app.person_in(&format!("p{i}@x.nhs.uk"), Some(*role), &app.other_org)
                    .await?,
            ),
        };
        people.push((*who, person));
    }

    let mut forged_posts = 0;
    for (method, _, path, allowed) in MATRIX {
        for (who, person) in &people {
            // A fresh session for every request: some routes (sign-out) end it.
            let mut browser = match person {
                Some(person) => app.signed_in_browser(person).await?,
                None => app.browser(),
            };
            let page = match *method {
                "GET" => browser.get(path).await?,
                "POST" => browser.post(path, &[]).await?,
                other => {
                    let request = axum::http::Request::builder()
                        .method(other)
                        .uri(*path)
                        .body(axum::body::Body::empty())?;
                    browser.send(request).await?
                }
            };
            if allowed.is_empty() {
                // A bearer route: a session, a form token or nothing at all is refused
                // alike, and told to bring a token.
                assert_eq!(
                    page.status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} as {who:?}"
                );
                assert_eq!(
                    page.headers
                        .get("www-authenticate")
                        .and_then(|v| v.to_str().ok()),
                    Some("Bearer"),
                    "{method} {path} as {who:?}"
                );
                security_headers_are_on(&page, &format!("{method} {path} as {who:?}"));
                continue;
            }
            assert!(
                page.status.as_u16() < 500,
                "{method} {path} as {who:?}: {} {}",
                page.status,
                page.body
            );
            security_headers_are_on(&page, &format!("{method} {path} as {who:?}"));
            // Every state-changing route refuses a request without the form token, even
            // from someone allowed to use it, before it does anything.
            if *method == "POST" && allowed.contains(who) {
                let mut forger = match person {
                    Some(person) => app.signed_in_browser(person).await?,
                    None => app.browser(),
                };
                forger.get("/").await?;
                let page = forger.post_raw(path, "name=x&code=x&message=x").await?;
                assert_eq!(
                    page.status,
                    StatusCode::FORBIDDEN,
                    "POST {path} as {who:?} without a form token: {}",
                    page.body
                );
                security_headers_are_on(&page, &format!("POST {path} as {who:?}, no token"));
                forged_posts += 1;
            }
            let expected = if allowed.contains(who) {
                Outcome::Allowed
            } else if *who == Who::Anonymous {
                Outcome::SentToSignIn
            } else {
                Outcome::Refused
            };
            assert_eq!(
                outcome(&page),
                expected,
                "{method} {path} as {who:?}: {} {:?}",
                page.status,
                page.location
            );
        }
    }
    assert!(forged_posts > 40, "the token check ran: {forged_posts}");
    // Read by scripts/assure for its summary, so the figures come from what ran.
    println!(
        "route matrix: {} routes, each tried by {} kinds of caller, with security headers on every answer; {forged_posts} posts by allowed callers without a form token, all refused",
        MATRIX.len(),
        people.len()
    );
    Ok(())
}

async fn staff_sign_in_and_out(app: &TestApp) -> TestResult {
    app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.browser();
    let page = browser.get("/home").await?;
    assert!(page.redirects_to("/sign-in?next=%2Fhome"), "{page:?}");
    let page = browser.get("/sign-in").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"csrf_token\""));

    let page = browser.sign_in("Ann@Trust.nhs.uk", PASSPHRASE).await?;
    assert!(page.redirects_to("/home"), "{page:?}");
    assert!(page.headers.get_all(header::SET_COOKIE).iter().any(|c| {
        let c = c.to_str().unwrap_or_default();
        c.starts_with("dignity_session=") && c.contains("HttpOnly") && c.contains("SameSite=Lax")
    }));
    let page = browser.get("/home").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Staff member"));
    assert!(page.body.contains("Sign out"));

    let page = browser.post("/sign-out", &[]).await?;
    assert!(page.redirects_to("/signed-out"));
    let page = browser.get("/home").await?;
    assert!(
        page.redirects_to("/sign-in"),
        "signed out sessions are gone: {page:?}"
    );
    let actions: Vec<String> =
        sqlx::query_scalar::<_, String>("SELECT action FROM audit_log ORDER BY seq")
            .fetch_all(app.db.pool())
            .await?;
    assert!(actions.contains(&"session.sign_in".to_string()));
    assert!(actions.contains(&"session.sign_out".to_string()));
    Ok(())
}

async fn session_count(app: &TestApp) -> Result<i64, Box<dyn std::error::Error>> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions")
            .fetch_one(app.db.pool())
            .await?,
    )
}

async fn wrong_details_show_the_error_summary_and_save_nothing(app: &TestApp) -> TestResult {
    app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.browser();
    let page = browser.sign_in("", "").await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("nhsuk-error-summary"));
    assert!(page.body.contains("<title>Error: Sign in"));
    assert!(page.body.contains("href=\"#email\""));
    assert!(page.body.contains("Enter your passphrase"));

    let wrong = browser
        .sign_in("ann@trust.nhs.uk", "not the passphrase")
        .await?;
    let nobody = browser.sign_in("nobody@trust.nhs.uk", PASSPHRASE).await?;
    for page in [&wrong, &nobody] {
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(
            page.body
                .contains("The email address or passphrase is not right")
        );
    }
    // What was typed is kept, what was secret is not.
    assert!(wrong.body.contains("value=\"ann@trust.nhs.uk\""));
    assert!(!wrong.body.contains("not the passphrase"));
    assert_eq!(session_count(app).await?, 0);
    Ok(())
}

async fn sensitive_roles_must_pass_the_second_step(app: &TestApp) -> TestResult {
    app.person("gina@trust.nhs.uk", Some(Role::Guardian))
        .await?;
    let mut browser = app.browser();
    let page = browser.sign_in("gina@trust.nhs.uk", PASSPHRASE).await?;
    assert!(page.redirects_to("/sign-in/two-factor?next="), "{page:?}");
    // Until the second step, no other page opens.
    let page = browser.get("/home").await?;
    assert!(page.redirects_to("/sign-in/two-factor"), "{page:?}");
    let page = browser.get("/api/v1/me").await?;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);

    let page = browser
        .post("/sign-in/two-factor", &[("code", "12")])
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("The code must be 6 numbers"));
    let code = current_code()?;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let page = browser
        .post("/sign-in/two-factor", &[("code", wrong)])
        .await?;
    assert!(page.body.contains("That code is not right"));

    let page = browser
        .post("/sign-in/two-factor", &[("code", &code), ("next", "/home")])
        .await?;
    assert!(page.redirects_to("/home"), "{page:?}");
    assert_eq!(browser.get("/home").await?.status, StatusCode::OK);

    // The same code cannot be used again, even in a new sign-in.
    let mut second = app.browser();
    second.sign_in("gina@trust.nhs.uk", PASSPHRASE).await?;
    let page = second
        .post("/sign-in/two-factor", &[("code", &code)])
        .await?;
    assert!(
        page.body
            .contains("That code is not right or has been used"),
        "{}",
        page.status
    );
    Ok(())
}

/// The attack an outside review made: with a stolen passphrase, sign in, guess a few
/// codes, sign in again to clear the count, guess again. The wrong codes now add up
/// across sign-ins, and once they reach the limit even the right code waits.
async fn signing_in_again_does_not_reset_the_count_of_wrong_codes(app: &TestApp) -> TestResult {
    app.person("gina@trust.nhs.uk", Some(Role::Guardian))
        .await?;
    let code = current_code()?;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let limit = app.state.settings.sign_in.max_failures_per_account;
    let mut guesses = 0;
    while guesses < limit {
        let mut thief = app.browser();
        let page = thief.sign_in("gina@trust.nhs.uk", PASSPHRASE).await?;
        assert!(page.redirects_to("/sign-in/two-factor?next="), "{page:?}");
        for _ in 0..2 {
            if guesses == limit {
                break;
            }
            let page = thief
                .post("/sign-in/two-factor", &[("code", wrong)])
                .await?;
            assert!(
                page.body.contains("That code is not right"),
                "{}",
                page.status
            );
            guesses += 1;
        }
    }
    let mut thief = app.browser();
    let page = thief.sign_in("gina@trust.nhs.uk", PASSPHRASE).await?;
    assert!(page.redirects_to("/sign-in/two-factor?next="), "{page:?}");
    let page = thief
        .post("/sign-in/two-factor", &[("code", &code), ("next", "/home")])
        .await?;
    assert!(
        page.body
            .contains("You have tried to sign in too many times"),
        "{page:?}"
    );
    assert!(
        thief
            .get("/home")
            .await?
            .redirects_to("/sign-in/two-factor")
    );
    let paused: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'session.locked_out'")
            .fetch_one(app.db.pool())
            .await?;
    assert_eq!(paused, 1, "the pause is in the audit log once");
    Ok(())
}

async fn second_step_set_up_saves_a_confirmed_secret(app: &TestApp) -> TestResult {
    let person = app.person("ada@trust.nhs.uk", Some(Role::Staff)).await?;
    dignity_store::identity::grant_role(
        &app.db,
        "test",
        1,
        &person,
        Role::OrgAdmin,
        Some(&app.org),
    )
    .await?;
    let mut browser = app.browser();
    let page = browser.sign_in("ada@trust.nhs.uk", PASSPHRASE).await?;
    assert!(page.redirects_to("/sign-in/two-factor/set-up"), "{page:?}");
    let page = browser.get("/sign-in/two-factor/set-up").await?;
    assert!(page.body.contains("<svg"), "QR code shown");
    let secret = page
        .body
        .split("name=\"secret\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    assert_eq!(secret.len(), 32);
    let page = browser
        .post(
            "/sign-in/two-factor/set-up",
            &[("secret", &secret), ("code", "123")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = browser
        .post(
            "/sign-in/two-factor/set-up",
            &[("secret", "tampered"), ("code", "123456")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let code = dignity_crypto::totp::code_at(&secret, dignity_web::now() as u64)?;
    let page = browser
        .post(
            "/sign-in/two-factor/set-up",
            &[("secret", &secret), ("code", &code), ("next", "/home")],
        )
        .await?;
    assert!(page.redirects_to("/home"), "{page:?}");
    let stored = dignity_store::identity::get_person(&app.db, person.id).await?;
    assert_eq!(stored.totp_secret.as_deref(), Some(secret.as_str()));
    assert_eq!(
        browser.get("/orgs/RJ1/people").await?.status,
        StatusCode::OK
    );
    Ok(())
}

async fn forms_without_the_csrf_token_are_refused(app: &TestApp) -> TestResult {
    app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.browser();
    browser.get("/sign-in").await?;
    let form = support::encode(&[("email", "ann@trust.nhs.uk"), ("passphrase", PASSPHRASE)]);
    let page = browser.post_raw("/sign-in", &form).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("This form has expired"));
    let forged = support::encode(&[
        ("csrf_token", "A".repeat(43).as_str()),
        ("email", "ann@trust.nhs.uk"),
        ("passphrase", PASSPHRASE),
    ]);
    let page = browser.post_raw("/sign-in", &forged).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    // No cookie at all, as from another site's form.
    let mut stranger = app.browser();
    let page = stranger.post_raw("/sign-in", &forged).await?;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert_eq!(session_count(app).await?, 0);
    Ok(())
}

async fn sign_in_is_throttled_per_account_and_per_client(app: &TestApp) -> TestResult {
    app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    app.person("bob@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.browser();
    for _ in 0..5 {
        let page = browser
            .sign_in("ann@trust.nhs.uk", "wrong wrong wrong")
            .await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right passphrase is refused, with a clear message, from any client.
    let mut elsewhere = app.browser();
    elsewhere.peer = "198.51.100.7:1".parse().ok();
    let page = elsewhere.sign_in("ann@trust.nhs.uk", PASSPHRASE).await?;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        page.body
            .contains("You have tried to sign in too many times. Wait 15 minutes")
    );
    let paused: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'session.locked_out'")
            .fetch_one(app.db.pool())
            .await?;
    assert_eq!(paused, 1, "the pause is audited once");
    // An address with no account is paused too, but what was typed is kept nowhere.
    let mut guesser = app.browser();
    guesser.peer = "198.51.100.8:1".parse().ok();
    for _ in 0..5 {
        guesser
            .sign_in("typed.by.a.guesser@trust.nhs.uk", "wrong wrong wrong")
            .await?;
    }
    let audit: Vec<String> = sqlx::query_scalar(
        "SELECT actor || ' ' || detail FROM audit_log WHERE action = 'session.locked_out'",
    )
    .fetch_all(app.db.pool())
    .await?;
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert!(!audit.iter().any(|a| a.contains("guesser")), "{audit:?}");
    // Another account is not affected.
    assert!(
        elsewhere
            .sign_in("bob@trust.nhs.uk", PASSPHRASE)
            .await?
            .redirects_to("/home")
    );

    // One client trying many accounts is stopped too.
    let mut sprayer = app.browser();
    sprayer.peer = "203.0.113.9:1".parse().ok();
    for i in 0..30 {
        sprayer
            .sign_in(&format!("guess{i}@trust.nhs.uk"), "wrong wrong wrong")
            .await?;
    }
    let page = sprayer.sign_in("bob@trust.nhs.uk", PASSPHRASE).await?;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    // The client's address is never stored, only a hash of it.
    let keys: Vec<String> =
        sqlx::query_scalar::<_, String>("SELECT DISTINCT throttle_key FROM login_failures")
            .fetch_all(app.db.pool())
            .await?;
    assert!(
        keys.iter()
            .all(|k| !k.contains("203.0.113.9") && !k.contains("192.0.2.1")),
        "{keys:?}"
    );
    Ok(())
}

async fn junk_sent_to_every_form_gets_a_clear_4xx(app: &TestApp) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let junk: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"%%%%&&&===".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x80],
        b"email[]=a&email[]=b&passphrase=x".to_vec(),
        format!("name={}&kind=team&parent=-1", "x".repeat(5_000)).into_bytes(),
        b"kind=cathedral&parent=not-a-number&name=%00".to_vec(),
        b"code=%F0%9F%92%A9%F0%9F%92%A9&secret=%00".to_vec(),
    ];
    let before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM org_units")
        .fetch_one(app.db.pool())
        .await?;
    // Bearer routes answer machines in SCIM's JSON (scim.rs sends them junk).
    for route in app
        .routes
        .iter()
        .filter(|r| r.method == Method::POST && r.access != Access::Bearer)
    {
        let path = route
            .path
            .replace("{ods}", "RJ1")
            .replace("{id}", "1")
            .replace("{campaign}", "x1")
            .replace("{plan}", "x1")
            .replace("{action}", "1")
            .replace("{milestone}", "1")
            .replace("{group}", "1")
            .replace("{indicator}", "1")
            .replace("{comment}", "1")
            .replace("{pin}", "1");
        for body in &junk {
            let mut browser = app.signed_in_browser(&admin).await?;
            let token = browser.csrf().await?;
            let mut full = format!("csrf_token={token}&").into_bytes();
            full.extend_from_slice(body);
            let request = Request::post(path.as_str())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(full))?;
            let page = browser.send(request).await?;
            assert!(
                page.status.as_u16() < 500,
                "POST {path} with {body:?}: {}",
                page.status
            );
            if page.status.is_client_error() {
                assert!(
                    page.content_type.starts_with("text/html"),
                    "POST {path}: {}",
                    page.content_type
                );
                assert!(page.body.contains("nhsuk-"), "an NHS page, not bare text");
            }
        }
        // Wrong content type and an oversized body.
        let mut browser = app.signed_in_browser(&admin).await?;
        let token = browser.csrf().await?;
        let page = browser
            .send(
                Request::post(path.as_str())
                    .header("x-csrf-token", token.as_str())
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from("{\"a\":1}"))?,
            )
            .await?;
        assert!(
            page.status.as_u16() < 500,
            "POST {path} as JSON: {}",
            page.status
        );
        if path != "/sign-out" {
            // Refused as unreadable, because an org admin is not a guardian, or because a
            // survey number that is not a number names no page.
            assert!(
                [
                    StatusCode::BAD_REQUEST,
                    StatusCode::FORBIDDEN,
                    StatusCode::NOT_FOUND
                ]
                .contains(&page.status),
                "POST {path} as JSON: {}",
                page.status
            );
        }
        // Upload forms take more, so they need more to overflow.
        let size = if path.starts_with("/speak-up/") {
            support::settings().max_upload_bytes + 1
        } else {
            200_000
        };
        let huge = format!("csrf_token={token}&name={}", "x".repeat(size));
        let page = browser.post_raw(&path, &huge).await?;
        assert_eq!(
            page.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "POST {path} oversized"
        );
        assert!(page.body.contains("too large"));
    }
    let after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM org_units")
        .fetch_one(app.db.pool())
        .await?;
    assert_eq!(before, after, "nothing half-written");
    Ok(())
}

async fn org_admin_adds_units_and_sees_them_audited(app: &TestApp) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let page = browser
        .post("/orgs/RJ1/structure", &[("name", ""), ("kind", "")])
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("Enter a name for the unit"));
    assert!(page.body.contains("Choose what kind of unit this is"));
    let page = browser
        .post(
            "/orgs/RJ1/structure",
            &[("name", "Surgery"), ("kind", "team")],
        )
        .await?;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.body.contains("value=\"Surgery\""),
        "what was typed is kept"
    );
    let page = browser
        .post(
            "/orgs/RJ1/structure",
            &[("name", "Surgery"), ("kind", "division")],
        )
        .await?;
    assert!(page.redirects_to("/orgs/RJ1/structure"), "{page:?}");
    let page = browser
        .post(
            "/orgs/RJ1/structure",
            &[("name", "surgery"), ("kind", "division")],
        )
        .await?;
    assert!(page.body.contains("There is already a unit called surgery"));
    let page = browser.get("/orgs/RJ1/structure").await?;
    assert!(page.body.contains("Surgery"));
    let page = browser.get("/orgs/RJ1/audit").await?;
    assert!(page.body.contains("Added division Surgery"));
    assert!(page.body.contains("ada@trust.nhs.uk"));
    // Another organisation's log does not show it.
    let entries = audit::list_for_organisation(&app.db, "RJ2", None, 50).await?;
    assert!(entries.iter().all(|e| !e.detail.contains("Surgery")));
    // An unknown organisation is refused before anything is looked up.
    assert_eq!(
        browser.get("/orgs/NOPE/audit").await?.status,
        StatusCode::FORBIDDEN
    );
    Ok(())
}

async fn the_audit_log_names_people_given_a_role(app: &TestApp) -> TestResult {
    use dignity_domain::identity::{Email, Name};
    use dignity_store::identity;
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    // Someone with a name, given a role in the organisation.
    let hash = dignity_crypto::passphrase::hash(
        PASSPHRASE,
        dignity_crypto::passphrase::HashCost::FAST_FOR_TESTS,
    )?;
    let bea = identity::create_person(
        &app.db,
        "test",
        1,
        &Email::parse("bea.example@trust.nhs.uk")?,
        &Name::parse("Bea Example", "n")?,
        &hash,
    )
    .await?;
    identity::grant_role(&app.db, "test", 1, &bea, Role::Guardian, Some(&app.org)).await?;
    // The log keeps the address it recorded.
    let entries = audit::list_for_organisation(&app.db, "RJ1", None, 50).await?;
    assert!(
        entries.iter().any(|e| e
            .detail
            .starts_with("Gave bea.example@trust.nhs.uk the role")),
        "{entries:?}"
    );
    // The page names her.
    let mut browser = app.signed_in_browser(&admin).await?;
    let page = browser.get("/orgs/RJ1/audit?kind=role").await?;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Gave Bea Example the role"),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("bea.example@trust.nhs.uk"),
        "{}",
        page.body
    );
    Ok(())
}

async fn expired_and_forged_sessions_are_signed_out(app: &TestApp) -> TestResult {
    let ann = app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.browser();
    browser
        .cookies
        .insert("dignity_session".into(), "made-up".into());
    assert!(browser.get("/home").await?.redirects_to("/sign-in"));
    let token = dignity_crypto::token::random_token();
    let digest = dignity_crypto::token::token_digest(&token);
    let long_ago = dignity_web::now() - 7200;
    dignity_store::sessions::create(&app.db, &digest, ann.id, long_ago, long_ago + 3600).await?;
    browser.cookies.insert("dignity_session".into(), token);
    assert!(browser.get("/home").await?.redirects_to("/sign-in"));
    Ok(())
}

async fn api_answers_in_json(app: &TestApp) -> TestResult {
    let mut browser = app.browser();
    let page = browser.get("/api/v1/organisations").await?;
    assert_eq!(page.status, StatusCode::OK);
    let orgs: serde_json::Value = serde_json::from_str(&page.body)?;
    assert_eq!(orgs[0]["ods_code"], "RJ1");
    let page = browser.get("/api/v1/me").await?;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    let error: serde_json::Value = serde_json::from_str(&page.body)?;
    assert_eq!(error["error"]["status"], 401);
    let page = browser.get("/api/v1/nothing-here").await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.content_type.starts_with("application/json"));
    let page = browser.get("/nothing-here").await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Page not found"));
    let ann = app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut signed_in = app.signed_in_browser(&ann).await?;
    let me: serde_json::Value = serde_json::from_str(&signed_in.get("/api/v1/me").await?.body)?;
    assert_eq!(me["roles"][0]["role"], "staff");

    // The API's own description names every API route the server has, and nothing else.
    let page = browser.get("/api/v1/openapi.json").await?;
    assert_eq!(page.status, StatusCode::OK);
    let description: serde_json::Value = serde_json::from_str(&page.body)?;
    assert!(
        description["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3."))
    );
    let mut described: Vec<String> = description["paths"]
        .as_object()
        .map(|paths| paths.keys().cloned().collect())
        .unwrap_or_default();
    described.push("/api/v1/openapi.json".into());
    described.sort();
    let mut served: Vec<String> = MATRIX
        .iter()
        .map(|(_, pattern, _, _)| pattern.to_string())
        .filter(|p| p.starts_with("/api/"))
        .collect();
    served.sort();
    assert_eq!(described, served);
    Ok(())
}

async fn pages_carry_security_headers_and_metrics_use_route_patterns(app: &TestApp) -> TestResult {
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let page = browser.get("/orgs/RJ1/audit").await?;
    let csp = page
        .headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
            && csp.contains("frame-ancestors 'none'")
    );
    assert_eq!(
        page.headers
            .get(header::REFERRER_POLICY)
            .and_then(|v| v.to_str().ok()),
        Some("no-referrer")
    );
    assert_eq!(
        page.headers
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    assert!(
        page.headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none(),
        "no HSTS over plain HTTP"
    );
    assert!(!page.body.contains("<script>"), "no inline script");
    let metrics = browser.get("/metrics").await?.body;
    assert!(metrics.contains("route=\"/orgs/{ods}/audit\""), "{metrics}");
    assert!(!metrics.contains("/orgs/RJ1"));
    assert_eq!(browser.get("/healthz").await?.status, StatusCode::OK);
    assert_eq!(browser.get("/readyz").await?.status, StatusCode::OK);
    Ok(())
}

/// Behind HTTPS: Secure, `__Host-` cookies and HSTS.
#[tokio::test]
async fn https_settings_harden_cookies() -> TestResult {
    let settings = dignity_web::Settings {
        public_url: "https://dignity.example.nhs.uk".into(),
        ..support::settings()
    };
    let app = TestApp::start_with(dignity_store::Backend::Sqlite, settings).await?;
    let outcome = async {
        let mut browser: Browser = app.browser();
        let page = browser.get("/").await?;
        let cookie = page
            .headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(
            cookie.starts_with("__Host-dignity_csrf=") && cookie.contains("Secure"),
            "{cookie}"
        );
        assert!(
            page.headers
                .get(header::STRICT_TRANSPORT_SECURITY)
                .is_some()
        );
        // The session cookie: only over HTTPS, never readable by scripts, not sent with
        // requests started by other sites, and not settable by a sibling site.
        app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
        let page = browser.sign_in("ann@trust.nhs.uk", PASSPHRASE).await?;
        assert!(page.redirects_to("/home"), "{page:?}");
        let session = page
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("__Host-dignity_session="))
            .unwrap_or_default()
            .to_owned();
        for flag in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(session.contains(flag), "{flag} missing: {session}");
        }
        assert!(!session.contains("Domain="), "{session}");
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    app.finish().await;
    outcome
}

/// A database that goes away gives a clear "unavailable" page, never a crash.
#[tokio::test]
async fn a_lost_database_gives_a_clear_page() -> TestResult {
    let app = TestApp::start(dignity_store::Backend::Sqlite).await?;
    let ann = app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.signed_in_browser(&ann).await?;
    app.db.close().await;
    let page = browser.get("/home").await?;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.body.contains("Nothing was saved"));
    assert_eq!(
        browser.get("/readyz").await?.status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    let page = browser.get("/api/v1/organisations").await?;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.content_type.starts_with("application/json"));
    app.finish().await;
    Ok(())
}

async fn control_characters_never_reach_storage(app: &TestApp) -> TestResult {
    // PostgreSQL refuses NUL in text, and no one can type one: it is removed from every
    // form before any handler sees it, with the other invisible control characters.
    let admin = app.person("ada@trust.nhs.uk", Some(Role::OrgAdmin)).await?;
    let mut browser = app.signed_in_browser(&admin).await?;
    let page = browser
        .post(
            "/orgs/RJ1/structure",
            &[
                ("name", "Ward\u{0} 7\u{1b}[31m\u{7f}"),
                ("kind", "division"),
                ("parent", ""),
            ],
        )
        .await?;
    assert!(page.status.as_u16() < 400, "{}: {}", page.status, page.body);
    let units = dignity_store::identity::list_org_units(&app.db, app.org.id).await?;
    assert!(
        units.iter().any(|u| u.name == "Ward 7[31m"),
        "{:?}",
        units.iter().map(|u| &u.name).collect::<Vec<_>>()
    );
    // Overlong and broken UTF-8 is read as the replacement character, never as '/' or '<'.
    let token = browser.csrf().await?;
    let page = browser
        .post_raw(
            "/orgs/RJ1/structure",
            &format!("csrf_token={token}&name=Ward%C0%AF%C0%BCscript%00&kind=division&parent="),
        )
        .await?;
    assert!(page.status.as_u16() < 400, "{}: {}", page.status, page.body);
    let units = dignity_store::identity::list_org_units(&app.db, app.org.id).await?;
    // The unit must exist: if nothing matched, the checks below would prove nothing.
    let odd = units
        .iter()
        .find(|u| u.name.starts_with("Ward\u{fffd}"))
        .map(|u| u.name.clone())
        .ok_or_else(|| {
            format!(
                "the overlong name was not stored as replacement characters: {:?}",
                units.iter().map(|u| &u.name).collect::<Vec<_>>()
            )
        })?;
    assert!(!odd.contains(['/', '<', '\0']), "{odd:?}");
    assert!(
        odd.contains("script"),
        "the rest of the name is kept: {odd:?}"
    );
    Ok(())
}

async fn line_breaks_cannot_inject_headers(app: &TestApp) -> TestResult {
    // The page to return to after signing in ends up in a Location header.
    app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    for next in [
        "/home\r\nSet-Cookie: planted=1",
        "/home\nLocation: https://evil.example",
        "/home\u{0}",
        "/ho me",
    ] {
        let mut browser = app.browser();
        let page = browser
            .post(
                "/sign-in",
                &[
                    ("email", "ann@trust.nhs.uk"),
                    ("passphrase", PASSPHRASE),
                    ("next", next),
                ],
            )
            .await?;
        assert_eq!(
            page.status,
            StatusCode::SEE_OTHER,
            "{next:?}: {}",
            page.body
        );
        assert_eq!(page.location.as_deref(), Some("/home"), "{next:?}");
        assert!(!browser.cookies.contains_key("planted"));
        // Signed in, the sign-in page sends people straight on, to the same safe place.
        let query: String = form_urlencoded::byte_serialize(next.as_bytes()).collect();
        let page = browser.get(&format!("/sign-in?next={query}")).await?;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{next:?}");
        assert_eq!(page.location.as_deref(), Some("/home"), "{next:?}");
    }
    Ok(())
}

async fn sessions_resist_fixation_and_end_on_sign_out(app: &TestApp) -> TestResult {
    app.person("ann@trust.nhs.uk", Some(Role::Staff)).await?;
    // A session cookie planted before signing in (by a shared computer's last user, say)
    // is never the one that gets signed in.
    let planted = "a".repeat(43);
    let mut browser = app.browser();
    browser
        .cookies
        .insert("dignity_session".into(), planted.clone());
    let page = browser.sign_in("ann@trust.nhs.uk", PASSPHRASE).await?;
    assert!(page.redirects_to("/home"), "{page:?}");
    let issued = browser
        .cookies
        .get("dignity_session")
        .cloned()
        .unwrap_or_default();
    assert_ne!(issued, planted);
    assert_eq!(issued.len(), 43, "32 random bytes");
    let mut attacker = app.browser();
    attacker.cookies.insert("dignity_session".into(), planted);
    assert!(attacker.get("/home").await?.redirects_to("/sign-in"));

    // Signing out ends the session on the server, not just in this browser: a copy of
    // the cookie taken before is worthless after.
    let mut copy = app.browser();
    copy.cookies.insert("dignity_session".into(), issued);
    assert_eq!(copy.get("/home").await?.status, StatusCode::OK);
    let page = browser.post("/sign-out", &[]).await?;
    assert!(page.redirects_to("/signed-out"));
    assert!(copy.get("/home").await?.redirects_to("/sign-in"));
    Ok(())
}

/// Anonymous routes are a stronger promise than public ones: they never read the session
/// cookie, so a signed-in reporter is not linked to what they send, and they are not
/// logged. The list is written out so a route cannot become (or stop being) anonymous
/// unnoticed.
async fn anonymous_routes_are_exactly_these_and_never_read_a_session(app: &TestApp) -> TestResult {
    let mut anonymous: Vec<(String, &str)> = app
        .routes
        .iter()
        .filter(|r| r.access == Access::Anonymous)
        .map(|r| (r.method.to_string(), r.path))
        .collect();
    anonymous.sort();
    let mut expected: Vec<(String, &str)> = [
        ("GET", "/speak-up"),
        ("GET", "/speak-up/follow-up"),
        ("POST", "/speak-up/follow-up"),
        ("POST", "/speak-up/follow-up/reply"),
        ("POST", "/speak-up/follow-up/feedback"),
        ("POST", "/speak-up/receipt"),
        ("GET", "/speak-up/{ods}"),
        ("POST", "/speak-up/{ods}"),
        ("GET", "/survey"),
        ("POST", "/survey"),
        ("GET", "/survey/sent"),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_owned(), p))
    .collect();
    expected.sort();
    assert_eq!(anonymous, expected, "the anonymous routes");

    crate::speakup::speak_up_on(app).await?;
    // A signed-in member of staff visits each anonymous page: their session is not even
    // looked at (it is not refreshed, and the page does not know them).
    let person = app.person("sam@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.signed_in_browser(&person).await?;
    let stale = dignity_web::now() - 120;
    for (method, path) in anonymous.iter().filter(|(m, _)| m == "GET") {
        let path = path.replace("{ods}", "RJ1");
        sqlx::query("UPDATE sessions SET last_seen_at = $1")
            .bind(stale)
            .execute(app.db.pool())
            .await?;
        let page = browser.get(&path).await?;
        assert_eq!(page.status, StatusCode::OK, "{method} {path}");
        assert!(
            !page.body.contains("Sign out"),
            "{path} knows who is asking"
        );
        let seen: i64 = sqlx::query_scalar("SELECT last_seen_at FROM sessions")
            .fetch_one(app.db.pool())
            .await?;
        assert_eq!(seen, stale, "{path} read the session");
    }
    // Their error pages do not look either, nor does a mistyped address under them,
    // which may be a reporter's.
    for path in [
        "/speak-up/NOPE1",
        "/speak-up/RJ2",
        "/speak-up/RJ1/oops",
        "/survey/oops",
    ] {
        let page = browser.get(path).await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
        assert!(
            !page.body.contains("Sign out"),
            "{path} knows who is asking"
        );
        let seen: i64 = sqlx::query_scalar("SELECT last_seen_at FROM sessions")
            .fetch_one(app.db.pool())
            .await?;
        assert_eq!(seen, stale, "{path} read the session");
    }
    // The same check on a public page does see the session, so the check can fail.
    let page = browser.get("/").await?;
    assert!(
        page.body.contains("Sign out"),
        "a public page knows its signed-in reader"
    );
    let seen: i64 = sqlx::query_scalar("SELECT last_seen_at FROM sessions")
        .fetch_one(app.db.pool())
        .await?;
    assert!(seen > stale, "a public page refreshes the session");
    Ok(())
}

async fn error_pages_show_who_is_signed_in(app: &TestApp) -> TestResult {
    let person = app.person("sam@trust.nhs.uk", Some(Role::Staff)).await?;
    let mut browser = app.signed_in_browser(&person).await?;
    for (path, status) in [
        ("/nothing-here", StatusCode::NOT_FOUND),
        ("/orgs/RJ1/audit", StatusCode::FORBIDDEN),
    ] {
        let page = browser.get(path).await?;
        assert_eq!(page.status, status, "{path}");
        assert!(page.body.contains("Sign out"), "{path}: {}", page.body);
        assert!(page.body.contains(&person.display_name), "{path}");
        assert!(page.body.contains(r#"href="/home""#), "{path}");
    }
    // Signed out, the same page offers signing in, and no one's name.
    let page = app.browser().get("/nothing-here").await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains("Sign out"));
    assert!(page.body.contains(r#"href="/sign-in""#));
    Ok(())
}

async fn organisations_without_speak_up_or_a_plan_say_so(app: &TestApp) -> TestResult {
    let mut browser = app.browser();
    let page = browser.get("/speak-up/RJ2").await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Trust RJ2 has not set up Speak Up here"));
    assert!(page.body.contains(r#"href="/speak-up""#));
    assert!(!page.body.contains("Page not found"));
    let page = browser.get("/plans/RJ2").await?;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Trust RJ2 has not published a plan yet"));
    assert!(page.body.contains(r#"href="/plans""#));
    assert!(!page.body.contains("Page not found"));
    // An organisation that does not exist is still not found.
    let page = browser.get("/speak-up/NOPE1").await?;
    assert!(page.body.contains("Page not found"));
    Ok(())
}

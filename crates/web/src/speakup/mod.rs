//! Speak Up: raising a concern with a Freedom to Speak Up Guardian, openly, confidentially
//! or anonymously, and the guardians' casework. See docs/threat-model.md.

mod casework;
mod report;
pub(crate) mod returns;
mod unlock;

use crate::access::Access;
use crate::routes::Routes;

/// Who reads counts (an organisation's return and trends) and who reads the national view.
pub(crate) use dignity_app::speakup::returns::{AGGREGATE_READERS, ANALYSTS};
/// Who signs off the return and marks it as sent: its readers see the sign-off.
use dignity_app::speakup::signoff::SIGNERS;
// Guardians handle every case; employee relations leads handle grievances (checked per
// case in `dignity_app::speakup::casework` by its one rule for who reads which case).
use dignity_domain::speakup::CASEWORKERS;

pub fn routes(routes: Routes) -> Routes {
    routes
        .get("/speak-up", Access::Anonymous, report::index)
        .get("/speak-up/follow-up", Access::Anonymous, report::follow_up)
        .post("/speak-up/follow-up", Access::Anonymous, report::open)
        .post(
            "/speak-up/follow-up/reply",
            Access::Anonymous,
            report::reply,
        )
        .post(
            "/speak-up/follow-up/feedback",
            Access::Anonymous,
            report::feedback,
        )
        .post(
            "/speak-up/receipt",
            Access::Anonymous,
            report::download_receipt,
        )
        .get("/speak-up/{ods}", Access::Anonymous, report::start)
        .post_upload("/speak-up/{ods}", Access::Anonymous, report::submit)
        .get("/account/unlock", Access::SignedIn, unlock::page)
        .post("/account/unlock", Access::SignedIn, unlock::unlock)
        .get(
            "/orgs/{ods}/speak-up",
            Access::InOrganisation(CASEWORKERS),
            casework::list,
        )
        .post(
            "/orgs/{ods}/speak-up/past-cases",
            Access::InOrganisation(CASEWORKERS),
            casework::share_past_cases,
        )
        .get(
            "/orgs/{ods}/speak-up/return",
            Access::InOrganisation(AGGREGATE_READERS),
            returns::page,
        )
        .post(
            "/orgs/{ods}/speak-up/return/sign-off",
            Access::InOrganisation(SIGNERS),
            returns::sign_off,
        )
        .post(
            "/orgs/{ods}/speak-up/return/sent",
            Access::InOrganisation(SIGNERS),
            returns::mark_sent,
        )
        .post(
            "/orgs/{ods}/speak-up/return/withdraw",
            Access::InOrganisation(SIGNERS),
            returns::withdraw,
        )
        .get(
            "/orgs/{ods}/speak-up/return.csv",
            Access::InOrganisation(AGGREGATE_READERS),
            returns::csv,
        )
        .get(
            "/orgs/{ods}/speak-up/trends",
            Access::InOrganisation(AGGREGATE_READERS),
            returns::trends,
        )
        .get(
            "/national/speak-up",
            Access::Platform(ANALYSTS),
            returns::national,
        )
        .get(
            "/national/speak-up.csv",
            Access::Platform(ANALYSTS),
            returns::national_csv,
        )
        .get(
            "/orgs/{ods}/speak-up/{id}",
            Access::InOrganisation(CASEWORKERS),
            casework::show,
        )
        .get(
            "/orgs/{ods}/speak-up/{id}/status",
            Access::InOrganisation(CASEWORKERS),
            casework::status_page,
        )
        .get(
            "/orgs/{ods}/speak-up/{id}/stage",
            Access::InOrganisation(CASEWORKERS),
            casework::stage_page,
        )
        .get(
            "/orgs/{ods}/speak-up/{id}/assign",
            Access::InOrganisation(CASEWORKERS),
            casework::assign_page,
        )
        .get(
            "/orgs/{ods}/speak-up/{id}/record",
            Access::InOrganisation(CASEWORKERS),
            casework::record_page,
        )
        .get(
            "/orgs/{ods}/speak-up/{id}/note",
            Access::InOrganisation(CASEWORKERS),
            casework::note_page,
        )
        .get(
            "/orgs/{ods}/speak-up/{id}/referral",
            Access::InOrganisation(CASEWORKERS),
            casework::referral_page,
        )
        .get(
            "/orgs/{ods}/speak-up/{id}/close",
            Access::InOrganisation(CASEWORKERS),
            casework::close_page,
        )
        .get(
            "/orgs/{ods}/speak-up/{id}/detriment",
            Access::InOrganisation(CASEWORKERS),
            casework::detriment_page,
        )
        .post(
            "/orgs/{ods}/speak-up/{id}/message",
            Access::InOrganisation(CASEWORKERS),
            casework::message,
        )
        .post(
            "/orgs/{ods}/speak-up/{id}/note",
            Access::InOrganisation(CASEWORKERS),
            casework::note,
        )
        .post(
            "/orgs/{ods}/speak-up/{id}/referral",
            Access::InOrganisation(CASEWORKERS),
            casework::referral,
        )
        .post(
            "/orgs/{ods}/speak-up/{id}/status",
            Access::InOrganisation(CASEWORKERS),
            casework::status,
        )
        .post(
            "/orgs/{ods}/speak-up/{id}/assign",
            Access::InOrganisation(CASEWORKERS),
            casework::assign,
        )
        .post(
            "/orgs/{ods}/speak-up/{id}/record",
            Access::InOrganisation(CASEWORKERS),
            casework::record,
        )
        .post(
            "/orgs/{ods}/speak-up/{id}/close",
            Access::InOrganisation(CASEWORKERS),
            casework::close,
        )
        .post(
            "/orgs/{ods}/speak-up/{id}/detriment",
            Access::InOrganisation(CASEWORKERS),
            casework::detriment,
        )
        .post(
            "/orgs/{ods}/speak-up/{id}/stage",
            Access::InOrganisation(CASEWORKERS),
            casework::stage,
        )
        .get(
            "/orgs/{ods}/speak-up/{id}/attachments/{entry}",
            Access::InOrganisation(CASEWORKERS),
            casework::attachment,
        )
}

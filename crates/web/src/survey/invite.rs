//! Invitations by email: an administrator uploads a list of addresses, and each address is
//! sent its own single-use code through the mail outbox. The list is not kept: each address
//! leaves the outbox once its mail is sent, and nothing records which code went to whom.

use super::admin::{campaign_in, manage_page};
use super::dashboard::organisation;
use crate::access::CurrentUser;
use crate::error::AppError;
use crate::forms::PathData;
use crate::pages::{Chrome, FieldError};
use crate::state::AppState;
use axum::Extension;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use dignity_app::identity::Organisation;
use dignity_app::survey::campaigns::{self, Campaign, Mail as NewMail};
use dignity_domain::identity::Email;
use dignity_domain::survey::Participation;

/// Most addresses in one list.
const MAX_ADDRESSES: usize = 20_000;
/// Most mistakes listed on the page.
const SHOWN_MISTAKES: usize = 10;

/// What the outbox holds for a campaign's invitations, for counting what is still waiting.
pub fn purpose(campaign: &Campaign) -> String {
    campaigns::invitation_purpose(campaign)
}

/// Reads a list of addresses: one a line, or a CSV file whose first column holds them (a
/// first line of "email" is a heading). Repeated addresses get one invitation.
pub fn read_addresses(text: &str) -> Result<Vec<Email>, Vec<String>> {
    let mut addresses: Vec<Email> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut mistakes = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let cell = line
            .split(',')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"')
            .trim();
        if cell.is_empty() || (i == 0 && cell.eq_ignore_ascii_case("email")) {
            continue;
        }
        match Email::parse(cell) {
            Ok(email) => {
                if seen.insert(email.clone()) {
                    addresses.push(email);
                }
            }
            Err(_) => mistakes.push(format!(
                "line {}: '{}' is not an email address",
                i + 1,
                cell.chars().take(60).collect::<String>()
            )),
        }
    }
    if addresses.len() > MAX_ADDRESSES {
        mistakes.push(format!(
            "the list has {} addresses; send at most {MAX_ADDRESSES} at a time",
            addresses.len()
        ));
    }
    if addresses.is_empty() && mistakes.is_empty() {
        mistakes.push("the list has no addresses".into());
    }
    if mistakes.is_empty() {
        Ok(addresses)
    } else {
        Err(mistakes)
    }
}

fn letter(organisation: &Organisation, campaign: &Campaign, base: &str, code: &str) -> String {
    format!(
        "Hello,\n\n{org} would like to know what it is like to work there. Please answer {title}.\n\n\
         Your answers are anonymous. We do not keep your code with your answers, or the time you answer.\n\n\
         Answer here by {closes}:\n{base}/survey?code={code}\n\n\
         Or go to {base}/survey and enter this code:\n{code}\n\n\
         The code works once. Please do not share it.\n",
        org = organisation.name,
        title = campaign.title,
        closes = campaign.closes_on.long(),
    )
}

pub async fn email_invitations(
    State(state): State<AppState>,
    chrome: Chrome,
    Extension(user): Extension<CurrentUser>,
    PathData((ods, campaign_id)): PathData<(String, i64)>,
    request: Request,
) -> Result<Response, AppError> {
    let organisation = organisation(&state, &ods).await?;
    let campaign = campaign_in(&state, &organisation, campaign_id).await?;
    let text = crate::forms::uploaded_text(request, &state, "addresses").await?;
    let problem = |message: String| {
        vec![FieldError {
            field: "addresses".into(),
            message,
        }]
    };
    let errors = if state.settings.mail.is_none() {
        problem("Email is not set up on this installation. Make codes as a sheet or a mail-merge file instead".into())
    } else if campaign.participation != Participation::Tokens {
        problem(
            "This survey uses an open link for signed-in staff, so it needs no invitations".into(),
        )
    } else {
        match text {
            None => problem("Choose a file with the addresses to invite".into()),
            Some(Err(())) => {
                problem("The file must be text, such as a CSV file saved from a spreadsheet".into())
            }
            Some(Ok(text)) => match read_addresses(&text) {
                Err(mistakes) => {
                    let more = mistakes.len().saturating_sub(SHOWN_MISTAKES);
                    let mut message = mistakes
                        .into_iter()
                        .take(SHOWN_MISTAKES)
                        .collect::<Vec<_>>()
                        .join("; ");
                    if more > 0 {
                        message.push_str(&format!("; and {more} more"));
                    }
                    problem(format!(
                        "Nothing was sent. Correct the list and try again: {message}"
                    ))
                }
                Ok(addresses) => {
                    let base = state.settings.public_url.clone();
                    let invited = campaigns::invite_by_email(
                        &state.app,
                        &user.person.email,
                        &organisation,
                        &campaign,
                        &addresses,
                        |email, code| NewMail {
                            purpose: purpose(&campaign),
                            to: email.as_str().to_owned(),
                            subject: format!("Have your say: {}", campaign.title),
                            body: letter(&organisation, &campaign, &base, &code.display()),
                            attachment: None,
                        },
                    )
                    .await?;
                    // Post-redirect-get: a reload must not email everyone again.
                    return Ok(Redirect::to(&format!(
                        "/orgs/{}/surveys/{}/manage?invited={invited}",
                        organisation.ods_code, campaign.id
                    ))
                    .into_response());
                }
            },
        }
    };
    manage_page(
        &state,
        chrome.with_errors(errors),
        organisation,
        campaign,
        Default::default(),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_lists_are_read_with_mistakes_by_line() {
        let ok = read_addresses(
            "email\nann@trust.nhs.uk\n\"bob@trust.nhs.uk\",Ward 1\nann@trust.nhs.uk\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        let bad = read_addresses("ann@trust.nhs.uk\nnot an address\n").unwrap_err();
        assert_eq!(bad, ["line 2: 'not an address' is not an email address"]);
        assert!(read_addresses("email\n").is_err());
    }
}
